//! The engine against a moto-emulated account seeded with good and bad resources: every
//! seeded resource gets the verdict its configuration deserves.

use crate::support;

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
    // AdministratorAccess is the one AWS-managed policy attached: read once for three principals.
    assert_eq!(op("iam:GetPolicyVersion"), 1, "{calls:#?}");
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
fn ec2_instances_and_volumes() {
    let report = full();
    let seeded = &world().seeded;
    let instance = |name: &str| seeded.instances[name].as_str();
    assert_eq!(
        status(report, "ec2.imdsv2_required", instance("web-prod")),
        Pass
    );
    assert_eq!(
        status(report, "ec2.imdsv2_required", instance("legacy-app")),
        Fail
    );
    assert!(
        detail(report, "ec2.imdsv2_required", instance("legacy-app"))
            .starts_with("HttpTokens is optional: IMDSv1 requests are accepted")
    );
    // Stopped instances are audited too.
    assert_eq!(
        status(report, "ec2.imdsv2_required", instance("batch-dev")),
        Fail
    );
    assert!(detail(report, "ec2.imdsv2_required", instance("batch-dev")).contains("stopped"));

    assert_eq!(
        status(report, "ec2.no_public_ip", instance("web-prod")),
        Pass
    );
    assert_eq!(
        status(report, "ec2.no_public_ip", instance("legacy-app")),
        Fail
    );

    let volume = |name: &str| seeded.volumes[name].as_str();
    assert_eq!(
        status(report, "ec2.ebs_encrypted", volume("data-encrypted")),
        Pass
    );
    assert_eq!(
        status(report, "ec2.ebs_encrypted", volume("scratch-plain")),
        Fail
    );
    // Root volumes follow their block device mapping.
    let root_of = |name: &str| {
        let id = instance(name);
        report
            .results
            .iter()
            .find(|r| r.check_id == "ec2.ebs_encrypted" && r.detail.contains(id))
            .map(|r| r.status)
    };
    assert_eq!(root_of("legacy-app"), Some(Fail));
    assert_eq!(root_of("web-prod"), Some(Pass));

    // Account-level, per region: on in eu-west-1, off in us-east-1.
    let mut by_region: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "ec2.ebs_default_encryption")
        .map(|r| (r.region.as_str(), r.status, r.resource_id.as_str()))
        .collect();
    by_region.sort_by_key(|(region, ..)| *region);
    assert_eq!(
        by_region,
        [
            ("eu-west-1", Pass, "123456789012"),
            ("us-east-1", Fail, "123456789012")
        ]
    );

    // Snapshots: one verdict per owned snapshot; the one restorable by all fails, the one
    // shared with a named account passes.
    let snapshots: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "ec2.ebs_snapshot_public")
        .map(|r| (r.region.as_str(), r.status, r.resource_type.as_ref()))
        .collect();
    assert_eq!(
        snapshots.iter().filter(|(_, s, _)| *s == Fail).count(),
        1,
        "{snapshots:?}"
    );
    assert!(
        snapshots.contains(&("us-east-1", Fail, "AWS::EC2::Snapshot")),
        "{snapshots:?}"
    );
    assert!(
        snapshots.contains(&("us-east-1", Pass, "AWS::EC2::Snapshot")),
        "{snapshots:?}"
    );

    let public_images: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "ec2.ami_public")
        .map(|r| (r.resource_name.as_deref(), r.status))
        .collect();
    assert!(
        public_images.contains(&(Some("legacy-golden"), Fail)),
        "{public_images:?}"
    );
    assert!(
        public_images.contains(&(Some("web-golden"), Pass)),
        "{public_images:?}"
    );
    // Flow logs: the seeded VPC has one; the default VPC only a subnet's, which does not count.
    assert_eq!(
        status(report, "vpc.flow_logs_enabled", &world().seeded.vpc),
        Pass
    );
    assert!(report
        .results
        .iter()
        .any(|r| r.check_id == "vpc.flow_logs_enabled"
            && r.status == Fail
            && r.detail.contains("subnet and interface logs do not count")));
}

