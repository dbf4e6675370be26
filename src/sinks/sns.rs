//! The alert: one SNS message per run when failed results at or above the threshold exist.
//!
//! It uses SNS's per-protocol message structure: readable text for email subscribers and a
//! JSON document for everything else (SQS, Lambda, HTTPS). Message attributes (severity,
//! account_id, score, finding_count) let subscribers filter. The whole message stays within
//! SNS's 256 KB: when the findings do not fit, the alert lists what fits and says how many
//! more are in the report.

use aws_sdk_sns::types::MessageAttributeValue;
use serde::Serialize;
use serde_json::json;

use futures::future::BoxFuture;

use super::{Delivered, Delivery, DeliveryError};
use crate::aws::describe_sdk_error;
use crate::report::{CheckResult, Report, Severity, Summary};

/// SNS's limit is 262,144 bytes for the message and its attributes together; keep a margin
/// for the attributes and the subject.
pub const MAX_MESSAGE_BYTES: usize = 256 * 1024 - 6 * 1024;
/// SNS subjects must be shorter than 100 characters.
const MAX_SUBJECT_CHARS: usize = 99;

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub subject: String,
    /// The `MessageStructure=json` document: `default` (JSON) and `email` (text).
    pub message: String,
    pub attributes: Vec<(&'static str, &'static str, String)>,
    pub findings_total: usize,
    pub findings_listed: usize,
}

#[derive(Serialize)]
struct Finding<'a> {
    check_id: &'a str,
    severity: Severity,
    resource_type: &'a str,
    resource_id: &'a str,
    resource_arn: Option<&'a str>,
    region: &'a str,
    title: &'a str,
    detail: &'a str,
}

impl<'a> From<&'a CheckResult> for Finding<'a> {
    fn from(r: &'a CheckResult) -> Self {
        Finding {
            check_id: &r.check_id,
            severity: r.severity,
            resource_type: &r.resource_type,
            resource_id: &r.resource_id,
            resource_arn: r.resource_arn.as_deref(),
            region: &r.region,
            title: &r.title,
            detail: &r.detail,
        }
    }
}

/// Which failed results an alert is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlertOn {
    /// Only findings new since the baseline (every finding when there is none: a first run).
    New,
    All,
}

/// What the alert says besides the findings: the comparison's counts, and why it may be less
/// than usual (no comparison possible, a mutelist ignored).
struct Context {
    alert_on: AlertOn,
    new_count: Option<usize>,
    resolved_count: Option<usize>,
    open_count: usize,
    notes: Vec<String>,
}

impl Context {
    fn of(report: &Report, threshold: Severity, alert_on: AlertOn) -> Self {
        let at_threshold = |r: &&CheckResult| r.severity.is_at_least(threshold);
        let notes = report
            .errors
            .iter()
            .filter_map(|e| match e.operation.as_str() {
                "ReadBaseline" => Some(format!(
                    "Could not compare with the previous report ({}): {}; every open finding is listed.",
                    e.code, e.message
                )),
                "ReadMutelist" => Some(format!(
                    "The mutelist was ignored ({}): {}; nothing is muted.",
                    e.code, e.message
                )),
                _ => None,
            })
            .collect();
        Context {
            alert_on,
            new_count: report
                .changes
                .as_ref()
                .map(|_| report.new_open().filter(at_threshold).count()),
            resolved_count: report.changes.as_ref().map(|c| c.resolved.len()),
            open_count: report.open().filter(at_threshold).count(),
            notes,
        }
    }
}

/// The open (unmuted) failed results the alert is about, at or above `threshold`, most severe
/// first.
fn findings(report: &Report, threshold: Severity, alert_on: AlertOn) -> Vec<&CheckResult> {
    let candidates: Vec<&CheckResult> = match alert_on {
        AlertOn::New => report.new_open().collect(),
        AlertOn::All => report.open().collect(),
    };
    let mut findings: Vec<&CheckResult> = candidates
        .into_iter()
        .filter(|r| r.severity.is_at_least(threshold))
        .collect();
    findings.sort_by_key(|r| Severity::ALL.iter().position(|s| *s == r.severity));
    findings
}

