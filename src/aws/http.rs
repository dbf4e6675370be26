//! The one HTTPS client a process's SDK clients share, and what it bounds: how long an idle
//! connection stays open and how many requests are in flight at once.

use std::sync::Arc;
use std::time::Duration;

use aws_smithy_http_client::tls::{rustls_provider::CryptoMode, Provider};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::connector_metadata::ConnectorMetadata;
use aws_smithy_runtime_api::client::http::{
    HttpClient, HttpConnector, HttpConnectorFuture, HttpConnectorSettings, SharedHttpClient,
    SharedHttpConnector,
};
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_runtime_api::client::runtime_components::{
    RuntimeComponents, RuntimeComponentsBuilder,
};
use aws_smithy_types::config_bag::ConfigBag;
use tokio::sync::Semaphore;

/// Longer than the pause between an audit's calls to one endpoint (pages, a resource's reads),
/// far shorter than a run. hyper's default, 90 s, kept the burst of every service starting at
/// once open to the end: a 1,000-unit audit held 290 idle connections, about 9 MB, while its
/// checks ran (`make bench`, heaptrack). Where S3 is addressed virtual-hosted, every bucket is
/// a host of its own, with a connection of its own.
pub const IDLE_CONNECTION_TIMEOUT: Duration = Duration::from_secs(3);

/// Requests a process has in flight at once, over every account, region and service. Each
/// holds a connection with its buffers and channel, about 30 KB: an organization audit of 8
/// accounts at once, each starting every collector together, had about 700 (30 MB of a 45 MB
/// heap). Four times the default per-resource concurrency: more than one account's collectors
/// keep busy against AWS's per-service rate limits, so the cap costs no throughput.
pub const REQUESTS_IN_FLIGHT: usize = 4 * crate::request::DEFAULT_CONCURRENCY;

/// The HTTPS client every SDK client of a process shares: hyper 1 with rustls on the ring
/// provider, verifying servers against the system's root certificates. The SDK crates' default
/// features would build two clients instead (hyper 0.14 with rustls 0.21, and one on aws-lc-rs,
/// a C build): this one is what remains with `default-features = false` (docs/testing.md has
/// the measured difference). A request waits for one of [`REQUESTS_IN_FLIGHT`] places before it
/// is sent; its attempt timeout counts the wait.
pub fn https_client() -> SharedHttpClient {
    let hyper = aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::Ring))
        .pool_idle_timeout(IDLE_CONNECTION_TIMEOUT)
        .build_https();
    SharedHttpClient::new(Bounded {
        inner: hyper,
        places: Arc::new(Semaphore::new(REQUESTS_IN_FLIGHT)),
    })
}

/// An HTTP client whose connectors share one limit on requests in flight.
#[derive(Debug)]
struct Bounded {
    inner: SharedHttpClient,
    places: Arc<Semaphore>,
}

impl HttpClient for Bounded {
    fn http_connector(
        &self,
        settings: &HttpConnectorSettings,
        components: &RuntimeComponents,
    ) -> SharedHttpConnector {
        SharedHttpConnector::new(BoundedConnector {
            inner: self.inner.http_connector(settings, components),
            places: self.places.clone(),
        })
    }

    fn validate_base_client_config(
        &self,
        runtime_components: &RuntimeComponentsBuilder,
        cfg: &ConfigBag,
    ) -> Result<(), BoxError> {
        self.inner
            .validate_base_client_config(runtime_components, cfg)
    }

    fn connector_metadata(&self) -> Option<ConnectorMetadata> {
        self.inner.connector_metadata()
    }
}

#[derive(Debug)]
struct BoundedConnector {
    inner: SharedHttpConnector,
    places: Arc<Semaphore>,
}

impl HttpConnector for BoundedConnector {
    fn call(&self, request: HttpRequest) -> HttpConnectorFuture {
        let (inner, places) = (self.inner.clone(), self.places.clone());
        HttpConnectorFuture::new(async move {
            // The semaphore is never closed, so a place always comes.
            let _place = places.acquire_owned().await;
            inner.call(request).await
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
    use aws_smithy_types::body::SdkBody;

    use super::*;

    /// A server that takes 5 ms to answer and remembers how many requests it had at once.
    #[derive(Debug, Default)]
    struct Counting {
        now: AtomicUsize,
        most: AtomicUsize,
    }

    #[derive(Debug)]
    struct CountingConnector(Arc<Counting>);

    impl HttpConnector for CountingConnector {
        fn call(&self, _request: HttpRequest) -> HttpConnectorFuture {
            let counts = self.0.clone();
            HttpConnectorFuture::new(async move {
                let now = counts.now.fetch_add(1, Ordering::SeqCst) + 1;
                counts.most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(5)).await;
                counts.now.fetch_sub(1, Ordering::SeqCst);
                Ok(HttpResponse::new(200.try_into().unwrap(), SdkBody::empty()))
            })
        }
    }

    #[tokio::test]
    async fn requests_beyond_the_limit_wait_for_a_place() {
        let counts = Arc::new(Counting::default());
        let connector = BoundedConnector {
            inner: SharedHttpConnector::new(CountingConnector(counts.clone())),
            places: Arc::new(Semaphore::new(4)),
        };
        let calls = (0..40).map(|_| connector.call(HttpRequest::empty()));
        let responses = futures::future::join_all(calls).await;
        assert!(responses.iter().all(|r| r.is_ok()));
        assert_eq!(counts.most.load(Ordering::SeqCst), 4);
        assert_eq!(connector.places.available_permits(), 4);
    }
}
