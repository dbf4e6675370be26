//! The one HTTPS client a process's SDK clients share, and how long it keeps an idle connection.

use std::time::Duration;

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// Longer than the pause between an audit's calls to one endpoint (pages, a resource's reads),
/// far shorter than a run. hyper's default, 90 s, kept the burst of every service starting at
/// once open to the end: a 1,000-unit audit held 290 idle connections, about 9 MB, while its
/// checks ran (`make bench`, heaptrack). Where S3 is addressed virtual-hosted, every bucket is
/// a host of its own, with a connection of its own.
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(3);

/// The HTTPS client every SDK client of a process shares: hyper 1 with rustls on the ring
/// provider, verifying servers against the system's root certificates. The SDK crates' default
/// features would build two clients instead (hyper 0.14 with rustls 0.21, and one on aws-lc-rs,
/// a C build): this one is what remains with `default-features = false` (docs/testing.md has
/// the measured difference).
///
/// Requests in flight are not capped here: a process-wide limit of 64 (a semaphore in front
/// of the connector) cut the emulator's throughput eightfold in `make bench` (a 300-unit audit
/// took 30-60 s instead of 5), for reasons not found; the organization audit's memory, which it
/// lowered from 69 to 52 MB, waits for another way (docs/performance.md).
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
        .build_https()
}
