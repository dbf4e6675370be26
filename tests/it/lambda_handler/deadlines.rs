//! The function under a deadline, an unreachable account, racing runs and an organization
//! summary: partial reports, never lost ones.

use super::*;

#[test]
fn a_passed_deadline_still_writes_an_incomplete_report_and_alerts() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let sinks = create_sinks(&sdk, "alerts").await;
        // The reserve equals the time left: collection is cut off at once.
        let app = app(
            &server,
            &sinks.topic_arn,
            &[("SECAUDIT_DEADLINE_RESERVE_SECONDS", "5")],
        );
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        let response = app
            .handle(scheduled_event(), Some(deadline))
            .await
            .unwrap()
            .audit()
            .unwrap();
        assert!(!response.complete);
        assert_eq!(response.summary.evaluated, 0);
        let key = response
            .report_uri
            .strip_prefix(&format!("s3://{BUCKET}/"))
            .unwrap()
            .to_string();
        let (_, report) = read_object(&sdk, &key).await;
        assert!(!report.complete);
        assert!(!report.errors.is_empty());
        assert!(
            report.errors.iter().all(|e| e.code == "DeadlineExceeded"),
            "{:#?}",
            report.errors
        );
        let services: Vec<_> = report.errors.iter().map(|e| e.service.as_str()).collect();
        for service in ["ec2", "iam", "rds", "s3", "sg"] {
            assert!(services.contains(&service), "{services:?}");
        }
    });
}

#[test]
fn an_unreachable_account_is_an_invocation_error_not_a_report() {
    let server = MotoServer::start();
    let vars: HashMap<&str, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET", BUCKET.to_string()),
        (
            "SECAUDIT_ALERT_TOPIC_ARN",
            "arn:aws:sns:us-east-1:123456789012:alerts".to_string(),
        ),
    ]);
    let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap();
    // Nothing listens on the discard port.
    let app = LambdaApp::new(
        config,
        support::sdk_config("http://127.0.0.1:9", "us-east-1"),
    );
    let error = block_on(app.handle(scheduled_event(), None)).unwrap_err();
    assert!(matches!(error, InvocationError::AuditFailed(_)), "{error}");
    assert_eq!(error.error_type(), "AccountUnreachable");
    assert!(error.to_string().contains("ConnectionFailed"), "{error}");
    drop(server);
}

#[test]
fn a_slow_account_and_a_short_deadline_still_give_a_partial_report() {
    use support::fault_proxy::{FaultProxy, Faults};
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        seed_demo_account(&sdk).await.unwrap();
        let sinks = create_sinks(&sdk, "alerts").await;
        // Every audit request takes 400 ms; the sinks talk to the emulator directly.
        let slow = FaultProxy::start(
            &server.endpoint,
            Faults {
                latency: Duration::from_millis(400),
                ..Faults::default()
            },
        );
        let vars: HashMap<&str, String> = HashMap::from([
            ("SECAUDIT_REPORT_BUCKET", BUCKET.to_string()),
            ("SECAUDIT_ALERT_TOPIC_ARN", sinks.topic_arn.clone()),
            ("SECAUDIT_REGIONS", "us-east-1".to_string()),
            ("SECAUDIT_DEADLINE_RESERVE_SECONDS", "1".to_string()),
            ("SECAUDIT_CONCURRENCY", "1".to_string()),
        ]);
        let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap();
        let audit_clients = secaudit::aws::Clients::from_sdk_config(support::sdk_config(
            &slow.endpoint,
            "us-east-1",
        ));
        let report_s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let app = LambdaApp::with_clients(
            config,
            audit_clients,
            report_s3,
            aws_sdk_sns::Client::new(&sdk),
        );

        let started = tokio::time::Instant::now();
        let response = app
            .handle(scheduled_event(), Some(started + Duration::from_secs(3)))
            .await
            .unwrap()
            .audit()
            .unwrap();
        assert!(
            started.elapsed() < Duration::from_secs(3),
            "finished before the deadline: {:?}",
            started.elapsed()
        );
        assert!(!response.complete);
        // The quick listings finished (EC2, RDS, IAM); the per-bucket S3 reads did not.
        assert!(response.summary.evaluated > 0, "{response:?}");
        let key = response
            .report_uri
            .strip_prefix(&format!("s3://{BUCKET}/"))
            .unwrap()
            .to_string();
        let (_, report) = read_object(&sdk, &key).await;
        let cut: Vec<_> = report
            .errors
            .iter()
            .filter(|e| e.code == "DeadlineExceeded")
            .map(|e| e.service.as_str())
            .collect();
        assert!(cut.contains(&"s3"), "{:#?}", report.errors);
        assert!(
            !report.results.iter().any(|r| r.service == "s3"),
            "no S3 verdict from a cut-off collection"
        );
        // Critical findings among what was evaluated still alert.
        assert!(response.alert_message_id.is_some(), "{response:?}");
    });
}

