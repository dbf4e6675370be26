//! CloudTrail: a multi-region trail that records every management event, and every trail's
//! log validation and encryption.

use super::{S3ObjectEvents, Trail};
use crate::model::Severity;
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &MULTI_REGION_ENABLED,
    &LOG_FILE_VALIDATION,
    &KMS_ENCRYPTED,
    &S3_OBJECT_WRITE_EVENTS,
    &S3_OBJECT_READ_EVENTS,
    &super::log_bucket::BUCKET_ACCESS_LOGGING,
];

/// What can create, reconfigure or delete a trail.
const TRAIL_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "cloudtrail.amazonaws.com",
    names: &["CreateTrail", "UpdateTrail", "DeleteTrail"],
}];

/// Which trails exist, whether they log, and what their selectors record.
const RECORDING_READS: &[Read] = &[
    Read::all("cloudtrail:DescribeTrails"),
    Read::all("cloudtrail:GetTrailStatus"),
    Read::all("cloudtrail:GetEventSelectors"),
];

/// What can change which trails exist, whether they log, and what they record.
const RECORDING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "cloudtrail.amazonaws.com",
    names: &[
        "CreateTrail",
        "UpdateTrail",
        "DeleteTrail",
        "StartLogging",
        "StopLogging",
        "PutEventSelectors",
    ],
}];

fn trail_resource(trail: &Trail) -> Resource<'_> {
    Resource {
        resource_type: Trail::RESOURCE_TYPE,
        id: &trail.name,
        name: None,
        arn: Some(&trail.arn),
        region: &trail.region,
    }
}

const MULTI_REGION_ENABLED: Check = Check {
    id: "cloudtrail.multi_region_enabled",
    service: Service::Cloudtrail,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "A multi-region trail records every management event",
    rationale: "CloudTrail is the account's memory: without a logging multi-region trail of all \
                read and write management events, activity in other regions, or of excluded \
                sources, leaves no record.",
    remediation: "aws cloudtrail create-trail --is-multi-region-trail (to an encrypted bucket), \
                  start-logging, and event selectors for all read and write management events \
                  with no excluded sources.",
    reference: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/receive-cloudtrail-log-files-from-multiple-regions.html",
    fsbp: &["CloudTrail.1"],
    cis: &["3.1"],
    triggers: RECORDING_CHANGES,
    reads: RECORDING_READS,
    evaluate: multi_region_enabled,
};

/// One result for the account. A single-region trail never passes it; an unreadable status or
/// selector set cannot pass it either.
fn multi_region_enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    if inventory.cloudtrail.trail_regions.is_empty() {
        return;
    }
    let qualifying = inventory.cloudtrail.trails.iter().find(|t| {
        t.multi_region && t.logging == Some(true) && t.all_management_events == Some(true)
    });
    let multi: Vec<String> = inventory
        .cloudtrail
        .trails
        .iter()
        .filter(|t| t.multi_region)
        .map(|t| {
            let logging = match t.logging {
                Some(true) => "logging",
                Some(false) => "not logging",
                None => "status unknown",
            };
            let events = match t.all_management_events {
                Some(true) => "all management events",
                Some(false) => "not all management events",
                None => "selectors unknown",
            };
            format!("{} ({logging}, {events})", t.name)
        })
        .collect();
    let mut regions = inventory.cloudtrail.trail_regions.clone();
    regions.sort();
    verdicts.judge_account(
        "global",
        qualifying.is_some(),
        || {
            let trail = qualifying.expect("judged passing only with a qualifying trail");
            format!(
                "Multi-region {}trail {} is logging every read and write management event.",
                if trail.organization { "organization " } else { "" },
                trail.name
            )
        },
        || match multi.as_slice() {
            [] => format!(
                "No multi-region trail, of the account or its organization, is listed in the audited regions ({}).",
                regions.join(", ")
            ),
            trails => format!(
                "No multi-region trail both logs and records every management event: {}.",
                enumerate(trails, 3)
            ),
        },
    );
}

