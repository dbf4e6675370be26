//! `secaudit`: the command-line shell over the audit engine.
//!
//! Exit codes: 0 the audit finished; 1 it could not run at all; 2 bad usage or input;
//! 3 `--fail-on` found an open (unmuted) failed result at or above the given severity.

use std::io::{self, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use secaudit::assess::compare_reports;
use secaudit::assess::mutelist::Mutelist;
use secaudit::assess::organization::OrganizationTally;
use secaudit::assess::AssessContext;
use secaudit::deliver::file::{FileDelivery, Target};
use secaudit::deliver::{deliver_all, Delivery};
use secaudit::model::AuditError;
use secaudit::model::Severity;
use secaudit::render::{self, table};
use secaudit::report::history::History;
use secaudit::report::{read_report, Report};
use secaudit::request::{
    parse_account_ids, parse_port_ranges, parse_services, parse_severity, parse_weights,
    AuditRequest, EnvironmentFilter, RegionSelection, RequestError, DEFAULT_CONCURRENCY,
    DEFAULT_ENVIRONMENT_TAG_KEY,
};
use secaudit::services::checks::registry;
use secaudit::services::checks::{CheckOptions, RiskyPort};
use secaudit::{assess, scan, Clients, ConnectionSettings};

/// The first commands a newcomer needs, shown with `--help` and with no arguments at all.
const EXAMPLES: &str = "\
Examples:
  secaudit scan --profile audit --region eu-west-1 --format table
  secaudit scan --all-regions --output report.json --fail-on critical
  secaudit checks";

#[derive(Parser)]
#[command(
    name = "secaudit",
    version,
    about = "Audit an AWS account's security posture: 41 FSBP/CIS checks over EC2, RDS, S3, IAM, \
             security groups, VPC, CloudTrail, KMS, GuardDuty and Config",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit the account the credentials belong to.
    Scan(Box<ScanArgs>),
    /// List the checks with their severity and Security Hub / CIS ids.
    Checks {
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Compare two saved reports of one account: what is new, resolved, persisting, unverified.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
    },
    /// Print a saved report in another format.
    Render {
        report: PathBuf,
        #[arg(long, value_enum, default_value_t = Format::Table)]
        format: Format,
        /// The account's history, for the HTML page's score trend (read, not changed).
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
    },
    /// Work with a mutelist (accepted risks).
    Mutelist {
        #[command(subcommand)]
        command: MutelistCommand,
    },
}

#[derive(Subcommand)]
enum MutelistCommand {
    /// Validate a mutelist without auditing: exit 0 when valid, 2 naming the line otherwise.
    Check { file: PathBuf },
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Json,
    Table,
    Ocsf,
    Html,
}

impl From<Format> for render::Format {
    fn from(format: Format) -> Self {
        match format {
            Format::Json => render::Format::Json,
            Format::Table => render::Format::Table,
            Format::Ocsf => render::Format::Ocsf,
            Format::Html => render::Format::Html,
        }
    }
}

