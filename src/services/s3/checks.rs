//! S3 buckets, with the account-level public access block.

use super::{bucket_resource, Bucket, BucketAcl, PublicAccessBlock, Versioning, POLICY_CHANGES};
use crate::model::{Severity, Status};
use crate::policy::ResourcePolicy;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &DEFAULT_ENCRYPTION,
    &VERSIONING,
    &PUBLIC_ACCESS_BLOCK,
    &super::bucket_level_block::BUCKET_LEVEL_BLOCK,
    &SECURE_TRANSPORT,
    &POLICY_PUBLIC,
    &ACL_PUBLIC,
    &SERVER_ACCESS_LOGGING,
    &super::cross_account::CROSS_ACCOUNT_ACTIONS,
    &super::access_points::ACCESS_POINT_BLOCKS,
    &super::access_points::MULTI_REGION_ACCESS_POINT_BLOCKS,
];

/// What can change a bucket's default encryption (a new bucket, a deleted one).
const ENCRYPTION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketEncryption",
        "DeleteBucketEncryption",
    ],
}];

/// What can change a bucket's versioning.
const VERSIONING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &["CreateBucket", "DeleteBucket", "PutBucketVersioning"],
}];

/// What can change the bucket's or the account's Block Public Access settings (the account's
/// are S3 Control calls, which CloudTrail records under `s3.amazonaws.com`).
const PUBLIC_ACCESS_BLOCK_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutAccountPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
    ],
}];

/// What can change a bucket's policy or whether RestrictPublicBuckets is in force.
const PUBLIC_POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketPolicy",
        "DeleteBucketPolicy",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutAccountPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
    ],
}];

/// What can change a bucket's ACL grants or whether IgnorePublicAcls is in force.
const ACL_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &[
        "CreateBucket",
        "DeleteBucket",
        "PutBucketAcl",
        "PutBucketPublicAccessBlock",
        "DeleteBucketPublicAccessBlock",
        "PutAccountPublicAccessBlock",
        "DeleteAccountPublicAccessBlock",
    ],
}];

/// What can change a bucket's server access logging (turning it off is a PutBucketLogging too).
const LOGGING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &["CreateBucket", "DeleteBucket", "PutBucketLogging"],
}];

/// The names users know the algorithms by.
fn algorithm_name(algorithm: &str) -> String {
    match algorithm {
        "AES256" => "SSE-S3 (AES256)".into(),
        "aws:kms" => "SSE-KMS (aws:kms)".into(),
        "aws:kms:dsse" => "DSSE-KMS (aws:kms:dsse)".into(),
        other => other.into(),
    }
}

const DEFAULT_ENCRYPTION: Check = Check {
    id: "s3.default_encryption",
    service: Service::S3,
    severity: Severity::High,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets have default encryption",
    rationale: "Default encryption guarantees every new object is encrypted at rest, whatever \
                the uploader asks for.",
    remediation: "Configure default encryption (SSE-S3, or SSE-KMS with a customer managed \
                  key): aws s3api put-bucket-encryption.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html",
    fsbp: &["S3.4"],
    cis: &[],
    triggers: ENCRYPTION_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetEncryptionConfiguration"),
    ],
    evaluate: default_encryption,
};

fn default_encryption(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        // `None`: the configuration could not be read; an error is in the report, no verdict.
        let Some(encryption) = &bucket.encryption else {
            continue;
        };
        verdicts.judge(
            &bucket_resource(bucket),
            !encryption.algorithms.is_empty(),
            || {
                let names: Vec<String> = encryption
                    .algorithms
                    .iter()
                    .map(|a| algorithm_name(a))
                    .collect();
                format!("Default encryption is {}.", names.join(" and "))
            },
            || "The bucket has no default server-side encryption configuration.".into(),
        );
    }
}

const VERSIONING: Check = Check {
    id: "s3.versioning",
    service: Service::S3,
    severity: Severity::Medium,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets have versioning enabled",
    rationale: "Versioning keeps overwritten and deleted objects recoverable, including after \
                ransomware or a faulty deployment.",
    remediation: "Enable versioning (aws s3api put-bucket-versioning --versioning-configuration \
                  Status=Enabled) and add a lifecycle rule for noncurrent versions.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    fsbp: &["S3.14"],
    cis: &[],
    triggers: VERSIONING_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketVersioning"),
    ],
    evaluate: versioning,
};

