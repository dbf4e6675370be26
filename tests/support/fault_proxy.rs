//! A fault-injecting loopback proxy in front of the emulator: it forwards each request to moto,
//! or answers it with an AWS throttling or internal error instead, and can add latency. Used
//! to show that transient errors cost retries, never results, and by the benchmark to add
//! network latency and to measure how long the emulator itself was busy.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What the proxy does to traffic.
#[derive(Debug, Clone, Copy, Default)]
pub struct Faults {
    /// Share of requests (0–100) answered with a throttling error instead of being forwarded.
    pub throttle_percent: u64,
    /// Share of requests (0–100) answered with HTTP 500 InternalError.
    pub internal_error_percent: u64,
    /// Added before every answer.
    pub latency: Duration,
    /// Requests whose request line, headers or body contain this text are denied (HTTP 403,
    /// the protocol's access-denied error): one account's role in an AssumeRole, one operation
    /// (`Action=GetEbsEncryptionByDefault`, `/v20180820/configuration/publicAccessBlock`), a
    /// permission problem the emulator cannot stage.
    pub deny_when_request_contains: Option<&'static str>,
}

#[derive(Debug, Default)]
pub struct ProxyStats {
    pub forwarded: AtomicU64,
    pub faulted: AtomicU64,
    upstream: Mutex<BusyClock>,
}

/// Wall time during which at least one request was at the upstream server.
#[derive(Debug, Default)]
struct BusyClock {
    in_flight: u64,
    since: Option<Instant>,
    total: Duration,
}

impl ProxyStats {
    fn upstream_started(&self) {
        let mut clock = self.upstream.lock().unwrap();
        if clock.in_flight == 0 {
            clock.since = Some(Instant::now());
        }
        clock.in_flight += 1;
    }

    fn upstream_finished(&self) {
        let mut clock = self.upstream.lock().unwrap();
        clock.in_flight -= 1;
        if clock.in_flight == 0 {
            if let Some(since) = clock.since.take() {
                clock.total += since.elapsed();
            }
        }
    }

    /// How long the upstream had work: the union of its requests' intervals, so concurrent
    /// requests count once. With a serial upstream this is its own serving time.
    pub fn upstream_busy(&self) -> Duration {
        let clock = self.upstream.lock().unwrap();
        clock.total + clock.since.map_or(Duration::ZERO, |s| s.elapsed())
    }
}

pub struct FaultProxy {
    pub endpoint: String,
    pub stats: Arc<ProxyStats>,
}

impl FaultProxy {
    pub fn start(upstream: &str, faults: Faults) -> FaultProxy {
        let upstream = upstream.trim_start_matches("http://").to_string();
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a loopback port");
        let endpoint = format!("http://{}", listener.local_addr().unwrap());
        let stats = Arc::new(ProxyStats::default());
        let shared = stats.clone();
        let sequence = Arc::new(AtomicU64::new(0));
        std::thread::spawn(move || {
            for client in listener.incoming().flatten() {
                let upstream = upstream.clone();
                let stats = shared.clone();
                let n = sequence.fetch_add(1, Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, faults, n, &stats);
                });
            }
        });
        FaultProxy { endpoint, stats }
    }

    pub fn faulted(&self) -> u64 {
        self.stats.faulted.load(Ordering::SeqCst)
    }

    pub fn forwarded(&self) -> u64 {
        self.stats.forwarded.load(Ordering::SeqCst)
    }
}

/// A well-mixed pseudo-random number in 0..100 for the n-th request (deterministic runs).
fn roll(n: u64) -> u64 {
    let mut x = n.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    (x ^ (x >> 31)) % 100
}

/// The service a request is for, from its SigV4 credential scope.
fn service_of(head: &str) -> String {
    head.lines()
        .find(|l| l.to_ascii_lowercase().starts_with("authorization:"))
        .and_then(|l| l.split("Credential=").nth(1))
        .and_then(|c| c.split('/').nth(3))
        .unwrap_or("unknown")
        .to_string()
}