#[derive(clap::Args)]
struct ScanArgs {
    /// Named profile from the AWS config files (SSO and credential_process profiles work).
    #[arg(long)]
    profile: Option<String>,
    /// Region to audit; repeat or comma-separate for several. Default: AWS_REGION or the profile's.
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
    regions: Vec<String>,
    /// Audit every region enabled for the account.
    #[arg(long)]
    all_regions: bool,
    /// Services to audit, comma-separated: ec2, rds, s3, iam, sg, vpc, cloudtrail, kms,
    /// guardduty, config (or `all`).
    #[arg(long, value_name = "LIST", default_value = "all")]
    services: String,
    /// Only evaluate resources whose environment tag has this value (case-insensitive).
    #[arg(long, value_name = "ENV")]
    environment: Option<String>,
    /// The tag key that names a resource's environment.
    #[arg(long, value_name = "KEY", default_value = DEFAULT_ENVIRONMENT_TAG_KEY)]
    environment_tag_key: String,
    /// Send every AWS request to this endpoint (an emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    endpoint_url: Option<String>,
    /// Also write the JSON report to this file (with --format json, instead of stdout).
    #[arg(long, value_name = "PATH")]
    output: Option<PathBuf>,
    /// What to print on stdout: the JSON report, or a table for people.
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Exit with code 3 if any failed result has this severity or worse (muted ones excepted).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<String>,
    /// With --fail-on: only findings new since --baseline count.
    #[arg(long, requires = "fail_on")]
    new_only: bool,
    /// A previous report of the same account: the report then says what is new, resolved,
    /// persisting or unverified, and when each finding was first seen.
    #[arg(long, value_name = "REPORT")]
    baseline: Option<PathBuf>,
    /// Accepted risks (TOML): matching failures are muted, and left out of the score and gates.
    #[arg(long, value_name = "FILE")]
    mutelist: Option<PathBuf>,
    /// The account's history of runs (created if missing): this run is added, and the HTML
    /// page draws the score trend from it.
    #[arg(long, value_name = "FILE")]
    history: Option<PathBuf>,
    /// Audit these accounts (12-digit ids, comma-separated) through --role-name.
    #[arg(long, value_name = "IDS", conflicts_with = "organization")]
    accounts: Option<String>,
    /// Audit every ACTIVE account of the organization (from the management or delegated
    /// administrator account) through --role-name.
    #[arg(long)]
    organization: bool,
    /// With --organization: accounts to leave out, comma-separated.
    #[arg(long, value_name = "IDS", requires = "organization")]
    exclude_accounts: Option<String>,
    /// The role assumed in each audited account (arn:aws:iam::<account>:role/<NAME>).
    #[arg(long, value_name = "NAME")]
    role_name: Option<String>,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID")]
    external_id: Option<String>,
    /// Accounts audited at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    account_concurrency: usize,
    /// With several accounts: DIR/<account>.json for each, and DIR/organization.json.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,
    /// With several accounts: compare each account with DIR/<account>.json of an earlier run
    /// (a missing file is that account's first run). May be the --output-dir itself.
    #[arg(long, value_name = "DIR")]
    baseline_dir: Option<PathBuf>,
    /// No progress display (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    quiet: bool,
    /// rds.backup_retention passes at this many days or more.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    backup_retention_days: u32,
    /// Replace the high-risk port list, e.g. 22,3389,8000-8080.
    #[arg(long, value_name = "PORTS")]
    high_risk_ports: Option<String>,
    /// Score weights by severity, e.g. critical=10,high=5,medium=2,low=1.
    #[arg(long, value_name = "LIST")]
    weights: Option<String>,
    /// Most concurrent per-resource API calls (per-bucket S3 reads, managed-policy reads).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    concurrency: usize,
    /// Attempts per API call, retries with backoff included.
    #[arg(long, value_name = "N", default_value_t = ConnectionSettings::default().max_attempts)]
    max_attempts: u32,
    /// Longest wait between retries, in seconds (backoff doubles from 0.2 s up to this).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    max_backoff_seconds: u64,
}

/// The ways `secaudit` ends other than success, each with its exit code.
enum Failure {
    Usage(String),
    Run(String),
}

impl From<RequestError> for Failure {
    fn from(error: RequestError) -> Self {
        Failure::Usage(error.to_string())
    }
}

impl ScanArgs {
    fn request(&self) -> Result<AuditRequest, Failure> {
        let high_risk_ports = match &self.high_risk_ports {
            Some(list) => parse_port_ranges(list)?
                .into_iter()
                .map(|ports| RiskyPort {
                    ports,
                    label: "port".into(),
                })
                .collect(),
            None => CheckOptions::default().high_risk_ports,
        };
        let environment = self
            .environment
            .as_deref()
            .map(|value| EnvironmentFilter::new(&self.environment_tag_key, value))
            .transpose()?;
        if self.concurrency == 0 {
            return Err(RequestError::TooSmall("--concurrency", 1).into());
        }
        Ok(AuditRequest {
            services: parse_services(&[&self.services])?,
            regions: if self.all_regions {
                RegionSelection::AllEnabled
            } else {
                RegionSelection::parse(&self.regions)?
            },
            environment,
            options: CheckOptions {
                min_backup_retention_days: self.backup_retention_days,
                high_risk_ports,
                ..CheckOptions::default()
            },
            concurrency: self.concurrency,
            read_tags: false,
        })
    }

    /// Weights, mutelist and baseline, read and checked before any AWS call.
    fn assessment(&self) -> Result<AssessContext, Failure> {
        let mutelist = self.mutelist.as_deref().map(read_mutelist).transpose()?;
        let baseline = self
            .baseline
            .as_deref()
            .map(read_saved_report)
            .transpose()?;
        Ok(AssessContext {
            weights: match &self.weights {
                Some(list) => parse_weights(list)?,
                None => Default::default(),
            },
            mutelist,
            baseline,
            problems: Vec::new(),
        })
    }