fn versioning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        let Some(versioning) = bucket.versioning else {
            continue;
        };
        let detail = match versioning {
            Versioning::Enabled => "Versioning is Enabled.",
            Versioning::Suspended => {
                "Versioning is Suspended: new writes overwrite objects without keeping versions."
            }
            Versioning::NeverEnabled => "Versioning has never been enabled on the bucket.",
        };
        let status = if versioning == Versioning::Enabled {
            Status::Pass
        } else {
            Status::Fail
        };
        verdicts.record(&bucket_resource(bucket), status, detail.into());
    }
}

const PUBLIC_ACCESS_BLOCK: Check = Check {
    id: "s3.public_access_block",
    service: Service::S3,
    // FSBP S3.1's (medium); the bucket's own block alone is S3.8, high.
    severity: Severity::Medium,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets block public access",
    rationale: "With all four Block Public Access settings in force (on the bucket or the \
                account), no ACL or bucket policy can make its objects public.",
    remediation: "Turn on all four settings for the account (aws s3control \
                  put-public-access-block) or for the bucket (aws s3api put-public-access-block).",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    // S3.8's rule judges the bucket's own settings alone: `s3.bucket_level_public_access_block`.
    fsbp: &["S3.1"],
    cis: &["2.1.4"],
    triggers: PUBLIC_ACCESS_BLOCK_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketPublicAccessBlock"),
        Read::all("s3:GetAccountPublicAccessBlock"),
    ],
    evaluate: public_access_block,
};

fn public_access_block(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        judge_public_access_block(
            bucket.public_access_block,
            inventory.s3.account_public_access_block,
            &bucket_resource(bucket),
            verdicts,
        );
    }
}

const SECURE_TRANSPORT: Check = Check {
    id: "s3.secure_transport",
    service: Service::S3,
    severity: Severity::Medium,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 bucket policies refuse requests without TLS",
    rationale: "Without a Deny on aws:SecureTransport false, objects can be read and written \
                over plain HTTP, in clear text on every network in between.",
    remediation: "Add to the bucket policy: Effect Deny, Principal \"*\", Action \"s3:*\", \
                  Resource the bucket and bucket/*, Condition {\"Bool\": \
                  {\"aws:SecureTransport\": \"false\"}} — and no other condition.",
    reference:
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html#transit",
    fsbp: &["S3.5"],
    cis: &["2.1.1"],
    triggers: POLICY_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketPolicy"),
    ],
    evaluate: secure_transport,
};

fn secure_transport(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        let Some(policy) = &bucket.policy else {
            continue;
        };
        let denies = policy
            .as_ref()
            .is_some_and(|document| document.denies_insecure_transport(&bucket.arn));
        verdicts.judge(
            &bucket_resource(bucket),
            denies,
            || "The bucket policy denies every S3 action, for everyone, on the bucket and its objects over plain HTTP.".into(),
            || match policy {
                None => "The bucket has no policy, so plain-HTTP requests are not refused.".into(),
                Some(_) => "The bucket policy does not deny all S3 actions to everyone on both the bucket and its objects when aws:SecureTransport is false (without further conditions).".into(),
            },
        );
    }
}

/// Whether `RestrictPublicBuckets` is in force for the bucket (its own block or the account's).
fn restricts_public_buckets(bucket: &Bucket, account: Option<PublicAccessBlock>) -> bool {
    [bucket.public_access_block, account]
        .into_iter()
        .flatten()
        .any(|block| block.restrict_public_buckets)
}

const POLICY_PUBLIC: Check = Check {
    id: "s3.policy_public",
    service: Service::S3,
    severity: Severity::Critical,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 bucket policies do not grant public access",
    rationale: "An Allow to everyone (or to every AWS account) without a condition that pins \
                the callers makes the bucket's data, or its contents, anyone's.",
    remediation: "Grant named principals instead of \"*\", or pin the callers with a fixed \
                  aws:SourceVpce, aws:SourceIp, aws:SourceArn, aws:SourceAccount or \
                  aws:PrincipalOrgID; and turn on RestrictPublicBuckets.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html#access-control-block-public-access-policy-status",
    fsbp: &["S3.2", "S3.3"],
    cis: &[],
    triggers: PUBLIC_POLICY_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketPolicy"),
        Read::each("s3:GetBucketPublicAccessBlock"),
        Read::all("s3:GetAccountPublicAccessBlock"),
    ],
    evaluate: policy_public,
};

