//! `make bench`: how fast and frugal an audit is. For each account size it starts a fresh moto
//! emulator, seeds a synthetic account (`tests/support/synthetic.rs`), and runs the release
//! `secaudit` binary twice: straight at moto, then through a loopback proxy adding latency to
//! every request. It then times the release `secaudit-lambda` from exec to its first Runtime API
//! request. Then the organization scenario: many small member accounts on one emulator, audited
//! by one `secaudit scan --organization` through a role; then the event path: one change's time
//! to its alert, and a storm of 5,000 events. Prints the tables, writes them to the
//! results file, and exits 1 when a target is missed.
//!
//! Usage: bench SECAUDIT SECAUDIT-LAMBDA [--units 100,1000] [--latency-ms 50] [--results PATH]
//!        bench SECAUDIT SECAUDIT-LAMBDA --serve --units 1000   (a seeded emulator to profile against)

mod burst;
mod compare;
mod measure;
mod organization;
mod recheck;
mod render;
#[path = "../../tests/support/mod.rs"]
mod support;

use std::collections::BTreeSet;
use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::Parser;
use compare::render_comparison;
use measure::*;
use organization::*;
use render::*;
use secaudit::report::Report;
use secaudit::request::DEFAULT_CONCURRENCY;
use support::fault_proxy::{FaultProxy, Faults};
use support::synthetic::{seed_units, seed_units_with_buckets, SyntheticAccount};
use support::MotoServer;

// The targets of the performance issue.
/// One call per bucket configuration the S3 checks read (encryption, versioning, public access
/// block, policy, logging, and the ACL where `IgnorePublicAcls` is not in force), and no
/// location lookup. It was 4 when three checks read three configurations.
const MAX_CALLS_PER_BUCKET: f64 = 6.0;
const MAX_CPU: Duration = Duration::from_secs(2);
const MAX_PEAK_RSS_MB: f64 = 64.0;
const MAX_WALL_OVER_BOUND: f64 = 1.5;
const MAX_WALL_OVER_EMULATOR: f64 = 1.2;
const MAX_LAMBDA_MB: f64 = 30.0;
const MAX_LAMBDA_STARTUP: Duration = Duration::from_millis(50);
/// The account size the targets are stated for.
const TARGET_UNITS: usize = 1000;
const STARTUP_SAMPLES: usize = 10;
/// The organization scenario's memory target: accounts are audited and dropped one by one.
const MAX_ORGANIZATION_PEAK_RSS_MB: f64 = 64.0;
const MEMBER_ROLE: &str = "BenchAuditRole";

#[derive(Parser)]
#[command(about = "Benchmark secaudit against synthetic emulated accounts")]
struct Args {
    /// The release `secaudit` binary.
    secaudit: PathBuf,
    /// The release `secaudit-lambda` binary.
    lambda: PathBuf,
    /// Account sizes, in units (one instance, volume, security group, bucket, role each).
    #[arg(long, value_delimiter = ',', default_value = "100,1000")]
    units: Vec<usize>,
    /// Latency the proxy adds to every request in the second run.
    #[arg(long, default_value_t = 50)]
    latency_ms: u64,
    /// Direct audits per size; the table shows the one with the median CPU time (the
    /// emulator shares the machine, so single runs are noisy).
    #[arg(long, default_value_t = 5)]
    repeat: usize,
    /// Member accounts in the organization scenario (0 leaves it out).
    #[arg(long, default_value_t = 50)]
    organization_accounts: usize,
    /// Units seeded in each member account.
    #[arg(long, default_value_t = 10)]
    organization_units: usize,
    /// Markdown file for the results.
    #[arg(long, default_value = "bench/results.md")]
    results: PathBuf,
    /// Seed the first size only, print the emulator's endpoint and serve until stdin closes:
    /// for profiling an audit by hand (`perf`, `strace`).
    #[arg(long)]
    serve: bool,
    /// With `--serve`: seed the organization scenario's member accounts instead, and print the
    /// `secaudit scan --organization` arguments that audit them.
    #[arg(long, requires = "serve")]
    serve_organization: bool,
    /// Run only the event path's scenarios (one change, a storm) and print their sections (no
    /// results file).
    #[arg(long)]
    recheck_only: bool,
    /// An earlier `secaudit` build, audited beside this one in the same run (same seeded
    /// accounts, runs interleaved): before-and-after figures without the machine's drift.
    #[arg(long, value_name = "SECAUDIT")]
    compare: Option<PathBuf>,
}

