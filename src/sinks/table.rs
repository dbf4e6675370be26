//! The report for people: score, counts, failed results by severity, errors.

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

use std::io::{self, Write};

use super::Render;
use crate::checks::Check;
use crate::report::{Report, Severity};

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

fn table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(header.to_vec());
    table
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
    out.push_str(&format!(
        "Failed by severity: critical {}, high {}, medium {}, low {}\n",
        counts.critical, counts.high, counts.medium, counts.low
    ));

    for severity in Severity::ALL {
        let failed: Vec<_> = report.failed().filter(|r| r.severity == severity).collect();
        if failed.is_empty() {
            continue;
        }
        let mut section = table(&["Check", "Resource", "Region", "Detail"]);
        for result in failed {
            section.add_row(vec![
                result.check_id.as_ref(),
                result.resource_id.as_str(),
                result.region.as_str(),
                result.detail.as_str(),
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

    if !report.errors.is_empty() {
        let mut errors = table(&[
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
                "Access was denied. Grant the auditing principal {} (all included in the AWS-managed SecurityAudit policy) and run again.\n",
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
    out
}

/// The check catalog, for `secaudit checks`.
pub fn render_catalog<'a>(checks: impl IntoIterator<Item = &'a Check>) -> String {
    let mut catalog = table(&["Check", "Severity", "Title", "Security Hub", "CIS"]);
    for check in checks {
        catalog.add_row(vec![
            check.id.to_string(),
            check.severity.to_string(),
            check.title.to_string(),
            check.fsbp.join(", "),
            check.cis.join(", "),
        ]);
    }
    format!("{catalog}\n")
}
