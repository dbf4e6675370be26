//! Which results a requirement judges (a control's resource types) and requirements that
//! checks judge only in part.

use super::*;
use crate::services::rds::{self, DbCluster, DbInstance};

fn databases(instance_encrypted: bool) -> Vec<CheckResult> {
    run(&Inventory {
        rds: rds::Inventory {
            db_instances: vec![DbInstance {
                id: "orders".into(),
                region: "us-east-1".into(),
                storage_encrypted: instance_encrypted,
                backup_retention_days: 7,
                ..Default::default()
            }],
            db_clusters: vec![DbCluster {
                id: "ledger".into(),
                region: "us-east-1".into(),
                storage_encrypted: true,
                backup_retention_days: 7,
                ..Default::default()
            }],
            ..Default::default()
        },
        ..Default::default()
    })
}

fn requirement<'a>(view: &'a FrameworkView, id: &str) -> &'a RequirementView {
    view.requirements.iter().find(|r| r.id == id).unwrap()
}

#[test]
fn a_control_judges_only_the_resource_types_its_rule_evaluates() {
    let fsbp = frameworks::find("fsbp").unwrap();
    let view = evaluate(fsbp, report(databases(false), &["rds"], vec![]).evidence());
    // The unencrypted instance fails the instance control, not the cluster control.
    let instances = requirement(&view, "RDS.3");
    assert_eq!(instances.status, RequirementStatus::Fail);
    assert_eq!(instances.results.len(), 1);
    assert!(instances.results[0].contains("orders"));
    let clusters = requirement(&view, "RDS.27");
    assert_eq!(clusters.status, RequirementStatus::Pass);
    assert_eq!(clusters.results.len(), 1);
    assert!(clusters.results[0].contains("ledger"));
}

#[test]
fn a_requirement_judged_in_part_fails_on_its_part_but_never_passes() {
    let fsbp = frameworks::find("fsbp").unwrap();
    let view = evaluate(fsbp, report(databases(true), &["rds"], vec![]).evidence());
    let instances = requirement(&view, "RDS.3");
    assert_eq!(instances.status, RequirementStatus::NotEvaluated);
    assert!(instances
        .reason
        .as_deref()
        .unwrap()
        .starts_with("judged in part only: the rule judges every DB instance"));
    // RDS.27 is judged whole.
    assert_eq!(status_of(&view, "RDS.27"), RequirementStatus::Pass);

    let check = registry()
        .find(|c| c.id == "rds.storage_encrypted")
        .unwrap();
    let partial = frameworks::partial_mappings(check);
    assert_eq!(partial.len(), 1);
    assert_eq!(
        (partial[0].framework, partial[0].requirement),
        ("fsbp", "RDS.3")
    );
}

/// A partial mapping says what its checks leave out; one without checks would be "not covered".
#[test]
fn every_requirement_judged_in_part_has_checks() {
    for framework in frameworks::all() {
        for requirement in &framework.requirements {
            if frameworks::partial_because(requirement).is_some() {
                assert!(
                    !frameworks::mapped_checks(framework, &requirement.id).is_empty(),
                    "{} {} is partial but no check maps to it",
                    framework.about.id,
                    requirement.id
                );
            }
        }
    }
}

/// EC2.8's rule and CIS 5.6 judge HttpTokens alone; the check also passes a disabled endpoint.
#[test]
fn imds_requirements_judge_http_tokens_alone() {
    use crate::services::ec2::{self as ec2_service, Instance};
    let instance = |endpoint: &str, tokens: &str| Instance {
        id: format!("i-{endpoint}-{tokens}"),
        region: "us-east-1".into(),
        state: "running".into(),
        http_endpoint: Some(endpoint.into()),
        http_tokens: Some(tokens.into()),
        ..Default::default()
    };
    let judged = |endpoint: &str, tokens: &str| {
        let results = run(&Inventory {
            ec2: ec2_service::Inventory {
                instances: vec![instance(endpoint, tokens)],
                ..Default::default()
            },
            ..Default::default()
        });
        let check = results
            .iter()
            .find(|r| r.check_id == "ec2.imdsv2_required")
            .unwrap()
            .status;
        let evidence = report(results, &["ec2"], vec![]);
        let view = |id: &str| evaluate(frameworks::find(id).unwrap(), evidence.evidence());
        (
            check,
            status_of(&view("fsbp"), "EC2.8"),
            status_of(&view("cis-aws-3.0"), "5.6"),
        )
    };
    use RequirementStatus::{Fail, Pass};
    assert_eq!(judged("disabled", "optional"), (Status::Pass, Fail, Fail));
    assert_eq!(judged("disabled", "required"), (Status::Pass, Pass, Pass));
    assert_eq!(judged("enabled", "optional"), (Status::Fail, Fail, Fail));
}

