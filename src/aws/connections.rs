//! The HTTPS connections every SDK client of the process shares, and letting the idle ones go
//! when the process's last collection ends.
//!
//! A collection starts every collector at once: against one endpoint (an emulator, or a busy
//! regional endpoint) that is a few hundred connections, which hyper keeps 90 s once idle. Their
//! channel blocks, read buffers and connection tasks (about 5 MB for 300 collected units, 9 MB
//! for 1,000) would otherwise sit beside the checks' results at the run's peak. Closing them
//! earlier, while collectors still run, was tried and withdrawn (docs/performance.md).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{OnceLock, RwLock};

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnectorSettings, SharedHttpClient, SharedHttpConnector,
};
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;

/// The HTTPS client every SDK client of a process shares: hyper 1 with rustls on the ring
/// provider, verifying servers against the system's root certificates. The SDK crates' default
/// features would build two clients instead (hyper 0.14 with rustls 0.21, and one on aws-lc-rs,
/// a C build): this one is what remains with `default-features = false` (docs/testing.md has
/// the measured difference).
///
/// hyper's pool keeps its defaults (an idle connection lives 90 s, requests in flight are not
/// capped). Both were tried for memory and withdrawn: a 3 s idle timeout and a cap of 64
/// requests in flight each made audits of the emulator several times slower in wall time
/// (docs/performance.md has the figures). Instead, [`collecting`] lets the idle connections go
/// when no collection needs them any more.
pub fn https_client() -> SharedHttpClient {
    SharedHttpClient::new(ProcessClient)
}

/// Held while an audit collects. When the process's last holder lets go, the idle connections
/// are closed: requests still in flight finish on theirs, and later requests open new ones.
#[must_use = "the connections are let go when this is dropped"]
pub struct Collecting(&'static Connections);

/// Marks a collection in progress until the returned guard is dropped.
pub fn collecting() -> Collecting {
    let connections = process_connections();
    connections.start_collecting();
    Collecting(connections)
}

impl Drop for Collecting {
    fn drop(&mut self) {
        self.0.stop_collecting();
    }
}

fn process_connections() -> &'static Connections {
    static PROCESS: OnceLock<Connections> = OnceLock::new();
    PROCESS.get_or_init(|| Connections::new(new_hyper_client))
}

fn new_hyper_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .build_https()
}

/// One hyper client (and so one pool) at a time, replaced by a new one when the last collection
/// ends; clients of the old one in use keep it alive until their requests finish.
struct Connections {
    current: RwLock<SharedHttpClient>,
    collections: AtomicUsize,
    build: fn() -> SharedHttpClient,
}

impl Connections {
    fn new(build: fn() -> SharedHttpClient) -> Self {
        Connections {
            current: RwLock::new(build()),
            collections: AtomicUsize::new(0),
            build,
        }
    }

    fn current(&self) -> SharedHttpClient {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    fn start_collecting(&self) {
        self.collections.fetch_add(1, Ordering::SeqCst);
    }

    fn stop_collecting(&self) {
        if self.collections.fetch_sub(1, Ordering::SeqCst) == 1 {
            *self.current.write().unwrap_or_else(|e| e.into_inner()) = (self.build)();
        }
    }
}

/// The SDK's view of the process's connections: each request attempt asks for a connector,
/// and gets the current hyper client's.
#[derive(Debug)]
struct ProcessClient;

impl HttpClient for ProcessClient {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        process_connections()
            .current()
            .http_connector(settings, components)
    }

    fn validate_base_client_config(
        &self,
        components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        process_connections()
            .current()
            .validate_base_client_config(components, cfg)
    }

    fn validate_final_config(
        &self,
        components: &RuntimeComponents,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        process_connections()
            .current()
            .validate_final_config(components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        process_connections().current().connector_metadata()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    static BUILT: AtomicUsize = AtomicUsize::new(0);

    fn counted_client() -> SharedHttpClient {
        BUILT.fetch_add(1, Ordering::SeqCst);
        new_hyper_client()
    }

    #[test]
    fn the_pool_is_replaced_only_when_the_last_collection_ends() {
        let connections = Connections::new(counted_client);
        assert_eq!(BUILT.load(Ordering::SeqCst), 1);
        connections.start_collecting();
        connections.start_collecting();
        connections.stop_collecting();
        assert_eq!(
            BUILT.load(Ordering::SeqCst),
            1,
            "another collection still uses the pool"
        );
        connections.stop_collecting();
        assert_eq!(BUILT.load(Ordering::SeqCst), 2);
        connections.start_collecting();
        connections.stop_collecting();
        assert_eq!(BUILT.load(Ordering::SeqCst), 3);
    }
}
