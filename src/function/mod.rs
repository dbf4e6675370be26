//! The deployed function (the Lambda's engine): one invocation = parse the event, audit until
//! shortly before the deadline, write the report to S3, alert through SNS, answer the caller.
//! `src/bin/secaudit-lambda.rs` only wires this to the Lambda runtime. Named `function`, not
//! `lambda`, so it is never confused with `services/lambda/`, the audited AWS service.

pub mod config;
pub mod invocation;
pub mod organization;
pub mod recheck;
mod summarize;

use std::time::Duration;

use aws_config::SdkConfig;
use serde::Serialize;
use serde_json::Value;

use config::{LambdaConfig, OrganizationConfig};
use invocation::{parse_invocation, EventError, Invocation, Trigger};
use organization::{AccountWork, Plan};

use crate::assess::mutelist::Mutelist;
use crate::assess::AssessContext;
use crate::audit::{audit_account, AccountAudit, AccountAuditError, BaselineProblem};
use crate::aws::Call;
use crate::aws::Clients;
use crate::deliver::alert::SnsAlert;
use crate::deliver::s3::S3Reports;
use crate::deliver::{deliver_all, Delivery};
use crate::fleet;
use crate::model::AuditError;
use crate::report::{Report, Summary};
use crate::request::AuditRequest;
use crate::scan::AuditRunError;
use crate::store::{latest_key, read_mutelist, update_history, LatestSeen, S3Store};

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
    Recheck(recheck::RecheckResponse),
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
    /// The reports and the state beside them (baseline, history, mutelist reads).
    store: S3Store,
    sns: aws_sdk_sns::Client,
    /// The partition member roles are assumed in: the caller's, read once when first needed.
    partition: tokio::sync::OnceCell<String>,
    /// The accounts whose CloudTrail events are re-checked, read when first needed.
    event_accounts: tokio::sync::Mutex<Option<std::collections::BTreeSet<String>>>,
}

impl LambdaApp {
    pub fn new(config: LambdaConfig, sdk: SdkConfig) -> Self {
        let sdk = crate::aws::with_http_clock_and_sleep(&sdk);
        let sns = aws_sdk_sns::Client::new(&sdk);
        let clients = Clients::from_sdk_config(sdk);
        let report_s3: aws_sdk_s3::Client =
            clients.client(clients.home_region().unwrap_or("us-east-1"));
        Self::with_clients(config, clients, report_s3, sns)
    }

    /// With the report bucket's and SNS's clients chosen by the caller (tests point them at
    /// failing endpoints).
    pub fn with_clients(
        config: LambdaConfig,
        clients: Clients,
        report_s3: aws_sdk_s3::Client,
        sns: aws_sdk_sns::Client,
    ) -> Self {
        let store = S3Store {
            client: report_s3,
            bucket: config.report_bucket.clone(),
            prefix: config.report_prefix.clone(),
            kms_key_id: config.report_kms_key_id.clone(),
        };
        LambdaApp {
            config,
            clients,
            store,
            sns,
            partition: tokio::sync::OnceCell::new(),
            event_accounts: tokio::sync::Mutex::new(None),
        }
    }

    fn report_store(&self, write_latest: Option<LatestSeen>) -> S3Reports {
        S3Reports {
            store: self.store.clone(),
            write_latest,
        }
    }

    fn alert(&self) -> SnsAlert {
        SnsAlert {
            client: self.sns.clone(),
            topic_arn: self.config.alert_topic_arn.clone(),
            min_severity: self.config.alert_min_severity,
            alert_on: self.config.alert_on,
        }
    }

    /// The mutelist, if one is configured. A mutelist that cannot be read or does not parse
    /// mutes nothing: the run goes on and the problem is an error entry (and said in the alert).
    async fn mutelist(&self, problems: &mut Vec<AuditError>) -> Option<Mutelist> {
        let (bucket, key) = self.config.mutelist.as_ref()?;
        let uri = format!("s3://{bucket}/{key}");
        match read_mutelist(&self.store.client, bucket, key).await {
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

    /// The account's `latest.json` and its ETag: `None` on a first run (no such key).
    /// Anything else that stops the comparison is the error entry, and tells the caller not to
    /// replace `latest.json` (the findings' history would be lost).
    async fn baseline(&self, account_id: &str) -> Result<(Option<Report>, LatestSeen), AuditError> {
        let key = latest_key(&self.config.report_prefix, account_id);
        let uri = format!("s3://{}/{key}", self.config.report_bucket);
        self.store
            .read_baseline(account_id)
            .await
            .map_err(|(code, message)| {
                let entry = Call::new("s3", self.home_region(), "ReadBaseline")
                    .on(&uri)
                    .entry(code, message);
                tracing::error!(code = %entry.code, message = %entry.message, "cannot compare with the baseline");
                entry
            })
    }

    fn home_region(&self) -> &str {
        self.clients.home_region().unwrap_or("us-east-1")
    }

    /// Handles one event: its request, then the work it asks for. `deadline` is the
    /// invocation's; collection stops `reserve_seconds` before it so the report and the alert
    /// still go out.
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
        let collect_until = self.collect_until(deadline);
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
            Invocation::Account(work) => self
                .audit_member(&work, collect_until)
                .await
                .map(Response::Audit),
            Invocation::Plan => self.plan().await.map(Response::Plan),
            Invocation::Summarize(request) => {
                self.summarize(&request).await.map(Response::Organization)
            }
            Invocation::Events(messages) => self
                .recheck(messages, collect_until)
                .await
                .map(Response::Recheck),
        }
    }

