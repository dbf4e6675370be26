//! The report for people: score, counts, failed results by severity, errors.

use std::io::{self, Write};

use super::{short_type, text_table, Render};
use crate::exposures::Exposure;
use crate::model::Severity;
use crate::report::{Changes, Report};
use crate::services::checks::registry;

/// The report for a terminal or a CI log.
pub struct TableRenderer;

impl Render for TableRenderer {
    fn content_type(&self) -> &'static str {
        "text/plain; charset=utf-8"
    }

    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        out.write_all(render(report).as_bytes())
    }
}

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    let scope = match (&report.environment, &report.environment_tag_key) {
        (Some(value), Some(key)) => format!(", environment {key}={value}"),
        _ => String::new(),
    };
    out.push_str(&format!(
        "secaudit report {} — account {}, regions {}{scope}\n",
        report.run_id,
        report.account_id,
        report.regions.join(", ")
    ));
    let score = report
        .score
        .overall
        .map_or("n/a (nothing evaluated)".to_string(), |s| {
            format!("{s:.1} / 100")
        });
    out.push_str(&format!(
        "Score: {score}   evaluated {}, passed {}, failed {}",
        report.summary.evaluated, report.summary.passed, report.summary.failed
    ));
    let by_service: Vec<String> = report
        .score
        .by_service
        .iter()
        .map(|(service, score)| match score {
            Some(s) => format!("{service} {s:.1}"),
            None => format!("{service} n/a"),
        })
        .collect();
    if !by_service.is_empty() {
        out.push_str(&format!("   ({})", by_service.join(", ")));
    }
    out.push('\n');
    let counts = &report.summary.failed_by_severity;
    // Only severities some check has: a "low 0" no check can ever raise is noise.
    let severities: Vec<Severity> = Severity::ALL
        .into_iter()
        .filter(|s| registry().any(|check| check.severity == *s) || counts.get(*s) > 0)
        .collect();
    let by_severity: Vec<String> = severities
        .iter()
        .map(|s| format!("{s} {}", counts.get(*s)))
        .collect();
    out.push_str(&format!("Failed by severity: {}\n", by_severity.join(", ")));
    if report.summary.muted > 0 {
        out.push_str(&format!(
            "Muted (accepted risks, not scored): {}\n",
            report.summary.muted
        ));
    }
    if let (Some(baseline), Some(changes)) = (&report.baseline, &report.changes) {
        out.push_str(&format!(
            "Since {} ({}): {} new, {} resolved, {} still failing, {} not verified this run\n",
            baseline.run_id,
            baseline.finished_at,
            changes.new.len(),
            changes.resolved.len(),
            changes.persisting.len(),
            changes.unverified.len()
        ));
    }
    out.push_str(&exposures_section(report));
    let new: std::collections::HashSet<&str> = report
        .changes
        .iter()
        .flat_map(|c| c.new.iter().map(String::as_str))
        .collect();

    for severity in severities {
        let failed: Vec<_> = report.open().filter(|r| r.severity == severity).collect();
        if failed.is_empty() {
            continue;
        }
        let mut section = text_table(&["Check", "Type", "Resource", "Region", "Detail"]);
        for result in failed {
            let resource = match &result.resource_name {
                Some(name) => format!("{} ({name})", result.resource_id),
                None => result.resource_id.clone(),
            };
            let check = if new.contains(result.id.as_str()) {
                format!("{} (new)", result.check_id)
            } else {
                result.check_id.to_string()
            };
            section.add_row(vec![
                check,
                short_type(&result.resource_type).to_string(),
                resource,
                result.region.clone(),
                result.detail.clone(),
            ]);
        }
        out.push_str(&format!(
            "\n{} findings\n{section}\n",
            severity.as_str().to_uppercase()
        ));
    }
    if report.summary.failed == 0 && report.summary.evaluated > 0 {
        out.push_str("\nNo failed checks.\n");
    }
    let muted: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.muted.is_some())
        .collect();
    if !muted.is_empty() {
        let mut section = text_table(&[
            "Check", "Resource", "Region", "Rule", "Reason", "Owner", "Expires",
        ]);
        for result in muted {
            let Some(mute) = &result.muted else { continue };
            section.add_row(vec![
                result.check_id.to_string(),
                result.resource_id.clone(),
                result.region.clone(),
                mute.rule.to_string(),
                mute.reason.clone(),
                mute.owner.clone().unwrap_or_default(),
                mute.expires.clone(),
            ]);
        }
        out.push_str(&format!("\nMUTED (accepted risks)\n{section}\n"));
    }
    if let Some(mutelist) = &report.mutelist {
        for (what, rules) in [
            ("expired", &mutelist.expired_rules),
            ("matched nothing", &mutelist.unused_rules),
        ] {
            if !rules.is_empty() {
                let numbers: Vec<String> = rules.iter().map(|r| r.rule.to_string()).collect();
                out.push_str(&format!(
                    "Mutelist {}: rule(s) {} {what}.\n",
                    mutelist.source,
                    numbers.join(", ")
                ));
            }
        }
    }
    out.push_str(&passed_lines(report));

    if !report.errors.is_empty() {
        let mut errors = text_table(&[
            "Service",
            "Region",
            "Operation",
            "Resource",
            "Code",
            "Message",
        ]);
        for error in &report.errors {
            errors.add_row(vec![
                error.service.as_str(),
                error.region.as_str(),
                error.operation.as_str(),
                error.resource_id.as_deref().unwrap_or("-"),
                error.code.as_str(),
                error.message.as_str(),
            ]);
        }
        out.push_str(&format!(
            "\nINCOMPLETE: {} error(s) left resources unevaluated; the score covers only what was evaluated.\n{errors}\n",
            report.errors.len()
        ));
        let mut missing: Vec<&str> = report
            .errors
            .iter()
            .filter(|e| e.is_access_denied())
            .filter_map(|e| e.required_permission.as_deref())
            .collect();
        missing.sort_unstable();
        missing.dedup();
        if !missing.is_empty() {
            out.push_str(&format!(
                "Access was denied. Grant the auditing principal {} (docs/permissions.md: the AWS-managed SecurityAudit policy and three Macie reads) and run again.\n",
                missing.join(", ")
            ));
        }
    }
    out.push_str(&format!(
        "\n{} API calls ({} retries) in {:.1} s\n",
        report.api_calls.total,
        report.api_calls.retries,
        report.duration_ms as f64 / 1000.0
    ));
    // Each view's headline and what needs a look; `secaudit compliance` lists every row.
    for view in &report.compliance {
        out.push('\n');
        out.push_str(&crate::render::compliance::render_brief(view));
    }
    out
}