    /// The JSON report to `--output`, and the chosen format on stdout (unless that would
    /// print the same JSON a second time).
    fn deliveries(&self) -> Vec<Box<dyn Delivery>> {
        let mut deliveries: Vec<Box<dyn Delivery>> = Vec::new();
        if let Some(path) = &self.output {
            deliveries.push(Box::new(FileDelivery::new(
                Target::File(path.clone()),
                render::Format::Json,
            )));
        }
        if !(self.format == Format::Json && self.output.is_some()) {
            deliveries.push(Box::new(FileDelivery::new(
                Target::Stdout,
                self.format.into(),
            )));
        }
        deliveries
    }

    fn connection(&self, request: &AuditRequest) -> Result<ConnectionSettings, Failure> {
        if let Some(url) = &self.endpoint_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) || url.len() < 10 {
                return Err(Failure::Usage(format!(
                    "invalid endpoint URL '{url}' (expected http://HOST:PORT or https://HOST)"
                )));
            }
        }
        if self.max_attempts == 0 {
            return Err(RequestError::TooSmall("--max-attempts", 1).into());
        }
        Ok(ConnectionSettings {
            profile: self.profile.clone(),
            // Global clients (IAM, STS, S3 listing) then use the first audited region.
            region: match &request.regions {
                RegionSelection::Listed(regions) => regions.first().cloned(),
                _ => None,
            },
            endpoint_url: self.endpoint_url.clone(),
            max_attempts: self.max_attempts,
            max_backoff: std::time::Duration::from_secs(self.max_backoff_seconds.max(1)),
            ..ConnectionSettings::default()
        })
    }
}

/// 12-digit account ids from a comma-separated list.
/// The shared assessment with `account`'s baseline from `dir`. No file is the account's first
/// run; a file that cannot be read, or is another account's, is an error entry in the account's
/// report (so it says it compared with nothing), and the other accounts go on.
fn with_account_baseline(shared: &AssessContext, dir: &Path, account: &str) -> AssessContext {
    let path = dir.join(format!("{account}.json"));
    let source = path.display().to_string();
    let mut context = shared.clone();
    match std::fs::read(&path) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => context.problems.push(AuditError::input(
            "ReadBaseline",
            &source,
            "Unreadable",
            e.to_string(),
        )),
        Ok(bytes) => match read_report(&source, &bytes)
            .and_then(|report| report.ensure_account(&source, account).map(|()| report))
        {
            Ok(report) => context.baseline = Some(report),
            Err(e) => context.problems.push(AuditError::input(
                "ReadBaseline",
                &source,
                "InvalidBaseline",
                e.to_string(),
            )),
        },
    }
    context
}