    /// When collection stops: `reserve_seconds` before the deadline (at once when the deadline
    /// is already within the reserve).
    fn collect_until(
        &self,
        deadline: Option<tokio::time::Instant>,
    ) -> Option<tokio::time::Instant> {
        let reserve = Duration::from_secs(self.config.reserve_seconds);
        deadline.map(|deadline| {
            let now = tokio::time::Instant::now();
            let left = deadline.saturating_duration_since(now);
            tracing::info!(seconds_left = left.as_secs_f64(), "invocation deadline");
            now + left.saturating_sub(reserve)
        })
    }

    /// One member account of an organization run, through its member role.
    async fn audit_member(
        &self,
        work: &AccountWork,
        collect_until: Option<tokio::time::Instant>,
    ) -> Result<InvocationResponse, InvocationError> {
        let organization = self.organization()?;
        let partition = self
            .partition
            .get_or_init(|| fleet::caller_partition(&self.clients))
            .await;
        // The run id comes from the event: the session name keeps what STS accepts of it.
        let session = fleet::session_name(work.run_id.as_deref().unwrap_or("on-demand"));
        let clients = fleet::member_clients(
            &self.clients,
            partition,
            &work.account_id,
            &organization.member_role_name,
            organization.external_id.as_deref(),
            &session,
        )
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
    }

    fn organization(&self) -> Result<&OrganizationConfig, InvocationError> {
        self.config
            .organization
            .as_ref()
            .ok_or(InvocationError::NotAnOrganizationDeployment)
    }

    /// One account's audit (the library's [`audit_account`], against the mutelist and the
    /// account's `latest.json`), then its deliveries.
    async fn audit(
        &self,
        target: &Target<'_>,
        request: AuditRequest,
        collect_until: Option<tokio::time::Instant>,
    ) -> Result<InvocationResponse, InvocationError> {
        let mut problems = Vec::new();
        let mutelist = self.mutelist(&mut problems).await;
        let assessment = AssessContext {
            mutelist,
            problems,
            // Checked when the configuration was read: every id names a shipped framework.
            frameworks: crate::compliance::known(self.config.compliance.iter().map(String::as_str)),
            ..AssessContext::default()
        };
        let audit = AccountAudit {
            clients: target.clients,
            request: &request,
            assessment: &assessment,
            expected_account: target.expected_account,
            collect_until,
        };
        // The ETag of the latest.json compared with: only its replacement may be written.
        let mut seen = None;
        let seen_slot = &mut seen;
        let report = audit_account(&audit, |account| async move {
            let (baseline, latest) = self
                .baseline(&account)
                .await
                .map_err(|entry| BaselineProblem::Unreadable(Box::new(entry)))?;
            *seen_slot = Some(latest);
            Ok(baseline)
        })
        .await
        .map_err(|error| match error {
            AccountAuditError::Run(error) => InvocationError::AuditFailed(error),
            AccountAuditError::WrongAccount { expected, actual } => {
                InvocationError::WrongAccount { expected, actual }
            }
            // The account's own latest.json key: its source never names another account.
            AccountAuditError::Baseline(error) => InvocationError::Results(error.to_string()),
        })?;
        tracing::info!(run_id = %report.run_id, account = %report.account_id, complete = report.complete, "audit done, delivering");
        self.deliver(target, report, seen).await
    }

    /// The history first (the page draws its trend), then the report to S3 and the alert.
    /// Only the configured audit adds to the history and, when its baseline was read,
    /// replaces latest.json.
    async fn deliver(
        &self,
        target: &Target<'_>,
        mut report: Report,
        seen: Option<LatestSeen>,
    ) -> Result<InvocationResponse, InvocationError> {
        let mut problems = Vec::new();
        if target.configured_scope {
            match update_history(&self.store, &report).await {
                Ok(history) => report.trend = history.trend(),
                Err(error) => {
                    tracing::error!(%error, "history not updated");
                    problems.push(error.to_string());
                }
            }
        }
        // The report to S3 first (its URI goes into the alert), then the alert.
        let report_store = self.report_store(seen.filter(|_| target.configured_scope));
        let mut deliveries: Vec<Box<dyn Delivery>> = vec![Box::new(report_store)];
        if target.alert {
            deliveries.push(Box::new(self.alert()));
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
        self.report_store(None)
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
