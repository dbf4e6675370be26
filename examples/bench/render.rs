//! The results as Markdown: the tables, the targets and their verdicts.

use super::*;

pub(crate) fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

pub(crate) fn megabytes(bytes: u64) -> f64 {
    bytes as f64 / (1024.0 * 1024.0)
}

pub(crate) fn verdict(ok: bool) -> &'static str {
    if ok {
        "met"
    } else {
        "MISSED"
    }
}

/// Resources the results are about (account-level checks count as one).
pub(crate) fn resources(report: &Report) -> usize {
    report
        .results
        .iter()
        .map(|r| (&r.resource_type, &r.resource_id))
        .collect::<BTreeSet<_>>()
        .len()
}

/// Calls made per bucket: every S3 call but the listing.
pub(crate) fn per_bucket_calls(report: &Report) -> u64 {
    report
        .api_calls
        .by_operation
        .iter()
        .filter(|(op, _)| op.starts_with("s3:") && op.as_str() != "s3:ListBuckets")
        .map(|(_, n)| n)
        .sum()
}

pub(crate) fn render(
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
         tenth, and every tenth a CodeBuild project, a launch configuration, an EFS file system, \
         a DMS replication instance, a SageMaker notebook and an Elastic Beanstalk environment. \
         One audited region; per-bucket concurrency \
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
pub(crate) fn machine() -> String {
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
