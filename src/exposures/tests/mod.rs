use std::sync::Arc;

use super::*;
use crate::model::Severity;
use crate::policy::PolicyDocument;
use crate::services::checks::test_support::run;
use crate::services::ec2::{Instance, Snapshot, Volume};
use crate::services::iam::{PolicyAttachment, PolicySource, Principal, PrincipalKind};
use crate::services::lambda::{Function, FunctionUrl};
use crate::services::rds::DbInstance;
use crate::services::s3::{Bucket, BucketEncryption, PublicAccessBlock, Versioning};
use crate::services::sg::SecurityGroup;
use crate::services::{ec2, iam, lambda, rds, s3, sg};

const REGION: &str = "us-east-1";
const ADMIN: &str = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
const READ_ONLY: &str =
    r#"{"Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#;

fn instance(id: &str, public: bool, groups: &[&str], tokens: &str, endpoint: &str) -> Instance {
    Instance {
        id: id.into(),
        region: REGION.into(),
        arn: format!("arn:aws:ec2:{REGION}:123456789012:instance/{id}"),
        state: "running".into(),
        http_tokens: Some(tokens.into()),
        http_endpoint: Some(endpoint.into()),
        public_ips: if public {
            vec!["54.0.0.1".into()]
        } else {
            vec![]
        },
        public_interface_groups: groups.iter().map(|g| g.to_string()).collect(),
        instance_profile: Some("arn:aws:iam::123456789012:instance-profile/app".into()),
        ..Default::default()
    }
}

fn role(name: &str, policy: &str) -> Principal {
    Principal {
        kind: PrincipalKind::Role,
        name: name.into(),
        arn: format!("arn:aws:iam::123456789012:role/{name}"),
        tags: Some(Default::default()),
        policies: vec![PolicyAttachment {
            name: "p".into(),
            source: PolicySource::Inline,
            via_group: None,
            document: Some(Arc::new(PolicyDocument::parse(policy).unwrap())),
        }],
        instance_profiles: vec![format!("arn:aws:iam::123456789012:instance-profile/{name}")],
        ..Principal::default()
    }
}

fn account(
    groups: Vec<SecurityGroup>,
    instances: Vec<Instance>,
    roles: Vec<Principal>,
) -> Inventory {
    Inventory {
        sg: sg::Inventory {
            security_groups: groups,
        },
        ec2: ec2::Inventory {
            instances,
            ..Default::default()
        },
        iam: iam::Inventory {
            principals: roles,
            ..Default::default()
        },
        ..Default::default()
    }
}

fn exposures_of(inventory: &Inventory) -> Vec<Exposure> {
    find(inventory, &run(inventory))
}

fn checks_of(exposure: &Exposure) -> Vec<(&str, StepRole)> {
    exposure
        .steps
        .iter()
        .map(|s| (s.check_id.as_str(), s.role))
        .collect()
}

#[test]
fn a_reachable_instance_with_imdsv1_reaches_an_administrator_through_its_profile() {
    let inventory = account(
        vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
        vec![instance("i-1", true, &["sg-ssh"], "optional", "enabled")],
        vec![role("app", ADMIN)],
    );
    let found = exposures_of(&inventory);
    assert_eq!(found.len(), 1, "{found:#?}");
    let exposure = &found[0];
    assert_eq!(exposure.kind, ExposureKind::ReachableInstance);
    assert_eq!(exposure.severity, Severity::Critical);
    assert_eq!(
        checks_of(exposure),
        [
            ("ec2.no_public_ip", StepRole::Entry),
            ("sg.high_risk_ports", StepRole::Ease),
            ("ec2.imdsv2_required", StepRole::Ease),
            ("iam.admin_access", StepRole::Reach),
        ]
    );
    assert_eq!(
        exposure.title,
        "i-1 is reachable from the internet on tcp 22, accepts IMDSv1 and its role app is an administrator."
    );
    assert!(exposure.steps[0]
        .contributes
        .contains("sg-ssh (sg-ssh-name) admits tcp 22 from 0.0.0.0/0"));
    assert!(
        exposure.fix.contains("tcp 22 on sg-ssh"),
        "{}",
        exposure.fix
    );
    // Every step is a failed result of the run.
    let results = run(&inventory);
    for step in &exposure.steps {
        assert!(results
            .iter()
            .any(|r| r.id == step.result_id && r.is_failed()));
    }
}

