//! The CLI when things go wrong: bad input, no region, an unreachable endpoint, missing or
//! expired credentials (each with its exit code).

use super::*;

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
