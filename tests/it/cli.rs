//! The `secaudit` binary: output formats, files and exit codes, against a seeded emulator.

use crate::support;

use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use serde_json::Value;
use support::seed::seed_demo_account;
use support::{block_on, MotoServer};

fn emulator() -> &'static MotoServer {
    static SERVER: OnceLock<MotoServer> = OnceLock::new();
    SERVER.get_or_init(|| {
        let server = MotoServer::start();
        block_on(seed_demo_account(&server.sdk_config("us-east-1"))).expect("seed the emulator");
        server
    })
}

/// `secaudit` with test credentials and nothing from the user's own AWS configuration; the
/// instance-metadata credential source is off so nothing leaves loopback.
fn secaudit(args: &[&str], endpoint: Option<&str>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_secaudit"));
    command
        .args(args)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing");
    if let Some(endpoint) = endpoint {
        command.env("AWS_ENDPOINT_URL", endpoint);
    }
    command.output().expect("run secaudit")
}

fn scan(extra: &[&str]) -> Output {
    let mut args = vec!["scan", "--region", "us-east-1"];
    args.extend_from_slice(extra);
    secaudit(&args, Some(&emulator().endpoint))
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn json_report_on_stdout() {
    let output = scan(&[]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("stdout is the JSON report");
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["complete"], true, "{}", report["errors"]);
    assert!(report["results"].as_array().unwrap().len() > 50);
    let failed_critical = report["summary"]["failed_by_severity"]["critical"]
        .as_u64()
        .unwrap();
    assert!(failed_critical > 0);
}

#[test]
fn table_for_people_and_json_file_together() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    let output = scan(&["--format", "table", "--output", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let table = String::from_utf8(output.stdout).unwrap();
    for expected in [
        "Score:",
        "CRITICAL findings",
        "HIGH findings",
        "sg.all_ports_open",
        "deploy-admin",
        "API calls",
    ] {
        assert!(table.contains(expected), "table lacks {expected}:\n{table}");
    }
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(report["account_id"], "123456789012");
}

#[test]
fn json_with_output_writes_only_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("r.json");
    let output = scan(&["--services", "s3", "--output", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(output.stdout.is_empty());
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["service"] == "s3"));
}

#[test]
fn fail_on_gates_ci() {
    let gated = scan(&["--fail-on", "critical"]);
    assert_eq!(gated.status.code(), Some(3), "{}", stderr(&gated));
    // EC2 checks are high and medium: a critical gate lets them through, a high one does not.
    let ec2_critical = scan(&["--services", "ec2", "--fail-on", "CRITICAL"]);
    assert_eq!(
        ec2_critical.status.code(),
        Some(0),
        "{}",
        stderr(&ec2_critical)
    );
    let ec2_high = scan(&["--services", "ec2", "--fail-on", "high"]);
    assert_eq!(ec2_high.status.code(), Some(3));
}

#[test]
fn environment_filter_and_its_tag_key() {
    let output = scan(&["--services", "rds", "--environment", "dev"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["environment"], "dev");
    let ids: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["resource_id"].as_str().unwrap())
        .collect();
    assert!(
        !ids.is_empty() && ids.iter().all(|id| *id == "reports-db"),
        "{ids:?}"
    );

    let other_key = scan(&[
        "--services",
        "rds",
        "--environment",
        "dev",
        "--environment-tag-key",
        "Stage",
    ]);
    let report: Value = serde_json::from_slice(&other_key.stdout).unwrap();
    assert_eq!(report["results"].as_array().unwrap().len(), 0);
    assert!(report["score"]["overall"].is_null());
}

#[test]
fn bad_input_is_one_line_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["scan", "--bogus"], "unexpected argument '--bogus'"),
        (
            &["scan", "--services", "ec2,lambda"],
            "unknown service 'lambda'",
        ),
        (
            &["scan", "--region", "us-east-1", "--region", "mars-north-1x"],
            "invalid region 'mars-north-1x'",
        ),
        (
            &["scan", "--region", "us-east-1", "--all-regions"],
            "cannot be used with",
        ),
        (
            &[
                "scan",
                "--environment",
                "prod",
                "--environment-tag-key",
                "bad{key}",
            ],
            "invalid tag key",
        ),
        (
            &["scan", "--fail-on", "urgent"],
            "invalid severity 'urgent'",
        ),
        (&["scan", "--format", "xml"], "invalid value 'xml'"),
        (
            &["scan", "--high-risk-ports", "22,99999"],
            "invalid port range '99999'",
        ),
        (
            &["scan", "--endpoint-url", "localhost:5000"],
            "invalid endpoint URL",
        ),
        (
            &["scan", "--concurrency", "0"],
            "--concurrency must be at least 1",
        ),
        (&["frobnicate"], "unrecognized subcommand"),
    ];
    for (args, expected) in cases {
        let output = secaudit(args, None);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {message}");
        assert_eq!(
            message.trim_end().lines().count(),
            1,
            "{args:?}: one line, got:\n{message}"
        );
        assert!(message.contains(expected), "{args:?}: {message}");
        assert!(output.stdout.is_empty());
    }
}

