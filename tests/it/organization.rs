//! Several accounts on one emulator: moto keeps resources per account, and credentials from
//! AssumeRole into `arn:aws:iam::<account>:role/...` act in that account. An organization of a
//! management account and three members, each seeded with different findings, audited by the
//! `secaudit` binary through a role; one more account whose AssumeRole is denied (by the fault
//! proxy: moto cannot stage the denial) is an error entry while the others are complete.

use crate::support;

use std::path::Path;
use std::process::Output;

use aws_sdk_ec2::types::{IpPermission, IpRange};
use serde_json::Value;
use support::fault_proxy::{FaultProxy, Faults};
use support::{block_on, MotoServer};

const ROLE: &str = "SecAuditRole";

pub(crate) fn ssh_from_anywhere() -> IpPermission {
    IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(22)
        .to_port(22)
        .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
        .build()
}

/// The organization's member account ids, each seeded: an open SSH group, a bucket without a
/// public access block, and nothing of note.
async fn seed(sdk: &aws_config::SdkConfig) -> Vec<String> {
    let members = support::create_member_accounts(sdk, &["web", "data", "sandbox"]).await;
    let web = support::in_account(sdk, &members[0], ROLE).await;
    let ec2 = aws_sdk_ec2::Client::new(&web);
    let group = ec2
        .create_security_group()
        .group_name("ssh-open")
        .description("ssh")
        .send()
        .await
        .unwrap();
    ec2.authorize_security_group_ingress()
        .group_id(group.group_id().unwrap())
        .ip_permissions(ssh_from_anywhere())
        .send()
        .await
        .unwrap();
    let data = support::in_account(sdk, &members[1], ROLE).await;
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&data)
            .force_path_style(true)
            .build(),
    )
    .create_bucket()
    .bucket("data-open")
    .send()
    .await
    .unwrap();
    members
}

fn secaudit(endpoint: &str, args: &[&str]) -> Output {
    let mut all = vec![
        "scan",
        "--region",
        "us-east-1",
        "--services",
        "ec2,sg,s3,iam",
    ];
    all.extend_from_slice(args);
    crate::cli::secaudit(&all, Some(endpoint))
}

fn read(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn failed(report: &Value, check: &str) -> Vec<String> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["check_id"] == check && r["status"] == "fail")
        .map(|r| {
            r["resource_name"]
                .as_str()
                .or(r["resource_id"].as_str())
                .unwrap()
                .to_string()
        })
        .collect()
}

#[test]
fn an_organization_is_audited_account_by_account_and_summarised() {
    let server = MotoServer::start();
    let members = block_on(seed(&server.sdk_config("us-east-1")));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();

    let output = secaudit(
        &server.endpoint,
        &[
            "--organization",
            "--role-name",
            ROLE,
            "--output-dir",
            out,
            "--format",
            "json",
        ],
    );
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let summary = read(&dir.path().join("organization.json"));
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(printed, summary);
    let accounts = summary["accounts"].as_array().unwrap();
    // The management account and the three members.
    assert_eq!(accounts.len(), 4, "{summary:#}");
    let mut evaluated = 0;
    for account in accounts {
        let id = account["account_id"].as_str().unwrap();
        assert_eq!(account["complete"], true, "{account}");
        let report = read(&dir.path().join(format!("{id}.json")));
        assert_eq!(report["account_id"], id);
        // Every result belongs to its own account.
        assert!(report["results"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"].as_str().unwrap().contains(&format!("/{id}/"))));
        assert_eq!(account["summary"], report["summary"]);
        evaluated += report["summary"]["evaluated"].as_u64().unwrap();
    }
    assert_eq!(summary["summary"]["evaluated"].as_u64(), Some(evaluated));
    let report_of = |id: &str| read(&dir.path().join(format!("{id}.json")));
    assert!(failed(&report_of(&members[0]), "sg.high_risk_ports").contains(&"ssh-open".to_string()));
    assert!(failed(&report_of(&members[1]), "s3.public_access_block")
        .contains(&"data-open".to_string()));
    assert!(failed(&report_of(&members[2]), "sg.high_risk_ports").is_empty());
    assert!(failed(&report_of(&members[0]), "s3.public_access_block").is_empty());
    let names: Vec<&str> = accounts
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"web") && names.contains(&"sandbox"),
        "{names:?}"
    );

    // One account's role cannot be assumed: an error entry, the other account complete.
    let proxy = FaultProxy::start(
        &server.endpoint,
        Faults {
            deny_when_request_contains: Some("999999999999"),
            ..Faults::default()
        },
    );
    let accounts = format!("{},999999999999", members[0]);
    let output = secaudit(
        &proxy.endpoint,
        &[
            "--accounts",
            &accounts,
            "--role-name",
            ROLE,
            "--output-dir",
            out,
            "--format",
            "table",
        ],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("1 account(s) could not be audited: 999999999999"),
        "{stderr}"
    );
    // Not a terminal: no progress display, only the one warning line.
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    let table = String::from_utf8_lossy(&output.stdout);
    assert!(
        table.contains("999999999999") && table.contains("AccessDenied"),
        "{table}"
    );
    let summary = read(&dir.path().join("organization.json"));
    let entries = summary["accounts"].as_array().unwrap();
    let denied = entries
        .iter()
        .find(|a| a["account_id"] == "999999999999")
        .unwrap();
    assert_eq!(denied["complete"], false);
    assert!(denied["errors"][0]
        .as_str()
        .unwrap()
        .contains("AccessDenied"));
    let web = entries
        .iter()
        .find(|a| a["account_id"] == members[0].as_str())
        .unwrap();
    assert_eq!(web["complete"], true);

    // --fail-on applies across accounts.
    let gated = secaudit(
        &server.endpoint,
        &[
            "--accounts",
            &members[0],
            "--role-name",
            ROLE,
            "--output-dir",
            out,
            "--fail-on",
            "critical",
        ],
    );
    assert_eq!(gated.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&gated.stderr)
        .contains(&format!("secaudit: {}: --fail-on critical", members[0])));
}