/// Open exposures, each with its steps and its fix, before the findings: a way in matters more
/// than any one finding of it. Hidden ones are only counted (the mutelist said so).
fn exposures_section(report: &Report) -> String {
    let new: std::collections::HashSet<&str> = report
        .changes
        .iter()
        .flat_map(|c| c.exposures.new.iter().map(String::as_str))
        .collect();
    let open: Vec<&Exposure> = report.exposures.iter().filter(|e| e.is_open()).collect();
    let hidden = report.exposures.len() - open.len();
    let mut out = String::new();
    if !open.is_empty() {
        out.push_str(&format!("\nEXPOSURES ({})\n", open.len()));
    }
    for exposure in &open {
        let mut steps = text_table(&["Role", "Check", "Resource", "Region", "Contributes"]);
        for step in &exposure.steps {
            let accepted = if step.muted.is_some() {
                " (accepted risk)"
            } else {
                ""
            };
            steps.add_row(vec![
                step.role.as_str().to_string(),
                step.check_id.clone(),
                format!("{} {}", short_type(&step.resource_type), step.resource_id),
                step.region.clone(),
                format!("{}{accepted}", step.contributes),
            ]);
        }
        let mark = if new.contains(exposure.id.as_str()) {
            " (new)"
        } else {
            ""
        };
        out.push_str(&format!(
            "\n[{}] {}{mark}\n{steps}\nFix: {}\n",
            exposure.severity.as_str().to_uppercase(),
            exposure.title,
            exposure.fix
        ));
    }
    if hidden > 0 {
        out.push_str(&format!("\n{hidden} exposure(s) hidden by the mutelist.\n"));
    }
    out
}

/// One line per check with passed results, in report order: "s3.versioning  3 passed, 1 failed".
fn passed_lines(report: &Report) -> String {
    let lines: Vec<String> = report
        .counts_by_check()
        .iter()
        .filter(|c| c.passed > 0)
        .map(|c| match c.failed {
            0 => format!("  {:<28} {} passed", c.check_id, c.passed),
            _ => format!(
                "  {:<28} {} passed, {} failed",
                c.check_id, c.passed, c.failed
            ),
        })
        .collect();
    if lines.is_empty() {
        return String::new();
    }
    format!("\nPassed checks\n{}\n", lines.join("\n"))
}

