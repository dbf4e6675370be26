//! FSBP S3.6: bucket policies do not let other accounts change the bucket's policy, ACLs or
//! encryption. AWS Config rule `s3-bucket-blacklisted-actions-prohibited`, with Security Hub's
//! `blacklistedActionPatterns`; the rule reads only `Principal` and ignores conditions.
//! <https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-blacklisted-actions-prohibited.html>

use super::{bucket_resource, Bucket, POLICY_CHANGES};
use crate::model::Severity;
use crate::policy::{PrincipalSet, Principals, Statement};
use crate::services::checks::{enumerate, Check, CheckOptions, Read, Verdicts};
use crate::services::{Inventory, Service};

/// Security Hub's `blacklistedActionPatterns` for S3.6.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6>
const BLOCKLISTED_ACTIONS: [&str; 5] = [
    "s3:DeleteBucketPolicy",
    "s3:PutBucketAcl",
    "s3:PutBucketPolicy",
    "s3:PutEncryptionConfiguration",
    "s3:PutObjectAcl",
];

pub(super) const CROSS_ACCOUNT_ACTIONS: Check = Check {
    id: "s3.cross_account_actions",
    service: Service::S3,
    severity: Severity::High,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 bucket policies do not let other accounts change policies, ACLs or encryption",
    rationale: "Another account that may rewrite the bucket policy or ACLs, or its encryption, \
                can take the bucket over or lock its owner out.",
    remediation: "Remove s3:DeleteBucketPolicy, s3:PutBucketAcl, s3:PutBucketPolicy, \
                  s3:PutEncryptionConfiguration and s3:PutObjectAcl from the statements that \
                  grant other accounts (aws s3api put-bucket-policy).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-6",
    fsbp: &["S3.6"],
    cis: &[],
    triggers: POLICY_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketPolicy"),
    ],
    evaluate: cross_account_actions,
};

/// Whether a principal set names anyone outside `account`: everyone, or an AWS principal of
/// another account (an account id or an IAM ARN). Services and federated users are no account.
fn admits_other_accounts(set: &PrincipalSet, account: &str) -> bool {
    set.includes_everyone()
        || set.entries.iter().any(|(kind, value)| {
            let value = value.trim();
            let owner = match value.split(':').collect::<Vec<_>>().as_slice() {
                ["arn", _, "iam", "", owner, _] => Some(*owner),
                _ if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) => Some(value),
                _ => None,
            };
            kind == "AWS" && owner.is_some_and(|owner| owner != account)
        })
}

fn granted_to_others(statement: &Statement, account: &str) -> Vec<&'static str> {
    let others = match &statement.principals {
        Some(Principals::Principal(set)) => admits_other_accounts(set, account),
        // Everyone but the listed principals.
        Some(Principals::NotPrincipal(_)) => true,
        None => false,
    };
    if !others {
        return Vec::new();
    }
    BLOCKLISTED_ACTIONS
        .into_iter()
        .filter(|action| statement.covers_action(action))
        .collect()
}

fn cross_account_actions(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let account = verdicts.account_id().to_string();
    for bucket in &inventory.s3.buckets {
        // Unread: no verdict (the error is in the report).
        let Some(policy) = &bucket.policy else {
            continue;
        };
        let mut granted: Vec<String> = Vec::new();
        for statement in policy.iter().flat_map(|d| d.allow_statements()) {
            for action in granted_to_others(statement, &account) {
                if !granted.iter().any(|g| g == action) {
                    granted.push(action.to_string());
                }
            }
        }
        verdicts.judge(
            &bucket_resource(bucket),
            granted.is_empty(),
            || {
                "No statement lets another account change the bucket's policy, ACLs or encryption."
                    .into()
            },
            || {
                format!(
                    "The bucket policy lets other accounts {}.",
                    enumerate(&granted, 5)
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::s3;

    fn buckets() -> Inventory {
        Inventory::from(s3::Inventory {
            buckets: vec![
                bucket("none", None),
                bucket(
                    "own-account",
                    Some(
                        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/admin"},"Action":"s3:*","Resource":"*"}}"#,
                    ),
                ),
                bucket(
                    "partner-reads",
                    Some(
                        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":"*"}}"#,
                    ),
                ),
                bucket(
                    "partner-writes-acls",
                    Some(
                        r#"{"Statement":{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::210987654321:root"]},"Action":"s3:Put*","Resource":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}}"#,
                    ),
                ),
                bucket(
                    "service-writes",
                    Some(
                        r#"{"Statement":{"Effect":"Allow","Principal":{"Service":"logging.s3.amazonaws.com"},"Action":"s3:PutObjectAcl","Resource":"*"}}"#,
                    ),
                ),
            ],
            ..Default::default()
        })
    }

    fn bucket(name: &str, policy: Option<&str>) -> Bucket {
        Bucket {
            name: name.into(),
            region: "us-east-1".into(),
            policy: Some(policy.map(|p| Arc::new(PolicyDocument::parse(p).expect("valid")))),
            ..Default::default()
        }
    }

    pub fn cases() -> Vec<Case> {
        [
            ("partner-reads", Status::Pass),
            ("partner-writes-acls", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: "s3.cross_account_actions",
            resource_id,
            expected,
            inventory: buckets,
            region: None,
        })
        .into()
    }

    #[test]
    fn other_accounts_may_not_be_granted_the_blocklisted_actions() {
        let results = run(&buckets());
        let status = |bucket: &str| only(&results, "s3.cross_account_actions", bucket).status;
        assert_eq!(status("none"), Status::Pass);
        assert_eq!(status("own-account"), Status::Pass);
        assert_eq!(status("partner-reads"), Status::Pass);
        assert_eq!(status("service-writes"), Status::Pass);
        // Conditions do not count (the rule reads only Principal).
        let writes = only(&results, "s3.cross_account_actions", "partner-writes-acls");
        assert_eq!(writes.status, Status::Fail);
        assert_eq!(
            writes.detail,
            "The bucket policy lets other accounts s3:PutBucketAcl, s3:PutBucketPolicy, \
             s3:PutEncryptionConfiguration and s3:PutObjectAcl."
        );
    }
}
