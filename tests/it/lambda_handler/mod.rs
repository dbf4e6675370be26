//! The Lambda engine against moto: a scheduled event writes the report to S3 at both keys and
//! publishes the alert (received through an SQS queue subscribed to the topic); on-demand
//! requests, invalid payloads, failing sinks and the deadline behave as documented.

use crate::support;

mod deadlines;

use std::collections::HashMap;
use std::time::Duration;

use secaudit::function::config::LambdaConfig;
use secaudit::function::{InvocationError, LambdaApp};
use secaudit::report::Report;
use serde_json::{json, Value};
use support::alerts::AlertQueue;
use support::seed::seed_demo_account;
use support::{block_on, MotoServer};

const BUCKET: &str = "secaudit-reports";

/// The report bucket, and an alert topic whose messages arrive on a queue.
async fn create_sinks(sdk: &aws_config::SdkConfig, name: &str) -> AlertQueue {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    let _ = s3.create_bucket().bucket(BUCKET).send().await;
    AlertQueue::create(sdk, name).await
}

fn app(server: &MotoServer, topic_arn: &str, extra: &[(&str, &str)]) -> LambdaApp {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET".to_string(), BUCKET.to_string()),
        (
            "SECAUDIT_ALERT_TOPIC_ARN".to_string(),
            topic_arn.to_string(),
        ),
        ("SECAUDIT_REGIONS".to_string(), "us-east-1".to_string()),
    ]);
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap();
    LambdaApp::new(config, server.sdk_config("us-east-1"))
}

async fn read_object(sdk: &aws_config::SdkConfig, key: &str) -> (Option<String>, Report) {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    let object = s3
        .get_object()
        .bucket(BUCKET)
        .key(key)
        .send()
        .await
        .unwrap_or_else(|e| panic!("{key}: {e:?}"));
    let content_type = object.content_type().map(str::to_string);
    let body = object.body.collect().await.unwrap().into_bytes();
    (content_type, serde_json::from_slice(&body).unwrap())
}

fn scheduled_event() -> Value {
    json!({
        "version": "0", "id": "9a1b2c3d-0000-4000-8000-000000000001",
        "detail-type": "Scheduled Event", "source": "aws.scheduler",
        "account": "123456789012", "time": "2026-11-25T02:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/secaudit-nightly"],
        "detail": "{}"
    })
}

