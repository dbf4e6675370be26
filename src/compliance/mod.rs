//! Compliance views: a framework's every requirement judged from a report, with one of pass,
//! fail, not evaluated (a mapped check could not read everything) or not covered (no check
//! maps to it), so coverage is a number and no requirement is silently missing.

pub mod frameworks;

use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::model::{AuditError, CheckResult};
use crate::services::checks::Check;
use crate::services::Service;
pub use frameworks::{Framework, Requirement};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementStatus {
    Pass,
    Fail,
    /// A mapped check's service was not audited, or an error may have hidden a result.
    NotEvaluated,
    /// No check maps to it (for CIS, manual recommendations among them).
    NotCovered,
}

impl RequirementStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RequirementStatus::Pass => "pass",
            RequirementStatus::Fail => "fail",
            RequirementStatus::NotEvaluated => "not_evaluated",
            RequirementStatus::NotCovered => "not_covered",
        }
    }
}

/// One requirement's verdict and the results it rests on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequirementView {
    pub id: String,
    pub title: String,
    pub status: RequirementStatus,
    /// Failed, and every failing result is muted: an accepted risk.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub accepted: bool,
    pub checks: Vec<String>,
    /// Failing results first (the first `failed` of them), then the passing ones.
    pub results: Vec<String>,
    pub failed: usize,
    /// Why it is not evaluated or not covered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatusCounts {
    pub pass: usize,
    pub fail: usize,
    pub not_evaluated: usize,
    pub not_covered: usize,
}

impl StatusCounts {
    pub fn of(statuses: impl IntoIterator<Item = RequirementStatus>) -> Self {
        let mut counts = StatusCounts::default();
        for status in statuses {
            match status {
                RequirementStatus::Pass => counts.pass += 1,
                RequirementStatus::Fail => counts.fail += 1,
                RequirementStatus::NotEvaluated => counts.not_evaluated += 1,
                RequirementStatus::NotCovered => counts.not_covered += 1,
            }
        }
        counts
    }

    pub fn total(&self) -> usize {
        self.pass + self.fail + self.not_evaluated + self.not_covered
    }

    /// Covered ÷ all, in percent.
    pub fn coverage(&self) -> f64 {
        percent(self.total() - self.not_covered, self.total())
    }

    /// Passed ÷ judged, in percent; `None` when nothing was judged.
    pub fn score(&self) -> Option<f64> {
        let judged = self.pass + self.fail;
        (judged > 0).then(|| percent(self.pass, judged))
    }
}

/// A framework's counts, for summaries of many accounts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkCounts {
    pub framework: String,
    pub counts: StatusCounts,
    pub coverage: f64,
    pub score: Option<f64>,
}

impl FrameworkCounts {
    pub fn new(framework: &str, counts: StatusCounts) -> Self {
        FrameworkCounts {
            framework: framework.to_string(),
            counts,
            coverage: counts.coverage(),
            score: counts.score(),
        }
    }
}

/// The organization's status of one requirement from its accounts': failing anywhere fails
/// it; a pass needs a pass everywhere (an account not judged leaves it not evaluated).
pub fn combine(a: RequirementStatus, b: RequirementStatus) -> RequirementStatus {
    use RequirementStatus::*;
    match (a, b) {
        (NotCovered, _) | (_, NotCovered) => NotCovered,
        (Fail, _) | (_, Fail) => Fail,
        (NotEvaluated, _) | (_, NotEvaluated) => NotEvaluated,
        (Pass, Pass) => Pass,
    }
}

/// A framework judged from one report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameworkView {
    pub framework: String,
    pub name: String,
    pub version: String,
    pub counts: StatusCounts,
    /// Covered ÷ all requirements, in percent (one decimal).
    pub coverage: f64,
    /// CIS: automated recommendations covered ÷ automated recommendations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automated_coverage: Option<f64>,
    /// Passed ÷ (passed + failed), in percent; `None` when nothing was judged.
    pub score: Option<f64>,
    pub requirements: Vec<RequirementView>,
}

/// `part` of `whole` in percent, one decimal (0 of nothing is 0).
pub fn percent(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        return 0.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// What a requirement is judged on: a report's results, the services it audited (empty: every
/// service, an older report) and what it could not read.
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'a> {
    pub results: &'a [CheckResult],
    pub services: &'a [String],
    pub errors: &'a [AuditError],
    /// Only resources with the environment's tag were judged: nothing passes for the account.
    pub environment_filtered: bool,
}

/// Every requirement of `framework`, judged from `report`.
pub fn evaluate(framework: &Framework, report: Evidence) -> FrameworkView {
    let requirements: Vec<RequirementView> = framework
        .requirements
        .iter()
        .map(|requirement| judge(framework, requirement, report))
        .collect();
    let counts = StatusCounts::of(requirements.iter().map(|r| r.status));
    let automated: Vec<(&Requirement, &RequirementView)> = framework
        .requirements
        .iter()
        .zip(&requirements)
        .filter(|(r, _)| r.is_automated())
        .collect();
    let automated_coverage = framework.about.automated.map(|_| {
        let covered = automated
            .iter()
            .filter(|(_, v)| v.status != RequirementStatus::NotCovered)
            .count();
        percent(covered, automated.len())
    });
    FrameworkView {
        framework: framework.about.id.clone(),
        name: framework.about.name.clone(),
        version: framework.about.version.clone(),
        counts,
        coverage: counts.coverage(),
        automated_coverage,
        score: counts.score(),
        requirements,
    }
}

