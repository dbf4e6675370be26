//! The organization tally: the summary of many accounts (`organization.json`), built account
//! by account so that no account's results are kept once its report is written.

use std::collections::BTreeMap;

use super::score::ScoreTally;
use crate::compliance::{combine, FrameworkCounts, RequirementStatus, StatusCounts};
use crate::model::Weights;
use crate::report::organization::{AccountEntry, OrganizationSummary};
use crate::report::{ChangeCounts, Changes, Report, Summary, SCHEMA_VERSION};

/// What one account's report adds to the summary: small enough to keep while the report itself
/// is dropped.
pub struct AccountPart {
    entry: AccountEntry,
    score: ScoreTally,
    changes: Option<ChangeCounts>,
    /// Each compliance view's requirement statuses, in the framework's order.
    compliance: Vec<(String, Vec<RequirementStatus>)>,
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
                compliance: report
                    .compliance
                    .iter()
                    .map(|view| FrameworkCounts::new(&view.framework, view.counts))
                    .collect(),
            },
            score,
            changes: report.changes.as_ref().map(Changes::counts),
            compliance: report
                .compliance
                .iter()
                .map(|view| {
                    let statuses = view.requirements.iter().map(|r| r.status).collect();
                    (view.framework.clone(), statuses)
                })
                .collect(),
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
    /// Per framework, the combined statuses and how many accounts' views made them.
    compliance: BTreeMap<String, (Vec<RequirementStatus>, usize)>,
    /// Accounts audited, and whether one could not be: nothing passes everywhere then.
    audited: usize,
    unaudited: bool,
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
            compliance: BTreeMap::new(),
            audited: 0,
            unaudited: false,
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
        self.audited += 1;
        for (framework, statuses) in part.compliance {
            match self.compliance.get_mut(&framework) {
                // The same framework data for every account of one run: same length.
                Some((organization, accounts)) if organization.len() == statuses.len() => {
                    for (org, account) in organization.iter_mut().zip(statuses) {
                        *org = combine(*org, account);
                    }
                    *accounts += 1;
                }
                Some((organization, _)) => {
                    // Not comparable requirement by requirement: nothing passes for sure.
                    for org in organization.iter_mut() {
                        *org = combine(*org, RequirementStatus::NotEvaluated);
                    }
                }
                None => {
                    self.compliance.insert(framework, (statuses, 1));
                }
            }
        }
        self.accounts.push(part.entry);
    }

    /// Records an account that could not be audited at all.
    pub fn add_failure(&mut self, account_id: &str, name: &str, error: String) {
        self.unaudited = true;
        self.accounts.push(AccountEntry {
            account_id: account_id.to_string(),
            name: name.to_string(),
            score: None,
            summary: None,
            complete: false,
            report_uri: None,
            errors: vec![error],
            compliance: Vec::new(),
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
            compliance: self
                .compliance
                .iter()
                .map(|(framework, (statuses, accounts))| {
                    // An account without this view, or not audited at all, judged nothing.
                    let everywhere = !self.unaudited && *accounts == self.audited;
                    let statuses = statuses.iter().map(|s| match s {
                        RequirementStatus::Pass if !everywhere => RequirementStatus::NotEvaluated,
                        other => *other,
                    });
                    FrameworkCounts::new(framework, StatusCounts::of(statuses))
                })
                .collect(),
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

    fn with_view(mut report: Report, statuses: &[RequirementStatus]) -> Report {
        use crate::compliance::{FrameworkView, RequirementView};
        let requirements: Vec<RequirementView> = statuses
            .iter()
            .enumerate()
            .map(|(i, status)| RequirementView {
                id: format!("{i}"),
                title: String::new(),
                status: *status,
                accepted: false,
                checks: vec![],
                results: vec![],
                failed: 0,
                reason: None,
            })
            .collect();
        let counts = StatusCounts::of(statuses.iter().copied());
        report.compliance = vec![FrameworkView {
            framework: "cis-aws-3.0".into(),
            name: String::new(),
            version: String::new(),
            counts,
            coverage: counts.coverage(),
            automated_coverage: None,
            score: counts.score(),
            requirements,
        }];
        report
    }

    #[test]
    fn the_organization_fails_a_requirement_failed_anywhere_and_passes_one_passed_everywhere() {
        use RequirementStatus::{Fail, NotCovered, NotEvaluated, Pass};
        let mut tally = OrganizationTally::new("run".into(), "t0".into(), Weights::default());
        let a = with_view(report("111111111111", &[]), &[Pass, Pass, Pass, NotCovered]);
        let b = with_view(
            report("222222222222", &[]),
            &[Fail, Pass, NotEvaluated, NotCovered],
        );
        tally.add_report("a", &a, None);
        tally.add_report("b", &b, None);
        let summary = tally.finish("t1".into());
        assert_eq!(summary.accounts[1].compliance[0].counts.fail, 1);
        let org = &summary.compliance[0];
        assert_eq!(org.framework, "cis-aws-3.0");
        assert_eq!(
            org.counts,
            StatusCounts {
                pass: 1,
                fail: 1,
                not_evaluated: 1,
                not_covered: 1
            }
        );
        assert_eq!(org.score, Some(50.0));

        // An account that could not be audited: nothing passes everywhere.
        let mut tally = OrganizationTally::new("run".into(), "t0".into(), Weights::default());
        tally.add_report("a", &a, None);
        tally.add_failure("333333333333", "c", "denied".into());
        let counts = tally.finish("t1".into()).compliance[0].counts;
        assert_eq!((counts.pass, counts.not_evaluated), (0, 3));
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
