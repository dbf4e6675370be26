//! A run against its baseline: what is new, resolved, persisting, and what could not be
//! verified. Only what both runs looked at is compared: a finding this run did not evaluate
//! (an error, the deadline, a narrower scope) is never announced as resolved.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::str::FromStr;

use crate::exposures::Exposure;
use crate::model::{AuditError, CheckResult, Status};
use crate::report::{Changes, Report};
use crate::services::Service;

/// What a run looked at, and what it could not read.
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// `None`: every service (a report older than the `services` field).
    pub services: Option<&'a BTreeSet<Service>>,
    pub regions: &'a [String],
    /// Under an environment filter a missing resource may only have lost its tag.
    pub environment_filtered: bool,
    pub errors: &'a [AuditError],
}

impl Scope<'_> {
    /// Whether this run would have evaluated `finding` had its resource still existed.
    fn could_have_evaluated(&self, finding: &CheckResult) -> bool {
        let Ok(service) = Service::from_str(&finding.service) else {
            return false;
        };
        crate::services::checks::find(&finding.check_id).is_some()
            && self.services.is_none_or(|s| s.contains(&service))
            && (!service.is_regional() || self.regions.contains(&finding.region))
            && !self.environment_filtered
            && !self.errors.iter().any(|e| error_covers_result(e, finding))
    }
}

impl Scope<'_> {
    /// Whether this run read everything `exposure` was found from: its steps have verdicts
    /// (none is `unverified`), every service its kind joins was audited, in its region, and no
    /// call that a check of its kind's steps reads failed there.
    fn could_find(&self, exposure: &Exposure, unverified: &HashSet<&str>) -> bool {
        let region = exposure
            .steps
            .iter()
            .map(|s| s.region.as_str())
            .find(|r| *r != "global")
            .unwrap_or("global");
        exposure
            .steps
            .iter()
            .all(|s| !unverified.contains(s.result_id.as_str()))
            && !self.environment_filtered
            && (region == "global" || self.regions.iter().any(|r| r == region))
            && exposure
                .kind
                .joins()
                .iter()
                .all(|service| self.services.is_none_or(|s| s.contains(service)))
            && !exposure
                .kind
                .step_checks()
                .any(|check| self.errors.iter().any(|e| check.hidden_by(e, region, None)))
    }
}

/// Whether `error` may have hidden `result` (a re-check keeps such a result as it was): an
/// error of a call its check reads ([`Check::hidden_by`]).
///
/// [`Check::hidden_by`]: crate::services::checks::Check::hidden_by
pub fn error_covers_result(error: &AuditError, result: &CheckResult) -> bool {
    crate::services::checks::find(&result.check_id).is_some_and(|check| {
        check.hidden_by(
            error,
            &result.region,
            Some((&result.resource_id, result.resource_arn.as_deref())),
        )
    })
}

/// The outcome of one comparison.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub changes: Changes,
    /// The baseline's failed findings that could not be re-evaluated, as last seen.
    pub carried: Vec<CheckResult>,
}

/// Compares `results` (this run's, within `scope`) with `baseline`, and gives each failed
/// result its `first_seen`: the baseline's while it keeps failing, `now` when it is new.
pub fn compare(
    baseline: &Report,
    results: &mut [CheckResult],
    exposures: &[Exposure],
    scope: &Scope,
    now: &str,
) -> Comparison {
    // Failing before: the baseline's failed results and what it carried unverified.
    let before: Vec<&CheckResult> = baseline
        .results
        .iter()
        .filter(|r| r.is_failed())
        .chain(&baseline.carried_findings)
        .collect();
    let failing_before: HashMap<&str, &CheckResult> =
        before.iter().map(|r| (r.id.as_str(), *r)).collect();

    let mut changes = Changes::default();
    for result in results.iter_mut().filter(|r| r.is_failed()) {
        match failing_before.get(result.id.as_str()) {
            Some(old) => {
                result.first_seen = old
                    .first_seen
                    .clone()
                    .or_else(|| Some(baseline.started_at.clone()));
                changes.persisting.push(result.id.clone());
            }
            None => {
                result.first_seen = Some(now.to_string());
                changes.new.push(result.id.clone());
            }
        }
    }
    let evaluated: HashMap<&str, Status> =
        results.iter().map(|r| (r.id.as_str(), r.status)).collect();
    let mut carried = Vec::new();
    let mut seen = HashSet::new();
    for old in before {
        if !seen.insert(old.id.as_str()) {
            continue;
        }
        match evaluated.get(old.id.as_str()) {
            Some(Status::Fail) => {}
            Some(Status::Pass) => changes.resolved.push(old.id.clone()),
            None if scope.could_have_evaluated(old) => changes.resolved.push(old.id.clone()),
            None => {
                changes.unverified.push(old.id.clone());
                carried.push(old.clone());
            }
        }
    }
    let unverified: HashSet<&str> = changes.unverified.iter().map(String::as_str).collect();
    let exposures = crate::exposures::compare(&baseline.exposures, exposures, |gone| {
        scope.could_find(gone, &unverified)
    });
    changes.exposures = exposures;
    Comparison { changes, carried }
}

