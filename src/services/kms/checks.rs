//! KMS: customer managed keys rotate, are not scheduled for deletion unnoticed, and their key
//! policies are not public.

use super::KmsKey;
use crate::model::Severity;
use crate::policy::ResourcePolicy;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Resource, Verdicts};
use crate::services::resource_policy::PublicPolicy;
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&CMK_ROTATION, &PENDING_DELETION, &POLICY_PUBLIC];

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
        "CancelKeyDeletion",
    ],
}];

/// What can schedule a key's deletion or cancel it, or create a key.
const DELETION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "kms.amazonaws.com",
    names: &["CreateKey", "ScheduleKeyDeletion", "CancelKeyDeletion"],
}];

/// What can change a key policy, or create a key with one.
const KEY_POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "kms.amazonaws.com",
    names: &["CreateKey", "PutKeyPolicy"],
}];

fn key_resource(key: &KmsKey) -> Resource<'_> {
    Resource {
        resource_type: KmsKey::RESOURCE_TYPE,
        id: &key.id,
        name: None,
        arn: Some(&key.arn),
        region: &key.region,
    }
}

/// FSBP KMS.3, AWS Config rule `kms-cmk-not-scheduled-for-deletion` (no parameters): a customer
/// managed key in `PendingDeletion` (or `PendingReplicaDeletion`, a multi-Region primary
/// waiting for its replicas) fails.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/kms-controls.html#kms-3>
const PENDING_DELETION: Check = Check {
    id: "kms.key_pending_deletion",
    service: Service::Kms,
    severity: Severity::Critical,
    resource_types: &[KmsKey::RESOURCE_TYPE],
    title: "Customer managed KMS keys are not scheduled for deletion",
    rationale: "Once the waiting period ends the key is gone, and with it every piece of data \
                it encrypted; a deletion scheduled by mistake or by an attacker must be caught \
                while it can still be cancelled.",
    remediation: "If the key is still needed: aws kms cancel-key-deletion --key-id <key>, then \
                  aws kms enable-key --key-id <key>.",
    reference: "https://docs.aws.amazon.com/kms/latest/developerguide/deleting-keys.html",
    fsbp: &["KMS.3"],
    cis: &[],
    triggers: DELETION_CHANGES,
    reads: &[Read::all("kms:ListKeys"), Read::each("kms:DescribeKey")],
    evaluate: pending_deletion,
};

fn pending_deletion(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for key in &inventory.kms.keys {
        let scheduled = matches!(
            key.state.as_str(),
            "PendingDeletion" | "PendingReplicaDeletion"
        );
        verdicts.judge(
            &key_resource(key),
            !scheduled,
            || format!("The key is {}, not scheduled for deletion.", key.state),
            || match &key.deletion_date {
                Some(date) => format!("The key is {} and will be deleted at {date}.", key.state),
                None => format!("The key is {}.", key.state),
            },
        );
    }
}

/// FSBP KMS.5, AWS Config rule `kms-key-policy-no-public-access` (no parameters): a key policy
/// is public unless it grants access only to fixed values, as for S3 (the same reasoning, with
/// `kms:CallerAccount` as KMS's own way to pin the account).
/// <https://docs.aws.amazon.com/config/latest/developerguide/kms-key-policy-no-public-access.html>
const POLICY_PUBLIC: Check = Check {
    id: "kms.key_policy_public",
    service: Service::Kms,
    severity: Severity::Critical,
    resource_types: &[KmsKey::RESOURCE_TYPE],
    title: "KMS key policies do not grant public access",
    rationale: "A key policy open to everyone lets any AWS account use the key to decrypt what \
                it protects, or change the policy and lock its owner out.",
    remediation: "Grant named accounts or roles instead of \"*\", or pin the callers with a fixed \
                  kms:CallerAccount, aws:PrincipalAccount or aws:PrincipalOrgID condition (aws \
                  kms put-key-policy).",
    reference: "https://docs.aws.amazon.com/kms/latest/developerguide/key-policies.html",
    fsbp: &["KMS.5"],
    cis: &[],
    triggers: KEY_POLICY_CHANGES,
    reads: &[
        Read::all("kms:ListKeys"),
        Read::each("kms:DescribeKey"),
        Read::each("kms:GetKeyPolicy"),
    ],
    evaluate: policy_public,
};

fn policy_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let judgement = PublicPolicy {
        kind: ResourcePolicy::KmsKey,
        noun: "key",
        policy_name: "key policy",
        public_means: "everyone",
        grantee: " to anyone",
    };
    for key in &inventory.kms.keys {
        judgement.judge(verdicts, &key_resource(key), &key.policy, |_| String::new());
    }
}

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

