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
use crate::sinks::{s3 as report_sink, sns as alert_sink};
use crate::{run_audit_until, AuditRunError, Clients};

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
        let report = run_audit_until(&self.clients, &request, collect_until).await?;
        tracing::info!(run_id = %report.run_id, complete = report.complete, "audit done, delivering");

        let mut problems = Vec::new();
        let written = report_sink::write_report(
            &self.report_s3,
            &self.config.report_bucket,
            &self.config.report_prefix,
            self.config.report_kms_key_id.as_deref(),
            &report,
        )
        .await;
        let report_uri = match written {
            Ok(uri) => uri,
            Err(error) => {
                tracing::error!(code = %error.code, message = %error.message, "writing the report failed");
                problems.push(format!(
                    "writing the report failed ({}): {}",
                    error.code, error.message
                ));
                let keys = report_sink::report_keys(&self.config.report_prefix, &report);
                format!(
                    "s3://{}/{} (not written)",
                    self.config.report_bucket, keys.dated
                )
            }
        };

        let alert = alert_sink::build_alert(&report, self.config.alert_min_severity, &report_uri);
        let mut alert_message_id = None;
        if let Some(alert) = &alert {
            match alert_sink::publish(&self.sns, &self.config.alert_topic_arn, alert).await {
                Ok(id) => alert_message_id = Some(id),
                Err(error) => {
                    tracing::error!(code = %error.code, message = %error.message, "publishing the alert failed");
                    problems.push(format!(
                        "publishing the alert failed ({}): {}",
                        error.code, error.message
                    ));
                }
            }
        }
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
            report_uri,
            alerted_findings: alert.as_ref().map_or(0, |a| a.findings_total),
            alert_message_id,
        })
    }
}
