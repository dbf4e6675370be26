//! A framework view as a terminal table or as CSV for auditors' spreadsheets.

use std::collections::HashMap;

use crate::compliance::{FrameworkView, RequirementStatus};
use crate::model::CheckResult;
use crate::render::table::table;
use crate::report::Report;

fn status_label(status: RequirementStatus, accepted: bool) -> &'static str {
    match (status, accepted) {
        (RequirementStatus::Fail, true) => "FAIL (accepted)",
        (RequirementStatus::Fail, false) => "FAIL",
        (RequirementStatus::Pass, _) => "pass",
        (RequirementStatus::NotEvaluated, _) => "not evaluated",
        (RequirementStatus::NotCovered, _) => "not covered",
    }
}

/// The headline (counts, coverage, score) and one row per requirement.
pub fn render_table(view: &FrameworkView) -> String {
    let c = &view.counts;
    let mut out = format!(
        "{} {} — {} pass, {} fail, {} not evaluated, {} not covered\n",
        view.name, view.version, c.pass, c.fail, c.not_evaluated, c.not_covered
    );
    out.push_str(&format!("Coverage: {:.1}% of requirements", view.coverage));
    if let Some(automated) = view.automated_coverage {
        out.push_str(&format!(", {automated:.1}% of automated ones"));
    }
    match view.score {
        Some(score) => out.push_str(&format!("; score over the judged ones: {score:.1}\n")),
        None => out.push_str("; nothing judged\n"),
    }
    let mut rows = table(&["Requirement", "Status", "Title", "Checks", "Why"]);
    for r in &view.requirements {
        let why = match (r.status, &r.reason) {
            (RequirementStatus::Fail, _) => format!("{} failing result(s)", r.failed),
            (_, Some(reason)) => reason.clone(),
            _ => String::new(),
        };
        rows.add_row(vec![
            r.id.clone(),
            status_label(r.status, r.accepted).to_string(),
            r.title.clone(),
            r.checks.join(", "),
            why,
        ]);
    }
    out.push_str(&format!("{rows}\n"));
    out
}

/// One row per (requirement, result), and one for a requirement without results: framework,
/// requirement id, title, status, check ids, resource, region, result id, muted, reason.
pub fn render_csv(view: &FrameworkView, report: &Report) -> String {
    let by_id: HashMap<&str, &CheckResult> =
        report.results.iter().map(|r| (r.id.as_str(), r)).collect();
    let mut out = String::from(
        "framework,requirement id,title,status,check ids,resource,region,result id,muted,reason\n",
    );
    for r in &view.requirements {
        let status = r.status.as_str();
        let checks = r.checks.join(" ");
        let row = |resource: &str, region: &str, result: &str, muted: &str, reason: &str| {
            [
                view.framework.as_str(),
                &r.id,
                &r.title,
                status,
                &checks,
                resource,
                region,
                result,
                muted,
                reason,
            ]
            .map(csv_field)
            .join(",")
                + "\n"
        };
        let reason = r.reason.as_deref().unwrap_or("");
        if r.results.is_empty() {
            out.push_str(&row("", "", "", "", reason));
        }
        for id in &r.results {
            let Some(result) = by_id.get(id.as_str()) else {
                continue;
            };
            let (muted, why) = match &result.muted {
                Some(mute) => ("yes", mute.reason.as_str()),
                None => ("no", reason),
            };
            out.push_str(&row(&result.resource_id, &result.region, id, muted, why));
        }
    }
    out
}

/// RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled.
fn csv_field(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_with_commas_and_quotes_are_quoted() {
        assert_eq!(csv_field("plain"), "plain");
        assert_eq!(csv_field("a, b"), "\"a, b\"");
        assert_eq!(
            csv_field("say \"least access\""),
            "\"say \"\"least access\"\"\""
        );
    }
}
