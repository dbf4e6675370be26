//! The seeded data and identity resources, each with its verdict: databases, buckets, IAM, and
//! the account guardrails (trails, detectors, recorders).

use super::*;

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
    // Cluster members: public access and minor upgrades are each instance's own.
    assert!(report
        .results
        .iter()
        .any(|r| r.check_id == "rds.public_access" && r.resource_id == "analytics-1"));
    let minor = |id| status(report, "rds.auto_minor_version_upgrade", id);
    assert_eq!(
        (minor("analytics-1"), minor("staging-aurora-1")),
        (Pass, Fail)
    );
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

/// Privilege escalation read from the emulator's authorization details: trust policies,
/// permissions boundaries, every version of a customer managed policy, and the instances
/// whose role a command would run as.
#[test]
fn privilege_escalation_paths() {
    let report = full();
    for (name, expected) in [
        ("ci-deployer", Fail),
        ("erin", Fail),
        ("power-user", Fail),
        ("bounded-builder", Pass),
        ("dave", Pass),
        ("carol", Pass),
        ("app-reader", Pass),
    ] {
        assert_eq!(
            status(report, "iam.privilege_escalation", name),
            expected,
            "{name}: {:?}",
            report
                .results
                .iter()
                .find(|r| r.check_id == "iam.privilege_escalation" && r.resource_id == name)
                .map(|r| &r.detail)
        );
    }
    assert_eq!(
        detail(report, "iam.privilege_escalation", "ci-deployer"),
        "Can become an administrator: ci-deployer may iam:PassRole role/ops-admin (inline policy \"deploy\") and lambda:CreateFunction + lambda:InvokeFunction: runs code as ops-admin; then ops-admin is an administrator (managed policy \"AdministratorAccess\")."
    );
    assert!(detail(report, "iam.privilege_escalation", "erin")
        .contains("may iam:SetDefaultPolicyVersion on policy/team-tools"));
    assert!(detail(report, "iam.privilege_escalation", "power-user")
        .contains("which runs as deploy-admin"));
    // Administrators fail iam.admin_access, not this.
    for admin in ["deploy-admin", "alice", "ops-admin"] {
        assert!(
            !has_result(report, "iam.privilege_escalation", admin),
            "{admin}"
        );
    }
}

/// The CIS recommendations both versions share, on the emulator's account.
#[test]
fn cis_checks_on_support_keys_instances_network_acls_and_the_trail_bucket() {
    let report = full();
    assert_eq!(status(report, "iam.support_role", "123456789012"), Pass);
    assert!(detail(report, "iam.support_role", "123456789012").contains("support"));
    assert_eq!(status(report, "iam.one_active_key", "dave"), Fail);
    assert_eq!(status(report, "iam.one_active_key", "carol"), Pass);
    // legacy-app holds an instance profile; the other instances do not.
    let instances: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "ec2.instance_role")
        .collect();
    assert!(instances.iter().any(|r| r.status == Pass), "{instances:#?}");
    assert!(instances.iter().any(|r| r.status == Fail), "{instances:#?}");
    // Every default network ACL admits everything from everywhere.
    let acls: Vec<_> = report
        .results
        .iter()
        .filter(|r| r.check_id == "vpc.nacl_admin_ports")
        .collect();
    assert!(
        !acls.is_empty() && acls.iter().all(|r| r.status == Fail),
        "{acls:#?}"
    );
    assert!(acls[0].facts.iter().any(|f| f == "0.0.0.0/0 all traffic"));
    // The trails deliver to acme-audit-logs: its own logging decides.
    assert_eq!(
        status(report, "cloudtrail.bucket_access_logging", "org-trail"),
        status(report, "s3.server_access_logging", "acme-audit-logs")
    );
    assert!(!has_result(
        report,
        "iam.expired_server_certificates",
        "none"
    ));
}

