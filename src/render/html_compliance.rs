//! The HTML page's compliance section, as data for its template: per framework view a one-line
//! headline and one row per requirement, a failing one linking to its failing results' rows.
//! Every string here is text; the template escapes it like any other value.

use std::collections::{HashMap, HashSet};

use super::anchor;
use crate::compliance::{FrameworkView, RequirementStatus, RequirementView};
use crate::model::CheckResult;

pub(super) struct FrameworkBlock<'a> {
    pub(super) view: &'a FrameworkView,
    /// Counts per status, coverage and score, in one line: numbers and fixed words only.
    pub(super) summary: String,
    pub(super) rows: Vec<RequirementRow<'a>>,
}

pub(super) struct RequirementRow<'a> {
    pub(super) requirement: &'a RequirementView,
    /// `pass`, `fail`, `not_evaluated` or `not_covered`: the cell's class is `st-` this.
    pub(super) status: &'static str,
    pub(super) label: &'static str,
    /// A failing requirement's failing results; empty otherwise.
    pub(super) failing: Vec<ResultLink>,
}

pub(super) struct ResultLink {
    /// `check on resource`, or the bare result id when the report does not hold it.
    pub(super) text: String,
    pub(super) anchor: String,
    /// Its result has a row on this page (open or muted), as an exposure step's link.
    pub(super) linked: bool,
}

/// The blocks of `views`, linking to the results of `on_page` (ids of rows the page has).
pub(super) fn blocks<'a>(
    views: &'a [FrameworkView],
    results: &'a [CheckResult],
    on_page: &HashSet<&str>,
) -> Vec<FrameworkBlock<'a>> {
    let by_id: HashMap<&str, &CheckResult> = results.iter().map(|r| (r.id.as_str(), r)).collect();
    views
        .iter()
        .map(|view| FrameworkBlock {
            view,
            summary: summary(view),
            rows: view
                .requirements
                .iter()
                .map(|requirement| row(requirement, &by_id, on_page))
                .collect(),
        })
        .collect()
}

fn summary(view: &FrameworkView) -> String {
    let c = &view.counts;
    let mut line = format!(
        "{} pass · {} fail · {} not evaluated · {} not covered · coverage {:.1}% of requirements",
        c.pass, c.fail, c.not_evaluated, c.not_covered, view.coverage
    );
    if let Some(automated) = view.automated_coverage {
        line.push_str(&format!(", {automated:.1}% of automated"));
    }
    match view.score {
        Some(score) => line.push_str(&format!(" · score {score:.1}")),
        None => line.push_str(" · nothing judged"),
    }
    line
}

fn row<'a>(
    requirement: &'a RequirementView,
    by_id: &HashMap<&str, &CheckResult>,
    on_page: &HashSet<&str>,
) -> RequirementRow<'a> {
    let label = match (requirement.status, requirement.accepted) {
        (RequirementStatus::Fail, true) => "fail (accepted)",
        (RequirementStatus::Fail, false) => "fail",
        (RequirementStatus::Pass, _) => "pass",
        (RequirementStatus::NotEvaluated, _) => "not evaluated",
        (RequirementStatus::NotCovered, _) => "not covered",
    };
    let failing = match requirement.status {
        RequirementStatus::Fail => requirement
            .results
            .iter()
            .take(requirement.failed)
            .map(|id| ResultLink {
                text: by_id.get(id.as_str()).map_or_else(
                    || id.clone(),
                    |r| format!("{} on {}", r.check_id, r.resource_id),
                ),
                anchor: anchor(id),
                linked: on_page.contains(id.as_str()),
            })
            .collect(),
        _ => Vec::new(),
    };
    RequirementRow {
        requirement,
        status: requirement.status.as_str(),
        label,
        failing,
    }
}
