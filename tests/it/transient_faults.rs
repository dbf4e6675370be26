//! Throttling and internal errors between the audit and AWS cost retries, never results: an
//! audit through a proxy that throttles a fifth of all requests (and fails another 5% with
//! HTTP 500) equals an undisturbed one.

use crate::support;

use std::time::Duration;

use aws_config::retry::RetryConfig;
use secaudit::aws::Clients;
use secaudit::report::Report;
use secaudit::request::{AuditRequest, RegionSelection};
use support::fault_proxy::{FaultProxy, Faults};
use support::seed::seed_demo_account;
use support::{block_on, sdk_config, MotoServer};

fn audit(endpoint: &str) -> Report {
    // A generous attempt budget with short backoffs keeps the test quick and deterministic.
    let sdk = sdk_config(endpoint, "us-east-1")
        .into_builder()
        .retry_config(
            RetryConfig::standard()
                .with_max_attempts(10)
                .with_initial_backoff(Duration::from_millis(5))
                .with_max_backoff(Duration::from_millis(50)),
        )
        .build();
    let request = AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into(), "eu-west-1".into()]),
        ..AuditRequest::default()
    };
    block_on(crate::support::audit_with_defaults(
        &Clients::from_sdk_config(sdk),
        &request,
    ))
    .expect("audit")
}

fn verdicts(report: &Report) -> Vec<(String, String, String)> {
    report
        .results
        .iter()
        .map(|r| (r.id.clone(), format!("{:?}", r.status), r.detail.clone()))
        .collect()
}

#[test]
fn twenty_percent_throttling_changes_nothing_but_the_retry_count() {
    let server = MotoServer::start();
    block_on(seed_demo_account(&server.sdk_config("us-east-1"))).expect("seed");
    // A first audit has the emulator generate the credential report; from then on one
    // GenerateCredentialReport answers COMPLETE, so both compared runs make the same calls.
    audit(&server.endpoint);
    let undisturbed = audit(&server.endpoint);
    assert!(undisturbed.complete, "{:#?}", undisturbed.errors);
    assert_eq!(undisturbed.api_calls.retries, 0);

    let proxy = FaultProxy::start(
        &server.endpoint,
        Faults {
            throttle_percent: 20,
            internal_error_percent: 5,
            latency: Duration::ZERO,
            deny_when_request_contains: None,
        },
    );
    let disturbed = audit(&proxy.endpoint);
    assert!(disturbed.complete, "{:#?}", disturbed.errors);
    assert_eq!(verdicts(&disturbed), verdicts(&undisturbed));
    assert!(proxy.faulted() > 0);
    // Every injected fault was retried, and counted as such; the calls themselves are the same.
    assert_eq!(disturbed.api_calls.retries, proxy.faulted());
    assert_eq!(disturbed.api_calls.total, undisturbed.api_calls.total);
    assert_eq!(
        disturbed.api_calls.by_operation,
        undisturbed.api_calls.by_operation
    );
}
