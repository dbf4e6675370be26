//! KMS: customer keys and their rotation.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["kms"],
    permissions: &[
        "kms:ListKeys",
        "kms:DescribeKey",
        "kms:GetKeyRotationStatus",
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

/// A customer-managed, enabled, symmetric KMS key of origin AWS_KMS: the keys that can and
/// should rotate (AWS-managed, asymmetric, HMAC, imported and CloudHSM keys are out of scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KmsKey {
    pub id: String,
    pub arn: String,
    pub region: String,
    /// `None`: the rotation status could not be read.
    pub rotation_enabled: Option<bool>,
}

impl KmsKey {
    pub const RESOURCE_TYPE: &'static str = "AWS::KMS::Key";
}
