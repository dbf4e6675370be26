use super::catalog::{S3_DEFAULT_ENCRYPTION, S3_PUBLIC_ACCESS_BLOCK, S3_VERSIONING};
use super::{enumerate, Resource, Verdicts};
use crate::inventory::{Inventory, PublicAccessBlock, Versioning};

/// The names users know the algorithms by.
fn algorithm_name(algorithm: &str) -> String {
    match algorithm {
        "AES256" => "SSE-S3 (AES256)".into(),
        "aws:kms" => "SSE-KMS (aws:kms)".into(),
        "aws:kms:dsse" => "DSSE-KMS (aws:kms:dsse)".into(),
        other => other.into(),
    }
}

pub(super) fn evaluate(inventory: &Inventory, verdicts: &mut Verdicts) {
    let account_block = inventory.account_public_access_block;
    for bucket in &inventory.buckets {
        let resource = Resource {
            resource_type: "AWS::S3::Bucket",
            id: &bucket.name,
            arn: Some(&bucket.arn),
            region: &bucket.region,
        };
        // `None`: the configuration could not be read; an error is in the report, no verdict.
        if let Some(encryption) = &bucket.encryption {
            verdicts.judge(
                &S3_DEFAULT_ENCRYPTION,
                &resource,
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
        if let Some(versioning) = bucket.versioning {
            let detail = match versioning {
                Versioning::Enabled => "Versioning is Enabled.",
                Versioning::Suspended => {
                    "Versioning is Suspended: new writes overwrite objects without keeping versions."
                }
                Versioning::NeverEnabled => "Versioning has never been enabled on the bucket.",
            };
            verdicts.record(
                &S3_VERSIONING,
                &resource,
                if versioning == Versioning::Enabled {
                    crate::report::Status::Pass
                } else {
                    crate::report::Status::Fail
                },
                detail.into(),
            );
        }
        judge_public_access_block(
            bucket.public_access_block,
            account_block,
            &resource,
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
    let check = &S3_PUBLIC_ACCESS_BLOCK;
    let all_on = |block: Option<PublicAccessBlock>| block == Some(PublicAccessBlock::ALL_ON);
    if all_on(bucket) {
        let detail = "All four Block Public Access settings are on for the bucket.";
        return verdicts.pass(check, resource, detail.into());
    }
    if all_on(account) {
        let detail = "All four Block Public Access settings are on for the account.";
        return verdicts.pass(check, resource, detail.into());
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
        check,
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
mod tests {
    use crate::checks::test_support::{none, only, run};
    use crate::inventory::{Bucket, BucketEncryption, Inventory, PublicAccessBlock, Versioning};
    use crate::report::Status;

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
