//! The `secaudit` binary: output formats, files and exit codes, against a seeded emulator.

use crate::support;

mod failures;
mod reports;

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
pub(crate) fn secaudit(args: &[&str], endpoint: Option<&str>) -> Output {
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
    // A security group shows its name beside its id; the resource type tells a group `admins`
    // from a user; passed checks are one line each; no check is low, so no "low 0".
    let ssh_open = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["check_id"] == "sg.high_risk_ports" && r["resource_name"] == "ssh-open")
        .expect("the ssh-open group's result carries its name");
    let id = ssh_open["resource_id"].as_str().unwrap();
    // In one cell, which may wrap the name onto the next line.
    let rows: Vec<&str> = table.lines().collect();
    assert!(
        rows.windows(2)
            .any(|w| w[0].contains(id)
                && (w[0].contains("(ssh-open)") || w[1].contains("(ssh-open)"))),
        "{table}"
    );
    assert!(table.contains("IAM::Group"), "{table}");
    assert!(table.contains("IAM::User"), "{table}");
    let passed = table
        .split("Passed checks\n")
        .nth(1)
        .expect("a passed section");
    assert!(passed
        .lines()
        .any(|l| l.trim_start().starts_with("s3.default_encryption") && l.contains("passed")));
    let counts = table
        .lines()
        .find(|l| l.starts_with("Failed by severity:"))
        .unwrap();
    // Every severity some registered check has, and only those.
    for severity in ["critical", "high", "medium", "low"] {
        let exists =
            secaudit::services::checks::registry().any(|c| c.severity.as_str() == severity);
        assert_eq!(counts.contains(severity), exists, "{counts}");
    }
    // Quiet: nothing on stderr for a complete run.
    assert!(
        output.stderr.is_empty(),
        "{:?}",
        String::from_utf8_lossy(&output.stderr)
    );
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
    // The VPC check is medium: a critical gate lets it through, a medium one does not.
    let ec2_critical = scan(&["--services", "vpc", "--fail-on", "CRITICAL"]);
    assert_eq!(
        ec2_critical.status.code(),
        Some(0),
        "{}",
        stderr(&ec2_critical)
    );
    let ec2_high = scan(&["--services", "vpc", "--fail-on", "medium"]);
    assert_eq!(ec2_high.status.code(), Some(3));
    // The CI log says why, in one line: how many, and the worst first.
    let why = stderr(&gated);
    assert_eq!(why.lines().count(), 1, "{why}");
    assert!(
        why.starts_with("secaudit: --fail-on critical: ")
            && why.contains("failed finding(s) at critical severity or worse: critical ")
            && why.contains(" more"),
        "{why}"
    );
    assert!(stderr(&ec2_critical).is_empty());
}

#[test]
fn no_arguments_prints_the_usage_and_examples() {
    let output = secaudit(&[], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let usage = String::from_utf8(output.stdout).unwrap();
    assert!(usage.contains("Usage: secaudit <COMMAND>"), "{usage}");
    assert!(
        usage.contains("Examples:\n  secaudit scan --profile audit"),
        "{usage}"
    );
    assert!(output.stderr.is_empty());
}

#[test]
fn an_unknown_profile_is_named_with_the_files_searched() {
    let output = secaudit(
        &["scan", "--profile", "audit", "--region", "us-east-1"],
        None,
    );
    let message = stderr(&output);
    assert_eq!(output.status.code(), Some(2), "{message}");
    assert_eq!(
        message.trim_end(),
        "secaudit: profile 'audit' not found in /dev/null or /dev/null (create it with `aws configure --profile audit` or `aws configure sso`)"
    );
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
    assert_eq!(ids.len(), secaudit::services::checks::registry().count());
    assert!(ids.len() >= 23);
    assert!(ids.contains(&"iam.wildcard_resources"));
    let table = secaudit(&["checks"], None);
    assert!(String::from_utf8_lossy(&table.stdout).contains("sg.high_risk_ports"));
}

/// `make emulator`: the seeded demo account stays up, prints the exports to use it, and
/// Ctrl-C stops it, emulator included.
#[test]
fn the_emulator_for_trying_by_hand_serves_until_interrupted() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;

    let examples = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(|deps| deps.parent())
        .map(|debug| debug.join("examples/demo"))
        .unwrap();
    let mut demo = Command::new(&examples)
        .arg("--serve")
        .env(
            "SECAUDIT_MOTO_PYTHON",
            std::env::var_os("SECAUDIT_MOTO_PYTHON").unwrap_or_default(),
        )
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "run {}: {e} (`make test` builds the examples first)",
                examples.display()
            )
        });
    // Read on a thread, so a demo that never gets ready fails the test instead of hanging it.
    let stdout = demo.stdout.take().unwrap();
    let (sender, ready) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut printed = String::new();
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            printed.push_str(&line);
            printed.push('\n');
            if line.starts_with("Press Ctrl-C") {
                break;
            }
        }
        let _ = sender.send(printed);
    });
    let printed = match ready.recv_timeout(Duration::from_secs(300)) {
        Ok(printed) => printed,
        Err(_) => {
            let _ = demo.kill();
            panic!("demo --serve printed no endpoint within 300 s");
        }
    };
    let endpoint = printed
        .split_whitespace()
        .find_map(|word| word.strip_prefix("AWS_ENDPOINT_URL="))
        .unwrap_or_else(|| panic!("no endpoint printed:\n{printed}"))
        .to_string();
    assert!(
        printed.contains("secaudit scan --format table"),
        "{printed}"
    );

    let output = secaudit(
        &["scan", "--region", "us-east-1", "--format", "table"],
        Some(&endpoint),
    );
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("ssh-open"));

    // Ctrl-C: the process and its emulator go away (even when SIGINT was ignored at start, as
    // in a background job).
    unsafe { libc::kill(demo.id() as i32, libc::SIGINT) };
    let stopped_by = Instant::now() + Duration::from_secs(30);
    while demo.try_wait().unwrap().is_none() {
        if Instant::now() > stopped_by {
            let _ = demo.kill();
            panic!("demo --serve did not stop within 30 s of SIGINT");
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
        assert!(Instant::now() < deadline, "the emulator outlived Ctrl-C");
        std::thread::sleep(Duration::from_millis(100));
    }
}
