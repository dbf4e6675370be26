//! The event-driven re-check's latency: a function (the library's Lambda engine, in process)
//! audits a small synthetic account once, then receives one-event SQS batches — a security
//! group opened to the world, a bucket made public — and the time from handing it the batch
//! to its SNS publish is measured, straight at the emulator and through the latency proxy.
//! The dependent round trips are the delayed time's excess over the direct one, in latencies.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::Ordering;
use std::time::Duration;

use secaudit::function::config::LambdaConfig;
use secaudit::function::{LambdaApp, Response};
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

/// One re-check's times from receiving the batch: to the end of the re-read, to the publish.
#[derive(Clone, Copy, Debug)]
pub struct Timing {
    reread: Duration,
    alerted: Duration,
}

pub struct Change {
    pub name: &'static str,
    /// Median of [`SAMPLES`] by time to the alert.
    pub direct: Timing,
    pub delayed: Timing,
    /// Calls of the re-read itself (the report's `rechecks[].api_calls`).
    pub reread_calls: u64,
    /// Every request the invocation made through the proxy: re-read, state, alert, history.
    pub requests: u64,
}

impl Change {
    /// Dependent round trips to the alert, and of the re-read alone.
    fn round_trips(&self, latency: Duration) -> (f64, f64) {
        let trips = |delayed: Duration, direct: Duration| {
            delayed.saturating_sub(direct).as_secs_f64() / latency.as_secs_f64()
        };
        (
            trips(self.delayed.alerted, self.direct.alerted),
            trips(self.delayed.reread, self.direct.reread),
        )
    }
}

pub(crate) fn app(endpoint: &str, topic_arn: &str) -> LambdaApp {
    let vars: HashMap<&str, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET", BUCKET.to_string()),
        ("SECAUDIT_ALERT_TOPIC_ARN", topic_arn.to_string()),
        ("SECAUDIT_REGIONS", "us-east-1".to_string()),
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
async fn timed(app: &LambdaApp, event: Value) -> Result<Timing, String> {
    match app.handle(event, None).await {
        Ok(Response::Recheck(response)) if response.batch_item_failures.is_empty() => {
            match (response.reread_after, response.alerted_after) {
                (Some(reread), Some(alerted)) => Ok(Timing { reread, alerted }),
                _ => Err("the change was not alerted".into()),
            }
        }
        Ok(other) => Err(format!("unexpected answer {other:?}")),
        Err(error) => Err(error.to_string()),
    }
}

/// The function's report bucket, created; its client.
pub(crate) async fn report_store(
    sdk: &aws_config::SdkConfig,
) -> Result<aws_sdk_s3::Client, String> {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket(BUCKET)
        .send()
        .await
        .map_err(|e| format!("{e:?}"))?;
    Ok(s3)
}

/// The account's `latest.json` as the function last wrote it.
pub(crate) async fn latest(s3: &aws_sdk_s3::Client) -> Result<secaudit::report::Report, String> {
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
    serde_json::from_slice(&bytes).map_err(|e| e.to_string())
}

async fn last_reread_calls(s3: &aws_sdk_s3::Client) -> Result<u64, String> {
    Ok(latest(s3).await?.rechecks.last().map_or(0, |r| r.api_calls))
}

/// Opens one group and makes one bucket public (then reverts both) for each endpoint.
pub fn run(server: &MotoServer, latency: Duration) -> Result<Vec<Change>, String> {
    block_on(async {
        let sdk = server.sdk_config("us-east-1");
        let account = seed_units(&sdk, UNITS).await.map_err(|e| e.to_string())?;
        let _ = account;
        let s3 = report_store(&sdk).await?;
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
        // Warm: each function reads its own account once per execution environment.
        for app in [&direct, &delayed] {
            app.handle(json!({"Records": []}), None)
                .await
                .map_err(|e| e.to_string())?;
        }
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        // A group and a bucket of their own, clean at the nightly run.
        let group = ec2
            .create_security_group()
            .group_name("bench-recheck")
            .description("re-check target")
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?
            .group_id()
            .unwrap_or_default()
            .to_string();
        let bucket = "bench-recheck-target".to_string();
        s3.create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        direct
            .handle(json!({}), None)
            .await
            .map_err(|e| e.to_string())?;
        let _ = alerts.receive().await;
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

        let targets = Targets {
            ec2,
            s3,
            group,
            bucket,
            policy,
            permission,
        };
        let mut changes = Vec::new();
        for kind in [Kind::Group, Kind::Bucket] {
            let event = targets.event(kind);
            let mut samples: Vec<Vec<Timing>> = vec![Vec::new(), Vec::new()];
            let mut requests = 0;
            let mut reread_calls = 0;
            for (i, app) in [&direct, &delayed].into_iter().enumerate() {
                for _ in 0..SAMPLES {
                    targets.apply(kind, true).await?;
                    let before = proxy.stats.forwarded.load(Ordering::Relaxed);
                    samples[i].push(timed(app, event.clone()).await?);
                    requests = proxy.stats.forwarded.load(Ordering::Relaxed) - before;
                    reread_calls = last_reread_calls(&targets.s3).await?;
                    let _ = alerts.receive().await;
                    // Revert, and let the function see it, so the next change is new again.
                    targets.apply(kind, false).await?;
                    direct
                        .handle(event.clone(), None)
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
            let [direct_samples, delayed_samples] = [0, 1].map(|i| {
                samples[i].sort_by_key(|t| t.alerted);
                samples[i][samples[i].len() / 2]
            });
            changes.push(Change {
                name: kind.name(),
                direct: direct_samples,
                delayed: delayed_samples,
                reread_calls,
                requests,
            });
        }
        Ok(changes)
    })
}

const SAMPLES: usize = 3;

#[derive(Clone, Copy)]
enum Kind {
    Group,
    Bucket,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Group => "security group opened to the world",
            Kind::Bucket => "bucket policy made public",
        }
    }
}

struct Targets {
    ec2: aws_sdk_ec2::Client,
    s3: aws_sdk_s3::Client,
    group: String,
    bucket: String,
    policy: String,
    permission: aws_sdk_ec2::types::IpPermission,
}

impl Targets {
    fn event(&self, kind: Kind) -> Value {
        match kind {
            Kind::Group => batch(
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
                json!({"groupId": self.group}),
            ),
            Kind::Bucket => batch(
                "s3.amazonaws.com",
                "PutBucketPolicy",
                json!({"bucketName": self.bucket}),
            ),
        }
    }

    /// Makes the change (`true`) or reverts it.
    async fn apply(&self, kind: Kind, change: bool) -> Result<(), String> {
        let failed = |e: &dyn std::fmt::Debug| format!("{e:?}");
        match (kind, change) {
            (Kind::Group, true) => (self.ec2.authorize_security_group_ingress())
                .group_id(&self.group)
                .ip_permissions(self.permission.clone())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| failed(&e)),
            (Kind::Group, false) => (self.ec2.revoke_security_group_ingress())
                .group_id(&self.group)
                .ip_permissions(self.permission.clone())
                .send()
                .await
                .map(|_| ())
                .map_err(|e| failed(&e)),
            (Kind::Bucket, true) => (self.s3.put_bucket_policy())
                .bucket(&self.bucket)
                .policy(&self.policy)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| failed(&e)),
            (Kind::Bucket, false) => (self.s3.delete_bucket_policy())
                .bucket(&self.bucket)
                .send()
                .await
                .map(|_| ())
                .map_err(|e| failed(&e)),
        }
    }
}

