//! The Lambda's engine: one invocation = parse the event, audit until shortly before the
//! deadline, write the report to S3, alert through SNS, answer the caller.
//! `src/bin/secaudit-lambda.rs` only wires this to the Lambda runtime.

pub mod config;
pub mod event;
pub mod organization;

use std::time::Duration;

use aws_config::SdkConfig;
use serde::Serialize;
use serde_json::Value;

use config::{LambdaConfig, OrganizationConfig};
use event::{parse_invocation, EventError, Invocation, Trigger};
use organization::{AccountWork, Plan, SummarizeRequest};

use crate::assess::mutelist::Mutelist;
use crate::assess::organization::{AccountPart, OrganizationTally};
use crate::assess::AssessContext;
use crate::aws::Call;
use crate::deliver::alert::SnsAlert;
use crate::deliver::digest::{Digest, DigestSummary, Unaudited};
use crate::deliver::s3::S3Reports;
use crate::deliver::sns::publish;
use crate::deliver::{deliver_all, Delivery};
use crate::model::AuditError;
use crate::report::{read_report, Report, Summary};
use crate::request::AuditRequest;
use crate::store::{get_object, latest_key, read_mutelist, update_history, S3Store};
use crate::{assess, scan, AuditRunError, Clients};

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

/// What an organization summary answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OrganizationResponse {
    pub run_id: String,
    pub summary_uri: String,
    pub score: Option<f64>,
    pub summary: Summary,
    pub accounts: usize,
    /// Accounts without a report from this run.
    pub unaudited: usize,
    pub alerted_findings: usize,
    pub alert_message_id: Option<String>,
}

/// The function's answer, by kind of event.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Response {
    Audit(InvocationResponse),
    Plan(Plan),
    Organization(OrganizationResponse),
}

impl Response {
    /// The audit's answer; `None` for the organization events.
    pub fn audit(self) -> Option<InvocationResponse> {
        match self {
            Response::Audit(response) => Some(response),
            _ => None,
        }
    }
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
    /// An organization event reached a function deployed for one account.
    #[error("organization events need SECAUDIT_MEMBER_ROLE_NAME (the role audited in each member account)")]
    NotAnOrganizationDeployment,
    /// The member role's credentials act in another account than the one asked for.
    #[error("account {expected}: the role's credentials act in account {actual}")]
    WrongAccount { expected: String, actual: String },
    /// The plan could not list the organization's accounts or store them.
    #[error("cannot plan the organization run: {0}")]
    Plan(String),
    /// The summary could not read the plan or the map's results.
    #[error("cannot read the organization run's results: {0}")]
    Results(String),
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
            InvocationError::NotAnOrganizationDeployment => "InvalidConfiguration",
            InvocationError::WrongAccount { .. } => "AccountUnreachable",
            InvocationError::Plan(_) => "OrganizationUnavailable",
            InvocationError::Results(_) => "ResultsUnreadable",
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
        let report_s3: aws_sdk_s3::Client =
            clients.client(clients.home_region().unwrap_or("us-east-1"));
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

    /// The bucket and prefix of the reports and the state beside them.
    fn store(&self) -> S3Store {
        S3Store {
            client: self.report_s3.clone(),
            bucket: self.config.report_bucket.clone(),
            prefix: self.config.report_prefix.clone(),
            kms_key_id: self.config.report_kms_key_id.clone(),
        }
    }

    fn report_store(&self, write_latest: bool) -> S3Reports {
        S3Reports {
            store: self.store(),
            write_latest,
        }
    }

