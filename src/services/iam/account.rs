//! The account's IAM settings (root MFA and keys, the password policy) and the credential
//! report: read beside the principals by [`super::collect`].

use aws_sdk_iam::types::{AssignmentStatusType, SummaryKeyType};
use aws_sdk_iam::Client;

use super::{CredentialUser, Inventory, PasswordPolicy, ServerCertificate};
use crate::aws::{code_of, each_page, Call};
use crate::services::Collection;

const REGION: &str = "global";

/// The credential report: generated, polled with backoff until ready (the collector's deadline
/// bounds the wait), then read. A report that cannot be had is an error, never an empty list.
pub(super) async fn credential_report(client: &Client) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut delay = std::time::Duration::from_millis(200);
    const ATTEMPTS: usize = 10;
    for attempt in 1..=ATTEMPTS {
        let call = Call::new("iam", REGION, "GenerateCredentialReport");
        let state = match client.generate_credential_report().send().await {
            Ok(output) => output.state().map(|s| s.as_str().to_string()),
            Err(error) => {
                collection.errors.push(call.error(&error));
                return collection;
            }
        };
        if state.as_deref() == Some("COMPLETE") {
            let call = Call::new("iam", REGION, "GetCredentialReport");
            match client.get_credential_report().send().await {
                Ok(output) => {
                    let text = output
                        .content()
                        .map(|blob| String::from_utf8_lossy(blob.as_ref()).into_owned())
                        .unwrap_or_default();
                    match CredentialUser::parse_report(&text) {
                        Ok(users) => collection.inventory.credential_users = Some(users),
                        Err(problem) => collection
                            .errors
                            .push(call.entry("InvalidCredentialReport".into(), problem)),
                    }
                    return collection;
                }
                Err(error)
                    if matches!(
                        code_of(&error),
                        Some("ReportInProgress" | "ReportNotPresent" | "ReportExpired")
                    ) => {}
                Err(error) => {
                    collection.errors.push(call.error(&error));
                    return collection;
                }
            }
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(std::time::Duration::from_secs(10));
        }
    }
    collection.errors.push(
        Call::new("iam", REGION, "GetCredentialReport").entry(
            "ReportNotReady".into(),
            format!("the credential report was not ready after {ATTEMPTS} attempts; the user credential checks were not evaluated"),
        ),
    );
    collection
}

/// The root user's MFA and access keys and the password policy: three reads for the account.
pub(super) async fn account_settings(client: &Client, account: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut virtual_devices = Vec::new();
    let devices = async {
        let pages = client
            .list_virtual_mfa_devices()
            .assignment_status(AssignmentStatusType::Assigned)
            .max_items(1000)
            .into_paginator()
            .send();
        let mut errors = Vec::new();
        each_page(
            pages,
            &Call::new("iam", REGION, "ListVirtualMFADevices"),
            &mut errors,
            |page| {
                virtual_devices.extend(
                    page.virtual_mfa_devices
                        .into_iter()
                        .filter_map(|d| d.user.map(|u| u.arn)),
                )
            },
        )
        .await;
        errors
    };
    let (summary, device_errors, policy) = futures::join!(
        client.get_account_summary().send(),
        devices,
        client.get_account_password_policy().send(),
    );
    let account_settings = &mut collection.inventory.account;
    match summary {
        Ok(output) => {
            let value = |key: SummaryKeyType| {
                output
                    .summary_map()
                    .and_then(|map| map.get(&key))
                    .map(|n| *n > 0)
            };
            account_settings.root_mfa_enabled = value(SummaryKeyType::AccountMfaEnabled);
            account_settings.root_access_keys_present =
                value(SummaryKeyType::AccountAccessKeysPresent);
            account_settings.root_password_present = value(SummaryKeyType::AccountPasswordPresent);
        }
        Err(error) => collection
            .errors
            .push(Call::new("iam", REGION, "GetAccountSummary").error(&error)),
    }
    if device_errors.is_empty() {
        // Exactly the root user's ARN: a user named `root...` is not the root user.
        account_settings.root_virtual_mfa = Some(virtual_devices.iter().any(|arn| {
            let parts: Vec<&str> = arn.split(':').collect();
            matches!(parts.as_slice(), ["arn", _, "iam", "", id, "root"] if *id == account)
        }));
    }
    collection.errors.extend(device_errors);
    // An account without a password policy answers NoSuchEntity.
    account_settings.password_policy = Call::new("iam", REGION, "GetAccountPasswordPolicy")
        .read_or(
            policy,
            &["NoSuchEntity"],
            || None,
            &mut collection.errors,
            |o| {
                o.password_policy().map(|p| PasswordPolicy {
                    minimum_length: p.minimum_password_length(),
                    reuse_prevention: p.password_reuse_prevention(),
                    require_uppercase: p.require_uppercase_characters(),
                    require_lowercase: p.require_lowercase_characters(),
                    require_numbers: p.require_numbers(),
                    require_symbols: p.require_symbols(),
                })
            },
        );
    collection
}

/// The server certificates stored in IAM: one paginated listing, its metadata only.
pub(super) async fn server_certificates(client: &Client) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut certificates = Vec::new();
    let pages = client
        .list_server_certificates()
        .max_items(1000)
        .into_paginator()
        .send();
    each_page(
        pages,
        &Call::new("iam", REGION, "ListServerCertificates"),
        &mut collection.errors,
        |page| {
            certificates.extend(page.server_certificate_metadata_list.into_iter().map(|c| {
                ServerCertificate {
                    name: c.server_certificate_name,
                    arn: c.arn,
                    expiration: c
                        .expiration
                        .and_then(|at| time::OffsetDateTime::from_unix_timestamp(at.secs()).ok()),
                }
            }))
        },
    )
    .await;
    if collection.errors.is_empty() {
        collection.inventory.server_certificates = Some(certificates);
    }
    collection
}
