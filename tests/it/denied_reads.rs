//! One denied read costs exactly the verdicts that depend on it. Each account-level setting the
//! audit reads is denied in turn (by a proxy in front of the emulator answering that one call
//! with the protocol's access-denied error) in a run compared with a full run before it: the
//! denied checks' findings are unverified and their requirements not evaluated, naming the
//! permission, while every other verdict is unchanged and a deleted volume is resolved.

use std::collections::BTreeSet;

use crate::support;

use aws_sdk_ec2::types::{IpPermission, IpRange, OperationType, SnapshotAttributeName};
use secaudit::aws::Clients;
use secaudit::compliance::RequirementStatus;
use secaudit::report::Report;
use secaudit::request::{parse_services, AuditRequest, RegionSelection};
use support::fault_proxy::{FaultProxy, Faults};
use support::{block_on, MotoServer};

const REGION: &str = "us-east-1";

/// One denial: what the proxy matches, the permission it denies, the checks reading it, and a
/// requirement that only those checks decide.
struct Denial {
    request_contains: &'static str,
    permission: &'static str,
    checks: &'static [&'static str],
    requirement: (&'static str, &'static str),
}

const DENIALS: [Denial; 4] = [
    Denial {
        request_contains: "Action=GetSnapshotBlockPublicAccessState",
        permission: "ec2:GetSnapshotBlockPublicAccessState",
        checks: &[
            "ec2.ebs_snapshot_public",
            "ec2.snapshot_block_public_access",
        ],
        requirement: ("fsbp", "EC2.1"),
    },
    Denial {
        request_contains: "Action=GetEbsEncryptionByDefault",
        permission: "ec2:GetEbsEncryptionByDefault",
        checks: &["ec2.ebs_default_encryption"],
        requirement: ("fsbp", "EC2.7"),
    },
    Denial {
        request_contains: "GET /v20180820/configuration/publicAccessBlock",
        permission: "s3:GetAccountPublicAccessBlock",
        checks: &[
            "s3.public_access_block",
            "s3.policy_public",
            "s3.acl_public",
        ],
        requirement: ("fsbp", "S3.2"),
    },
    Denial {
        request_contains: "Action=GetAccountPasswordPolicy",
        permission: "iam:GetAccountPasswordPolicy",
        checks: &["iam.password_policy"],
        requirement: ("cis-aws-3.0", "1.8"),
    },
];

/// Two unencrypted volumes (one to delete), a public snapshot, a group open on SSH, a bucket;
/// no password policy and encryption by default off, as moto starts.
async fn seed(sdk: &aws_config::SdkConfig) -> String {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let mut volumes = Vec::new();
    for _ in 0..2 {
        let volume = ec2
            .create_volume()
            .availability_zone("us-east-1a")
            .size(1)
            .send()
            .await
            .expect("volume");
        volumes.push(volume.volume_id.expect("volume id"));
    }
    let snapshot = ec2
        .create_snapshot()
        .volume_id(&volumes[1])
        .send()
        .await
        .expect("snapshot")
        .snapshot_id
        .expect("snapshot id");
    ec2.modify_snapshot_attribute()
        .snapshot_id(&snapshot)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add)
        .group_names("all")
        .send()
        .await
        .expect("make the snapshot public");
    let group = ec2
        .create_security_group()
        .group_name("ssh-open")
        .description("ssh from anywhere")
        .send()
        .await
        .expect("group")
        .group_id
        .expect("group id");
    ec2.authorize_security_group_ingress()
        .group_id(group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("tcp")
                .from_port(22)
                .to_port(22)
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await
        .expect("open ssh");
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("denied-reads")
        .send()
        .await
        .expect("bucket");
    volumes.swap_remove(0)
}

fn request() -> AuditRequest {
    AuditRequest {
        services: parse_services(&["ec2", "sg", "s3", "iam"]).unwrap(),
        regions: RegionSelection::Listed(vec![REGION.into()]),
        ..AuditRequest::default()
    }
}

async fn audit(sdk: aws_config::SdkConfig, baseline: Option<&Report>) -> Report {
    let clients = Clients::from_sdk_config(sdk);
    let assessment = secaudit::assess::AssessContext {
        frameworks: ["fsbp", "cis-aws-3.0"]
            .map(|id| secaudit::compliance::frameworks::find(id).unwrap())
            .to_vec(),
        ..Default::default()
    };
    let audit = secaudit::AccountAudit {
        clients: &clients,
        request: &request(),
        assessment: &assessment,
        expected_account: None,
        collect_until: None,
    };
    let baseline = baseline.cloned();
    secaudit::audit_account(&audit, |_| async move { Ok(baseline) })
        .await
        .expect("the audit runs")
}

