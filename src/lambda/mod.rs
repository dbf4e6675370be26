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

use crate::report::Summary;
use crate::sinks::s3::S3Reports;
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

/// Configuration and clients, built once per execution environment (cold start).
pub struct LambdaApp {
    pub config: LambdaConfig,
    clients: Clients,
    /// The report to S3 first (its URI goes into the alert), then the alert.
    deliveries: Vec<Box<dyn Delivery>>,
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
        let deliveries: Vec<Box<dyn Delivery>> = vec![
            Box::new(S3Reports {
                client: report_s3,
                bucket: config.report_bucket.clone(),
                prefix: config.report_prefix.clone(),
                kms_key_id: config.report_kms_key_id.clone(),
            }),
            Box::new(SnsAlert {
                client: sns,
                topic_arn: config.alert_topic_arn.clone(),
                min_severity: config.alert_min_severity,
            }),
        ];
        LambdaApp {
            config,
            clients,
            deliveries,
        }
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
        let scan = scan(&self.clients, &request, collect_until).await?;
        let report = assess(scan, &AssessContext::default());
        tracing::info!(run_id = %report.run_id, complete = report.complete, "audit done, delivering");

        let outcome = deliver_all(&report, &self.deliveries).await;
        let problems: Vec<String> = outcome.failed.iter().map(ToString::to_string).collect();
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
