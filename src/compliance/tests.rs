use std::collections::BTreeSet;

use super::*;
use crate::model::{AuditError, Mute, Status};
use crate::services::checks::registry;
use crate::services::checks::test_support::run;
use crate::services::sg::SecurityGroup;
use crate::services::{sg, Inventory};

/// What a report would hold: the evidence, owned.
struct Report {
    results: Vec<CheckResult>,
    services: Vec<String>,
    errors: Vec<AuditError>,
}

impl Report {
    fn evidence(&self) -> Evidence<'_> {
        Evidence {
            results: &self.results,
            services: &self.services,
            errors: &self.errors,
            environment_filtered: false,
        }
    }
}

fn report(results: Vec<CheckResult>, services: &[&str], errors: Vec<AuditError>) -> Report {
    Report {
        results,
        services: services.iter().map(|s| s.to_string()).collect(),
        errors,
    }
}

fn status_of(view: &FrameworkView, id: &str) -> RequirementStatus {
    view.requirements
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no requirement {id}"))
        .status
}

#[test]
fn every_requirement_appears_exactly_once_as_many_as_the_source_lists() {
    assert_eq!(frameworks::all().len(), 3);
    for framework in frameworks::all() {
        let ids: BTreeSet<&str> = framework
            .requirements
            .iter()
            .map(|r| r.id.as_str())
            .collect();
        assert_eq!(
            ids.len(),
            framework.requirements.len(),
            "{}",
            framework.about.id
        );
        assert_eq!(
            framework.requirements.len(),
            framework.about.count,
            "{}",
            framework.about.id
        );
        if let Some(automated) = framework.about.automated {
            let counted = framework
                .requirements
                .iter()
                .filter(|r| r.is_automated())
                .count();
            assert_eq!(counted, automated);
        }
        let view = evaluate(framework, report(vec![], &[], vec![]).evidence());
        assert_eq!(view.requirements.len(), framework.about.count);
        let c = view.counts;
        assert_eq!(
            c.pass + c.fail + c.not_evaluated + c.not_covered,
            framework.about.count
        );
        assert!(
            framework.about.source.starts_with("http"),
            "{}",
            framework.about.source
        );
    }
}

/// Security Hub controls the checks name that belong to other standards, not to FSBP (CIS,
/// NIST, PCI DSS) or that AWS retired (S3.4), per the Security Hub controls reference.
const SECURITY_HUB_NOT_FSBP: &[&str] = &["EC2.13", "EC2.14", "IAM.9", "KMS.4", "S3.14", "S3.4"];

#[test]
fn every_id_a_check_declares_is_a_requirement_of_its_framework() {
    let cis = frameworks::find("cis-aws-3.0").unwrap();
    let fsbp = frameworks::find("fsbp").unwrap();
    let has = |f: &Framework, id: &str| f.requirements.iter().any(|r| r.id == id);
    for check in registry() {
        for id in check.cis {
            assert!(has(cis, id), "{}: CIS {id}", check.id);
        }
        for id in check.fsbp {
            assert!(
                has(fsbp, id) != SECURITY_HUB_NOT_FSBP.contains(id),
                "{}: Security Hub {id}",
                check.id
            );
        }
    }
    assert!(frameworks::find("pci")
        .unwrap_err()
        .contains("cis-aws-3.0, cis-aws-7.0, fsbp"));
}

fn groups(list: Vec<SecurityGroup>) -> Vec<CheckResult> {
    run(&Inventory {
        sg: sg::Inventory {
            security_groups: list,
        },
        ..Default::default()
    })
}

