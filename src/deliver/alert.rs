//! The account alert: one SNS message per run when failed results at or above the threshold
//! exist, or a new open exposure. Exposures lead: a way in matters more than any one finding.
//!
//! It uses SNS's per-protocol message structure: readable text for email subscribers and a
//! JSON document for everything else (SQS, Lambda, HTTPS). Message attributes (severity,
//! account_id, score, finding_count, exposure_count) let subscribers filter. When it does not
//! fit in one message, the alert lists the exposures that fit, then the findings that fit, and
//! says how many more are in the report.

use serde::Serialize;
use serde_json::json;

use futures::future::BoxFuture;

use super::fit::{largest_fitting, subject, MAX_MESSAGE_BYTES};
use super::sns::{publish, Alert};
use super::{Delivered, Delivery, DeliveryError};
use crate::exposures::Exposure;
use crate::model::{CheckResult, Severity};
use crate::report::{Report, Summary};

#[derive(Serialize)]
pub(super) struct Finding<'a> {
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

/// An exposure in the JSON alert: its steps by result id, to look up in the report.
#[derive(Serialize)]
struct ExposureItem<'a> {
    id: &'a str,
    severity: Severity,
    title: &'a str,
    fix: &'a str,
    step_result_ids: Vec<&'a str>,
}

