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
fn bad_input_is_one_line_and_exit_code_2() {
    let cases: &[(&[&str], &str)] = &[
        (&["scan", "--bogus"], "unexpected argument '--bogus'"),
        (
            &["scan", "--services", "ec2,dynamodb"],
            "unknown service 'dynamodb'",
        ),
        (
            &["scan", "--eks-support-end", "1.36=next-year"],
            "invalid support date '1.36=next-year'",
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
    assert_eq!(ids.len(), secaudit::services::checks::registry().count());
    assert!(ids.len() >= 23);
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
    assert!(
        message.contains("no credentials found; tried environment variables"),
        "{message}"
    );
    // One line naming the places tried: no SDK warnings, no Rust debug output, no colours.
    assert_eq!(message.lines().count(), 1, "{message}");
    assert!(
        message.contains("EC2 instance metadata (disabled)"),
        "{message}"
    );
    assert!(
        !message.contains("WARN") && !message.contains('\u{1b}'),
        "{message}"
    );
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

#[test]
fn baseline_diff_and_new_only_gate() {
    let dir = tempfile::tempdir().unwrap();
    let monday = dir.path().join("monday.json");
    let tuesday = dir.path().join("tuesday.json");
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let first = scan(&["--output", &path(&monday)]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let second = scan(&["--baseline", &path(&monday), "--output", &path(&tuesday)]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let old: Value = serde_json::from_str(&std::fs::read_to_string(&monday).unwrap()).unwrap();
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&tuesday).unwrap()).unwrap();
    assert_eq!(new["baseline"]["run_id"], old["run_id"]);
    let changes = &new["changes"];
    assert_eq!(changes["new"].as_array().unwrap().len(), 0, "{changes}");
    assert_eq!(changes["resolved"].as_array().unwrap().len(), 0);
    assert!(changes["persisting"].as_array().unwrap().len() > 5);
    // first_seen comes from the first run.
    let failed = new["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "fail")
        .unwrap();
    assert_eq!(failed["first_seen"], old["started_at"]);

    // Nothing new: a --new-only gate passes where the plain gate fails.
    let gate = |extra: &[&str]| {
        let mut args = vec![
            "--baseline",
            monday.to_str().unwrap(),
            "--fail-on",
            "critical",
        ];
        args.extend_from_slice(extra);
        scan(&args).status.code()
    };
    assert_eq!(gate(&["--new-only"]), Some(0));
    assert_eq!(gate(&[]), Some(3));

    let diff = secaudit(
        &["diff", &path(&monday), &path(&tuesday), "--format", "json"],
        None,
    );
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let document: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(
        document["changes"]["persisting"],
        new["changes"]["persisting"]
    );
    let table = secaudit(&["diff", &path(&monday), &path(&tuesday)], None);
    assert!(String::from_utf8_lossy(&table.stdout).contains("0 new, 0 resolved"));

    // A baseline of another account is refused, naming the file.
    let mut other = old.clone();
    other["account_id"] = "999999999999".into();
    let elsewhere = dir.path().join("elsewhere.json");
    std::fs::write(&elsewhere, other.to_string()).unwrap();
    let refused = scan(&["--baseline", &path(&elsewhere)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains(
            "elsewhere.json: a report of account 999999999999, not of account 123456789012"
        ),
        "{}",
        stderr(&refused)
    );
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{").unwrap();
    let refused = scan(&["--baseline", &path(&garbage)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("garbage.json: not a secaudit report"));
}

#[test]
fn a_mutelist_mutes_gates_and_scores_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes,
        "[[rule]]\nchecks = [\"*\"]\nresources = [\"*\"]\nreason = \"lab account\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let mutes = mutes.to_str().unwrap();
    let checked = secaudit(&["mutelist", "check", mutes], None);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("valid, 1 rule(s)"));

    let output = scan(&["--mutelist", mutes, "--fail-on", "critical"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["summary"]["muted"].as_u64().unwrap() > 5);
    assert_eq!(report["score"]["overall"], 100.0);
    assert_eq!(report["mutelist"]["rules"], 1);

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[[rule]]\nchecks = [\"*\"]\nresources = [\"*\"]\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let broken = broken.to_str().unwrap();
    for args in [
        vec!["mutelist", "check", broken],
        vec!["scan", "--region", "us-east-1", "--mutelist", broken],
    ] {
        let output = secaudit(&args, Some(&emulator().endpoint));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&output).trim_end(),
            format!(
                "secaudit: {broken}:1: rule 1, reason: missing: every accepted risk needs a reason"
            )
        );
    }
}

/// `--format ocsf`: one Detection Finding per result, valid for the OCSF model package.
#[test]
fn ocsf_output_validates_against_the_ocsf_schema_models() {
    use std::io::Write as _;
    let output = scan(&["--format", "ocsf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    let json = scan(&[]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    // One finding per result, and one per exposure (whose related findings are its steps).
    let exposures = report["exposures"].as_array().unwrap().len();
    assert!(exposures >= 2, "{report}");
    assert_eq!(
        text.lines().count(),
        report["results"].as_array().unwrap().len() + exposures
    );
    let exposure_ids: Vec<&str> = report["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let exposure_findings = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|f| exposure_ids.contains(&f["finding_info"]["uid"].as_str().unwrap_or("")))
        .count();
    assert_eq!(exposure_findings, exposures);
    let python = std::env::var("SECAUDIT_MOTO_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").into());
    let mut validator = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/e2e/ocsf_validate.py"
        ))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the OCSF validator (make test installs it)");
    validator
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let verdict = validator.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&verdict.stdout);
    assert!(verdict.status.success(), "{said}");
    assert!(said.contains("findings valid"), "{said}");
}

/// `--history`: each run is added to the file, and the HTML page draws the trend from it.
#[test]
fn history_grows_run_by_run_and_the_page_draws_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let report = dir.path().join("report.json");
    let history_arg = history.to_str().unwrap();
    for _ in 0..2 {
        let output = scan(&[
            "--services",
            "s3",
            "--history",
            history_arg,
            "--output",
            report.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let runs: Value = serde_json::from_str(&std::fs::read_to_string(&history).unwrap()).unwrap();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2, "{runs}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(saved["trend"].as_array().unwrap().len(), 2);
    let page = secaudit(
        &[
            "render",
            report.to_str().unwrap(),
            "--format",
            "html",
            "--history",
            history_arg,
        ],
        None,
    );
    assert_eq!(page.status.code(), Some(0), "{}", stderr(&page));
    let html = String::from_utf8(page.stdout).unwrap();
    assert!(html.contains("<svg id=\"trend\""), "no trend chart");
    let points = html
        .split("points=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert_eq!(points.split(' ').count(), 2, "{points}");
    // A broken history is refused before any AWS call.
    std::fs::write(&history, "{").unwrap();
    let refused = scan(&["--history", history_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not a secaudit history"));
}

/// `secaudit render REPORT | head`: the reader closing stdout early ends the command quietly
/// with exit code 0, not with `cannot write: Broken pipe`.
#[test]
fn a_reader_that_closes_stdout_early_is_a_quiet_end() {
    use std::io::Read;
    use std::process::Stdio;
    let results: Vec<Value> = (0..3000)
        .map(|i| {
            serde_json::json!({
                "id": format!("s3.versioning/123456789012/us-east-1/AWS::S3::Bucket/bucket-{i}"),
                "check_id": "s3.versioning", "service": "s3", "severity": "medium",
                "status": "fail", "resource_type": "AWS::S3::Bucket",
                "resource_id": format!("bucket-{i}"), "resource_arn": null, "region": "us-east-1",
                "title": "S3 buckets have versioning enabled",
                "detail": "Versioning is not enabled.", "remediation": "", "reference": ""
            })
        })
        .collect();
    let report = serde_json::json!({
        "schema_version": 1, "run_id": "run", "account_id": "123456789012",
        "regions": ["us-east-1"], "environment": null, "environment_tag_key": null,
        "started_at": "2026-03-07T23:59:59Z", "finished_at": "2026-03-08T00:00:01Z",
        "duration_ms": 2000, "complete": true,
        "score": {"overall": 0.0, "by_service": {}, "weights": {"critical": 10.0, "high": 5.0, "medium": 2.0, "low": 1.0}},
        "summary": {"evaluated": 3000, "passed": 0, "failed": 3000, "failed_by_severity": {"critical": 0, "high": 0, "medium": 3000, "low": 0}},
        "results": results, "errors": [], "api_calls": {"total": 0, "retries": 0, "by_service": {}, "by_operation": {}}
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, serde_json::to_vec(&report).unwrap()).unwrap();
    for format in ["json", "table", "ocsf", "html"] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_secaudit"))
            .args(["render", path.to_str().unwrap(), "--format", format])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run secaudit");
        // Far less than the output (megabytes), then the reader goes away like `head`.
        let mut first = [0u8; 16];
        child.stdout.take().unwrap().read_exact(&mut first).unwrap();
        let output = child.wait_with_output().unwrap();
        assert_eq!(
            output.status.code(),
            Some(0),
            "{format}: {}",
            stderr(&output)
        );
        assert_eq!(stderr(&output), "", "{format}");
    }
}

/// docs/checks.md is `secaudit checks --format markdown`, committed: it must follow the registry.
#[test]
fn the_committed_check_reference_is_current() {
    let output = secaudit(&["checks", "--format", "markdown"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let generated = String::from_utf8(output.stdout).expect("UTF-8");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/checks.md is stale: run `secaudit checks --format markdown > docs/checks.md`"
    );
}

/// `secaudit compliance`: every requirement of a framework once, in each format; a framework
/// it does not know is a usage error.
#[test]
fn compliance_views_list_every_requirement_once_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let path = report.to_str().unwrap();
    let run = scan(&["--output", path]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let view = |framework: &str, format: &str| {
        let output = secaudit(
            &[
                "compliance",
                path,
                "--framework",
                framework,
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    for (framework, count) in [("cis-aws-3.0", 62), ("fsbp", 363)] {
        let json: Value = serde_json::from_str(&view(framework, "json")).unwrap();
        let requirements = json["requirements"].as_array().unwrap();
        assert_eq!(requirements.len(), count, "{framework}");
        let counts = &json["counts"];
        let sum: u64 = ["pass", "fail", "not_evaluated", "not_covered"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap())
            .sum();
        assert_eq!(sum, count as u64);

        // CSV: a header, then every requirement at least once, each row ten fields.
        let csv = view(framework, "csv");
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("framework,requirement id,title,status,check ids,resource,region,result id,muted,reason")
        );
        let ids: std::collections::BTreeSet<String> = lines
            .map(|line| line.split(',').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), count, "{framework}");

        assert!(view(framework, "table").contains("Coverage: "));
    }
    // CIS 5.2 (0.0.0.0/0) fails on the demo's ssh-open group; 5.3 (::/0) on rdp-ipv6.
    let cis: Value = serde_json::from_str(&view("cis-aws-3.0", "json")).unwrap();
    let status = |id: &str| {
        cis["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("5.2"), "fail");
    assert_eq!(status("5.3"), "fail");
    assert_eq!(status("1.1"), "not_covered");

    let unknown = secaudit(&["compliance", path, "--framework", "pci"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown framework 'pci'"),
        "{}",
        stderr(&unknown)
    );
}

/// docs/coverage-<framework>.md is `secaudit compliance --coverage`, committed: a check that
/// maps to a requirement changes it, or this fails.
#[test]
fn the_committed_coverage_tables_are_current() {
    for framework in ["cis-aws-3.0", "fsbp"] {
        let output = secaudit(
            &["compliance", "--coverage", "--framework", framework],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let generated = String::from_utf8(output.stdout).expect("UTF-8");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("docs/coverage-{framework}.md"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/coverage-{framework}.md is stale: run `secaudit compliance --coverage \
             --framework {framework} > docs/coverage-{framework}.md`"
        );
    }
}
