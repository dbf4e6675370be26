//! The report: schema version 1 of DESIGN.md. Fields are only ever added; anything else bumps
//! [`SCHEMA_VERSION`].

use serde::{Deserialize, Serialize};

pub use crate::model::{ApiCalls, AuditError, CheckResult, Severity, SeverityCounts, Status};
use crate::score::Score;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub evaluated: usize,
    pub passed: usize,
    pub failed: usize,
    pub failed_by_severity: SeverityCounts,
}

impl Summary {
    pub fn of(results: &[CheckResult]) -> Self {
        let mut summary = Summary {
            evaluated: results.len(),
            ..Summary::default()
        };
        for result in results {
            match result.status {
                Status::Pass => summary.passed += 1,
                Status::Fail => {
                    summary.failed += 1;
                    summary.failed_by_severity.increment(result.severity);
                }
            }
        }
        summary
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
    pub errors: Vec<AuditError>,
    pub api_calls: ApiCalls,
}

impl Report {
    pub fn failed(&self) -> impl Iterator<Item = &CheckResult> {
        self.results.iter().filter(|r| r.status == Status::Fail)
    }

    /// Whether any failed result is `threshold` or worse (the CLI's `--fail-on`).
    pub fn has_failure_at_least(&self, threshold: Severity) -> bool {
        self.failed().any(|r| r.severity.is_at_least(threshold))
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
