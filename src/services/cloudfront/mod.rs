//! CloudFront (global): distributions, their default root object, and whether the S3 buckets
//! their origins name still exist.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: false,
    apis: &["cloudfront", "s3"],
    permissions: &[
        "cloudfront:ListDistributions",
        "cloudfront:GetDistributionConfig",
        "cloudfront:ListTagsForResource",
        "s3:ListAllMyBuckets",
        "s3:ListBucket",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub distributions: Vec<Distribution>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.distributions.extend(other.distributions);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.distributions, in_environment, |d| d.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for d in &self.distributions {
            if let Some(tags) = &d.tags {
                found(
                    Distribution::REGION,
                    Distribution::RESOURCE_TYPE,
                    &d.id,
                    tags,
                );
            }
        }
    }
}

/// A web distribution (CloudFront is global: its resources are reported in region `global`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Distribution {
    pub id: String,
    pub arn: String,
    /// `d111111abcdef8.cloudfront.net`.
    pub domain_name: String,
    /// The default root object; `Some(None)`: none is configured; `None`: the configuration
    /// could not be read.
    pub default_root_object: Option<Option<String>>,
    /// The origins that are S3 REST endpoints (website endpoints are custom origins).
    pub s3_origins: Vec<S3Origin>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Distribution {
    pub const RESOURCE_TYPE: &'static str = "AWS::CloudFront::Distribution";
    pub const REGION: &'static str = "global";
}

/// An origin whose domain is an S3 bucket's REST endpoint.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct S3Origin {
    /// The origin's id within the distribution.
    pub id: String,
    pub domain_name: String,
    pub bucket: String,
    /// The region the endpoint names (`<bucket>.s3.<region>.amazonaws.com`), if any.
    pub bucket_region: Option<String>,
    /// `None`: whether the bucket exists could not be established (an error was recorded).
    pub bucket_state: Option<BucketState>,
}

/// What S3 says of an origin's bucket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BucketState {
    /// In this account's bucket list.
    InAccount,
    /// Not in this account's bucket list (or the list could not be read), but it exists:
    /// HeadBucket answered 200, 301 or 403. Most likely another account's.
    Exists,
    /// S3 answered 404: no bucket of that name exists, anyone can create it.
    Missing,
}
