//! The event-driven re-check's latency: a function (the library's Lambda engine, in process)
//! audits a small synthetic account once, then receives one-event SQS batches — a security
//! group opened to the world, a bucket made public — and the time from handing it the batch
//! to its SNS publish is measured, straight at the emulator and through the latency proxy.
//! The dependent round trips are the delayed time's excess over the direct one, in latencies.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::Duration;

use secaudit::lambda::config::LambdaConfig;
use secaudit::lambda::{LambdaApp, Response};
use serde_json::{json, Value};

use super::support::alerts::AlertQueue;
use super::support::fault_proxy::{FaultProxy, Faults};
use super::support::synthetic::seed_units;
use super::support::{block_on, sdk_config, MotoServer};

/// The targets for a security-group or bucket change.
const MAX_TIME_TO_ALERT: Duration = Duration::from_secs(2);
const MAX_ROUND_TRIPS: f64 = 3.0;
/// Units of the synthetic account the function audits first.
const UNITS: usize = 20;
const BUCKET: &str = "bench-recheck-reports";

pub struct Change {
    pub name: &'static str,
    pub direct: Duration,
    pub delayed: Duration,
    /// Calls of the re-read itself (the report's `rechecks[].api_calls`).
    pub reread_calls: u64,
    /// Every request the invocation made through the proxy: re-read, state, alert, history.
    pub requests: u64,
}

impl Change {
    fn round_trips(&self, latency: Duration) -> f64 {
        (self.delayed.saturating_sub(self.direct)).as_secs_f64() / latency.as_secs_f64()
    }
}

fn app(endpoint: &str, topic_arn: &str) -> LambdaApp {
    let vars: HashMap<&str, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET", BUCKET.to_string()),
        ("SECAUDIT_ALERT_TOPIC_ARN", topic_arn.to_string()),
        ("SECAUDIT_REGIONS", "us-east-1".to_string()),
        ("SECAUDIT_ALERT_ON_RESOLVED", "true".to_string()),
    ]);
    let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).expect("configuration");
    LambdaApp::new(config, sdk_config(endpoint, "us-east-1"))
}

fn batch(source: &str, name: &str, request: Value) -> Value {
    let record = json!({
        "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
        "eventTime": "2026-12-02T09:00:00Z", "recipientAccountId": "123456789012",
        "userIdentity": {"arn": "arn:aws:iam::123456789012:user/bench"},
        "sourceIPAddress": "203.0.113.9", "requestParameters": request,
    });
    let envelope = json!({"detail-type": "AWS API Call via CloudTrail", "detail": record});
    json!({"Records": [{"messageId": "m-1", "eventSource": "aws:sqs", "body": envelope.to_string()}]})
}

/// Hands `event` to the function; its time and, from `latest.json`, the re-read's calls.
async fn timed(app: &LambdaApp, event: Value) -> Result<Duration, String> {
    match app.handle(event, None).await {
        Ok(Response::Recheck(response)) if response.batch_item_failures.is_empty() => response
            .alerted_after
            .ok_or_else(|| "the change was not alerted".into()),
        Ok(other) => Err(format!("unexpected answer {other:?}")),
        Err(error) => Err(error.to_string()),
    }
}

async fn last_reread_calls(s3: &aws_sdk_s3::Client) -> Result<u64, String> {
    let object = (s3.get_object().bucket(BUCKET))
        .key("reports/123456789012/latest.json")
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    let bytes = object
        .body
        .collect()
        .await
        .map_err(|e| e.to_string())?
        .into_bytes();
    let report: secaudit::report::Report =
        serde_json::from_slice(&bytes).map_err(|e| e.to_string())?;
    Ok(report.rechecks.last().map_or(0, |r| r.api_calls))
}

