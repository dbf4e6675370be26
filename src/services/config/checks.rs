//! AWS Config: a recorder of every supported resource type in every audited region.

use super::{ConfigRecorder, RecordingScope};
use crate::model::Severity;
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&RECORDER_ENABLED];

/// What can create, reconfigure, start, stop or delete a recorder, change the resource types it
/// records, or its delivery channel.
const RECORDER_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "config.amazonaws.com",
    names: &[
        "PutConfigurationRecorder",
        "DeleteConfigurationRecorder",
        "StartConfigurationRecorder",
        "StopConfigurationRecorder",
        "AssociateResourceTypes",
        "DisassociateResourceTypes",
        "PutDeliveryChannel",
        "DeleteDeliveryChannel",
    ],
}];

const RECORDER_ENABLED: Check = Check {
    id: "config.recorder_enabled",
    service: Service::Config,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "AWS Config records every supported resource type in every audited region",
    rationale: "Config is the history of every resource's configuration: what changed, when, \
                and what it looked like before an incident. A recorder of some resource types \
                only (or all but some) leaves the rest without that history; the global IAM \
                types must be recorded in at least one region.",
    remediation: "Set up a configuration recorder recording all supported resource types \
                  (and, in one region, the global ones) and a delivery channel (aws \
                  configservice put-configuration-recorder --recording-group \
                  allSupported=true,includeGlobalResourceTypes=true, put-delivery-channel, \
                  start-configuration-recorder).",
    reference: "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
    fsbp: &["Config.1"],
    cis: &["3.3"],
    triggers: RECORDER_CHANGES,
    reads: &[
        Read::all("config:DescribeConfigurationRecorders"),
        Read::all("config:DescribeConfigurationRecorderStatus"),
    ],
    evaluate: recorder_enabled,
};