#[test]
fn security_groups() {
    let report = full();
    let group = |name: &str| world().seeded.security_groups[name].as_str();
    let expect = [
        ("ssh-open", Fail, Pass),
        ("rdp-ipv6", Fail, Pass),
        ("all-open", Fail, Fail),
        ("app-range", Fail, Pass),
        ("web-public", Pass, Pass),
    ];
    for (name, high_risk, all_ports) in expect {
        assert_eq!(
            status(report, "sg.high_risk_ports", group(name)),
            high_risk,
            "{name}"
        );
        assert_eq!(
            status(report, "sg.all_ports_open", group(name)),
            all_ports,
            "{name}"
        );
    }
    assert_eq!(
        detail(report, "sg.high_risk_ports", group("rdp-ipv6")),
        "Ingress open to the world on high-risk ports: tcp 3389 (RDP) from ::/0."
    );
    assert!(detail(report, "sg.high_risk_ports", group("app-range")).contains("MySQL 3306"));

    // Default groups: the emptied one passes; the default VPC's keeps AWS's egress rule.
    assert_eq!(
        status(report, "sg.default_restricts_all", group("default-emptied")),
        Pass
    );
    let defaults: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "sg.default_restricts_all" && r.status == Fail)
        .collect();
    assert!(!defaults.is_empty());
    assert!(
        defaults
            .iter()
            .all(|r| r.detail.contains("egress all traffic with 0.0.0.0/0")),
        "{defaults:#?}"
    );
    // Only default groups are judged.
    assert!(!report
        .results
        .iter()
        .any(|r| r.check_id == "sg.default_restricts_all" && r.resource_id == group("ssh-open")));
}

#[test]
fn rds_instances_and_aurora_clusters() {
    let report = full();
    let all = [
        "rds.storage_encrypted",
        "rds.backup_retention",
        "rds.multi_az",
        "rds.deletion_protection",
    ];
    for check in all {
        assert_eq!(status(report, check, "orders-db"), Pass, "{check}");
        assert_eq!(status(report, check, "legacy-db"), Fail, "{check}");
        // Aurora members are judged through their cluster only.
        assert!(!report
            .results
            .iter()
            .any(|r| r.check_id == check && r.resource_id == "analytics-1"));
    }
    assert_eq!(
        detail(report, "rds.backup_retention", "legacy-db"),
        "Automated backups are off (BackupRetentionPeriod is 0)."
    );
    assert_eq!(status(report, "rds.backup_retention", "reports-db"), Fail);
    assert!(detail(report, "rds.backup_retention", "reports-db").contains("3 days"));

    for check in [
        "rds.storage_encrypted",
        "rds.backup_retention",
        "rds.deletion_protection",
    ] {
        assert_eq!(status(report, check, "analytics"), Pass, "{check}");
        assert_eq!(status(report, check, "staging-aurora"), Fail, "{check}");
    }
    let cluster = report
        .results
        .iter()
        .find(|r| r.resource_id == "analytics")
        .unwrap();
    assert_eq!(cluster.resource_type, "AWS::RDS::DBCluster");

    for (snapshot, public, encrypted) in [
        ("orders-db-before-migration", Pass, Pass),
        ("legacy-db-export", Fail, Fail),
        ("analytics-monthly", Pass, Pass),
    ] {
        assert_eq!(
            status(report, "rds.snapshot_public", snapshot),
            public,
            "{snapshot}"
        );
        assert_eq!(
            status(report, "rds.snapshot_encrypted", snapshot),
            encrypted,
            "{snapshot}"
        );
    }
    assert!(
        detail(report, "rds.snapshot_public", "orders-db-before-migration")
            .contains("111122223333")
    );
    // Automated snapshots cannot be shared and are not judged.
    assert!(!report
        .results
        .iter()
        .any(|r| r.check_id == "rds.snapshot_public" && r.resource_id.starts_with("rds:")));
    assert_eq!(status(report, "rds.public_access", "orders-db"), Pass);
    assert_eq!(status(report, "rds.public_access", "legacy-db"), Fail);
    assert!(
        detail(report, "rds.public_access", "legacy-db").starts_with("PubliclyAccessible is true")
    );
    assert_eq!(
        status(report, "rds.auto_minor_version_upgrade", "orders-db"),
        Pass
    );
    assert_eq!(
        status(report, "rds.auto_minor_version_upgrade", "legacy-db"),
        Fail
    );
    // Cluster members: public access is theirs; minor upgrades follow the cluster.
    assert!(report
        .results
        .iter()
        .any(|r| r.check_id == "rds.public_access" && r.resource_id == "analytics-1"));
    assert!(!report
        .results
        .iter()
        .any(|r| r.check_id == "rds.auto_minor_version_upgrade" && r.resource_id == "analytics-1"));
}