#[test]
fn no_region_is_a_usage_error_unless_only_global_services_are_audited() {
    let output = secaudit(&["scan"], Some("http://127.0.0.1:9"));
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(stderr(&output).contains("no AWS region configured"));

    let global = secaudit(&["scan", "--services", "iam"], Some(&emulator().endpoint));
    assert_eq!(global.status.code(), Some(0), "{}", stderr(&global));
    let report: Value = serde_json::from_slice(&global.stdout).unwrap();
    assert_eq!(report["regions"], serde_json::json!([]));
    assert!(report["results"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["resource_id"] == "deploy-admin"));
}

#[test]
fn unreachable_endpoint_fails_fast_with_exit_code_1() {
    // Nothing listens on the discard port of loopback.
    let started = Instant::now();
    let output = secaudit(
        &["scan", "--region", "us-east-1", "--max-attempts", "2"],
        Some("http://127.0.0.1:9"),
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(
        message.contains("cannot identify the AWS account"),
        "{message}"
    );
    assert!(!message.contains("panicked"), "{message}");
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn checks_lists_the_catalog() {
    let output = secaudit(&["checks", "--format", "json"], None);
    assert_eq!(output.status.code(), Some(0));
    let catalog: Value = serde_json::from_slice(&output.stdout).unwrap();
    let ids: Vec<&str> = catalog
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 15);
    assert!(ids.contains(&"iam.wildcard_resources"));
    let table = secaudit(&["checks"], None);
    assert!(String::from_utf8_lossy(&table.stdout).contains("sg.high_risk_ports"));
}

#[test]
fn missing_credentials_fail_with_exit_code_1() {
    let output = Command::new(env!("CARGO_BIN_EXE_secaudit"))
        .args(["scan", "--region", "us-east-1"])
        .env_clear()
        .env("AWS_CONFIG_FILE", "/dev/null")
        .env("AWS_SHARED_CREDENTIALS_FILE", "/dev/null")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
        .output()
        .unwrap();
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert!(message.contains("CredentialsUnavailable"), "{message}");
    assert!(message.contains("no credentials found"), "{message}");
}

#[test]
fn expired_credentials_fail_fast_with_exit_code_1() {
    let expired = support::fault_server::FaultServer::start(
        403,
        "text/xml",
        "<ErrorResponse><Error><Type>Sender</Type><Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    );
    let started = Instant::now();
    let output = secaudit(&["scan", "--region", "us-east-1"], Some(&expired.endpoint));
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{message}");
    assert_eq!(
        message.trim_end(),
        "secaudit: cannot identify the AWS account (sts:GetCallerIdentity failed: ExpiredToken): The security token included in the request is expired"
    );
    assert!(
        started.elapsed() < Duration::from_secs(10),
        "{:?}",
        started.elapsed()
    );
    assert!(
        expired.requests() <= 2,
        "no hidden retries: {}",
        expired.requests()
    );
}