#[test]
fn a_group_open_only_on_ipv4_fails_cis_5_2_and_passes_5_3() {
    let cis = frameworks::find("cis-aws-3.0").unwrap();
    let judged = |list| evaluate(cis, report(groups(list), &["sg"], vec![]).evidence());

    let ipv4_ssh = judged(vec![SecurityGroup::opening("sg-1", 22, "0.0.0.0/0")]);
    assert_eq!(status_of(&ipv4_ssh, "5.2"), RequirementStatus::Fail);
    assert_eq!(status_of(&ipv4_ssh, "5.3"), RequirementStatus::Pass);

    let ipv6_rdp = judged(vec![SecurityGroup::opening("sg-1", 3389, "::/0")]);
    assert_eq!(status_of(&ipv6_rdp, "5.2"), RequirementStatus::Pass);
    assert_eq!(status_of(&ipv6_rdp, "5.3"), RequirementStatus::Fail);

    // A database port open to the world fails sg.high_risk_ports, not the admin-port rules.
    let database = judged(vec![SecurityGroup::opening("sg-1", 5432, "0.0.0.0/0")]);
    assert_eq!(status_of(&database, "5.2"), RequirementStatus::Pass);

    let fsbp = frameworks::find("fsbp").unwrap();
    let fsbp_view = |list| evaluate(fsbp, report(groups(list), &["sg"], vec![]).evidence());
    let ssh = fsbp_view(vec![SecurityGroup::opening("sg-1", 22, "::/0")]);
    assert_eq!(status_of(&ssh, "EC2.19"), RequirementStatus::Fail);
    assert_eq!(status_of(&ssh, "EC2.2"), RequirementStatus::Pass);
    // MySQL is high-risk for both the check and EC2.19.
    let mysql = fsbp_view(vec![SecurityGroup::opening("sg-1", 3306, "0.0.0.0/0")]);
    assert_eq!(status_of(&mysql, "EC2.19"), RequirementStatus::Fail);
    // Redis (6379) is on secaudit's list, not AWS's: the check fails, EC2.19 passes.
    let redis = fsbp_view(vec![SecurityGroup::opening("sg-1", 6379, "0.0.0.0/0")]);
    assert_eq!(status_of(&redis, "EC2.19"), RequirementStatus::Pass);
}

#[test]
fn ec2_19_is_aws_s_port_list_whatever_list_the_check_ran_with() {
    use crate::services::checks::{CheckOptions, PortRange, RiskyPort};
    let options = CheckOptions {
        high_risk_ports: vec![RiskyPort {
            ports: PortRange::single(22),
            label: "SSH".into(),
        }],
        ..CheckOptions::default()
    };
    let inventory = Inventory {
        sg: sg::Inventory {
            security_groups: vec![SecurityGroup::opening("sg-1", 8080, "0.0.0.0/0")],
        },
        ..Default::default()
    };
    let results = crate::services::checks::evaluate(
        &inventory,
        "123456789012",
        &options,
        crate::services::checks::test_support::NOW,
    );
    let high_risk = results
        .iter()
        .find(|r| r.check_id == "sg.high_risk_ports")
        .unwrap();
    assert_eq!(high_risk.status, Status::Pass);
    let fsbp = frameworks::find("fsbp").unwrap();
    let view = evaluate(fsbp, report(results, &["sg"], vec![]).evidence());
    assert_eq!(status_of(&view, "EC2.19"), RequirementStatus::Fail);
    assert_eq!(status_of(&view, "EC2.18"), RequirementStatus::Fail);
}

