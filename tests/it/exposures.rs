//! Exposures on moto: the demo account's failed results add up to ways in. One is
//! legacy-app's: reachable on SSH, accepting IMDSv1, and an administrator through its instance
//! profile. Removing the profile resolves it in the next run's diff; a mutelist rule on one of
//! its steps marks the step accepted, and hides the exposure only with `exposures = true`.

use crate::support;

use secaudit::assess::mutelist::Mutelist;
use secaudit::assess::{assess, AssessContext};
use secaudit::aws::Clients;
use secaudit::exposures::{Exposure, ExposureKind, StepRole};
use secaudit::model::Severity;
use secaudit::report::Report;
use secaudit::request::{AuditRequest, RegionSelection};
use secaudit::scan::{scan, AccountScan};
use support::seed::seed_demo_account;
use support::{block_on, MotoServer};

fn scan_now(clients: &Clients) -> AccountScan {
    let request = AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into(), "eu-west-1".into()]),
        ..AuditRequest::default()
    };
    block_on(scan(clients, &request, None)).expect("the scan runs")
}

fn of_instance<'a>(report: &'a Report, instance: &str) -> Option<&'a Exposure> {
    report
        .exposures
        .iter()
        .find(|e| e.kind == ExposureKind::ReachableInstance && e.steps[0].resource_id == instance)
}

#[test]
fn the_demo_account_reaches_an_administrator_through_an_instance_profile_until_it_is_removed() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let seeded = block_on(seed_demo_account(&sdk)).expect("seeding the emulator");
    let clients = Clients::from_sdk_config(sdk.clone());
    let legacy_app = &seeded.instances["legacy-app"];

    let first_scan = scan_now(&clients);
    let first = assess(first_scan.clone(), &AssessContext::default());
    assert!(first.complete, "{:#?}", first.errors);
    assert!(first.exposures.len() >= 2, "{:#?}", first.exposures);
    let admin = of_instance(&first, legacy_app).expect("legacy-app is an exposure");
    assert_eq!(admin.severity, Severity::Critical);
    let steps: Vec<(&str, &str, StepRole)> = admin
        .steps
        .iter()
        .map(|s| (s.check_id.as_str(), s.resource_id.as_str(), s.role))
        .collect();
    assert_eq!(
        steps,
        [
            ("ec2.no_public_ip", legacy_app.as_str(), StepRole::Entry),
            (
                "sg.high_risk_ports",
                seeded.security_groups["ssh-open"].as_str(),
                StepRole::Ease
            ),
            ("ec2.imdsv2_required", legacy_app.as_str(), StepRole::Ease),
            ("iam.admin_access", "deploy-admin", StepRole::Reach),
        ]
    );
    for step in &admin.steps {
        assert!(
            first
                .results
                .iter()
                .any(|r| r.id == step.result_id && r.is_failed()),
            "{} is a failed result of the run",
            step.result_id
        );
    }
    // Instances without a public address or a world-open group are none; public data is.
    for quiet in ["web-prod", "batch-dev"] {
        assert!(
            of_instance(&first, &seeded.instances[quiet]).is_none(),
            "{quiet}"
        );
    }
    assert!(first
        .exposures
        .iter()
        .any(|e| e.severity == Severity::Critical && e.kind != ExposureKind::ReachableInstance));

    // A mute on the role's finding marks the step; only `exposures = true` hides the chain.
    for (flag, hidden) in [("", false), ("exposures = true", true)] {
        let mutelist = Mutelist::parse(
            "mutelist.toml",
            &format!(
                "[[rule]]\nchecks = [\"iam.admin_access\"]\nresources = [\"deploy-admin\"]\n\
                 reason = \"break-glass role\"\nexpires = \"2099-01-01\"\n{flag}\n"
            ),
        )
        .unwrap();
        let report = assess(
            first_scan.clone(),
            &AssessContext {
                mutelist: Some(mutelist),
                ..Default::default()
            },
        );
        let exposure = of_instance(&report, legacy_app).unwrap();
        assert!(exposure.steps[3].muted.is_some());
        assert_eq!(exposure.muted.is_some(), hidden, "{flag}");
    }

    // The profile removed: the chain to the administrator is broken in the next run's diff.
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let associations = block_on(ec2.describe_iam_instance_profile_associations().send()).unwrap();
    let association = associations
        .iam_instance_profile_associations()
        .iter()
        .find(|a| a.instance_id() == Some(legacy_app.as_str()))
        .and_then(|a| a.association_id())
        .expect("legacy-app's association")
        .to_string();
    block_on(
        ec2.disassociate_iam_instance_profile()
            .association_id(association)
            .send(),
    )
    .unwrap();
    let second = assess(
        scan_now(&clients),
        &AssessContext {
            baseline: Some(first.clone()),
            ..Default::default()
        },
    );
    let changes = second.changes.as_ref().unwrap();
    assert_eq!(changes.exposures.resolved, vec![admin.id.clone()]);
    // Still reachable on SSH: a lesser exposure of its own, new in this run.
    let lesser = of_instance(&second, legacy_app).expect("SSH is still open to the world");
    assert_eq!(lesser.severity, Severity::High);
    assert_eq!(changes.exposures.new, vec![lesser.id.clone()]);
    assert!(lesser.steps.iter().all(|s| s.role != StepRole::Reach));
}
