//! Assess: from an account scan and a context, the report. Pure: no I/O, no clock.
//! Everything that changes what a finding counts for happens here, and the score and the
//! summary are computed once, at the end, from what it decided.

use crate::model::Weights;
use crate::report::{Report, Summary, SCHEMA_VERSION};
use crate::scan::AccountScan;
use crate::score::score;

/// What the assessment needs besides the scan.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AssessContext {
    pub weights: Weights,
}

/// The report of one account scan.
pub fn assess(scan: AccountScan, context: &AssessContext) -> Report {
    let results = scan.findings;
    Report {
        schema_version: SCHEMA_VERSION,
        run_id: scan.run_id,
        account_id: scan.account_id,
        regions: scan.regions,
        environment: scan.environment.as_ref().map(|f| f.value.clone()),
        environment_tag_key: scan.environment.as_ref().map(|f| f.tag_key.clone()),
        started_at: scan.started_at,
        finished_at: scan.finished_at,
        duration_ms: scan.duration_ms,
        complete: scan.errors.is_empty(),
        score: score(&results, context.weights),
        summary: Summary::of(&results),
        results,
        errors: scan.errors,
        api_calls: scan.api_calls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{AuditError, CheckResult, Severity, Status};

    fn finding(check_id: &'static str, severity: Severity, status: Status) -> CheckResult {
        CheckResult {
            id: format!("{check_id}/123456789012/us-east-1/AWS::S3::Bucket/b"),
            check_id: check_id.into(),
            service: "s3".into(),
            severity,
            status,
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "b".into(),
            resource_name: None,
            resource_arn: None,
            region: "us-east-1".into(),
            title: "".into(),
            detail: String::new(),
            remediation: "".into(),
            reference: "".into(),
        }
    }

    fn account_scan(findings: Vec<CheckResult>, errors: Vec<AuditError>) -> AccountScan {
        AccountScan {
            run_id: "run".into(),
            account_id: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            services: Default::default(),
            environment: None,
            started_at: "2026-11-27T02:00:00Z".into(),
            finished_at: "2026-11-27T02:00:05Z".into(),
            duration_ms: 5000,
            findings,
            errors,
            api_calls: Default::default(),
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
