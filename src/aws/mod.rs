//! The only code that calls AWS in general: connection settings, the process's HTTPS
//! connections, the clients (built once, a
//! regional cache shared by every service), API-call accounting, and turning SDK errors into
//! report entries. The services' collectors (`crate::services`) use it; nothing here decides
//! pass or fail.

mod accounting;
mod clients;
mod connections;
mod errors;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::endpoint::EndpointFuture;
use aws_smithy_types::endpoint::Endpoint;

pub use accounting::{ApiCallCounter, ApiCallSnapshot};
pub(crate) use clients::regional_client;
pub use clients::{Clients, RegionalClient};
pub use connections::{collecting, https_client, Collecting};
pub use errors::required_permission;
pub(crate) use errors::{
    code_of, describe as describe_sdk_error, each_page, explain_missing_credentials, Call,
};

use crate::model::Tags;

/// How to reach AWS: the standard credential and region chains, optionally narrowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionSettings {
    pub profile: Option<String>,
    /// Overrides the region chain; also the region of global clients (IAM, STS, S3 Control).
    pub region: Option<String>,
    /// Sends every client to this endpoint (an emulator); `AWS_ENDPOINT_URL` works too.
    pub endpoint_url: Option<String>,
    /// Attempts per API call, first try included, in the SDK's standard retry mode.
    pub max_attempts: u32,
    /// Longest wait between two attempts (exponential backoff with jitter from 0.2 s up).
    pub max_backoff: Duration,
    pub connect_timeout: Duration,
    /// Limit on one attempt of one call, so a stuck connection cannot eat the run.
    pub attempt_timeout: Duration,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        ConnectionSettings {
            profile: None,
            region: None,
            endpoint_url: None,
            // Throttling on large accounts clears within a few backoffs; nightly runs can wait.
            max_attempts: 8,
            max_backoff: Duration::from_secs(20),
            connect_timeout: Duration::from_secs(5),
            attempt_timeout: Duration::from_secs(30),
        }
    }
}

/// The S3 Control endpoint rules prefix the host with the account id, which breaks a custom
/// endpoint such as `http://127.0.0.1:5000` (`123456789012.127.0.0.1` does not resolve). With a
/// custom endpoint, send requests to exactly that endpoint.
#[derive(Debug)]
pub(crate) struct FixedEndpoint(String);

impl aws_sdk_s3control::config::endpoint::ResolveEndpoint for FixedEndpoint {
    fn resolve_endpoint<'a>(
        &'a self,
        _params: &'a aws_sdk_s3control::config::endpoint::Params,
    ) -> EndpointFuture<'a> {
        EndpointFuture::ready(Ok(Endpoint::builder().url(self.0.clone()).build()))
    }
}

/// SDK configuration with secaudit's retry and timeout settings, credentials and region loaded
/// the standard way (environment, profile, SSO, credential process, instance or task role).
pub async fn load_sdk_config(settings: &ConnectionSettings) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(https_client())
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(settings.max_attempts.max(1))
                .with_initial_backoff(Duration::from_millis(200))
                .with_max_backoff(settings.max_backoff),
        )
        .timeout_config(
            TimeoutConfig::builder()
                .connect_timeout(settings.connect_timeout)
                .operation_attempt_timeout(settings.attempt_timeout)
                .build(),
        )
        // The attempt timeout already bounds a stalled response; the throughput monitor on
        // every response body was about 1.5% of an audit's CPU in a profile.
        .stalled_stream_protection(StalledStreamProtectionConfig::disabled());
    if let Some(profile) = &settings.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(region) = &settings.region {
        loader = loader.region(Region::new(region.clone()));
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    loader.load().await
}

/// Checks that a named profile exists in the shared config files. Without this, an unknown
/// profile ends in a failure of the last credential provider tried (instance metadata), which
/// sends a laptop user looking at IMDS.
pub async fn check_profile(name: &str) -> Result<(), String> {
    use aws_runtime::env_config::file::EnvConfigFiles;
    use aws_types::os_shim_internal::{Env, Fs};
    let env = Env::real();
    let profiles = aws_config::profile::load(&Fs::real(), &env, &EnvConfigFiles::default(), None)
        .await
        .map_err(|e| format!("cannot read the AWS config files: {e}"))?;
    if profiles.get_profile(name).is_some() {
        return Ok(());
    }
    let file = |variable: &str, default: &str| env.get(variable).unwrap_or_else(|_| default.into());
    Err(format!(
        "profile '{name}' not found in {} or {} (create it with `aws configure --profile {name}` or `aws configure sso`)",
        file("AWS_CONFIG_FILE", "~/.aws/config"),
        file("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
    ))
}

/// The configuration with an HTTP client, a clock and a sleep implementation: credential
/// providers that refresh (AssumeRole) need the last two, every client the first, and a
/// hand-built configuration may lack them.
pub fn with_http_clock_and_sleep(sdk: &SdkConfig) -> SdkConfig {
    let mut builder = sdk.to_builder();
    if sdk.http_client().is_none() {
        builder.set_http_client(Some(https_client()));
    }
    if sdk.time_source().is_none() {
        builder.set_time_source(Some(aws_smithy_async::time::SharedTimeSource::default()));
    }
    if sdk.sleep_impl().is_none() {
        builder.set_sleep_impl(aws_smithy_async::rt::sleep::default_async_sleep());
    }
    builder.build()
}

/// S3 Control configuration that also works with a custom endpoint (see [`FixedEndpoint`]).
pub fn s3control_config(sdk: &SdkConfig) -> aws_sdk_s3control::config::Builder {
    let builder = aws_sdk_s3control::config::Builder::from(sdk);
    match sdk.endpoint_url() {
        Some(url) => builder.endpoint_resolver(FixedEndpoint(url.to_string())),
        None => builder,
    }
}

/// Tags as a map, from any SDK's tag type.
pub(crate) fn tag_map<T>(
    tags: &[T],
    key: impl Fn(&T) -> Option<&str>,
    value: impl Fn(&T) -> Option<&str>,
) -> Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                key(t)?.to_string(),
                value(t).unwrap_or_default().to_string(),
            ))
        })
        .collect()
}

/// The AWS partition of a region, for building ARNs.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::partition;

    #[test]
    fn partitions_follow_region_prefixes() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