/// Night after night into the same directory: each account is compared with its own report of
/// the night before, organization.json adds the changes up, `--new-only` gates on new findings
/// only, and one account's broken baseline is that account's error entry.
#[test]
fn each_account_is_compared_with_its_own_previous_report() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let members = block_on(seed(&sdk));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let accounts = format!("{},{}", members[0], members[1]);
    let night = |extra: &[&str]| {
        let mut args = vec![
            "--accounts",
            &accounts,
            "--role-name",
            ROLE,
            "--output-dir",
            out,
            "--baseline-dir",
            out,
        ];
        args.extend_from_slice(extra);
        secaudit(&server.endpoint, &args)
    };
    let first = night(&[]);
    assert_eq!(first.status.code(), Some(0), "{first:?}");
    assert_eq!(
        read(&dir.path().join("organization.json"))["changes"],
        Value::Null,
        "nothing to compare with yet"
    );
    let web_first = read(&dir.path().join(format!("{}.json", members[0])));
    assert_eq!(
        web_first["baseline"],
        Value::Null,
        "the first night has none"
    );

    // During the day the web account closes SSH.
    block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&support::in_account(&sdk, &members[0], ROLE).await);
        let groups = ec2.describe_security_groups().send().await.unwrap();
        let group = groups
            .security_groups()
            .iter()
            .find(|g| g.group_name() == Some("ssh-open"))
            .and_then(|g| g.group_id())
            .unwrap()
            .to_string();
        ec2.revoke_security_group_ingress()
            .group_id(group)
            .ip_permissions(ssh_from_anywhere())
            .send()
            .await
            .unwrap();
    });
    // Open critical findings remain, none of them new: only --new-only lets the gate pass.
    assert_eq!(night(&["--fail-on", "critical"]).status.code(), Some(3));
    let summary = read(&dir.path().join("organization.json"));
    assert_eq!(summary["changes"]["new"], 0, "{summary:#}");
    assert!(
        summary["changes"]["resolved"].as_u64().unwrap() >= 1,
        "{summary:#}"
    );
    let web = read(&dir.path().join(format!("{}.json", members[0])));
    assert!(
        web["changes"]["resolved"]
            .as_array()
            .unwrap()
            .iter()
            .any(|id| id.as_str().unwrap().starts_with("sg.high_risk_ports/")),
        "{:#}",
        web["changes"]
    );
    let second = night(&["--fail-on", "critical", "--new-only"]);
    assert_eq!(second.status.code(), Some(0), "{second:?}");
    let web = read(&dir.path().join(format!("{}.json", members[0])));
    assert!(web["baseline"]["run_id"].is_string(), "{web:#}");
    let data = read(&dir.path().join(format!("{}.json", members[1])));
    assert!(!data["changes"]["persisting"].as_array().unwrap().is_empty());
    assert!(data["errors"].as_array().unwrap().is_empty());

    // A broken baseline: that account says so, the other is compared as usual.
    std::fs::write(dir.path().join(format!("{}.json", members[1])), "{").unwrap();
    let third = night(&[]);
    assert_eq!(third.status.code(), Some(0), "{third:?}");
    let data = read(&dir.path().join(format!("{}.json", members[1])));
    assert_eq!(data["complete"], false);
    assert_eq!(data["errors"][0]["operation"], "ReadBaseline", "{data:#}");
    assert_eq!(data["baseline"], Value::Null);
    let web = read(&dir.path().join(format!("{}.json", members[0])));
    assert_eq!(web["complete"], true);
    assert!(web["baseline"]["run_id"].is_string());

    // For one account, --baseline REPORT is the way.
    let single = secaudit(&server.endpoint, &["--baseline-dir", out]);
    assert_eq!(single.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&single.stderr).contains("--baseline-dir is for several accounts")
    );
}
