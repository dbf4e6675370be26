//! A framework view as a terminal table or as CSV for auditors' spreadsheets.

use std::collections::HashMap;

use comfy_table::Table;

use super::text_table;
use crate::compliance::frameworks::{mapped_checks, partial_because};
use crate::compliance::{
    percent, Framework, FrameworkView, Requirement, RequirementStatus, RequirementView,
};
use crate::model::CheckResult;
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
    let mut out = headline(view);
    out.push_str(&format!("{}\n", rows(view.requirements.iter())));
    out
}

/// After a scan's findings: the headline, and only the requirements that need a look (failed
/// or not evaluated); the others are counted, with the command that lists every one. FSBP's
/// 363 rows in full would bury the findings.
pub fn render_brief(view: &FrameworkView) -> String {
    let mut out = headline(view);
    let listed: Vec<&RequirementView> = view
        .requirements
        .iter()
        .filter(|r| {
            matches!(
                r.status,
                RequirementStatus::Fail | RequirementStatus::NotEvaluated
            )
        })
        .collect();
    if !listed.is_empty() {
        out.push_str(&format!("{}\n", rows(listed.into_iter())));
    }
    out.push_str(&format!(
        "({} passed and {} not covered not listed; `secaudit compliance REPORT --framework {}` \
         lists all)\n",
        view.counts.pass, view.counts.not_covered, view.framework
    ));
    out
}

/// Counts per status, coverage and score: two lines.
fn headline(view: &FrameworkView) -> String {
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
    out
}

fn rows<'a>(requirements: impl Iterator<Item = &'a RequirementView>) -> Table {
    let mut rows = text_table(&["Requirement", "Status", "Title", "Checks", "Why"]);
    for r in requirements {
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
    rows
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

/// What secaudit covers of `framework`, requirement by requirement, as Markdown: the committed
/// coverage tables in docs/ are this output.
pub fn render_coverage(framework: &Framework) -> String {
    let about = &framework.about;
    let rows: Vec<(&Requirement, Vec<&str>)> = framework
        .requirements
        .iter()
        .map(|r| {
            let checks = mapped_checks(framework, &r.id)
                .iter()
                .map(|c| c.id)
                .collect();
            (r, checks)
        })
        .collect();
    let covered = rows.iter().filter(|(_, checks)| !checks.is_empty()).count();
    // Covered requirements whose checks judge only part of them.
    let in_part = |rows: &[&(&Requirement, Vec<&str>)]| {
        rows.iter()
            .filter(|(r, c)| !c.is_empty() && partial_because(r).is_some())
            .count()
    };
    let all_rows: Vec<_> = rows.iter().collect();
    let partly = |count: usize| match count {
        0 => String::new(),
        n => format!(" ({n} in part)"),
    };
    let mut out = format!(
        "# {} {}: what secaudit covers\n\n\
         Generated by `secaudit compliance --coverage --framework {}` (`make generate`); do \
         not edit. The \
         requirements are those of {} (as of {}).\n\n\
         {covered} of {} requirements are covered by at least one check ({:.1}%){}",
        about.name,
        about.version,
        about.id,
        about.source,
        about.as_of,
        rows.len(),
        percent(covered, rows.len()),
        partly(in_part(&all_rows)),
    );
    if about.automated.is_some() {
        let automated: Vec<_> = rows.iter().filter(|(r, _)| r.is_automated()).collect();
        let automated_covered = automated.iter().filter(|(_, c)| !c.is_empty()).count();
        out.push_str(&format!(
            "; {automated_covered} of the {} automated ones ({:.1}%){}",
            automated.len(),
            percent(automated_covered, automated.len()),
            partly(in_part(&automated)),
        ));
    }
    // FSBP rates its controls: how many of each severity are covered (the first question of
    // an evaluation is the critical and high ones).
    let rated: Vec<(&str, usize, usize, usize)> = ["critical", "high", "medium", "low"]
        .into_iter()
        .filter_map(|severity| {
            let of: Vec<_> = rows
                .iter()
                .filter(|(r, _)| r.severity.as_deref() == Some(severity))
                .collect();
            let covered = of.iter().filter(|(_, c)| !c.is_empty()).count();
            (!of.is_empty()).then_some((severity, covered, of.len(), in_part(&of)))
        })
        .collect();
    if !rated.is_empty() {
        let counts: Vec<String> = rated
            .iter()
            .map(|(severity, covered, all, in_part)| {
                format!("{covered} of {all} {severity}{}", partly(*in_part))
            })
            .collect();
        out.push_str(&format!("; by severity, {}", counts.join(", ")));
    }
    out.push_str(".\n\n| Requirement | Title | ");
    out.push_str(if about.automated.is_some() {
        "Assessment"
    } else {
        "Severity"
    });
    out.push_str(" | Checks |\n|---|---|---|---|\n");
    for (r, checks) in &rows {
        let kind = r
            .assessment
            .as_deref()
            .or(r.severity.as_deref())
            .unwrap_or("");
        let checks = if checks.is_empty() {
            match &r.not_covered_because {
                Some(reason) => format!("not covered: {reason}"),
                None => "not covered".to_string(),
            }
        } else {
            checks
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", ")
                + &partial_because(r)
                    .map(|why| format!(" (partial: {why})"))
                    .unwrap_or_default()
        };
        out.push_str(&format!(
            "| {} | {} | {kind} | {checks} |\n",
            r.id,
            r.title.replace('|', "\\|")
        ));
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
    fn fsbp_coverage_counts_each_severity() {
        let fsbp = crate::compliance::frameworks::find("fsbp").unwrap();
        let text = render_coverage(fsbp);
        let all = |severity: &str| {
            fsbp.requirements
                .iter()
                .filter(|r| r.severity.as_deref() == Some(severity))
                .count()
        };
        assert_eq!((all("critical"), all("high")), (27, 58));
        assert!(text.contains(" of 27 critical, "), "{text}");
        assert!(text.contains(" of 58 high"), "{text}");
        // A requirement whose checks judge only part of it is counted and marked so.
        let partial = fsbp
            .requirements
            .iter()
            .filter(|r| !mapped_checks(fsbp, &r.id).is_empty())
            .filter(|r| partial_because(r).is_some())
            .count();
        assert!(partial > 0);
        assert!(text.contains(&format!("({partial} in part)")), "{text}");
        assert!(
            text.contains("(partial: the rule judges every DB instance"),
            "{text}"
        );
        // CIS rates no recommendation.
        let cis = crate::compliance::frameworks::find("cis-aws-3.0").unwrap();
        assert!(!render_coverage(cis).contains("by severity"));
    }

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