/// A finding in an email: `[CRITICAL] check - type id (region)`, then its detail.
fn finding_line(finding: &CheckResult) -> String {
    format!(
        "[{}] {} - {} {} ({})\n    {}\n",
        finding.severity.as_str().to_uppercase(),
        finding.check_id,
        finding.resource_type,
        finding.resource_id,
        finding.region,
        finding.detail
    )
}

fn score_text(score: Option<f64>) -> String {
    score.map_or("n/a".into(), |s| format!("{s:.1}"))
}

fn text(
    report: &Report,
    threshold: Severity,
    uri: &str,
    listed: &[&CheckResult],
    total: usize,
    context: &Context,
) -> String {
    let s: &Summary = &report.summary;
    let counts = &s.failed_by_severity;
    let headline = match (context.alert_on, context.new_count) {
        (AlertOn::New, Some(_)) => format!(
            "secaudit found {total} new failed check(s) at {threshold} severity or worse in AWS account {}.\n\
             Since the last run: {} still open at {threshold} or worse, {} resolved.\n",
            report.account_id,
            context.open_count,
            context.resolved_count.unwrap_or(0)
        ),
        _ => format!(
            "secaudit found {total} failed check(s) at {threshold} severity or worse in AWS account {}.\n",
            report.account_id
        ),
    };
    let mut out = headline;
    for note in &context.notes {
        out.push_str(note);
        out.push('\n');
    }
    out.push_str(&format!(
        "\n\
         Score: {} / 100 (evaluated {}, failed {}: critical {}, high {}, medium {}, low {})\n\
         Regions: {}\nRun: {}{}\nFull report: {uri}\n\n",
        score_text(report.score.overall),
        s.evaluated,
        s.failed,
        counts.critical,
        counts.high,
        counts.medium,
        counts.low,
        report.regions.join(", "),
        report.run_id,
        if report.complete {
            String::new()
        } else {
            format!(
                " (INCOMPLETE: {} error(s), see the report)",
                report.errors.len()
            )
        },
    ));
    for finding in listed {
        out.push_str(&finding_line(finding));
    }
    if listed.len() < total {
        out.push_str(&format!(
            "\n... and {} more in the full report.\n",
            total - listed.len()
        ));
    }
    out
}

fn structure(
    report: &Report,
    threshold: Severity,
    uri: &str,
    all: &[&CheckResult],
    listed: usize,
    context: &Context,
) -> String {
    let shown = &all[..listed];
    let machine = json!({
        "run_id": report.run_id,
        "account_id": report.account_id,
        "regions": report.regions,
        "threshold": threshold,
        "score": report.score.overall,
        "summary": report.summary,
        "complete": report.complete,
        "report_uri": uri,
        "alert_on": match context.alert_on { AlertOn::New => "new", AlertOn::All => "all" },
        "findings": shown.iter().map(|r| Finding::from(*r)).collect::<Vec<_>>(),
        "omitted_findings": all.len() - listed,
        "new_findings": context.new_count,
        "resolved_count": context.resolved_count,
        "open_count": context.open_count,
        "notes": context.notes,
    });
    json!({
        "default": machine.to_string(),
        "email": text(report, threshold, uri, shown, all.len(), context),
    })
    .to_string()
}

/// The alert for a report, or `None` when there is nothing to say: no open finding at or above
/// `threshold` (with [`AlertOn::New`], no new one), and no problem with the baseline or the
/// mutelist to report.
pub fn build_alert(
    report: &Report,
    threshold: Severity,
    alert_on: AlertOn,
    report_uri: &str,
) -> Option<Alert> {
    build_alert_within(report, threshold, alert_on, report_uri, MAX_MESSAGE_BYTES)
}

