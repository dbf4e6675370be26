//! Many accounts: the organization summary (`organization.json`), built account by account so
//! that no account's results are kept once its report is written.

use serde::{Deserialize, Serialize};

use crate::model::Weights;
use crate::report::{Report, Summary, SCHEMA_VERSION};
use crate::score::{Score, ScoreTally};

/// One account of the organization run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub account_id: String,
    pub name: String,
    /// The account's score; null when it could not be audited or nothing was evaluated.
    pub score: Option<f64>,
    pub summary: Option<Summary>,
    pub complete: bool,
    /// Where its report was written; null when there is none.
    pub report: Option<String>,
    /// Why the account could not be audited (or what its report's errors were), one line each.
    pub errors: Vec<String>,
}

/// `organization.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrganizationSummary {
    pub schema_version: u32,
    pub run_id: String,
    pub started_at: String,
    pub finished_at: String,
    pub accounts: Vec<AccountEntry>,
    /// The same weighting over every account's results.
    pub score: Score,
    pub summary: Summary,
    /// Null: per-account baselines are not compared in an organization run yet.
    pub changes: Option<()>,
}

/// Builds the summary as accounts finish.
pub struct OrganizationTally {
    run_id: String,
    started_at: String,
    accounts: Vec<AccountEntry>,
    score: ScoreTally,
    summary: Summary,
}

impl OrganizationTally {
    pub fn new(run_id: String, started_at: String, weights: Weights) -> Self {
        OrganizationTally {
            run_id,
            started_at,
            accounts: Vec::new(),
            score: ScoreTally::new(weights),
            summary: Summary::default(),
        }
    }

    /// Counts an audited account's report (written to `location`).
    pub fn add_report(&mut self, name: &str, report: &Report, location: Option<String>) {
        for result in report.results.iter().filter(|r| r.muted.is_none()) {
            self.score.add(result);
        }
        self.summary.add(&report.summary);
        self.accounts.push(AccountEntry {
            account_id: report.account_id.clone(),
            name: name.to_string(),
            score: report.score.overall,
            summary: Some(report.summary),
            complete: report.complete,
            report: location,
            errors: report
                .errors
                .iter()
                .map(|e| format!("{} {} {}: {}", e.service, e.region, e.operation, e.code))
                .collect(),
        });
    }

    /// Records an account that could not be audited at all.
    pub fn add_failure(&mut self, account_id: &str, name: &str, error: String) {
        self.accounts.push(AccountEntry {
            account_id: account_id.to_string(),
            name: name.to_string(),
            score: None,
            summary: None,
            complete: false,
            report: None,
            errors: vec![error],
        });
    }

    pub fn finish(mut self, finished_at: String) -> OrganizationSummary {
        self.accounts
            .sort_by(|a, b| a.account_id.cmp(&b.account_id));
        OrganizationSummary {
            schema_version: SCHEMA_VERSION,
            run_id: self.run_id,
            started_at: self.started_at,
            finished_at,
            accounts: self.accounts,
            score: self.score.score(),
            summary: self.summary,
            changes: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Severity, Status};

    fn report(account: &str, statuses: &[(Severity, Status)]) -> Report {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.account_id = account.into();
        report.results = statuses
            .iter()
            .map(|(severity, status)| CheckResult::example("s3.versioning", "", *severity, *status))
            .collect();
        report.summary = Summary::of(&report.results);
        report.score = crate::score::score(&report.results, Weights::default());
        report
    }

    #[test]
    fn the_organization_is_scored_over_every_result_and_failures_are_entries() {
        let mut tally = OrganizationTally::new("run".into(), "t0".into(), Weights::default());
        tally.add_report(
            "prod",
            &report("222222222222", &[(Severity::Critical, Status::Fail)]),
            Some("out/222222222222.json".into()),
        );
        tally.add_report(
            "dev",
            &report(
                "111111111111",
                &[
                    (Severity::Critical, Status::Pass),
                    (Severity::Low, Status::Pass),
                ],
            ),
            None,
        );
        tally.add_failure("333333333333", "lab", "AccessDenied: no role".into());
        let summary = tally.finish("t1".into());
        // passed 10 + 1 of 10 + 10 + 1 = 11 / 21
        assert_eq!(summary.score.overall, Some(52.4));
        assert_eq!(summary.summary.evaluated, 3);
        assert_eq!(summary.summary.failed_by_severity.critical, 1);
        let ids: Vec<_> = summary
            .accounts
            .iter()
            .map(|a| a.account_id.as_str())
            .collect();
        assert_eq!(ids, ["111111111111", "222222222222", "333333333333"]);
        assert!(!summary.accounts[2].complete && summary.accounts[2].score.is_none());
    }
}