/// The results section; `false` when a target is missed.
pub fn render(out: &mut String, changes: &[Change], latency: Duration) -> bool {
    let mut met = true;
    let _ = writeln!(out, "## Event-driven re-check\n");
    let _ = writeln!(
        out,
        "A one-event SQS batch handed to the function (the library's engine in process, built \
         as `make bench` builds it) after it audited a {UNITS}-unit account, timed from \
         receiving the batch to the end of the re-read and to the SNS publish of the alert (the \
         state, its page and the history are written after it); the median of {SAMPLES}. Round \
         trips: the delayed time's excess over the direct one, in {} ms latencies. Targets: at \
         most {} s to the alert and {MAX_ROUND_TRIPS} dependent round trips for the re-read.\n",
        latency.as_millis(),
        MAX_TIME_TO_ALERT.as_secs()
    );
    let _ = writeln!(
        out,
        "| change | to the alert, direct | to the alert, +{} ms per request | round trips to the alert | round trips of the re-read | re-read calls | requests per event | verdict |",
        latency.as_millis()
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|");
    for change in changes {
        let (to_alert, reread) = change.round_trips(latency);
        let ok = change.delayed.alerted <= MAX_TIME_TO_ALERT && reread <= MAX_ROUND_TRIPS + 0.5;
        met &= ok;
        let _ = writeln!(
            out,
            "| {} | {:.0} ms | {:.0} ms | {to_alert:.1} | {reread:.1} | {} | {} | {} |",
            change.name,
            change.direct.alerted.as_secs_f64() * 1000.0,
            change.delayed.alerted.as_secs_f64() * 1000.0,
            change.reread_calls,
            change.requests,
            if ok { "met" } else { "missed" }
        );
    }
    let _ = writeln!(out);
    met
}
