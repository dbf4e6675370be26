//! The report: schema version 1 of DESIGN.md. Fields are only ever added; anything else bumps
//! [`SCHEMA_VERSION`].

pub mod history;
pub mod organization;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::exposures::{Exposure, ExposureChanges};
use crate::model::{ApiCalls, AuditError, CheckResult, Severity, SeverityCounts, Status, Weights};

pub const SCHEMA_VERSION: u32 = 1;

/// The severity-weighted score (computed by [`crate::assess::score`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// 0–100 with one decimal; `None` (JSON null) when nothing was evaluated.
    pub overall: Option<f64>,
    pub by_service: BTreeMap<String, Option<f64>>,
    pub weights: Weights,
}

/// A rule as the report names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleRef {
    pub rule: usize,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: String,
}

/// What the mutelist did in one run (the report's `mutelist`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutelistSummary {
    pub source: String,
    /// How many rules the file has.
    pub rules: usize,
    /// Rules past their expiry: they muted nothing.
    pub expired_rules: Vec<RuleRef>,
    /// Rules in force that matched no failed result this run: stale suppressions hide real
    /// exposures when the resource they named comes back.
    pub unused_rules: Vec<RuleRef>,
}

/// Counts of one report: `evaluated` = `passed` + `failed` + `muted`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub evaluated: usize,
    pub passed: usize,
    /// Failed results no mutelist rule accepts.
    pub failed: usize,
    pub failed_by_severity: SeverityCounts,
    /// Failed results a mutelist rule accepts.
    #[serde(default)]
    pub muted: usize,
}

impl Summary {
    /// Adds another report's counts (an organization's summary).
    pub fn add(&mut self, other: &Summary) {
        self.evaluated += other.evaluated;
        self.passed += other.passed;
        self.failed += other.failed;
        self.muted += other.muted;
        let (mine, theirs) = (&mut self.failed_by_severity, &other.failed_by_severity);
        mine.critical += theirs.critical;
        mine.high += theirs.high;
        mine.medium += theirs.medium;
        mine.low += theirs.low;
    }

    pub fn of(results: &[CheckResult]) -> Self {
        let mut summary = Summary {
            evaluated: results.len(),
            ..Summary::default()
        };
        for result in results {
            match result.status {
                Status::Pass => summary.passed += 1,
                Status::Fail if result.muted.is_some() => summary.muted += 1,
                Status::Fail => {
                    summary.failed += 1;
                    summary.failed_by_severity.increment(result.severity);
                }
            }
        }
        summary
    }
}

/// How one check fared across its resources.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CheckCounts<'a> {
    pub check_id: &'a str,
    pub passed: usize,
    pub failed: usize,
}

/// The report a run was compared against.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BaselineRef {
    pub run_id: String,
    pub finished_at: String,
}

/// What changed since the baseline, as result ids. Only what both runs evaluated is compared.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Changes {
    /// Failing now, not failing in the baseline.
    pub new: Vec<String>,
    /// Failing in the baseline; now passing, or the resource no longer exists.
    pub resolved: Vec<String>,
    /// Failing in both.
    pub persisting: Vec<String>,
    /// Failing in the baseline, not evaluated now (an error, the deadline, a narrower scope):
    /// neither resolved nor new. Kept in `carried_findings` for the next run.
    pub unverified: Vec<String>,
    /// Exposures that appeared or were broken since the baseline (older reports lack it).
    #[serde(default)]
    pub exposures: ExposureChanges,
}

/// How many results changed since a baseline (or several, added up), by kind of [`Changes`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangeCounts {
    pub new: usize,
    pub resolved: usize,
    pub persisting: usize,
    pub unverified: usize,
}

impl ChangeCounts {
    pub fn add(&mut self, other: &ChangeCounts) {
        self.new += other.new;
        self.resolved += other.resolved;
        self.persisting += other.persisting;
        self.unverified += other.unverified;
    }
}

