//! `secaudit scan`: its flags, what they prepare (request, assessment, clients), and one
//! account's audit (several accounts: [`crate::accounts`]). The audit itself is the library's
//! [`audit_account`]; this file parses, delivers and exits.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use secaudit::assess::AssessContext;
use secaudit::audit::{audit_account, AccountAudit, AccountAuditError, BaselineProblem};
use secaudit::aws::{Clients, ConnectionSettings};
use secaudit::compliance::frameworks::find as find_framework;
use secaudit::compliance::Framework;
use secaudit::deliver::deliver_all;
use secaudit::deliver::file::{FileDelivery, Target};
use secaudit::deliver::Delivery;
use secaudit::model::Severity;
use secaudit::render::Format;
use secaudit::report::Report;
use secaudit::request::{
    parse_port_ranges, parse_services, parse_severity, parse_support_dates, parse_weights,
    AuditRequest, EnvironmentFilter, RegionSelection, RequestError, DEFAULT_CONCURRENCY,
    DEFAULT_ENVIRONMENT_TAG_KEY,
};
use secaudit::services::checks::{CheckOptions, RiskyPort};
use secaudit::services::Service;

use crate::files::{read_history, read_mutelist, read_saved_report, write_atomically};
use crate::Failure;

#[derive(clap::Args)]
pub struct ScanArgs {
    /// Named profile from the AWS config files (SSO and credential_process profiles work).
    #[arg(long)]
    pub profile: Option<String>,
    /// Region to audit; repeat or comma-separate for several. Default: AWS_REGION or the profile's.
    #[arg(long = "region", value_name = "REGION", conflicts_with = "all_regions")]
    pub regions: Vec<String>,
    /// Audit every region enabled for the account.
    #[arg(long)]
    pub all_regions: bool,
    #[arg(long, value_name = "LIST", default_value = "all", help = services_help())]
    pub services: String,
    /// Only evaluate resources whose environment tag has this value (case-insensitive).
    #[arg(long, value_name = "ENV")]
    pub environment: Option<String>,
    /// The tag key that names a resource's environment.
    #[arg(long, value_name = "KEY", default_value = DEFAULT_ENVIRONMENT_TAG_KEY)]
    pub environment_tag_key: String,
    /// Send every AWS request to this endpoint (an emulator); AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Also write the JSON report to this file (with --format json, instead of stdout).
    #[arg(long, value_name = "PATH")]
    pub output: Option<PathBuf>,
    /// What to print on stdout.
    #[arg(long, value_parser = crate::formats::report(), default_value = "json")]
    pub format: Format,
    /// Exit with code 3 if any failed result has this severity or worse (muted ones excepted).
    #[arg(long, value_name = "SEVERITY")]
    pub fail_on: Option<String>,
    /// With --fail-on: only findings new since --baseline count.
    #[arg(long, requires = "fail_on")]
    pub new_only: bool,
    /// A previous report of the same account: the report then says what is new, resolved,
    /// persisting or unverified, and when each finding was first seen.
    #[arg(long, value_name = "REPORT")]
    pub baseline: Option<PathBuf>,
    /// Accepted risks (TOML): matching failures are muted, and left out of the score and gates.
    #[arg(long, value_name = "FILE")]
    pub mutelist: Option<PathBuf>,
    /// Add a framework's compliance view to the report (`cis-aws-3.0`, `fsbp`; repeatable).
    #[arg(long, value_name = "FRAMEWORK")]
    pub compliance: Vec<String>,
    /// The account's history of runs (created if missing): this run is added, and the HTML
    /// page draws the score trend from it.
    #[arg(long, value_name = "FILE")]
    pub history: Option<PathBuf>,
    /// Audit these accounts (12-digit ids, comma-separated) through --role-name.
    #[arg(long, value_name = "IDS", conflicts_with = "organization")]
    pub accounts: Option<String>,
    /// Audit every ACTIVE account of the organization (from the management or delegated
    /// administrator account) through --role-name.
    #[arg(long)]
    pub organization: bool,
    /// With --organization: accounts to leave out, comma-separated.
    #[arg(long, value_name = "IDS", requires = "organization")]
    pub exclude_accounts: Option<String>,
    /// The role assumed in each audited account (arn:<partition>:iam::<account>:role/<NAME>, in
    /// the caller's partition).
    #[arg(long, value_name = "NAME")]
    pub role_name: Option<String>,
    /// External id the role's trust policy requires.
    #[arg(long, value_name = "ID")]
    pub external_id: Option<String>,
    /// Accounts audited at once.
    #[arg(long, value_name = "N", default_value_t = 8)]
    pub account_concurrency: usize,
    /// With several accounts: DIR/<account>.json for each, and DIR/organization.json.
    #[arg(long, value_name = "DIR")]
    pub output_dir: Option<PathBuf>,
    /// With several accounts: compare each account with DIR/<account>.json of an earlier run
    /// (a missing file is that account's first run). May be the --output-dir itself.
    #[arg(long, value_name = "DIR")]
    pub baseline_dir: Option<PathBuf>,
    /// No progress display (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    pub quiet: bool,
    /// rds.backup_retention passes at this many days or more.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub backup_retention_days: u32,
    /// Replace the high-risk port list, e.g. 22,3389,8000-8080.
    #[arg(long, value_name = "PORTS")]
    pub high_risk_ports: Option<String>,
    /// The TCP ports that may be open to the world (sg.unauthorized_world_ports, FSBP EC2.18),
    /// e.g. 80,443,8443.
    #[arg(long, value_name = "PORTS", default_value = "80,443")]
    pub authorized_world_ports: String,
    /// End of standard support of EKS versions, overriding or extending the built-in table,
    /// e.g. 1.36=2027-08-02.
    #[arg(long, value_name = "LIST")]
    pub eks_support_end: Option<String>,
    /// Score weights by severity, e.g. critical=10,high=5,medium=2,low=1.
    #[arg(long, value_name = "LIST")]
    pub weights: Option<String>,
    /// Most concurrent per-resource API calls (per-bucket S3 reads, managed-policy reads).
    #[arg(long, value_name = "N", default_value_t = DEFAULT_CONCURRENCY)]
    pub concurrency: usize,
    /// Attempts per API call, retries with backoff included.
    #[arg(long, value_name = "N", default_value_t = ConnectionSettings::default().max_attempts)]
    pub max_attempts: u32,
    /// Longest wait between retries, in seconds (backoff doubles from 0.2 s up to this).
    #[arg(long, value_name = "SECONDS", default_value_t = 20)]
    pub max_backoff_seconds: u64,
}