/// One run of the audit binary.
struct Run {
    report: Report,
    report_bytes: u64,
    wall: Duration,
    cpu: Duration,
    peak_rss_kb: u64,
}

struct Size {
    units: usize,
    account: SyntheticAccount,
    seed_time: Duration,
    direct: Run,
    /// Lowest and highest CPU time of the direct runs.
    cpu_range: (Duration, Duration),
    delayed: Run,
    emulator_busy: Duration,
    bound: CriticalPath,
    /// The `--compare` build's direct runs: median CPU, its range, and the highest peak RSS.
    compared: Option<(Duration, (Duration, Duration), u64)>,
}

fn main() -> ExitCode {
    let mut raw = std::env::args_os().skip(1);
    if raw.next().is_some_and(|first| first == LAUNCH) {
        return launch(raw);
    }
    let args = Args::parse();
    let outcome = if args.serve {
        serve(&args).map(|()| true)
    } else if args.recheck_only {
        let latency = Duration::from_millis(args.latency_ms);
        recheck::run(&start_emulator(), latency).and_then(|changes| {
            let storm = burst::run(&start_emulator())?;
            let mut text = String::new();
            let met = recheck::render(&mut text, &changes, latency);
            let met = burst::render(&mut text, &storm) && met;
            println!("{text}");
            Ok(met)
        })
    } else {
        bench(&args)
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("bench: a target was missed (see the table above)");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("bench: {error}");
            ExitCode::from(2)
        }
    }
}

/// The emulator as the benchmark runs it: like AWS, it keeps connections alive (moto's own
/// server would make every request a new connection) and names each bucket's region in the
/// bucket list (moto's own listing would add a location lookup per bucket).
fn start_emulator() -> MotoServer {
    MotoServer::start_with_env(&[
        ("SECAUDIT_MOTO_KEEPALIVE", "1"),
        ("SECAUDIT_MOTO_BUCKET_REGION", "1"),
    ])
}

fn seed(server: &MotoServer, units: usize) -> Result<SyntheticAccount, String> {
    support::block_on(seed_units(&server.sdk_config("us-east-1"), units))
        .map_err(|e| format!("seeding {units} units failed: {e}"))
}

fn serve(args: &Args) -> Result<(), String> {
    let server = if args.serve_organization {
        let (server, _) = seed_organization(args.organization_accounts, args.organization_units)?;
        eprintln!(
            "audit with `secaudit scan --region us-east-1 --organization --exclude-accounts \
             123456789012 --role-name {MEMBER_ROLE} --output-dir DIR`"
        );
        server
    } else {
        let units = args.units.first().copied().unwrap_or(TARGET_UNITS);
        let server = start_emulator();
        seed(&server, units)?;
        eprintln!("{units} units seeded");
        server
    };
    println!("{}", server.endpoint);
    eprintln!(
        "audit with AWS_ENDPOINT_URL={} and test credentials; close stdin to stop",
        server.endpoint
    );
    std::io::copy(&mut std::io::stdin(), &mut std::io::sink()).map_err(|e| e.to_string())?;
    Ok(())
}

