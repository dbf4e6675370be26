//! The one HTTPS client a process's SDK clients share.

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

/// The HTTPS client every SDK client of a process shares: hyper 1 with rustls on the ring
/// provider, verifying servers against the system's root certificates. The SDK crates' default
/// features would build two clients instead (hyper 0.14 with rustls 0.21, and one on aws-lc-rs,
/// a C build): this one is what remains with `default-features = false` (docs/testing.md has
/// the measured difference).
///
/// hyper's pool keeps its defaults (an idle connection lives 90 s, requests in flight are not
/// capped). Both were tried for memory and withdrawn: a 3 s idle timeout and a cap of 64
/// requests in flight each made audits of the emulator several times slower in wall time
/// (docs/performance.md has the figures).
pub fn https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}
