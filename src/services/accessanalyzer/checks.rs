//! IAM Access Analyzer: an active external access analyzer in every audited region.

use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&ENABLED];

/// CIS AWS Foundations v3.0.0 1.20 ("IAM Access analyzer is enabled for all regions"), v7.0.0
/// 2.18 ("IAM External Access Analyzer"): in every region, an analyzer whose status is
/// `ACTIVE` and whose type is `ACCOUNT` or `ORGANIZATION`. An unused-access analyzer
/// (`*_UNUSED_ACCESS`, since 2023) finds no external access: alone it does not pass.
const ENABLED: Check = Check {
    id: "accessanalyzer.enabled",
    service: Service::Accessanalyzer,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "IAM Access Analyzer finds external access in every audited region",
    rationale: "An external access analyzer reports every bucket, key, role, queue, secret or snapshot shared outside the account or organization, including grants nobody meant; without one in a region, such sharing there goes unnoticed.",
    remediation: "aws accessanalyzer create-analyzer --analyzer-name external-access --type ACCOUNT in each region (ORGANIZATION from the management or delegated administrator account).",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/what-is-access-analyzer.html",
    fsbp: &[],
    cis: &["1.20"],
    triggers: &[EventTrigger {
        source: "access-analyzer.amazonaws.com",
        names: &["CreateAnalyzer", "DeleteAnalyzer"],
    }],
    reads: &[Read::all("access-analyzer:ListAnalyzers")],
    evaluate: enabled,
};

fn enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, analyzers) in &inventory.accessanalyzer.analyzers {
        let active = analyzers
            .iter()
            .find(|a| a.is_external_access() && a.status == "ACTIVE");
        let others: Vec<String> = (analyzers.iter())
            .map(|a| format!("{} ({}, {})", a.name, a.kind, a.status))
            .collect();
        verdicts.judge_account(
            region,
            active.is_some(),
            || {
                let a = active.expect("judged as passing");
                format!("Analyzer {} ({}) is ACTIVE in {region}.", a.name, a.kind)
            },
            || match others.is_empty() {
                true => format!("{region} has no IAM Access Analyzer."),
                false => format!(
                    "{region} has no active external access analyzer; it has {}.",
                    others.join(", ")
                ),
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Analyzer;
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::{accessanalyzer, Inventory};

    fn analyzer(name: &str, kind: &str, status: &str) -> Analyzer {
        Analyzer {
            name: name.into(),
            kind: kind.into(),
            status: status.into(),
        }
    }

    /// us-east-1 an active account analyzer; eu-west-1 none; ap-south-1 only unused access;
    /// us-west-2 an organization analyzer still being created.
    fn inventory() -> Inventory {
        Inventory::from(accessanalyzer::Inventory {
            analyzers: [
                ("us-east-1", vec![analyzer("external", "ACCOUNT", "ACTIVE")]),
                ("eu-west-1", vec![]),
                (
                    "ap-south-1",
                    vec![analyzer("unused", "ACCOUNT_UNUSED_ACCESS", "ACTIVE")],
                ),
                (
                    "us-west-2",
                    vec![analyzer("org", "ORGANIZATION", "CREATING")],
                ),
            ]
            .map(|(region, analyzers)| (region.to_string(), analyzers))
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("us-east-1", Status::Pass),
            ("eu-west-1", Status::Fail),
            ("ap-south-1", Status::Fail),
            ("us-west-2", Status::Fail),
        ]
        .map(|(region, expected)| Case {
            check: "accessanalyzer.enabled",
            resource_id: "123456789012",
            expected,
            inventory,
            region: Some(region),
        })
        .into()
    }

    #[test]
    fn the_detail_names_the_analyzers_that_do_not_count() {
        let results = run(&inventory());
        let unused = (results.iter())
            .find(|r| r.check_id == "accessanalyzer.enabled" && r.region == "ap-south-1")
            .unwrap();
        assert!(
            unused
                .detail
                .contains("unused (ACCOUNT_UNUSED_ACCESS, ACTIVE)"),
            "{}",
            unused.detail
        );
    }
}