#[test]
fn a_denied_read_is_not_evaluated_never_pass_and_unmapped_is_not_covered() {
    let cis = frameworks::find("cis-aws-3.0").unwrap();
    let passing = groups(vec![SecurityGroup::opening("sg-1", 443, "0.0.0.0/0")]);
    let denied = AuditError {
        service: "ec2".into(),
        region: "eu-west-1".into(),
        operation: "DescribeSecurityGroups".into(),
        resource_id: None,
        code: "AccessDenied".into(),
        message: "denied".into(),
        required_permission: None,
    };
    let view = evaluate(
        cis,
        report(passing.clone(), &["sg"], vec![denied]).evidence(),
    );
    let ssh = view.requirements.iter().find(|r| r.id == "5.2").unwrap();
    assert_eq!(ssh.status, RequirementStatus::NotEvaluated);
    assert!(ssh.reason.as_deref().unwrap().contains("AccessDenied"));

    let clean = evaluate(cis, report(passing, &["sg"], vec![]).evidence());
    assert_eq!(status_of(&clean, "5.2"), RequirementStatus::Pass);
    // IAM not audited: its requirements are not evaluated, not passed.
    assert_eq!(status_of(&clean, "1.16"), RequirementStatus::NotEvaluated);
    // 1.1 (contact details) is manual: no check decides it.
    assert_eq!(status_of(&clean, "1.1"), RequirementStatus::NotCovered);
    assert!(clean.coverage > 0.0 && clean.coverage < 100.0);
    assert!(clean.automated_coverage.unwrap() >= clean.coverage);
}

#[test]
fn a_muted_failure_fails_the_requirement_as_an_accepted_risk() {
    let cis = frameworks::find("cis-aws-3.0").unwrap();
    let mut results = groups(vec![SecurityGroup::opening("sg-1", 22, "0.0.0.0/0")]);
    for result in results.iter_mut().filter(|r| r.status == Status::Fail) {
        result.muted = Some(Box::new(Mute {
            rule: 1,
            reason: "bastion".into(),
            owner: None,
            expires: "2099-01-01".into(),
            exposures: false,
        }));
    }
    let view = evaluate(cis, report(results, &["sg"], vec![]).evidence());
    let ssh = view.requirements.iter().find(|r| r.id == "5.2").unwrap();
    assert_eq!(ssh.status, RequirementStatus::Fail);
    assert!(ssh.accepted);
    assert!(ssh.results[0].starts_with("sg."));
}

#[test]
fn a_result_without_facts_fails_as_its_check_said_and_an_environment_passes_nothing() {
    let cis = frameworks::find("cis-aws-3.0").unwrap();
    let mut results = groups(vec![SecurityGroup::opening("sg-1", 5432, "0.0.0.0/0")]);
    for result in &mut results {
        result.facts.clear();
    }
    let old = evaluate(cis, report(results, &["sg"], vec![]).evidence());
    assert_eq!(status_of(&old, "5.2"), RequirementStatus::Fail);
    assert_eq!(status_of(&old, "5.3"), RequirementStatus::Fail);

    let passing = report(
        groups(vec![SecurityGroup::opening("sg-1", 443, "0.0.0.0/0")]),
        &["sg"],
        vec![],
    );
    let filtered = Evidence {
        environment_filtered: true,
        ..passing.evidence()
    };
    assert_eq!(
        status_of(&evaluate(cis, filtered), "5.2"),
        RequirementStatus::NotEvaluated
    );
    // A report older than `services`: only services with results count as audited.
    let old_report = report(
        groups(vec![SecurityGroup::opening("sg-1", 443, "0.0.0.0/0")]),
        &[],
        vec![],
    );
    let view = evaluate(cis, old_report.evidence());
    assert_eq!(status_of(&view, "5.2"), RequirementStatus::Pass);
    assert_eq!(status_of(&view, "1.16"), RequirementStatus::NotEvaluated);
}

#[test]
fn udp_to_an_administration_port_fails_cis_5_2() {
    use crate::services::sg::fact_admits;
    assert!(fact_admits("0.0.0.0/0 udp 3389", false, 3389));
    assert!(fact_admits("::/0 tcp 0-65535", true, 22));
    assert!(!fact_admits("::/0 tcp 22", false, 22));
    assert!(!fact_admits("0.0.0.0/0 traffic", false, 22));
}

fn account(settings: crate::services::iam::AccountSettings) -> Vec<CheckResult> {
    run(&Inventory {
        iam: crate::services::iam::Inventory {
            account: settings,
            ..Default::default()
        },
        ..Default::default()
    })
}