#[test]
fn scheduled_run_writes_the_report_and_alerts() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        seed_demo_account(&sdk).await.unwrap();
        let sinks = create_sinks(&sdk, "alerts").await;
        let app = app(
            &server,
            &sinks.topic_arn,
            &[("SECAUDIT_COMPLIANCE", "cis-aws-3.0")],
        );
        let response = app
            .handle(scheduled_event(), None)
            .await
            .expect("invocation succeeds")
            .audit()
            .unwrap();
        assert_eq!(response.trigger, "schedule");
        assert!(response.complete);
        assert!(response.summary.failed_by_severity.critical > 0);
        assert!(response.alert_message_id.is_some());

        let prefix = format!("s3://{BUCKET}/");
        let dated = response.report_uri.strip_prefix(&prefix).unwrap();
        assert!(dated.starts_with("reports/123456789012/20"), "{dated}");
        assert!(dated.ends_with(&format!("/{}.json", response.run_id)));
        let (content_type, report) = read_object(&sdk, dated).await;
        assert_eq!(content_type.as_deref(), Some("application/json"));
        assert_eq!(report.run_id, response.run_id);
        let (_, latest) = read_object(&sdk, "reports/123456789012/latest.json").await;
        assert_eq!(latest, report);
        // The page for people beside each report, and beside latest.json.
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        for key in [
            dated.replace(".json", ".html"),
            "reports/123456789012/latest.html".to_string(),
        ] {
            let page = s3
                .get_object()
                .bucket(BUCKET)
                .key(&key)
                .send()
                .await
                .unwrap();
            assert_eq!(
                page.content_type(),
                Some("text/html; charset=utf-8"),
                "{key}"
            );
            let body = page.body.collect().await.unwrap().into_bytes();
            let text = String::from_utf8_lossy(&body);
            assert!(text.contains(&response.run_id), "{key}");
        }
        // SECAUDIT_COMPLIANCE: the view in the report, and its CSV beside the reports.
        assert_eq!(report.compliance.len(), 1);
        assert_eq!(report.compliance[0].requirements.len(), 62);
        let csv = s3
            .get_object()
            .bucket(BUCKET)
            .key("reports/123456789012/compliance/cis-aws-3.0.csv")
            .send()
            .await
            .unwrap();
        assert_eq!(csv.content_type(), Some("text/csv"));
        let body = csv.body.collect().await.unwrap().into_bytes();
        let text = String::from_utf8_lossy(&body);
        assert!(
            text.starts_with("framework,requirement id,title,status,"),
            "{text}"
        );
        assert!(
            text.lines()
                .filter(|l| l.starts_with("cis-aws-3.0,5.2,"))
                .count()
                >= 1
        );

        let envelope = sinks.receive().await.expect("an alert in the queue");
        let attributes = &envelope["MessageAttributes"];
        assert_eq!(attributes["severity"]["Value"], "critical");
        assert_eq!(attributes["account_id"]["Value"], "123456789012");
        assert_eq!(attributes["finding_count"]["Type"], "Number");
        assert_eq!(
            attributes["finding_count"]["Value"]
                .as_str()
                .unwrap()
                .parse::<usize>()
                .unwrap(),
            response.alerted_findings
        );
        assert!(envelope["Subject"]
            .as_str()
            .unwrap()
            .starts_with("secaudit: "));
        // The SQS subscriber gets the machine-readable document.
        let alert: Value = serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap();
        assert_eq!(alert["run_id"], response.run_id.as_str());
        assert_eq!(alert["report_uri"], response.report_uri.as_str());
        assert_eq!(
            alert["findings"].as_array().unwrap().len(),
            response.alerted_findings
        );
        assert!(alert["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] == "critical"));

        // On demand: a narrower audit, its own report, the same alert rules.
        let response = app
            .handle(json!({"services": ["rds"], "environment": "dev"}), None)
            .await
            .unwrap()
            .audit()
            .unwrap();
        assert_eq!(response.trigger, "on_demand");
        assert_eq!(
            response.summary.evaluated, 6,
            "reports-db only, six RDS checks: {response:?}"
        );
        assert_eq!(response.alerted_findings, 0);
        assert!(response.alert_message_id.is_none());
        assert!(sinks.receive().await.is_none());

        // Invalid payloads run nothing and name the problem.
        let error = app
            .handle(json!({"services": ["s3"], "region": "eu-west-1"}), None)
            .await
            .unwrap_err();
        assert!(matches!(error, InvocationError::InvalidRequest(_)));
        assert_eq!(error.error_type(), "InvalidRequest");
        assert!(
            error.to_string().contains("unknown field `region`"),
            "{error}"
        );
    });
}

#[test]
fn failing_sinks_deliver_what_they_can_and_fail_the_invocation() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        seed_demo_account(&sdk).await.unwrap();
        let sinks = create_sinks(&sdk, "alerts").await;

        // No such bucket: the alert still goes out, and the invocation fails.
        let app_without_bucket = app(
            &server,
            &sinks.topic_arn,
            &[("SECAUDIT_REPORT_BUCKET", "no-such-bucket")],
        );
        let error = app_without_bucket
            .handle(scheduled_event(), None)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("writing the report failed (NoSuchBucket)"),
            "{message}"
        );
        assert!(!message.contains("publishing"), "{message}");
        let alert = sinks.receive().await.expect("the alert went out anyway");
        let body: Value = serde_json::from_str(alert["Message"].as_str().unwrap()).unwrap();
        assert!(body["report_uri"]
            .as_str()
            .unwrap()
            .ends_with("(not written)"));

        // No such topic: the report is still written, and the invocation fails.
        let missing_topic = "arn:aws:sns:us-east-1:123456789012:no-such-topic";
        let app_without_topic = app(&server, missing_topic, &[]);
        let error = app_without_topic
            .handle(scheduled_event(), None)
            .await
            .unwrap_err();
        let InvocationError::Delivery { run_id, problems } = &error else {
            panic!("{error}")
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(error.error_type(), "DeliveryFailed");
        assert!(
            problems[0].starts_with("publishing the alert failed (NotFound)"),
            "{problems:?}"
        );
        let (_, latest) = read_object(&sdk, "reports/123456789012/latest.json").await;
        assert_eq!(&latest.run_id, run_id);
    });
}

