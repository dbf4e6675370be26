//! The history of an account's runs (`history.json` beside its reports, or `--history FILE`):
//! one small entry per run, the last 400 runs, for the score trend the HTML page draws.

use serde::{Deserialize, Serialize};

use crate::model::SeverityCounts;
use crate::report::Report;

/// Runs kept in a history file.
pub const MAX_RUNS: usize = 400;
/// Runs the report carries for its trend chart.
pub const TREND_RUNS: usize = 30;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub run_id: String,
    pub finished_at: String,
    pub score: Option<f64>,
    pub failed_by_severity: SeverityCounts,
    pub complete: bool,
    /// `event`: a re-check of CloudTrail events merged into the latest report; absent for
    /// a full run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trigger: Option<String>,
}

impl HistoryEntry {
    pub fn of(report: &Report) -> Self {
        let event_batch = report
            .rechecks
            .last()
            .is_some_and(|recheck| recheck.run_id == report.run_id);
        HistoryEntry {
            run_id: report.run_id.clone(),
            finished_at: report.finished_at.clone(),
            score: report.score.overall,
            failed_by_severity: report.summary.failed_by_severity,
            complete: report.complete,
            trigger: event_batch.then(|| "event".to_string()),
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct History {
    pub runs: Vec<HistoryEntry>,
}

impl History {
    /// Reads a history file; `source` names it in errors.
    pub fn parse(source: &str, bytes: &[u8]) -> Result<History, String> {
        serde_json::from_slice(bytes).map_err(|e| format!("{source}: not a secaudit history: {e}"))
    }

    /// The history with `report`'s run added (once, however often it is added), oldest
    /// first, cut to the last [`MAX_RUNS`].
    pub fn with_run(mut self, report: &Report) -> History {
        self.runs.retain(|r| r.run_id != report.run_id);
        self.runs.push(HistoryEntry::of(report));
        self.runs.sort_by(|a, b| a.finished_at.cmp(&b.finished_at));
        let excess = self.runs.len().saturating_sub(MAX_RUNS);
        self.runs.drain(..excess);
        self
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut bytes = serde_json::to_vec_pretty(self).unwrap_or_default();
        bytes.push(b'\n');
        bytes
    }

    /// The last [`TREND_RUNS`] runs, for the report.
    pub fn trend(&self) -> Vec<HistoryEntry> {
        self.runs[self.runs.len().saturating_sub(TREND_RUNS)..].to_vec()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(run: usize, score: f64) -> Report {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.run_id = format!("run-{run:04}");
        report.finished_at = format!("2026-01-01T00:00:00Z-{run:04}");
        report.score.overall = Some(score);
        report
    }

    #[test]
    fn runs_are_added_once_in_order_and_cut_to_the_last_400() {
        let mut history = History::default();
        for run in 0..410 {
            history = history.with_run(&report(run, run as f64 / 10.0));
        }
        history = history.with_run(&report(409, 40.9));
        assert_eq!(history.runs.len(), MAX_RUNS);
        assert_eq!(history.runs[0].run_id, "run-0010");
        assert_eq!(history.runs.last().unwrap().run_id, "run-0409");
        let trend = history.trend();
        assert_eq!(trend.len(), TREND_RUNS);
        assert_eq!(trend[0].run_id, "run-0380");
        let again = History::parse("h.json", &history.to_json()).unwrap();
        assert_eq!(again, history);
        assert!(History::parse("h.json", b"[")
            .unwrap_err()
            .starts_with("h.json: not a secaudit history"));
    }
}
