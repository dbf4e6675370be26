//! Splicing re-read verdicts into a report. Pure: the caller reads and writes the report.

use std::collections::HashSet;

use crate::assess::mutelist::Mutelist;
use crate::assess::score::score;
use crate::assess::{compare, error_covers_result, Scope};
use crate::model::{resource_key, AuditError, CheckResult};
use crate::report::{BaselineRef, Recheck, RecheckScope, Report, Summary};
use crate::scan::AccountScan;
use crate::services::checks::registry;

/// At most this many re-checks are kept in a report between full runs.
const RECHECKS_KEPT: usize = 100;

/// What a re-check brings to the merge.
#[derive(Clone)]
pub struct MergeInput<'a> {
    /// The re-read: its findings and errors cover `scopes` only.
    pub scan: AccountScan,
    pub scopes: Vec<RecheckScope>,
    pub events: Vec<crate::report::EventRef>,
    pub event_count: usize,
    pub mutelist: Option<&'a Mutelist>,
}

/// `current` with the re-read's verdicts in place of what it says about the re-read
/// resources. A resource in scope the re-read no longer found (a deleted bucket or group) has
/// its results resolved; one whose read failed keeps its last verdicts, and the error is
/// recorded. `changes` says what this merge changed (new, resolved), `first_seen` carries on.
pub fn merge(current: &Report, input: MergeInput) -> Report {
    let MergeInput {
        scan,
        scopes,
        events,
        event_count,
        mutelist,
    } = input;
    let mut fresh = scan.findings;
    if let Some(mutelist) = mutelist {
        // As for a full run: a rule is judged on the day the re-read started.
        let today = time::Date::parse(
            scan.started_at.get(..10).unwrap_or_default(),
            time::macros::format_description!("[year]-[month]-[day]"),
        )
        .unwrap_or(time::Date::MAX);
        mutelist.apply(&mut fresh, &scan.account_id, today, |result| {
            scan.resource_tags.get(&resource_key(
                &result.region,
                &result.resource_type,
                &result.resource_id,
            ))
        });
    }
    // A batch that read later already wrote its verdicts (it won the write race): for what it
    // covers, this older read is not the newer word.
    let newer: Vec<&RecheckScope> = (current.rechecks.iter())
        .filter(|r| r.started_at > scan.started_at)
        .flat_map(|r| &r.scopes)
        .collect();
    let read_later = |result: &CheckResult| newer.iter().any(|scope| scope.covers(result));
    fresh.retain(|r| !read_later(r));
    let fresh_ids: HashSet<&str> = fresh.iter().map(|r| r.id.as_str()).collect();
    let unreadable = |result: &CheckResult| {
        scan.errors
            .iter()
            .any(|error| error_covers_result(error, result))
    };
    // What the re-read could not judge for want of data it did not read (another service's
    // inventory) keeps its last verdict: silence is not a pass.
    let unjudged: HashSet<&str> = scan.unjudged.iter().map(String::as_str).collect();
    let replaced = |result: &CheckResult| {
        fresh_ids.contains(result.id.as_str())
            || (scopes.iter().any(|scope| scope.covers(result))
                && !unreadable(result)
                && !read_later(result)
                && !unjudged.contains(result.id.as_str()))
    };
    let mut results: Vec<CheckResult> = current
        .results
        .iter()
        .filter(|r| !replaced(r))
        .cloned()
        .collect();
    results.extend(fresh.iter().cloned());
    sort_in_registry_order(&mut results);

    // An earlier error about a resource re-read without one is history; any other stays
    // until a full run (an error of a shared API may be another service's).
    let mut errors: Vec<AuditError> = current
        .errors
        .iter()
        .filter(|e| !scopes.iter().any(|scope| scope_reread(scope, e)) || scan.errors.contains(e))
        .cloned()
        .collect();
    for error in &scan.errors {
        if !errors.contains(error) {
            errors.push(error.clone());
        }
    }

    let scope = Scope {
        services: None,
        regions: &current.regions,
        environment_filtered: current.environment.is_some(),
        errors: &errors,
    };
    // A re-check can break a chain, not find one: its reads are too narrow (the next full run
    // joins the whole inventory again).
    let exposures = crate::exposures::still_standing(current.exposures.clone(), &results);
    let mut comparison = compare(current, &mut results, &exposures, &scope, &scan.started_at);
    // What the full run carried unverified and this re-check did not read stays carried.
    for old in &current.carried_findings {
        let reread = scopes.iter().any(|scope| scope.covers(old)) && !unreadable(old);
        if !reread && comparison.changes.resolved.contains(&old.id) {
            comparison.changes.resolved.retain(|id| *id != old.id);
            comparison.changes.unverified.push(old.id.clone());
            comparison.carried.push(old.clone());
        }
    }
    // Only what was read without an error is this batch's newer word (for a later full run).
    let read_scopes: Vec<RecheckScope> = scopes
        .into_iter()
        .filter(|scope| !scan.errors.iter().any(|e| scope_touched_by(scope, e)))
        .collect();
    let mut rechecks = current.rechecks.clone();
    rechecks.push(Recheck {
        run_id: scan.run_id.clone(),
        started_at: scan.started_at.clone(),
        scopes: read_scopes,
        events,
        event_count,
        api_calls: scan.api_calls.total,
    });
    let excess = rechecks.len().saturating_sub(RECHECKS_KEPT);
    rechecks.drain(..excess);
    let weights = current.score.weights;
    let mut merged = Report {
        run_id: scan.run_id,
        started_at: scan.started_at,
        finished_at: scan.finished_at,
        duration_ms: scan.duration_ms,
        complete: errors.is_empty(),
        score: score(results.iter().filter(|r| r.muted.is_none()), weights),
        summary: Summary::of(&results),
        results,
        exposures,
        errors,
        baseline: Some(BaselineRef {
            run_id: current.run_id.clone(),
            finished_at: current.finished_at.clone(),
        }),
        changes: Some(comparison.changes),
        carried_findings: comparison.carried,
        rechecks,
        ..current.clone()
    };
    // The compliance views asked for follow the merged results.
    crate::assess::rejudge_compliance(&mut merged);
    merged
}