fn policy_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        let Some(policy) = &bucket.policy else {
            continue;
        };
        let public: Vec<_> = policy
            .iter()
            .flat_map(|document| document.public_statements(ResourcePolicy::S3Bucket))
            .collect();
        let access = if public.iter().any(|s| s.grants_writes()) {
            "write"
        } else {
            "read"
        };
        let statements: Vec<String> = public
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.sid
                    .clone()
                    .map_or(format!("statement {}", i + 1), |sid| format!("\"{sid}\""))
            })
            .collect();
        let resource = bucket_resource(bucket);
        if public.is_empty() {
            verdicts.pass(
                &resource,
                match policy {
                    None => "The bucket has no policy.".into(),
                    Some(_) => "No Allow statement grants everyone access without a condition that pins the callers.".into(),
                },
            );
        } else if restricts_public_buckets(bucket, inventory.s3.account_public_access_block) {
            verdicts.pass(
                &resource,
                format!("The policy grants public {access} access ({}), but RestrictPublicBuckets is in force, so only AWS services and this account's principals can use it.", enumerate(&statements, 3)),
            );
        } else {
            // FSBP S3.2 judges public reads, S3.3 public writes (`fails_requirement`).
            let facts = [
                public
                    .iter()
                    .any(|s| s.grants_reads())
                    .then_some("public read"),
                public
                    .iter()
                    .any(|s| s.grants_writes())
                    .then_some("public write"),
            ];
            verdicts.record_with_facts(
                &resource,
                Status::Fail,
                format!("The policy grants public {access} access: {} allow{} everyone without a restricting condition.", enumerate(&statements, 3), if statements.len() == 1 { "s" } else { "" }),
                facts.into_iter().flatten().map(str::to_string).collect(),
            );
        }
    }
}

const ACL_PUBLIC: Check = Check {
    id: "s3.acl_public",
    service: Service::S3,
    severity: Severity::Critical,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 bucket ACLs grant nothing to everyone or to all AWS accounts",
    rationale: "An ACL grant to AllUsers is public; one to AuthenticatedUsers is any AWS \
                account in the world, not just yours.",
    remediation: "Disable ACLs (Object Ownership: BucketOwnerEnforced), or remove the grants \
                  and turn on IgnorePublicAcls.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/about-object-ownership.html",
    fsbp: &["S3.2", "S3.3"],
    cis: &[],
    triggers: ACL_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketAcl"),
        Read::each("s3:GetBucketPublicAccessBlock"),
        Read::all("s3:GetAccountPublicAccessBlock"),
    ],
    evaluate: acl_public,
};

fn acl_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        let Some(acl) = &bucket.acl else { continue };
        let resource = bucket_resource(bucket);
        match acl {
            BucketAcl::Ignored => verdicts.pass(
                &resource,
                "IgnorePublicAcls is in force (bucket or account): ACL grants to the public are ignored.".into(),
            ),
            BucketAcl::PublicGrants(grants) => {
                // What FSBP S3.2 (reads) and S3.3 (writes) each judge: READ lists the objects,
                // WRITE and WRITE_ACP change them or the ACL, FULL_CONTROL is all of it.
                let permission = |names: &[&str]| {
                    grants.iter().any(|g| {
                        g.rsplit(' ')
                            .next()
                            .is_some_and(|p| names.contains(&p))
                    })
                };
                let facts = [
                    permission(&["READ", "FULL_CONTROL"]).then_some("public read"),
                    permission(&["WRITE", "WRITE_ACP", "FULL_CONTROL"]).then_some("public write"),
                ];
                verdicts.judge_with_facts(
                    &resource,
                    grants.is_empty(),
                    || "The ACL grants nothing to AllUsers or AuthenticatedUsers.".into(),
                    || format!("The ACL grants {} and IgnorePublicAcls is not in force.", enumerate(grants, 4)),
                    facts.into_iter().flatten().map(str::to_string).collect(),
                )
            }
        }
    }
}