#[test]
fn s3_buckets() {
    let report = full();
    for check in [
        "s3.default_encryption",
        "s3.versioning",
        "s3.public_access_block",
    ] {
        assert_eq!(status(report, check, "acme-audit-logs"), Pass, "{check}");
        assert_eq!(status(report, check, "acme-public-assets"), Fail, "{check}");
        // A dotted name in another region, read through a client of its own region.
        assert_eq!(status(report, check, "acme.reports.eu"), Pass, "{check}");
    }
    assert!(detail(report, "s3.default_encryption", "acme-audit-logs").contains("SSE-S3"));
    assert!(detail(report, "s3.default_encryption", "acme-customer-data").contains("SSE-KMS"));
    assert_eq!(status(report, "s3.versioning", "acme-customer-data"), Fail);
    assert!(detail(report, "s3.versioning", "acme-customer-data").contains("Suspended"));
    assert_eq!(
        status(report, "s3.public_access_block", "acme-customer-data"),
        Fail
    );
    assert_eq!(
        detail(report, "s3.public_access_block", "acme-customer-data"),
        "BlockPublicPolicy and RestrictPublicBuckets are off at both bucket and account level."
    );
    let eu = report
        .results
        .iter()
        .find(|r| r.resource_id == "acme.reports.eu")
        .unwrap();
    assert_eq!(eu.region, "eu-west-1");
    assert_eq!(
        eu.resource_arn.as_deref(),
        Some("arn:aws:s3:::acme.reports.eu")
    );

    // Policies, ACLs and logging.
    for (bucket, tls, public_policy, public_acl, logging) in [
        ("acme-audit-logs", Pass, Pass, Pass, Fail),
        ("acme-public-assets", Fail, Fail, Fail, Fail),
        ("acme-customer-data", Fail, Pass, Pass, Pass),
        ("acme.reports.eu", Fail, Pass, Pass, Fail),
    ] {
        assert_eq!(
            status(report, "s3.secure_transport", bucket),
            tls,
            "{bucket}"
        );
        assert_eq!(
            status(report, "s3.policy_public", bucket),
            public_policy,
            "{bucket}"
        );
        assert_eq!(
            status(report, "s3.acl_public", bucket),
            public_acl,
            "{bucket}"
        );
        assert_eq!(
            status(report, "s3.server_access_logging", bucket),
            logging,
            "{bucket}"
        );
    }
    assert!(detail(report, "s3.policy_public", "acme-public-assets").contains("public read access"));
    assert!(detail(report, "s3.policy_public", "acme.reports.eu")
        .contains("RestrictPublicBuckets is in force"));
    assert!(detail(report, "s3.acl_public", "acme-public-assets").contains("AllUsers READ"));
    assert!(
        detail(report, "s3.server_access_logging", "acme-audit-logs")
            .ends_with("It is the log target of acme-customer-data.")
    );
}

