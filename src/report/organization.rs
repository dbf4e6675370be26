//! The organization summary (`organization.json`, `<prefix>/organization/latest.json`): one
//! entry per account and the totals. [`crate::assess::organization`] builds it.

use serde::{Deserialize, Serialize};

use super::{ChangeCounts, Score, Summary};
use crate::compliance::FrameworkCounts;

/// One account of the organization run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountEntry {
    pub account_id: String,
    pub name: String,
    /// The account's score; null when it could not be audited or nothing was evaluated.
    pub score: Option<f64>,
    pub summary: Option<Summary>,
    pub complete: bool,
    /// Where its report was written (an `s3://` URI or a file path); null when there is none.
    /// Summaries written before this field was renamed call it `report`.
    #[serde(alias = "report")]
    pub report_uri: Option<String>,
    /// Why the account could not be audited (or what its report's errors were), one line each.
    pub errors: Vec<String>,
    /// The counts of its report's compliance views; left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compliance: Vec<FrameworkCounts>,
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
    /// The accounts' changes since their baselines, added up; null when no account's report
    /// was compared with a baseline.
    pub changes: Option<ChangeCounts>,
    /// Per framework, the organization's counts: a requirement fails if it fails in any
    /// account, passes only if it passes in every account. Left out when there are none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub compliance: Vec<FrameworkCounts>,
}

impl OrganizationSummary {
    /// The accounts that could not be audited (no report of this run).
    pub fn unaudited(&self) -> impl Iterator<Item = &AccountEntry> {
        self.accounts.iter().filter(|a| a.summary.is_none())
    }
}
