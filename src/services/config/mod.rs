//! AWS Config: configuration recorders in every audited region.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["config"],
    permissions: &[
        "config:DescribeConfigurationRecorders",
        "config:DescribeConfigurationRecorderStatus",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: true,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// Recorders by region; a region missing could not be read.
    pub recorders: std::collections::BTreeMap<String, Vec<ConfigRecorder>>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.recorders.extend(other.recorders);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.recorders.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// An AWS Config configuration recorder and its status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRecorder {
    pub name: String,
    pub recording: bool,
    /// `SUCCESS`, `PENDING`, `FAILURE` or empty.
    pub last_status: String,
    /// What the recorder's recording group records.
    pub scope: RecordingScope,
    /// The IAM role it records with (`roleARN`).
    pub role_arn: String,
}

impl ConfigRecorder {
    /// Records with AWS Config's service-linked role, which FSBP Config.1 asks for
    /// (https://docs.aws.amazon.com/config/latest/developerguide/using-service-linked-roles-config.html).
    pub fn uses_service_linked_role(&self) -> bool {
        self.role_arn
            .ends_with(":role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
    }
}

/// A recording group, as the checks need it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RecordingScope {
    /// Every supported resource type (`allSupported`); global ones (IAM) too when
    /// `includeGlobalResourceTypes` is set.
    AllSupported { global: bool },
    /// Only these types (`INCLUSION_BY_RESOURCE_TYPES`).
    Only(Vec<String>),
    /// Everything but these types (`EXCLUSION_BY_RESOURCE_TYPES`).
    AllExcept(Vec<String>),
}

impl Default for RecordingScope {
    /// AWS's default when a recorder is created without a recording group.
    fn default() -> Self {
        RecordingScope::AllSupported { global: false }
    }
}