#[test]
fn near_misses_are_no_exposures() {
    let web = || SecurityGroup::opening("sg-web", 443, "0.0.0.0/0");
    let cases = [
        (
            "public address, no group open to the world",
            account(
                vec![SecurityGroup::opening("sg-in", 22, "10.0.0.0/8")],
                vec![instance("i-1", true, &["sg-in"], "optional", "enabled")],
                vec![role("app", ADMIN)],
            ),
        ),
        (
            "group open only to ::/0, public IPv4 address",
            account(
                vec![SecurityGroup::opening("sg-v6", 22, "::/0")],
                vec![instance("i-1", true, &["sg-v6"], "optional", "enabled")],
                vec![role("app", ADMIN)],
            ),
        ),
        (
            "group open to the world, no public address",
            account(
                vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
                vec![instance("i-1", false, &["sg-ssh"], "optional", "enabled")],
                vec![role("app", ADMIN)],
            ),
        ),
        (
            "a read-only instance profile role",
            account(
                vec![web()],
                vec![instance("i-1", true, &["sg-web"], "required", "enabled")],
                vec![role("app", READ_ONLY)],
            ),
        ),
        (
            "IMDS disabled rather than IMDSv1",
            account(
                vec![web()],
                vec![instance("i-1", true, &["sg-web"], "optional", "disabled")],
                vec![role("app", READ_ONLY)],
            ),
        ),
    ];
    for (case, inventory) in cases {
        assert_eq!(exposures_of(&inventory), vec![], "{case}");
    }
    // The same web server accepting IMDSv1 is one: its role's credentials are a request away.
    let imdsv1 = account(
        vec![web()],
        vec![instance("i-1", true, &["sg-web"], "optional", "enabled")],
        vec![role("app", READ_ONLY)],
    );
    let found = exposures_of(&imdsv1);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::High);
    assert_eq!(
        checks_of(&found[0]),
        [
            ("ec2.no_public_ip", StepRole::Entry),
            ("ec2.imdsv2_required", StepRole::Ease)
        ]
    );
}