/// CIS AWS Foundations v3.0.0 3.8 and 3.9 (v7.0.0 4.8, 4.9), as AWS Config's
/// `cloudtrail-all-write-s3-data-event-check` and `cloudtrail-all-read-s3-data-event-check`
/// judge them: a multi-region trail that logs records the object-level write (or read) data
/// events of every current and future bucket. One result for the account.
const S3_OBJECT_WRITE_EVENTS: Check = Check {
    id: "cloudtrail.s3_object_write_events",
    service: Service::Cloudtrail,
    severity: Severity::Low,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "A multi-region trail records S3 object-level write events of every bucket",
    rationale: "Management events do not show who put, overwrote or deleted an object: \
                without object-level write events, tampering with data leaves no trace.",
    remediation: "aws cloudtrail put-event-selectors on a multi-region trail with a data \
                  resource of type AWS::S3::Object and value arn:aws:s3 (all buckets), \
                  ReadWriteType WriteOnly or All (or the advanced \"Log all events\" template \
                  for S3).",
    reference: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
    fsbp: &[],
    cis: &["3.8"],
    triggers: RECORDING_CHANGES,
    reads: RECORDING_READS,
    evaluate: |inventory, _, verdicts| s3_object_events(inventory, verdicts, "write", |e| e.write),
};

const S3_OBJECT_READ_EVENTS: Check = Check {
    id: "cloudtrail.s3_object_read_events",
    service: Service::Cloudtrail,
    severity: Severity::Low,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "A multi-region trail records S3 object-level read events of every bucket",
    rationale: "Management events do not show who read an object: without object-level read \
                events, what a leaked credential downloaded cannot be known.",
    remediation: "aws cloudtrail put-event-selectors on a multi-region trail with a data \
                  resource of type AWS::S3::Object and value arn:aws:s3 (all buckets), \
                  ReadWriteType ReadOnly or All (or the advanced \"Log all events\" template \
                  for S3).",
    reference: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/logging-data-events-with-cloudtrail.html",
    fsbp: &[],
    cis: &["3.9"],
    triggers: RECORDING_CHANGES,
    reads: RECORDING_READS,
    evaluate: |inventory, _, verdicts| s3_object_events(inventory, verdicts, "read", |e| e.read),
};

fn s3_object_events(
    inventory: &Inventory,
    verdicts: &mut Verdicts,
    kind: &str,
    records: fn(&S3ObjectEvents) -> bool,
) {
    if inventory.cloudtrail.trail_regions.is_empty() {
        return;
    }
    let trails = &inventory.cloudtrail.trails;
    let qualifying = trails.iter().find(|t| {
        t.multi_region
            && t.logging == Some(true)
            && t.s3_object_events.as_ref().is_some_and(records)
    });
    let multi: Vec<String> = trails
        .iter()
        .filter(|t| t.multi_region)
        .map(|t| t.name.clone())
        .collect();
    verdicts.judge_account(
        "global",
        qualifying.is_some(),
        || {
            let trail = qualifying.expect("judged passing only with a qualifying trail");
            format!(
                "Multi-region trail {} logs the object-level {kind} events of every S3 bucket.",
                trail.name
            )
        },
        || match multi.as_slice() {
            [] => format!("No multi-region trail records S3 object-level {kind} events."),
            trails => format!(
                "No logging multi-region trail records the object-level {kind} events of every S3 bucket ({} checked).",
                enumerate(trails, 3)
            ),
        },
    );
}

const LOG_FILE_VALIDATION: Check = Check {
    id: "cloudtrail.log_file_validation",
    service: Service::Cloudtrail,
    severity: Severity::Low,
    resource_types: &[Trail::RESOURCE_TYPE],
    title: "CloudTrail trails validate their log files",
    rationale: "Digest files prove a log was not altered or deleted after delivery; without \
                them an intruder can edit the trail of what they did.",
    remediation: "aws cloudtrail update-trail --name <trail> --enable-log-file-validation.",
    reference: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html",
    fsbp: &["CloudTrail.4"],
    cis: &["3.2"],
    triggers: TRAIL_CHANGES,
    reads: &[Read::all("cloudtrail:DescribeTrails")],
    evaluate: |inventory, _, verdicts| {
        for trail in &inventory.cloudtrail.trails {
            verdicts.judge(
                &trail_resource(trail),
                trail.log_file_validation,
                || "Log file validation is enabled.".into(),
                || "Log file validation is disabled: altered or deleted log files would go unnoticed.".into(),
            );
        }
    },
};

