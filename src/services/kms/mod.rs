//! KMS: customer managed keys: their state, rotation and key policy.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;
use crate::services::resource_policy::ReadPolicy;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["kms"],
    permissions: &[
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
        "kms:GetKeyPolicy",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub keys: Vec<KmsKey>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.keys.extend(other.keys);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.keys.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// A customer managed key (AWS managed keys are AWS's to configure and out of scope).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct KmsKey {
    pub id: String,
    pub arn: String,
    pub region: String,
    /// `KeyState` as AWS writes it (`Enabled`, `PendingDeletion` …), unknown values included.
    pub state: String,
    /// When a key scheduled for deletion will be deleted (RFC 3339).
    pub deletion_date: Option<String>,
    /// Enabled, symmetric, of origin AWS_KMS: the keys automatic rotation applies to
    /// (asymmetric, HMAC, imported and CloudHSM keys cannot rotate this way).
    pub rotation_applies: bool,
    /// `None`: rotation does not apply, or its status could not be read.
    pub rotation_enabled: Option<bool>,
    /// The key policy (`default`, the only one a key has).
    pub policy: ReadPolicy,
}

impl KmsKey {
    pub const RESOURCE_TYPE: &'static str = "AWS::KMS::Key";
}