impl Changes {
    pub fn counts(&self) -> ChangeCounts {
        ChangeCounts {
            new: self.new.len(),
            resolved: self.resolved.len(),
            persisting: self.persisting.len(),
            unverified: self.unverified.len(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub schema_version: u32,
    pub run_id: String,
    pub account_id: String,
    pub regions: Vec<String>,
    /// The environment filter's value, or null for the whole account.
    pub environment: Option<String>,
    /// The tag key the environment filter matched on (null without a filter).
    pub environment_tag_key: Option<String>,
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    /// False when any collection error (or a deadline) left something unevaluated.
    pub complete: bool,
    pub score: Score,
    pub summary: Summary,
    pub results: Vec<CheckResult>,
    /// The failed results that add up to a way in, most severe first (older reports lack it).
    #[serde(default)]
    pub exposures: Vec<Exposure>,
    pub errors: Vec<AuditError>,
    pub api_calls: ApiCalls,
    /// The services audited (older reports lack it: read as every service).
    #[serde(default)]
    pub services: Vec<String>,
    #[serde(default)]
    pub baseline: Option<BaselineRef>,
    #[serde(default)]
    pub changes: Option<Changes>,
    /// The baseline's failed findings this run could not re-evaluate, as last seen, with their
    /// `first_seen`: the next run compares against them as if they were in `results`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub carried_findings: Vec<CheckResult>,
    #[serde(default)]
    pub mutelist: Option<MutelistSummary>,
    /// The account's last runs, this one included, from its history (`--history`, or
    /// `history.json` beside the Lambda's reports): the score trend. Left out when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub trend: Vec<history::HistoryEntry>,
    /// Compliance views asked for (`--compliance`), one per framework. Left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compliance: Vec<crate::compliance::FrameworkView>,
    /// The event-driven re-checks merged into this report since its full run, oldest first
    /// (a full run keeps those that read after it started). Left out when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rechecks: Vec<Recheck>,
}

impl Report {
    /// What compliance views judge this report on.
    pub fn evidence(&self) -> crate::compliance::Evidence<'_> {
        crate::compliance::Evidence {
            results: &self.results,
            services: &self.services,
            errors: &self.errors,
            environment_filtered: self.environment.is_some(),
        }
    }
}

/// One batch of CloudTrail events re-checked and merged into `latest.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recheck {
    pub run_id: String,
    /// When the re-read started (RFC 3339): a full run that started earlier keeps this
    /// batch's verdicts for what it re-read.
    pub started_at: String,
    /// What was re-read.
    pub scopes: Vec<RecheckScope>,
    /// The events that caused it (the batch's first ones, when there were many).
    pub events: Vec<EventRef>,
    /// Events of the batch, all counted.
    pub event_count: usize,
    pub api_calls: u64,
}

/// What one re-check read of a service in a region: the resources named, or all of them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RecheckScope {
    pub service: String,
    /// The region, or `global` for an account-wide service.
    pub region: String,
    /// `None`: the whole service in the region (the event named no resource it can read alone).
    pub resources: Option<Vec<String>>,
}

impl RecheckScope {
    /// Whether `result` is about what this scope re-read. A whole service's read also covers
    /// its account-wide (`global`) results, such as CloudTrail's multi-region verdict.
    pub fn covers(&self, result: &CheckResult) -> bool {
        result.service == self.service
            && (self.region == "global"
                || self.region == result.region
                || (self.resources.is_none() && result.region == "global"))
            && self
                .resources
                .as_ref()
                .is_none_or(|ids| ids.contains(&result.resource_id))
    }
}

/// An API call as an alert and the report name it: what, where, by whom, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    pub event_name: String,
    pub event_source: String,
    pub region: String,
    pub time: String,
    pub caller: String,
    pub source_ip: Option<String>,
    pub event_id: Option<String>,
    /// The resources it named that a collector reads alone (group ids, bucket names).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub resources: Vec<String>,
}

impl Report {
    pub fn failed(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.status == Status::Fail)
    }

    /// Passed and failed results per check, in report order (results are sorted by check).
    pub fn counts_by_check(&self) -> Vec<CheckCounts<'_>> {
        let mut counts: Vec<CheckCounts> = Vec::new();
        for result in &self.results {
            if counts.last().is_none_or(|c| c.check_id != result.check_id) {
                counts.push(CheckCounts {
                    check_id: &result.check_id,
                    passed: 0,
                    failed: 0,
                });
            }
            if let Some(last) = counts.last_mut() {
                match result.status {
                    Status::Pass => last.passed += 1,
                    Status::Fail => last.failed += 1,
                }
            }
        }
        counts
    }

    /// Failed results no mutelist rule accepts.
    pub fn open(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.is_open())
    }

    /// Open results that are new since the baseline; every open result without a baseline.
    pub fn new_open(&self) -> impl Iterator<Item = &CheckResult> {
        let new: Option<std::collections::HashSet<&str>> = self
            .changes
            .as_ref()
            .map(|c| c.new.iter().map(String::as_str).collect());
        self.open()
            .filter(move |r| new.as_ref().is_none_or(|new| new.contains(r.id.as_str())))
    }

    /// Whether any open result is `threshold` or worse (the CLI's `--fail-on`).
    pub fn has_failure_at_least(&self, threshold: Severity) -> bool {
        self.open().any(|r| r.severity.is_at_least(threshold))
    }
}

