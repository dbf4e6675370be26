//! The Lambda's engine: one invocation = parse the event, audit until shortly before the
//! deadline, write the report to S3, alert through SNS, answer the caller.
//! `src/bin/secaudit-lambda.rs` only wires this to the Lambda runtime.

pub mod config;
pub mod event;

use std::time::Duration;

use aws_config::SdkConfig;
use serde::Serialize;
use serde_json::Value;

pub use config::{ConfigError, LambdaConfig};
pub use event::{request_from_event, EventError, Trigger};

use crate::collect::Call;
use crate::model::AuditError;
use crate::mutelist::Mutelist;
use crate::report::{read_report, Report, Summary};
use crate::request::AuditRequest;
use crate::sinks::s3::{get_object, latest_key, update_history, S3Reports};
use crate::sinks::sns::SnsAlert;
use crate::sinks::{deliver_all, Delivery};
use crate::{assess, scan, AssessContext, AuditRunError, Clients};

/// What an on-demand caller gets back.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InvocationResponse {
    pub run_id: String,
    pub trigger: &'static str,
    pub account_id: String,
    pub score: Option<f64>,
    pub summary: Summary,
    pub complete: bool,
    pub report_uri: String,
    /// Failed results at or above the alert threshold, and the SNS message id if any were sent.
    pub alerted_findings: usize,
    pub alert_message_id: Option<String>,
}

/// Why an invocation failed. Returned to Lambda as an error, so retries and failure
/// destinations see it.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    #[error(transparent)]
    InvalidRequest(#[from] EventError),
    #[error(transparent)]
    AuditFailed(#[from] AuditRunError),
    /// The audit ran; delivering its results failed in part. Whatever could be delivered was.
    #[error("run {run_id}: {}", problems.join("; "))]
    Delivery {
        run_id: String,
        problems: Vec<String>,
    },
}

impl InvocationError {
    /// The `errorType` the function reports, for a state machine's Retry and Catch (and for
    /// people reading failed invocations): a name, not a Rust type.
    pub fn error_type(&self) -> &'static str {
        match self {
            InvocationError::InvalidRequest(_) => "InvalidRequest",
            InvocationError::AuditFailed(AuditRunError::NoRegion) => "InvalidConfiguration",
            InvocationError::AuditFailed(AuditRunError::Identity { .. }) => "AccountUnreachable",
            InvocationError::AuditFailed(AuditRunError::Regions { .. }) => "AuditFailed",
            InvocationError::Delivery { .. } => "DeliveryFailed",
        }
    }
}

/// Configuration and clients, built once per execution environment (cold start).
pub struct LambdaApp {
    pub config: LambdaConfig,
    clients: Clients,
    /// Reads the baseline and the mutelist, writes the reports.
    report_s3: aws_sdk_s3::Client,
    sns: aws_sdk_sns::Client,
}

impl LambdaApp {
    pub fn new(config: LambdaConfig, sdk: SdkConfig) -> Self {
        let sns = aws_sdk_sns::Client::new(&sdk);
        let clients = Clients::from_sdk_config(sdk);
        let report_s3 = clients.s3(clients.home_region().unwrap_or("us-east-1"));
        Self::with_clients(config, clients, report_s3, sns)
    }

    /// With the sinks' clients chosen by the caller (tests point them at failing endpoints).
    pub fn with_clients(
        config: LambdaConfig,
        clients: Clients,
        report_s3: aws_sdk_s3::Client,
        sns: aws_sdk_sns::Client,
    ) -> Self {
        LambdaApp {
            config,
            clients,
            report_s3,
            sns,
        }
    }

    /// The report to S3 first (its URI goes into the alert), then the alert.
    fn report_store(&self, write_latest: bool) -> S3Reports {
        S3Reports {
            client: self.report_s3.clone(),
            bucket: self.config.report_bucket.clone(),
            prefix: self.config.report_prefix.clone(),
            kms_key_id: self.config.report_kms_key_id.clone(),
            write_latest,
        }
    }

    fn deliveries(&self, write_latest: bool) -> Vec<Box<dyn Delivery>> {
        vec![
            Box::new(self.report_store(write_latest)),
            Box::new(SnsAlert {
                client: self.sns.clone(),
                topic_arn: self.config.alert_topic_arn.clone(),
                min_severity: self.config.alert_min_severity,
                alert_on: self.config.alert_on,
            }),
        ]
    }

