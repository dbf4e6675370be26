//! The engine against a moto-emulated account seeded with good and bad resources: every
//! seeded resource gets the verdict its configuration deserves.

use crate::support;

mod compute;
mod coverage;
mod data;

use std::collections::BTreeSet;
use std::sync::OnceLock;

use secaudit::aws::Clients;
use secaudit::model::Status;
use secaudit::report::Report;
use secaudit::request::{parse_services, AuditRequest, EnvironmentFilter, RegionSelection};
use support::seed::{seed_demo_account, Seeded};
use support::{audit_with_defaults, block_on, MotoServer};

struct World {
    server: MotoServer,
    seeded: Seeded,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let server = MotoServer::start();
        let seeded = block_on(seed_demo_account(&server.sdk_config("us-east-1")))
            .unwrap_or_else(|e| panic!("seeding the emulator failed: {e:?}"));
        World { server, seeded }
    })
}

fn audit(request: &AuditRequest) -> Report {
    let clients = Clients::from_sdk_config(world().server.sdk_config("us-east-1"));
    block_on(audit_with_defaults(&clients, request)).expect("the audit runs")
}

fn both_regions() -> AuditRequest {
    AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into(), "eu-west-1".into()]),
        ..AuditRequest::default()
    }
}

/// The full audit of both seeded regions, run once for all tests.
fn full() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| audit(&both_regions()))
}

fn status(report: &Report, check: &str, resource: &str) -> Status {
    let found: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == check && r.resource_id == resource)
        .collect();
    assert_eq!(
        found.len(),
        1,
        "one {check} result for {resource}, got {found:#?}"
    );
    found[0].status
}

fn detail<'a>(report: &'a Report, check: &str, resource: &str) -> &'a str {
    &report
        .results
        .iter()
        .find(|r| r.check_id == check && r.resource_id == resource)
        .unwrap_or_else(|| panic!("no {check} result for {resource}"))
        .detail
}

fn has_results_for(report: &Report, resource: &str) -> bool {
    report.results.iter().any(|r| r.resource_id == resource)
}

use Status::{Fail, Pass};

#[test]
fn the_audit_is_complete_and_follows_the_report_contract() {
    let report = full();
    assert!(report.errors.is_empty(), "errors: {:#?}", report.errors);
    assert!(report.complete);
    assert_eq!(report.schema_version, 1);
    assert_eq!(report.account_id, "123456789012");
    assert_eq!(report.regions, ["us-east-1", "eu-west-1"]);
    assert_eq!(report.summary.evaluated, report.results.len());
    assert_eq!(
        report.summary.passed + report.summary.failed,
        report.summary.evaluated
    );
    let ids: BTreeSet<_> = report.results.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids.len(), report.results.len(), "result ids are unique");
    let overall = report.score.overall.expect("a score");
    assert!(overall > 0.0 && overall < 100.0, "{overall}");
    for service in ["ec2", "rds", "s3", "iam", "sg"] {
        assert!(report.score.by_service.contains_key(service), "{service}");
    }

    let json = serde_json::to_value(report).unwrap();
    for key in [
        "schema_version",
        "run_id",
        "account_id",
        "regions",
        "environment",
        "started_at",
        "finished_at",
        "duration_ms",
        "complete",
        "score",
        "summary",
        "results",
        "errors",
        "api_calls",
    ] {
        assert!(json.get(key).is_some(), "report lacks {key}");
    }
    let result = &json["results"][0];
    for key in [
        "id",
        "check_id",
        "service",
        "severity",
        "status",
        "resource_type",
        "resource_id",
        "resource_arn",
        "region",
        "title",
        "detail",
        "remediation",
        "reference",
    ] {
        assert!(result.get(key).is_some(), "result lacks {key}");
    }
    assert!(json["started_at"].as_str().unwrap().ends_with('Z'));
}

#[test]
fn result_ids_are_stable_across_runs() {
    let again = audit(&both_regions());
    let ids = |r: &Report| r.results.iter().map(|x| x.id.clone()).collect::<Vec<_>>();
    assert_eq!(ids(full()), ids(&again));
    assert_ne!(full().run_id, again.run_id);
}

