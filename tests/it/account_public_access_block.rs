//! The account-level S3 public access block, read through S3 Control against an emulator: the
//! SDK's account-id host prefix must not break a custom endpoint.

use crate::support;

use secaudit::aws::Clients;
use secaudit::model::Status;
use secaudit::request::{parse_services, AuditRequest};
use support::seed::s3::block_public_access_for_account;
use support::{block_on, MotoServer};

#[test]
fn account_level_block_covers_buckets_without_their_own() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let request = AuditRequest {
        services: parse_services(&["s3"]).unwrap(),
        ..AuditRequest::default()
    };
    let report = block_on(async {
        let s3 = aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(&sdk)
                .force_path_style(true)
                .build(),
        );
        for bucket in ["open-by-default", "also-open"] {
            s3.create_bucket()
                .bucket(bucket)
                .send()
                .await
                .expect("create bucket");
        }
        let clients = Clients::from_sdk_config(sdk.clone());
        let before = crate::support::audit_with_defaults(&clients, &request)
            .await
            .expect("audit");
        block_public_access_for_account(&sdk, "123456789012")
            .await
            .expect("account block");
        let after = crate::support::audit_with_defaults(&clients, &request)
            .await
            .expect("audit");
        (before, after)
    });
    let (before, after) = report;
    // FSBP S3.8's rule judges the bucket's own settings alone: the account's block changes
    // nothing there.
    for report in [&before, &after] {
        let own = report
            .results
            .iter()
            .filter(|r| r.check_id == "s3.bucket_level_public_access_block")
            .map(|r| r.status)
            .collect::<Vec<_>>();
        assert_eq!(own, [Status::Fail, Status::Fail]);
    }
    for report in [&before, &after] {
        assert!(
            report.complete,
            "S3 Control must be reachable: {:#?}",
            report.errors
        );
    }
    let verdicts = |report: &secaudit::report::Report| {
        report
            .results
            .iter()
            .filter(|r| r.check_id == "s3.public_access_block")
            .map(|r| (r.resource_id.clone(), r.status, r.detail.clone()))
            .collect::<Vec<_>>()
    };
    let before = verdicts(&before);
    assert_eq!(before.len(), 2);
    assert!(
        before.iter().all(|(_, status, _)| *status == Status::Fail),
        "{before:#?}"
    );
    let after = verdicts(&after);
    assert_eq!(after.len(), 2);
    for (bucket, status, detail) in &after {
        assert_eq!(*status, Status::Pass, "{bucket}");
        assert_eq!(
            detail,
            "All four Block Public Access settings are on for the account."
        );
    }
}
