//! The only layer that talks to AWS: one collector per service, turning SDK responses into
//! inventory and API errors into report entries. It never decides pass or fail.

mod accounting;
mod ec2;
mod errors;
mod governance;
mod iam;
mod rds;
mod s3;

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::stalled_stream_protection::StalledStreamProtectionConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::client::endpoint::EndpointFuture;
use aws_smithy_types::endpoint::Endpoint;
use futures::future::{join_all, BoxFuture};
use futures::FutureExt;

pub use accounting::{ApiCallCounter, ApiCallSnapshot};
pub(crate) use errors::{describe as describe_sdk_error, explain_missing_credentials, Call};

use crate::inventory::Inventory;
use crate::model::AuditError;
use crate::request::{AuditRequest, Service};

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

/// The clients of one region.
#[derive(Clone)]
struct Regional {
    ec2: aws_sdk_ec2::Client,
    rds: aws_sdk_rds::Client,
    s3: aws_sdk_s3::Client,
    cloudtrail: aws_sdk_cloudtrail::Client,
    kms: aws_sdk_kms::Client,
    guardduty: aws_sdk_guardduty::Client,
    config: aws_sdk_config::Client,
}

/// SDK configuration and clients, built once and shared by every run of the process.
pub struct Clients {
    sdk: SdkConfig,
    /// Region of the global clients and the default audit region.
    home_region: Option<String>,
    custom_endpoint: Option<String>,
    counter: ApiCallCounter,
    regional: Mutex<HashMap<String, Regional>>,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    s3control: aws_sdk_s3control::Client,
}

/// The S3 Control endpoint rules prefix the host with the account id, which breaks a custom
/// endpoint such as `http://127.0.0.1:5000` (`123456789012.127.0.0.1` does not resolve). With a
/// custom endpoint, send requests to exactly that endpoint.
#[derive(Debug)]
struct FixedEndpoint(String);

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

