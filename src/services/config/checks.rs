//! AWS Config: a recorder recording in every audited region.

use crate::services::checks::{Check, Verdicts};
use crate::services::Inventory;
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::model::Severity;
use crate::services::checks::CheckOptions;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&RECORDER_ENABLED];

const RECORDER_ENABLED: Check = Check {
    id: "config.recorder_enabled",
    service: Service::Config,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "AWS Config records configuration changes in every audited region",
    rationale: "Config is the history of every resource's configuration: what changed, when, \\
                and what it looked like before an incident.",
    remediation: "Set up a configuration recorder and delivery channel (aws configservice \\
                  put-configuration-recorder, put-delivery-channel, \\
                  start-configuration-recorder).",
    reference: "https://docs.aws.amazon.com/config/latest/developerguide/stop-start-recorder.html",
    fsbp: &["Config.1"],
    cis: &["3.3"],
    evaluate: recorder_enabled,
};

fn recorder_enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, recorders) in &inventory.config.recorders {
        let working = recorders
            .iter()
            .find(|r| r.recording && r.last_status != "FAILURE");
        verdicts.judge_account(
            region,
            working.is_some(),
            || {
                let recorder = working.expect("judged passing only with a working recorder");
                format!("Recorder {} is recording in {region}.", recorder.name)
            },
            || match recorders.as_slice() {
                [] => format!("{region} has no configuration recorder."),
                [recorder, ..] if recorder.recording => format!(
                    "Recorder {} in {region} is recording but its last delivery failed.",
                    recorder.name
                ),
                [recorder, ..] => format!("Recorder {} in {region} is stopped.", recorder.name),
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::services::checks::test_support::{run, Case};
    use super::super::ConfigRecorder;
    use crate::services::{config, Inventory};
    use crate::model::Status;

    fn regions() -> Inventory {
        let recorder = |recording, status: &str| ConfigRecorder {
            name: "default".into(),
            recording,
            last_status: status.into(),
        };
        Inventory::from(config::Inventory { recorders: [
                ("eu-west-1".to_string(), vec![recorder(true, "PENDING")]),
                ("us-east-1".to_string(), vec![]),
                ("us-west-2".to_string(), vec![recorder(true, "FAILURE")]),
                ("ap-south-1".to_string(), vec![recorder(false, "SUCCESS")]),
            ]
            .into() })
    }

    pub fn cases() -> Vec<Case> {
        [
            (Status::Pass, "eu-west-1"),
            (Status::Fail, "us-east-1"),
            (Status::Fail, "us-west-2"),
            (Status::Fail, "ap-south-1"),
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
    }
}
