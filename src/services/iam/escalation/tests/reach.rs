use super::*;

#[test]
fn code_in_what_already_runs_as_a_role() {
    let function_arn = format!("arn:aws:lambda:eu-west-1:{ACCOUNT}:function:worker");
    let with_function = |role_name: &str, collected: bool| {
        let mut inventory = inventory(vec![
            user(
                "dev",
                vec![allow("code", &["lambda:UpdateFunctionCode"], &function_arn)],
            ),
            admin_role("ops", "lambda.amazonaws.com"),
            role("plain", "lambda.amazonaws.com", vec![]),
        ]);
        inventory.lambda.functions = vec![crate::services::lambda::Function {
            arn: function_arn.clone(),
            role: arn("role", role_name),
            ..Default::default()
        }];
        if !collected {
            inventory.collected = Some([Service::Iam].into());
        }
        inventory
    };
    assert!(path_of(&with_function("ops", true), "user", "dev").steps[0]
        .contains("lambda:UpdateFunctionCode on function worker"));
    assert_eq!(
        outcome(&with_function("plain", true), "user", "dev"),
        Outcome::NoPath
    );
    // Lambda not read in this run (a re-check of IAM): unknown, not a pass.
    assert_eq!(
        outcome(&with_function("ops", false), "user", "dev"),
        Outcome::Unknown
    );
    let profile = format!("arn:aws:iam::{ACCOUNT}:instance-profile/ops");
    let mut ops = admin_role("ops", "ec2.amazonaws.com");
    ops.instance_profiles = vec![profile.clone()];
    let mut commanded = inventory(vec![
        user("dev", vec![allow("ssm", &["ssm:SendCommand"], "*")]),
        ops,
    ]);
    commanded.ec2.instances = vec![crate::services::ec2::Instance {
        id: "i-1".into(),
        arn: format!("arn:aws:ec2:eu-west-1:{ACCOUNT}:instance/i-1"),
        instance_profile: Some(profile),
        ..Default::default()
    }];
    assert!(path_of(&commanded, "user", "dev").steps[0].contains("ssm:SendCommand on instance i-1"));
}

#[test]
fn chains_cycles_and_changing_another_then_acting_as_it() {
    let dev_arn = arn("user", "dev");
    // Three steps: dev assumes a, a assumes b, b takes the admin user's keys.
    let chain = inventory(vec![
        user("dev", vec![]),
        role("a", &dev_arn, vec![]),
        role(
            "b",
            &arn("role", "a"),
            vec![allow(
                "keys",
                &["iam:CreateAccessKey"],
                &arn("user", "boss"),
            )],
        ),
        user("boss", vec![allow("admin", &["*"], "*")]),
    ]);
    let path = path_of(&chain, "user", "dev");
    assert_eq!(path.steps.len(), 4, "{path:?}");
    assert!(path.steps[3].starts_with("boss is an administrator"));
    assert_eq!(path_of(&chain, "role", "a").steps.len(), 3);
    // A cycle without an administrator ends.
    let cycle = inventory(vec![
        role("a", &arn("role", "b"), vec![]),
        role("b", &arn("role", "a"), vec![]),
    ]);
    assert_eq!(outcome(&cycle, "role", "a"), Outcome::NoPath);
    // dev may put a policy on app and can assume app: administrator through app.
    let modify = |bounded: bool| {
        let mut app = role("app", &dev_arn, vec![]);
        if bounded {
            app.boundary = Some(allow("boundary", &["s3:*"], "*"));
        }
        inventory(vec![
            user(
                "dev",
                vec![allow("p", &["iam:PutRolePolicy"], &arn("role", "app"))],
            ),
            app,
        ])
    };
    let path = path_of(&modify(false), "user", "dev");
    assert!(
        path.steps[0].contains("gives app an administrator policy, then acts as app"),
        "{path:?}"
    );
    assert_eq!(outcome(&modify(true), "user", "dev"), Outcome::NoPath);
}

#[test]
fn unread_policies_and_unjudged_conditions() {
    let dev_arn = arn("user", "dev");
    let mut unread = role("a", &dev_arn, vec![]);
    unread.policies.push(PolicyAttachment {
        name: "broken".into(),
        document: None,
        ..PolicyAttachment::default()
    });
    // dev reaches a role whose policies are unknown: no verdict for either.
    let reaches_unknown = inventory(vec![user("dev", vec![]), unread.clone()]);
    assert_eq!(outcome(&reaches_unknown, "user", "dev"), Outcome::Unknown);
    assert_eq!(outcome(&reaches_unknown, "role", "a"), Outcome::Unknown);
    // ... unless another path reaches an administrator.
    let with_admin = inventory(vec![
        user("dev", vec![]),
        unread,
        admin_role("ops", &dev_arn),
    ]);
    assert!(matches!(
        outcome(&with_admin, "user", "dev"),
        Outcome::Escalates(_)
    ));
    let results = run(&reaches_unknown);
    assert!(results
        .iter()
        .all(|r| r.check_id != "iam.privilege_escalation"));
    // An MFA condition cannot be judged from the account: the path stands, conditionally.
    let mfa = inventory(vec![user(
        "dev",
        vec![statement(
            "self",
            "Allow",
            &["iam:AttachUserPolicy"],
            &dev_arn,
            r#"{"Bool":{"aws:MultiFactorAuthPresent":"true"}}"#,
        )],
    )]);
    let path = path_of(&mfa, "user", "dev");
    assert_eq!(path.conditions, ["aws:multifactorauthpresent"]);
    let result = run(&mfa);
    assert!(only(&result, "iam.privilege_escalation", "dev")
        .detail
        .ends_with("(if the request meets its conditions on aws:multifactorauthpresent)."));
}

/// Every launch in the table: its actions with PassRole reach a role its service is trusted by;
/// the same grants do not reach a role trusted by another service; and a login profile is a
/// way into another user, as an access key is.
#[test]
fn every_launch_needs_its_service_trusted_and_login_profiles_take_users() {
    for launch in super::super::actions::LAUNCHES {
        let actions: Vec<&str> = launch.actions.iter().map(|any_of| any_of[0]).collect();
        let with_trust = |service: &str| {
            let mut target = admin_role("ops", service);
            target.instance_profiles = vec![format!("arn:aws:iam::{ACCOUNT}:instance-profile/ops")];
            inventory(vec![
                user(
                    "ci",
                    vec![
                        allow("pass", &["iam:PassRole"], "*"),
                        allow("run", &actions, "*"),
                    ],
                ),
                target,
            ])
        };
        assert!(
            matches!(
                outcome(&with_trust(launch.service), "user", "ci"),
                Outcome::Escalates(_)
            ),
            "{}",
            launch.service
        );
        let other = if launch.service == "lambda.amazonaws.com" {
            "ec2.amazonaws.com"
        } else {
            "lambda.amazonaws.com"
        };
        assert_eq!(
            outcome(&with_trust(other), "user", "ci"),
            Outcome::NoPath,
            "{} with a role trusting {other}",
            launch.service
        );
    }
    for action in ["iam:CreateLoginProfile", "iam:UpdateLoginProfile"] {
        let account = inventory(vec![
            user("dev", vec![allow("p", &[action], &arn("user", "boss"))]),
            user("boss", vec![allow("admin", &["*"], "*")]),
        ]);
        assert!(path_of(&account, "user", "dev").steps[0].contains(action));
    }
}
