//! `make bench`: how fast and frugal an audit is. For each account size it starts a fresh moto
//! emulator, seeds a synthetic account (`tests/support/synthetic.rs`), and runs the release
//! `secaudit` binary twice: straight at moto, then through a loopback proxy adding latency to
//! every request. It then times the release `secaudit-lambda` from exec to its first Runtime API
//! request. Then the organization scenario: many small member accounts on one emulator, audited
//! by one `secaudit scan --organization` through a role. Prints the tables, writes them to the
//! results file, and exits 1 when a target is missed.
//!
//! Usage: bench SECAUDIT SECAUDIT-LAMBDA [--units 100,1000] [--latency-ms 50] [--results PATH]
//!        bench SECAUDIT SECAUDIT-LAMBDA --serve --units 1000   (a seeded emulator to profile against)

mod compare;
mod recheck;
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
    /// Run only the event-driven re-check scenario and print its section (no results file).
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

/// One `secaudit scan --organization` over many member accounts.
struct OrganizationRun {
    accounts: usize,
    units: usize,
    seed_time: Duration,
    usage: Usage,
    /// API calls per account: least, mean, most.
    calls: (u64, f64, u64),
    complete: usize,
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
        recheck::run(&start_emulator(), latency).map(|changes| {
            let mut text = String::new();
            let met = recheck::render(&mut text, &changes, latency);
            println!("{text}");
            met
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
    let units = args.units.first().copied().unwrap_or(TARGET_UNITS);
    let server = start_emulator();
    seed(&server, units)?;
    println!("{}", server.endpoint);
    eprintln!(
        "{units} units seeded; audit with AWS_ENDPOINT_URL={} and test credentials; \
         close stdin to stop",
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

/// The organization scenario's emulator: `accounts` member accounts of `units` each.
fn seed_organization(accounts: usize, units: usize) -> Result<(MotoServer, Duration), String> {
    eprintln!(
        "== organization: {accounts} accounts × {units} units: starting moto and seeding ..."
    );
    let server = start_emulator();
    let clock = Instant::now();
    let management = server.sdk_config("us-east-1");
    support::block_on(async {
        let names: Vec<String> = (0..accounts).map(|i| format!("member-{i:03}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let members = support::create_member_accounts(&management, &names).await;
        for (id, name) in members.iter().zip(names) {
            let member = support::in_account(&management, id, MEMBER_ROLE).await;
            seed_units_with_buckets(&member, units, name)
                .await
                .map_err(|e| format!("seeding account {id}: {e}"))?;
        }
        Ok::<(), String>(())
    })?;
    let seed_time = clock.elapsed();
    eprintln!("   seeded in {:.1} s", seed_time.as_secs_f64());
    Ok((server, seed_time))
}

/// One `secaudit scan --organization` (the management account excluded) over the seeded
/// members, measured like an audit.
fn audit_organization(
    secaudit: &Path,
    server: &MotoServer,
    accounts: usize,
    units: usize,
    seed_time: Duration,
) -> Result<OrganizationRun, String> {
    eprintln!(
        "   auditing the organization with {} ...",
        secaudit.display()
    );
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let output = launched(secaudit, &server.endpoint, dir.path())?
        .args(["scan", "--region", "us-east-1", "--organization", "--quiet"])
        .args([
            "--exclude-accounts",
            "123456789012",
            "--role-name",
            MEMBER_ROLE,
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the launcher: {e}"))?;
    let usage = Usage::parse(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("the launcher failed: {:?}", output.status))?;
    if usage.status != 0 {
        return Err(format!(
            "secaudit --organization exited with status {}",
            usage.status
        ));
    }
    let read = |path: PathBuf| -> Result<serde_json::Value, String> {
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let summary = read(dir.path().join("organization.json"))?;
    let entries = summary["accounts"].as_array().cloned().unwrap_or_default();
    if entries.len() != accounts {
        return Err(format!(
            "organization.json has {} accounts, not {accounts}",
            entries.len()
        ));
    }
    let mut calls = Vec::new();
    for entry in &entries {
        let id = entry["account_id"].as_str().unwrap_or_default();
        let report = read(dir.path().join(format!("{id}.json")))?;
        calls.push(report["api_calls"]["total"].as_u64().unwrap_or(0));
    }
    let complete = entries.iter().filter(|e| e["complete"] == true).count();
    for entry in entries.iter().filter(|e| e["complete"] != true) {
        eprintln!("   incomplete: {} {}", entry["account_id"], entry["errors"]);
    }
    eprintln!(
        "   wall {:.2} s, CPU {:.2} s, peak RSS {:.1} MB, {complete} of {accounts} complete",
        usage.wall.as_secs_f64(),
        usage.cpu().as_secs_f64(),
        usage.peak_rss_kb as f64 / 1024.0
    );
    Ok(OrganizationRun {
        accounts,
        units,
        seed_time,
        usage,
        calls: (
            calls.iter().copied().min().unwrap_or(0),
            calls.iter().sum::<u64>() as f64 / calls.len().max(1) as f64,
            calls.iter().copied().max().unwrap_or(0),
        ),
        complete,
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

/// `secaudit` under the launcher (see [`launch`]), pointed at `endpoint` with test credentials
/// and no configuration files (those in `dir` do not exist).
fn launched(secaudit: &Path, endpoint: &str, dir: &Path) -> Result<Command, String> {
    let launcher = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut command = Command::new(launcher);
    command
        .arg(LAUNCH)
        .arg(secaudit)
        .env("AWS_ENDPOINT_URL", endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", dir.join("no-config"))
        .env("AWS_SHARED_CREDENTIALS_FILE", dir.join("no-credentials"))
        .stdin(Stdio::null());
    Ok(command)
}

/// What the launcher measured of one process.
struct Usage {
    status: i32,
    wall: Duration,
    user: Duration,
    system: Duration,
    /// Voluntary context switches: how often the process slept waiting for I/O.
    waits: u64,
    peak_rss_kb: u64,
}

impl Usage {
    fn cpu(&self) -> Duration {
        self.user + self.system
    }

    fn line(&self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.status,
            self.wall.as_micros(),
            self.user.as_micros(),
            self.system.as_micros(),
            self.waits,
            self.peak_rss_kb
        )
    }

    fn parse(line: &str) -> Option<Usage> {
        let numbers: Vec<i64> = line
            .split_whitespace()
            .map(|n| n.parse().ok())
            .collect::<Option<_>>()?;
        let &[status, wall, user, system, waits, peak_rss_kb] = numbers.as_slice() else {
            return None;
        };
        let micros = |n: i64| Duration::from_micros(n as u64);
        Some(Usage {
            status: status as i32,
            wall: micros(wall),
            user: micros(user),
            system: micros(system),
            waits: waits as u64,
            peak_rss_kb: peak_rss_kb as u64,
        })
    }
}

/// The first argument of the launcher mode.
const LAUNCH: &str = "--launch-and-measure";

/// Launcher mode: runs the command, waits for it, and prints its wall time, CPU times, context
/// switches and peak RSS on one line. Linux charges a process, at exec, with the peak RSS of
/// the memory it was spawned from, so a child spawned by this (large) harness would report the
/// harness's peak; spawned from this freshly started launcher, it reports its own.
fn launch(mut command: impl Iterator<Item = OsString>) -> ExitCode {
    let Some(program) = command.next() else {
        return ExitCode::from(2);
    };
    let clock = Instant::now();
    let child = match Command::new(&program)
        .args(command)
        .stdout(Stdio::null())
        .spawn()
    {
        Ok(child) => child,
        Err(error) => {
            eprintln!("cannot run {}: {error}", Path::new(&program).display());
            return ExitCode::from(2);
        }
    };
    let mut status = 0;
    // SAFETY: rusage is plain data; wait4 fills it for the child spawned and reaped here.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let waited = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = clock.elapsed();
    if waited < 0 {
        eprintln!("wait4: {}", std::io::Error::last_os_error());
        return ExitCode::from(2);
    }
    let time = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    let measured = Usage {
        status: if libc::WIFEXITED(status) {
            libc::WEXITSTATUS(status)
        } else {
            -1
        },
        wall,
        user: time(usage.ru_utime),
        system: time(usage.ru_stime),
        waits: usage.ru_nvcsw as u64,
        // Linux reports kilobytes.
        peak_rss_kb: usage.ru_maxrss as u64,
    };
    println!("{}", measured.line());
    ExitCode::SUCCESS
}

/// The least wall time the audit's dependent round trips need at a given latency, whatever the
/// server: identity first, then the longest chain among the collectors running in parallel.
/// Paginated listings are chains of pages; per-bucket reads run `concurrency` buckets at a time,
/// each bucket's reads after its region lookup (when one was needed); AWS-managed policies
/// likewise, GetPolicy before GetPolicyVersion. Assumes a single audited region.
struct CriticalPath {
    round_trips: u64,
    bound: Duration,
}

impl CriticalPath {
    fn of(report: &Report, concurrency: usize, latency: Duration) -> Self {
        let calls = |operation: &str| {
            report
                .api_calls
                .by_operation
                .get(operation)
                .copied()
                .unwrap_or(0)
        };
        let waves = |items: u64| items.div_ceil(concurrency as u64);
        let buckets = calls("s3:GetBucketEncryption");
        let bucket_depth = 1 + u64::from(calls("s3:GetBucketLocation") > 0);
        let s3 = calls("s3control:GetPublicAccessBlock")
            .max(calls("s3:ListBuckets") + waves(buckets) * bucket_depth);
        let iam = calls("iam:GetAccountAuthorizationDetails") + waves(calls("iam:GetPolicy")) * 2;
        let ec2 = calls("ec2:DescribeInstances").max(calls("ec2:DescribeVolumes"));
        let sg = calls("ec2:DescribeSecurityGroups");
        let rds = calls("rds:DescribeDBInstances").max(calls("rds:DescribeDBClusters"));
        // Each topic's, queue's and function's reads, `concurrency` at a time (a function's
        // policy, then its URLs).
        let sns = calls("sns:ListTopics") + waves(calls("sns:GetTopicAttributes"));
        let sqs = calls("sqs:ListQueues") + waves(calls("sqs:GetQueueAttributes"));
        let lambda = calls("lambda:ListFunctions") + waves(calls("lambda:GetPolicy")) * 2;
        let ecr = calls("ecr:DescribeRepositories") + calls("ecr:GetRegistryScanningConfiguration");
        let round_trips = calls("sts:GetCallerIdentity")
            + [s3, iam, ec2, sg, rds, sns, sqs, lambda, ecr]
                .into_iter()
                .max()
                .unwrap_or(0);
        CriticalPath {
            round_trips,
            bound: latency * round_trips as u32,
        }
    }
}

struct LambdaStartup {
    size_bytes: u64,
    median: Duration,
    max: Duration,
}

/// The binary's size as deployed. `make bench` builds with symbols (the `profiling` profile, so
/// a profile of the audit names functions): a stripped copy is measured, as `strip = true`
/// builds it for `make build` and `make lambda`.
fn stripped_size(binary: &Path) -> Result<u64, String> {
    let copy = std::env::temp_dir().join(format!("secaudit-bench-{}.stripped", std::process::id()));
    let status = Command::new("strip")
        .arg("-o")
        .arg(&copy)
        .arg(binary)
        .status()
        .map_err(|e| format!("strip (binutils) {}: {e}", binary.display()))?;
    let size = std::fs::metadata(&copy).map(|m| m.len());
    let _ = std::fs::remove_file(&copy);
    match (status.success(), size) {
        (true, Ok(size)) => Ok(size),
        _ => Err(format!("cannot strip a copy of {}", binary.display())),
    }
}

/// Execs the Lambda binary against a loopback "Runtime API" and times the arrival of its first
/// request (the poll for the next invocation), after configuration and clients are built.
fn lambda_startup(lambda: &Path) -> Result<LambdaStartup, String> {
    let size_bytes = stripped_size(lambda)?;
    let mut samples = Vec::with_capacity(STARTUP_SAMPLES);
    for _ in 0..STARTUP_SAMPLES {
        let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| e.to_string())?;
        let api = listener
            .local_addr()
            .map_err(|e| e.to_string())?
            .to_string();
        let clock = Instant::now();
        let mut child = Command::new(lambda)
            .env_clear()
            .env("AWS_LAMBDA_RUNTIME_API", &api)
            .env("AWS_LAMBDA_FUNCTION_NAME", "secaudit")
            .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
            .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
            .env("AWS_LAMBDA_LOG_GROUP_NAME", "/aws/lambda/secaudit")
            .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("SECAUDIT_REPORT_BUCKET", "secaudit-reports")
            .env(
                "SECAUDIT_ALERT_TOPIC_ARN",
                "arn:aws:sns:us-east-1:123456789012:secaudit-alerts",
            )
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot run {}: {e}", lambda.display()))?;
        let first_request = listener
            .accept()
            .map_err(|e| e.to_string())
            .and_then(|(stream, _)| {
                let mut line = String::new();
                BufReader::new(stream)
                    .read_line(&mut line)
                    .map_err(|e| e.to_string())?;
                Ok(line)
            });
        let elapsed = clock.elapsed();
        let _ = child.kill();
        let _ = child.wait();
        let line = first_request?;
        if !line.starts_with("GET /2018-06-01/runtime/invocation/next") {
            return Err(format!(
                "unexpected first request from the Lambda binary: {line:?}"
            ));
        }
        samples.push(elapsed);
    }
    samples.sort();
    Ok(LambdaStartup {
        size_bytes,
        median: samples[samples.len() / 2],
        max: samples[samples.len() - 1],
    })
}

fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

/// Resources the results are about (account-level checks count as one).
fn resources(report: &Report) -> usize {
    report
        .results
        .iter()
        .map(|r| (&r.resource_type, &r.resource_id))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Calls made per bucket: every S3 call but the listing.
fn per_bucket_calls(report: &Report) -> u64 {
    report
        .api_calls
        .by_operation
        .iter()
        .filter(|(op, _)| op.starts_with("s3:") && op.as_str() != "s3:ListBuckets")
        .map(|(_, n)| n)
        .sum()
}

fn render(
    args: &Args,
    sizes: &[Size],
    lambda: &LambdaStartup,
    organization: Option<&OrganizationRun>,
) -> (String, bool) {
    let mut out = String::new();
    let mut met = true;
    let _ = writeln!(out, "# secaudit benchmark\n");
    let _ = writeln!(
        out,
        "Produced by `make bench` on {}. {}\n",
        time::OffsetDateTime::now_utc().date(),
        machine()
    );
    let _ = writeln!(
        out,
        "Each unit: one instance, one extra volume, one security group, one bucket (every tenth \
         in eu-west-1), one role with an inline and a shared customer managed policy, an SNS topic, an SQS \
         queue and an ECR repository; a DB instance every fourth unit, a Lambda function every \
         tenth. One audited region; per-bucket concurrency \
         {DEFAULT_CONCURRENCY}. The emulator (moto) is run as AWS behaves: it keeps connections \
         alive and names each bucket's region in the bucket list (`BucketRegion`), so no bucket \
         needs a location lookup (moto alone adds one call per bucket). CPU and peak RSS are the \
         audit process's own; the direct run shown is the median of {} by CPU time.\n",
        args.repeat.max(1)
    );
    let _ = writeln!(out, "## Audit straight at the emulator\n");
    let _ = writeln!(
        out,
        "| units | resources | results | API calls | per resource | per bucket | other calls | wall | CPU (range) | peak RSS | report | seeding |"
    );
    let _ = writeln!(
        out,
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
    );
    for size in sizes {
        let run = &size.direct;
        let resources = resources(&run.report);
        let bucket_calls = per_bucket_calls(&run.report);
        let total = run.report.api_calls.total;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {:.2} | {:.2} | {} | {} | {} ({}–{}) | {:.1} MB | {:.1} MB | {} |",
            size.units,
            resources,
            run.report.results.len(),
            total,
            total as f64 / resources.max(1) as f64,
            bucket_calls as f64 / size.account.buckets.max(1) as f64,
            total - bucket_calls,
            seconds(run.wall),
            seconds(run.cpu),
            seconds(size.cpu_range.0),
            seconds(size.cpu_range.1),
            run.peak_rss_kb as f64 / 1024.0,
            megabytes(run.report_bytes),
            seconds(size.seed_time),
        );
    }
    let _ = writeln!(
        out,
        "\n## Audit with {} ms added to every request\n",
        args.latency_ms
    );
    let _ = writeln!(
        out,
        "The critical-path bound is the dependent round trips (identity, then the longest chain \
         of pages and of per-bucket waves) times the latency. The emulator's busy time is the \
         wall time during which it had at least one request: when it exceeds the bound, the \
         emulator is the bottleneck.\n"
    );
    let _ = writeln!(
        out,
        "| units | API calls | round trips | bound | emulator busy | wall | wall / bound | wall / busy |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
    for size in sizes {
        let run = &size.delayed;
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {:.2} | {:.2} |",
            size.units,
            run.report.api_calls.total,
            size.bound.round_trips,
            seconds(size.bound.bound),
            seconds(size.emulator_busy),
            seconds(run.wall),
            run.wall.as_secs_f64() / size.bound.bound.as_secs_f64().max(f64::EPSILON),
            run.wall.as_secs_f64() / size.emulator_busy.as_secs_f64().max(f64::EPSILON),
        );
    }
    let _ = writeln!(out, "\n## Lambda binary\n");
    let _ = writeln!(
        out,
        "| binary | size | start-up to first Runtime API request |"
    );
    let _ = writeln!(out, "|---|---:|---:|");
    let _ = writeln!(
        out,
        "| release `secaudit-lambda` ({}) | {:.1} MB | median {:.1} ms, max {:.1} ms of {STARTUP_SAMPLES} |",
        std::env::consts::ARCH,
        megabytes(lambda.size_bytes),
        lambda.median.as_secs_f64() * 1000.0,
        lambda.max.as_secs_f64() * 1000.0,
    );

    if let Some(run) = organization {
        let _ = writeln!(out, "\n## Organization\n");
        let _ = writeln!(
            out,
            "One `secaudit scan --organization` (default account concurrency) over member \
             accounts on one emulator, each reached through AssumeRole; each account's report is \
             written and dropped before the next is counted.\n"
        );
        let _ = writeln!(
            out,
            "| accounts | units each | complete | API calls per account (min / mean / max) | wall | CPU | peak RSS | seeding |"
        );
        let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---:|");
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} / {:.1} / {} | {} | {} | {:.1} MB | {} |",
            run.accounts,
            run.units,
            run.complete,
            run.calls.0,
            run.calls.1,
            run.calls.2,
            seconds(run.usage.wall),
            seconds(run.usage.cpu()),
            run.usage.peak_rss_kb as f64 / 1024.0,
            seconds(run.seed_time),
        );
    }
    let _ = writeln!(out, "\n## Targets\n");
    let _ = writeln!(out, "| target | measured | verdict |");
    let _ = writeln!(out, "|---|---:|---|");
    let mut target = |name: String, measured: String, ok: bool| {
        met &= ok;
        let _ = writeln!(out, "| {name} | {measured} | {} |", verdict(ok));
    };
    for size in sizes.iter().filter(|s| s.units == TARGET_UNITS) {
        let run = &size.direct;
        let per_bucket = per_bucket_calls(&run.report) as f64 / size.account.buckets as f64;
        target(
            format!("{TARGET_UNITS} units: at most {MAX_CALLS_PER_BUCKET} API calls per bucket"),
            format!("{per_bucket:.2}"),
            per_bucket <= MAX_CALLS_PER_BUCKET,
        );
        target(
            format!("{TARGET_UNITS} units: CPU time under {}", seconds(MAX_CPU)),
            seconds(run.cpu),
            run.cpu < MAX_CPU,
        );
        let rss = run.peak_rss_kb as f64 / 1024.0;
        target(
            format!("{TARGET_UNITS} units: peak RSS under {MAX_PEAK_RSS_MB} MB"),
            format!("{rss:.1} MB"),
            rss < MAX_PEAK_RSS_MB,
        );
    }
    for size in sizes {
        let wall = size.delayed.wall.as_secs_f64();
        let over_bound = wall / size.bound.bound.as_secs_f64();
        let over_busy = wall / size.emulator_busy.as_secs_f64();
        target(
            format!(
                "{} units, {} ms: wall within {MAX_WALL_OVER_BOUND}× the bound, or {MAX_WALL_OVER_EMULATOR}× the emulator's busy time",
                size.units, args.latency_ms
            ),
            format!("{over_bound:.2}× bound, {over_busy:.2}× busy"),
            over_bound <= MAX_WALL_OVER_BOUND || over_busy <= MAX_WALL_OVER_EMULATOR,
        );
    }
    if let Some(run) = organization {
        let rss = run.usage.peak_rss_kb as f64 / 1024.0;
        target(
            format!(
                "organization of {} × {} units: peak RSS under {MAX_ORGANIZATION_PEAK_RSS_MB} MB, every account complete",
                run.accounts, run.units
            ),
            format!("{rss:.1} MB, {} of {} complete", run.complete, run.accounts),
            rss < MAX_ORGANIZATION_PEAK_RSS_MB && run.complete == run.accounts,
        );
    }
    target(
        format!("Lambda binary under {MAX_LAMBDA_MB} MB"),
        format!("{:.1} MB", megabytes(lambda.size_bytes)),
        megabytes(lambda.size_bytes) < MAX_LAMBDA_MB,
    );
    target(
        format!(
            "Lambda start-up under {} ms",
            MAX_LAMBDA_STARTUP.as_millis()
        ),
        format!("{:.1} ms", lambda.median.as_secs_f64() * 1000.0),
        lambda.median < MAX_LAMBDA_STARTUP,
    );
    (out, met)
}

/// What the numbers were measured on: CPU, cores, memory, kernel, toolchain and emulator.
fn machine() -> String {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let cpu = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|l| l.trim_start_matches([' ', '\t', ':']).to_string())
        .unwrap_or_else(|| std::env::consts::ARCH.to_string());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let memory_gb = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .find_map(|l| l.strip_prefix("MemTotal:"))
                .and_then(|v| v.trim().trim_end_matches(" kB").parse::<f64>().ok())
        })
        .map_or(0.0, |kb| kb / 1024.0 / 1024.0);
    // Major and minor only: the rest names the build, not the machine's performance.
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    let kernel = kernel.split('.').take(2).collect::<Vec<_>>().join(".");
    let output = |program: &str, args: &[&str]| {
        Command::new(program)
            .args(args)
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let rustc = output("rustc", &["--version"]);
    let python = std::env::var("SECAUDIT_MOTO_PYTHON").unwrap_or_else(|_| "python3".into());
    let moto = output(&python, &["-c", "import moto; print(moto.__version__)"]);
    format!(
        "Machine: {cores} × {cpu}, {memory_gb:.0} GB RAM, Linux {}; {rustc}; moto {moto}.",
        kernel.trim()
    )
}
