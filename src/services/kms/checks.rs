//! KMS: customer keys rotate.

use super::KmsKey;
use crate::model::Severity;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Resource, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&CMK_ROTATION];

/// What can turn a key's rotation on or off, or bring a key into or out of scope (created,
/// enabled, disabled, scheduled for deletion).
const KEY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "kms.amazonaws.com",
    names: &[
        "EnableKeyRotation",
        "DisableKeyRotation",
        "CreateKey",
        "EnableKey",
        "DisableKey",
        "ScheduleKeyDeletion",
    ],
}];

const CMK_ROTATION: Check = Check {
    id: "kms.cmk_rotation",
    service: Service::Kms,
    severity: Severity::Medium,
    resource_types: &[KmsKey::RESOURCE_TYPE],
    title: "Customer-managed KMS keys rotate",
    rationale: "Rotation limits how much data one key version protects and how long a leaked \
                version stays useful.",
    remediation: "aws kms enable-key-rotation --key-id <key> (yearly by default; \
                  --rotation-period-in-days to change it).",
    reference: "https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html",
    fsbp: &["KMS.4"],
    cis: &["3.6"],
    triggers: KEY_CHANGES,
    reads: &[
        Read::all("kms:ListKeys"),
        Read::each("kms:DescribeKey"),
        Read::each("kms:GetKeyRotationStatus"),
    ],
    evaluate: cmk_rotation,
};

/// Only enabled customer-managed symmetric keys of origin AWS_KMS are collected: AWS-managed,
/// asymmetric, HMAC, imported and CloudHSM keys cannot rotate this way and are out of scope.
fn cmk_rotation(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for key in &inventory.kms.keys {
        let Some(rotating) = key.rotation_enabled else {
            continue;
        };
        let resource = Resource {
            resource_type: KmsKey::RESOURCE_TYPE,
            id: &key.id,
            name: None,
            arn: Some(&key.arn),
            region: &key.region,
        };
        verdicts.judge(
            &resource,
            rotating,
            || "Automatic key rotation is enabled.".into(),
            || "Automatic key rotation is disabled.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::KmsKey;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, run, Case};
    use crate::services::{kms, Inventory};

    fn keys() -> Inventory {
        let key = |id: &str, rotation| KmsKey {
            id: id.into(),
            region: "us-east-1".into(),
            rotation_enabled: rotation,
            ..Default::default()
        };
        Inventory::from(kms::Inventory {
            keys: vec![
                key("k-rotating", Some(true)),
                key("k-static", Some(false)),
                key("k-unreadable", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("k-rotating", Status::Pass), ("k-static", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "kms.cmk_rotation",
                resource_id,
                expected,
                inventory: keys,
                region: None,
            })
            .into()
    }

    #[test]
    fn an_unreadable_rotation_status_gives_no_verdict() {
        none(&run(&keys()), "kms.cmk_rotation", "k-unreadable");
    }
}