fn public_bucket(account_block: Option<PublicAccessBlock>) -> Inventory {
    let policy = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::site/*"}]}"#;
    Inventory {
        s3: s3::Inventory {
            buckets: vec![Bucket {
                name: "site".into(),
                region: REGION.into(),
                arn: "arn:aws:s3:::site".into(),
                encryption: Some(BucketEncryption {
                    algorithms: vec!["AES256".into()],
                }),
                versioning: Some(Versioning::Enabled),
                public_access_block: Some(PublicAccessBlock::default()),
                policy: Some(Some(Arc::new(PolicyDocument::parse(policy).unwrap()))),
                acl: None,
                logging: Some(None),
                tags: None,
            }],
            account_public_access_block: account_block,
            access_points: Vec::new(),
            multi_region_access_points: Vec::new(),
        },
        ..Default::default()
    }
}

#[test]
fn a_public_bucket_is_public_data_unless_the_account_block_is_in_force() {
    let found = exposures_of(&public_bucket(Some(PublicAccessBlock::default())));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].kind, ExposureKind::PublicBucket);
    assert_eq!(found[0].severity, Severity::Critical);
    assert_eq!(checks_of(&found[0]), [("s3.policy_public", StepRole::Data)]);

    assert_eq!(
        exposures_of(&public_bucket(Some(PublicAccessBlock::ALL_ON))),
        vec![]
    );
}

#[test]
fn a_public_database_with_its_port_open_to_the_world() {
    let db = |port: i32| DbInstance {
        id: "orders".into(),
        region: REGION.into(),
        arn: format!("arn:aws:rds:{REGION}:123456789012:db:orders"),
        engine: "postgres".into(),
        publicly_accessible: true,
        storage_encrypted: false,
        security_groups: vec!["sg-db".into()],
        port: Some(port),
        ..Default::default()
    };
    let inventory = |port, cidr| Inventory {
        rds: rds::Inventory {
            db_instances: vec![db(port)],
            ..Default::default()
        },
        sg: sg::Inventory {
            security_groups: vec![SecurityGroup::opening("sg-db", 5432, cidr)],
        },
        ..Default::default()
    };
    let found = exposures_of(&inventory(5432, "0.0.0.0/0"));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, ExposureKind::ReachableDatabase);
    assert_eq!(found[0].severity, Severity::High);
    assert_eq!(
        checks_of(&found[0]),
        [
            ("rds.public_access", StepRole::Entry),
            ("sg.high_risk_ports", StepRole::Ease),
            ("rds.storage_encrypted", StepRole::Ease),
        ]
    );
    // The group opens another port than the database's, or only to IPv6: no way in to the
    // database's IPv4 address.
    assert_eq!(exposures_of(&inventory(3306, "0.0.0.0/0")), vec![]);
    assert_eq!(exposures_of(&inventory(5432, "::/0")), vec![]);
}

#[test]
fn a_public_function_url_running_as_an_administrator() {
    let function = |auth: &str| Function {
        name: "hook".into(),
        arn: format!("arn:aws:lambda:{REGION}:123456789012:function:hook"),
        region: REGION.into(),
        runtime: Some("python3.13".into()),
        role: "arn:aws:iam::123456789012:role/hook-role".into(),
        policy: Some(None),
        urls: Some(vec![FunctionUrl {
            url: "https://abc.lambda-url.us-east-1.on.aws/".into(),
            function_arn: format!("arn:aws:lambda:{REGION}:123456789012:function:hook"),
            auth_type: auth.into(),
        }]),
        ..Default::default()
    };
    let inventory = |auth: &str, policy: &str| Inventory {
        lambda: lambda::Inventory {
            functions: vec![function(auth)],
        },
        iam: iam::Inventory {
            principals: vec![role("hook-role", policy)],
            ..Default::default()
        },
        ..Default::default()
    };
    let found = exposures_of(&inventory("NONE", ADMIN));
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Critical);
    assert_eq!(
        checks_of(&found[0]),
        [
            ("lambda.url_public", StepRole::Entry),
            ("iam.admin_access", StepRole::Reach)
        ]
    );
    assert_eq!(exposures_of(&inventory("NONE", READ_ONLY)), vec![]);
    assert_eq!(exposures_of(&inventory("AWS_IAM", ADMIN)), vec![]);

    // Through the policy: a public invoke is a way in, a public read of the function is not.
    let granting = |action: &str| {
        let mut inventory = inventory("AWS_IAM", ADMIN);
        let statement = format!(
            r#"{{"Statement":[{{"Sid":"p","Effect":"Allow","Principal":"*","Action":"{action}","Resource":"*"}}]}}"#
        );
        inventory.lambda.functions[0].policy =
            Some(Some(Arc::new(PolicyDocument::parse(&statement).unwrap())));
        exposures_of(&inventory)
    };
    let invoked = granting("lambda:InvokeFunction");
    assert_eq!(invoked.len(), 1);
    assert_eq!(
        checks_of(&invoked[0])[0],
        ("lambda.policy_public", StepRole::Entry)
    );
    assert_eq!(granting("lambda:GetFunction"), vec![]);
}

#[test]
fn a_public_snapshot_of_a_reachable_instance_disk_is_public_data() {
    let mut inventory = account(
        vec![SecurityGroup::opening("sg-web", 443, "0.0.0.0/0")],
        vec![instance("i-1", true, &["sg-web"], "required", "enabled")],
        vec![],
    );
    inventory.ec2.volumes = vec![Volume {
        id: "vol-1".into(),
        region: REGION.into(),
        encrypted: true,
        attached_instances: vec!["i-1".into()],
        ..Default::default()
    }];
    inventory.ec2.snapshots = vec![Snapshot {
        id: "snap-1".into(),
        region: REGION.into(),
        public: true,
        encrypted: true,
        volume_id: Some("vol-1".into()),
        ..Default::default()
    }];
    inventory.ec2.snapshot_block_public_access =
        [(REGION.to_string(), "unblocked".to_string())].into();
    let found = exposures_of(&inventory);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert_eq!(found[0].kind, ExposureKind::PublicSnapshot);
    assert!(found[0].steps[0]
        .contributes
        .contains("copies a disk of i-1"));
    // Encrypted and of an unreachable disk: the finding alone, no exposure.
    inventory.ec2.instances[0].public_ips.clear();
    assert_eq!(exposures_of(&inventory), vec![]);
}

#[test]
fn ids_follow_the_way_in_not_the_easing_steps() {
    let with = |tokens: &str| {
        exposures_of(&account(
            vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
            vec![instance("i-1", true, &["sg-ssh"], tokens, "enabled")],
            vec![role("app", ADMIN)],
        ))
    };
    let (imdsv1, imdsv2) = (with("optional"), with("required"));
    assert_eq!(imdsv1[0].id, imdsv2[0].id);
    assert_ne!(imdsv1[0].steps.len(), imdsv2[0].steps.len());
    assert!(imdsv1[0].id.starts_with("exposure/"));
}

#[test]
fn a_muted_step_shows_as_accepted_and_hides_the_exposure_only_when_its_rule_says_so() {
    let inventory = account(
        vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
        vec![instance("i-1", true, &["sg-ssh"], "optional", "enabled")],
        vec![role("app", ADMIN)],
    );
    let mut results = run(&inventory);
    let mut found = find(&inventory, &results);
    let mute = |exposures| Mute {
        rule: 1,
        reason: "bastion".into(),
        owner: None,
        expires: "2027-01-01".into(),
        exposures,
    };
    let imds = results
        .iter_mut()
        .find(|r| r.check_id == "ec2.imdsv2_required")
        .unwrap();
    imds.muted = Some(Box::new(mute(false)));
    annotate(&mut found, &results);
    assert!(found[0].is_open());
    assert_eq!(found[0].steps[2].muted, Some(mute(false)));
    assert_eq!(found[0].steps[0].muted, None);

    let imds = results
        .iter_mut()
        .find(|r| r.check_id == "ec2.imdsv2_required")
        .unwrap();
    imds.muted = Some(Box::new(mute(true)));
    annotate(&mut found, &results);
    assert_eq!(found[0].muted, Some(mute(true)));
}

#[test]
fn a_gone_exposure_is_resolved_only_when_every_step_was_evaluated() {
    let inventory = account(
        vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
        vec![instance("i-1", true, &["sg-ssh"], "optional", "enabled")],
        vec![role("app", ADMIN)],
    );
    let before = exposures_of(&inventory);
    let mut fixed = inventory.clone();
    fixed.ec2.instances[0].instance_profile = None;
    let after = exposures_of(&fixed);
    assert_eq!(after.len(), 1, "still reachable on SSH: {after:#?}");

    let changes = compare(&before, &after, |_| true);
    assert_eq!(changes.new, vec![after[0].id.clone()]);
    assert_eq!(changes.resolved, vec![before[0].id.clone()]);
    let unread = compare(&before, &[], |_| false);
    assert_eq!(unread.unverified, vec![before[0].id.clone()]);
    assert!(unread.resolved.is_empty());

    // A re-check that passes a step breaks the chain; one that leaves them failing keeps it.
    let results = run(&inventory);
    assert_eq!(still_standing(before.clone(), &results), before);
    let passed: Vec<_> = results
        .into_iter()
        .filter(|r| r.check_id != "iam.admin_access")
        .collect();
    assert_eq!(still_standing(before.clone(), &passed), vec![]);

    // IMDSv2 enforced since: the easing step goes, the chain to the administrator stands.
    let imdsv2: Vec<_> = run(&inventory)
        .into_iter()
        .filter(|r| r.check_id != "ec2.imdsv2_required")
        .collect();
    let standing = still_standing(before.clone(), &imdsv2);
    assert_eq!(standing.len(), 1);
    assert_eq!(standing[0].id, before[0].id);
    assert_eq!(standing[0].steps.len(), before[0].steps.len() - 1);
}

#[test]
fn a_public_bucket_keeps_its_id_when_one_of_its_two_grants_is_removed() {
    let mut both = public_bucket(Some(PublicAccessBlock::default()));
    let policy_only = exposures_of(&both);
    both.s3.buckets[0].acl = Some(s3::BucketAcl::PublicGrants(vec!["AllUsers READ".into()]));
    let with_acl = exposures_of(&both);
    assert_eq!(with_acl[0].steps.len(), 2, "{with_acl:#?}");
    assert_eq!(with_acl[0].id, policy_only[0].id);
}

#[test]
fn every_kind_rests_on_registered_checks_of_the_services_it_joins() {
    for kind in ExposureKind::ALL {
        assert!(!kind.rests_on().is_empty(), "{kind:?}");
        for id in kind.rests_on() {
            let check = crate::services::checks::find(id)
                .unwrap_or_else(|| panic!("{kind:?} rests on {id}, which is no check"));
            assert!(
                kind.joins().contains(&check.service),
                "{kind:?} rests on {id} but does not join {}",
                check.service
            );
        }
    }
}

mod escalation;
mod stores;
