//! `secaudit scan --accounts IDS | --organization`: one report per account in --output-dir,
//! then organization.json.

use std::io::{self, IsTerminal};
use std::path::Path;
use std::process::ExitCode;

use secaudit::assess::organization::OrganizationTally;
use secaudit::audit::{audit_account, AccountAudit, BaselineProblem};
use secaudit::deliver::file::{FileDelivery, Target};
use secaudit::deliver::{deliver_all, Delivery};
use secaudit::fleet;
use secaudit::model::AuditError;
use secaudit::render::{table, Format};
use secaudit::report::{read_account_report, Report};
use secaudit::request::{parse_account_ids, RequestError};

use crate::files::print;
use crate::scan::{gate_message, Prepared, ScanArgs};
use crate::Failure;

/// `account`'s baseline from `dir`: no file is the account's first run; one that cannot be
/// read, or is another account's, is an error entry of its report.
fn account_baseline(dir: Option<&Path>, account: &str) -> Result<Option<Report>, BaselineProblem> {
    let Some(dir) = dir else {
        return Ok(None);
    };
    let path = dir.join(format!("{account}.json"));
    let source = path.display().to_string();
    let problem = |code: &str, message: String| {
        let entry = AuditError::input("ReadBaseline", &source, code, message);
        BaselineProblem::Unreadable(Box::new(entry))
    };
    match std::fs::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(problem("Unreadable", e.to_string())),
        Ok(bytes) => read_account_report(&source, account, &bytes)
            .map(Some)
            .map_err(|e| problem("InvalidBaseline", e.to_string())),
    }
}

/// Several accounts, each through the role: one report per account in --output-dir, then
/// organization.json. Each account's report is written and dropped before the next starts
/// counting, so memory does not grow with the number of accounts.
pub async fn run(args: &ScanArgs, prepared: Prepared) -> Result<ExitCode, Failure> {
    use futures::stream::{self, StreamExt};
    let Prepared {
        request,
        assessment,
        clients: base,
        fail_on,
    } = prepared;
    let (base, request, assessment) = (&base, &request, &assessment);
    let role_name = args
        .role_name
        .as_deref()
        .ok_or_else(|| Failure::Usage("--accounts and --organization need --role-name".into()))?;
    let directory = args
        .output_dir
        .as_deref()
        .ok_or_else(|| Failure::Usage("--accounts and --organization need --output-dir".into()))?;
    if args.output.is_some() || args.baseline.is_some() {
        return Err(Failure::Usage(
            "--output and --baseline are for one account; with several, reports go to --output-dir and baselines come from --baseline-dir"
                .into(),
        ));
    }
    std::fs::create_dir_all(directory)
        .map_err(|e| Failure::Usage(format!("cannot create {}: {e}", directory.display())))?;
    if args.account_concurrency == 0 {
        return Err(RequestError::TooSmall("--account-concurrency", 1).into());
    }
    let accounts: Vec<(String, String)> = match &args.accounts {
        Some(list) => parse_account_ids(list)?
            .into_iter()
            .map(|id| (id, String::new()))
            .collect(),
        None => {
            let excluded = match &args.exclude_accounts {
                Some(list) => parse_account_ids(list)?,
                None => Vec::new(),
            };
            base.organization_accounts()
                .await
                .map_err(|e| {
                    Failure::Run(format!(
                        "cannot list the organization's accounts ({}: {}): {}",
                        e.operation, e.code, e.message
                    ))
                })?
                .into_iter()
                .filter(|(id, _)| !excluded.contains(id))
                .collect()
        }
    };
    let run_id = uuid::Uuid::now_v7().to_string();
    let now = || secaudit::scan::rfc3339(time::OffsetDateTime::now_utc());
    let mut tally = OrganizationTally::new(run_id.clone(), now(), assessment.weights);
    // Accounts done of total, on a terminal only: logs and CI output stay clean.
    let progress = if args.quiet || !io::stderr().is_terminal() {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(accounts.len() as u64)
    };
    progress.set_style(
        indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} accounts  {msg}")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let mut gate = Vec::new();
    let partition = fleet::caller_partition(base).await;
    let session = fleet::session_name(&run_id[..8]);
    let audits = stream::iter(accounts)
        .map(|(account, name)| {
            let (partition, session) = (&partition, &session);
            async move {
                let external_id = args.external_id.as_deref();
                let clients = fleet::member_clients(
                    base,
                    partition,
                    &account,
                    role_name,
                    external_id,
                    session,
                )
                .await;
                let audit = AccountAudit {
                    clients: &clients,
                    request,
                    assessment,
                    expected_account: Some(&account),
                    collect_until: None,
                };
                let baseline_dir = args.baseline_dir.as_deref();
                let audited = audit_account(&audit, |account| async move {
                    account_baseline(baseline_dir, &account)
                })
                .await;
                (account, name, audited)
            }
        })
        .buffer_unordered(args.account_concurrency);
    futures::pin_mut!(audits);
    while let Some((account, name, audited)) = audits.next().await {
        progress.inc(1);
        progress.set_message(format!("last: {account}"));
        match audited {
            Err(error) => tally.add_failure(&account, &name, error.to_string()),
            Ok(report) => {
                let path = directory.join(format!("{account}.json"));
                let delivery = FileDelivery::new(Target::File(path.clone()), Format::Json);
                let written =
                    deliver_all(&report, &[Box::new(delivery) as Box<dyn Delivery>]).await;
                let location = written
                    .failed
                    .is_empty()
                    .then(|| path.display().to_string());
                if let Some(threshold) = fail_on {
                    gate.extend(
                        gate_message(&report, threshold, args.new_only)
                            .map(|m| format!("{account}: {m}")),
                    );
                }
                tally.add_report(&name, &report, location);
                // The report (and its inventory's results) is dropped here.
            }
        }
    }
    progress.finish_and_clear();
    let summary = tally.finish(now());
    let summary_path = directory.join("organization.json");
    let text = serde_json::to_string_pretty(&summary)
        .map_err(|e| Failure::Run(format!("cannot serialise the summary: {e}")))?;
    std::fs::write(&summary_path, text + "\n")
        .map_err(|e| Failure::Run(format!("cannot write {}: {e}", summary_path.display())))?;
    print(|out| match args.format {
        Format::Table => out.write_all(table::render_organization(&summary).as_bytes()),
        // Per-account OCSF is a render of each account's report; stdout carries the summary.
        Format::Json | Format::Ocsf | Format::Html => {
            serde_json::to_writer_pretty(&mut *out, &summary)?;
            out.write_all(b"\n")
        }
    })?;
    let unaudited: Vec<&str> = summary.unaudited().map(|a| a.account_id.as_str()).collect();
    if !summary.accounts.is_empty() && unaudited.len() == summary.accounts.len() {
        return Err(Failure::Run(format!(
            "no account could be audited: {}",
            summary.accounts[0].errors.join("; ")
        )));
    }
    if !unaudited.is_empty() {
        eprintln!(
            "secaudit: warning: {} account(s) could not be audited: {} (see organization.json)",
            unaudited.len(),
            unaudited.join(", ")
        );
    }
    if let Some(first) = gate.first() {
        eprintln!(
            "secaudit: {first}{}",
            if gate.len() > 1 {
                format!(" (and {} more account(s))", gate.len() - 1)
            } else {
                String::new()
            }
        );
        return Ok(ExitCode::from(3));
    }
    Ok(ExitCode::SUCCESS)
}