/// (check, resource, status) of every verdict, but the `skipped` results.
fn verdicts(report: &Report, skipped: &[&str]) -> BTreeSet<(String, String, String)> {
    report
        .results
        .iter()
        .filter(|r| !skipped.contains(&r.id.as_str()))
        .map(|r| {
            (
                r.check_id.to_string(),
                r.resource_id.clone(),
                format!("{:?}", r.status),
            )
        })
        .collect()
}

fn requirement_status(
    report: &Report,
    (framework, id): (&str, &str),
) -> (RequirementStatus, String) {
    let framework = secaudit::compliance::frameworks::find(framework).unwrap();
    let view = secaudit::compliance::evaluate(framework, report.evidence());
    let requirement = view.requirements.iter().find(|r| r.id == id).unwrap();
    (
        requirement.status,
        requirement.reason.clone().unwrap_or_default(),
    )
}

#[test]
fn a_denied_setting_read_costs_only_the_verdicts_that_read_it() {
    let server = MotoServer::start();
    let sdk = server.sdk_config(REGION);
    let (deleted, baseline) = block_on(async {
        let deleted = seed(&sdk).await;
        let baseline = audit(sdk.clone(), None).await;
        aws_sdk_ec2::Client::new(&sdk)
            .delete_volume()
            .volume_id(&deleted)
            .send()
            .await
            .expect("delete a volume");
        (deleted, baseline)
    });
    assert!(baseline.complete, "{:#?}", baseline.errors);
    let deleted_finding = baseline
        .results
        .iter()
        .find(|r| r.check_id == "ec2.ebs_encrypted" && r.resource_id == deleted)
        .expect("the unencrypted volume fails")
        .id
        .clone();

    for denial in &DENIALS {
        let failing_before: Vec<&str> = baseline
            .results
            .iter()
            .filter(|r| denial.checks.contains(&&*r.check_id) && r.is_failed())
            .map(|r| r.id.as_str())
            .collect();
        assert!(
            !failing_before.is_empty(),
            "{}: the seed makes its checks fail",
            denial.permission
        );
        let proxy = FaultProxy::start(
            &server.endpoint,
            Faults {
                deny_when_request_contains: Some(denial.request_contains),
                ..Faults::default()
            },
        );
        let through_proxy = support::sdk_config(&proxy.endpoint, REGION);
        let report = block_on(audit(through_proxy, Some(&baseline)));
        let what = denial.permission;

        // The denial is one error naming the permission, and the report is incomplete.
        assert!(!report.complete, "{what}");
        let denied: Vec<Option<&str>> = report
            .errors
            .iter()
            .map(|e| e.required_permission.as_deref())
            .collect();
        assert_eq!(denied, [Some(what)], "{what}: {:#?}", report.errors);

        // What the checks reading it found failing depended on it: no verdict now, and
        // unverified, never resolved. Their verdicts that did not depend on it (a bucket whose
        // own block is all on passes whatever the account's) stand.
        let changes = report.changes.as_ref().expect("compared with the baseline");
        for id in &failing_before {
            assert!(!report.results.iter().any(|r| r.id == *id), "{what}: {id}");
            assert!(changes.unverified.iter().any(|u| u == id), "{what}: {id}");
            assert!(!changes.resolved.iter().any(|r| r == id), "{what}: {id}");
        }
        let (status, reason) = requirement_status(&report, denial.requirement);
        assert_eq!(status, RequirementStatus::NotEvaluated, "{what}");
        assert!(reason.contains(what), "{what}: {reason}");

        // Every other verdict is as before, but the deleted volume's, which is resolved.
        let mut expected = verdicts(&baseline, &failing_before);
        expected.retain(|(_, resource, _)| *resource != deleted);
        assert_eq!(verdicts(&report, &[]), expected, "{what}");
        assert_eq!(
            changes.resolved,
            std::slice::from_ref(&deleted_finding),
            "{what}"
        );
        assert_eq!(
            requirement_status(&report, ("fsbp", "EC2.2")).0,
            requirement_status(&baseline, ("fsbp", "EC2.2")).0,
            "{what}: the default group's verdict"
        );
    }
}