/// Two runs updating history.json at once: the conditional write makes the slower one read
/// again, so neither entry is lost.
#[test]
fn concurrent_history_updates_lose_no_run() {
    use secaudit::store::{update_history, S3Store};
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let _ = create_sinks(&sdk, "alerts").await;
        let store = S3Store {
            client: aws_sdk_s3::Client::from_conf(
                aws_sdk_s3::config::Builder::from(&sdk)
                    .force_path_style(true)
                    .build(),
            ),
            bucket: BUCKET.into(),
            prefix: "reports".into(),
            kms_key_id: None,
        };
        let report = |run: &str, finished: &str| -> Report {
            serde_json::from_value(json!({
                "schema_version": 1, "run_id": run, "account_id": "123456789012",
                "regions": ["us-east-1"], "environment": null, "environment_tag_key": null,
                "started_at": finished, "finished_at": finished, "duration_ms": 1, "complete": true,
                "score": {"overall": 50.0, "by_service": {}, "weights": {"critical": 10.0, "high": 5.0, "medium": 2.0, "low": 1.0}},
                "summary": {"evaluated": 0, "passed": 0, "failed": 0, "failed_by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0}},
                "results": [], "errors": [], "api_calls": {"total": 0, "retries": 0, "by_service": {}, "by_operation": {}}
            }))
            .unwrap()
        };
        let (first, second) = (
            report("run-a", "2026-11-25T02:00:00Z"),
            report("run-b", "2026-11-26T02:00:00Z"),
        );
        let (a, b) = futures::join!(
            update_history(&store, &first),
            update_history(&store, &second)
        );
        a.unwrap();
        b.unwrap();
        let object = store
            .client
            .get_object()
            .bucket(BUCKET)
            .key("reports/123456789012/history.json")
            .send()
            .await
            .unwrap();
        let history: Value =
            serde_json::from_slice(&object.body.collect().await.unwrap().into_bytes()).unwrap();
        let runs: Vec<&str> = history["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["run_id"].as_str().unwrap())
            .collect();
        assert_eq!(runs, ["run-a", "run-b"]);
    });
}

