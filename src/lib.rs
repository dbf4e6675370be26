//! secaudit: audits an AWS account's security posture.
//!
//! The flow, one module each: an [`request::AuditRequest`] says what to audit; [`collect`]
//! reads the account into an [`inventory::Inventory`]; [`checks`] judge it; [`score`] weighs
//! the results; [`report`] is what comes out; [`sinks`] ship it. [`run_audit`] ties them.

pub mod checks;
pub mod collect;
pub mod inventory;
pub mod lambda;
pub mod policy;
pub mod report;
pub mod request;
pub mod score;
pub mod sinks;

use std::time::Instant;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

pub use collect::{Clients, ConnectionSettings};
use report::{Report, Summary, SCHEMA_VERSION};
use request::{AuditRequest, RegionSelection};

/// Why an audit could not run at all (as opposed to errors inside a run, which the report
/// carries).
#[derive(Debug, thiserror::Error)]
pub enum AuditRunError {
    #[error("no AWS region configured: pass --region, or set AWS_REGION or a profile region")]
    NoRegion,
    #[error("cannot identify the AWS account (sts:GetCallerIdentity failed: {code}): {message}")]
    Identity { code: String, message: String },
    #[error("cannot list the enabled regions (ec2:DescribeRegions failed: {code}): {message}")]
    Regions { code: String, message: String },
}

impl AuditRunError {
    /// Whether the caller's input or configuration is at fault (rather than AWS or the network).
    pub fn is_usage_error(&self) -> bool {
        matches!(self, AuditRunError::NoRegion)
    }
}

fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The account the credentials belong to; also proves they work before anything else runs.
async fn account_id(clients: &Clients) -> Result<String, AuditRunError> {
    let region = clients.home_region().unwrap_or("us-east-1");
    let call = collect::Call::new("sts", region, "GetCallerIdentity");
    // Few attempts here: this first call is what tells a dead endpoint or bad credentials
    // apart, and the caller should hear about it in seconds, not after a full retry budget.
    let identity = clients
        .sts()
        .get_caller_identity()
        .customize()
        .config_override(
            aws_sdk_sts::config::Builder::default()
                .retry_config(aws_config::retry::RetryConfig::standard().with_max_attempts(3)),
        )
        .send()
        .await
        .map_err(|e| {
            let entry = call.error(&e);
            AuditRunError::Identity {
                code: entry.code,
                message: entry.message,
            }
        })?;
    Ok(identity.account().unwrap_or_default().to_string())
}

async fn resolve_regions(
    clients: &Clients,
    request: &AuditRequest,
) -> Result<Vec<String>, AuditRunError> {
    match &request.regions {
        RegionSelection::Listed(regions) => Ok(regions.clone()),
        // S3 and IAM alone are account-wide: no region needed.
        RegionSelection::Default if !request.services.iter().any(|s| s.is_regional()) => {
            Ok(clients
                .home_region()
                .map(str::to_string)
                .into_iter()
                .collect())
        }
        RegionSelection::Default => Ok(vec![clients
            .home_region()
            .ok_or(AuditRunError::NoRegion)?
            .to_string()]),
        RegionSelection::AllEnabled => {
            let home = clients.home_region().ok_or(AuditRunError::NoRegion)?;
            clients
                .enabled_regions(home)
                .await
                .map_err(|e| AuditRunError::Regions {
                    code: e.code,
                    message: e.message,
                })
        }
    }
}

/// Runs one audit: collect, filter, check, score, report.
pub async fn run_audit(clients: &Clients, request: &AuditRequest) -> Result<Report, AuditRunError> {
    run_audit_until(clients, request, None).await
}

/// [`run_audit`], with collection cut off at `deadline`: the report is then marked incomplete
/// with a `DeadlineExceeded` error for each service and region that did not finish.
pub async fn run_audit_until(
    clients: &Clients,
    request: &AuditRequest,
    deadline: Option<tokio::time::Instant>,
) -> Result<Report, AuditRunError> {
    let started_at = OffsetDateTime::now_utc();
    let clock = Instant::now();
    let calls_before = clients.api_calls().snapshot();

    let (account_id, regions) =
        futures::try_join!(account_id(clients), resolve_regions(clients, request))?;
    tracing::info!(account = %account_id, ?regions, services = ?request.services, "audit started");

    let mut collection = collect::collect(clients, request, &account_id, &regions, deadline).await;
    if let Some(filter) = &request.environment {
        collection.inventory.retain_environment(filter);
    }
    let results = checks::evaluate(&collection.inventory, &account_id, &request.options);
    let mut errors = collection.errors;
    errors.sort_by(|a, b| {
        (&a.service, &a.region, &a.operation, &a.resource_id).cmp(&(
            &b.service,
            &b.region,
            &b.operation,
            &b.resource_id,
        ))
    });

    let report = Report {
        schema_version: SCHEMA_VERSION,
        run_id: uuid::Uuid::now_v7().to_string(),
        account_id,
        regions,
        environment: request.environment.as_ref().map(|f| f.value.clone()),
        environment_tag_key: request.environment.as_ref().map(|f| f.tag_key.clone()),
        started_at: rfc3339(started_at),
        finished_at: rfc3339(OffsetDateTime::now_utc()),
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        complete: errors.is_empty(),
        score: score::score(&results, request.options.weights),
        summary: Summary::of(&results),
        results,
        errors,
        api_calls: clients.api_calls().since(&calls_before),
    };
    tracing::info!(
        run_id = %report.run_id,
        evaluated = report.summary.evaluated,
        failed = report.summary.failed,
        errors = report.errors.len(),
        "audit finished"
    );
    Ok(report)
}
