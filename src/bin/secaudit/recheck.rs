//! `secaudit recheck --event FILE --report REPORT`: the event-driven re-check, locally. The
//! events name what to re-read (never a verdict); the re-read's verdicts are merged into the
//! saved report exactly as the function merges them into `latest.json`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use secaudit::aws::{Clients, ConnectionSettings};
use secaudit::recheck::{merge, reread};
use secaudit::render::{table, Format};
use secaudit::request::{parse_services, AuditRequest, EnvironmentFilter, RegionSelection};
use secaudit::services::change_events::parse_events;

use crate::files::{print, read_file, read_mutelist, read_saved_report, write_atomically};
use crate::Failure;

#[derive(Args)]
pub struct RecheckArgs {
    /// One CloudTrail event, an EventBridge event of one, or a JSON array of either.
    #[arg(long, value_name = "FILE")]
    pub event: PathBuf,
    /// The account's saved report (a `scan --output`, or a `latest.json`) to merge into.
    #[arg(long, value_name = "REPORT")]
    pub report: PathBuf,
    /// Write the merged report here (the same schema as `scan`'s).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// How to print what changed: a table or JSON.
    #[arg(long, value_parser = crate::formats::report(), default_value = "table")]
    pub format: Format,
    /// Accepted risks (TOML), applied to the re-read verdicts.
    #[arg(long, value_name = "FILE")]
    pub mutelist: Option<PathBuf>,
    /// Named profile from the AWS config files.
    #[arg(long)]
    pub profile: Option<String>,
    /// Send every AWS request to this endpoint (an emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
}

pub async fn run(args: &RecheckArgs) -> Result<ExitCode, Failure> {
    if matches!(args.format, Format::Ocsf | Format::Html) {
        return Err(Failure::Usage(
            "recheck prints what changed as a table or JSON; render the merged report for OCSF or HTML".into(),
        ));
    }
    let current = read_saved_report(&args.report)?;
    let source = args.event.display().to_string();
    let value: serde_json::Value = serde_json::from_slice(&read_file(&args.event)?)
        .map_err(|e| Failure::Usage(format!("{source}: not JSON: {e}")))?;
    let events = parse_events(value).map_err(|e| Failure::Usage(format!("{source}: {e}")))?;
    let (events, foreign): (Vec<_>, Vec<_>) = events
        .into_iter()
        .partition(|e| e.account_id().is_none_or(|a| a == current.account_id));
    if !foreign.is_empty() {
        eprintln!(
            "secaudit: warning: {} event(s) of other accounts than the report's ({}) ignored",
            foreign.len(),
            current.account_id
        );
    }
    let mutelist = args.mutelist.as_deref().map(read_mutelist).transpose()?;
    // The saved report's scope: what it audited is what an event may re-read.
    let environment = match (&current.environment_tag_key, &current.environment) {
        (Some(key), Some(value)) => Some(EnvironmentFilter::new(key, value)?),
        _ => None,
    };
    let request = AuditRequest {
        services: if current.services.is_empty() {
            AuditRequest::default().services
        } else {
            parse_services(&current.services)?
        },
        regions: RegionSelection::Listed(current.regions.clone()),
        environment,
        read_tags: mutelist.as_ref().is_some_and(|m| m.uses_tags()),
        ..AuditRequest::default()
    };
    let connection = ConnectionSettings {
        profile: args.profile.clone(),
        region: current.regions.first().cloned(),
        endpoint_url: args.endpoint_url.clone(),
        ..ConnectionSettings::default()
    };
    let clients = Clients::load(&connection).await;
    let reread = reread(&clients, &request, None, events, None)
        .await
        .map_err(|e| Failure::Run(e.to_string()))?;
    let merged = match reread.merge_input(mutelist.as_ref()) {
        Some(input) => {
            if input.scan.account_id != current.account_id {
                return Err(Failure::Usage(format!(
                    "the credentials act in account {}, the report is of account {}",
                    input.scan.account_id, current.account_id
                )));
            }
            merge(&current, input)
        }
        None => {
            eprintln!("secaudit: the events touched nothing the report's audit reads");
            current.clone()
        }
    };
    if let Some(path) = &args.output {
        let mut json =
            serde_json::to_vec_pretty(&merged).map_err(|e| Failure::Run(e.to_string()))?;
        json.push(b'\n');
        write_atomically(path, &json)?;
    }
    let changes = merged.changes.clone().unwrap_or_default();
    print(|out| match args.format {
        Format::Json => {
            let document = serde_json::json!({
                "account_id": merged.account_id,
                "run_id": merged.run_id,
                "rechecked": reread.plan.scopes(),
                "events": reread.plan.events.len(),
                "ignored_events": {
                    "unrelated": reread.plan.unrelated,
                    "failed_calls": reread.plan.failed_calls,
                    "outside_regions": reread.plan.outside_regions,
                    "other_accounts": foreign.len(),
                },
                "changes": {"new": changes.new, "resolved": changes.resolved},
                "complete": merged.complete,
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            out.write_all(b"\n")
        }
        _ => out.write_all(table::render_changes(&current, &merged, &changes).as_bytes()),
    })?;
    Ok(ExitCode::SUCCESS)
}
