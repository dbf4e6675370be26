//! AWS Security Hub: enabled in every audited region.

use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&ENABLED];

/// CIS AWS Foundations v3.0.0 4.16 (v7.0.0 5.16): DescribeHub answers with a hub in every
/// region (`InvalidAccessException` where the account is not subscribed).
const ENABLED: Check = Check {
    id: "securityhub.enabled",
    service: Service::Securityhub,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "AWS Security Hub is enabled in every audited region",
    rationale: "Security Hub gathers GuardDuty, Inspector, Macie, Config and partner findings of a region in one place and runs AWS's own controls continuously; without it each finding stays in its own console.",
    remediation: "aws securityhub enable-security-hub --enable-default-standards in each region (or from the delegated administrator with central configuration).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/securityhub-settingup.html",
    fsbp: &[],
    cis: &["4.16"],
    triggers: &[EventTrigger {
        source: "securityhub.amazonaws.com",
        names: &["EnableSecurityHub", "DisableSecurityHub"],
    }],
    reads: &[Read::all("securityhub:DescribeHub")],
    evaluate: enabled,
};

fn enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, hub) in &inventory.securityhub.hubs {
        verdicts.judge_account(
            region,
            hub.is_some(),
            || format!("Security Hub is enabled in {region}."),
            || format!("Security Hub is not enabled in {region}."),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::{securityhub, Inventory};

    fn inventory() -> Inventory {
        Inventory::from(securityhub::Inventory {
            hubs: [
                (
                    "us-east-1",
                    Some("arn:aws:securityhub:us-east-1:123456789012:hub/default".to_string()),
                ),
                ("eu-west-1", None),
            ]
            .map(|(region, hub)| (region.to_string(), hub))
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        [("us-east-1", Status::Pass), ("eu-west-1", Status::Fail)]
            .map(|(region, expected)| Case {
                check: "securityhub.enabled",
                resource_id: "123456789012",
                expected,
                inventory,
                region: Some(region),
            })
            .into()
    }
}
