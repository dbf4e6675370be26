//! Scan: collect one account and run the checks over what was collected. The only step of
//! an audit that calls AWS; what comes out is plain data for [`crate::assess`].

use std::collections::{BTreeSet, HashMap};
use std::time::Instant;

use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use futures::future::join_all;

use crate::aws::{explain_missing_credentials, Call, Clients};
use crate::exposures::Exposure;
use crate::model::{ApiCalls, AuditError, CheckResult, Tags};
use crate::request::{AuditRequest, EnvironmentFilter, RegionSelection};
use crate::services::{
    CollectContext, Collection, InEnvironment, Inventory, Service, ServiceInventory,
};

/// One account, collected and checked: the findings and everything that could not be read.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountScan {
    /// Unique per run; chosen before the first API call so that it can name the run's sessions.
    pub run_id: String,
    pub account_id: String,
    pub regions: Vec<String>,
    pub services: BTreeSet<Service>,
    pub environment: Option<EnvironmentFilter>,
    /// RFC 3339 UTC, whole seconds.
    pub started_at: String,
    pub finished_at: String,
    pub duration_ms: u64,
    /// Every (check, resource) verdict, in registry order.
    pub findings: Vec<CheckResult>,
    /// Result ids this run could not judge for want of data it did not read (a re-check's
    /// narrower reads): a merge keeps their last verdicts.
    pub unjudged: Vec<String>,
    /// The failed findings that add up to a way in (not yet marked muted).
    pub exposures: Vec<Exposure>,
    /// What could not be read, sorted; the resources concerned have no findings.
    pub errors: Vec<AuditError>,
    pub api_calls: ApiCalls,
    /// Resource tags by [`crate::model::resource_key`], kept only when the request asks
    /// (mutelist rules on tags).
    pub resource_tags: HashMap<String, Tags>,
}

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

/// RFC 3339 UTC in whole seconds, as reports and summaries write times.
pub fn rfc3339(at: OffsetDateTime) -> String {
    at.replace_nanosecond(0)
        .unwrap_or(at)
        .format(&Rfc3339)
        .unwrap_or_default()
}

/// The account the credentials belong to; also proves they work before anything else runs.
pub async fn caller_account(clients: &Clients) -> Result<String, AuditRunError> {
    account_id(clients).await
}

async fn account_id(clients: &Clients) -> Result<String, AuditRunError> {
    let region = clients.home_region().unwrap_or("us-east-1");
    let call = Call::new("sts", region, "GetCallerIdentity");
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
                message: explain_missing_credentials(&entry.message).unwrap_or(entry.message),
                code: entry.code,
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

/// What one collector run reads: a service in a region (`global` for an account-wide one),
/// everything or only the resources named (a re-check).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Unit {
    pub service: Service,
    pub region: String,
    pub only: Option<BTreeSet<String>>,
}

impl Unit {
    /// Every requested service in every region (account-wide services once).
    pub fn all(services: &BTreeSet<Service>, regions: &[String]) -> Vec<Unit> {
        let mut units = Vec::new();
        for service in services {
            let regions: Vec<String> = if service.is_regional() {
                regions.to_vec()
            } else {
                vec!["global".to_string()]
            };
            units.extend(regions.into_iter().map(|region| Unit {
                service: *service,
                region,
                only: None,
            }));
        }
        units
    }
}

/// Scans the account the clients' credentials belong to. Collection still running at
/// `deadline` is abandoned, with a `DeadlineExceeded` error for each service and region cut
/// short.
pub async fn scan(
    clients: &Clients,
    request: &AuditRequest,
    deadline: Option<tokio::time::Instant>,
) -> Result<AccountScan, AuditRunError> {
    scan_units(clients, request, None, None, deadline).await
}

/// Re-reads only `units` (a re-check) with the same collectors and checks as [`scan`].
/// `known_account`: the account the credentials were already shown to act in (saves the
/// identity call); the regions are the request's, as listed.
pub async fn rescan(
    clients: &Clients,
    request: &AuditRequest,
    known_account: Option<&str>,
    units: &[Unit],
    deadline: Option<tokio::time::Instant>,
) -> Result<AccountScan, AuditRunError> {
    scan_units(clients, request, known_account, Some(units), deadline).await
}

