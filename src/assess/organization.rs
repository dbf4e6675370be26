//! The organization tally: the summary of many accounts (`organization.json`), built account
//! by account so that no account's results are kept once its report is written.

use super::score::ScoreTally;
use crate::model::Weights;
use crate::report::organization::{AccountEntry, OrganizationSummary};
use crate::report::{ChangeCounts, Changes, Report, Summary, SCHEMA_VERSION};

/// What one account's report adds to the summary: small enough to keep while the report itself
/// is dropped.
pub struct AccountPart {
    entry: AccountEntry,
    score: ScoreTally,
    changes: Option<ChangeCounts>,
}

impl AccountPart {
    pub fn of(name: &str, report: &Report, location: Option<String>, weights: Weights) -> Self {
        let mut score = ScoreTally::new(weights);
        for result in report.results.iter().filter(|r| r.muted.is_none()) {
            score.add(result);
        }
        AccountPart {
            entry: AccountEntry {
                account_id: report.account_id.clone(),
                name: name.to_string(),
                score: report.score.overall,
                summary: Some(report.summary),
                complete: report.complete,
                report_uri: location,
                errors: report
                    .errors
                    .iter()
                    .map(|e| format!("{} {} {}: {}", e.service, e.region, e.operation, e.code))
                    .collect(),
            },
            score,
            changes: report.changes.as_ref().map(Changes::counts),
        }
    }
}

/// Builds the summary as accounts finish.
pub struct OrganizationTally {
    run_id: String,
    started_at: String,
    accounts: Vec<AccountEntry>,
    score: ScoreTally,
    summary: Summary,
    changes: Option<ChangeCounts>,
}

impl OrganizationTally {
    pub fn new(run_id: String, started_at: String, weights: Weights) -> Self {
        OrganizationTally {
            run_id,
            started_at,
            accounts: Vec::new(),
            score: ScoreTally::new(weights),
            summary: Summary::default(),
            changes: None,
        }
    }

    /// Counts an audited account's report (written to `location`).
    pub fn add_report(&mut self, name: &str, report: &Report, location: Option<String>) {
        self.add(AccountPart::of(
            name,
            report,
            location,
            self.score.weights(),
        ));
    }

    /// Counts an account reduced to its part of the summary.
    pub fn add(&mut self, part: AccountPart) {
        self.score.merge(&part.score);
        if let Some(summary) = &part.entry.summary {
            self.summary.add(summary);
        }
        if let Some(changes) = part.changes {
            self.changes
                .get_or_insert_with(ChangeCounts::default)
                .add(&changes);
        }
        self.accounts.push(part.entry);
    }

    /// Records an account that could not be audited at all.
    pub fn add_failure(&mut self, account_id: &str, name: &str, error: String) {
        self.accounts.push(AccountEntry {
            account_id: account_id.to_string(),
            name: name.to_string(),
            score: None,
            summary: None,
            complete: false,
            report_uri: None,
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
            changes: self.changes,
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
        report.score = crate::assess::score::score(&report.results, Weights::default());
        report
    }

    #[test]
    fn the_organization_is_scored_over_every_result_and_failures_are_entries() {
        let mut tally = OrganizationTally::new("run".into(), "t0".into(), Weights::default());
        let mut prod = report("222222222222", &[(Severity::Critical, Status::Fail)]);
        prod.changes = Some(crate::report::Changes {
            new: vec!["a".into()],
            resolved: vec!["b".into(), "c".into()],
            ..Default::default()
        });
        tally.add_report("prod", &prod, Some("out/222222222222.json".into()));
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
        // Only the compared account counts; the other had no baseline.
        assert_eq!(
            summary.changes,
            Some(ChangeCounts {
                new: 1,
                resolved: 2,
                ..Default::default()
            })
        );
        let json = serde_json::to_value(&summary).unwrap();
        assert_eq!(
            json["accounts"][1]["report_uri"], "out/222222222222.json",
            "{json}"
        );
    }

    #[test]
    fn without_any_baseline_changes_are_null_and_old_summaries_still_read() {
        let mut tally = OrganizationTally::new("run".into(), "t0".into(), Weights::default());
        tally.add_report("dev", &report("111111111111", &[]), Some("a.json".into()));
        let mut json = serde_json::to_value(tally.finish("t1".into())).unwrap();
        assert_eq!(json["changes"], serde_json::Value::Null);
        let entry = json["accounts"][0].as_object_mut().unwrap();
        let uri = entry.remove("report_uri").unwrap();
        entry.insert("report".into(), uri);
        let read: OrganizationSummary = serde_json::from_value(json).unwrap();
        assert_eq!(read.accounts[0].report_uri.as_deref(), Some("a.json"));
    }
}