/// The organization events without Step Functions: a plan, one member's audit, and a summary of
/// map results in which one account failed and two never reported. Failures are the summary's
/// error entries and the digest names them; nothing is silently dropped.
#[test]
fn the_organization_summary_accounts_for_every_planned_account() {
    use secaudit::function::Response;
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let sinks = create_sinks(&sdk, "digest").await;
        let members = support::create_member_accounts(&sdk, &["web", "data", "lab"]).await;
        let single = app(&server, &sinks.topic_arn, &[]);
        let error = single
            .handle(json!({"organization": "plan"}), None)
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "InvalidConfiguration", "{error}");

        let app = app(
            &server,
            &sinks.topic_arn,
            &[
                ("SECAUDIT_MEMBER_ROLE_NAME", "SecAuditRole"),
                ("SECAUDIT_SERVICES", "sg"),
            ],
        );
        let Response::Plan(plan) = app
            .handle(json!({"organization": "plan"}), None)
            .await
            .unwrap()
        else {
            panic!("a plan")
        };
        assert_eq!(plan.account_count, 4, "{plan:?}");
        let work = json!({"account_id": members[0], "name": "web", "run_id": plan.run_id});
        let audited = app
            .handle(work.clone(), None)
            .await
            .unwrap()
            .audit()
            .unwrap();
        assert_eq!(
            (audited.trigger, audited.account_id.as_str()),
            ("organization_account", members[0].as_str())
        );
        assert!(audited.alert_message_id.is_none());

        // What the Distributed Map's ResultWriter leaves: one success, one failure.
        let child = |account: &str, status: &str| {
            json!({"Input": json!({"account_id": account, "name": "", "run_id": plan.run_id}).to_string(),
                   "Status": status})
        };
        let mut succeeded = child(&members[0], "SUCCEEDED");
        succeeded["Input"] = json!(work.to_string());
        succeeded["Output"] = json!(serde_json::to_string(&audited).unwrap());
        let mut failed = child(&members[1], "FAILED");
        failed["Error"] = json!("AccountUnreachable");
        failed["Cause"] = json!(
            json!({"errorType": "AccountUnreachable", "errorMessage": "role missing"}).to_string()
        );
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        let run = "reports/organization/map-runs/run-1";
        for (key, body) in [
            (format!("{run}/SUCCEEDED_0.json"), json!([succeeded])),
            (format!("{run}/FAILED_0.json"), json!([failed])),
            (
                format!("{run}/manifest.json"),
                json!({"ResultFiles": {
                    "SUCCEEDED": [{"Key": format!("{run}/SUCCEEDED_0.json"), "Size": 1}],
                    "FAILED": [{"Key": format!("{run}/FAILED_0.json"), "Size": 1}],
                    "PENDING": []}}),
            ),
        ] {
            s3.put_object()
                .bucket(BUCKET)
                .key(key)
                .body(body.to_string().into_bytes().into())
                .send()
                .await
                .unwrap();
        }
        let summarize = |manifest: &str| {
            json!({"organization": "summarize", "run_id": plan.run_id, "started_at": plan.started_at,
                   "bucket": plan.bucket, "accounts_key": plan.accounts_key,
                   "account_count": plan.account_count, "execution": "night-1",
                   "map": {"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": BUCKET, "Key": manifest}}})
        };
        let Response::Organization(response) = app
            .handle(summarize(&format!("{run}/manifest.json")), None)
            .await
            .unwrap()
        else {
            panic!("a summary")
        };
        assert_eq!(
            (response.accounts, response.unaudited),
            (4, 3),
            "{response:?}"
        );
        let key = response
            .summary_uri
            .strip_prefix(&format!("s3://{BUCKET}/"))
            .unwrap();
        assert!(key.ends_with("/night-1.json"), "{key}");
        let object = s3
            .get_object()
            .bucket(BUCKET)
            .key(key)
            .send()
            .await
            .unwrap();
        let summary: Value =
            serde_json::from_slice(&object.body.collect().await.unwrap().into_bytes()).unwrap();
        let errors = |account: &str| {
            summary["accounts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|a| a["account_id"] == account)
                .unwrap()["errors"]
                .to_string()
        };
        assert_eq!(errors(&members[0]), "[]");
        assert!(
            errors(&members[1]).contains("AccountUnreachable (FAILED): role missing"),
            "{}",
            errors(&members[1])
        );
        assert!(errors(&members[2]).contains("did not report"), "{summary}");
        let digest = sinks.receive().await.expect("a digest");
        let message: Value = serde_json::from_str(digest["Message"].as_str().unwrap()).unwrap();
        assert_eq!(message["kind"], "organization_digest");
        assert_eq!(
            message["unaudited"].as_array().unwrap().len(),
            3,
            "{message}"
        );

        // The summary reads only what the function itself wrote.
        let error = app
            .handle(summarize("elsewhere/manifest.json"), None)
            .await
            .unwrap_err();
        assert_eq!(error.error_type(), "ResultsUnreadable", "{error}");
    });
}