/// Sinks behind an endpoint that fails every request, with retries kept short.
fn app_with_failing_sinks(
    server: &MotoServer,
    topic_arn: &str,
    s3_endpoint: Option<&str>,
    sns_endpoint: Option<&str>,
) -> LambdaApp {
    use aws_config::retry::RetryConfig;
    let vars: HashMap<&str, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET", BUCKET.to_string()),
        ("SECAUDIT_ALERT_TOPIC_ARN", topic_arn.to_string()),
        ("SECAUDIT_REGIONS", "us-east-1".to_string()),
    ]);
    let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap();
    let sink_sdk = |endpoint: Option<&str>| {
        server
            .sdk_config("us-east-1")
            .into_builder()
            .endpoint_url(endpoint.unwrap_or(&server.endpoint))
            .retry_config(RetryConfig::standard().with_max_attempts(2))
            .build()
    };
    let report_s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sink_sdk(s3_endpoint))
            .force_path_style(true)
            .build(),
    );
    let sns = aws_sdk_sns::Client::new(&sink_sdk(sns_endpoint));
    let clients = secaudit::aws::Clients::from_sdk_config(server.sdk_config("us-east-1"));
    LambdaApp::with_clients(config, clients, report_s3, sns)
}

#[test]
fn sink_errors_the_emulator_cannot_produce_are_retried_then_reported() {
    use support::fault_server::FaultServer;
    let s3_down = FaultServer::start(
        500,
        "application/xml",
        "<Error><Code>InternalError</Code><Message>We encountered an internal error. Please try again.</Message></Error>",
    );
    let sns_throttled = FaultServer::start(
        400,
        "text/xml",
        "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>r</RequestId></ErrorResponse>",
    );
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        seed_demo_account(&sdk).await.unwrap();
        let sinks = create_sinks(&sdk, "alerts").await;

        // S3 failing with 500s: retried (2 attempts per object), then the alert still goes out.
        let app = app_with_failing_sinks(&server, &sinks.topic_arn, Some(&s3_down.endpoint), None);
        let error = app.handle(scheduled_event(), None).await.unwrap_err();
        let InvocationError::Delivery { problems, .. } = &error else {
            panic!("{error}")
        };
        assert_eq!(problems.len(), 2, "{problems:?}");
        assert!(
            problems[0].starts_with("updating the history failed (InternalError)"),
            "{problems:?}"
        );
        assert!(
            problems[1].starts_with("writing the report failed (InternalError)"),
            "{problems:?}"
        );
        // Two attempts to read latest.json (the baseline; an error entry, not a first night),
        // two to read history.json, two to write the dated report (latest.json is then not
        // replaced), then give up.
        assert_eq!(
            s3_down.requests(),
            6,
            "three objects, two attempts each, then give up"
        );
        assert!(sinks.receive().await.is_some(), "the alert still went out");

        // SNS throttling past the retries: the report is written, the invocation fails.
        let app = app_with_failing_sinks(
            &server,
            &sinks.topic_arn,
            None,
            Some(&sns_throttled.endpoint),
        );
        let error = app.handle(scheduled_event(), None).await.unwrap_err();
        let InvocationError::Delivery { run_id, problems } = &error else {
            panic!("{error}")
        };
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert!(
            problems[0].starts_with("publishing the alert failed (Throttling)"),
            "{problems:?}"
        );
        assert_eq!(sns_throttled.requests(), 2);
        let (_, latest) = read_object(&sdk, "reports/123456789012/latest.json").await;
        assert_eq!(&latest.run_id, run_id);

        // Both failing: both named, nothing else lost.
        let app = app_with_failing_sinks(
            &server,
            &sinks.topic_arn,
            Some(&s3_down.endpoint),
            Some(&sns_throttled.endpoint),
        );
        let error = app
            .handle(scheduled_event(), None)
            .await
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("writing the report failed")
                && error.contains("publishing the alert failed"),
            "{error}"
        );
    });
}