const KMS_ENCRYPTED: Check = Check {
    id: "cloudtrail.kms_encrypted",
    service: Service::Cloudtrail,
    severity: Severity::Medium,
    resource_types: &[Trail::RESOURCE_TYPE],
    title: "CloudTrail trails are encrypted with a KMS key",
    rationale: "SSE-KMS adds a key policy between the log files and anyone who can read the \
                bucket, and records every decryption.",
    remediation: "aws cloudtrail update-trail --name <trail> --kms-key-id <key> (the key policy \
                  must let CloudTrail encrypt).",
    reference: "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/encrypting-cloudtrail-log-files-with-aws-kms.html",
    fsbp: &["CloudTrail.2"],
    cis: &["3.5"],
    triggers: TRAIL_CHANGES,
    reads: &[Read::all("cloudtrail:DescribeTrails")],
    evaluate: |inventory, _, verdicts| {
        for trail in &inventory.cloudtrail.trails {
            verdicts.judge(
                &trail_resource(trail),
                trail.kms_key_id.is_some(),
                || format!("Log files are encrypted with {}.", trail.kms_key_id.as_deref().unwrap_or_default()),
                || "Log files are not encrypted with a KMS key (SSE-S3 only).".into(),
            );
        }
    },
};

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{S3ObjectEvents, Trail};
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{cloudtrail, Inventory};

    fn trail(name: &str, multi: bool, logging: bool, all: bool) -> Trail {
        Trail {
            name: name.into(),
            region: "us-east-1".into(),
            multi_region: multi,
            logging: Some(logging),
            all_management_events: Some(all),
            ..Default::default()
        }
    }

    fn good() -> Inventory {
        Inventory::from(cloudtrail::Inventory {
            trails: vec![Trail {
                log_file_validation: true,
                kms_key_id: Some("arn:aws:kms:us-east-1:123456789012:key/k".into()),
                s3_object_events: Some(S3ObjectEvents {
                    read: true,
                    write: true,
                }),
                ..trail("org-trail", true, true, true)
            }],
            trail_regions: vec!["us-east-1".into()],
        })
    }

    fn bad() -> Inventory {
        Inventory::from(cloudtrail::Inventory {
            trails: vec![Trail {
                s3_object_events: Some(S3ObjectEvents {
                    read: true,
                    write: true,
                }),
                ..trail("regional", false, true, true)
            }],
            trail_regions: vec!["us-east-1".into()],
        })
    }

    /// A multi-region trail logging writes only passes the write check, not the read one; one
    /// that does not log passes neither.
    #[test]
    fn object_level_events_need_a_logging_multi_region_trail_of_that_kind() {
        let verdicts = |logging: bool| {
            let results = run(&Inventory::from(cloudtrail::Inventory {
                trails: vec![Trail {
                    s3_object_events: Some(S3ObjectEvents {
                        read: false,
                        write: true,
                    }),
                    ..trail("org-trail", true, logging, true)
                }],
                trail_regions: vec!["us-east-1".into()],
            }));
            [
                "cloudtrail.s3_object_write_events",
                "cloudtrail.s3_object_read_events",
            ]
            .map(|check| only(&results, check, "123456789012").status)
        };
        assert_eq!(verdicts(true), [Status::Pass, Status::Fail]);
        assert_eq!(verdicts(false), [Status::Fail, Status::Fail]);
    }

    pub fn cases() -> Vec<Case> {
        let mut cases = super::super::log_bucket::tests::cases();
        for (expected, inventory, trail) in [
            (Status::Pass, good as fn() -> Inventory, "org-trail"),
            (Status::Fail, bad, "regional"),
        ] {
            for check in [
                "cloudtrail.multi_region_enabled",
                "cloudtrail.s3_object_write_events",
                "cloudtrail.s3_object_read_events",
            ] {
                cases.push(Case {
                    check,
                    resource_id: "123456789012",
                    expected,
                    inventory,
                    region: None,
                });
            }
            for check in ["cloudtrail.log_file_validation", "cloudtrail.kms_encrypted"] {
                cases.push(Case {
                    check,
                    resource_id: trail,
                    expected,
                    inventory,
                    region: None,
                });
            }
        }
        cases
    }

    #[test]
    fn a_single_region_or_idle_or_narrowed_trail_is_not_enough() {
        let detail = |trails: Vec<Trail>| {
            let results = run(&Inventory::from(cloudtrail::Inventory {
                trails,
                trail_regions: vec!["us-east-1".into()],
            }));
            let result = only(&results, "cloudtrail.multi_region_enabled", "123456789012");
            assert_eq!(result.status, Status::Fail);
            result.detail.clone()
        };
        assert!(detail(vec![trail("regional", false, true, true)])
            .starts_with("No multi-region trail, of the account or its organization, is listed"));
        assert!(detail(vec![trail("idle", true, false, true)]).contains("idle (not logging"));
        assert!(
            detail(vec![trail("narrow", true, true, false)]).contains("not all management events")
        );
        // Nothing listed at all (the listing failed): no verdict.
        let results = run(&Inventory::default());
        assert!(!results
            .iter()
            .any(|r| r.check_id == "cloudtrail.multi_region_enabled"));
    }
}
