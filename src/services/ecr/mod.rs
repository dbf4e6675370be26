//! ECR: private repositories and the image scanning each one gets.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ecr"],
    permissions: &[
        "ecr:DescribeRepositories",
        "ecr:BatchGetRepositoryScanningConfiguration",
        "ecr:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub repositories: Vec<Repository>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.repositories.extend(other.repositories);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.repositories, in_environment, |r| r.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.repositories {
            if let Some(tags) = &r.tags {
                found(&r.region, Repository::RESOURCE_TYPE, &r.name, tags);
            }
        }
    }
}

/// A private repository.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Repository {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// The scanning AWS applies to it; `None` when it could not be read (the report's errors
    /// name the repository).
    pub scanning: Option<Scanning>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Repository {
    pub const RESOURCE_TYPE: &'static str = "AWS::ECR::Repository";
}

/// A repository's effective scanning configuration
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RepositoryScanningConfiguration.html):
/// the registry's scanning filters and the repository's deprecated scanOnPush, resolved by AWS.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanning {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`; `None` when AWS left it out.
    pub frequency: Option<String>,
    pub scan_on_push: bool,
    /// The registry's filters that select the repository.
    pub applied_filters: Vec<String>,
}