/// Only enabled customer managed symmetric keys of origin AWS_KMS are judged: asymmetric, HMAC,
/// imported and CloudHSM keys cannot rotate this way and are out of scope.
fn cmk_rotation(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for key in inventory.kms.keys.iter().filter(|k| k.rotation_applies) {
        let Some(rotating) = key.rotation_enabled else {
            continue;
        };
        verdicts.judge(
            &key_resource(key),
            rotating,
            || "Automatic key rotation is enabled.".into(),
            || "Automatic key rotation is disabled.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::KmsKey;
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{kms, Inventory};

    fn policy(json: &str) -> Option<Option<Arc<PolicyDocument>>> {
        Some(Some(Arc::new(
            PolicyDocument::parse(json).expect("valid policy"),
        )))
    }

    const ACCOUNT_ROOT: &str = r#"{"Statement":[{"Sid":"Enable IAM policies","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"}]}"#;
    const EVERYONE: &str = r#"{"Statement":[{"Sid":"open","Effect":"Allow","Principal":"*","Action":"kms:Decrypt","Resource":"*"}]}"#;
    const CALLER_ACCOUNT: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["kms:Encrypt","kms:Decrypt"],"Resource":"*","Condition":{"StringEquals":{"kms:CallerAccount":"123456789012","kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}"#;
    const VIA_SERVICE_ONLY: &str = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*","Condition":{"StringEquals":{"kms:ViaService":"s3.us-east-1.amazonaws.com"}}}]}"#;

    fn keys() -> Inventory {
        let key = |id: &str, rotation| KmsKey {
            id: id.into(),
            region: "us-east-1".into(),
            state: "Enabled".into(),
            rotation_applies: true,
            rotation_enabled: rotation,
            policy: policy(ACCOUNT_ROOT),
            ..Default::default()
        };
        Inventory::from(kms::Inventory {
            keys: vec![
                key("k-rotating", Some(true)),
                key("k-static", Some(false)),
                key("k-unreadable", None),
                KmsKey {
                    state: "PendingDeletion".into(),
                    deletion_date: Some("2026-12-13T00:00:00Z".into()),
                    rotation_applies: false,
                    ..key("k-doomed", None)
                },
                KmsKey {
                    policy: policy(EVERYONE),
                    ..key("k-open", Some(true))
                },
                KmsKey {
                    policy: policy(CALLER_ACCOUNT),
                    ..key("k-caller-account", Some(true))
                },
                KmsKey {
                    policy: policy(VIA_SERVICE_ONLY),
                    ..key("k-via-service", Some(true))
                },
                KmsKey {
                    policy: None,
                    ..key("k-policy-unread", Some(true))
                },
                KmsKey {
                    rotation_applies: false,
                    ..key("k-asymmetric", None)
                },
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("kms.cmk_rotation", "k-rotating", Status::Pass),
            ("kms.cmk_rotation", "k-static", Status::Fail),
            ("kms.key_pending_deletion", "k-static", Status::Pass),
            ("kms.key_pending_deletion", "k-doomed", Status::Fail),
            ("kms.key_policy_public", "k-caller-account", Status::Pass),
            ("kms.key_policy_public", "k-open", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: keys,
            region: None,
        })
        .into()
    }

    #[test]
    fn unread_or_inapplicable_settings_give_no_verdict() {
        let results = run(&keys());
        none(&results, "kms.cmk_rotation", "k-unreadable");
        none(&results, "kms.cmk_rotation", "k-asymmetric");
        none(&results, "kms.cmk_rotation", "k-doomed");
        none(&results, "kms.key_policy_public", "k-policy-unread");
        // Every customer managed key is judged on its state, whatever its spec.
        assert_eq!(
            only(&results, "kms.key_pending_deletion", "k-asymmetric").status,
            Status::Pass
        );
    }

    #[test]
    fn deletion_and_public_policies_say_when_and_what() {
        let results = run(&keys());
        assert_eq!(
            only(&results, "kms.key_pending_deletion", "k-doomed").detail,
            "The key is PendingDeletion and will be deleted at 2026-12-13T00:00:00Z."
        );
        assert!(only(&results, "kms.key_policy_public", "k-open")
            .detail
            .contains("statement \"open\" grants kms:Decrypt to everyone"));
        // kms:ViaService alone lets any account's principal decrypt through the service.
        assert_eq!(
            only(&results, "kms.key_policy_public", "k-via-service").status,
            Status::Fail
        );
    }
}