#[test]
fn api_calls_are_counted_and_nothing_is_fetched_per_instance() {
    let calls = &full().api_calls;
    let op = |name: &str| calls.by_operation.get(name).copied().unwrap_or(0);
    // One listing per region, however many instances, volumes, groups or databases.
    for listing in [
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
    ] {
        assert_eq!(op(listing), 2, "{listing}: {calls:#?}");
    }
    // The listing per region, and one read of the Redshift clusters' groups by id.
    assert_eq!(op("ec2:DescribeSecurityGroups"), 3, "{calls:#?}");
    assert_eq!(op("iam:GetAccountAuthorizationDetails"), 1);
    // AdministratorAccess and AWSSupportAccess are the AWS-managed policies attached: each read
    // once, however many principals hold it.
    assert_eq!(op("iam:GetPolicyVersion"), 2, "{calls:#?}");
    // S3's, and CloudFront's to tell its origins' buckets from other accounts' ones.
    assert_eq!(op("s3:ListBuckets"), 2);
    assert_eq!(op("s3control:GetPublicAccessBlock"), 1);
    for per_bucket in [
        "s3:GetBucketEncryption",
        "s3:GetBucketVersioning",
        "s3:GetPublicAccessBlock",
        "s3:GetBucketPolicy",
        "s3:GetBucketLogging",
    ] {
        assert_eq!(op(per_bucket), 4, "{per_bucket}");
    }
    // Only acme-public-assets has no IgnorePublicAcls: the only ACL read.
    assert_eq!(op("s3:GetBucketAcl"), 1);
    // Tags are only read when an environment filter needs them.
    assert_eq!(op("s3:GetBucketTagging"), 0);
    assert_eq!(calls.total, calls.by_operation.values().sum::<u64>());
    assert_eq!(calls.retries, 0);
}

#[test]
fn environment_filter_keeps_only_tagged_resources() {
    let request = AuditRequest {
        environment: Some(EnvironmentFilter::new("Environment", "PROD").unwrap()),
        ..both_regions()
    };
    let report = audit(&request);
    assert!(report.complete, "{:#?}", report.errors);
    assert_eq!(report.environment.as_deref(), Some("PROD"));
    assert_eq!(report.environment_tag_key.as_deref(), Some("Environment"));
    let seeded = &world().seeded;
    for kept in [
        seeded.instances["web-prod"].as_str(),
        "orders-db",
        "analytics",
        "acme-audit-logs",
        "acme.reports.eu",
        "deploy-admin",
        "alice",
        seeded.security_groups["ssh-open"].as_str(),
    ] {
        assert!(has_results_for(&report, kept), "{kept} is prod");
    }
    for dropped in [
        seeded.instances["batch-dev"].as_str(),
        "reports-db",
        "acme-public-assets",
        "power-user",
        "break-glass",
        "bob",
        seeded.security_groups["all-open"].as_str(),
        // Groups cannot be tagged; untagged default security groups are not in any environment.
        "admins",
        "readers",
    ] {
        assert!(!has_results_for(&report, dropped), "{dropped} is not prod");
    }
    // Account settings belong to no environment, even where a kept resource's verdict rests
    // on one (snapshot block public access).
    assert!(
        !report
            .results
            .iter()
            .any(|r| r.resource_type == secaudit::model::ACCOUNT_RESOURCE_TYPE),
        "{:#?}",
        report
            .results
            .iter()
            .filter(|r| r.resource_type == secaudit::model::ACCOUNT_RESOURCE_TYPE)
            .map(|r| &r.check_id)
            .collect::<Vec<_>>()
    );
    // Bucket tags are read only because the filter needs them.
    assert_eq!(
        report.api_calls.by_operation.get("s3:GetBucketTagging"),
        Some(&4)
    );
}

#[test]
fn services_can_be_audited_alone() {
    let request = AuditRequest {
        services: parse_services(&["s3,iam"]).unwrap(),
        ..both_regions()
    };
    let report = audit(&request);
    let services: BTreeSet<_> = report.results.iter().map(|r| r.service.as_ref()).collect();
    assert_eq!(services, BTreeSet::from(["iam", "s3"]));
    assert!(!report.api_calls.by_service.contains_key("ec2"));
    assert!(!report.api_calls.by_service.contains_key("rds"));
}

#[test]
fn all_enabled_regions_are_audited() {
    let request = AuditRequest {
        services: parse_services(&["sg"]).unwrap(),
        regions: RegionSelection::AllEnabled,
        ..AuditRequest::default()
    };
    let report = audit(&request);
    assert!(report.complete, "{:#?}", report.errors);
    assert!(report.regions.len() > 10, "{:?}", report.regions);
    assert!(report.regions.iter().any(|r| r == "eu-west-1"));
    assert_eq!(report.api_calls.by_operation["ec2:DescribeRegions"], 1);
    assert_eq!(
        report.api_calls.by_operation["ec2:DescribeSecurityGroups"],
        report.regions.len() as u64
    );
    let group = world().seeded.security_groups["ssh-open"].as_str();
    assert_eq!(status(&report, "sg.high_risk_ports", group), Fail);
}

#[test]
fn reports_carry_no_secrets_or_condition_values() {
    let json = serde_json::to_string(full()).unwrap();
    // The seeded RDS master password, the customer-data bucket policy's endpoint condition
    // value, and any policy document (each seeded one carries its "Version" date).
    for secret in ["demo-password-1", "vpce-0a1b2c3d4e5f", "2012-10-17"] {
        assert!(!json.contains(secret), "the report contains {secret}");
    }
}
