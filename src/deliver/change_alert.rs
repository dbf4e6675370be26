//! The change alert: one SNS message per re-checked event batch, naming for each newly
//! failing result the API call that preceded it — who (`userIdentity.arn`), from where
//! (`sourceIPAddress`), when — and saying the verdict comes from a re-read, not from the event.
//! Resolutions follow only when asked (`SECAUDIT_ALERT_ON_RESOLVED`). Same transport and
//! message structure as the account alert ([`super::alert`]).

use serde_json::json;

use super::alert::{finding_line, Finding};
use super::fit::{largest_fitting, subject, MAX_MESSAGE_BYTES};
use super::sns::Alert;
use crate::model::{CheckResult, Severity};
use crate::report::{EventRef, Report};

/// The batch's calls that can have changed `result`: those that named its resource, or else
/// those its check declares as triggers.
fn causes<'a>(report: &'a Report, result: &CheckResult) -> Vec<&'a EventRef> {
    let Some(batch) = report.rechecks.last() else {
        return Vec::new();
    };
    let naming: Vec<&EventRef> = (batch.events.iter())
        .filter(|event| event.resources.contains(&result.resource_id))
        .collect();
    if !naming.is_empty() {
        return naming;
    }
    let Some(check) = crate::services::checks::find(&result.check_id) else {
        return Vec::new();
    };
    (batch.events.iter())
        .filter(|event| {
            check.triggers.iter().any(|t| {
                t.source == event.event_source && t.names.contains(&event.event_name.as_str())
            })
        })
        .collect()
}

/// Resolved results named in an alert; the rest are counted (a deleted group's results can
/// be many, and SNS messages are bounded).
const RESOLVED_LISTED: usize = 50;

fn event_line(event: &EventRef) -> String {
    format!(
        "    after {} ({}, {}) by {} from {} at {}\n",
        event.event_name,
        event.event_source,
        event.region,
        event.caller,
        event.source_ip.as_deref().unwrap_or("an unknown address"),
        event.time
    )
}

/// The alert for a merged report, or `None` when the batch broke nothing at or above
/// `threshold` (and, with `on_resolved`, fixed nothing).
pub fn build_change_alert(
    report: &Report,
    threshold: Severity,
    on_resolved: bool,
    report_uri: &str,
) -> Option<Alert> {
    let changes = report.changes.as_ref()?;
    let mut broken: Vec<&CheckResult> = report
        .new_open()
        .filter(|r| r.severity.is_at_least(threshold))
        .collect();
    broken.sort_by_key(|r| std::cmp::Reverse(r.severity));
    let resolved: Vec<&str> = if on_resolved {
        changes.resolved.iter().map(String::as_str).collect()
    } else {
        Vec::new()
    };
    if broken.is_empty() && resolved.is_empty() {
        return None;
    }
    let fits = largest_fitting(broken.len(), MAX_MESSAGE_BYTES, |listed| {
        message(
            report,
            threshold,
            report_uri,
            &broken[..listed],
            broken.len(),
            &resolved,
        )
    });
    let headline = if broken.is_empty() {
        format!("{} finding(s) resolved", resolved.len())
    } else {
        format!("{} {threshold}+ finding(s) after a change", broken.len())
    };
    let worst = broken.first().map_or("none", |r| r.severity.as_str());
    Some(Alert {
        subject: subject(format!(
            "secaudit: {headline} in AWS account {}",
            report.account_id
        )),
        message: message(
            report,
            threshold,
            report_uri,
            &broken[..fits],
            broken.len(),
            &resolved,
        ),
        attributes: vec![
            ("severity", "String", worst.to_string()),
            ("account_id", "String", report.account_id.clone()),
            ("finding_count", "Number", broken.len().to_string()),
            ("trigger", "String", "event".to_string()),
        ],
        findings_total: broken.len(),
        findings_listed: fits,
    })
}

fn message(
    report: &Report,
    threshold: Severity,
    uri: &str,
    listed: &[&CheckResult],
    total: usize,
    resolved: &[&str],
) -> String {
    let mut text = String::new();
    if total > 0 {
        text.push_str(&format!(
            "secaudit re-read what a change touched in AWS account {} and found {total} new failed \
             check(s) at {threshold} severity or worse. Each verdict was confirmed by reading the \
             resource from AWS again, not taken from the event.\n\n",
            report.account_id
        ));
    }
    let mut findings = Vec::new();
    for result in listed {
        text.push_str(&finding_line(result));
        let events = causes(report, result);
        for event in &events {
            text.push_str(&event_line(event));
        }
        findings.push(json!({"finding": Finding::from(*result), "events": events}));
    }
    if listed.len() < total {
        text.push_str(&format!(
            "\n... and {} more in the report.\n",
            total - listed.len()
        ));
    }
    if !resolved.is_empty() {
        text.push_str(&format!("\nResolved by the change ({}):\n", resolved.len()));
        for id in resolved.iter().take(RESOLVED_LISTED) {
            text.push_str(&format!("  {id}\n"));
        }
        if resolved.len() > RESOLVED_LISTED {
            let more = resolved.len() - RESOLVED_LISTED;
            text.push_str(&format!("  ... and {more} more in the report.\n"));
        }
    }
    text.push_str(&format!("\nRe-check: {}\nReport: {uri}\n", report.run_id));
    let machine = json!({
        "trigger": "event",
        "run_id": report.run_id,
        "account_id": report.account_id,
        "threshold": threshold,
        "confirmed_by_reread": true,
        "report_uri": uri,
        "findings": findings,
        "omitted_findings": total - listed.len(),
        "resolved": &resolved[..resolved.len().min(RESOLVED_LISTED)],
        "resolved_count": resolved.len(),
        "score": report.score.overall,
    });
    json!({"default": machine.to_string(), "email": text}).to_string()
}