#[test]
fn iam_roles_users_and_groups() {
    let report = full();
    let expect = [
        // (principal, admin, wildcard actions, wildcard resources)
        ("deploy-admin", Fail, Fail, Fail),
        ("app-reader", Pass, Pass, Pass),
        ("power-user", Pass, Fail, Fail),
        ("break-glass", Fail, Fail, Fail),
        ("guarded", Pass, Pass, Pass),
        ("admins", Fail, Fail, Fail),
        ("readers", Pass, Pass, Pass),
        ("alice", Fail, Fail, Fail),
        ("bob", Pass, Fail, Fail),
        ("carol", Pass, Pass, Pass),
    ];
    for (name, admin, actions, resources) in expect {
        assert_eq!(status(report, "iam.admin_access", name), admin, "{name}");
        assert_eq!(
            status(report, "iam.wildcard_actions", name),
            actions,
            "{name}"
        );
        assert_eq!(
            status(report, "iam.wildcard_resources", name),
            resources,
            "{name}"
        );
    }
    assert!(detail(report, "iam.admin_access", "alice").contains("(via group \"admins\")"));
    assert!(detail(report, "iam.wildcard_actions", "power-user").contains("NotAction"));
    assert!(detail(report, "iam.wildcard_actions", "bob")
        .contains("\"s3:*\" in managed policy \"s3-full-access\""));
    // Account settings as the emulator reports them: AccountMFAEnabled and
    // AccountAccessKeysPresent are always 0 in moto, and no password policy is seeded.
    assert_eq!(status(report, "iam.root_mfa", "123456789012"), Status::Fail);
    assert_eq!(
        status(report, "iam.root_access_keys", "123456789012"),
        Status::Pass
    );
    assert_eq!(
        detail(report, "iam.password_policy", "123456789012"),
        "The account has no password policy."
    );
    // alice gets everything through her group; bob has a policy of his own.
    assert_eq!(
        status(report, "iam.user_direct_policies", "alice"),
        Status::Pass
    );
    assert_eq!(
        status(report, "iam.user_direct_policies", "bob"),
        Status::Fail
    );
    // From the credential report: console passwords with and without MFA; the emulator dates
    // keys and passwords "now", so the age checks pass here (their failures are unit-tested).
    assert_eq!(
        status(report, "iam.console_user_mfa", "alice"),
        Status::Pass
    );
    assert_eq!(status(report, "iam.console_user_mfa", "bob"), Status::Fail);
    assert!(!report
        .results
        .iter()
        .any(|r| r.check_id == "iam.console_user_mfa" && r.resource_id == "carol"));
    assert_eq!(
        status(report, "iam.unused_credentials", "bob"),
        Status::Pass
    );
    let types: BTreeSet<_> = report
        .results
        .iter()
        .filter(|r| r.service == "iam")
        .map(|r| (r.resource_type.as_ref(), r.region.as_str()))
        .collect();
    assert_eq!(
        types,
        BTreeSet::from([
            ("AWS::::Account", "global"),
            ("AWS::IAM::Group", "global"),
            ("AWS::IAM::Role", "global"),
            ("AWS::IAM::User", "global")
        ])
    );
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
    // The seeded RDS master password, and the value of the guarded role's Deny condition.
    // (and the customer-data bucket policy's endpoint condition value).
    for secret in ["demo-password-1", "vpce-0a1b2c3d4e5f", "sts:AssumeRole"] {
        assert!(!json.contains(secret), "the report contains {secret}");
    }
}

#[test]
fn guardrails_per_region_and_per_trail() {
    let report = full();
    let by_region = |check: &str| {
        let mut found: Vec<_> = report
            .results
            .iter()
            .filter(|r| r.check_id == check)
            .map(|r| (r.region.clone(), r.status))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        found
    };
    for check in ["guardduty.enabled", "config.recorder_enabled"] {
        assert_eq!(
            by_region(check),
            [
                ("eu-west-1".to_string(), Fail),
                ("us-east-1".to_string(), Pass)
            ],
            "{check}"
        );
    }
    assert_eq!(
        status(report, "cloudtrail.multi_region_enabled", "123456789012"),
        Pass
    );
    assert!(
        detail(report, "cloudtrail.multi_region_enabled", "123456789012").contains("org-trail")
    );
    for check in ["cloudtrail.log_file_validation", "cloudtrail.kms_encrypted"] {
        assert_eq!(status(report, check, "org-trail"), Pass, "{check}");
        assert_eq!(status(report, check, "dev-trail"), Fail, "{check}");
    }
    let rotation: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "kms.cmk_rotation")
        .map(|r| r.status)
        .collect();
    assert!(
        rotation.contains(&Pass) && rotation.contains(&Fail),
        "{rotation:?}"
    );
}

#[test]
fn a_multi_region_trail_homed_outside_the_audit_is_seen_through_its_shadow() {
    // The seeded multi-region trail is homed in us-east-1; auditing eu-west-1 alone lists it
    // as a shadow trail, and its status is read in us-east-1.
    let report = audit(&AuditRequest {
        regions: RegionSelection::Listed(vec!["eu-west-1".into()]),
        services: parse_services(&["cloudtrail"]).unwrap(),
        ..AuditRequest::default()
    });
    assert!(report.complete, "{:#?}", report.errors);
    assert_eq!(
        status(&report, "cloudtrail.multi_region_enabled", "123456789012"),
        Pass,
        "{}",
        detail(&report, "cloudtrail.multi_region_enabled", "123456789012")
    );
    // Judged once, in its home region, even when both regions list it.
    let trails: Vec<_> = full()
        .results
        .iter()
        .filter(|r| r.check_id == "cloudtrail.log_file_validation")
        .map(|r| (r.resource_id.as_str(), r.region.as_str()))
        .collect();
    assert_eq!(
        trails.iter().filter(|(id, _)| *id == "org-trail").count(),
        1,
        "{trails:?}"
    );
}