fn bench(args: &Args) -> Result<bool, String> {
    let latency = Duration::from_millis(args.latency_ms);
    let mut sizes = Vec::new();
    for &units in &args.units {
        eprintln!("== {units} units: starting moto and seeding ...");
        let server = start_emulator();
        let clock = Instant::now();
        let account = seed(&server, units)?;
        let seed_time = clock.elapsed();
        eprintln!(
            "   seeded in {:.1} s; auditing directly ...",
            seed_time.as_secs_f64()
        );
        let mut runs = Vec::new();
        let mut earlier = Vec::new();
        for _ in 0..args.repeat.max(1) {
            runs.push(audit(&args.secaudit, &server.endpoint, units)?);
            if let Some(other) = &args.compare {
                eprintln!("   (the earlier build)");
                earlier.push(audit(other, &server.endpoint, units)?);
            }
        }
        let compared = (!earlier.is_empty()).then(|| {
            earlier.sort_by_key(|run| run.cpu);
            let peak = earlier.iter().map(|run| run.peak_rss_kb).max().unwrap_or(0);
            let range = (earlier[0].cpu, earlier[earlier.len() - 1].cpu);
            (earlier[earlier.len() / 2].cpu, range, peak)
        });
        runs.sort_by_key(|run| run.cpu);
        let cpu_range = (runs[0].cpu, runs[runs.len() - 1].cpu);
        let direct = runs.swap_remove(runs.len() / 2);
        eprintln!("   auditing through the {} ms proxy ...", args.latency_ms);
        let proxy = FaultProxy::start(
            &server.endpoint,
            Faults {
                latency,
                ..Faults::default()
            },
        );
        let delayed = audit(&args.secaudit, &proxy.endpoint, units)?;
        let emulator_busy = proxy.stats.upstream_busy();
        if fixed_calls(&delayed.report) != fixed_calls(&direct.report) {
            return Err(format!(
                "the proxied audit made {} calls, the direct one {}",
                delayed.report.api_calls.total, direct.report.api_calls.total
            ));
        }
        let bound = CriticalPath::of(&delayed.report, DEFAULT_CONCURRENCY, latency);
        sizes.push(Size {
            units,
            account,
            seed_time,
            direct,
            cpu_range,
            delayed,
            emulator_busy,
            bound,
            compared,
        });
    }
    eprintln!("== secaudit-lambda start-up ...");
    let lambda = lambda_startup(&args.lambda)?;
    let (organization, organization_compared) = if args.organization_accounts > 0 {
        let (server, seed_time) =
            seed_organization(args.organization_accounts, args.organization_units)?;
        let audit = |secaudit: &Path| {
            audit_organization(
                secaudit,
                &server,
                args.organization_accounts,
                args.organization_units,
                seed_time,
            )
        };
        let compared = args.compare.as_deref().map(audit).transpose()?;
        (Some(audit(&args.secaudit)?), compared)
    } else {
        (None, None)
    };

    eprintln!("== event-driven re-check ...");
    let rechecks = recheck::run(&start_emulator(), latency)?;
    eprintln!("== event storm ...");
    let storm = burst::run(&start_emulator())?;
    let (mut text, mut met) = render(args, &sizes, &lambda, organization.as_ref());
    if args.compare.is_some() {
        render_comparison(
            &mut text,
            &sizes,
            organization.as_ref(),
            organization_compared.as_ref(),
        );
    }
    met &= recheck::render(&mut text, &rechecks, latency);
    met &= burst::render(&mut text, &storm);
    println!("{text}");
    if let Some(parent) = args.results.parent() {
        std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    }
    std::fs::write(&args.results, &text)
        .map_err(|e| format!("cannot write {}: {e}", args.results.display()))?;
    eprintln!("written to {}", args.results.display());
    Ok(met)
}

/// Runs `secaudit scan` against `endpoint`, measuring the process itself (through the launcher,
/// see [`launch`]).
fn audit(secaudit: &Path, endpoint: &str, units: usize) -> Result<Run, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let report_path = dir.path().join("report.json");
    let log_path = dir.path().join("stderr.log");
    let log = std::fs::File::create(&log_path).map_err(|e| e.to_string())?;
    let output = launched(secaudit, endpoint, dir.path())?
        .args([
            "scan",
            "--region",
            "us-east-1",
            "--format",
            "json",
            "--output",
        ])
        .arg(&report_path)
        .stderr(log)
        .output()
        .map_err(|e| format!("cannot run the launcher: {e}"))?;
    let usage = Usage::parse(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("the launcher failed: {:?}", output.status))?;
    eprintln!(
        "   wall {:.2} s, CPU {:.2} s (user {:.2}, system {:.2}), {} waits, peak RSS {:.1} MB",
        usage.wall.as_secs_f64(),
        usage.cpu().as_secs_f64(),
        usage.user.as_secs_f64(),
        usage.system.as_secs_f64(),
        usage.waits,
        usage.peak_rss_kb as f64 / 1024.0
    );
    if usage.status != 0 {
        let log = std::fs::read_to_string(&log_path).unwrap_or_default();
        return Err(format!(
            "secaudit exited with status {}: {log}",
            usage.status
        ));
    }
    let text = std::fs::read(&report_path).map_err(|e| e.to_string())?;
    let report: Report =
        serde_json::from_slice(&text).map_err(|e| format!("unreadable report: {e}"))?;
    if !report.complete {
        return Err(format!(
            "the audit of {units} units is incomplete: {:?}",
            report.errors
        ));
    }
    Ok(Run {
        report_bytes: text.len() as u64,
        report,
        wall: usage.wall,
        cpu: usage.cpu(),
        peak_rss_kb: usage.peak_rss_kb,
    })
}

/// API calls less the credential report's polling, whose count depends on timing.
fn fixed_calls(report: &Report) -> u64 {
    let calls = &report.api_calls.by_operation;
    report.api_calls.total
        - calls
            .get("iam:GenerateCredentialReport")
            .copied()
            .unwrap_or(0)
        - calls.get("iam:GetCredentialReport").copied().unwrap_or(0)
}
