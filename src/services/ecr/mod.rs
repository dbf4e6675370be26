//! ECR: private repositories and each region's registry scanning configuration.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ecr"],
    permissions: &[
        "ecr:DescribeRepositories",
        "ecr:GetRegistryScanningConfiguration",
        "ecr:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub repositories: Vec<Repository>,
    /// Each region's registry scanning configuration, by region; a region is absent when it
    /// could not be read.
    pub registry_scanning: BTreeMap<String, RegistryScanning>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.repositories.extend(other.repositories);
        self.registry_scanning.extend(other.registry_scanning);
    }

    /// The registry scanning configurations stay: they are not judged themselves, they decide
    /// whether the kept repositories are scanned.
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
    /// The repository's own `imageScanningConfiguration.scanOnPush` (basic scanning).
    pub scan_on_push: bool,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Repository {
    pub const RESOURCE_TYPE: &'static str = "AWS::ECR::Repository";
}

/// A registry's scanning configuration
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_GetRegistryScanningConfiguration.html).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RegistryScanning {
    /// `BASIC` (the default) or `ENHANCED` (Amazon Inspector).
    pub scan_type: String,
    pub rules: Vec<ScanningRule>,
}

/// Which repositories a registry scans, and how often.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanningRule {
    /// `SCAN_ON_PUSH`, `CONTINUOUS_SCAN` or `MANUAL`.
    pub frequency: String,
    /// `WILDCARD` repository filters (the only filter type).
    pub filters: Vec<String>,
}
