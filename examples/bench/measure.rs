//! Measuring a process: the launcher that reports a child's own CPU time and peak RSS, the
//! critical-path bound of an audit's round trips, and the Lambda binary's size and start-up.

use super::*;

/// `secaudit` under the launcher (see [`launch`]), pointed at `endpoint` with test credentials
/// and no configuration files (those in `dir` do not exist).
pub(crate) fn launched(secaudit: &Path, endpoint: &str, dir: &Path) -> Result<Command, String> {
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
pub(crate) struct Usage {
    pub(crate) status: i32,
    pub(crate) wall: Duration,
    pub(crate) user: Duration,
    pub(crate) system: Duration,
    /// Voluntary context switches: how often the process slept waiting for I/O.
    pub(crate) waits: u64,
    pub(crate) peak_rss_kb: u64,
}

impl Usage {
    pub(crate) fn cpu(&self) -> Duration {
        self.user + self.system
    }

    pub(crate) fn line(&self) -> String {
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

    pub(crate) fn parse(line: &str) -> Option<Usage> {
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
pub(crate) const LAUNCH: &str = "--launch-and-measure";

/// Launcher mode: runs the command, waits for it, and prints its wall time, CPU times, context
/// switches and peak RSS on one line. Linux charges a process, at exec, with the peak RSS of
/// the memory it was spawned from, so a child spawned by this (large) harness would report the
/// harness's peak; spawned from this freshly started launcher, it reports its own.
pub(crate) fn launch(mut command: impl Iterator<Item = OsString>) -> ExitCode {
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
pub(crate) struct CriticalPath {
    pub(crate) round_trips: u64,
    pub(crate) bound: Duration,
}

impl CriticalPath {
    pub(crate) fn of(report: &Report, concurrency: usize, latency: Duration) -> Self {
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
        let ecr = calls("ecr:DescribeRepositories")
            + waves(calls("ecr:BatchGetRepositoryScanningConfiguration"));
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

pub(crate) struct LambdaStartup {
    pub(crate) size_bytes: u64,
    pub(crate) median: Duration,
    pub(crate) max: Duration,
}

/// The binary's size as deployed. `make bench` builds with symbols (the `profiling` profile, so
/// a profile of the audit names functions): a stripped copy is measured, as `strip = true`
/// builds it for `make build` and `make lambda`.
pub(crate) fn stripped_size(binary: &Path) -> Result<u64, String> {
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
pub(crate) fn lambda_startup(lambda: &Path) -> Result<LambdaStartup, String> {
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
