//! GuardDuty: a detector in every audited region.

use crate::model::Severity;
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&ENABLED];

/// What can create, suspend, resume or delete a region's detector.
const DETECTOR_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "guardduty.amazonaws.com",
    names: &["CreateDetector", "UpdateDetector", "DeleteDetector"],
}];

const ENABLED: Check = Check {
    id: "guardduty.enabled",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty is enabled in every audited region",
    rationale: "GuardDuty watches CloudTrail, DNS and flow logs for compromise; a region without \
                it is where an attacker mines or exfiltrates unseen.",
    remediation: "aws guardduty create-detector --enable in the region (or enable it for the \
                  organization from the delegated administrator).",
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html",
    fsbp: &["GuardDuty.1"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: &[
        Read::all("guardduty:ListDetectors"),
        Read::all("guardduty:GetDetector"),
    ],
    evaluate: enabled,
};

fn enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, status) in &inventory.guardduty.detectors {
        verdicts.judge_account(
            region,
            status.as_deref() == Some("ENABLED"),
            || format!("The GuardDuty detector in {region} is enabled."),
            || match status {
                None => format!("{region} has no GuardDuty detector."),
                Some(status) => format!("The GuardDuty detector in {region} is {status}."),
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::{guardduty, Inventory};

    fn regions() -> Inventory {
        Inventory::from(guardduty::Inventory {
            detectors: [
                ("eu-west-1".to_string(), Some("ENABLED".to_string())),
                ("us-east-1".to_string(), None),
                ("us-west-2".to_string(), Some("DISABLED".to_string())),
            ]
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            (Status::Pass, "eu-west-1"),
            (Status::Fail, "us-east-1"),
            (Status::Fail, "us-west-2"),
        ]
        .map(|(expected, region)| Case {
            check: "guardduty.enabled",
            resource_id: "123456789012",
            expected,
            inventory: regions,
            region: Some(region),
        })
        .into()
    }
}
