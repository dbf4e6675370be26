//! S3: the bucket list (account-wide), each bucket's configuration read in the bucket's own
//! region, and the account-level public access block (S3 Control).

mod access_points;
mod bucket_level_block;
mod checks;
mod collect;
mod cross_account;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::sync::Arc;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;
use crate::policy::PolicyDocument;
use crate::services::checks::{enumerate, EventTrigger, Resource, Verdicts};

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: false,
    apis: &["s3", "s3control"],
    permissions: &[
        "s3:ListAllMyBuckets",
        "s3:GetBucketLocation",
        "s3:GetEncryptionConfiguration",
        "s3:GetBucketVersioning",
        "s3:GetBucketPublicAccessBlock",
        "s3:GetAccountPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetBucketLogging",
        "s3:GetBucketAcl",
        "s3:GetBucketTagging",
        "s3:ListAccessPoints",
        "s3:GetAccessPoint",
        "s3:ListMultiRegionAccessPoints",
    ],
    checks: checks::CHECKS,
    touched: Some(collect::touched),
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub buckets: Vec<Bucket>,
    /// The account-level S3 public access block: `None` when it could not be read.
    pub account_public_access_block: Option<PublicAccessBlock>,
    /// Access points, in the audited regions whose listing could be read.
    pub access_points: Vec<AccessPoint>,
    /// The account's Multi-Region Access Points (empty when the listing failed: an error says
    /// so).
    pub multi_region_access_points: Vec<MultiRegionAccessPoint>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.buckets.extend(other.buckets);
        self.access_points.extend(other.access_points);
        (self.multi_region_access_points).extend(other.multi_region_access_points);
        if other.account_public_access_block.is_some() {
            self.account_public_access_block = other.account_public_access_block;
        }
    }

    /// The account-level block stays: it decides whether a kept bucket is public.
    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.buckets, in_environment, |r| r.tags.as_ref());
        // The listings give no tags: access points belong to no environment.
        self.access_points.clear();
        self.multi_region_access_points.clear();
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.buckets {
            if let Some(tags) = &r.tags {
                found(&r.region, Bucket::RESOURCE_TYPE, &r.name, tags);
            }
        }
    }
}

/// An S3 access point (of a general purpose bucket).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AccessPoint {
    pub name: String,
    pub arn: String,
    pub region: String,
    pub bucket: String,
    /// Its own public access block (fixed when it was created); `None`: GetAccessPoint failed.
    pub public_access_block: Option<PublicAccessBlock>,
}

impl AccessPoint {
    pub const RESOURCE_TYPE: &'static str = "AWS::S3::AccessPoint";
}

/// A Multi-Region Access Point: one endpoint over buckets in several regions, an account-wide
/// resource.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MultiRegionAccessPoint {
    pub name: String,
    pub arn: String,
    /// Its block public access settings (fixed when it was created); `None`: the listing did
    /// not give them (no verdict).
    pub public_access_block: Option<PublicAccessBlock>,
}

impl MultiRegionAccessPoint {
    pub const RESOURCE_TYPE: &'static str = "AWS::S3::MultiRegionAccessPoint";
}

/// A bucket with the configurations the checks read; `None` = could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Bucket {
    pub name: String,
    pub region: String,
    pub arn: String,
    pub encryption: Option<BucketEncryption>,
    pub versioning: Option<Versioning>,
    pub public_access_block: Option<PublicAccessBlock>,
    /// The bucket policy; `Some(None)`: the bucket has none.
    pub policy: Option<Option<Arc<PolicyDocument>>>,
    pub acl: Option<BucketAcl>,
    /// The server access logging target bucket; `Some(None)`: logging is off.
    pub logging: Option<Option<String>>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

/// What the bucket ACL grants the public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BucketAcl {
    /// `IgnorePublicAcls` is in force (bucket or account): grants are ignored, so the ACL was
    /// not read.
    Ignored,
    /// Grants to everyone (`AllUsers`) or any AWS account (`AuthenticatedUsers`), as
    /// "AllUsers READ"; empty when there are none.
    PublicGrants(Vec<String>),
}

impl Bucket {
    pub const RESOURCE_TYPE: &'static str = "AWS::S3::Bucket";
}

/// Default server-side encryption algorithms (`AES256`, `aws:kms`, `aws:kms:dsse`); empty when
/// the bucket has no default encryption configuration.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BucketEncryption {
    pub algorithms: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Versioning {
    Enabled,
    Suspended,
    NeverEnabled,
}

/// The four public-access-block settings; all false when no configuration exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PublicAccessBlock {
    pub block_public_acls: bool,
    pub ignore_public_acls: bool,
    pub block_public_policy: bool,
    pub restrict_public_buckets: bool,
}

impl PublicAccessBlock {
    pub const ALL_ON: PublicAccessBlock = PublicAccessBlock {
        block_public_acls: true,
        ignore_public_acls: true,
        block_public_policy: true,
        restrict_public_buckets: true,
    };

    /// From the API's four optional flags, in the order of [`PublicAccessBlock::settings`];
    /// an absent flag is off.
    pub fn from_settings([acls, ignore, policy, restrict]: [Option<bool>; 4]) -> Self {
        PublicAccessBlock {
            block_public_acls: acls.unwrap_or(false),
            ignore_public_acls: ignore.unwrap_or(false),
            block_public_policy: policy.unwrap_or(false),
            restrict_public_buckets: restrict.unwrap_or(false),
        }
    }

    /// The settings by their API names, for evidence in details.
    pub fn settings(&self) -> [(&'static str, bool); 4] {
        [
            ("BlockPublicAcls", self.block_public_acls),
            ("IgnorePublicAcls", self.ignore_public_acls),
            ("BlockPublicPolicy", self.block_public_policy),
            ("RestrictPublicBuckets", self.restrict_public_buckets),
        ]
    }
}

/// What can change a bucket's policy.
pub(super) const POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
    ],
}];

pub(super) fn bucket_resource(bucket: &Bucket) -> Resource<'_> {
    Resource {
        resource_type: Bucket::RESOURCE_TYPE,
        id: &bucket.name,
        name: None,
        arn: Some(&bucket.arn),
        region: &bucket.region,
    }
}

/// Judges a block of its own (an access point's, or a bucket's alone): all four settings on
/// passes; `on_what` says whose it is or what it serves, for the detail.
pub(super) fn judge_block(
    verdicts: &mut Verdicts,
    resource: &Resource,
    block: PublicAccessBlock,
    on_what: &str,
) {
    let off: Vec<String> = block
        .settings()
        .into_iter()
        .filter(|(_, on)| !on)
        .map(|(name, _)| name.to_string())
        .collect();
    verdicts.judge(
        resource,
        off.is_empty(),
        || format!("All four block public access settings are on ({on_what})."),
        || {
            format!(
                "Block public access is off for {} ({on_what}).",
                enumerate(&off, 4)
            )
        },
    );
}
