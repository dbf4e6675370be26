//! Amazon Macie: on in every audited region, and discovering sensitive data automatically.

use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&ENABLED, &AUTOMATED_DISCOVERY];

/// FSBP Macie.1, AWS Config rule `macie-status-check` (no parameters): NON_COMPLIANT where
/// Macie is not enabled, or is paused (status `PAUSED`).
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/macie-controls.html#macie-1>
const ENABLED: Check = Check {
    id: "macie.enabled",
    service: Service::Macie,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Amazon Macie is enabled in every audited region",
    rationale: "Macie finds and reports sensitive data (credentials, personal and financial data) in S3 buckets and the buckets that expose it; without it, nobody is told where that data sits or when a bucket holding it becomes public.",
    remediation: "aws macie2 enable-macie in each region (or from the delegated Macie administrator for every member account); aws macie2 update-macie-session --status ENABLED for a paused one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/macie-controls.html#macie-1",
    fsbp: &["Macie.1"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "macie2.amazonaws.com",
        names: &["EnableMacie", "DisableMacie", "UpdateMacieSession"],
    }],
    reads: &[Read::all("macie2:GetMacieSession")],
    evaluate: enabled,
};

/// FSBP Macie.2, AWS Config rule `macie-auto-sensitive-data-discovery-check` (no
/// parameters): NON_COMPLIANT when automated sensitive data discovery is disabled; "APPLICABLE
/// for administrator accounts and NOT_APPLICABLE for member accounts". A standalone account
/// (neither) is judged: it manages its own discovery. A region where Macie is off is
/// `macie.enabled`'s failure, not this one's.
/// <https://docs.aws.amazon.com/config/latest/developerguide/macie-auto-sensitive-data-discovery-check.html>
const AUTOMATED_DISCOVERY: Check = Check {
    id: "macie.automated_discovery",
    service: Service::Macie,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Macie discovers sensitive data automatically",
    rationale: "Without automated discovery Macie inspects only the buckets someone puts in a classification job: new buckets and new objects holding sensitive data go unseen.",
    remediation: "aws macie2 update-automated-discovery-configuration --status ENABLED in each region, from the Macie administrator account (or the standalone account).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/macie-controls.html#macie-2",
    fsbp: &["Macie.2"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "macie2.amazonaws.com",
        names: &["UpdateAutomatedDiscoveryConfiguration", "EnableMacie", "DisableMacie"],
    }],
    reads: &[
        Read::all("macie2:GetMacieSession"),
        Read::all("macie2:GetAdministratorAccount"),
        Read::all("macie2:GetAutomatedDiscoveryConfiguration"),
    ],
    evaluate: automated_discovery,
};

fn enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, session) in &inventory.macie.sessions {
        let status = session.as_ref().map(|s| s.status.as_str());
        verdicts.judge_account(
            region,
            status == Some("ENABLED"),
            || format!("Macie is enabled in {region}."),
            || match status {
                None => format!("Macie is not enabled in {region}."),
                Some(status) => format!("Macie is {status} in {region}: it runs no discovery."),
            },
        );
    }
}

fn automated_discovery(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, session) in &inventory.macie.sessions {
        // Not enabled (macie.enabled fails), a member account (out of the rule's scope), or
        // unread: no verdict.
        let Some(session) = session else { continue };
        if !session.administrator_read || session.administrator.is_some() {
            continue;
        }
        let Some(status) = &session.automated_discovery else {
            continue;
        };
        verdicts.judge_account(
            region,
            status == "ENABLED",
            || format!("Automated sensitive data discovery is ENABLED in {region}."),
            || format!("Automated sensitive data discovery is {status} in {region}."),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Session;
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::{macie, Inventory};

    fn session(
        status: &str,
        administrator: Option<&str>,
        discovery: Option<&str>,
    ) -> Option<Session> {
        Some(Session {
            status: status.into(),
            administrator: administrator.map(str::to_string),
            administrator_read: true,
            automated_discovery: discovery.map(str::to_string),
        })
    }

    /// us-east-1 on and discovering; eu-west-1 off; ap-south-1 paused, discovery off;
    /// us-west-2 a member of another account's Macie; sa-east-1 discovery unread.
    fn inventory() -> Inventory {
        Inventory::from(macie::Inventory {
            sessions: [
                ("us-east-1", session("ENABLED", None, Some("ENABLED"))),
                ("eu-west-1", None),
                ("ap-south-1", session("PAUSED", None, Some("DISABLED"))),
                (
                    "us-west-2",
                    session("ENABLED", Some("111122223333"), Some("DISABLED")),
                ),
                ("sa-east-1", session("ENABLED", None, None)),
            ]
            .map(|(region, session)| (region.to_string(), session))
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        let case = |check, region, expected| Case {
            check,
            resource_id: "123456789012",
            expected,
            inventory,
            region: Some(region),
        };
        vec![
            case("macie.enabled", "us-east-1", Status::Pass),
            case("macie.enabled", "eu-west-1", Status::Fail),
            case("macie.enabled", "ap-south-1", Status::Fail),
            case("macie.automated_discovery", "us-east-1", Status::Pass),
            case("macie.automated_discovery", "ap-south-1", Status::Fail),
        ]
    }

    #[test]
    fn members_regions_without_macie_and_unread_settings_get_no_discovery_verdict() {
        let results = run(&inventory());
        let regions: Vec<&str> = (results.iter())
            .filter(|r| r.check_id == "macie.automated_discovery")
            .map(|r| r.region.as_str())
            .collect();
        assert_eq!(regions, ["ap-south-1", "us-east-1"]);
    }
}
