//! Unit cases for every step kind, each with its near miss; chains, cycles, unread policies
//! and conditions in `reach`.

mod reach;

use std::sync::Arc;

use super::*;
use crate::model::Status;
use crate::policy::PolicyDocument;
use crate::services::checks::test_support::{only, run, Case};
use crate::services::iam::{self, CustomerPolicy, PolicyAttachment, PolicySource};

const ACCOUNT: &str = "123456789012";
const ADMIN: &str = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;

fn document(json: &str) -> Option<Arc<PolicyDocument>> {
    Some(Arc::new(
        PolicyDocument::parse(json).unwrap_or_else(|e| panic!("{e}: {json}")),
    ))
}

/// An inline policy of one statement.
fn allow(name: &str, actions: &[&str], resource: &str) -> PolicyAttachment {
    statement(name, "Allow", actions, resource, "")
}

fn statement(
    name: &str,
    effect: &str,
    actions: &[&str],
    resource: &str,
    condition: &str,
) -> PolicyAttachment {
    let actions = serde_json::to_string(actions).unwrap();
    let condition = if condition.is_empty() {
        String::new()
    } else {
        format!(r#","Condition":{condition}"#)
    };
    PolicyAttachment {
        name: name.into(),
        source: PolicySource::Inline,
        via_group: None,
        document: document(&format!(
            r#"{{"Statement":{{"Effect":"{effect}","Action":{actions},"Resource":"{resource}"{condition}}}}}"#
        )),
    }
}

fn arn(kind: &str, name: &str) -> String {
    format!("arn:aws:iam::{ACCOUNT}:{kind}/{name}")
}

fn user(name: &str, policies: Vec<PolicyAttachment>) -> Principal {
    Principal {
        kind: PrincipalKind::User,
        name: name.into(),
        arn: arn("user", name),
        policies,
        ..Principal::default()
    }
}

/// A role whose trust admits `trusted` (an ARN, the account, or a service principal).
fn role(name: &str, trusted: &str, policies: Vec<PolicyAttachment>) -> Principal {
    let kind = if trusted.ends_with(".amazonaws.com") {
        "Service"
    } else {
        "AWS"
    };
    Principal {
        kind: PrincipalKind::Role,
        name: name.into(),
        arn: arn("role", name),
        policies,
        trust: document(&format!(
            r#"{{"Statement":{{"Effect":"Allow","Principal":{{"{kind}":"{trusted}"}},"Action":"sts:AssumeRole"}}}}"#
        )),
        ..Principal::default()
    }
}

fn admin_role(name: &str, trusted: &str) -> Principal {
    role(name, trusted, vec![allow("admin", &["*"], "*")])
}

fn group(name: &str, policies: Vec<PolicyAttachment>) -> Principal {
    Principal {
        kind: PrincipalKind::Group,
        name: name.into(),
        arn: arn("group", name),
        policies,
        ..Principal::default()
    }
}

fn inventory(principals: Vec<Principal>) -> Inventory {
    Inventory::from(iam::Inventory {
        principals,
        ..Default::default()
    })
}

fn outcome(inventory: &Inventory, kind: &str, name: &str) -> Outcome {
    escalations(inventory)
        .outcomes
        .get(&arn(kind, name))
        .cloned()
        .unwrap_or_else(|| panic!("no outcome for {kind}/{name}"))
}

fn path_of(inventory: &Inventory, kind: &str, name: &str) -> Path {
    match outcome(inventory, kind, name) {
        Outcome::Escalates(path) => path,
        other => panic!("{kind}/{name}: expected a path, got {other:?}"),
    }
}

#[test]
fn changing_ones_own_permissions_escalates_unless_scoped_denied_or_bounded() {
    let dev_arn = arn("user", "dev");
    let escalating = inventory(vec![user(
        "dev",
        vec![allow("self", &["iam:AttachUserPolicy"], &dev_arn)],
    )]);
    let path = path_of(&escalating, "user", "dev");
    assert_eq!(
        path.steps,
        [
            r#"dev may iam:AttachUserPolicy on user/dev (inline policy "self"): gives itself an administrator policy"#
        ]
    );
    // The same grant on another user: no path for dev (and none for the other).
    let scoped = inventory(vec![
        user(
            "dev",
            vec![allow(
                "self",
                &["iam:AttachUserPolicy"],
                &arn("user", "ops"),
            )],
        ),
        user("ops", vec![]),
    ]);
    assert_eq!(outcome(&scoped, "user", "dev"), Outcome::NoPath);
    let denied = inventory(vec![user(
        "dev",
        vec![
            allow("self", &["iam:*"], "*"),
            statement(
                "guard",
                "Deny",
                &[
                    "iam:Attach*",
                    "iam:Put*",
                    "iam:CreatePolicyVersion",
                    "iam:AddUserToGroup",
                ],
                "*",
                "",
            ),
        ],
    )]);
    assert_eq!(outcome(&denied, "user", "dev"), Outcome::NoPath);
    let mut bounded = user(
        "dev",
        vec![allow("self", &["iam:AttachUserPolicy"], &dev_arn)],
    );
    bounded.boundary = Some(allow("boundary", &["iam:*", "s3:*"], "*"));
    assert_eq!(
        outcome(&inventory(vec![bounded]), "user", "dev"),
        Outcome::NoPath
    );
    // A role putting an inline policy on itself.
    let role_self = inventory(vec![role(
        "app",
        "lambda.amazonaws.com",
        vec![allow("p", &["iam:PutRolePolicy"], &arn("role", "app"))],
    )]);
    assert!(path_of(&role_self, "role", "app").steps[0].contains("iam:PutRolePolicy on role/app"));
}

#[test]
fn managed_policy_versions_and_groups() {
    let policy_arn = format!("arn:aws:iam::{ACCOUNT}:policy/dev-policy");
    let attached = PolicyAttachment {
        name: "dev-policy".into(),
        source: PolicySource::Managed {
            arn: policy_arn.clone(),
        },
        via_group: None,
        document: document(
            r#"{"Statement":{"Effect":"Allow","Action":"iam:SetDefaultPolicyVersion","Resource":"*"}}"#,
        ),
    };
    let customer = |other_version: &str| CustomerPolicy {
        name: "dev-policy".into(),
        arn: policy_arn.clone(),
        document: attached.document.clone(),
        attachments: 1,
        boundary_uses: 0,
        other_versions: vec![("v1".into(), document(other_version))],
    };
    let with_version = |other_version: &str| {
        Inventory::from(iam::Inventory {
            principals: vec![user("dev", vec![attached.clone()])],
            customer_policies: vec![customer(other_version)],
            ..Default::default()
        })
    };
    let path = path_of(&with_version(ADMIN), "user", "dev");
    assert!(path.steps[0].contains("makes version v1, which allows everything, the default"));
    let harmless = r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#;
    assert_eq!(
        outcome(&with_version(harmless), "user", "dev"),
        Outcome::NoPath
    );
    // A new version of a policy attached to oneself; not of one attached to nobody here.
    let create = |on: &str| {
        let mut dev = user("dev", vec![allow("p", &["iam:CreatePolicyVersion"], on)]);
        dev.policies.push(PolicyAttachment {
            document: document(harmless),
            ..attached.clone()
        });
        Inventory::from(iam::Inventory {
            principals: vec![dev],
            customer_policies: vec![customer(harmless)],
            ..Default::default()
        })
    };
    assert!(path_of(&create(&policy_arn), "user", "dev").steps[0]
        .contains("iam:CreatePolicyVersion on policy/dev-policy"));
    assert_eq!(
        outcome(
            &create(&format!("arn:aws:iam::{ACCOUNT}:policy/other")),
            "user",
            "dev"
        ),
        Outcome::NoPath
    );
    // Joining an administrator group escalates; joining another group does not.
    let join = |group_name: &str| {
        inventory(vec![
            user(
                "dev",
                vec![allow(
                    "p",
                    &["iam:AddUserToGroup"],
                    &arn("group", group_name),
                )],
            ),
            group("admins", vec![allow("admin", &["*"], "*")]),
            group("readers", vec![allow("r", &["s3:GetObject"], "*")]),
        ])
    };
    assert!(path_of(&join("admins"), "user", "dev").steps[0]
        .contains("adds itself to an administrator group"));
    assert_eq!(outcome(&join("readers"), "user", "dev"), Outcome::NoPath);
    // A policy on one's own group.
    let mut member = user(
        "dev",
        vec![allow("p", &["iam:PutGroupPolicy"], &arn("group", "team"))],
    );
    member.groups = vec!["team".into()];
    let own_group = inventory(vec![member, group("team", vec![])]);
    assert!(
        path_of(&own_group, "user", "dev").steps[0].contains("iam:PutGroupPolicy on group/team")
    );
}

#[test]
fn taking_another_users_credentials_reaches_what_that_user_is() {
    let keys = |target: &str| {
        inventory(vec![
            user(
                "dev",
                vec![allow(
                    "keys",
                    &["iam:CreateAccessKey"],
                    &arn("user", target),
                )],
            ),
            user("boss", vec![allow("admin", &["*"], "*")]),
            user("intern", vec![allow("r", &["s3:GetObject"], "*")]),
        ])
    };
    let path = path_of(&keys("boss"), "user", "dev");
    assert_eq!(
        path.steps,
        [
            r#"dev may iam:CreateAccessKey user/boss (inline policy "keys"): signs in as it"#,
            r#"boss is an administrator (inline policy "admin")"#
        ]
    );
    assert_eq!(outcome(&keys("intern"), "user", "dev"), Outcome::NoPath);
    // The classic self-service policy: keys for oneself only.
    let self_service = inventory(vec![
        user(
            "dev",
            vec![allow(
                "self-service",
                &["iam:CreateAccessKey", "iam:UpdateLoginProfile"],
                &format!("arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"),
            )],
        ),
        user("boss", vec![allow("admin", &["*"], "*")]),
    ]);
    assert_eq!(outcome(&self_service, "user", "dev"), Outcome::NoPath);
    assert_eq!(
        outcome(&self_service, "user", "boss"),
        Outcome::Administrator
    );
}

#[test]
fn assuming_a_role_needs_its_trust_and_for_an_account_trust_an_allow() {
    let dev_arn = arn("user", "dev");
    let named = inventory(vec![user("dev", vec![]), admin_role("ops", &dev_arn)]);
    assert!(path_of(&named, "user", "dev").steps[0].contains("its trust policy names dev"));
    let denied = inventory(vec![
        user(
            "dev",
            vec![statement("no", "Deny", &["sts:AssumeRole"], "*", "")],
        ),
        admin_role("ops", &dev_arn),
    ]);
    assert_eq!(outcome(&denied, "user", "dev"), Outcome::NoPath);
    let root = format!("arn:aws:iam::{ACCOUNT}:root");
    let account_trust = |grant: Vec<PolicyAttachment>| {
        inventory(vec![user("dev", grant), admin_role("ops", &root)])
    };
    let path = path_of(
        &account_trust(vec![allow(
            "assume",
            &["sts:AssumeRole"],
            &arn("role", "ops"),
        )]),
        "user",
        "dev",
    );
    assert!(path.steps[0].contains("(its trust policy admits the account)"));
    assert_eq!(
        outcome(&account_trust(vec![]), "user", "dev"),
        Outcome::NoPath
    );
    assert_eq!(
        outcome(
            &account_trust(vec![allow(
                "assume",
                &["sts:AssumeRole"],
                &arn("role", "other")
            )]),
            "user",
            "dev"
        ),
        Outcome::NoPath
    );
    // Rewriting a role's trust; never a service-linked role's.
    let rewrite = |role_path: &str| {
        let mut target = admin_role("ops", "ec2.amazonaws.com");
        target.arn = format!("arn:aws:iam::{ACCOUNT}:role/{role_path}ops");
        inventory(vec![
            user(
                "dev",
                vec![allow("trust", &["iam:UpdateAssumeRolePolicy"], "*")],
            ),
            target,
        ])
    };
    assert!(path_of(&rewrite(""), "user", "dev").steps[0]
        .contains("names itself in the trust policy and assumes it"));
    assert_eq!(
        outcome(
            &rewrite("aws-service-role/ec2.amazonaws.com/"),
            "user",
            "dev"
        ),
        Outcome::NoPath
    );
}

#[test]
fn passing_a_role_to_compute_needs_the_service_trust_the_passed_service_and_every_action() {
    let lambda_role = || admin_role("ops", "lambda.amazonaws.com");
    let deployer = |pass_resource: &str, actions: &[&str], condition: &str| {
        user(
            "ci",
            vec![
                statement("pass", "Allow", &["iam:PassRole"], pass_resource, condition),
                allow("deploy", actions, "*"),
            ],
        )
    };
    let full = &["lambda:CreateFunction", "lambda:InvokeFunction"];
    let path = path_of(
        &inventory(vec![deployer("*", full, ""), lambda_role()]),
        "user",
        "ci",
    );
    assert_eq!(
        path.describe(),
        r#"ci may iam:PassRole role/ops (inline policy "pass") and lambda:CreateFunction + lambda:InvokeFunction: runs code as ops; then ops is an administrator (inline policy "admin")"#
    );
    // Near misses, one at a time.
    let no_path = |ci: Principal, target: Principal| {
        assert_eq!(
            outcome(&inventory(vec![ci, target]), "user", "ci"),
            Outcome::NoPath
        )
    };
    no_path(
        deployer("*", full, ""),
        admin_role("ops", "ec2.amazonaws.com"),
    );
    no_path(deployer(&arn("role", "harmless"), full, ""), lambda_role());
    no_path(deployer("*", &["lambda:CreateFunction"], ""), lambda_role());
    no_path(
        deployer(
            "*",
            full,
            r#"{"StringEquals":{"iam:PassedToService":"ec2.amazonaws.com"}}"#,
        ),
        lambda_role(),
    );
    // Passed to the right service, the condition is met.
    let passed_to_lambda = inventory(vec![
        deployer(
            "*",
            full,
            r#"{"StringEquals":{"iam:PassedToService":"lambda.amazonaws.com"}}"#,
        ),
        lambda_role(),
    ]);
    assert!(path_of(&passed_to_lambda, "user", "ci")
        .conditions
        .is_empty());
    // EC2 needs an instance profile holding the role.
    let ec2 = |profiles: Vec<String>| {
        let mut target = admin_role("ops", "ec2.amazonaws.com");
        target.instance_profiles = profiles;
        inventory(vec![deployer("*", &["ec2:RunInstances"], ""), target])
    };
    assert!(matches!(
        outcome(
            &ec2(vec![format!("arn:aws:iam::{ACCOUNT}:instance-profile/ops")]),
            "user",
            "ci"
        ),
        Outcome::Escalates(_)
    ));
    assert_eq!(outcome(&ec2(vec![]), "user", "ci"), Outcome::NoPath);
}

pub(in crate::services::iam) fn cases() -> Vec<Case> {
    let account = || {
        inventory(vec![
            user(
                "ci",
                vec![allow(
                    "keys",
                    &["iam:CreateAccessKey"],
                    &arn("user", "boss"),
                )],
            ),
            user("reader", vec![allow("r", &["s3:GetObject"], "*")]),
            user("boss", vec![allow("admin", &["*"], "*")]),
        ])
    };
    [("ci", Status::Fail), ("reader", Status::Pass)]
        .into_iter()
        .map(|(resource_id, expected)| Case {
            check: "iam.privilege_escalation",
            resource_id,
            expected,
            inventory: account,
            region: None,
        })
        .collect()
}