/// An organization run: one row per account, then the organization's score.
pub fn render_organization(summary: &crate::report::organization::OrganizationSummary) -> String {
    let mut accounts = text_table(&[
        "Account",
        "Name",
        "Score",
        "Critical",
        "High",
        "Medium",
        "Low",
        "Complete",
        "Report or error",
    ]);
    for account in &summary.accounts {
        let counts = account.summary.map(|s| s.failed_by_severity);
        let count =
            |severity: Severity| counts.map_or("-".to_string(), |c| c.get(severity).to_string());
        accounts.add_row(vec![
            account.account_id.clone(),
            account.name.clone(),
            account.score.map_or("n/a".into(), |s| format!("{s:.1}")),
            count(Severity::Critical),
            count(Severity::High),
            count(Severity::Medium),
            count(Severity::Low),
            if account.complete { "yes" } else { "no" }.into(),
            account
                .report_uri
                .clone()
                .unwrap_or_else(|| account.errors.join("; ")),
        ]);
    }
    let score = summary
        .score
        .overall
        .map_or("n/a".to_string(), |s| format!("{s:.1} / 100"));
    format!(
        "secaudit organization run {} — {} account(s)\n{accounts}\nOrganization score: {score}   evaluated {}, failed {}\n",
        summary.run_id,
        summary.accounts.len(),
        summary.summary.evaluated,
        summary.summary.failed
    )
}

