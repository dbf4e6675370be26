//! FSBP S3.8: each bucket blocks public access with its own settings. AWS Config rule
//! `s3-bucket-level-public-access-prohibited` (Security Hub sets no `excludedPublicBuckets`):
//! it judges the bucket-level settings alone, whatever the account's block, so a bucket
//! stays closed if the account-level block is lifted. `s3.public_access_block` judges what is in
//! force (bucket and account combined).
//! <https://docs.aws.amazon.com/config/latest/developerguide/s3-bucket-level-public-access-prohibited.html>
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-8>

use super::{bucket_resource, judge_block, Bucket};
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const BUCKET_LEVEL_BLOCK: Check = Check {
    id: "s3.bucket_level_public_access_block",
    service: Service::S3,
    severity: Severity::High,
    resource_types: &[Bucket::RESOURCE_TYPE],
    title: "S3 buckets block public access with their own settings",
    rationale: "The account-level block covers every bucket only while it lasts: lifted for \
                one bucket's sake, it opens all of them unless each bucket blocks public access \
                itself.",
    remediation: "Turn on all four settings for the bucket: aws s3api put-public-access-block \
                  --bucket BUCKET --public-access-block-configuration \
                  BlockPublicAcls=true,IgnorePublicAcls=true,BlockPublicPolicy=true,RestrictPublicBuckets=true.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-8",
    fsbp: &["S3.8"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "s3.amazonaws.com",
        names: &[
            "CreateBucket",
            "DeleteBucket",
            "PutBucketPublicAccessBlock",
            "DeleteBucketPublicAccessBlock",
        ],
    }],
    reads: &[
        Read::all("s3:ListAllMyBuckets"),
        Read::each("s3:GetBucketLocation"),
        Read::each("s3:GetBucketPublicAccessBlock"),
    ],
    evaluate: bucket_level_block,
};

fn bucket_level_block(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for bucket in &inventory.s3.buckets {
        // Unread: no verdict (the error is in the report). No configuration reads as all off.
        let Some(block) = bucket.public_access_block else {
            continue;
        };
        judge_block(
            verdicts,
            &bucket_resource(bucket),
            block,
            "the bucket's own",
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::PublicAccessBlock;
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::s3;

    const CHECK: &str = "s3.bucket_level_public_access_block";

    fn buckets() -> Inventory {
        let bucket = |name: &str, block| Bucket {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:s3:::{name}"),
            public_access_block: block,
            ..Default::default()
        };
        Inventory::from(s3::Inventory {
            buckets: vec![
                bucket("locked", Some(PublicAccessBlock::ALL_ON)),
                bucket(
                    "half-open",
                    Some(PublicAccessBlock {
                        restrict_public_buckets: false,
                        ..PublicAccessBlock::ALL_ON
                    }),
                ),
                // No bucket-level configuration: the collector reads it as all off.
                bucket("account-only", Some(PublicAccessBlock::default())),
                bucket("unread", None),
            ],
            // The account's block is all on: the rule does not look at it.
            account_public_access_block: Some(PublicAccessBlock::ALL_ON),
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("locked", Status::Pass),
            ("half-open", Status::Fail),
            ("account-only", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: CHECK,
            resource_id,
            expected,
            inventory: buckets,
            region: None,
        })
        .into()
    }

    #[test]
    fn the_account_block_does_not_stand_in_for_the_buckets_own() {
        let results = run(&buckets());
        assert_eq!(
            only(&results, CHECK, "account-only").detail,
            "Block public access is off for BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy \
             and RestrictPublicBuckets (the bucket's own)."
        );
        assert_eq!(
            only(&results, CHECK, "half-open").detail,
            "Block public access is off for RestrictPublicBuckets (the bucket's own)."
        );
        // The effective block (the account's) passes the same bucket.
        assert_eq!(
            only(&results, "s3.public_access_block", "account-only").status,
            Status::Pass
        );
        none(&results, CHECK, "unread");
    }
}
