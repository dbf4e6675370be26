//! The organization digest: one SNS message per organization run, the findings at or above the
//! threshold grouped by account and the accounts that could not be audited. It is built from
//! the accounts' reports as they stream past and from a [`DigestSummary`] the caller makes of
//! its organization summary.

use serde::Serialize;
use serde_json::json;

use super::alert::{finding_line, findings, score_text, AlertOn, Finding};
use super::fit::{largest_fitting, subject, MAX_MESSAGE_BYTES};
use super::sns::Alert;
use crate::model::{CheckResult, Severity};
use crate::report::{ChangeCounts, Report, Summary};

/// What the digest says of the organization run as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct DigestSummary<'a> {
    pub run_id: &'a str,
    pub score: Option<f64>,
    pub summary: Summary,
    pub changes: Option<ChangeCounts>,
    /// Accounts in the run, audited or not.
    pub accounts: usize,
    pub unaudited: Vec<Unaudited<'a>>,
}

/// An account of the run that could not be audited, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unaudited<'a> {
    pub account_id: &'a str,
    pub name: &'a str,
    pub errors: &'a [String],
}

/// Findings an organization digest keeps in memory while the accounts' reports stream past:
/// more than a message can list, few enough for a small function.
const DIGEST_KEPT_FINDINGS: usize = 2_000;

/// The organization's one alert per night: the findings at or above the threshold (new ones,
/// with [`AlertOn::New`]) grouped by account, and the accounts that could not be audited.
pub struct Digest {
    threshold: Severity,
    alert_on: AlertOn,
    accounts: Vec<DigestAccount>,
    kept: usize,
}

/// One account in the digest.
pub struct DigestAccount {
    account_id: String,
    name: String,
    report_uri: String,
    total: usize,
    kept: Vec<CheckResult>,
}

impl Digest {
    pub fn new(threshold: Severity, alert_on: AlertOn) -> Self {
        Digest {
            threshold,
            alert_on,
            accounts: Vec::new(),
            kept: 0,
        }
    }

    /// Counts an account's report; keeps its findings while there is room.
    pub fn add(&mut self, name: &str, report: &Report, report_uri: &str) {
        if let Some(part) = Digest::part(self.threshold, self.alert_on, name, report, report_uri) {
            self.push(part);
        }
    }

    /// An account's part of the digest, taken from its report so that the report can be
    /// dropped; `None` when it has nothing to alert on.
    pub fn part(
        threshold: Severity,
        alert_on: AlertOn,
        name: &str,
        report: &Report,
        report_uri: &str,
    ) -> Option<DigestAccount> {
        let all = findings(report, threshold, alert_on);
        (!all.is_empty()).then(|| DigestAccount {
            account_id: report.account_id.clone(),
            name: name.to_string(),
            report_uri: report_uri.to_string(),
            total: all.len(),
            kept: all
                .iter()
                .take(DIGEST_KEPT_FINDINGS)
                .map(|r| (*r).clone())
                .collect(),
        })
    }

    /// Adds an account's part, keeping its findings while there is room.
    pub fn push(&mut self, mut part: DigestAccount) {
        part.kept
            .truncate(DIGEST_KEPT_FINDINGS.saturating_sub(self.kept));
        self.kept += part.kept.len();
        self.accounts.push(part);
    }

    fn total(&self) -> usize {
        self.accounts.iter().map(|a| a.total).sum()
    }

    /// The message with the first `listed` kept findings, in account order.
    fn structure(&self, summary: &DigestSummary, summary_uri: &str, listed: usize) -> String {
        let unaudited = &summary.unaudited;
        let mut left = listed;
        let mut accounts = Vec::new();
        let mut email = format!(
            "secaudit found {} {}failed check(s) at {} severity or worse in {} account(s) of the organization.\n\
             Organization score: {} / 100 over {} account(s); {} could not be audited.\n\
             Run: {}\nSummary: {summary_uri}\n",
            self.total(),
            if self.alert_on == AlertOn::New { "new " } else { "" },
            self.threshold,
            self.accounts.len(),
            score_text(summary.score),
            summary.accounts,
            unaudited.len(),
            summary.run_id,
        );
        for account in &self.accounts {
            let shown = &account.kept[..left.min(account.kept.len())];
            left -= shown.len();
            email.push_str(&format!(
                "\n== {} {} ({} finding(s)) {}\n",
                account.account_id, account.name, account.total, account.report_uri
            ));
            for finding in shown {
                email.push_str(&finding_line(finding));
            }
            if shown.len() < account.total {
                email.push_str(&format!(
                    "    ... and {} more in the account's report.\n",
                    account.total - shown.len()
                ));
            }
            accounts.push(json!({
                "account_id": account.account_id,
                "name": account.name,
                "report_uri": account.report_uri,
                "finding_count": account.total,
                "findings": shown.iter().map(Finding::from).collect::<Vec<_>>(),
            }));
        }
        if !unaudited.is_empty() {
            email.push_str("\nNot audited:\n");
            for account in unaudited {
                email.push_str(&format!(
                    "  {} {}: {}\n",
                    account.account_id,
                    account.name,
                    account.errors.join("; ")
                ));
            }
        }
        let machine = json!({
            "kind": "organization_digest",
            "run_id": summary.run_id,
            "threshold": self.threshold,
            "alert_on": match self.alert_on { AlertOn::New => "new", AlertOn::All => "all" },
            "score": summary.score,
            "summary": summary.summary,
            "changes": summary.changes,
            "summary_uri": summary_uri,
            "finding_count": self.total(),
            "omitted_findings": self.total() - listed,
            "accounts": accounts,
            "unaudited": unaudited,
        });
        json!({"default": machine.to_string(), "email": email}).to_string()
    }