    /// The report to S3 first (its URI goes into the alert), then the alert.
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
        match read_mutelist(&self.report_s3, bucket, key).await {
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
        self.store().read_baseline(account_id).await.map_err(|(code, message)| {
            let entry = problem(code, message);
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
    ) -> Result<Response, InvocationError> {
        let invocation = parse_invocation(
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
        match invocation {
            Invocation::Audit(request, trigger) => {
                let target = Target {
                    clients: &self.clients,
                    expected_account: None,
                    // Only the configured audit (the schedule's) replaces latest.json: a
                    // narrowed on-demand run must not become the next night's baseline.
                    configured_scope: request == self.config.defaults,
                    alert: true,
                    trigger,
                };
                self.audit(&target, request, collect_until)
                    .await
                    .map(Response::Audit)
            }
            Invocation::Account(work) => {
                let organization = self.organization()?;
                let role = format!(
                    "arn:aws:iam::{}:role/{}",
                    work.account_id, organization.member_role_name
                );
                // A session name is at most 64 of [\w+=,.@-]; the run id comes from the event.
                let run: String = work
                    .run_id
                    .as_deref()
                    .unwrap_or("on-demand")
                    .chars()
                    .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
                    .take(54)
                    .collect();
                let session = format!("secaudit-{run}");
                let clients = self
                    .clients
                    .for_account(&role, organization.external_id.as_deref(), &session)
                    .await;
                let target = Target {
                    clients: &clients,
                    expected_account: Some(&work.account_id),
                    configured_scope: true,
                    // The organization's digest alerts, once, after every account.
                    alert: false,
                    trigger: Trigger::OrganizationAccount,
                };
                self.audit(&target, self.config.defaults.clone(), collect_until)
                    .await
                    .map(Response::Audit)
            }
            Invocation::Plan => self.plan().await.map(Response::Plan),
            Invocation::Summarize(request) => {
                self.summarize(&request).await.map(Response::Organization)
            }
        }
    }

    fn organization(&self) -> Result<&OrganizationConfig, InvocationError> {
        self.config
            .organization
            .as_ref()
            .ok_or(InvocationError::NotAnOrganizationDeployment)
    }

    /// Scan, assess, deliver: one account's audit.
    async fn audit(
        &self,
        target: &Target<'_>,
        request: AuditRequest,
        collect_until: Option<tokio::time::Instant>,
    ) -> Result<InvocationResponse, InvocationError> {
        let mut problems = Vec::new();
        let mutelist = self.mutelist(&mut problems).await;
        let request = AuditRequest {
            read_tags: mutelist.as_ref().is_some_and(Mutelist::uses_tags),
            ..request
        };
        let scan = scan(target.clients, &request, collect_until).await?;
        if let Some(expected) = target.expected_account {
            if scan.account_id != expected {
                return Err(InvocationError::WrongAccount {
                    expected: expected.to_string(),
                    actual: scan.account_id,
                });
            }
        }
        let baseline = self.baseline(&scan.account_id, &mut problems).await;
        let baseline_read = baseline.is_ok();
        let context = AssessContext {
            weights: Default::default(),
            mutelist,
            baseline: baseline.ok().flatten(),
            problems,
        };
        let mut report = assess(scan, &context);
        tracing::info!(run_id = %report.run_id, account = %report.account_id, complete = report.complete, "audit done, delivering");

        let mut problems = Vec::new();
        // The history (and the page's trend) follows the configured audit only, like latest.json.
        if target.configured_scope {
            match update_history(&self.store(), &report).await {
                Ok(history) => report.trend = history.trend(),
                Err(error) => {
                    tracing::error!(%error, "history not updated");
                    problems.push(error.to_string());
                }
            }
        }
        let mut deliveries = self.deliveries(target.configured_scope && baseline_read);
        if !target.alert {
            deliveries.truncate(1);
        }
        let outcome = deliver_all(&report, &deliveries).await;
        problems.extend(outcome.failed.iter().map(ToString::to_string));
        if !problems.is_empty() {
            return Err(InvocationError::Delivery {
                run_id: report.run_id,
                problems,
            });
        }
        Ok(InvocationResponse {
            run_id: report.run_id,
            trigger: target.trigger.as_str(),
            account_id: report.account_id,
            score: report.score.overall,
            summary: report.summary,
            complete: report.complete,
            report_uri: outcome.report_uri,
            alerted_findings: outcome.delivered.iter().map(|d| d.findings).sum(),
            alert_message_id: outcome.delivered.into_iter().find_map(|d| d.message_id),
        })
    }

    /// Lists the organization's ACTIVE accounts (less the excluded ones) and stores them as the
    /// map's items.
    async fn plan(&self) -> Result<Plan, InvocationError> {
        let organization = self.organization()?;
        let run_id = uuid::Uuid::now_v7().to_string();
        let accounts: Vec<AccountWork> = self
            .clients
            .organization_accounts()
            .await
            .map_err(|e| {
                InvocationError::Plan(format!("{} ({}): {}", e.operation, e.code, e.message))
            })?
            .into_iter()
            .filter(|(id, _)| !organization.excluded_accounts.contains(id))
            .map(|(account_id, name)| AccountWork {
                account_id,
                name,
                run_id: Some(run_id.clone()),
            })
            .collect();
        let key = organization::accounts_key(&self.config.report_prefix, &run_id);
        let body =
            serde_json::to_vec(&accounts).map_err(|e| InvocationError::Plan(e.to_string()))?;
        self.report_store(false)
            .put(&key, "application/json", body.into())
            .await
            .map_err(|e| InvocationError::Plan(e.to_string()))?;
        tracing::info!(accounts = accounts.len(), %key, "organization run planned");
        Ok(Plan {
            run_id,
            started_at: crate::scan::rfc3339(time::OffsetDateTime::now_utc()),
            bucket: self.config.report_bucket.clone(),
            accounts_key: key,
            account_count: accounts.len(),
        })
    }

    /// Reads `bucket`/`key`, which must be this function's own, under its prefix.
    async fn read_own(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        let uri = format!("s3://{bucket}/{key}");
        if bucket != self.config.report_bucket
            || !key.starts_with(&format!("{}/", self.config.report_prefix))
        {
            return Err(format!(
                "{uri} is not under s3://{}/{}/",
                self.config.report_bucket, self.config.report_prefix
            ));
        }
        match get_object(&self.report_s3, bucket, key).await {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(format!("{uri}: no such key")),
            Err((code, message)) => Err(format!("{uri}: {code}: {message}")),
        }
    }

    /// The organization summary: every planned account's report (or why there is none), the
    /// summary at its dated key and at `organization/latest.json`, and one digest alert.
    async fn summarize(
        &self,
        request: &SummarizeRequest,
    ) -> Result<OrganizationResponse, InvocationError> {
        use futures::stream::{self, StreamExt};
        use organization::{read_planned_accounts, read_result_file, AccountOutcome, Manifest};

        self.organization()?;
        let planned = self
            .read_own(&request.bucket, &request.accounts_key)
            .await
            .and_then(|bytes| read_planned_accounts(&request.accounts_key, &bytes))
            .map_err(InvocationError::Results)?;
        let report_root = format!(
            "s3://{}/{}/",
            self.config.report_bucket, self.config.report_prefix
        );
        let mut outcomes = std::collections::HashMap::new();
        if let Some(manifest) = &request.map.results {
            let bytes = self
                .read_own(&manifest.bucket, &manifest.key)
                .await
                .map_err(InvocationError::Results)?;
            let manifest: Manifest = serde_json::from_slice(&bytes)
                .map_err(|e| InvocationError::Results(format!("{}: {e}", manifest.key)))?;
            for file in manifest.result_files.values().flatten() {
                let bytes = self
                    .read_own(&self.config.report_bucket, &file.key)
                    .await
                    .map_err(InvocationError::Results)?;
                read_result_file(&file.key, &bytes, &report_root, &mut outcomes)
                    .map_err(InvocationError::Results)?;
            }
        }
        let no_result = match (&request.map.error, &request.map.cause) {
            (Some(error), cause) => format!(
                "no result: the account map failed ({error}: {})",
                cause.as_deref().unwrap_or("no cause given")
            ),
            (None, _) => "no result: the account map did not report this account".to_string(),
        };

        let mut tally = OrganizationTally::new(
            request.run_id.clone(),
            request.started_at.clone(),
            Default::default(),
        );
        let (threshold, alert_on) = (self.config.alert_min_severity, self.config.alert_on);
        let mut digest = Digest::new(threshold, alert_on);
        // A few reports are fetched at once. Each is reduced to its small part of the summary
        // and of the digest as soon as it is parsed, and dropped: on this one thread a single
        // parsed report exists at a time, so memory does not grow with report sizes times 8.
        let parts = stream::iter(planned)
            .map(|work| {
                let outcome = outcomes.remove(&work.account_id);
                let no_result = &no_result;
                async move {
                    let uri = match outcome {
                        Some(AccountOutcome::Reported(uri)) => uri,
                        Some(AccountOutcome::Failed(why)) => return (work, Err(why)),
                        None => return (work, Err(no_result.clone())),
                    };
                    let bytes = match config::parse_s3_uri(&uri) {
                        Some((bucket, key)) => self.read_own(&bucket, &key).await,
                        None => Err(format!("{uri} is not an s3://bucket/key URI")),
                    };
                    let part = bytes.and_then(|bytes| {
                        let report = read_report(&uri, &bytes)
                            .and_then(|r| r.ensure_account(&uri, &work.account_id).map(|()| r))
                            .map_err(|e| e.to_string())?;
                        let digest_part =
                            Digest::part(threshold, alert_on, &work.name, &report, &uri);
                        let summary_part =
                            AccountPart::of(&work.name, &report, Some(uri), Default::default());
                        Ok((summary_part, digest_part))
                    });
                    (work, part)
                }
            })
            .buffer_unordered(8);
        futures::pin_mut!(parts);
        while let Some((work, part)) = parts.next().await {
            match part {
                Ok((summary_part, digest_part)) => {
                    tally.add(summary_part);
                    if let Some(part) = digest_part {
                        digest.push(part);
                    }
                }
                Err(why) => tally.add_failure(&work.account_id, &work.name, why),
            }
        }
        let finished_at = crate::scan::rfc3339(time::OffsetDateTime::now_utc());
        let summary = tally.finish(finished_at);
        let execution = request.execution.as_deref().unwrap_or(&request.run_id);
        let (dated, latest) =
            organization::summary_keys(&self.config.report_prefix, &summary.started_at, execution);
        let summary_uri = format!("s3://{}/{dated}", self.config.report_bucket);
        let mut problems = Vec::new();
        match serde_json::to_vec_pretty(&summary) {
            Ok(body) => {
                let store = self.report_store(false);
                for key in [&dated, &latest] {
                    if let Err(error) = store
                        .put(key, "application/json", body.clone().into())
                        .await
                    {
                        problems.push(error.to_string());
                    }
                }
            }
            Err(error) => problems.push(format!("cannot serialise the summary: {error}")),
        }
        let mut alerted_findings = 0;
        let mut alert_message_id = None;
        if let Some(alert) = digest.build(&digest_summary(&summary), &summary_uri) {
            match publish(&self.sns, &self.config.alert_topic_arn, &alert).await {
                Ok(id) => {
                    alerted_findings = alert.findings_total;
                    alert_message_id = Some(id);
                }
                Err(error) => problems.push(error.to_string()),
            }
        }
        if !problems.is_empty() {
            return Err(InvocationError::Delivery {
                run_id: summary.run_id,
                problems,
            });
        }
        let unaudited = summary
            .accounts
            .iter()
            .filter(|a| a.summary.is_none())
            .count();
        tracing::info!(accounts = summary.accounts.len(), unaudited, %summary_uri, "organization summarized");
        Ok(OrganizationResponse {
            run_id: summary.run_id,
            summary_uri,
            score: summary.score.overall,
            summary: summary.summary,
            accounts: summary.accounts.len(),
            unaudited,
            alerted_findings,
            alert_message_id,
        })
    }
}

/// Whose account an audit reads, and what its run may replace and send.
struct Target<'a> {
    clients: &'a Clients,
    /// For a member account: the account the role must act in.
    expected_account: Option<&'a str>,
    /// Whether this is the configured audit: it replaces latest.json and adds to the history.
    configured_scope: bool,
    alert: bool,
    trigger: Trigger,
}

/// What the digest says of the run as a whole, from the organization summary.
fn digest_summary(summary: &crate::report::organization::OrganizationSummary) -> DigestSummary<'_> {
    DigestSummary {
        run_id: &summary.run_id,
        score: summary.score.overall,
        summary: summary.summary,
        changes: summary.changes,
        accounts: summary.accounts.len(),
        unaudited: summary
            .accounts
            .iter()
            .filter(|a| a.summary.is_none())
            .map(|a| Unaudited {
                account_id: &a.account_id,
                name: &a.name,
                errors: &a.errors,
            })
            .collect(),
    }
}
