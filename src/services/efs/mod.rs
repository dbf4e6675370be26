//! Amazon EFS: whether file systems are encrypted at rest.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["elasticfilesystem"],
    permissions: &["elasticfilesystem:DescribeFileSystems"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub file_systems: Vec<FileSystem>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.file_systems.extend(other.file_systems);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.file_systems, in_environment, |f| Some(&f.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for f in &self.file_systems {
            found(&f.region, FileSystem::RESOURCE_TYPE, &f.id, &f.tags);
        }
    }
}

/// A file system as DescribeFileSystems describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileSystem {
    /// `fs-…` (the resource id in results).
    pub id: String,
    pub name: Option<String>,
    pub region: String,
    pub arn: String,
    /// `None`: the answer did not say (no verdict).
    pub encrypted: Option<bool>,
    /// DescribeFileSystems carries them: no extra read.
    pub tags: Tags,
}

impl FileSystem {
    pub const RESOURCE_TYPE: &'static str = "AWS::EFS::FileSystem";
}