    /// The mutelist, if one is configured. A mutelist that cannot be read or does not parse
    /// mutes nothing: the run goes on and the problem is an error entry (and said in the alert).
    async fn mutelist(&self, problems: &mut Vec<AuditError>) -> Option<Mutelist> {
        let (bucket, key) = self.config.mutelist.as_ref()?;
        let uri = format!("s3://{bucket}/{key}");
        let text = match get_object(&self.report_s3, bucket, key).await {
            Ok(Some(bytes)) => String::from_utf8(bytes)
                .map_err(|_| ("InvalidMutelist".to_string(), "not UTF-8 text".to_string())),
            Ok(None) => Err(("NoSuchKey".into(), "the mutelist does not exist".into())),
            Err(failure) => Err(failure),
        };
        let parsed = text.and_then(|text| {
            Mutelist::parse(&uri, &text).map_err(|e| ("InvalidMutelist".to_string(), e.to_string()))
        });
        match parsed {
            Ok(mutelist) => Some(mutelist),
            Err((code, message)) => {
                let entry = Call::new("s3", self.home_region(), "ReadMutelist")
                    .on(&uri)
                    .entry(code, message);
                tracing::error!(code = %entry.code, message = %entry.message, "mutelist ignored");
                problems.push(entry);
                None
            }
        }
    }

    /// The account's `latest.json`: `Ok(None)` on a first run (no such key). Anything else
    /// that stops the comparison is an error entry, and `Err` tells the caller not to replace
    /// `latest.json` (the findings' history would be lost).
    async fn baseline(
        &self,
        account_id: &str,
        problems: &mut Vec<AuditError>,
    ) -> Result<Option<Report>, ()> {
        let key = latest_key(&self.config.report_prefix, account_id);
        let uri = format!("s3://{}/{key}", self.config.report_bucket);
        let problem = |code: String, message: String| {
            Call::new("s3", self.home_region(), "ReadBaseline")
                .on(&uri)
                .entry(code, message)
        };
        let outcome = match get_object(&self.report_s3, &self.config.report_bucket, &key).await {
            Ok(None) => return Ok(None),
            Ok(Some(bytes)) => read_report(&uri, &bytes)
                .and_then(|report| report.ensure_account(&uri, account_id).map(|()| report))
                .map_err(|e| problem("InvalidBaseline".into(), e.to_string())),
            Err((code, message)) => Err(problem(code, message)),
        };
        outcome.map(Some).map_err(|entry| {
            tracing::error!(code = %entry.code, message = %entry.message, "cannot compare with the baseline");
            problems.push(entry);
        })
    }

    fn home_region(&self) -> &str {
        self.clients.home_region().unwrap_or("us-east-1")
    }

    /// Handles one event. `deadline` is the invocation's; collection stops `reserve_seconds`
    /// before it so the report and the alert still go out.
    pub async fn handle(
        &self,
        event: Value,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<InvocationResponse, InvocationError> {
        let (request, trigger) = request_from_event(
            event,
            &self.config.defaults,
            &self.config.environment_tag_key,
        )?;
        let reserve = Duration::from_secs(self.config.reserve_seconds);
        let collect_until = deadline.map(|deadline| {
            let now = tokio::time::Instant::now();
            let left = deadline.saturating_duration_since(now);
            tracing::info!(seconds_left = left.as_secs_f64(), "invocation deadline");
            // A deadline already within the reserve stops collection at once.
            now + left.saturating_sub(reserve)
        });
        // Only the configured audit (the schedule's) replaces latest.json: a narrowed on-demand
        // run must not become the next night's baseline.
        let configured_scope = request == self.config.defaults;
        let mut problems = Vec::new();
        let mutelist = self.mutelist(&mut problems).await;
        let request = AuditRequest {
            read_tags: mutelist.as_ref().is_some_and(Mutelist::uses_tags),
            ..request
        };
        let scan = scan(&self.clients, &request, collect_until).await?;
        let baseline = self.baseline(&scan.account_id, &mut problems).await;
        let baseline_read = baseline.is_ok();
        let context = AssessContext {
            weights: Default::default(),
            mutelist,
            baseline: baseline.ok().flatten(),
            problems,
        };
        let mut report = assess(scan, &context);
        tracing::info!(run_id = %report.run_id, complete = report.complete, "audit done, delivering");

        let mut problems = Vec::new();
        // The history (and the page's trend) follows the configured audit only, like latest.json.
        if configured_scope {
            match update_history(&self.report_store(false), &report).await {
                Ok(history) => report.trend = history.trend(),
                Err(error) => {
                    tracing::error!(%error, "history not updated");
                    problems.push(error.to_string());
                }
            }
        }
        let outcome =
            deliver_all(&report, &self.deliveries(configured_scope && baseline_read)).await;
        problems.extend(outcome.failed.iter().map(ToString::to_string));
        if !problems.is_empty() {
            return Err(InvocationError::Delivery {
                run_id: report.run_id,
                problems,
            });
        }
        Ok(InvocationResponse {
            run_id: report.run_id,
            trigger: match trigger {
                Trigger::Schedule => "schedule",
                Trigger::OnDemand => "on_demand",
            },
            account_id: report.account_id,
            score: report.score.overall,
            summary: report.summary,
            complete: report.complete,
            report_uri: outcome.report_uri,
            alerted_findings: outcome.delivered.iter().map(|d| d.findings).sum(),
            alert_message_id: outcome.delivered.into_iter().find_map(|d| d.message_id),
        })
    }
}
