//! Access points block public access, regional (FSBP S3.19) and Multi-Region (S3.24): each
//! fails unless all four of its block public access settings are on (fixed when it is created,
//! and on by default).

use super::{judge_block, AccessPoint, MultiRegionAccessPoint};
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

/// An access point's settings cannot change: only its creation or deletion changes a verdict.
const ACCESS_POINT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &["CreateAccessPoint", "DeleteAccessPoint"],
}];

/// FSBP S3.19, AWS Config rule `s3-access-point-public-access-blocks` (no parameters in
/// Security Hub).
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-19>
pub(super) const ACCESS_POINT_BLOCKS: Check = Check {
    id: "s3.access_point_public_access_block",
    service: Service::S3,
    severity: Severity::Critical,
    resource_types: &[AccessPoint::RESOURCE_TYPE],
    title: "S3 access points block all public access",
    rationale: "An access point with a public access block setting off can be given a public \
                policy: its bucket's data is then public through it, whatever the bucket's own \
                block allows.",
    remediation: "An access point's block cannot be changed: create a replacement with the four \
                  settings on (the default), move clients to it, and delete the old one.",
    reference:
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-bpa-settings.html",
    fsbp: &["S3.19"],
    cis: &[],
    triggers: ACCESS_POINT_CHANGES,
    reads: &[
        Read::all("s3:ListAccessPoints"),
        Read::each("s3:GetAccessPoint"),
    ],
    evaluate: access_point_blocks,
};

/// FSBP S3.24, Security Hub's own rule `s3-mrap-public-access-blocked` (no parameters): a
/// Multi-Region Access Point fails unless its block public access settings are all on.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-24>
pub(super) const MULTI_REGION_ACCESS_POINT_BLOCKS: Check = Check {
    id: "s3.multi_region_access_point_public_access_block",
    service: Service::S3,
    severity: Severity::High,
    resource_types: &[MultiRegionAccessPoint::RESOURCE_TYPE],
    title: "S3 Multi-Region Access Points block all public access",
    rationale: "A Multi-Region Access Point with a public access block setting off can be given \
                a public policy: the data of every bucket behind it, in every region, is then \
                public through one global endpoint.",
    remediation: "A Multi-Region Access Point's block cannot be changed: create a replacement \
                  with the four settings on (the default), move clients to it, and delete the \
                  old one.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/multi-region-access-point-block-public-access.html",
    fsbp: &["S3.24"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "s3.amazonaws.com",
        names: &[
            "CreateMultiRegionAccessPoint",
            "DeleteMultiRegionAccessPoint",
        ],
    }],
    reads: &[Read::all("s3:ListMultiRegionAccessPoints")],
    evaluate: multi_region_access_point_blocks,
};

fn access_point_blocks(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for point in &inventory.s3.access_points {
        // Undescribed: no verdict (the error is in the report).
        let Some(block) = point.public_access_block else {
            continue;
        };
        let resource = Resource {
            resource_type: AccessPoint::RESOURCE_TYPE,
            id: &point.name,
            name: None,
            arn: Some(&point.arn),
            region: &point.region,
        };
        judge_block(
            verdicts,
            &resource,
            block,
            &format!("bucket {}", point.bucket),
        );
    }
}

fn multi_region_access_point_blocks(
    inventory: &Inventory,
    _: &CheckOptions,
    verdicts: &mut Verdicts,
) {
    for point in &inventory.s3.multi_region_access_points {
        let Some(block) = point.public_access_block else {
            continue;
        };
        let resource = Resource {
            resource_type: MultiRegionAccessPoint::RESOURCE_TYPE,
            id: &point.name,
            name: None,
            arn: Some(&point.arn),
            region: "global",
        };
        judge_block(verdicts, &resource, block, "Multi-Region Access Point");
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::PublicAccessBlock;
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::s3;

    fn points() -> Inventory {
        let point = |name: &str, block: Option<PublicAccessBlock>| AccessPoint {
            name: name.into(),
            arn: format!("arn:aws:s3:us-east-1:123456789012:accesspoint/{name}"),
            region: "us-east-1".into(),
            bucket: "data".into(),
            public_access_block: block,
        };
        Inventory::from(s3::Inventory {
            access_points: vec![
                point("locked", Some(PublicAccessBlock::ALL_ON)),
                point(
                    "open",
                    Some(PublicAccessBlock {
                        block_public_policy: false,
                        restrict_public_buckets: false,
                        ..PublicAccessBlock::ALL_ON
                    }),
                ),
                point("undescribed", None),
            ],
            multi_region_access_points: vec![
                MultiRegionAccessPoint {
                    name: "global-locked".into(),
                    arn: "arn:aws:s3::123456789012:accesspoint/mfzwi23gnjvgw.mrap".into(),
                    public_access_block: Some(PublicAccessBlock::ALL_ON),
                },
                MultiRegionAccessPoint {
                    name: "global-open".into(),
                    arn: "arn:aws:s3::123456789012:accesspoint/mjs8s2dqz2xcn.mrap".into(),
                    public_access_block: Some(PublicAccessBlock {
                        ignore_public_acls: false,
                        ..PublicAccessBlock::ALL_ON
                    }),
                },
            ],
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        let regional = "s3.access_point_public_access_block";
        let global = "s3.multi_region_access_point_public_access_block";
        [
            (regional, "locked", Status::Pass),
            (regional, "open", Status::Fail),
            (global, "global-locked", Status::Pass),
            (global, "global-open", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: points,
            region: None,
        })
        .into()
    }

    #[test]
    fn one_setting_off_fails_and_an_undescribed_point_gets_no_verdict() {
        let results = run(&points());
        assert_eq!(
            only(&results, "s3.access_point_public_access_block", "open").detail,
            "Block public access is off for BlockPublicPolicy and RestrictPublicBuckets (bucket \
             data)."
        );
        none(
            &results,
            "s3.access_point_public_access_block",
            "undescribed",
        );
    }
}
