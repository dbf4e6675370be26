//! S3 buckets, with the account-level public access block.

use super::{enumerate, Check, Resource, Verdicts};
use crate::inventory::{Bucket, Inventory, PublicAccessBlock, Versioning};
use crate::model::{Severity, Status};
use crate::request::{CheckOptions, Service};

pub(super) const CHECKS: &[&Check] = &[&DEFAULT_ENCRYPTION, &VERSIONING, &PUBLIC_ACCESS_BLOCK];

fn bucket_resource(bucket: &Bucket) -> Resource<'_> {
    Resource {
        resource_type: Bucket::RESOURCE_TYPE,
        id: &bucket.name,
        name: None,
        arn: Some(&bucket.arn),
        region: &bucket.region,
    }
}

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
    evaluate: default_encryption,
};

fn default_encryption(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.buckets {
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
    evaluate: versioning,
};

fn versioning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.buckets {
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
    severity: Severity::Critical,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets block public access",
    rationale: "With all four Block Public Access settings in force (on the bucket or the \
                account), no ACL or bucket policy can make its objects public.",
    remediation: "Turn on all four settings for the account (aws s3control \
                  put-public-access-block) or for the bucket (aws s3api put-public-access-block).",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    fsbp: &["S3.1", "S3.8"],
    cis: &["2.1.4"],
    evaluate: public_access_block,
};

fn public_access_block(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.buckets {
        judge_public_access_block(
            bucket.public_access_block,
            inventory.account_public_access_block,
            &bucket_resource(bucket),
            verdicts,
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
pub(super) mod tests {
    use crate::checks::test_support::{none, only, run, Case};
    use crate::inventory::{Bucket, BucketEncryption, Inventory, PublicAccessBlock, Versioning};
    use crate::model::Status;

    pub fn cases() -> Vec<Case> {
        let buckets = || Inventory {
            buckets: vec![
                Bucket {
                    encryption: Some(BucketEncryption {
                        algorithms: vec!["AES256".into()],
                    }),
                    versioning: Some(Versioning::Enabled),
                    public_access_block: Some(PublicAccessBlock::ALL_ON),
                    ..bucket("good")
                },
                bucket("bad"),
            ],
            account_public_access_block: Some(PublicAccessBlock::default()),
            ..Default::default()
        };
        let mut cases = Vec::new();
        for check in [
            "s3.default_encryption",
            "s3.versioning",
            "s3.public_access_block",
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
            tags: None,
        }
    }

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
        let results = run(&Inventory {
            buckets: vec![kms, dsse, bucket("plain"), unknown],
            ..Default::default()
        });
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
        let results = run(&Inventory {
            buckets: vec![enabled, suspended, bucket("never")],
            ..Default::default()
        });
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
        let results = run(&Inventory {
            buckets: vec![
                own.clone(),
                half.clone(),
                bucket("none"),
                unreadable.clone(),
            ],
            account_public_access_block: Some(partial(true, false)),
            ..Default::default()
        });
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
        let results = run(&Inventory {
            buckets: vec![half.clone()],
            account_public_access_block: Some(partial(false, true)),
            ..Default::default()
        });
        assert_eq!(
            only(&results, "s3.public_access_block", "half").status,
            Status::Pass
        );

        // The account-level block alone covers every bucket, even an unreadable one.
        let results = run(&Inventory {
            buckets: vec![bucket("none"), unreadable],
            account_public_access_block: Some(PublicAccessBlock::ALL_ON),
            ..Default::default()
        });
        let covered = only(&results, "s3.public_access_block", "none");
        assert_eq!(covered.status, Status::Pass);
        assert!(covered.detail.contains("account"));
        assert_eq!(
            only(&results, "s3.public_access_block", "unreadable").status,
            Status::Pass
        );

        // Unknown account settings: a fully blocked bucket still passes, others are unjudged.
        let results = run(&Inventory {
            buckets: vec![own, half],
            account_public_access_block: None,
            ..Default::default()
        });
        assert_eq!(
            only(&results, "s3.public_access_block", "own").status,
            Status::Pass
        );
        none(&results, "s3.public_access_block", "half");
    }
}
