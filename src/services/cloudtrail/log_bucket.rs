//! Server access logging on the bucket a trail delivers to: CIS AWS Foundations v3.0.0 3.4
//! (v7.0.0 4.4, manual there). Joins the trails with the S3 inventory: a bucket of another
//! account (an organization's log archive) is not judged here, and a run that did not read S3
//! (a re-check of CloudTrail) says it could not judge.

use super::Trail;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

/// What changes where a trail delivers, or creates or deletes one.
const DELIVERY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "cloudtrail.amazonaws.com",
    names: &["CreateTrail", "UpdateTrail", "DeleteTrail"],
}];

pub(super) const BUCKET_ACCESS_LOGGING: Check = Check {
    id: "cloudtrail.bucket_access_logging",
    service: Service::Cloudtrail,
    severity: Severity::Medium,
    resource_types: &[Trail::RESOURCE_TYPE],
    title: "The bucket a trail delivers to logs who accesses it",
    rationale: "The trail's bucket holds the account's audit record: without server access \
                logs on it, who read, copied or deleted those logs is itself unrecorded.",
    remediation: "aws s3api put-bucket-logging --bucket <trail bucket> \
                  --bucket-logging-status with a TargetBucket other than the trail's bucket.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/ServerLogs.html",
    fsbp: &[],
    cis: &["3.4"],
    triggers: DELIVERY_CHANGES,
    reads: &[
        Read::all("cloudtrail:DescribeTrails"),
        Read::all("s3:ListAllMyBuckets"),
        Read::all("s3:GetBucketLogging"),
    ],
    evaluate: bucket_access_logging,
};

fn bucket_access_logging(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let s3_read = inventory.was_read(Service::S3);
    for trail in &inventory.cloudtrail.trails {
        let Some(name) = &trail.s3_bucket else {
            continue;
        };
        let resource = Resource {
            resource_type: Trail::RESOURCE_TYPE,
            id: &trail.name,
            name: None,
            arn: Some(&trail.arn),
            region: &trail.region,
        };
        if !s3_read {
            verdicts.unjudged(&resource);
            continue;
        }
        // Another account's bucket, or one whose logging could not be read: no verdict.
        let Some(bucket) = inventory.s3.buckets.iter().find(|b| &b.name == name) else {
            continue;
        };
        let Some(logging) = &bucket.logging else {
            continue;
        };
        verdicts.judge(
            &resource,
            logging.is_some(),
            || {
                format!(
                    "Its bucket {name} logs access to {}.",
                    logging.as_deref().unwrap_or_default()
                )
            },
            || format!("Its bucket {name} has no server access logging."),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::s3::Bucket;
    use crate::services::{cloudtrail, s3, Service};

    fn account() -> Inventory {
        let trail = |name: &str, bucket: &str| Trail {
            name: name.into(),
            region: "us-east-1".into(),
            s3_bucket: Some(bucket.into()),
            ..Default::default()
        };
        let bucket = |name: &str, target: Option<&str>| Bucket {
            name: name.into(),
            logging: Some(target.map(str::to_string)),
            ..Default::default()
        };
        Inventory {
            cloudtrail: cloudtrail::Inventory {
                trails: vec![
                    trail("logged", "trail-logs"),
                    trail("unlogged", "bare-logs"),
                    trail("archive", "log-archive-of-another-account"),
                ],
                trail_regions: vec!["us-east-1".into()],
            },
            s3: s3::Inventory {
                buckets: vec![
                    bucket("trail-logs", Some("access-logs")),
                    bucket("bare-logs", None),
                ],
                ..Default::default()
            },
            ..Default::default()
        }
    }

    pub fn cases() -> Vec<Case> {
        [("logged", Status::Pass), ("unlogged", Status::Fail)]
            .into_iter()
            .map(|(resource_id, expected)| Case {
                check: "cloudtrail.bucket_access_logging",
                resource_id,
                expected,
                inventory: account,
                region: None,
            })
            .collect()
    }

    #[test]
    fn another_accounts_bucket_is_not_judged_and_an_unread_s3_is_unjudged() {
        let results = run(&account());
        assert!(!results.iter().any(
            |r| r.check_id == "cloudtrail.bucket_access_logging" && r.resource_id == "archive"
        ));
        let mut cloudtrail_only = account();
        cloudtrail_only.collected = Some([Service::Cloudtrail].into());
        let evaluation = crate::services::checks::judge_all(
            &cloudtrail_only,
            "123456789012",
            &Default::default(),
            crate::services::checks::test_support::NOW,
        );
        assert!(!evaluation
            .results
            .iter()
            .any(|r| r.check_id == "cloudtrail.bucket_access_logging"));
        assert_eq!(evaluation.unjudged.len(), 3);
    }
}
