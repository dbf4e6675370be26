//! `make bench`'s privilege-escalation measurement: the synthetic account's IAM (1,000 roles
//! and 500 users with realistic policies, a few of them with escalation steps) built in
//! memory, and `escalations` timed on it. Single-threaded and without I/O, so its wall time
//! is its CPU time. Prints one Markdown section for bench/results.md, and exits 1 when the
//! median misses the 0.5 s target (as `make bench` does for its other targets).

use std::sync::Arc;
use std::time::Instant;

use secaudit::policy::PolicyDocument;
use secaudit::services::iam::{
    self, escalations, PolicyAttachment, PolicySource, Principal, PrincipalKind,
};
use secaudit::services::Inventory;

const ACCOUNT: &str = "123456789012";
const ROLES: usize = 1_000;
const USERS: usize = 500;

fn policy(name: &str, source: PolicySource, json: String) -> PolicyAttachment {
    PolicyAttachment {
        name: name.into(),
        source,
        via_group: None,
        document: Some(Arc::new(
            PolicyDocument::parse(&json).expect("valid policy"),
        )),
    }
}

fn inline(name: &str, json: String) -> PolicyAttachment {
    policy(name, PolicySource::Inline, json)
}

/// A workload role's everyday policy: data in its own bucket and table, its queue, logs.
fn workload(i: usize) -> String {
    format!(
        r#"{{"Version":"2012-10-17","Statement":[
        {{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject","s3:ListBucket"],"Resource":["arn:aws:s3:::app-{i}","arn:aws:s3:::app-{i}/*"]}},
        {{"Effect":"Allow","Action":["dynamodb:GetItem","dynamodb:PutItem","dynamodb:Query"],"Resource":"arn:aws:dynamodb:eu-west-1:{ACCOUNT}:table/app-{i}"}},
        {{"Effect":"Allow","Action":["sqs:SendMessage","sqs:ReceiveMessage","sqs:DeleteMessage"],"Resource":"arn:aws:sqs:eu-west-1:{ACCOUNT}:app-{i}"}},
        {{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"*"}},
        {{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"false"}}}}}}]}}"#
    )
}

fn trust(principal: &str) -> Option<Arc<PolicyDocument>> {
    let json = format!(
        r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Principal":{principal},"Action":"sts:AssumeRole"}}}}"#
    );
    Some(Arc::new(PolicyDocument::parse(&json).expect("valid trust")))
}

fn account() -> Inventory {
    let admin = || {
        policy(
            "AdministratorAccess",
            PolicySource::Managed {
                arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            },
            r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#
                .into(),
        )
    };
    let mut principals = Vec::with_capacity(ROLES + USERS + 3);
    for i in 0..ROLES {
        let name = format!("app-{i}");
        let mut policies = vec![inline("workload", workload(i))];
        // One in a hundred is an administrator; one in fifty deploys functions with a passed
        // role (the deploy roles are administrators: an escalation); one in two hundred may
        // attach policies to itself.
        if i % 100 == 0 {
            policies.push(admin());
        }
        if i % 50 == 7 {
            policies.push(inline("deploy", format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::{ACCOUNT}:role/app-*00","Condition":{{"StringEquals":{{"iam:PassedToService":"lambda.amazonaws.com"}}}}}},{{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"*"}}]}}"#
            )));
        }
        if i % 200 == 13 {
            policies.push(inline("self-service", format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::{ACCOUNT}:role/{name}"}}}}"#
            )));
        }
        let trusted = match i % 4 {
            0 => r#"{"Service":"lambda.amazonaws.com"}"#.to_string(),
            1 => r#"{"Service":"ec2.amazonaws.com"}"#.to_string(),
            2 => r#"{"Service":"ecs-tasks.amazonaws.com"}"#.to_string(),
            _ => format!(r#"{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}}"#),
        };
        principals.push(Principal {
            kind: PrincipalKind::Role,
            arn: format!("arn:aws:iam::{ACCOUNT}:role/{name}"),
            name,
            policies,
            trust: trust(&trusted),
            instance_profiles: if i % 4 == 1 {
                vec![format!("arn:aws:iam::{ACCOUNT}:instance-profile/app-{i}")]
            } else {
                Vec::new()
            },
            ..Principal::default()
        });
    }
    let groups = [
        (
            "developers",
            format!(
                r#"{{"Statement":[{{"Effect":"Allow","Action":["s3:Get*","s3:List*","dynamodb:Describe*","logs:Get*","cloudwatch:Get*","lambda:List*","lambda:Get*"],"Resource":"*"}},{{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:UpdateAccessKey","iam:DeleteAccessKey","iam:ChangePassword"],"Resource":"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"}}]}}"#
            ),
        ),
        (
            "operators",
            format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"arn:aws:iam::{ACCOUNT}:role/app-*3"}}}}"#
            ),
        ),
    ];
    for (name, json) in &groups {
        principals.push(Principal {
            kind: PrincipalKind::Group,
            name: name.to_string(),
            arn: format!("arn:aws:iam::{ACCOUNT}:group/{name}"),
            policies: vec![inline("group", json.clone())],
            ..Principal::default()
        });
    }
    for i in 0..USERS {
        let name = format!("user-{i}");
        let group = if i % 10 == 0 {
            "operators"
        } else {
            "developers"
        };
        let mut policies: Vec<PolicyAttachment> = groups
            .iter()
            .filter(|(g, _)| *g == group)
            .map(|(g, json)| PolicyAttachment {
                via_group: Some(g.to_string()),
                ..inline("group", json.clone())
            })
            .collect();
        // One in a hundred may create keys for anyone: an escalation through the admins.
        if i % 100 == 42 {
            policies.push(inline("helpdesk", format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"iam:CreateAccessKey","Resource":"arn:aws:iam::{ACCOUNT}:user/*"}}}}"#
            )));
        }
        if i % 250 == 0 {
            policies.push(admin());
        }
        principals.push(Principal {
            kind: PrincipalKind::User,
            arn: format!("arn:aws:iam::{ACCOUNT}:user/{name}"),
            name,
            policies,
            groups: vec![group.to_string()],
            ..Principal::default()
        });
    }
    Inventory::from(iam::Inventory {
        principals,
        ..Default::default()
    })
}

fn main() {
    let inventory = account();
    let mut runs = Vec::new();
    let mut found = None;
    for _ in 0..5 {
        let started = Instant::now();
        let computed = escalations(&inventory);
        runs.push(started.elapsed());
        found = Some(computed);
    }
    runs.sort();
    let found = found.expect("five runs");
    let escalating = inventory
        .iam
        .principals
        .iter()
        .filter(|p| found.path(p).is_some())
        .count();
    // The process's peak resident memory (Linux), the inventory included.
    let peak = std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:").map(|v| v.trim().to_string()))
        })
        .unwrap_or_else(|| "unknown".into());
    println!("## Privilege escalation (in memory)\n");
    println!(
        "{ROLES} roles and {USERS} users with realistic policies: {escalating} can become an administrator. \
         `escalations` took {:.1} ms (median of 5; min {:.1} ms, max {:.1} ms), single-threaded, no I/O; \
         peak RSS of the process {peak}.",
        runs[2].as_secs_f64() * 1e3,
        runs[0].as_secs_f64() * 1e3,
        runs[4].as_secs_f64() * 1e3
    );
    let met = runs[2].as_secs_f64() < 0.5;
    println!(
        "\nTarget: under 0.5 s: {}.",
        if met { "met" } else { "missed" }
    );
    if !met {
        std::process::exit(1);
    }
}