/// A region passes with a recorder that is recording, whose last delivery did not fail, and
/// that records every supported resource type (Config.1, CIS 3.3); IAM's global resource
/// types must be recorded in at least one audited region.
fn recorder_enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let regions = &inventory.config.recorders;
    let working = |recorders: &'_ [ConfigRecorder]| {
        recorders
            .iter()
            .find(|r| r.recording && r.last_status != "FAILURE")
            .cloned()
    };
    let global_somewhere = regions.values().any(|recorders| {
        working(recorders).is_some_and(|r| r.scope == RecordingScope::AllSupported { global: true })
    });
    for (region, recorders) in regions {
        let problem = match (working(recorders), recorders.as_slice()) {
            (Some(recorder), _) => match &recorder.scope {
                RecordingScope::AllSupported { .. } if global_somewhere => None,
                RecordingScope::AllSupported { .. } => Some(format!(
                    "Recorder {} in {region} records every supported resource type, but no audited region records the global ones (IAM users, roles, groups, policies): set includeGlobalResourceTypes in one region.",
                    recorder.name
                )),
                RecordingScope::Only(types) => Some(format!(
                    "Recorder {} in {region} records only {} resource type{}: {}.",
                    recorder.name,
                    types.len(),
                    if types.len() == 1 { "" } else { "s" },
                    enumerate(types, 5)
                )),
                RecordingScope::AllExcept(types) => Some(format!(
                    "Recorder {} in {region} excludes resource types: {}.",
                    recorder.name,
                    enumerate(types, 5)
                )),
            },
            (None, []) => Some(format!("{region} has no configuration recorder.")),
            (None, [recorder, ..]) if recorder.recording => Some(format!(
                "Recorder {} in {region} is recording but its last delivery failed.",
                recorder.name
            )),
            (None, [recorder, ..]) => {
                Some(format!("Recorder {} in {region} is stopped.", recorder.name))
            }
        };
        // What FSBP Config.1 (the service-linked role) and CIS 3.3 (last status SUCCESS) ask
        // beyond the check; on passing results only, where it can change the verdict.
        let facts = match working(recorders) {
            Some(recorder) if problem.is_none() => {
                let mut facts = Vec::new();
                if !recorder.uses_service_linked_role() {
                    facts.push("recorder role not service-linked".to_string());
                }
                if recorder.last_status != "SUCCESS" {
                    let status = match recorder.last_status.as_str() {
                        "" => "none",
                        status => status,
                    };
                    facts.push(format!("last status {status}"));
                }
                facts
            }
            _ => Vec::new(),
        };
        verdicts.judge_account_with_facts(
            region,
            problem.is_none(),
            || {
                let recorder = working(recorders).expect("a pass has a working recorder");
                format!(
                    "Recorder {} is recording every supported resource type in {region}.",
                    recorder.name
                )
            },
            || problem.clone().unwrap_or_default(),
            facts,
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{ConfigRecorder, RecordingScope};
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::{config, Inventory};

    fn regions() -> Inventory {
        // eu-west-2's records with the service-linked role, the others with a role of their own.
        let recorder = |recording, status: &str, scope| ConfigRecorder {
            name: "default".into(),
            recording,
            last_status: status.into(),
            role_arn: if status == "SUCCESS"
                && scope == (RecordingScope::AllSupported { global: false })
            {
                "arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig".into()
            } else {
                "arn:aws:iam::123456789012:role/config".into()
            },
            scope,
        };
        let all = |global| RecordingScope::AllSupported { global };
        let only = RecordingScope::Only(vec!["AWS::S3::Bucket".into()]);
        let except = RecordingScope::AllExcept(vec!["AWS::EC2::Volume".into()]);
        Inventory::from(config::Inventory {
            recorders: [
                (
                    "eu-west-1".to_string(),
                    vec![recorder(true, "PENDING", all(true))],
                ),
                (
                    "eu-west-2".to_string(),
                    vec![recorder(true, "SUCCESS", all(false))],
                ),
                ("us-east-1".to_string(), vec![]),
                (
                    "us-west-2".to_string(),
                    vec![recorder(true, "FAILURE", all(true))],
                ),
                (
                    "ap-south-1".to_string(),
                    vec![recorder(false, "SUCCESS", all(true))],
                ),
                (
                    "ca-central-1".to_string(),
                    vec![recorder(true, "SUCCESS", only)],
                ),
                (
                    "sa-east-1".to_string(),
                    vec![recorder(true, "SUCCESS", except)],
                ),
            ]
            .into(),
        })
    }

    /// What Config.1 and CIS 3.3 ask beyond the check rides on the passing results.
    #[test]
    fn passing_regions_carry_the_role_and_last_status() {
        let results = run(&regions());
        let facts = |region: &str| {
            results
                .iter()
                .find(|r| r.check_id == "config.recorder_enabled" && r.region == region)
                .unwrap()
                .facts
                .clone()
        };
        assert_eq!(
            facts("eu-west-1"),
            ["recorder role not service-linked", "last status PENDING"]
        );
        assert!(facts("eu-west-2").is_empty());
        // A failing region carries none: nothing in them could pass a requirement.
        assert!(facts("us-west-2").is_empty());
    }

    pub fn cases() -> Vec<Case> {
        [
            (Status::Pass, "eu-west-1"),
            // Global types are recorded in eu-west-1: once is enough.
            (Status::Pass, "eu-west-2"),
            (Status::Fail, "us-east-1"),
            (Status::Fail, "us-west-2"),
            (Status::Fail, "ap-south-1"),
            (Status::Fail, "ca-central-1"),
            (Status::Fail, "sa-east-1"),
        ]
        .map(|(expected, region)| Case {
            check: "config.recorder_enabled",
            resource_id: "123456789012",
            expected,
            inventory: regions,
            region: Some(region),
        })
        .into()
    }

    #[test]
    fn details_say_what_is_wrong() {
        let results = run(&regions());
        let detail = |region: &str| {
            results
                .iter()
                .find(|r| r.region == region)
                .map(|r| r.detail.clone())
                .unwrap()
        };
        assert_eq!(
            detail("us-east-1"),
            "us-east-1 has no configuration recorder."
        );
        assert!(detail("us-west-2").contains("last delivery failed"));
        assert!(detail("ap-south-1").contains("stopped"));
        assert_eq!(
            detail("ca-central-1"),
            "Recorder default in ca-central-1 records only 1 resource type: AWS::S3::Bucket."
        );
        assert!(detail("sa-east-1").contains("excludes resource types: AWS::EC2::Volume"));
    }

    #[test]
    fn global_resource_types_must_be_recorded_in_one_audited_region() {
        let recorder = ConfigRecorder {
            name: "default".into(),
            recording: true,
            last_status: "SUCCESS".into(),
            scope: RecordingScope::AllSupported { global: false },
            role_arn: String::new(),
        };
        let results = run(&Inventory::from(config::Inventory {
            recorders: [("us-east-1".to_string(), vec![recorder])].into(),
        }));
        assert_eq!(results[0].status, Status::Fail);
        assert!(results[0].detail.contains("includeGlobalResourceTypes"));
    }
}