/// Requirements that judge otherwise than their check decide on its facts, even where the
/// check passed: the password policy's length, reuse and character classes, a virtual root
/// MFA device.
#[test]
fn requirements_judge_the_facts_on_their_own_terms() {
    use crate::services::iam::{AccountSettings, PasswordPolicy};
    let (cis, fsbp) = (
        frameworks::find("cis-aws-3.0").unwrap(),
        frameworks::find("fsbp").unwrap(),
    );
    let policy = |length, reuse, symbols| AccountSettings {
        root_mfa_enabled: Some(true),
        root_virtual_mfa: Some(true),
        password_policy: Some(Some(PasswordPolicy {
            minimum_length: Some(length),
            reuse_prevention: Some(reuse),
            require_uppercase: true,
            require_lowercase: true,
            require_numbers: true,
            require_symbols: symbols,
        })),
        ..Default::default()
    };
    let views = |settings| {
        let results = account(settings);
        let evidence = report(results, &["iam"], vec![]);
        (
            evaluate(cis, evidence.evidence()),
            evaluate(fsbp, evidence.evidence()),
        )
    };
    // Long enough, too little reuse prevention: CIS 1.9 fails alone.
    let (cis_view, fsbp_view) = views(policy(14, 5, true));
    assert_eq!(status_of(&cis_view, "1.8"), RequirementStatus::Pass);
    assert_eq!(status_of(&cis_view, "1.9"), RequirementStatus::Fail);
    assert_eq!(status_of(&fsbp_view, "IAM.7"), RequirementStatus::Pass);
    // The check passes, but IAM.7 also asks for symbols.
    let (cis_view, fsbp_view) = views(policy(16, 24, false));
    assert_eq!(status_of(&cis_view, "1.8"), RequirementStatus::Pass);
    assert_eq!(status_of(&cis_view, "1.9"), RequirementStatus::Pass);
    assert_eq!(status_of(&fsbp_view, "IAM.7"), RequirementStatus::Fail);
    // A virtual root device: MFA is on (CIS 1.5), hardware is not (IAM.6, CIS 1.6).
    assert_eq!(status_of(&cis_view, "1.5"), RequirementStatus::Pass);
    assert_eq!(status_of(&cis_view, "1.6"), RequirementStatus::Fail);
    assert_eq!(status_of(&fsbp_view, "IAM.6"), RequirementStatus::Fail);
    let hardware = AccountSettings {
        root_virtual_mfa: Some(false),
        ..policy(16, 24, true)
    };
    let (cis_view, fsbp_view) = views(hardware);
    assert_eq!(status_of(&cis_view, "1.6"), RequirementStatus::Pass);
    assert_eq!(status_of(&fsbp_view, "IAM.6"), RequirementStatus::Pass);
    assert_eq!(status_of(&fsbp_view, "IAM.7"), RequirementStatus::Pass);
}

/// EC2.3's rule judges attached volumes; CIS 1.12 and IAM.8 the same credentials at 45 and
/// 90 days.
#[test]
fn attached_volumes_and_credential_ages_decide_their_requirements() {
    use crate::services::ec2::{self as ec2_service, Volume};
    let fsbp = frameworks::find("fsbp").unwrap();
    let volumes = |attached: &[&str]| {
        let results = run(&Inventory {
            ec2: ec2_service::Inventory {
                volumes: vec![Volume {
                    id: "vol-1".into(),
                    region: "us-east-1".into(),
                    encrypted: false,
                    attached_instances: attached.iter().map(|s| s.to_string()).collect(),
                    ..Default::default()
                }],
                ..Default::default()
            },
            ..Default::default()
        });
        status_of(
            &evaluate(fsbp, report(results, &["ec2"], vec![]).evidence()),
            "EC2.3",
        )
    };
    assert_eq!(volumes(&["i-1"]), RequirementStatus::Fail);
    assert_eq!(volumes(&[]), RequirementStatus::Pass);

    let unused = ["unused 60 days".to_string()];
    assert_eq!(
        frameworks::fails_requirement("cis-aws-3.0", "1.12", &unused),
        Some(true)
    );
    assert_eq!(
        frameworks::fails_requirement("fsbp", "IAM.8", &unused),
        Some(false)
    );
    // CIS 1.12: "45 days or greater"; whole days are counted down.
    let days = |n: u32| [format!("unused {n} days")];
    assert_eq!(
        frameworks::fails_requirement("cis-aws-3.0", "1.12", &days(45)),
        Some(true)
    );
    assert_eq!(
        frameworks::fails_requirement("cis-aws-3.0", "1.12", &days(44)),
        Some(false)
    );
    assert_eq!(
        frameworks::fails_requirement("fsbp", "IAM.8", &days(90)),
        Some(false)
    );
    let stale = ["unused 3 days".to_string(), "unused 120 days".to_string()];
    assert_eq!(
        frameworks::fails_requirement("fsbp", "IAM.8", &stale),
        Some(true)
    );
}

