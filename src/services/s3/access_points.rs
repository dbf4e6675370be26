//! FSBP S3.19: access points block public access. AWS Config rule
//! `s3-access-point-public-access-blocks` (no parameters in Security Hub): an access point
//! fails unless all four of its block public access settings are on (they are fixed when it is
//! created, and on by default).
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/s3-controls.html#s3-19>

use super::AccessPoint;
use crate::model::Severity;
use crate::services::checks::Verdicts;
use crate::services::checks::{enumerate, Check, CheckOptions, EventTrigger, Read, Resource};
use crate::services::{Inventory, Service};

/// An access point's settings cannot change: only its creation or deletion changes a verdict.
const ACCESS_POINT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "s3.amazonaws.com",
    names: &["CreateAccessPoint", "DeleteAccessPoint"],
}];

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

fn access_point_blocks(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for point in &inventory.s3.access_points {
        // Undescribed: no verdict (the error is in the report).
        let Some(block) = point.public_access_block else {
            continue;
        };
        let off: Vec<String> = block
            .settings()
            .into_iter()
            .filter(|(_, on)| !on)
            .map(|(name, _)| name.to_string())
            .collect();
        let resource = Resource {
            resource_type: AccessPoint::RESOURCE_TYPE,
            id: &point.name,
            name: None,
            arn: Some(&point.arn),
            region: &point.region,
        };
        verdicts.judge(
            &resource,
            off.is_empty(),
            || {
                format!(
                    "All four block public access settings are on (bucket {}).",
                    point.bucket
                )
            },
            || {
                format!(
                    "Block public access is off for {} (bucket {}).",
                    enumerate(&off, 4),
                    point.bucket
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::s3::{self, PublicAccessBlock};

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
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        [("locked", Status::Pass), ("open", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "s3.access_point_public_access_block",
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