/// The views of `frameworks`, each judged from the same evidence.
pub fn views<'a>(
    frameworks: impl IntoIterator<Item = &'a Framework>,
    evidence: Evidence,
) -> Vec<FrameworkView> {
    frameworks
        .into_iter()
        .map(|framework| evaluate(framework, evidence))
        .collect()
}

/// The shipped frameworks `ids` name, skipping unknown ones (configuration checks them first).
pub fn known<'a>(ids: impl IntoIterator<Item = &'a str>) -> Vec<&'static Framework> {
    ids.into_iter()
        .filter_map(|id| frameworks::find(id).ok())
        .collect()
}

fn judge(framework: &Framework, requirement: &Requirement, report: Evidence) -> RequirementView {
    let checks = frameworks::mapped_checks(framework, &requirement.id);
    let mut view = RequirementView {
        id: requirement.id.clone(),
        title: requirement.title.clone(),
        status: RequirementStatus::NotCovered,
        accepted: false,
        checks: checks.iter().map(|c| c.id.to_string()).collect(),
        results: Vec::new(),
        failed: 0,
        reason: None,
    };
    if checks.is_empty() {
        view.reason = Some(match requirement.assessment.as_deref() {
            Some("manual") => "manual: no check can decide it".into(),
            _ => requirement
                .not_covered_because
                .clone()
                .unwrap_or_else(|| "no secaudit check maps to it".into()),
        });
        return view;
    }
    let results: Vec<&CheckResult> = report
        .results
        .iter()
        .filter(|r| {
            checks
                .iter()
                .any(|c| c.id == r.check_id && requirement.judges(c, &r.resource_type))
        })
        .filter(|r| frameworks::in_scope(&framework.about.id, &requirement.id, &r.facts))
        .collect();
    // Where the requirement judges otherwise than the check, the result's facts decide.
    let fails = |r: &CheckResult| {
        frameworks::fails_requirement(&framework.about.id, &requirement.id, &r.facts)
            .unwrap_or_else(|| r.is_failed())
    };
    let failing: Vec<&&CheckResult> = results.iter().filter(|r| fails(r)).collect();
    view.results = failing
        .iter()
        .map(|r| r.id.clone())
        .chain(results.iter().filter(|r| !fails(r)).map(|r| r.id.clone()))
        .collect();
    view.failed = failing.len();
    if !failing.is_empty() {
        view.status = RequirementStatus::Fail;
        view.accepted = failing.iter().all(|r| r.muted.is_some());
        return view;
    }
    // Nothing failed: a pass only if the mapped checks judge all of the requirement and read
    // everything they needed.
    let unread: Vec<String> = frameworks::partial_because(requirement)
        .into_iter()
        .map(|because| format!("judged in part only: {because}"))
        .chain(
            checks
                .iter()
                .filter_map(|check| unread_because(check, report)),
        )
        .collect();
    if unread.is_empty() {
        view.status = RequirementStatus::Pass;
    } else {
        view.status = RequirementStatus::NotEvaluated;
        view.reason = Some(unread.join("; "));
    }
    view
}

/// Why the report cannot vouch for every result of `check`: its service not audited, or a
/// failed call it reads ([`Check::hidden_by`]) that may have hidden a result.
fn unread_because(check: &Check, report: Evidence) -> Option<String> {
    let service = check.service;
    if report.environment_filtered {
        return Some("the report judged one environment's resources only".into());
    }
    // A report older than `services` says what it audited only through its results.
    let audited = if report.services.is_empty() {
        report.results.iter().any(|r| r.service == service.as_str())
    } else {
        report
            .services
            .iter()
            .any(|s| Service::from_str(s).is_ok_and(|s| s == service))
    };
    if !audited {
        return Some(format!("{} was not audited", service.as_str()));
    }
    let judged = |resource: &str| {
        report.results.iter().any(|r| {
            r.check_id == check.id
                && (r.resource_id == resource || r.resource_arn.as_deref() == Some(resource))
        })
    };
    // An error about one resource hides nothing where the check has a result for that
    // resource: it read what it needed.
    let error = report.errors.iter().find(|e| {
        check.hidden_by(e, &e.region, None) && !e.resource_id.as_deref().is_some_and(judged)
    })?;
    let needs = error
        .required_permission
        .as_deref()
        .map(|permission| format!(", needs {permission}"))
        .unwrap_or_default();
    Some(format!(
        "{} {} failed in {} ({}{needs})",
        error.service, error.operation, error.region, error.code
    ))
}

#[cfg(test)]
mod tests;