/// The access-denied answer each protocol family gives (EC2's own code; S3 Control wraps its
/// error, S3 does not).
fn denial(service: &str, head: &str) -> (u16, &'static str, &'static str) {
    match service {
        "s3" if !head.contains(" /v20180820/") => (
            403,
            "application/xml",
            "<Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>",
        ),
        "ec2" => (
            403,
            "text/xml",
            "<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation.</Message></Error></Errors><RequestID>fault</RequestID></Response>",
        ),
        _ if json_protocol(service) => (
            400,
            "application/x-amz-json-1.1",
            r#"{"__type":"AccessDeniedException","message":"User is not authorized to perform this operation"}"#,
        ),
        _ => (
            403,
            "text/xml",
            "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform this operation</Message></Error><RequestId>fault</RequestId></ErrorResponse>",
        ),
    }
}

/// The services answering in the JSON protocols (awsJson, restJson), which read an error's
/// code from `__type`.
fn json_protocol(service: &str) -> bool {
    matches!(
        service,
        "cloudtrail"
            | "kms"
            | "guardduty"
            | "config"
            | "acm"
            | "ecs"
            | "ecr"
            | "ssm"
            | "eks"
            | "lambda"
            | "es"
            | "redshift-serverless"
            | "sqs"
            | "codebuild"
            | "dms"
            | "elasticmapreduce"
            | "kafka"
            | "inspector2"
            | "sagemaker"
            | "appsync"
            | "macie2"
            | "elasticfilesystem"
            | "access-analyzer"
            | "securityhub"
    )
}

/// The throttling answer each protocol family gives.
fn throttling(service: &str) -> (u16, &'static str, &'static str) {
    match service {
        "s3" => (
            503,
            "application/xml",
            "<Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>",
        ),
        "ec2" => (
            503,
            "text/xml",
            "<Response><Errors><Error><Code>RequestLimitExceeded</Code><Message>Request limit exceeded.</Message></Error></Errors><RequestID>fault</RequestID></Response>",
        ),
        _ if json_protocol(service) => (
            400,
            "application/x-amz-json-1.1",
            r#"{"__type":"ThrottlingException","message":"Rate exceeded"}"#,
        ),
        _ => (
            400,
            "text/xml",
            "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>fault</RequestId></ErrorResponse>",
        ),
    }
}

fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<(String, Vec<u8>)> {
    let mut head = String::new();
    let mut length = 0usize;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            break;
        }
        if line == "\r\n" {
            break;
        }
        if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
            length = value.trim().parse().unwrap_or(0);
        }
        // One request per connection: the answer ends it.
        if !line.to_ascii_lowercase().starts_with("connection:") {
            head.push_str(&line);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok((head, body))
}

fn serve(
    client: TcpStream,
    upstream: &str,
    faults: Faults,
    n: u64,
    stats: &ProxyStats,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let (head, body) = read_request(&mut reader)?;
    let mut client = client;
    std::thread::sleep(faults.latency);
    let dice = roll(n);
    let denied = faults
        .deny_when_request_contains
        .is_some_and(|text| head.contains(text) || String::from_utf8_lossy(&body).contains(text));
    let fault = if denied {
        Some(denial(&service_of(&head), &head))
    } else if dice < faults.throttle_percent {
        Some(throttling(&service_of(&head)))
    } else if dice < faults.throttle_percent + faults.internal_error_percent {
        Some((
            500,
            "application/xml",
            "<Error><Code>InternalError</Code><Message>We encountered an internal error.</Message></Error>",
        ))
    } else {
        None
    };
    if let Some((status, content_type, text)) = fault {
        stats.faulted.fetch_add(1, Ordering::SeqCst);
        let answer = format!(
            "HTTP/1.1 {status} Fault\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{text}",
            text.len()
        );
        return client.write_all(answer.as_bytes());
    }
    stats.forwarded.fetch_add(1, Ordering::SeqCst);
    // One write, no Nagle: split small writes would wait for delayed acknowledgements.
    let mut request = head.into_bytes();
    request.extend_from_slice(b"connection: close\r\n\r\n");
    request.extend_from_slice(&body);
    stats.upstream_started();
    let answer = exchange(upstream, &request);
    stats.upstream_finished();
    client.set_nodelay(true)?;
    client.write_all(&answer?)
}

fn exchange(upstream: &str, request: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut server = TcpStream::connect(upstream)?;
    server.set_nodelay(true)?;
    server.write_all(request)?;
    let mut answer = Vec::new();
    server.read_to_end(&mut answer)?;
    Ok(answer)
}