/// Opens one group and makes one bucket public (then reverts both) for each endpoint.
pub fn run(server: &MotoServer, latency: Duration) -> Result<Vec<Change>, String> {
    block_on(async {
        let sdk = server.sdk_config("us-east-1");
        let account = seed_units(&sdk, UNITS).await.map_err(|e| e.to_string())?;
        let _ = account;
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        s3.create_bucket()
            .bucket(BUCKET)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        let alerts = AlertQueue::create(&sdk, "bench-recheck").await;
        let proxy = FaultProxy::start(
            &server.endpoint,
            Faults {
                latency,
                ..Faults::default()
            },
        );
        let direct = app(&server.endpoint, &alerts.topic_arn);
        let delayed = app(&proxy.endpoint, &alerts.topic_arn);
        direct
            .handle(json!({}), None)
            .await
            .map_err(|e| e.to_string())?;
        // Warm: each function reads its own account once per execution environment.
        for app in [&direct, &delayed] {
            app.handle(json!({"Records": []}), None)
                .await
                .map_err(|e| e.to_string())?;
        }
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let groups = ec2
            .describe_security_groups()
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        let group = (groups.security_groups().iter())
            .find(|g| g.group_name() != Some("default"))
            .and_then(|g| g.group_id())
            .ok_or("no security group seeded")?
            .to_string();
        let buckets = s3
            .list_buckets()
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        let bucket = (buckets.buckets().iter())
            .filter_map(|b| b.name())
            .find(|name| name.starts_with("bench-unit"))
            .ok_or("no bucket seeded")?
            .to_string();
        let policy = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
            "Principal": "*", "Action": "s3:GetObject",
            "Resource": format!("arn:aws:s3:::{bucket}/*")}]})
        .to_string();
        let permission = aws_sdk_ec2::types::IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(3389)
            .to_port(3389)
            .ip_ranges(
                aws_sdk_ec2::types::IpRange::builder()
                    .cidr_ip("0.0.0.0/0")
                    .build(),
            )
            .build();

        let mut changes = Vec::new();
        // Security group: open, re-check (direct), revert, re-check; then the same delayed.
        let open_group = batch(
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            json!({"groupId": group}),
        );
        let mut times = Vec::new();
        let mut requests = 0;
        for app in [&direct, &delayed] {
            ec2.authorize_security_group_ingress()
                .group_id(&group)
                .ip_permissions(permission.clone())
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let before = proxy
                .stats
                .forwarded
                .load(std::sync::atomic::Ordering::Relaxed);
            times.push(timed(app, open_group.clone()).await?);
            requests = proxy
                .stats
                .forwarded
                .load(std::sync::atomic::Ordering::Relaxed)
                - before;
            ec2.revoke_security_group_ingress()
                .group_id(&group)
                .ip_permissions(permission.clone())
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            direct
                .handle(open_group.clone(), None)
                .await
                .map_err(|e| e.to_string())?;
            let _ = alerts.receive().await;
        }
        changes.push(Change {
            name: "security group opened to the world",
            direct: times[0],
            delayed: times[1],
            reread_calls: 1,
            requests,
        });
        // Bucket: a public policy.
        let public_bucket = batch(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({"bucketName": bucket}),
        );
        let mut times = Vec::new();
        let mut reread_calls = 0;
        for app in [&direct, &delayed] {
            s3.put_bucket_policy()
                .bucket(&bucket)
                .policy(&policy)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            let before = proxy
                .stats
                .forwarded
                .load(std::sync::atomic::Ordering::Relaxed);
            times.push(timed(app, public_bucket.clone()).await?);
            requests = proxy
                .stats
                .forwarded
                .load(std::sync::atomic::Ordering::Relaxed)
                - before;
            reread_calls = last_reread_calls(&s3).await?;
            s3.delete_bucket_policy()
                .bucket(&bucket)
                .send()
                .await
                .map_err(|e| format!("{e:?}"))?;
            direct
                .handle(public_bucket.clone(), None)
                .await
                .map_err(|e| e.to_string())?;
            let _ = alerts.receive().await;
        }
        changes.push(Change {
            name: "bucket policy made public",
            direct: times[0],
            delayed: times[1],
            reread_calls,
            requests,
        });
        Ok(changes)
    })
}

/// The results section; `false` when a target is missed.
pub fn render(out: &mut String, changes: &[Change], latency: Duration) -> bool {
    let mut met = true;
    let _ = writeln!(out, "## Event-driven re-check\n");
    let _ = writeln!(
        out,
        "A one-event SQS batch handed to the function (in process) after it audited a \
         {UNITS}-unit account, from handing it the batch to the SNS publish of the alert (the \
         page and the history are written beside the publish). \
         Round trips: the delayed time's excess over the direct one, in {} ms latencies. \
         Targets: at most {} s and {MAX_ROUND_TRIPS} dependent round trips.\n",
        latency.as_millis(),
        MAX_TIME_TO_ALERT.as_secs()
    );
    let _ = writeln!(
        out,
        "| change | direct | +{} ms per request | dependent round trips | re-read calls | requests per event | verdict |",
        latency.as_millis()
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for change in changes {
        let trips = change.round_trips(latency);
        let ok = change.delayed <= MAX_TIME_TO_ALERT && trips <= MAX_ROUND_TRIPS + 0.5;
        met &= ok;
        let _ = writeln!(
            out,
            "| {} | {:.0} ms | {:.0} ms | {trips:.1} | {} | {} | {} |",
            change.name,
            change.direct.as_secs_f64() * 1000.0,
            change.delayed.as_secs_f64() * 1000.0,
            change.reread_calls,
            change.requests,
            if ok { "met" } else { "missed" }
        );
    }
    let _ = writeln!(out);
    met
}