/// Why a saved report could not be used (as a baseline, or for `diff` and `render`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReportReadError {
    #[error("{origin}: not a secaudit report: {problem}")]
    Unparseable { origin: String, problem: String },
    #[error("{origin}: schema_version {found} is newer than this secaudit understands ({SCHEMA_VERSION}); upgrade secaudit")]
    NewerSchema { origin: String, found: u64 },
    #[error("{origin}: a report of account {found}, not of account {expected}")]
    OtherAccount {
        origin: String,
        found: String,
        expected: String,
    },
}

/// Reads a saved JSON report; `source` (a path or URI) names it in errors.
pub fn read_report(source: &str, bytes: &[u8]) -> Result<Report, ReportReadError> {
    let unparseable = |problem: String| ReportReadError::Unparseable {
        origin: source.to_string(),
        problem,
    };
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| unparseable(e.to_string()))?;
    match value
        .get("schema_version")
        .and_then(serde_json::Value::as_u64)
    {
        Some(found) if found > u64::from(SCHEMA_VERSION) => {
            return Err(ReportReadError::NewerSchema {
                origin: source.to_string(),
                found,
            })
        }
        Some(_) => {}
        None => return Err(unparseable("no schema_version".into())),
    }
    serde_json::from_value(value).map_err(|e| unparseable(e.to_string()))
}

/// Reads a saved report that must be `account_id`'s (its baseline, or its report of a run).
pub fn read_account_report(
    source: &str,
    account_id: &str,
    bytes: &[u8],
) -> Result<Report, ReportReadError> {
    read_report(source, bytes)
        .and_then(|report| report.ensure_account(source, account_id).map(|()| report))
}

impl Report {
    /// Refuses a report of another account (a baseline must be the same account's).
    pub fn ensure_account(&self, source: &str, expected: &str) -> Result<(), ReportReadError> {
        if self.account_id == expected {
            Ok(())
        } else {
            Err(ReportReadError::OtherAccount {
                origin: source.to_string(),
                found: self.account_id.clone(),
                expected: expected.to_string(),
            })
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    /// The smallest valid report of schema version 1, as JSON.
    pub fn minimal_report() -> serde_json::Value {
        serde_json::json!({
            "schema_version": 1, "run_id": "01a2-run", "account_id": "123456789012",
            "regions": ["us-east-1"], "environment": null, "environment_tag_key": null,
            "started_at": "2026-03-07T23:59:59Z", "finished_at": "2026-03-08T00:00:01Z",
            "duration_ms": 2000, "complete": true,
            "score": {"overall": null, "by_service": {}, "weights": {"critical": 10.0, "high": 5.0, "medium": 2.0, "low": 1.0}},
            "summary": {"evaluated": 0, "passed": 0, "failed": 0, "failed_by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0}},
            "results": [], "errors": [], "api_calls": {"total": 0, "retries": 0, "by_service": {}, "by_operation": {}}
        })
    }
}

#[cfg(test)]
mod read_tests {
    use super::*;

    #[test]
    fn saved_reports_are_read_and_refused_with_their_source_named() {
        let minimal = tests::minimal_report();
        let bytes = serde_json::to_vec(&minimal).unwrap();
        let report = read_report("old.json", &bytes).unwrap();
        assert_eq!(report.run_id, "01a2-run");
        // Fields added later default: an older report is still a baseline.
        assert!(report.changes.is_none() && report.carried_findings.is_empty());
        assert_eq!(
            report
                .ensure_account("old.json", "999999999999")
                .unwrap_err()
                .to_string(),
            "old.json: a report of account 123456789012, not of account 999999999999"
        );
        let mut newer = minimal.clone();
        newer["schema_version"] = 2.into();
        assert_eq!(
            read_report("new.json", &serde_json::to_vec(&newer).unwrap())
                .unwrap_err()
                .to_string(),
            "new.json: schema_version 2 is newer than this secaudit understands (1); upgrade secaudit"
        );
        let garbage = read_report("x.json", b"{not json").unwrap_err().to_string();
        assert!(
            garbage.starts_with("x.json: not a secaudit report: "),
            "{garbage}"
        );
        let other = read_report("y.json", b"{\"hello\": 1}")
            .unwrap_err()
            .to_string();
        assert_eq!(other, "y.json: not a secaudit report: no schema_version");
    }
}