fn build_alert_within(
    report: &Report,
    threshold: Severity,
    alert_on: AlertOn,
    uri: &str,
    max_bytes: usize,
) -> Option<Alert> {
    let all = findings(report, threshold, alert_on);
    let context = Context::of(report, threshold, alert_on);
    if all.is_empty() && context.notes.is_empty() {
        return None;
    }
    let worst = all.first().map_or("none", |r| r.severity.as_str());
    // The largest number of findings whose message fits: binary search over the count.
    let (mut fits, mut too_many) = (0, all.len() + 1);
    while fits + 1 < too_many {
        let middle = (fits + too_many) / 2;
        if structure(report, threshold, uri, &all, middle, &context).len() <= max_bytes {
            fits = middle;
        } else {
            too_many = middle;
        }
    }
    let new = if context.alert_on == AlertOn::New && context.new_count.is_some() {
        "new "
    } else {
        ""
    };
    let mut subject = format!(
        "secaudit: {} {new}{threshold}+ finding(s) in AWS account {} (score {})",
        all.len(),
        report.account_id,
        score_text(report.score.overall)
    );
    subject.truncate(MAX_SUBJECT_CHARS);
    let mut attributes = vec![
        ("severity", "String", worst.to_string()),
        ("account_id", "String", report.account_id.clone()),
        ("finding_count", "Number", all.len().to_string()),
    ];
    if let Some(score) = report.score.overall {
        attributes.push(("score", "Number", format!("{score:.1}")));
    }
    Some(Alert {
        subject,
        message: structure(report, threshold, uri, &all, fits, &context),
        attributes,
        findings_total: all.len(),
        findings_listed: fits,
    })
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
    fn structure(
        &self,
        summary: &crate::organization::OrganizationSummary,
        summary_uri: &str,
        listed: usize,
    ) -> String {
        let unaudited: Vec<_> = summary
            .accounts
            .iter()
            .filter(|a| a.summary.is_none())
            .collect();
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
            score_text(summary.score.overall),
            summary.accounts.len(),
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
            for account in &unaudited {
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
            "score": summary.score.overall,
            "summary": summary.summary,
            "changes": summary.changes,
            "summary_uri": summary_uri,
            "finding_count": self.total(),
            "omitted_findings": self.total() - listed,
            "accounts": accounts,
            "unaudited": unaudited.iter().map(|a| json!({
                "account_id": a.account_id,
                "name": a.name,
                "errors": a.errors,
            })).collect::<Vec<_>>(),
        });
        json!({"default": machine.to_string(), "email": email}).to_string()
    }

    /// The digest, or `None` when there is nothing to say: no finding, and every account audited.
    pub fn build(
        &self,
        summary: &crate::organization::OrganizationSummary,
        summary_uri: &str,
    ) -> Option<Alert> {
        self.build_within(summary, summary_uri, MAX_MESSAGE_BYTES)
    }

    fn build_within(
        &self,
        summary: &crate::organization::OrganizationSummary,
        summary_uri: &str,
        max_bytes: usize,
    ) -> Option<Alert> {
        let total = self.total();
        let unaudited = summary
            .accounts
            .iter()
            .filter(|a| a.summary.is_none())
            .count();
        if total == 0 && unaudited == 0 {
            return None;
        }
        let (mut fits, mut too_many) = (0, self.kept + 1);
        while fits + 1 < too_many {
            let middle = (fits + too_many) / 2;
            if self.structure(summary, summary_uri, middle).len() <= max_bytes {
                fits = middle;
            } else {
                too_many = middle;
            }
        }
        let worst = self
            .accounts
            .iter()
            .filter_map(|a| a.kept.first().map(|r| r.severity))
            .min_by_key(|s| Severity::ALL.iter().position(|x| x == s))
            .map_or("none", Severity::as_str);
        let mut subject = format!(
            "secaudit: {total} {}{}+ finding(s) in {} account(s), {unaudited} not audited",
            if self.alert_on == AlertOn::New {
                "new "
            } else {
                ""
            },
            self.threshold,
            self.accounts.len(),
        );
        subject.truncate(MAX_SUBJECT_CHARS);
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

/// The alert, published to an SNS topic when a report has findings at or above a threshold.
pub struct SnsAlert {
    pub client: aws_sdk_sns::Client,
    pub topic_arn: String,
    pub min_severity: Severity,
    pub alert_on: AlertOn,
}

impl Delivery for SnsAlert {
    fn deliver<'a>(
        &'a self,
        report: &'a Report,
        report_uri: &'a str,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let mut delivered = Delivered {
                destination: self.topic_arn.clone(),
                ..Delivered::default()
            };
            if let Some(alert) = build_alert(report, self.min_severity, self.alert_on, report_uri) {
                delivered.message_id = Some(publish(&self.client, &self.topic_arn, &alert).await?);
                delivered.findings = alert.findings_total;
            }
            Ok(delivered)
        })
    }
}