/// Several accounts, each through the role: one report per account in --output-dir, then
/// organization.json. Each account's report is written and dropped before the next starts
/// counting, so memory does not grow with the number of accounts.
async fn run_accounts(
    args: &ScanArgs,
    base: &Clients,
    request: &AuditRequest,
    assessment: &AssessContext,
    fail_on: Option<Severity>,
) -> Result<ExitCode, Failure> {
    use futures::stream::{self, StreamExt};
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
    let audits = stream::iter(accounts)
        .map(|(account, name)| {
            let role = format!("arn:aws:iam::{account}:role/{role_name}");
            let session = format!("secaudit-{}", &run_id[..8]);
            async move {
                let clients = base
                    .for_account(&role, args.external_id.as_deref(), &session)
                    .await;
                (account, name, scan(&clients, request, None).await)
            }
        })
        .buffer_unordered(args.account_concurrency);
    futures::pin_mut!(audits);
    while let Some((account, name, scanned)) = audits.next().await {
        progress.inc(1);
        progress.set_message(format!("last: {account}"));
        match scanned {
            Err(error) => tally.add_failure(&account, &name, error.to_string()),
            Ok(scan) if scan.account_id != account => tally.add_failure(
                &account,
                &name,
                format!("the role's credentials act in account {}", scan.account_id),
            ),
            Ok(scan) => {
                let report = match &args.baseline_dir {
                    Some(dir) => assess(scan, &with_account_baseline(assessment, dir, &account)),
                    None => assess(scan, assessment),
                };
                let path = directory.join(format!("{account}.json"));
                let delivery = FileDelivery::new(Target::File(path.clone()), render::Format::Json);
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
    let mut out = io::stdout().lock();
    let printed = match args.format {
        Format::Table => out.write_all(table::render_organization(&summary).as_bytes()),
        // Per-account OCSF is a render of each account's report; stdout carries the summary.
        Format::Json | Format::Ocsf | Format::Html => {
            serde_json::to_writer_pretty(&mut out, &summary)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
        }
    };
    printed.map_err(|e| Failure::Run(format!("cannot write: {e}")))?;
    let unaudited: Vec<&str> = summary
        .accounts
        .iter()
        .filter(|a| a.summary.is_none())
        .map(|a| a.account_id.as_str())
        .collect();
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

async fn run_scan(args: &ScanArgs) -> Result<ExitCode, Failure> {
    let request = args.request()?;
    // Refuse an unwritable destination before the audit, not after it.
    if let Some(path) = &args.output {
        let directory = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        if !directory.is_dir() || path.is_dir() {
            return Err(Failure::Usage(format!(
                "cannot write the report to {}: no such directory, or it is a directory",
                path.display()
            )));
        }
    }
    let several = args.accounts.is_some() || args.organization;
    if args
        .baseline_dir
        .as_deref()
        .is_some_and(|dir| !several || !dir.is_dir())
    {
        return Err(Failure::Usage(
            "--baseline-dir is for several accounts (--accounts, --organization) and must be a directory; for one account, use --baseline REPORT".into(),
        ));
    }
    let fail_on = args.fail_on.as_deref().map(parse_severity).transpose()?;
    let assessment = args.assessment()?;
    let history = args.history.as_deref().map(read_history).transpose()?;
    let request = AuditRequest {
        read_tags: assessment.mutelist.as_ref().is_some_and(|m| m.uses_tags()),
        ..request
    };
    let connection = args.connection(&request)?;
    let profile = connection
        .profile
        .clone()
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    if let Some(profile) = profile {
        secaudit::aws::check_profile(&profile)
            .await
            .map_err(Failure::Usage)?;
    }
    let clients = Clients::load(&connection).await;
    if several {
        return run_accounts(args, &clients, &request, &assessment, fail_on).await;
    }
    let scan = scan(&clients, &request, None).await.map_err(|e| {
        if e.is_usage_error() {
            Failure::Usage(e.to_string())
        } else {
            Failure::Run(e.to_string())
        }
    })?;
    if let (Some(baseline), Some(path)) = (&assessment.baseline, &args.baseline) {
        baseline
            .ensure_account(&path.display().to_string(), &scan.account_id)
            .map_err(|e| Failure::Usage(e.to_string()))?;
    }
    let mut report = assess(scan, &assessment);
    if let (Some(path), Some(history)) = (&args.history, history) {
        let history = history.with_run(&report);
        write_atomically(path, &history.to_json())?;
        report.trend = history.trend();
    }

    let outcome = deliver_all(&report, &args.deliveries()).await;
    if !outcome.failed.is_empty() {
        let problems: Vec<String> = outcome.failed.iter().map(ToString::to_string).collect();
        return Err(Failure::Run(problems.join("; ")));
    }
    if !report.complete {
        eprintln!(
            "secaudit: warning: the audit is incomplete: {} error(s) left resources unevaluated (see \"errors\")",
            report.errors.len()
        );
    }
    if let Some(threshold) = fail_on {
        if let Some(line) = gate_message(&report, threshold, args.new_only) {
            eprintln!("secaudit: {line}");
            return Ok(ExitCode::from(3));
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Why `--fail-on` failed the run, in one line for a CI log: how many findings, the worst few.
fn gate_message(report: &Report, threshold: Severity, new_only: bool) -> Option<String> {
    let candidates: Vec<_> = if new_only {
        report.new_open().collect()
    } else {
        report.open().collect()
    };
    let mut gating: Vec<_> = candidates
        .into_iter()
        .filter(|r| r.severity.is_at_least(threshold))
        .collect();
    if gating.is_empty() {
        return None;
    }
    gating.sort_by_key(|r| std::cmp::Reverse(r.severity));
    const SHOWN: usize = 3;
    let worst: Vec<String> = gating
        .iter()
        .take(SHOWN)
        .map(|r| format!("{} {} on {}", r.severity, r.check_id, r.resource_id))
        .collect();
    let more = match gating.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    Some(format!(
        "--fail-on {threshold}: {} {}failed finding(s) at {threshold} severity or worse: {}{more}",
        gating.len(),
        if new_only { "new " } else { "" },
        worst.join(", ")
    ))
}

fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

fn read_saved_report(path: &Path) -> Result<Report, Failure> {
    read_report(&path.display().to_string(), &read_file(path)?)
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// A history file; a missing one is an empty history (the first run).
fn read_history(path: &Path) -> Result<History, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => History::parse(&path.display().to_string(), &bytes).map_err(Failure::Usage),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(History::default()),
        Err(e) => Err(Failure::Usage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Replaces `path` through a temporary file, so a reader never sees half of it.
fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| Failure::Run(format!("cannot write {}: {e}", path.display())))
}

fn read_mutelist(path: &Path) -> Result<Mutelist, Failure> {
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Usage(format!("{}: not UTF-8 text", path.display())))?;
    Mutelist::parse(&path.display().to_string(), &text).map_err(|e| Failure::Usage(e.to_string()))
}

/// `secaudit diff OLD NEW`: no AWS call.
fn diff(old: &Path, new: &Path, format: Format) -> Result<ExitCode, Failure> {
    let (old_report, new_report) = (read_saved_report(old)?, read_saved_report(new)?);
    old_report
        .ensure_account(&old.display().to_string(), &new_report.account_id)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    if matches!(format, Format::Ocsf | Format::Html) {
        return Err(Failure::Usage(
            "diff prints a table or JSON; OCSF and HTML are for reports (scan, render)".into(),
        ));
    }
    let changes = compare_reports(&old_report, &new_report);
    let write_error = |e: io::Error| Failure::Run(format!("cannot write: {e}"));
    let mut out = io::stdout().lock();
    match format {
        Format::Table | Format::Ocsf | Format::Html => out
            .write_all(table::render_changes(&old_report, &new_report, &changes).as_bytes())
            .map_err(write_error)?,
        Format::Json => {
            let document = serde_json::json!({
                "account_id": new_report.account_id,
                "old": {"run_id": old_report.run_id, "finished_at": old_report.finished_at},
                "new": {"run_id": new_report.run_id, "finished_at": new_report.finished_at},
                "changes": changes,
            });
            serde_json::to_writer_pretty(&mut out, &document)
                .map_err(io::Error::from)
                .and_then(|()| out.write_all(b"\n"))
                .map_err(write_error)?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// `secaudit render REPORT --format F`.
fn render(path: &Path, format: Format, history: Option<&Path>) -> Result<ExitCode, Failure> {
    let mut report = read_saved_report(path)?;
    if let Some(history) = history {
        report.trend = read_history(history)?.with_run(&report).trend();
    }
    render::Format::from(format)
        .renderer()
        .render(&report, &mut io::stdout().lock())
        .map_err(|e| Failure::Run(format!("cannot write: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// `secaudit mutelist check FILE`.
fn check_mutelist(path: &Path) -> Result<ExitCode, Failure> {
    let mutelist = read_mutelist(path)?;
    let today = time::OffsetDateTime::now_utc().date();
    let expired: Vec<String> = mutelist
        .rules
        .iter()
        .filter(|rule| !rule.is_active(today))
        .map(|rule| {
            format!(
                "rule {} (line {}) expired {}",
                rule.index, rule.line, rule.expires
            )
        })
        .collect();
    println!(
        "{}: valid, {} rule(s)",
        mutelist.source,
        mutelist.rules.len()
    );
    for line in &expired {
        println!("  {line}: it mutes nothing");
    }
    Ok(ExitCode::SUCCESS)
}

fn exit_with(result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("secaudit: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("secaudit: {message}");
            ExitCode::from(1)
        }
    }
}

fn print_checks(format: Format) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match format {
        Format::Table => out.write_all(table::render_catalog(registry()).as_bytes()),
        Format::Json | Format::Ocsf | Format::Html => {
            serde_json::to_writer_pretty(&mut out, &registry().collect::<Vec<_>>())?;
            out.write_all(b"\n")
        }
    }
}

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        // No command is a request for help, not an error.
        let _ = Cli::command().print_help();
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // One line, not clap's usage dump: scripts and CI logs stay readable.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!(
                "secaudit: {} (see secaudit --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    // Quiet by default: what goes wrong reaches the user as one `secaudit:` line; the SDK's
    // own warnings (credential providers tried one by one) are for SECAUDIT_LOG=debug.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SECAUDIT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("secaudit=error")),
        )
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr)
        .init();

    match cli.command {
        Command::Checks { format } => match print_checks(format) {
            Ok(()) => ExitCode::SUCCESS,
            Err(error) => {
                eprintln!("secaudit: {error}");
                ExitCode::from(1)
            }
        },
        Command::Diff { old, new, format } => exit_with(diff(&old, &new, format)),
        Command::Render {
            report,
            format,
            history,
        } => exit_with(render(&report, format, history.as_deref())),
        Command::Mutelist {
            command: MutelistCommand::Check { file },
        } => exit_with(check_mutelist(&file)),
        Command::Scan(args) => {
            // One thread: the audit waits on the network; with the multi-threaded runtime a
            // profile showed a fifth of the CPU spent waking worker threads to pass I/O around.
            let runtime = match tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
            {
                Ok(runtime) => runtime,
                Err(error) => {
                    eprintln!("secaudit: cannot start the async runtime: {error}");
                    return ExitCode::from(1);
                }
            };
            exit_with(runtime.block_on(run_scan(&args)))
        }
    }
}