fn has_result(report: &Report, check: &str, resource: &str) -> bool {
    report
        .results
        .iter()
        .any(|r| r.check_id == check && r.resource_id == resource)
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
    // Customer managed policies as FSBP IAM.1 and IAM.21 judge them: attached or not.
    for (policy, admin, service_wildcards) in
        [("legacy-admin", Fail, Pass), ("s3-full-access", Pass, Fail)]
    {
        assert_eq!(
            status(report, "iam.customer_policy_admin", policy),
            admin,
            "{policy}"
        );
        assert_eq!(
            status(report, "iam.customer_policy_service_wildcards", policy),
            service_wildcards,
            "{policy}"
        );
    }
    assert!(detail(report, "iam.customer_policy_admin", "legacy-admin")
        .contains("(attached to nothing)"));
    assert!(detail(
        report,
        "iam.customer_policy_service_wildcards",
        "s3-full-access"
    )
    .contains("(attached to 1 principal)"));
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
            ("AWS::IAM::Policy", "global"),
            ("AWS::IAM::Role", "global"),
            ("AWS::IAM::User", "global")
        ])
    );
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
    // Protection plans, judged only in us-east-1, where the detector is.
    for (check, status) in [
        ("guardduty.s3_protection", Pass),
        ("guardduty.runtime_monitoring", Pass),
        ("guardduty.eks_runtime_monitoring", Pass),
        ("guardduty.eks_audit_logs", Fail),
        ("guardduty.lambda_protection", Fail),
        ("guardduty.malware_protection", Fail),
        ("guardduty.rds_protection", Fail),
    ] {
        assert_eq!(
            by_region(check),
            [("us-east-1".to_string(), status)],
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
    // org-trail records object-level writes of every bucket, not reads (CIS 3.8, 3.9).
    assert_eq!(
        status(report, "cloudtrail.s3_object_write_events", "123456789012"),
        Pass
    );
    assert_eq!(
        status(report, "cloudtrail.s3_object_read_events", "123456789012"),
        Fail
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
    // Of the customer managed keys, one is open to anyone and one is scheduled for deletion;
    // the others pass both checks.
    let failed = |check: &str| -> Vec<&str> {
        report
            .results
            .iter()
            .filter(|r| r.check_id == check && r.status == Fail)
            .map(|r| r.detail.as_str())
            .collect()
    };
    let passed = |check: &str| {
        report
            .results
            .iter()
            .filter(|r| r.check_id == check && r.status == Pass)
            .count()
    };
    assert!(passed("kms.key_policy_public") >= 3);
    assert!(passed("kms.key_pending_deletion") >= 3);
    let public = failed("kms.key_policy_public");
    assert!(
        matches!(public.as_slice(), [only] if only.contains("statement \"anyone-decrypts\" grants kms:Decrypt to AWS principal *")),
        "{public:?}"
    );
    let doomed = failed("kms.key_pending_deletion");
    assert!(
        matches!(doomed.as_slice(), [only] if only.starts_with("The key is PendingDeletion and will be deleted at ")),
        "{doomed:?}"
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

/// Redshift Serverless (the test server's workgroups): RedshiftServerless.3 and .1.
#[test]
fn redshift_serverless_workgroups() {
    let report = full();
    for check in [
        "redshiftserverless.not_public",
        "redshiftserverless.enhanced_vpc_routing",
    ] {
        assert_eq!(status(report, check, "bi-private"), Pass, "{check}");
        assert_eq!(status(report, check, "bi-public"), Fail, "{check}");
    }
}

/// RDS.46: `legacy-db` sits in the default VPC's subnets, routed to its internet gateway.
#[test]
fn rds_instances_in_subnets_routed_to_the_internet() {
    let report = full();
    assert_eq!(
        status(report, "rds.not_in_public_subnet", "legacy-db"),
        Fail
    );
    let detail = detail(report, "rds.not_in_public_subnet", "legacy-db");
    assert!(detail.contains("0.0.0.0/0 → igw-"), "{detail}");
}

/// S3.24: Multi-Region Access Points (the test server answers S3 Control's calls for them).
#[test]
fn s3_multi_region_access_points() {
    let report = full();
    let check = "s3.multi_region_access_point_public_access_block";
    assert_eq!(status(report, check, "global-assets"), Pass);
    assert_eq!(status(report, check, "global-legacy"), Fail);
    let detail = detail(report, check, "global-legacy");
    assert!(detail.contains("BlockPublicPolicy"), "{detail}");
}