/// Publishes the alert; returns the SNS message id.
pub async fn publish(
    sns: &aws_sdk_sns::Client,
    topic_arn: &str,
    alert: &Alert,
) -> Result<String, DeliveryError> {
    let failure = |code: String, message: String| DeliveryError {
        action: "publishing the alert",
        destination: topic_arn.to_string(),
        code,
        message,
    };
    let mut publish = sns
        .publish()
        .topic_arn(topic_arn)
        .subject(&alert.subject)
        .message_structure("json")
        .message(&alert.message);
    for (name, data_type, value) in &alert.attributes {
        let attribute = MessageAttributeValue::builder()
            .data_type(*data_type)
            .string_value(value)
            .build()
            .map_err(|e| failure("InvalidAttribute".into(), e.to_string()))?;
        publish = publish.message_attributes(*name, attribute);
    }
    let output = publish.send().await.map_err(|e| {
        let (code, message) = describe_sdk_error(&e);
        failure(code, message)
    })?;
    Ok(output.message_id().unwrap_or_default().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{ApiCalls, Status, Weights};
    use crate::score::score;

    fn result(i: usize, severity: Severity, status: Status) -> CheckResult {
        CheckResult {
            id: format!("sg.high_risk_ports/123456789012/us-east-1/AWS::EC2::SecurityGroup/sg-{i}"),
            check_id: "sg.high_risk_ports".into(),
            service: "sg".into(),
            severity,
            status,
            resource_type: "AWS::EC2::SecurityGroup".into(),
            resource_id: format!("sg-{i:08}"),
            resource_name: None,
            resource_arn: None,
            region: "us-east-1".into(),
            title: "Security groups do not open high-risk ports to the world".into(),
            detail: "Ingress open to the world on high-risk ports: tcp 22 (SSH) from 0.0.0.0/0."
                .into(),
            remediation: "".into(),
            reference: "".into(),
            first_seen: None,
            muted: None,
        }
    }

    fn report(results: Vec<CheckResult>) -> Report {
        Report {
            schema_version: 1,
            run_id: "run-1".into(),
            account_id: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            environment: None,
            environment_tag_key: None,
            started_at: "2026-11-25T02:00:00Z".into(),
            finished_at: "2026-11-25T02:00:05Z".into(),
            duration_ms: 5000,
            complete: true,
            score: score(&results, Weights::default()),
            summary: Summary::of(&results),
            results,
            errors: vec![],
            api_calls: ApiCalls::default(),
            services: vec![],
            baseline: None,
            changes: None,
            carried_findings: vec![],
            mutelist: None,
            trend: vec![],
        }
    }

    const URI: &str = "s3://bucket/reports/123456789012/2026/11/25/run-1.json";

    #[test]
    fn with_a_baseline_only_new_unmuted_findings_alert_and_the_counts_are_told() {
        use crate::model::Mute;
        use crate::report::{BaselineRef, Changes};
        let mut muted = result(3, Severity::Critical, Status::Fail);
        muted.muted = Some(Mute {
            rule: 1,
            reason: "accepted".into(),
            owner: None,
            expires: "2027-01-01".into(),
        });
        let mut report = report(vec![
            result(1, Severity::Critical, Status::Fail),
            result(2, Severity::Critical, Status::Fail),
            muted,
        ]);
        report.baseline = Some(BaselineRef {
            run_id: "run-0".into(),
            finished_at: "2026-11-24T02:00:05Z".into(),
        });
        let id = |i: usize| report.results[i].id.clone();
        report.changes = Some(Changes {
            new: vec![id(1), id(2)],
            resolved: vec!["gone".into(), "fixed".into(), "also".into()],
            persisting: vec![id(0)],
            unverified: vec![],
        });
        let alert = build_alert(&report, Severity::Critical, AlertOn::New, URI).unwrap();
        assert_eq!(
            alert.findings_total, 1,
            "the muted new finding does not alert"
        );
        let structure: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let machine: serde_json::Value =
            serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
        assert_eq!(machine["findings"][0]["resource_id"], "sg-00000002");
        assert_eq!(machine["new_findings"], 1);
        assert_eq!(machine["resolved_count"], 3);
        assert_eq!(machine["open_count"], 2);
        let email = structure["email"].as_str().unwrap();
        assert!(
            email.contains("Since the last run: 2 still open at critical or worse, 3 resolved."),
            "{email}"
        );
        assert!(alert.subject.contains("1 new critical+ finding(s)"));

        // Nothing new: no alert; everything with `all`.
        report.changes.as_mut().unwrap().new.clear();
        assert!(build_alert(&report, Severity::Critical, AlertOn::New, URI).is_none());
        let all = build_alert(&report, Severity::Critical, AlertOn::All, URI).unwrap();
        assert_eq!(all.findings_total, 2);
    }

    #[test]
    fn a_baseline_that_could_not_be_read_is_said_and_everything_alerts() {
        let mut report = report(vec![result(1, Severity::Critical, Status::Fail)]);
        report.errors.push(crate::model::AuditError {
            service: "s3".into(),
            region: "us-east-1".into(),
            operation: "ReadBaseline".into(),
            resource_id: Some("s3://b/reports/123456789012/latest.json".into()),
            code: "AccessDenied".into(),
            message: "Access Denied".into(),
            required_permission: Some("s3:GetObject".into()),
        });
        let alert = build_alert(&report, Severity::Critical, AlertOn::New, URI).unwrap();
        assert_eq!(alert.findings_total, 1);
        let structure: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let email = structure["email"].as_str().unwrap();
        assert!(
            email.contains("Could not compare with the previous report (AccessDenied)"),
            "{email}"
        );
    }

    #[test]
    fn no_alert_without_failures_at_the_threshold() {
        let report = report(vec![
            result(1, Severity::High, Status::Fail),
            result(2, Severity::Critical, Status::Pass),
        ]);
        assert!(build_alert(&report, Severity::Critical, AlertOn::All, URI).is_none());
        assert!(build_alert(&report, Severity::High, AlertOn::All, URI).is_some());
    }

    #[test]
    fn text_for_email_and_json_for_machines() {
        let report = report(vec![
            result(1, Severity::Critical, Status::Fail),
            result(2, Severity::High, Status::Fail),
            result(3, Severity::Low, Status::Pass),
        ]);
        let alert = build_alert(&report, Severity::Critical, AlertOn::All, URI).unwrap();
        assert!(alert.subject.len() < 100);
        assert_eq!(
            alert.subject,
            "secaudit: 1 critical+ finding(s) in AWS account 123456789012 (score 6.3)"
        );
        let structure: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let email = structure["email"].as_str().unwrap();
        assert!(email.contains(
            "[CRITICAL] sg.high_risk_ports - AWS::EC2::SecurityGroup sg-00000001 (us-east-1)"
        ));
        assert!(email.contains(URI));
        assert!(
            !email.contains("sg-00000002"),
            "high is below the threshold"
        );
        let machine: serde_json::Value =
            serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
        assert_eq!(machine["findings"].as_array().unwrap().len(), 1);
        assert_eq!(machine["omitted_findings"], 0);
        assert_eq!(machine["report_uri"], URI);
        let attributes: Vec<_> = alert
            .attributes
            .iter()
            .map(|(n, t, v)| (*n, *t, v.as_str()))
            .collect();
        assert_eq!(
            attributes,
            [
                ("severity", "String", "critical"),
                ("account_id", "String", "123456789012"),
                ("finding_count", "Number", "1"),
                ("score", "Number", "6.3"),
            ]
        );
    }

    #[test]
    fn too_many_findings_are_truncated_with_a_count_of_the_rest() {
        let results: Vec<_> = (0..5000)
            .map(|i| result(i, Severity::Critical, Status::Fail))
            .collect();
        let report = report(results);
        let alert = build_alert(&report, Severity::Critical, AlertOn::All, URI).unwrap();
        assert!(
            alert.message.len() <= MAX_MESSAGE_BYTES,
            "{}",
            alert.message.len()
        );
        assert!(
            alert.findings_listed > 100 && alert.findings_listed < 5000,
            "{}",
            alert.findings_listed
        );
        let structure: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let omitted = 5000 - alert.findings_listed;
        assert!(structure["email"]
            .as_str()
            .unwrap()
            .contains(&format!("... and {omitted} more in the full report.")));
        let machine: serde_json::Value =
            serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
        assert_eq!(machine["omitted_findings"], omitted);
        // One more finding would not have fitted.
        let all = findings(&report, Severity::Critical, AlertOn::All);
        assert!(structure_len(&report, &all, alert.findings_listed + 1) > MAX_MESSAGE_BYTES);
    }

    fn structure_len(report: &Report, all: &[&CheckResult], n: usize) -> usize {
        let context = Context::of(report, Severity::Critical, AlertOn::All);
        structure(report, Severity::Critical, URI, all, n, &context).len()
    }

    #[test]
    fn a_tiny_budget_still_gives_a_valid_alert_with_everything_counted() {
        let report = report(vec![result(1, Severity::Critical, Status::Fail)]);
        let alert = build_alert_within(&report, Severity::Critical, AlertOn::All, URI, 10).unwrap();
        assert_eq!(alert.findings_listed, 0);
        assert_eq!(alert.findings_total, 1);
    }

    #[test]
    fn the_digest_groups_new_findings_by_account_and_names_the_unaudited() {
        use crate::organization::OrganizationTally;
        let mut web = report(vec![
            result(1, Severity::Critical, Status::Fail),
            result(2, Severity::High, Status::Fail),
        ]);
        web.account_id = "111111111111".into();
        let mut quiet = report(vec![result(3, Severity::Critical, Status::Pass)]);
        quiet.account_id = "222222222222".into();
        let mut tally = OrganizationTally::new("org-run".into(), "t0".into(), Weights::default());
        let mut digest = Digest::new(Severity::Critical, AlertOn::New);
        for (name, report) in [("web", &web), ("quiet", &quiet)] {
            digest.add(name, report, "s3://b/r.json");
            tally.add_report(name, report, Some("s3://b/r.json".into()));
        }
        tally.add_failure("333333333333", "lab", "AccessDenied: no role".into());
        let summary = tally.finish("t1".into());
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
        assert_eq!(machine["unaudited"][0]["account_id"], "333333333333");
        let email = document["email"].as_str().unwrap();
        assert!(
            email.contains("== 111111111111 web (1 finding(s))"),
            "{email}"
        );
        assert!(
            email.contains("333333333333 lab: AccessDenied: no role"),
            "{email}"
        );
        // Too small a message lists none but still counts them.
        let small = digest
            .build_within(&summary, "s3://b/org.json", 10)
            .unwrap();
        assert_eq!((small.findings_total, small.findings_listed), (1, 0));
        // Nothing new and everyone audited: no digest.
        let mut calm = OrganizationTally::new("r".into(), "t0".into(), Weights::default());
        calm.add_report("quiet", &quiet, None);
        let mut none = Digest::new(Severity::Critical, AlertOn::New);
        none.add("quiet", &quiet, "s3://b/r.json");
        assert!(none.build(&calm.finish("t1".into()), "u").is_none());
    }
}