const SERVER_ACCESS_LOGGING: Check = Check {
    id: "s3.server_access_logging",
    service: Service::S3,
    severity: Severity::Medium,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets have server access logging",
    rationale: "Access logs record every request to the bucket: without them an investigation \
                cannot tell who read or deleted what.",
    remediation: "aws s3api put-bucket-logging with a target bucket (in the same region, with \
                  log-delivery permissions).",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    fsbp: &["S3.9"],
    cis: &[],
    triggers: LOGGING_CHANGES,
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketLogging"),
    ],
    evaluate: server_access_logging,
};

fn server_access_logging(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        let Some(logging) = &bucket.logging else {
            continue;
        };
        // A log target is judged too (logging to itself or elsewhere); the detail says it is one.
        let sources: Vec<String> = inventory
            .s3
            .buckets
            .iter()
            .filter(|b| b.logging.as_ref().and_then(|l| l.as_deref()) == Some(bucket.name.as_str()))
            .map(|b| b.name.clone())
            .collect();
        let target_note = if sources.is_empty() {
            String::new()
        } else {
            format!(" It is the log target of {}.", enumerate(&sources, 3))
        };
        verdicts.judge(
            &bucket_resource(bucket),
            logging.is_some(),
            || {
                format!(
                    "Server access logs go to {}.{target_note}",
                    logging.as_deref().unwrap_or_default()
                )
            },
            || format!("Server access logging is off.{target_note}"),
        );
    }
}