/// What a mapped control's AWS Config rule is decides what the check must implement: every
/// Security Hub control a check claims has its rule on record (docs/checks.md shows it).
#[test]
fn every_mapped_security_hub_control_names_its_config_rule() {
    for check in registry() {
        for id in check.fsbp {
            let rule = frameworks::control_rule(id)
                .unwrap_or_else(|| panic!("{}: no Config rule on record for {id}", check.id));
            assert!(!rule.config_rule.is_empty() && !rule.parameters.is_empty());
        }
    }
}

/// A check claiming FSBP controls is as severe as the most severe of them (AWS's controls
/// reference): a severity is what alerts and `--fail-on` act on.
#[test]
fn a_check_is_as_severe_as_the_fsbp_controls_it_claims() {
    let fsbp = frameworks::find("fsbp").unwrap();
    let rank = |severity: &str| {
        ["critical", "high", "medium", "low"]
            .iter()
            .position(|s| *s == severity)
    };
    let mut mismatched = Vec::new();
    for check in registry() {
        let most_severe = check
            .fsbp
            .iter()
            .filter_map(|id| fsbp.requirements.iter().find(|r| r.id == *id))
            .filter_map(|r| r.severity.as_deref())
            .min_by_key(|s| rank(s));
        if let Some(severity) = most_severe {
            if severity != check.severity.as_str() {
                mismatched.push(format!(
                    "{}: {} (FSBP {severity})",
                    check.id,
                    check.severity.as_str()
                ));
            }
        }
    }
    assert!(mismatched.is_empty(), "{mismatched:#?}");
}

#[test]
fn engine_scoped_controls_judge_only_their_engine_s_snapshots() {
    use crate::services::rds::{self, DbSnapshot};
    let fsbp = frameworks::find("fsbp").unwrap();
    let snapshot = |id: &str, engine: &str, public: bool| DbSnapshot {
        id: id.into(),
        region: "us-east-1".into(),
        cluster: true,
        engine: engine.into(),
        restorable_by: Some(if public { vec!["all".into()] } else { vec![] }),
        ..Default::default()
    };
    let results = run(&Inventory {
        rds: rds::Inventory {
            db_snapshots: vec![
                snapshot("docs", "docdb", true),
                snapshot("graph", "neptune", false),
                snapshot("orders", "aurora-postgresql", false),
            ],
            ..Default::default()
        },
        ..Default::default()
    });
    let view = evaluate(fsbp, report(results, &["rds"], vec![]).evidence());
    let judged = |id: &str| {
        let r = view.requirements.iter().find(|r| r.id == id).unwrap();
        (r.status, r.results.len())
    };
    assert_eq!(judged("DocumentDB.3"), (RequirementStatus::Fail, 1));
    assert_eq!(judged("Neptune.3"), (RequirementStatus::Pass, 1));
    assert_eq!(judged("RDS.1"), (RequirementStatus::Pass, 1));
}

mod scope;