/// The configuration with a clock and a sleep implementation: credential providers that
/// refresh (AssumeRole) need both, and a hand-built configuration may lack them.
pub fn with_clock_and_sleep(sdk: &SdkConfig) -> SdkConfig {
    let mut builder = sdk.to_builder();
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

impl Clients {
    /// Loads credentials and region the standard way (environment, profile, SSO, credential
    /// process, instance or task role). Does not call AWS.
    pub async fn load(settings: &ConnectionSettings) -> Self {
        Self::from_sdk_config(load_sdk_config(settings).await)
    }

    pub fn from_sdk_config(sdk: SdkConfig) -> Self {
        let counter = ApiCallCounter::default();
        let home_region = sdk.region().map(|r| r.to_string());
        let custom_endpoint = sdk.endpoint_url().map(str::to_string);
        // IAM and STS resolve their global endpoints from any region.
        let global_region = Region::new(home_region.clone().unwrap_or_else(|| "us-east-1".into()));
        let iam = aws_sdk_iam::Client::from_conf(
            aws_sdk_iam::config::Builder::from(&sdk)
                .region(global_region.clone())
                .interceptor(counter.clone())
                .build(),
        );
        let sts = aws_sdk_sts::Client::from_conf(
            aws_sdk_sts::config::Builder::from(&sdk)
                .region(global_region.clone())
                .interceptor(counter.clone())
                .build(),
        );
        let s3control = s3control_config(&sdk)
            .region(global_region)
            .interceptor(counter.clone());
        Clients {
            sdk,
            home_region,
            custom_endpoint,
            counter,
            regional: Mutex::new(HashMap::new()),
            iam,
            sts,
            s3control: aws_sdk_s3control::Client::from_conf(s3control.build()),
        }
    }

    /// Clients acting in another account through `role_arn` (sts:AssumeRole with the same
    /// endpoint, region and retry settings). The session name carries the run; the
    /// credentials are refreshed before they expire, so a long audit never fails on an expired
    /// session.
    pub async fn for_account(
        &self,
        role_arn: &str,
        external_id: Option<&str>,
        session_name: &str,
    ) -> Clients {
        let sdk = with_clock_and_sleep(&self.sdk);
        let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(&sdk);
        if let Some(external_id) = external_id {
            provider = provider.external_id(external_id);
        }
        let credentials =
            aws_sdk_sts::config::SharedCredentialsProvider::new(provider.build().await);
        Clients::from_sdk_config(sdk.to_builder().credentials_provider(credentials).build())
    }

    /// The organization's ACTIVE accounts (id, name), from the management or delegated
    /// administrator account.
    pub async fn organization_accounts(&self) -> Result<Vec<(String, String)>, AuditError> {
        let region = self.home_region().unwrap_or("us-east-1").to_string();
        let client = aws_sdk_organizations::Client::from_conf(
            aws_sdk_organizations::config::Builder::from(&self.sdk)
                .interceptor(self.counter.clone())
                .build(),
        );
        let call = Call::new("organizations", &region, "ListAccounts");
        let mut accounts = Vec::new();
        let mut errors = Vec::new();
        let pages = client
            .list_accounts()
            .max_results(20)
            .into_paginator()
            .send();
        errors::each_page(pages, &call, &mut errors, |page| {
            for account in page.accounts() {
                let active = account
                    .status()
                    .is_none_or(|s| *s == aws_sdk_organizations::types::AccountStatus::Active);
                if let (Some(id), true) = (account.id(), active) {
                    accounts.push((
                        id.to_string(),
                        account.name().unwrap_or_default().to_string(),
                    ));
                }
            }
        })
        .await;
        match errors.into_iter().next() {
            Some(error) => Err(error),
            None => Ok(accounts),
        }
    }

    pub fn home_region(&self) -> Option<&str> {
        self.home_region.as_deref()
    }

    pub fn api_calls(&self) -> &ApiCallCounter {
        &self.counter
    }

    pub fn sts(&self) -> &aws_sdk_sts::Client {
        &self.sts
    }

    fn regional(&self, region: &str) -> Regional {
        let mut cache = self.regional.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry(region.to_string())
            .or_insert_with(|| {
                let region = Region::new(region.to_string());
                Regional {
                    ec2: aws_sdk_ec2::Client::from_conf(
                        aws_sdk_ec2::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    rds: aws_sdk_rds::Client::from_conf(
                        aws_sdk_rds::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    cloudtrail: aws_sdk_cloudtrail::Client::from_conf(
                        aws_sdk_cloudtrail::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    kms: aws_sdk_kms::Client::from_conf(
                        aws_sdk_kms::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    guardduty: aws_sdk_guardduty::Client::from_conf(
                        aws_sdk_guardduty::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    config: aws_sdk_config::Client::from_conf(
                        aws_sdk_config::config::Builder::from(&self.sdk)
                            .region(region.clone())
                            .interceptor(self.counter.clone())
                            .build(),
                    ),
                    s3: aws_sdk_s3::Client::from_conf(
                        aws_sdk_s3::config::Builder::from(&self.sdk)
                            .region(region)
                            .interceptor(self.counter.clone())
                            // Virtual-hosted buckets need DNS names only AWS provides.
                            .force_path_style(self.custom_endpoint.is_some())
                            .build(),
                    ),
                }
            })
            .clone()
    }

    pub(crate) fn ec2(&self, region: &str) -> aws_sdk_ec2::Client {
        self.regional(region).ec2
    }

    pub(crate) fn rds(&self, region: &str) -> aws_sdk_rds::Client {
        self.regional(region).rds
    }

    pub(crate) fn s3(&self, region: &str) -> aws_sdk_s3::Client {
        self.regional(region).s3
    }

    pub(crate) fn iam(&self) -> &aws_sdk_iam::Client {
        &self.iam
    }

    pub(crate) fn s3control(&self) -> &aws_sdk_s3control::Client {
        &self.s3control
    }

    /// Every region enabled for the account.
    pub async fn enabled_regions(&self, from_region: &str) -> Result<Vec<String>, AuditError> {
        let call = Call::new("ec2", from_region, "DescribeRegions");
        let output = self
            .ec2(from_region)
            .describe_regions()
            .all_regions(false)
            .send()
            .await
            .map_err(|e| call.error(&e))?;
        let mut regions: Vec<String> = output
            .regions()
            .iter()
            .filter_map(|r| r.region_name().map(str::to_string))
            .collect();
        regions.sort();
        Ok(regions)
    }
}

/// What a collector brings back: inventory and the errors met on the way.
#[derive(Debug, Default)]
pub struct Collection {
    pub inventory: Inventory,
    pub errors: Vec<AuditError>,
}

impl Collection {
    fn merge(&mut self, other: Collection) {
        self.inventory.merge(other.inventory);
        self.errors.extend(other.errors);
    }
}

/// Collects every requested service in every region at once. A collector still running at
/// `deadline` is abandoned: what it would have found is missing, and an error says so.
pub async fn collect(
    clients: &Clients,
    request: &AuditRequest,
    account_id: &str,
    regions: &[String],
    deadline: Option<tokio::time::Instant>,
) -> Collection {
    let mut units: Vec<(Service, &str, BoxFuture<'_, Collection>)> = Vec::new();
    for region in regions {
        for service in request.services.iter().filter(|s| s.is_regional()) {
            let region = region.as_str();
            let unit = match service {
                Service::Ec2 => {
                    ec2::instances_and_volumes(clients.ec2(region), region, account_id).boxed()
                }
                Service::Sg => {
                    ec2::security_groups(clients.ec2(region), region, account_id).boxed()
                }
                Service::Rds => {
                    rds::databases(clients.rds(region), region, request.concurrency).boxed()
                }
                Service::Vpc => {
                    ec2::vpcs_and_flow_logs(clients.ec2(region), region, account_id).boxed()
                }
                Service::Cloudtrail => {
                    governance::trails(clients.regional(region).cloudtrail, region).boxed()
                }
                Service::Kms => {
                    governance::kms_keys(clients.regional(region).kms, region, request.concurrency)
                        .boxed()
                }
                Service::Guardduty => {
                    governance::guardduty(clients.regional(region).guardduty, region).boxed()
                }
                Service::Config => {
                    governance::config_recorders(clients.regional(region).config, region).boxed()
                }
                // Global: collected once below.
                Service::S3 | Service::Iam => continue,
            };
            units.push((*service, region, unit));
        }
    }
    if request.services.contains(&Service::S3) {
        let unit = s3::buckets(
            clients,
            account_id,
            request.environment.as_ref(),
            request.read_tags,
            request.concurrency,
        );
        units.push((Service::S3, "global", unit.boxed()));
    }
    if request.services.contains(&Service::Iam) {
        units.push((
            Service::Iam,
            "global",
            async move {
                let (mut principals, settings, credentials) = futures::join!(
                    iam::principals(clients.iam(), request.concurrency),
                    iam::account_settings(clients.iam(), account_id),
                    iam::credential_report(clients.iam()),
                );
                principals.merge(settings);
                principals.merge(credentials);
                principals
            }
            .boxed(),
        ));
    }
    let bounded = units.into_iter().map(|(service, region, unit)| async move {
        let Some(deadline) = deadline else {
            return unit.await;
        };
        match tokio::time::timeout_at(deadline, unit).await {
            Ok(collection) => collection,
            Err(_) => Collection {
                inventory: Inventory::default(),
                errors: vec![Call::new(service.as_str(), region, "Collect").entry(
                    "DeadlineExceeded".into(),
                    format!(
                        "collection of {service} in {region} was stopped at the invocation deadline; its resources were not evaluated"
                    ),
                )],
            },
        }
    });
    let mut collection = Collection::default();
    for unit in join_all(bounded).await {
        collection.merge(unit);
    }
    collection
}

/// Tags as a map, from any SDK's tag type.
fn tag_map<T>(
    tags: &[T],
    key: impl Fn(&T) -> Option<&str>,
    value: impl Fn(&T) -> Option<&str>,
) -> crate::inventory::Tags {
    tags.iter()
        .filter_map(|t| {
            Some((
                key(t)?.to_string(),
                value(t).unwrap_or_default().to_string(),
            ))
        })
        .collect()
}
