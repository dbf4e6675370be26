//! The seeded compute and network resources, each with its verdict: instances, volumes and
//! security groups.

use super::*;

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

/// Lambda.1 as AWS Config's rule judges it: a wildcard principal or Amazon S3 without
/// `aws:SourceAccount` is public; API Gateway for the account's own API is not.
#[test]
fn lambda_function_policies() {
    let report = full();
    assert_eq!(status(report, "lambda.policy_public", "orders-api"), Pass);
    assert_eq!(status(report, "lambda.policy_public", "public-hook"), Fail);
    let failing = detail(report, "lambda.policy_public", "public-hook");
    assert!(failing.contains("service s3.amazonaws.com"), "{failing}");
    assert!(failing.contains("everyone"), "{failing}");
    assert!(!failing.contains("apigateway"), "{failing}");
}

/// EKS.2 on the control planes, EKS.9 on `internal`'s managed node groups (by the same
/// calendar, as of the real date).
#[test]
fn eks_clusters_and_node_groups() {
    let report = full();
    assert_eq!(status(report, "eks.supported_version", "platform"), Fail);
    assert_eq!(
        status(report, "eks.nodegroup_supported_version", "internal/legacy"),
        Fail
    );
    assert!(
        detail(report, "eks.nodegroup_supported_version", "internal/legacy")
            .starts_with("Kubernetes 1.29 left standard support on ")
    );
    // 1.35 is in standard support until 2027-03-27.
    let workers = status(
        report,
        "eks.nodegroup_supported_version",
        "internal/workers",
    );
    let supported = time::OffsetDateTime::now_utc().date() < time::macros::date!(2027 - 03 - 27);
    assert_eq!(workers, if supported { Pass } else { Fail });
}

/// EC2.23: of the two seeded transit gateways, the one accepting shared attachments fails.
#[test]
fn transit_gateways_accepting_attachments_unseen() {
    let report = full();
    let mut statuses: Vec<(Status, &str)> = report
        .results
        .iter()
        .filter(|r| r.check_id == "ec2.transit_gateway_auto_accept")
        .map(|r| (r.status, r.detail.as_str()))
        .collect();
    statuses.sort_by_key(|(_, detail)| *detail);
    assert_eq!(
        statuses,
        [
            (Fail, "Shared VPC attachments are accepted automatically (AutoAcceptSharedAttachments is enable)."),
            (Pass, "Shared VPC attachments wait to be accepted (AutoAcceptSharedAttachments is disable).")
        ]
    );
}

/// EC2.25 on the default version only: `app-private`'s newer version would assign a public IP.
#[test]
fn launch_templates_default_versions() {
    let report = full();
    let by_name = |name: &str| {
        let result = report
            .results
            .iter()
            .find(|r| {
                r.check_id == "ec2.launch_template_public_ip"
                    && r.resource_name.as_deref() == Some(name)
            })
            .unwrap_or_else(|| panic!("no verdict on {name}"));
        (result.status, result.detail.clone())
    };
    assert_eq!(
        by_name("web-public"),
        (
            Fail,
            "Default version 1 assigns a public IP address (AssociatePublicIpAddress on device 0)."
                .to_string()
        )
    );
    assert_eq!(by_name("app-private").0, Pass);
}

/// AutoScaling.3 and Autoscaling.5 on the two launch configurations.
#[test]
fn auto_scaling_launch_configurations() {
    let report = full();
    for check in [
        "autoscaling.launch_configuration_imdsv2",
        "autoscaling.launch_configuration_public_ip",
    ] {
        assert_eq!(status(report, check, "web-lc-v1"), Fail, "{check}");
        assert_eq!(status(report, check, "web-lc-v2"), Pass, "{check}");
    }
}

/// ECR.1 on the scanning AWS resolves per repository: the registry's filters override a
/// repository's own scanOnPush; a registry without filters leaves it to the repository.
#[test]
fn ecr_repositories_are_judged_on_their_effective_scanning() {
    let report = full();
    assert_eq!(status(report, "ecr.image_scanning", "prod-api"), Pass);
    assert!(detail(report, "ecr.image_scanning", "prod-api").contains("filter 'prod-*'"));
    assert_eq!(status(report, "ecr.image_scanning", "app"), Fail);
    assert!(detail(report, "ecr.image_scanning", "app").contains("MANUAL"));
    assert_eq!(status(report, "ecr.image_scanning", "legacy"), Fail);
    assert_eq!(status(report, "ecr.image_scanning", "edge-cache"), Pass);
}