/// FSBP Config.1 also asks for the service-linked role, CIS 3.3 for a last status of SUCCESS.
#[test]
fn config_requirements_judge_the_role_and_the_last_status() {
    let facts = |list: &[&str]| list.iter().map(|f| f.to_string()).collect::<Vec<_>>();
    let own_role = facts(&["recorder role not service-linked"]);
    assert_eq!(
        frameworks::fails_requirement("fsbp", "Config.1", &own_role),
        Some(true)
    );
    assert_eq!(
        frameworks::fails_requirement("cis-aws-3.0", "3.3", &own_role),
        Some(false)
    );
    let pending = facts(&["last status PENDING"]);
    assert_eq!(
        frameworks::fails_requirement("cis-aws-3.0", "3.3", &pending),
        Some(true)
    );
    // v7.0's 4.3 repeats v3.0's 3.3.
    assert_eq!(
        frameworks::fails_requirement("cis-aws-7.0", "4.3", &pending),
        Some(true)
    );
    assert_eq!(
        frameworks::fails_requirement("fsbp", "Config.1", &pending),
        Some(false)
    );
}

/// FSBP S3.2 judges public reads and S3.3 public writes, from a bucket's ACL or its policy.
#[test]
fn public_reads_and_writes_decide_s3_2_and_s3_3_apart() {
    use crate::services::s3::{self, Bucket, BucketAcl};
    let fsbp = frameworks::find("fsbp").unwrap();
    let judged = |grant: &str| {
        let results = run(&Inventory {
            s3: s3::Inventory {
                buckets: vec![Bucket {
                    name: "shared".into(),
                    region: "us-east-1".into(),
                    acl: Some(BucketAcl::PublicGrants(vec![grant.into()])),
                    ..Default::default()
                }],
                ..Default::default()
            },
            ..Default::default()
        });
        let view = evaluate(fsbp, report(results, &["s3"], vec![]).evidence());
        (status_of(&view, "S3.2"), status_of(&view, "S3.3"))
    };
    use RequirementStatus::{Fail, NotEvaluated, Pass};
    let passes = |status| matches!(status, Pass | NotEvaluated);
    let (read, write) = judged("AllUsers WRITE");
    assert!(passes(read) && write == Fail, "{read:?} {write:?}");
    let (read, write) = judged("AllUsers READ");
    assert!(read == Fail && passes(write), "{read:?} {write:?}");
    assert_eq!(judged("AuthenticatedUsers FULL_CONTROL"), (Fail, Fail));
}

/// FSBP IAM.3 and CIS 1.14 ask for keys at most 90 days old, whatever limit the check ran with.
#[test]
fn key_rotation_requirements_judge_90_days_whatever_the_option() {
    let facts = |fact: &str| [fact.to_string()];
    for (framework, id) in [
        ("fsbp", "IAM.3"),
        ("cis-aws-3.0", "1.14"),
        ("cis-aws-7.0", "2.12"),
    ] {
        let fails = |fact: &str| frameworks::fails_requirement(framework, id, &facts(fact));
        assert_eq!(fails("oldest active key 91 days"), Some(true), "{id}");
        assert_eq!(fails("oldest active key 90 days"), Some(false), "{id}");
        assert_eq!(
            fails("active key without creation date"),
            Some(true),
            "{id}"
        );
    }
}