/// Each of the four settings is in force when the bucket or the account turns it on.
fn judge_public_access_block(
    bucket: Option<PublicAccessBlock>,
    account: Option<PublicAccessBlock>,
    resource: &Resource,
    verdicts: &mut Verdicts,
) {
    let all_on = |block: Option<PublicAccessBlock>| block == Some(PublicAccessBlock::ALL_ON);
    if all_on(bucket) {
        let detail = "All four Block Public Access settings are on for the bucket.";
        return verdicts.pass(resource, detail.into());
    }
    if all_on(account) {
        let detail = "All four Block Public Access settings are on for the account.";
        return verdicts.pass(resource, detail.into());
    }
    // A setting off at one level and unknown at the other cannot be judged.
    let (Some(bucket), Some(account)) = (bucket, account) else {
        return;
    };
    let off: Vec<String> = bucket
        .settings()
        .iter()
        .zip(account.settings())
        .filter(|((_, on_bucket), (_, on_account))| !on_bucket && !on_account)
        .map(|((name, _), _)| name.to_string())
        .collect();
    verdicts.judge(
        resource,
        off.is_empty(),
        || {
            "All four Block Public Access settings are in force (bucket and account combined)."
                .into()
        },
        || {
            let verb = if off.len() == 1 { "is" } else { "are" };
            format!(
                "{} {verb} off at both bucket and account level.",
                enumerate(&off, 4)
            )
        },
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::BucketAcl;
    use super::super::{Bucket, BucketEncryption, PublicAccessBlock, Versioning};
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{s3, Inventory};

    pub fn cases() -> Vec<Case> {
        let buckets = || {
            Inventory::from(s3::Inventory {
                buckets: vec![
                    Bucket {
                        encryption: Some(BucketEncryption {
                            algorithms: vec!["AES256".into()],
                        }),
                        versioning: Some(Versioning::Enabled),
                        public_access_block: Some(PublicAccessBlock::ALL_ON),
                        acl: Some(BucketAcl::Ignored),
                        logging: Some(Some("logs".into())),
                        ..with_policy("good", TLS_ONLY)
                    },
                    Bucket {
                        acl: Some(BucketAcl::PublicGrants(vec!["AllUsers READ".into()])),
                        ..with_policy("bad", PUBLIC_READ)
                    },
                ],
                account_public_access_block: Some(PublicAccessBlock::default()),
                access_points: Vec::new(),
                multi_region_access_points: Vec::new(),
            })
        };
        let mut cases = super::super::cross_account::tests::cases();
        cases.extend(super::super::access_points::tests::cases());
        cases.extend(super::super::bucket_level_block::tests::cases());
        for check in [
            "s3.default_encryption",
            "s3.versioning",
            "s3.public_access_block",
            "s3.secure_transport",
            "s3.policy_public",
            "s3.acl_public",
            "s3.server_access_logging",
        ] {
            for (resource_id, expected) in [("good", Status::Pass), ("bad", Status::Fail)] {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: buckets,
                    region: None,
                });
            }
        }
        cases
    }

    fn bucket(name: &str) -> Bucket {
        Bucket {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:s3:::{name}"),
            encryption: Some(BucketEncryption::default()),
            versioning: Some(Versioning::NeverEnabled),
            public_access_block: Some(PublicAccessBlock::default()),
            policy: Some(None),
            acl: Some(BucketAcl::PublicGrants(vec![])),
            logging: Some(None),
            tags: None,
        }
    }

    fn with_policy(name: &str, json: &str) -> Bucket {
        Bucket {
            policy: Some(Some(Arc::new(
                PolicyDocument::parse(&json.replace("BUCKET", name)).unwrap(),
            ))),
            ..bucket(name)
        }
    }

    const TLS_ONLY: &str = r#"{"Statement":[{"Sid":"TlsOnly","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#;
    const PUBLIC_READ: &str = r#"{"Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}]}"#;

    #[test]
    fn any_default_encryption_passes_and_is_named() {
        let mut kms = bucket("kms");
        kms.encryption = Some(BucketEncryption {
            algorithms: vec!["aws:kms".into()],
        });
        let mut dsse = bucket("dsse");
        dsse.encryption = Some(BucketEncryption {
            algorithms: vec!["aws:kms:dsse".into()],
        });
        let mut unknown = bucket("unknown");
        unknown.encryption = None;
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![kms, dsse, bucket("plain"), unknown],
            ..Default::default()
        }));
        let kms = only(&results, "s3.default_encryption", "kms");
        assert_eq!(kms.status, Status::Pass);
        assert!(kms.detail.contains("SSE-KMS"));
        assert!(only(&results, "s3.default_encryption", "dsse")
            .detail
            .contains("DSSE-KMS"));
        assert_eq!(
            only(&results, "s3.default_encryption", "plain").status,
            Status::Fail
        );
        none(&results, "s3.default_encryption", "unknown");
    }

    #[test]
    fn versioning_passes_only_when_enabled() {
        let mut enabled = bucket("enabled");
        enabled.versioning = Some(Versioning::Enabled);
        let mut suspended = bucket("suspended");
        suspended.versioning = Some(Versioning::Suspended);
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![enabled, suspended, bucket("never")],
            ..Default::default()
        }));
        assert_eq!(
            only(&results, "s3.versioning", "enabled").status,
            Status::Pass
        );
        let suspended = only(&results, "s3.versioning", "suspended");
        assert_eq!(suspended.status, Status::Fail);
        assert!(suspended.detail.contains("Suspended"));
        assert_eq!(
            only(&results, "s3.versioning", "never").status,
            Status::Fail
        );
    }

    #[test]
    fn public_access_block_combines_bucket_and_account_settings() {
        let partial = |acls, policy| PublicAccessBlock {
            block_public_acls: acls,
            ignore_public_acls: acls,
            block_public_policy: policy,
            restrict_public_buckets: policy,
        };
        let mut own = bucket("own");
        own.public_access_block = Some(PublicAccessBlock::ALL_ON);
        let mut half = bucket("half");
        half.public_access_block = Some(partial(true, false));
        let mut unreadable = bucket("unreadable");
        unreadable.public_access_block = None;

        // Account blocks ACLs only: "half" gets policies from nowhere.
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![
                own.clone(),
                half.clone(),
                bucket("none"),
                unreadable.clone(),
            ],
            account_public_access_block: Some(partial(true, false)),
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        assert_eq!(
            only(&results, "s3.public_access_block", "own").status,
            Status::Pass
        );
        let half_result = only(&results, "s3.public_access_block", "half");
        assert_eq!(half_result.status, Status::Fail);
        assert_eq!(
            half_result.detail,
            "BlockPublicPolicy and RestrictPublicBuckets are off at both bucket and account level."
        );
        none(&results, "s3.public_access_block", "unreadable");

        // Account blocks policies, bucket blocks ACLs: together all four are in force.
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![half.clone()],
            account_public_access_block: Some(partial(false, true)),
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        assert_eq!(
            only(&results, "s3.public_access_block", "half").status,
            Status::Pass
        );

        // The account-level block alone covers every bucket, even an unreadable one.
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![bucket("none"), unreadable],
            account_public_access_block: Some(PublicAccessBlock::ALL_ON),
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        let covered = only(&results, "s3.public_access_block", "none");
        assert_eq!(covered.status, Status::Pass);
        assert!(covered.detail.contains("account"));
        assert_eq!(
            only(&results, "s3.public_access_block", "unreadable").status,
            Status::Pass
        );

        // Unknown account settings: a fully blocked bucket still passes, others are unjudged.
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![own, half],
            account_public_access_block: None,
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        assert_eq!(
            only(&results, "s3.public_access_block", "own").status,
            Status::Pass
        );
        none(&results, "s3.public_access_block", "half");
    }

    #[test]
    fn secure_transport_needs_an_unconditional_tls_deny_for_everyone_on_bucket_and_objects() {
        let tls = |name: &str, principal: &str, action: &str, resources: &str, condition: &str| {
            with_policy(
                name,
                &format!(
                    r#"{{"Statement":[{{"Effect":"Deny","Principal":{principal},"Action":{action},"Resource":{resources},"Condition":{condition}}}]}}"#
                ),
            )
        };
        let both = r#"["arn:aws:s3:::BUCKET","arn:aws:s3:::BUCKET/*"]"#;
        let insecure = r#"{"Bool":{"aws:SecureTransport":"false"}}"#;
        let star = r#""*""#;
        let all_s3 = r#""s3:*""#;
        let buckets = vec![
            tls("plain-star", star, all_s3, both, insecure),
            tls(
                "aws-list",
                r#"{"AWS":["*"]}"#,
                star,
                both,
                r#"{"BoolIfExists":{"aws:securetransport":false}}"#,
            ),
            tls(
                "one-element",
                r#"{"AWS":"*"}"#,
                all_s3,
                star,
                r#"{"Bool":{"aws:SecureTransport":["false"]}}"#,
            ),
            tls(
                "narrowed",
                star,
                all_s3,
                both,
                r#"{"Bool":{"aws:SecureTransport":"false"},"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            ),
            tls(
                "tls-version-only",
                star,
                all_s3,
                both,
                r#"{"NumericLessThan":{"s3:TlsVersion":"1.2"}}"#,
            ),
            tls(
                "one-account",
                r#"{"AWS":"arn:aws:iam::111122223333:root"}"#,
                all_s3,
                both,
                insecure,
            ),
            tls(
                "bucket-only",
                star,
                all_s3,
                r#""arn:aws:s3:::BUCKET""#,
                insecure,
            ),
            tls("some-actions", star, r#""s3:GetObject""#, both, insecure),
            tls("glob-actions", star, r#""*:*""#, both, insecure),
        ];
        // Two Deny statements, one on the bucket and one on its objects, refuse every
        // plain-HTTP request together; either alone does not.
        let split = |name: &str, second: &str| {
            with_policy(
                name,
                &format!(
                    r#"{{"Statement":[
                        {{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::BUCKET","Condition":{insecure}}},
                        {{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"{second}","Condition":{insecure}}}]}}"#
                ),
            )
        };
        let mut buckets = buckets;
        buckets.push(split("split", "arn:aws:s3:::BUCKET/*"));
        buckets.push(split("split-twice-the-bucket", "arn:aws:s3:::BUCKET"));
        let results = run(&Inventory::from(s3::Inventory {
            buckets,
            ..Default::default()
        }));
        for (bucket, expected) in [
            ("plain-star", Status::Pass),
            ("aws-list", Status::Pass),
            ("one-element", Status::Pass),
            ("narrowed", Status::Fail),
            ("tls-version-only", Status::Fail),
            ("one-account", Status::Fail),
            ("bucket-only", Status::Fail),
            ("some-actions", Status::Fail),
            ("glob-actions", Status::Pass),
            ("split", Status::Pass),
            ("split-twice-the-bucket", Status::Fail),
        ] {
            assert_eq!(
                only(&results, "s3.secure_transport", bucket).status,
                expected,
                "{bucket}"
            );
        }
    }

    #[test]
    fn public_policies_wildcard_conditions_and_mitigation() {
        let allow = |name: &str, principal: &str, action: &str, condition: &str| {
            with_policy(
                name,
                &format!(
                    r#"{{"Statement":[{{"Sid":"S","Effect":"Allow","Principal":{principal},"Action":{action},"Resource":"arn:aws:s3:::BUCKET/*","Condition":{condition}}}]}}"#
                ),
            )
        };
        let get = r#""s3:GetObject""#;
        let star = r#""*""#;
        let mut mitigated = allow("mitigated", star, get, "{}");
        mitigated.public_access_block = Some(PublicAccessBlock {
            restrict_public_buckets: true,
            ..Default::default()
        });
        let not_principal = with_policy(
            "not-principal",
            r#"{"Statement":[{"Effect":"Allow","NotPrincipal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}]}"#,
        );
        let buckets = vec![
            allow("star", star, get, "{}"),
            allow(
                "aws-star-list",
                r#"{"AWS":["*"]}"#,
                r#""s3:PutObject""#,
                "{}",
            ),
            allow("any-root", r#"{"AWS":"arn:aws:iam::*:root"}"#, get, "{}"),
            not_principal,
            allow(
                "org-wildcard",
                star,
                get,
                r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            ),
            allow(
                "whole-internet",
                star,
                get,
                r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            ),
            allow(
                "if-exists",
                star,
                get,
                r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#,
            ),
            allow(
                "negated",
                star,
                get,
                r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            ),
            allow(
                "one-org",
                star,
                get,
                r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            ),
            allow(
                "office",
                star,
                get,
                r#"{"IpAddress":{"aws:SourceIp":["203.0.113.0/24"]}}"#,
            ),
            allow(
                "endpoint",
                star,
                get,
                r#"{"StringEquals":{"aws:sourcevpce":"vpce-1"}}"#,
            ),
            allow(
                "named",
                r#"{"AWS":"arn:aws:iam::111122223333:role/reader"}"#,
                get,
                "{}",
            ),
            mitigated,
        ];
        let results = run(&Inventory::from(s3::Inventory {
            buckets,
            account_public_access_block: Some(PublicAccessBlock::default()),
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        let verdict = |b| only(&results, "s3.policy_public", b);
        for bucket in [
            "star",
            "aws-star-list",
            "any-root",
            "not-principal",
            "org-wildcard",
            "whole-internet",
            "if-exists",
            "negated",
        ] {
            assert_eq!(verdict(bucket).status, Status::Fail, "{bucket}");
        }
        for bucket in ["one-org", "office", "endpoint", "named", "mitigated"] {
            assert_eq!(verdict(bucket).status, Status::Pass, "{bucket}");
        }
        assert!(verdict("star").detail.contains("public read access"));
        assert!(verdict("aws-star-list")
            .detail
            .contains("public write access"));
        assert!(verdict("mitigated")
            .detail
            .contains("RestrictPublicBuckets is in force"));
        // Details never quote condition values.
        assert!(!verdict("one-org").detail.contains("o-abc123"));
        // The account's RestrictPublicBuckets mitigates too.
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![allow("star", star, get, "{}")],
            account_public_access_block: Some(PublicAccessBlock::ALL_ON),
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        }));
        assert_eq!(
            only(&results, "s3.policy_public", "star").status,
            Status::Pass
        );
    }

    #[test]
    fn acls_and_logging_targets() {
        let mut authenticated = bucket("any-account");
        authenticated.acl = Some(BucketAcl::PublicGrants(vec![
            "AuthenticatedUsers READ".into()
        ]));
        let mut unreadable = bucket("unreadable");
        unreadable.acl = None;
        unreadable.logging = None;
        let mut source = bucket("app");
        source.logging = Some(Some("logs".into()));
        let target = bucket("logs");
        let results = run(&Inventory::from(s3::Inventory {
            buckets: vec![authenticated, unreadable, source, target],
            ..Default::default()
        }));
        let acl = only(&results, "s3.acl_public", "any-account");
        assert_eq!(acl.status, Status::Fail);
        assert!(acl.detail.contains("AuthenticatedUsers READ"));
        none(&results, "s3.acl_public", "unreadable");
        none(&results, "s3.server_access_logging", "unreadable");
        assert_eq!(
            only(&results, "s3.server_access_logging", "app").status,
            Status::Pass
        );
        let logs = only(&results, "s3.server_access_logging", "logs");
        assert_eq!(logs.status, Status::Fail);
        assert_eq!(
            logs.detail,
            "Server access logging is off. It is the log target of app."
        );
    }
}