impl<'a> From<&'a Exposure> for ExposureItem<'a> {
    fn from(e: &'a Exposure) -> Self {
        ExposureItem {
            id: &e.id,
            severity: e.severity,
            title: &e.title,
            fix: &e.fix,
            step_result_ids: e.steps.iter().map(|s| s.result_id.as_str()).collect(),
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
pub(super) fn findings(
    report: &Report,
    threshold: Severity,
    alert_on: AlertOn,
) -> Vec<&CheckResult> {
    let candidates: Vec<&CheckResult> = match alert_on {
        AlertOn::New => report.new_open().collect(),
        AlertOn::All => report.open().collect(),
    };
    let mut findings: Vec<&CheckResult> = candidates
        .into_iter()
        .filter(|r| r.severity.is_at_least(threshold))
        .collect();
    findings.sort_by_key(|r| std::cmp::Reverse(r.severity));
    findings
}

/// The open exposures the alert leads with: with [`AlertOn::New`] and a baseline, those new
/// since it; else every open one. The threshold does not apply: an exposure is by definition
/// high or critical, and its point is that findings each below the threshold add up to a way
/// in, so a new one always alerts.
fn exposures(report: &Report, alert_on: AlertOn) -> Vec<&Exposure> {
    let new = match (alert_on, &report.changes) {
        (AlertOn::New, Some(changes)) => Some(&changes.exposures.new),
        _ => None,
    };
    report
        .exposures
        .iter()
        .filter(|e| e.is_open() && new.is_none_or(|new| new.contains(&e.id)))
        .collect()
}

/// An exposure in an email: `[CRITICAL] title`, then its fix.
fn exposure_line(exposure: &Exposure) -> String {
    format!(
        "[{}] {}\n    fix: {}\n",
        exposure.severity.as_str().to_uppercase(),
        exposure.title,
        exposure.fix
    )
}

/// How many of the exposures and of the findings a message lists.
#[derive(Debug, Clone, Copy)]
struct Listed {
    exposures: usize,
    findings: usize,
}

/// A finding in an email: `[CRITICAL] check - type id (region)`, then its detail.
pub(super) fn finding_line(finding: &CheckResult) -> String {
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

pub(super) fn score_text(score: Option<f64>) -> String {
    score.map_or("n/a".into(), |s| format!("{s:.1}"))
}

fn text(
    report: &Report,
    threshold: Severity,
    uri: &str,
    (exposures, listed): (&[&Exposure], &[&CheckResult]),
    (exposure_total, total): (usize, usize),
    context: &Context,
) -> String {
    let s: &Summary = &report.summary;
    let counts = &s.failed_by_severity;
    // "new" only against a baseline, as for the findings.
    let new = if context.alert_on == AlertOn::New && context.new_count.is_some() {
        "new "
    } else {
        ""
    };
    let found_exposures = match exposure_total {
        0 => String::new(),
        n => format!("{n} {new}exposure(s) and "),
    };
    let headline = match (context.alert_on, context.new_count) {
        (AlertOn::New, Some(_)) => format!(
            "secaudit found {found_exposures}{total} new failed check(s) at {threshold} severity or worse in AWS account {}.\n\
             Since the last run: {} still open at {threshold} or worse, {} resolved.\n",
            report.account_id,
            context.open_count,
            context.resolved_count.unwrap_or(0)
        ),
        _ => format!(
            "secaudit found {found_exposures}{total} failed check(s) at {threshold} severity or worse in AWS account {}.\n",
            report.account_id
        ),
    };
    let mut out = headline;
    if exposure_total > 0 {
        out.push_str(if new.is_empty() {
            "\nExposures:\n"
        } else {
            "\nNew exposures:\n"
        });
        for exposure in exposures {
            out.push_str(&exposure_line(exposure));
        }
        if exposures.len() < exposure_total {
            out.push_str(&format!(
                "... and {} more exposure(s) in the full report.\n",
                exposure_total - exposures.len()
            ));
        }
        out.push('\n');
    }
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
    (exposures, all): (&[&Exposure], &[&CheckResult]),
    listed: Listed,
    context: &Context,
) -> String {
    let shown = &all[..listed.findings];
    let shown_exposures = &exposures[..listed.exposures];
    let machine = json!({
        "exposures": shown_exposures.iter().map(|e| ExposureItem::from(*e)).collect::<Vec<_>>(),
        "omitted_exposures": exposures.len() - listed.exposures,
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
        "omitted_findings": all.len() - listed.findings,
        "new_findings": context.new_count,
        "resolved_count": context.resolved_count,
        "open_count": context.open_count,
        "notes": context.notes,
    });
    json!({
        "default": machine.to_string(),
        "email": text(
            report,
            threshold,
            uri,
            (shown_exposures, shown),
            (exposures.len(), all.len()),
            context,
        ),
    })
    .to_string()
}

/// The alert for a report, or `None` when there is nothing to say: no open finding at or above
/// `threshold` and no open exposure (with [`AlertOn::New`], no new one), and no problem with
/// the baseline or the mutelist to report.
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
    let exposures = exposures(report, alert_on);
    let context = Context::of(report, threshold, alert_on);
    if all.is_empty() && exposures.is_empty() && context.notes.is_empty() {
        return None;
    }
    let worst = (exposures.iter().map(|e| e.severity))
        .chain(all.iter().map(|r| r.severity))
        .max()
        .map_or("none", Severity::as_str);
    let message = |exposures_listed, findings| {
        let listed = Listed {
            exposures: exposures_listed,
            findings,
        };
        structure(report, threshold, uri, (&exposures, &all), listed, &context)
    };
    // Exposures take the budget first; the findings get what is left.
    let exposures_fit = largest_fitting(exposures.len(), max_bytes, |n| message(n, 0));
    let fits = largest_fitting(all.len(), max_bytes, |listed| {
        message(exposures_fit, listed)
    });
    let new = if context.alert_on == AlertOn::New && context.new_count.is_some() {
        "new "
    } else {
        ""
    };
    let exposure_count = match exposures.len() {
        0 => String::new(),
        n => format!("{n} {new}exposure(s), "),
    };
    let subject = subject(format!(
        "secaudit: {exposure_count}{} {new}{threshold}+ finding(s) in AWS account {} (score {})",
        all.len(),
        report.account_id,
        score_text(report.score.overall)
    ));
    let mut attributes = vec![
        ("severity", "String", worst.to_string()),
        ("account_id", "String", report.account_id.clone()),
        ("finding_count", "Number", all.len().to_string()),
        ("exposure_count", "Number", exposures.len().to_string()),
    ];
    if let Some(score) = report.score.overall {
        attributes.push(("score", "Number", format!("{score:.1}")));
    }
    Some(Alert {
        subject,
        message: message(exposures_fit, fits),
        attributes,
        findings_total: all.len(),
        findings_listed: fits,
    })
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

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::assess::score::score;
    use crate::exposures::{ExposureKind, ExposureStep, StepRole};
    use crate::model::{ApiCalls, Mute, Status, Weights};

    pub(crate) fn result(i: usize, severity: Severity, status: Status) -> CheckResult {
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
            facts: Vec::new(),
            first_seen: None,
            muted: None,
        }
    }

    pub(crate) fn report(results: Vec<CheckResult>) -> Report {
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
            exposures: Vec::new(),
            errors: vec![],
            api_calls: ApiCalls::default(),
            services: vec![],
            baseline: None,
            changes: None,
            carried_findings: vec![],
            rechecks: vec![],
            compliance: vec![],
            mutelist: None,
            trend: vec![],
        }
    }

    pub(crate) fn mute(rule: usize, exposures: bool) -> Mute {
        Mute {
            rule,
            reason: "accepted".into(),
            owner: None,
            expires: "2027-01-01".into(),
            exposures,
        }
    }

    /// Instance `i-{i}` open to the world through `sg-{i:08}` (its step's finding is
    /// [`result`] `i`), its role an administrator.
    pub(crate) fn exposure(i: usize, severity: Severity) -> Exposure {
        let step = |result: CheckResult, role, said: &str| ExposureStep {
            result_id: result.id,
            check_id: result.check_id.to_string(),
            resource_type: result.resource_type.to_string(),
            resource_id: result.resource_id,
            region: result.region,
            role,
            contributes: said.into(),
            muted: None,
        };
        let on =
            |check: &str, resource_type: &str, resource_id: String, region: &str| CheckResult {
                id: format!("{check}/123456789012/{region}/{resource_type}/{resource_id}"),
                check_id: check.to_string().into(),
                resource_type: resource_type.to_string().into(),
                resource_id,
                region: region.into(),
                ..result(i, severity, Status::Fail)
            };
        Exposure {
            id: format!("exposure/{i:016x}"),
            kind: ExposureKind::ReachableInstance,
            severity,
            title: format!(
                "Instance i-{i} is reachable from the internet with administrator rights"
            ),
            steps: vec![
                step(
                    on(
                        "ec2.no_public_ip",
                        "AWS::EC2::Instance",
                        format!("i-{i}"),
                        "us-east-1",
                    ),
                    StepRole::Entry,
                    "Has a public address.",
                ),
                step(
                    result(i, severity, Status::Fail),
                    StepRole::Ease,
                    "Opens SSH to the world.",
                ),
                step(
                    on(
                        "iam.admin_role",
                        "AWS::IAM::Role",
                        format!("app-{i}"),
                        "global",
                    ),
                    StepRole::Reach,
                    "Its role is an administrator.",
                ),
            ],
            fix: format!("Close sg-{i:08} to the world."),
            muted: None,
        }
    }

    pub(crate) const URI: &str = "s3://bucket/reports/123456789012/2026/11/25/run-1.json";

    #[test]
    fn with_a_baseline_only_new_unmuted_findings_alert_and_the_counts_are_told() {
        use crate::model::Mute;
        use crate::report::{BaselineRef, Changes};
        let mut muted = result(3, Severity::Critical, Status::Fail);
        muted.muted = Some(Box::new(Mute {
            rule: 1,
            reason: "accepted".into(),
            owner: None,
            expires: "2027-01-01".into(),
            exposures: false,
        }));
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
            ..Default::default()
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
                ("exposure_count", "Number", "0"),
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
        let listed = Listed {
            exposures: 0,
            findings: n,
        };
        structure(
            report,
            Severity::Critical,
            URI,
            (&[], all),
            listed,
            &context,
        )
        .len()
    }

    fn parts(alert: &Alert) -> (serde_json::Value, String) {
        let structure: serde_json::Value = serde_json::from_str(&alert.message).unwrap();
        let machine = serde_json::from_str(structure["default"].as_str().unwrap()).unwrap();
        (machine, structure["email"].as_str().unwrap().to_string())
    }

    #[test]
    fn an_open_exposure_leads_the_alert_even_when_no_finding_reaches_the_threshold() {
        let mut report = report(vec![result(1, Severity::High, Status::Fail)]);
        report.exposures = vec![exposure(1, Severity::High)];
        let alert = build_alert(&report, Severity::Critical, AlertOn::New, URI).unwrap();
        assert_eq!(
            alert.findings_total, 0,
            "the high finding stays below critical"
        );
        let (machine, email) = parts(&alert);
        assert_eq!(machine["exposures"][0]["id"], "exposure/0000000000000001");
        assert_eq!(machine["exposures"][0]["severity"], "high");
        assert_eq!(
            machine["exposures"][0]["step_result_ids"][1],
            report.results[0].id.as_str()
        );
        assert_eq!(machine["omitted_exposures"], 0);
        // Without a baseline every open exposure is listed, right after the headline; "new"
        // is said only against a baseline.
        let lines: Vec<&str> = email.lines().collect();
        assert_eq!(
            lines[..5],
            [
                "secaudit found 1 exposure(s) and 0 failed check(s) at critical severity or worse in AWS account 123456789012.",
                "",
                "Exposures:",
                "[HIGH] Instance i-1 is reachable from the internet with administrator rights",
                "    fix: Close sg-00000001 to the world.",
            ],
            "{email}"
        );
        assert!(
            alert
                .subject
                .starts_with("secaudit: 1 exposure(s), 0 critical+ finding(s)"),
            "{}",
            alert.subject
        );
        assert!(alert
            .attributes
            .contains(&("exposure_count", "Number", "1".to_string())));
        assert!(alert
            .attributes
            .contains(&("severity", "String", "high".to_string())));

        // Hidden by the mutelist: nothing to say.
        report.exposures[0].muted = Some(mute(1, true));
        assert!(build_alert(&report, Severity::Critical, AlertOn::New, URI).is_none());
    }

    #[test]
    fn with_a_baseline_only_new_exposures_alert_and_all_lists_every_open_one() {
        use crate::report::{BaselineRef, Changes};
        let mut report = report(vec![]);
        report.exposures = vec![exposure(1, Severity::Critical), exposure(2, Severity::High)];
        report.baseline = Some(BaselineRef {
            run_id: "run-0".into(),
            finished_at: "2026-11-24T02:00:05Z".into(),
        });
        report.changes = Some(Changes::default());
        assert!(
            build_alert(&report, Severity::Critical, AlertOn::New, URI).is_none(),
            "both were there last night"
        );
        let changes = report.changes.as_mut().unwrap();
        changes.exposures.new = vec!["exposure/0000000000000002".into()];
        let alert = build_alert(&report, Severity::Critical, AlertOn::New, URI).unwrap();
        let (machine, email) = parts(&alert);
        assert_eq!(machine["exposures"].as_array().unwrap().len(), 1);
        assert_eq!(machine["exposures"][0]["id"], "exposure/0000000000000002");
        assert!(
            email.contains("\nNew exposures:\n[HIGH] Instance i-2 "),
            "{email}"
        );
        assert!(!email.contains("i-1 "), "{email}");

        let all = build_alert(&report, Severity::Critical, AlertOn::All, URI).unwrap();
        let (machine, email) = parts(&all);
        assert_eq!(machine["exposures"].as_array().unwrap().len(), 2);
        assert!(
            email.contains("\nExposures:\n[CRITICAL] Instance i-1 "),
            "{email}"
        );
        assert!(all
            .subject
            .starts_with("secaudit: 2 exposure(s), 0 critical+"));
    }

    #[test]
    fn exposures_take_the_budget_first_and_the_findings_are_truncated() {
        let results: Vec<_> = (0..5000)
            .map(|i| result(i, Severity::Critical, Status::Fail))
            .collect();
        let mut report = report(results);
        report.exposures = (0..3).map(|i| exposure(i, Severity::Critical)).collect();
        let alert = build_alert(&report, Severity::Critical, AlertOn::All, URI).unwrap();
        assert!(alert.message.len() <= MAX_MESSAGE_BYTES);
        assert!(alert.findings_listed < 5000);
        let (machine, email) = parts(&alert);
        assert_eq!(machine["exposures"].as_array().unwrap().len(), 3);
        assert_eq!(machine["omitted_exposures"], 0);
        let heading = email.find("Exposures:").unwrap();
        let first_finding = email.find("[CRITICAL] sg.high_risk_ports").unwrap();
        assert!(heading < first_finding, "{email}");

        // A budget for two of the three exposures and nothing else: those two, the rest counted.
        let (open, all) = (
            exposures(&report, AlertOn::All),
            findings(&report, Severity::Critical, AlertOn::All),
        );
        let context = Context::of(&report, Severity::Critical, AlertOn::All);
        let two = Listed {
            exposures: 2,
            findings: 0,
        };
        let budget = structure(
            &report,
            Severity::Critical,
            URI,
            (&open, &all),
            two,
            &context,
        );
        let alert =
            build_alert_within(&report, Severity::Critical, AlertOn::All, URI, budget.len())
                .unwrap();
        let (machine, email) = parts(&alert);
        assert_eq!(machine["exposures"].as_array().unwrap().len(), 2);
        assert_eq!(machine["omitted_exposures"], 1);
        assert_eq!((alert.findings_listed, alert.findings_total), (0, 5000));
        assert!(
            email.contains("... and 1 more exposure(s) in the full report."),
            "{email}"
        );
    }

    #[test]
    fn a_tiny_budget_still_gives_a_valid_alert_with_everything_counted() {
        let report = report(vec![result(1, Severity::Critical, Status::Fail)]);
        let alert = build_alert_within(&report, Severity::Critical, AlertOn::All, URI, 10).unwrap();
        assert_eq!(alert.findings_listed, 0);
        assert_eq!(alert.findings_total, 1);
    }
}