async fn scan_units(
    clients: &Clients,
    request: &AuditRequest,
    known_account: Option<&str>,
    units: Option<&[Unit]>,
    deadline: Option<tokio::time::Instant>,
) -> Result<AccountScan, AuditRunError> {
    let run_id = uuid::Uuid::now_v7().to_string();
    let started_at = OffsetDateTime::now_utc();
    let clock = Instant::now();
    let calls_before = clients.api_calls().snapshot();
    let full_audit = units.is_none();

    let identify = async {
        match known_account {
            Some(account) => Ok(account.to_string()),
            None => account_id(clients).await,
        }
    };
    let (account_id, regions) = match units {
        // A re-check's regions are the units'; no listing of enabled regions.
        Some(units) => {
            let mut regions: Vec<String> = units
                .iter()
                .filter(|u| u.service.is_regional())
                .map(|u| u.region.clone())
                .collect();
            regions.sort();
            regions.dedup();
            (identify.await?, regions)
        }
        None => futures::try_join!(identify, resolve_regions(clients, request))?,
    };
    let (units, services) = match units {
        Some(units) => (units.to_vec(), units.iter().map(|u| u.service).collect()),
        None => (
            Unit::all(&request.services, &regions),
            request.services.clone(),
        ),
    };
    tracing::info!(account = %account_id, ?regions, units = units.len(), "scan started");

    // A full audit's collection opens hundreds of connections at once: the idle ones go when
    // the process's last collection ends, before the checks add their results. A re-check
    // opens few, and keeps them warm for the next event.
    let collecting = full_audit.then(crate::aws::collecting);
    let mut collection = collect(clients, request, &account_id, &regions, &units, deadline).await;
    if let Some(collecting) = collecting {
        drop(collecting);
        let_closed_connections_end().await;
    }
    return_freed_memory();
    collection.inventory.collected = Some(units.iter().map(|u| u.service).collect());
    if let Some(filter) = &request.environment {
        collection
            .inventory
            .retain_environment(&|tags| filter.matches(tags));
    }
    let crate::services::checks::Evaluation {
        results: findings,
        unjudged,
    } = crate::services::checks::judge_all(
        &collection.inventory,
        &account_id,
        &request.options,
        started_at,
    );
    let exposures = crate::exposures::find(&collection.inventory, &findings);
    let resource_tags = if request.read_tags {
        collection.inventory.tags_by_resource()
    } else {
        HashMap::new()
    };
    let mut errors = collection.errors;
    errors.sort_by(|a, b| {
        (&a.service, &a.region, &a.operation, &a.resource_id).cmp(&(
            &b.service,
            &b.region,
            &b.operation,
            &b.resource_id,
        ))
    });
    tracing::info!(
        run_id = %run_id,
        findings = findings.len(),
        errors = errors.len(),
        "scan finished"
    );
    Ok(AccountScan {
        run_id,
        account_id,
        regions,
        services,
        environment: request.environment.clone(),
        started_at: rfc3339(started_at),
        finished_at: rfc3339(OffsetDateTime::now_utc()),
        duration_ms: u64::try_from(clock.elapsed().as_millis()).unwrap_or(u64::MAX),
        findings,
        unjudged,
        exposures,
        errors,
        api_calls: clients.api_calls().since(&calls_before),
        resource_tags,
    })
}

/// Collects every requested service in every region at once (account-wide services once). A
/// collector still running at `deadline` is abandoned: what it would have found is missing,
/// and an error says so.
async fn collect(
    clients: &Clients,
    request: &AuditRequest,
    account_id: &str,
    regions: &[String],
    units: &[Unit],
    deadline: Option<tokio::time::Instant>,
) -> Collection {
    let in_environment = request
        .environment
        .as_ref()
        .map(|filter| move |tags: &Tags| filter.matches(tags));
    let in_environment = in_environment.as_ref().map(|f| f as InEnvironment);
    // Checked once here: request validation refuses 0, and a hand-built request gets 1.
    let concurrency =
        std::num::NonZeroUsize::new(request.concurrency).unwrap_or(std::num::NonZeroUsize::MIN);
    let bounded = units.iter().map(|unit| async move {
        let context = CollectContext {
            clients,
            account_id,
            regions,
            in_environment,
            read_tags: request.read_tags,
            concurrency,
            only: unit.only.as_ref(),
        };
        let (service, region) = (unit.service, unit.region.as_str());
        let unit = service.collect(&context, region);
        let Some(deadline) = deadline else {
            return unit.await;
        };
        match tokio::time::timeout_at(deadline, unit).await {
            Ok(collection) => collection,
            Err(_) => Collection {
                inventory: Inventory::default(),
                errors: vec![Call::new(service.as_str(), region, "Collect").entry(
                    "DeadlineExceeded".into(),
                    format!(
                        "collection of {service} in {region} was stopped at the invocation deadline; its resources were not evaluated"
                    ),
                )],
            },
        }
    });
    let mut collection = Collection::default();
    for unit in join_all(bounded).await {
        collection.merge(unit);
    }
    collection
}

/// Lets the tasks of the connections just let go run to their end, freeing their buffers,
/// before the trim. tokio's current-thread scheduler (the CLI's and the Lambda's) runs at most
/// 61 ready tasks (its `event_interval`) before it resumes a task that yielded, and a collection
/// leaves a few hundred connections: one yield ended 61 of 187 (`strace`, 300 units).
async fn let_closed_connections_end() {
    for _ in 0..32 {
        tokio::task::yield_now().await;
    }
}

/// Gives the pages the collection freed (response bodies, the idle connections' buffers) back to
/// the system before the checks add their results: glibc keeps freed pages in the middle of its
/// heap otherwise, and the checks' results then come on top of them at the run's peak.
fn return_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory of the allocator's own arenas.
    unsafe {
        libc::malloc_trim(0);
    }
}