    /// The digest, or `None` when there is nothing to say: no finding, and every account audited.
    pub fn build(&self, summary: &DigestSummary, summary_uri: &str) -> Option<Alert> {
        self.build_within(summary, summary_uri, MAX_MESSAGE_BYTES)
    }

    fn build_within(
        &self,
        summary: &DigestSummary,
        summary_uri: &str,
        max_bytes: usize,
    ) -> Option<Alert> {
        let total = self.total();
        let unaudited = summary.unaudited.len();
        if total == 0 && unaudited == 0 {
            return None;
        }
        let fits = largest_fitting(self.kept, max_bytes, |listed| {
            self.structure(summary, summary_uri, listed)
        });
        let worst = self
            .accounts
            .iter()
            .filter_map(|a| a.kept.first().map(|r| r.severity))
            .max()
            .map_or("none", Severity::as_str);
        let subject = subject(format!(
            "secaudit: {total} {}{}+ finding(s) in {} account(s), {unaudited} not audited",
            if self.alert_on == AlertOn::New {
                "new "
            } else {
                ""
            },
            self.threshold,
            self.accounts.len(),
        ));
        Some(Alert {
            subject,
            message: self.structure(summary, summary_uri, fits),
            attributes: vec![
                ("kind", "String", "organization_digest".into()),
                ("severity", "String", worst.to_string()),
                ("finding_count", "Number", total.to_string()),
                ("account_count", "Number", self.accounts.len().to_string()),
            ],
            findings_total: total,
            findings_listed: fits,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::alert::tests::{report, result};
    use super::*;
    use crate::model::Status;

    #[test]
    fn the_digest_groups_new_findings_by_account_and_names_the_unaudited() {
        let mut web = report(vec![
            result(1, Severity::Critical, Status::Fail),
            result(2, Severity::High, Status::Fail),
        ]);
        web.account_id = "111111111111".into();
        let mut quiet = report(vec![result(3, Severity::Critical, Status::Pass)]);
        quiet.account_id = "222222222222".into();
        let mut digest = Digest::new(Severity::Critical, AlertOn::New);
        for (name, report) in [("web", &web), ("quiet", &quiet)] {
            digest.add(name, report, "s3://b/r.json");
        }
        let errors = vec!["AccessDenied: no role".to_string()];
        let summary = DigestSummary {
            run_id: "org-run",
            score: Some(50.0),
            summary: Summary::default(),
            changes: None,
            accounts: 3,
            unaudited: vec![Unaudited {
                account_id: "333333333333",
                name: "lab",
                errors: &errors,
            }],
        };
        let alert = digest.build(&summary, "s3://b/org.json").unwrap();
        assert_eq!((alert.findings_total, alert.findings_listed), (1, 1));
        let document: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let machine: serde_json::Value =
            serde_json::from_str(document["default"].as_str().unwrap()).unwrap();
        assert_eq!(machine["kind"], "organization_digest");
        assert_eq!(machine["accounts"].as_array().unwrap().len(), 1);
        assert_eq!(machine["accounts"][0]["account_id"], "111111111111");
        assert_eq!(
            machine["accounts"][0]["findings"][0]["resource_id"],
            "sg-00000001"
        );
        assert_eq!(
            machine["unaudited"],
            serde_json::json!([{"account_id": "333333333333", "name": "lab", "errors": ["AccessDenied: no role"]}])
        );
        let email = document["email"].as_str().unwrap();
        assert!(
            email.contains("== 111111111111 web (1 finding(s))"),
            "{email}"
        );
        assert!(
            email.contains("333333333333 lab: AccessDenied: no role"),
            "{email}"
        );
        assert!(
            email.contains(
                "Organization score: 50.0 / 100 over 3 account(s); 1 could not be audited."
            ),
            "{email}"
        );
        // Too small a message lists none but still counts them.
        let small = digest
            .build_within(&summary, "s3://b/org.json", 10)
            .unwrap();
        assert_eq!((small.findings_total, small.findings_listed), (1, 0));
        // Nothing new and everyone audited: no digest.
        let calm = DigestSummary {
            unaudited: vec![],
            ..summary
        };
        let mut none = Digest::new(Severity::Critical, AlertOn::New);
        none.add("quiet", &quiet, "s3://b/r.json");
        assert!(none.build(&calm, "u").is_none());
    }
}
