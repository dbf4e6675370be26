//! The clients: global ones (IAM, STS, S3 Control) built with the configuration, regional ones
//! built on first use and cached per (client type, region), all counting their API calls.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::sync::Mutex;

use aws_config::{Region, SdkConfig};

use super::{each_page, s3control_config, ApiCallCounter, Call};
use crate::model::AuditError;

/// An SDK client that a service collector asks [`Clients::client`] for, by region.
///
/// A service implements it for its SDK crate's client with [`regional_client!`] in its own
/// folder, so adding a service needs no edit here.
pub trait RegionalClient: Clone + Send + Sync + 'static {
    /// The client for `region`, sharing the configuration and the call counter.
    fn build(sdk: &SdkConfig, region: Region, counter: &ApiCallCounter) -> Self;
}

/// Implements [`RegionalClient`] for SDK crates whose client needs nothing beyond the shared
/// configuration: `regional_client!(aws_sdk_kms);`.
macro_rules! regional_client {
    ($($sdk:ident),+ $(,)?) => {$(
        impl $crate::aws::RegionalClient for $sdk::Client {
            fn build(
                sdk: &aws_config::SdkConfig,
                region: aws_config::Region,
                counter: &$crate::aws::ApiCallCounter,
            ) -> Self {
                $sdk::Client::from_conf(
                    $sdk::config::Builder::from(sdk)
                        .region(region)
                        .interceptor(counter.clone())
                        .build(),
                )
            }
        }
    )+};
}
pub(crate) use regional_client;

/// S3 Control per region (access points are listed region by region), with the custom endpoint
/// handling of [`s3control_config`].
impl RegionalClient for aws_sdk_s3control::Client {
    fn build(sdk: &SdkConfig, region: Region, counter: &ApiCallCounter) -> Self {
        aws_sdk_s3control::Client::from_conf(
            s3control_config(sdk)
                .region(region)
                .interceptor(counter.clone())
                .build(),
        )
    }
}

impl RegionalClient for aws_sdk_s3::Client {
    fn build(sdk: &SdkConfig, region: Region, counter: &ApiCallCounter) -> Self {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                .region(region)
                .interceptor(counter.clone())
                // Virtual-hosted buckets need DNS names only AWS provides.
                .force_path_style(sdk.endpoint_url().is_some())
                .build(),
        )
    }
}

type ClientCache = HashMap<(TypeId, String), Box<dyn Any + Send + Sync>>;

/// SDK configuration and clients, built once and shared by every run of the process.
pub struct Clients {
    sdk: SdkConfig,
    /// Region of the global clients and the default audit region.
    home_region: Option<String>,
    counter: ApiCallCounter,
    regional: Mutex<ClientCache>,
    iam: aws_sdk_iam::Client,
    sts: aws_sdk_sts::Client,
    s3control: aws_sdk_s3control::Client,
}

impl Clients {
    /// Loads credentials and region the standard way (environment, profile, SSO, credential
    /// process, instance or task role). Does not call AWS.
    pub async fn load(settings: &super::ConnectionSettings) -> Self {
        Self::from_sdk_config(super::load_sdk_config(settings).await)
    }

    pub fn from_sdk_config(sdk: SdkConfig) -> Self {
        let sdk = super::with_http_clock_and_sleep(&sdk);
        let counter = ApiCallCounter::default();
        let home_region = sdk.region().map(|r| r.to_string());
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
        let sdk = &self.sdk;
        let mut provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(session_name)
            .configure(sdk);
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
        each_page(pages, &call, &mut errors, |page| {
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

    pub(crate) fn iam(&self) -> &aws_sdk_iam::Client {
        &self.iam
    }

    pub(crate) fn s3control(&self) -> &aws_sdk_s3control::Client {
        &self.s3control
    }

    /// The client of type `C` for `region`, built on first use and then shared.
    pub fn client<C: RegionalClient>(&self, region: &str) -> C {
        let mut cache = self.regional.lock().unwrap_or_else(|e| e.into_inner());
        cache
            .entry((TypeId::of::<C>(), region.to_string()))
            .or_insert_with(|| {
                Box::new(C::build(
                    &self.sdk,
                    Region::new(region.to_string()),
                    &self.counter,
                ))
            })
            .downcast_ref::<C>()
            .expect("the cache files each client under its own type")
            .clone()
    }

    /// Every region enabled for the account.
    pub async fn enabled_regions(&self, from_region: &str) -> Result<Vec<String>, AuditError> {
        let call = Call::new("ec2", from_region, "DescribeRegions");
        let output = self
            .client::<aws_sdk_ec2::Client>(from_region)
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