/// Whether an earlier error entry is about a resource `scope` named and re-read: the same
/// service's APIs, in its region, on that resource.
fn scope_reread(scope: &RecheckScope, error: &AuditError) -> bool {
    matches!((&scope.resources, &error.resource_id), (Some(ids), Some(id)) if ids.contains(id))
        && scope_touched_by(scope, error)
}

/// Whether an error of this read may concern `scope`: one of the service's APIs (or the
/// service itself, for a deadline cut) in its region.
fn scope_touched_by(scope: &RecheckScope, error: &AuditError) -> bool {
    let Ok(service) = scope.service.parse::<crate::services::Service>() else {
        return false;
    };
    let api = error.service.as_str();
    (api == "sts" || api == service.as_str() || service.spec().apis.contains(&api))
        && (scope.region == "global" || error.region == "global" || scope.region == error.region)
}

/// Results in report order: by check as registered, then as they were.
fn sort_in_registry_order(results: &mut [CheckResult]) {
    let order: std::collections::HashMap<&str, usize> = registry()
        .enumerate()
        .map(|(i, check)| (check.id, i))
        .collect();
    results.sort_by_key(|r| {
        order
            .get(r.check_id.as_ref())
            .copied()
            .unwrap_or(usize::MAX)
    });
}

/// A full run's report about to replace `current`: for what a re-check read after the full
/// run started, the re-check's verdicts are the newer, so they are kept (with the re-checks
/// themselves). Every later change has its own event, so the state converges.
pub fn keep_newer_rechecks(full: &mut Report, current: &Report) {
    let newer: Vec<&Recheck> = current
        .rechecks
        .iter()
        .filter(|r| r.started_at >= full.started_at)
        .collect();
    if newer.is_empty() {
        return;
    }
    let covered = |result: &CheckResult| {
        newer
            .iter()
            .any(|recheck| recheck.scopes.iter().any(|scope| scope.covers(result)))
    };
    full.results.retain(|r| !covered(r));
    full.results
        .extend(current.results.iter().filter(|r| covered(r)).cloned());
    sort_in_registry_order(&mut full.results);
    full.rechecks = newer.into_iter().cloned().collect();
    full.score = score(
        full.results.iter().filter(|r| r.muted.is_none()),
        full.score.weights,
    );
    full.summary = Summary::of(&full.results);
    crate::assess::rejudge_compliance(full);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::assess::{assess, AssessContext};
    use crate::model::{CheckResult, Severity, Status};

    fn result(check: &str, resource: &str, status: Status) -> CheckResult {
        CheckResult::example(check, resource, Severity::Critical, status)
    }

    fn scan(findings: Vec<CheckResult>, errors: Vec<AuditError>, at: &str) -> AccountScan {
        AccountScan {
            unjudged: Vec::new(),
            run_id: format!("run-{at}"),
            account_id: "123456789012".into(),
            regions: vec!["us-east-1".into()],
            services: Default::default(),
            environment: None,
            started_at: at.into(),
            finished_at: at.into(),
            duration_ms: 1,
            findings,
            exposures: Vec::new(),
            errors,
            api_calls: Default::default(),
            resource_tags: Default::default(),
        }
    }

    fn nightly() -> Report {
        assess(
            scan(
                vec![
                    result("s3.policy_public", "a", Status::Fail),
                    result("s3.policy_public", "b", Status::Pass),
                    result("s3.policy_public", "gone", Status::Fail),
                    result("s3.versioning", "a", Status::Fail),
                ],
                vec![],
                "2026-12-02T02:00:00Z",
            ),
            &AssessContext::default(),
        )
    }

    fn buckets(ids: &[&str]) -> RecheckScope {
        RecheckScope {
            service: "s3".into(),
            region: "global".into(),
            resources: Some(ids.iter().map(|s| s.to_string()).collect()),
        }
    }

    fn input(scan: AccountScan, scopes: Vec<RecheckScope>) -> MergeInput<'static> {
        MergeInput {
            scan,
            scopes,
            events: vec![],
            event_count: 1,
            mutelist: None,
        }
    }

    fn status_of(report: &Report, check: &str, resource: &str) -> Option<Status> {
        (report.results.iter())
            .find(|r| r.check_id == check && r.resource_id == resource)
            .map(|r| r.status)
    }

    #[test]
    fn reread_resources_take_the_new_verdicts_and_the_rest_keeps_its_own() {
        let current = nightly();
        let reread = scan(
            vec![
                result("s3.policy_public", "b", Status::Fail),
                result("s3.versioning", "b", Status::Pass),
            ],
            vec![],
            "2026-12-02T09:00:00Z",
        );
        let merged = merge(&current, input(reread, vec![buckets(&["b", "gone"])]));
        assert_eq!(
            status_of(&merged, "s3.policy_public", "b"),
            Some(Status::Fail)
        );
        assert_eq!(
            status_of(&merged, "s3.policy_public", "a"),
            Some(Status::Fail)
        );
        // A bucket in scope the re-read no longer found: its results are resolved.
        assert_eq!(status_of(&merged, "s3.policy_public", "gone"), None);
        let changes = merged.changes.as_ref().unwrap();
        assert_eq!(
            changes.new,
            [result("s3.policy_public", "b", Status::Fail).id]
        );
        assert_eq!(
            changes.resolved,
            [result("s3.policy_public", "gone", Status::Fail).id]
        );
        // Untouched failures keep their first_seen; new ones get the re-read's time.
        let first_seen = |resource: &str, check: &str| {
            (merged.results.iter())
                .find(|r| r.check_id == check && r.resource_id == resource)
                .and_then(|r| r.first_seen.clone())
        };
        assert_eq!(
            first_seen("a", "s3.policy_public").as_deref(),
            Some("2026-12-02T02:00:00Z")
        );
        assert_eq!(
            first_seen("b", "s3.policy_public").as_deref(),
            Some("2026-12-02T09:00:00Z")
        );
        assert_eq!(merged.summary.failed, 3);
        assert_eq!(merged.rechecks.len(), 1);
        assert_eq!(merged.baseline.as_ref().unwrap().run_id, current.run_id);
    }

    /// An IAM re-check reads no functions or instances: a principal whose escalation verdict
    /// rests on them is unjudged and keeps its last one; a principal gone is resolved.
    #[test]
    fn a_verdict_resting_on_another_services_inventory_is_not_dropped_by_a_narrower_reread() {
        let role = |check: &str, name: &str, status| CheckResult {
            service: "iam".into(),
            region: "global".into(),
            resource_type: "AWS::IAM::Role".into(),
            ..result(check, name, status)
        };
        let current = assess(
            scan(
                vec![
                    role("iam.privilege_escalation", "ops", Status::Fail),
                    role("iam.admin_access", "ops", Status::Pass),
                    role("iam.privilege_escalation", "gone", Status::Fail),
                ],
                vec![],
                "2026-12-02T02:00:00Z",
            ),
            &AssessContext::default(),
        );
        let mut reread = scan(
            vec![role("iam.admin_access", "ops", Status::Pass)],
            vec![],
            "2026-12-02T09:00:00Z",
        );
        reread
            .unjudged
            .push(role("iam.privilege_escalation", "ops", Status::Fail).id);
        let iam = RecheckScope {
            service: "iam".into(),
            region: "global".into(),
            resources: None,
        };
        let merged = merge(&current, input(reread, vec![iam]));
        assert_eq!(
            status_of(&merged, "iam.privilege_escalation", "ops"),
            Some(Status::Fail)
        );
        assert_eq!(status_of(&merged, "iam.privilege_escalation", "gone"), None);
    }

    #[test]
    fn an_older_read_that_lost_the_write_race_does_not_undo_a_newer_one() {
        let newer = merge(
            &nightly(),
            input(
                scan(
                    vec![result("s3.policy_public", "b", Status::Pass)],
                    vec![],
                    "2026-12-02T09:00:04Z",
                ),
                vec![buckets(&["b"])],
            ),
        );
        let older = scan(
            vec![result("s3.policy_public", "b", Status::Fail)],
            vec![],
            "2026-12-02T09:00:01Z",
        );
        let merged = merge(&newer, input(older, vec![buckets(&["b"])]));
        assert_eq!(
            status_of(&merged, "s3.policy_public", "b"),
            Some(Status::Pass)
        );
        assert!(merged.changes.as_ref().unwrap().new.is_empty());
    }

    #[test]
    fn a_failed_read_is_not_the_newer_word_for_a_later_full_run() {
        let denied = AuditError {
            service: "s3".into(),
            region: "global".into(),
            operation: "GetBucketPolicy".into(),
            resource_id: Some("b".into()),
            code: "Throttling".into(),
            message: "slow down".into(),
            required_permission: None,
        };
        let merged = merge(
            &nightly(),
            input(
                scan(vec![], vec![denied], "2026-12-02T09:00:04Z"),
                vec![buckets(&["b"])],
            ),
        );
        assert!(merged.rechecks.last().unwrap().scopes.is_empty());
    }

    #[test]
    fn the_mutelist_applies_to_reread_verdicts() {
        let mutelist = Mutelist::parse(
            "mutes.toml",
            "[[rule]]\nchecks = [\"s3.policy_public\"]\nresources = [\"b\"]\nreason = \"a public website\"\nexpires = \"2099-01-01\"\n",
        )
        .unwrap();
        let reread = scan(
            vec![result("s3.policy_public", "b", Status::Fail)],
            vec![],
            "2026-12-02T09:00:00Z",
        );
        let merged = merge(
            &nightly(),
            MergeInput {
                mutelist: Some(&mutelist),
                ..input(reread, vec![buckets(&["b"])])
            },
        );
        let b = (merged.results.iter())
            .find(|r| r.check_id == "s3.policy_public" && r.resource_id == "b")
            .unwrap();
        assert!(b.muted.is_some());
        // Muted: neither counted as open nor alerted as new.
        assert_eq!(merged.summary.muted, 1);
        assert_eq!(merged.new_open().count(), 0);
    }

    #[test]
    fn a_failed_reread_keeps_the_last_verdict_and_says_so() {
        let current = nightly();
        let denied = AuditError {
            service: "s3".into(),
            region: "global".into(),
            operation: "GetBucketPolicy".into(),
            resource_id: Some("a".into()),
            code: "AccessDenied".into(),
            message: "denied".into(),
            required_permission: None,
        };
        // The bucket's other reads answered: its versioning verdict is this read's word.
        let reread = scan(
            vec![result("s3.versioning", "a", Status::Fail)],
            vec![denied.clone()],
            "2026-12-02T09:00:00Z",
        );
        let merged = merge(&current, input(reread, vec![buckets(&["a"])]));
        assert_eq!(
            status_of(&merged, "s3.policy_public", "a"),
            Some(Status::Fail)
        );
        assert!(merged.changes.as_ref().unwrap().resolved.is_empty());
        assert!(!merged.complete);
        assert_eq!(merged.errors, [denied]);
    }

    #[test]
    fn a_full_run_keeps_what_a_later_batch_reread() {
        let current = merge(
            &nightly(),
            input(
                scan(
                    vec![result("s3.policy_public", "b", Status::Fail)],
                    vec![],
                    "2026-12-02T09:00:05Z",
                ),
                vec![buckets(&["b"])],
            ),
        );
        // A full run that started before the batch, and read bucket b before its change.
        let mut full = assess(
            scan(
                vec![
                    result("s3.policy_public", "a", Status::Fail),
                    result("s3.policy_public", "b", Status::Pass),
                ],
                vec![],
                "2026-12-02T09:00:00Z",
            ),
            &AssessContext::default(),
        );
        keep_newer_rechecks(&mut full, &current);
        assert_eq!(
            status_of(&full, "s3.policy_public", "b"),
            Some(Status::Fail)
        );
        assert_eq!(full.rechecks.len(), 1);
        assert_eq!(full.summary.failed, 2);
        // A full run that started after the batch is the newer word on everything.
        let mut later = full.clone();
        later.started_at = "2026-12-02T10:00:00Z".into();
        later.results.retain(|r| r.resource_id != "b");
        keep_newer_rechecks(&mut later, &current);
        assert_eq!(status_of(&later, "s3.policy_public", "b"), None);
    }
}