/// The changes between two saved reports of one account, as `new`'s run would have found them
/// had it been assessed against `old` (`secaudit diff`).
pub fn compare_reports(old: &Report, new: &Report) -> Changes {
    let services: BTreeSet<Service> = new
        .services
        .iter()
        .filter_map(|s| Service::from_str(s).ok())
        .collect();
    let scope = Scope {
        services: (!new.services.is_empty()).then_some(&services),
        regions: &new.regions,
        environment_filtered: new.environment.is_some(),
        errors: &new.errors,
    };
    let mut results = new.results.clone();
    compare(old, &mut results, &new.exposures, &scope, &new.started_at).changes
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{result_id, Severity};
    use crate::services::checks::test_support::denied as error;

    const ACCOUNT: &str = "123456789012";

    fn finding(
        check_id: &'static str,
        region: &str,
        resource: &str,
        status: Status,
    ) -> CheckResult {
        let service = check_id.split('.').next().unwrap();
        let resource_type = match service {
            "s3" => "AWS::S3::Bucket",
            "iam" => "AWS::IAM::Role",
            "sg" => "AWS::EC2::SecurityGroup",
            _ => "AWS::EC2::Instance",
        };
        CheckResult {
            id: result_id(check_id, ACCOUNT, region, resource_type, resource),
            resource_type: resource_type.into(),
            region: region.into(),
            ..CheckResult::example(check_id, resource, Severity::High, status)
        }
    }

    fn baseline(results: Vec<CheckResult>) -> Report {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.started_at = "2026-11-26T02:00:00Z".into();
        report.results = results;
        report
    }

    #[test]
    fn a_gone_exposure_is_resolved_only_when_every_service_it_joins_was_read() {
        use crate::exposures::{exposure, ExposureKind, ExposureStep, StepRole};
        let step = |check: &'static str, resource: &str, role| {
            let result = finding(check, "us-east-1", resource, Status::Fail);
            ExposureStep {
                result_id: result.id,
                check_id: check.into(),
                resource_type: result.resource_type.to_string(),
                resource_id: resource.into(),
                region: "us-east-1".into(),
                role,
                contributes: String::new(),
                muted: None,
            }
        };
        let chain = exposure(
            ExposureKind::ReachableInstance,
            vec![
                step("ec2.no_public_ip", "i-1", StepRole::Entry),
                step("ec2.imdsv2_required", "i-1", StepRole::Ease),
            ],
            false,
            String::new(),
            String::new(),
        );
        let mut before = baseline(vec![]);
        before.exposures = vec![chain.clone()];
        let regions = ["us-east-1".to_string()];
        let changes = |services: &BTreeSet<Service>, errors: &[AuditError]| {
            let scope = Scope {
                services: Some(services),
                regions: &regions,
                environment_filtered: false,
                errors,
            };
            compare(&before, &mut [], &[], &scope, NOW)
                .changes
                .exposures
        };
        // Security groups not audited this time: the chain could not have been joined.
        let no_groups: BTreeSet<Service> = [Service::Ec2, Service::Iam].into();
        assert_eq!(changes(&no_groups, &[]).unverified, vec![chain.id.clone()]);
        // Instances audited but unreadable in the region: neither.
        let denied = [error("ec2", "us-east-1", "DescribeInstances", None)];
        assert_eq!(
            changes(&all_services(), &denied).unverified,
            vec![chain.id.clone()]
        );
        // A read no check of the chain rests on hides nothing of it.
        let unrelated = [error("ec2", "us-east-1", "GetEbsEncryptionByDefault", None)];
        assert_eq!(
            changes(&all_services(), &unrelated).resolved,
            vec![chain.id.clone()]
        );
        // Everything read: gone means broken.
        let read = changes(&all_services(), &[]);
        assert_eq!(read.resolved, vec![chain.id.clone()]);
        assert!(read.unverified.is_empty());
    }

    const NOW: &str = "2026-11-27T02:00:00Z";

    fn all_services() -> BTreeSet<Service> {
        Service::ALL.into_iter().collect()
    }

    fn compare_with(
        before: Vec<CheckResult>,
        mut now: Vec<CheckResult>,
        scope: Scope,
    ) -> (Comparison, Vec<CheckResult>) {
        let comparison = compare(&baseline(before), &mut now, &[], &scope, NOW);
        (comparison, now)
    }

    fn us_east() -> Vec<String> {
        vec!["us-east-1".to_string()]
    }

    #[test]
    fn new_resolved_and_persisting_with_first_seen_carried() {
        let services = all_services();
        let regions = us_east();
        let scope = Scope {
            services: Some(&services),
            regions: &regions,
            environment_filtered: false,
            errors: &[],
        };
        let mut old_open = finding("s3.versioning", "us-east-1", "logs", Status::Fail);
        old_open.first_seen = Some("2026-10-01T02:00:00Z".into());
        let before = vec![
            old_open,
            finding("s3.versioning", "us-east-1", "fixed", Status::Fail),
            finding("s3.versioning", "us-east-1", "deleted", Status::Fail),
            finding("s3.versioning", "us-east-1", "was-fine", Status::Pass),
        ];
        let now = vec![
            finding("s3.versioning", "us-east-1", "logs", Status::Fail),
            finding("s3.versioning", "us-east-1", "fixed", Status::Pass),
            finding("s3.versioning", "us-east-1", "was-fine", Status::Fail),
            finding("s3.versioning", "us-east-1", "brand-new", Status::Fail),
        ];
        let (comparison, now) = compare_with(before, now, scope);
        let ids = |list: &[String]| {
            list.iter()
                .map(|id| id.rsplit('/').next().unwrap().to_string())
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&comparison.changes.persisting), ["logs"]);
        assert_eq!(ids(&comparison.changes.new), ["was-fine", "brand-new"]);
        assert_eq!(ids(&comparison.changes.resolved), ["fixed", "deleted"]);
        assert!(comparison.changes.unverified.is_empty());
        assert_eq!(now[0].first_seen.as_deref(), Some("2026-10-01T02:00:00Z"));
        assert_eq!(now[2].first_seen.as_deref(), Some(NOW));
        assert_eq!(now[1].first_seen, None, "passed results have no first_seen");
    }

    #[test]
    fn what_an_error_hid_is_unverified_not_resolved() {
        let services = all_services();
        let regions = us_east();
        let errors = [
            // S3 could not be listed at all: every bucket finding is hidden.
            error("s3", "us-east-1", "ListBuckets", None),
            // The functions were listed; one function's policy was denied.
            error("lambda", "us-east-1", "GetPolicy", Some("f-denied")),
            // A setting no check below reads.
            error(
                "ec2",
                "us-east-1",
                "GetSnapshotBlockPublicAccessState",
                None,
            ),
        ];
        let scope = Scope {
            services: Some(&services),
            regions: &regions,
            environment_filtered: false,
            errors: &errors,
        };
        let mut carried = finding("s3.versioning", "eu-west-1", "far-away", Status::Fail);
        carried.first_seen = Some("2026-01-01T00:00:00Z".into());
        let before = vec![
            carried,
            finding(
                "lambda.policy_public",
                "us-east-1",
                "f-denied",
                Status::Fail,
            ),
            finding("lambda.policy_public", "us-east-1", "f-gone", Status::Fail),
            finding("ec2.imdsv2_required", "us-east-1", "i-gone", Status::Fail),
        ];
        let (comparison, _) = compare_with(before, vec![], scope);
        assert_eq!(comparison.changes.unverified.len(), 2);
        assert!(comparison.changes.unverified[0].ends_with("/far-away"));
        assert!(comparison.changes.unverified[1].ends_with("/f-denied"));
        assert_eq!(comparison.changes.resolved.len(), 2);
        assert!(comparison.changes.resolved[0].ends_with("/f-gone"));
        assert!(comparison.changes.resolved[1].ends_with("/i-gone"));
        assert_eq!(
            comparison.carried[0].first_seen.as_deref(),
            Some("2026-01-01T00:00:00Z"),
            "carried with its first_seen"
        );
    }

    #[test]
    fn security_groups_and_iam_are_hidden_by_their_apis_errors() {
        let services = all_services();
        let regions = us_east();
        let errors = [
            error("ec2", "us-east-1", "DescribeSecurityGroups", None),
            // A policy attached to the role, not the role: every principal is hidden.
            error("iam", "global", "GetPolicyVersion", Some("some-policy")),
        ];
        let scope = Scope {
            services: Some(&services),
            regions: &regions,
            environment_filtered: false,
            errors: &errors,
        };
        let before = vec![
            finding("sg.high_risk_ports", "us-east-1", "sg-1", Status::Fail),
            finding("iam.admin_access", "global", "deploy", Status::Fail),
        ];
        let (comparison, _) = compare_with(before, vec![], scope);
        assert_eq!(comparison.changes.unverified.len(), 2);
        assert!(comparison.changes.resolved.is_empty());
    }

    #[test]
    fn what_the_scope_left_out_is_unverified_and_carried_on_to_the_next_run() {
        let s3_only: BTreeSet<Service> = [Service::S3].into();
        let regions = us_east();
        let narrow = Scope {
            services: Some(&s3_only),
            regions: &regions,
            environment_filtered: false,
            errors: &[],
        };
        let before = vec![
            finding("ec2.imdsv2_required", "us-east-1", "i-1", Status::Fail),
            finding("sg.all_ports_open", "eu-west-1", "sg-1", Status::Fail),
        ];
        let (first, _) = compare_with(before.clone(), vec![], narrow);
        assert_eq!(first.changes.unverified.len(), 2);
        assert!(first.changes.resolved.is_empty());

        // Another region, or an environment filter: the same.
        let all = all_services();
        let other_region = Scope {
            services: Some(&all),
            regions: &regions,
            environment_filtered: false,
            errors: &[],
        };
        let (second, _) = compare_with(before.clone(), vec![], other_region);
        assert!(second.changes.unverified[0].ends_with("/sg-1"));
        assert!(second.changes.resolved[0].ends_with("/i-1"));
        let filtered = Scope {
            environment_filtered: true,
            ..other_region
        };
        let (third, _) = compare_with(before, vec![], filtered);
        assert_eq!(third.changes.unverified.len(), 2);

        // The next complete run compares the carried findings: still failing is persisting,
        // with the original first_seen.
        let mut next_baseline = baseline(vec![]);
        next_baseline.carried_findings = first.carried.clone();
        next_baseline.carried_findings[0].first_seen = Some("2026-09-09T09:09:09Z".into());
        let mut now = vec![finding(
            "ec2.imdsv2_required",
            "us-east-1",
            "i-1",
            Status::Fail,
        )];
        let regions_both = vec!["us-east-1".to_string(), "eu-west-1".to_string()];
        let complete = Scope {
            services: Some(&all),
            regions: &regions_both,
            environment_filtered: false,
            errors: &[],
        };
        let next = compare(&next_baseline, &mut now, &[], &complete, NOW);
        assert_eq!(next.changes.persisting.len(), 1);
        assert_eq!(now[0].first_seen.as_deref(), Some("2026-09-09T09:09:09Z"));
        assert!(next.changes.resolved[0].ends_with("/sg-1"));
        assert!(next.carried.is_empty());
    }
}