/// `secaudit diff` and `secaudit recheck`: each change category with the findings in it.
pub fn render_changes(old: &Report, new: &Report, changes: &Changes) -> String {
    let mut out = format!(
        "secaudit changes — account {}: {} ({}) → {} ({})\n{} new, {} resolved, {} still failing, {} not verified\n",
        new.account_id,
        old.run_id,
        old.finished_at,
        new.run_id,
        new.finished_at,
        changes.new.len(),
        changes.resolved.len(),
        changes.persisting.len(),
        changes.unverified.len()
    );
    out.push_str(&exposure_changes(old, new, changes));
    let lookup = |id: &str| {
        new.results
            .iter()
            .chain(&old.results)
            .chain(&old.carried_findings)
            .find(|r| r.id == id)
    };
    for (title, ids) in [
        ("NEW", &changes.new),
        ("RESOLVED", &changes.resolved),
        (
            "NOT VERIFIED (not evaluated in the new run)",
            &changes.unverified,
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let mut section = text_table(&["Severity", "Check", "Type", "Resource", "Region"]);
        for id in ids {
            if let Some(result) = lookup(id) {
                section.add_row(vec![
                    result.severity.to_string(),
                    result.check_id.to_string(),
                    short_type(&result.resource_type).to_string(),
                    result.resource_id.clone(),
                    result.region.clone(),
                ]);
            }
        }
        out.push_str(&format!("\n{title}\n{section}\n"));
    }
    out
}

/// The exposures that came, went or could not be verified, before the findings: new ones are
/// named from the new report, the others from the old one (they are gone from the new).
fn exposure_changes(old: &Report, new: &Report, changes: &Changes) -> String {
    let moved = &changes.exposures;
    if moved.new.is_empty() && moved.resolved.is_empty() && moved.unverified.is_empty() {
        return String::new();
    }
    let mut out = format!(
        "Exposures: {} new, {} resolved, {} not verified\n",
        moved.new.len(),
        moved.resolved.len(),
        moved.unverified.len()
    );
    for (title, ids, source) in [
        ("NEW EXPOSURES", &moved.new, &new.exposures),
        ("RESOLVED EXPOSURES", &moved.resolved, &old.exposures),
        (
            "EXPOSURES NOT VERIFIED (a step not evaluated in the new run)",
            &moved.unverified,
            &old.exposures,
        ),
    ] {
        if ids.is_empty() {
            continue;
        }
        let mut section = text_table(&["Severity", "Exposure"]);
        for id in ids {
            // An id the report does not describe (edited by hand) is still listed, by its id.
            match source.iter().find(|e| &e.id == id) {
                Some(exposure) => {
                    section.add_row(vec![exposure.severity.to_string(), exposure.title.clone()])
                }
                None => section.add_row(vec!["-".to_string(), id.clone()]),
            };
        }
        out.push_str(&format!("\n{title}\n{section}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckResult, Severity, Status};

    #[test]
    fn resource_types_are_shown_without_the_aws_prefix_account_settings_too() {
        assert_eq!(short_type("AWS::EC2::Instance"), "EC2::Instance");
        assert_eq!(short_type("AWS::::Account"), "Account");
        assert_eq!(short_type("Custom::Thing"), "Custom::Thing");
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.results.push(CheckResult {
            resource_type: "AWS::::Account".into(),
            resource_id: "123456789012".into(),
            ..CheckResult::example(
                "iam.root_mfa",
                "123456789012",
                Severity::Critical,
                Status::Fail,
            )
        });
        let table = render(&report);
        assert!(table.contains(" Account "), "{table}");
        assert!(!table.contains("::Account"), "{table}");
    }

    #[test]
    fn compliance_views_list_only_what_needs_a_look_and_count_the_rest() {
        use crate::compliance::{evaluate, frameworks::find};
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.results.push(CheckResult {
            resource_type: "AWS::EC2::Instance".into(),
            ..CheckResult::example(
                "ec2.imdsv2_required",
                "i-0abc",
                Severity::High,
                Status::Fail,
            )
        });
        report.compliance = ["cis-aws-3.0", "fsbp"]
            .map(|id| evaluate(find(id).unwrap(), report.evidence()))
            .into();
        let text = render(&report);
        for view in &report.compliance {
            let c = &view.counts;
            let headline = format!(
                "\n{} {} — {} pass, {} fail, {} not evaluated, {} not covered\nCoverage: ",
                view.name, view.version, c.pass, c.fail, c.not_evaluated, c.not_covered
            );
            assert!(text.contains(&headline), "{text}");
            assert!(text.contains(&format!(
                "({} passed and {} not covered not listed; `secaudit compliance REPORT \
                 --framework {}` lists all)\n",
                c.pass, c.not_covered, view.framework
            )));
            assert!(c.pass > 0 && c.not_covered > 0 && c.fail == 1, "{c:?}");
        }
        let status = |label: &str| {
            text.lines()
                .filter(|l| l.contains(&format!("┆ {label} ")))
                .count()
        };
        assert_eq!(status("FAIL"), 2, "{text}");
        assert_eq!(status("pass"), 0, "{text}");
        assert_eq!(status("not covered"), 0, "{text}");
    }

    #[test]
    fn open_exposures_come_first_with_their_steps_and_fix_hidden_ones_only_counted() {
        use crate::deliver::alert::tests::{exposure, mute, report, result};
        let mut report = report(vec![result(1, Severity::High, Status::Fail)]);
        assert!(!render(&report).to_lowercase().contains("exposure"));

        let mut open = exposure(1, Severity::Critical);
        open.steps[1].muted = Some(mute(2, false));
        let mut hidden = exposure(2, Severity::High);
        hidden.muted = Some(mute(3, true));
        report.exposures = vec![open, hidden];
        let table = render(&report);
        let heading = table.find("\nEXPOSURES (1)\n").expect(&table);
        assert!(heading < table.find("HIGH findings").unwrap(), "{table}");
        assert!(
            table[..heading].starts_with("secaudit report run-1"),
            "{table}"
        );
        assert!(table.contains(
            "\n[CRITICAL] Instance i-1 is reachable from the internet with administrator rights\n"
        ));
        assert!(
            table.contains("\nFix: Close sg-00000001 to the world.\n"),
            "{table}"
        );
        let lines: Vec<&str> = table.lines().collect();
        let row = |needle: &str| lines.iter().find(|l| l.contains(needle)).copied();
        let entry = row("ec2.no_public_ip").unwrap();
        assert!(
            entry.contains("entry") && entry.contains("EC2::Instance i-1 "),
            "{entry}"
        );
        assert!(row("Has a public address.").is_some_and(|l| !l.contains("accepted")));
        let ease = row("Opens SSH to the world.").unwrap();
        assert!(
            ease.contains("(accepted risk)") && ease.contains(" ease "),
            "{ease}"
        );
        assert!(
            table.contains("\n1 exposure(s) hidden by the mutelist.\n"),
            "{table}"
        );
        assert!(!table.contains("i-2 "), "{table}");
    }

    #[test]
    fn the_changes_table_lists_new_and_resolved_exposures_before_the_findings() {
        use crate::deliver::alert::tests::{exposure, report, result};
        let mut old = report(vec![]);
        old.exposures = vec![exposure(2, Severity::High)];
        let mut new = report(vec![result(1, Severity::High, Status::Fail)]);
        new.exposures = vec![exposure(1, Severity::Critical)];
        let mut changes = Changes {
            new: vec![new.results[0].id.clone()],
            ..Default::default()
        };
        changes.exposures.new = vec![new.exposures[0].id.clone()];
        changes.exposures.resolved = vec![old.exposures[0].id.clone()];
        let text = render_changes(&old, &new, &changes);
        assert!(
            text.contains("Exposures: 1 new, 1 resolved, 0 not verified\n"),
            "{text}"
        );
        let (added, resolved, findings) = (
            text.find("\nNEW EXPOSURES\n").expect(&text),
            text.find("\nRESOLVED EXPOSURES\n").expect(&text),
            text.find("\nNEW\n").expect(&text),
        );
        assert!(added < resolved && resolved < findings, "{text}");
        let i1 = text.find("Instance i-1 is reachable").expect(&text);
        let i2 = text.find("Instance i-2 is reachable").expect(&text);
        assert!(
            added < i1 && i1 < resolved && resolved < i2 && i2 < findings,
            "{text}"
        );
        assert!(!text.contains("NOT VERIFIED (a step"), "{text}");

        // Nothing moved: no exposure lines at all.
        changes.exposures = Default::default();
        assert!(!render_changes(&old, &new, &changes).contains("xposure"));
    }
}