impl ScanArgs {
    pub fn request(&self) -> Result<AuditRequest, Failure> {
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
                authorized_world_ports: parse_port_ranges(&self.authorized_world_ports)?,
                eks_standard_support_end: match &self.eks_support_end {
                    Some(list) => parse_support_dates(list)?,
                    None => Vec::new(),
                },
                ..CheckOptions::default()
            },
            concurrency: self.concurrency,
            read_tags: false,
        })
    }

    /// The frameworks of `--compliance`, checked before any AWS call.
    pub fn frameworks(&self) -> Result<Vec<&'static Framework>, Failure> {
        self.compliance
            .iter()
            .map(|id| find_framework(id).map_err(Failure::Usage))
            .collect()
    }

    /// Weights, mutelist, frameworks and baseline, read and checked before any AWS call.
    pub fn assessment(&self) -> Result<AssessContext, Failure> {
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
            frameworks: self.frameworks()?,
        })
    }

    /// Several accounts (`--accounts`, `--organization`) rather than the caller's own.
    pub fn several(&self) -> bool {
        self.accounts.is_some() || self.organization
    }

    /// The JSON report to `--output`, and the chosen format on stdout (unless that would
    /// print the same JSON a second time).
    pub fn deliveries(&self) -> Vec<Box<dyn Delivery>> {
        let mut deliveries: Vec<Box<dyn Delivery>> = Vec::new();
        if let Some(path) = &self.output {
            deliveries.push(Box::new(FileDelivery::new(
                Target::File(path.clone()),
                Format::Json,
            )));
        }
        if !(self.format == Format::Json && self.output.is_some()) {
            deliveries.push(Box::new(FileDelivery::new(Target::Stdout, self.format)));
        }
        deliveries
    }

    pub fn connection(&self, request: &AuditRequest) -> Result<ConnectionSettings, Failure> {
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

/// What every scan needs, read and checked before the audit: a bad flag or file is a usage
/// error before any AWS call.
pub struct Prepared {
    pub request: AuditRequest,
    pub assessment: AssessContext,
    pub clients: Clients,
    pub fail_on: Option<Severity>,
}

pub async fn prepare(args: &ScanArgs) -> Result<Prepared, Failure> {
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
    if args
        .baseline_dir
        .as_deref()
        .is_some_and(|dir| !args.several() || !dir.is_dir())
    {
        return Err(Failure::Usage(
            "--baseline-dir is for several accounts (--accounts, --organization) and must be a directory; for one account, use --baseline REPORT".into(),
        ));
    }
    let fail_on = args.fail_on.as_deref().map(parse_severity).transpose()?;
    let assessment = args.assessment()?;
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
    Ok(Prepared {
        request,
        assessment,
        clients: Clients::load(&connection).await,
        fail_on,
    })
}

/// An audit that could not run, as the CLI ends: bad input exits 2, anything else 1.
pub fn audit_failure(error: AccountAuditError) -> Failure {
    match error {
        AccountAuditError::Run(e) if e.is_usage_error() => Failure::Usage(e.to_string()),
        AccountAuditError::Baseline(e) => Failure::Usage(e.to_string()),
        other => Failure::Run(other.to_string()),
    }
}

/// The caller's own account: audited, then its history, then the deliveries.
pub async fn run(args: &ScanArgs, prepared: Prepared) -> Result<ExitCode, Failure> {
    let Prepared {
        request,
        mut assessment,
        clients,
        fail_on,
    } = prepared;
    let history = args.history.as_deref().map(read_history).transpose()?;
    let given = assessment.baseline.take();
    let source = args
        .baseline
        .as_deref()
        .map(|path| path.display().to_string())
        .unwrap_or_default();
    let audit = AccountAudit {
        clients: &clients,
        request: &request,
        assessment: &assessment,
        expected_account: None,
        collect_until: None,
    };
    let mut report = audit_account(&audit, |account| async move {
        match given {
            Some(baseline) => baseline
                .ensure_account(&source, &account)
                .map(|()| Some(baseline))
                .map_err(BaselineProblem::OtherAccount),
            None => Ok(None),
        }
    })
    .await
    .map_err(audit_failure)?;
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
pub fn gate_message(report: &Report, threshold: Severity, new_only: bool) -> Option<String> {
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

/// `--services` help, from the registered services.
fn services_help() -> String {
    format!(
        "Services to audit, comma-separated: {} (or `all`)",
        Service::names()
    )
}
