//! Assess: from an account scan and a context, the report. Pure: no I/O, no clock (the
//! day a mutelist rule is judged on is the scan's start).
//!
//! Order matters and is fixed here: mutes are applied, then the run is compared with its
//! baseline, then score, summary and the compliance views are computed once, from what those
//! two decided.

mod diff;
pub mod mutelist;
pub mod organization;
pub mod score;

use time::Date;

pub use diff::{compare, compare_reports, error_covers_result, Scope};

use crate::compliance::Framework;
use crate::model::resource_key;
use crate::model::{AuditError, Weights};
use crate::report::{BaselineRef, Report, Summary, SCHEMA_VERSION};
use crate::scan::AccountScan;
use mutelist::Mutelist;
use score::score;

/// What the assessment needs besides the scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessContext {
    pub weights: Weights,
    /// Accepted risks; `None` mutes nothing.
    pub mutelist: Option<Mutelist>,
    /// The same account's previous report, to compare with.
    pub baseline: Option<Report>,
    /// What went wrong preparing the context (a baseline or mutelist that could not be read):
    /// reported among the errors, so the report says what it could not do.
    pub problems: Vec<AuditError>,
    /// The compliance views the report carries (`--compliance`, `SECAUDIT_COMPLIANCE`).
    pub frameworks: Vec<&'static Framework>,
}

/// The report of one account scan.
pub fn assess(scan: AccountScan, context: &AssessContext) -> Report {
    let mut results = scan.findings;
    let today = Date::parse(
        scan.started_at.get(..10).unwrap_or_default(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    // Unreachable for a scan's own timestamp; a rule then counts as expired, never as muting.
    .unwrap_or(Date::MAX);
    let mutelist = context.mutelist.as_ref().map(|mutelist| {
        mutelist.apply(&mut results, &scan.account_id, today, |result| {
            scan.resource_tags.get(&resource_key(
                &result.region,
                &result.resource_type,
                &result.resource_id,
            ))
        })
    });

    let mut exposures = scan.exposures;
    crate::exposures::annotate(&mut exposures, &results);

    let scope = Scope {
        services: Some(&scan.services),
        regions: &scan.regions,
        environment_filtered: scan.environment.is_some(),
        errors: &scan.errors,
    };
    let (baseline, changes, carried_findings) = match &context.baseline {
        Some(baseline) => {
            let comparison =
                diff::compare(baseline, &mut results, &exposures, &scope, &scan.started_at);
            (
                Some(BaselineRef {
                    run_id: baseline.run_id.clone(),
                    finished_at: baseline.finished_at.clone(),
                }),
                Some(comparison.changes),
                comparison.carried,
            )
        }
        None => {
            for result in results.iter_mut().filter(|r| r.is_failed()) {
                result.first_seen = Some(scan.started_at.clone());
            }
            (None, None, Vec::new())
        }
    };

    let mut errors = scan.errors;
    errors.extend(context.problems.iter().cloned());
    let mut report = Report {
        schema_version: SCHEMA_VERSION,
        run_id: scan.run_id,
        account_id: scan.account_id,
        regions: scan.regions,
        environment: scan.environment.as_ref().map(|f| f.value.clone()),
        environment_tag_key: scan.environment.as_ref().map(|f| f.tag_key.clone()),
        started_at: scan.started_at,
        finished_at: scan.finished_at,
        duration_ms: scan.duration_ms,
        complete: errors.is_empty(),
        // Muted results are left out of the score, as Security Hub leaves suppressed findings
        // out of a control's status.
        score: score(
            results.iter().filter(|r| r.muted.is_none()),
            context.weights,
        ),
        summary: Summary::of(&results),
        results,
        exposures,
        errors,
        api_calls: scan.api_calls,
        services: scan
            .services
            .iter()
            .map(|s| s.as_str().to_string())
            .collect(),
        baseline,
        changes,
        carried_findings,
        mutelist,
        trend: Vec::new(),
        compliance: Vec::new(),
        rechecks: Vec::new(),
    };
    judge_compliance(&mut report, context.frameworks.iter().copied());
    report
}

/// The compliance views of `frameworks`, judged from the report's results: the one place a
/// report's views are computed.
pub fn judge_compliance<'a>(
    report: &mut Report,
    frameworks: impl IntoIterator<Item = &'a Framework>,
) {
    report.compliance = crate::compliance::views(frameworks, report.evidence());
}

/// The views a report already carries, judged again after its results changed (a re-check's
/// merge).
pub fn rejudge_compliance(report: &mut Report) {
    let frameworks =
        crate::compliance::known(report.compliance.iter().map(|v| v.framework.as_str()));
    judge_compliance(report, frameworks);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuditError, CheckResult, Severity, Status};

    fn finding(check_id: &'static str, severity: Severity, status: Status) -> CheckResult {
        CheckResult::example(check_id, "b", severity, status)
    }

    fn account_scan(findings: Vec<CheckResult>, errors: Vec<AuditError>) -> AccountScan {
        AccountScan {
            unjudged: Vec::new(),
            run_id: "run".into(),
            account_id: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            services: Default::default(),
            environment: None,
            started_at: "2026-11-27T02:00:00Z".into(),
            finished_at: "2026-11-27T02:00:05Z".into(),
            duration_ms: 5000,
            findings,
            exposures: Vec::new(),
            errors,
            api_calls: Default::default(),
            resource_tags: Default::default(),
        }
    }

    #[test]
    fn score_and_summary_come_from_the_assessed_findings_with_the_context_weights() {
        let scan = account_scan(
            vec![
                finding("s3.public_access_block", Severity::Critical, Status::Fail),
                finding("s3.versioning", Severity::Medium, Status::Pass),
            ],
            vec![],
        );
        let mut context = AssessContext::default();
        let report = assess(scan.clone(), &context);
        assert_eq!(report.score.overall, Some(16.7));
        assert_eq!(report.summary.failed_by_severity.critical, 1);
        assert!(report.complete);
        assert_eq!(report.run_id, "run");

        context.weights.critical = 2.0;
        assert_eq!(assess(scan, &context).score.overall, Some(50.0));
    }

    #[test]
    fn a_scan_with_errors_is_an_incomplete_report() {
        let error = AuditError {
            service: "s3".into(),
            region: "global".into(),
            operation: "ListBuckets".into(),
            resource_id: None,
            code: "AccessDenied".into(),
            message: "denied".into(),
            required_permission: Some("s3:ListAllMyBuckets".into()),
        };
        let report = assess(account_scan(vec![], vec![error]), &AssessContext::default());
        assert!(!report.complete);
        assert_eq!(report.score.overall, None);
        assert_eq!(report.errors.len(), 1);
    }
}
