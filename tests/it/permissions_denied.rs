//! An auditor whose policy denies part of what the audit needs: the audit finishes, the
//! affected checks have no results (never a pass), each denial is one error naming the missing
//! permission, and the report says it is incomplete. Moto enforces IAM after the first N
//! requests (INITIAL_NO_AUTH_ACTION_COUNT), which the seeding below uses up exactly.

use crate::support;

use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use secaudit::aws::Clients;
use secaudit::request::{AuditRequest, RegionSelection};
use secaudit::services::Service;
use support::{audit_with_defaults, block_on, MotoServer};

/// Requests made by `seed` before enforcement starts.
const SEEDING_REQUESTS: &str = "7";

async fn seed(sdk: &aws_config::SdkConfig) -> Credentials {
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    );
    let iam = aws_sdk_iam::Client::new(sdk);
    for bucket in ["denied-a", "denied-b"] {
        s3.create_bucket().bucket(bucket).send().await.unwrap();
    }
    iam.create_role()
        .role_name("deploy-admin")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[]}"#)
        .send()
        .await
        .unwrap();
    iam.attach_role_policy()
        .role_name("deploy-admin")
        .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
        .send()
        .await
        .unwrap();
    iam.create_user().user_name("auditor").send().await.unwrap();
    iam.put_user_policy()
        .user_name("auditor")
        .policy_name("audit-but-not-everything")
        .policy_document(
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","Action":["s3:GetBucketVersioning","iam:GetAccountAuthorizationDetails"],"Resource":"*"}]}"#,
        )
        .send()
        .await
        .unwrap();
    let key = iam
        .create_access_key()
        .user_name("auditor")
        .send()
        .await
        .unwrap();
    let key = key.access_key().unwrap();
    Credentials::new(
        key.access_key_id(),
        key.secret_access_key(),
        None,
        None,
        "auditor",
    )
}

#[test]
fn denied_permissions_leave_gaps_never_passes() {
    let server = MotoServer::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", SEEDING_REQUESTS)]);
    let report = block_on(async {
        let auditor = seed(&server.sdk_config("us-east-1")).await;
        let sdk = server
            .sdk_config("us-east-1")
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(auditor))
            .build();
        // Not the services with REST APIs: moto checking IAM answers their calls with
        // SignatureDoesNotMatch, a fault of the emulator, not a denial.
        let rest = [
            Service::Guardduty,
            Service::Lambda,
            Service::Eks,
            Service::Opensearch,
            Service::Cloudfront,
            Service::Msk,
            Service::Appsync,
            Service::Macie,
            Service::Efs,
            Service::Securityhub,
        ];
        let request = AuditRequest {
            regions: RegionSelection::Listed(vec!["us-east-1".into()]),
            services: Service::ALL
                .into_iter()
                .filter(|s| !rest.contains(s))
                .collect(),
            ..AuditRequest::default()
        };
        audit_with_defaults(&Clients::from_sdk_config(sdk), &request)
            .await
            .expect("the audit runs")
    });
    assert!(!report.complete);
    let denied: Vec<_> = report
        .errors
        .iter()
        .map(|e| {
            (
                e.operation.as_str(),
                e.resource_id.as_deref(),
                e.code.as_str(),
                e.required_permission.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        denied,
        [
            (
                "GetAccountAuthorizationDetails",
                None,
                "AccessDenied",
                Some("iam:GetAccountAuthorizationDetails")
            ),
            (
                "GetBucketVersioning",
                Some("denied-a"),
                "AccessDenied",
                Some("s3:GetBucketVersioning")
            ),
            (
                "GetBucketVersioning",
                Some("denied-b"),
                "AccessDenied",
                Some("s3:GetBucketVersioning")
            ),
        ]
    );
    // The compliance views say so: what a denied read maps to is not evaluated, never a pass,
    // while a check that read everything it needed still decides its requirement.
    let status = |framework: &str, id: &str| {
        let framework = secaudit::compliance::frameworks::find(framework).unwrap();
        let view = secaudit::compliance::evaluate(framework, report.evidence());
        view.requirements
            .iter()
            .find(|r| r.id == id)
            .map(|r| r.status)
            .unwrap()
    };
    use secaudit::compliance::RequirementStatus::NotEvaluated;
    assert_eq!(
        status("cis-aws-3.0", "1.16"),
        NotEvaluated,
        "iam.admin_access"
    );
    assert_eq!(
        status("fsbp", "IAM.2"),
        NotEvaluated,
        "iam.user_direct_policies"
    );
    // A denial on one bucket's versioning hides nothing of a check that read that bucket.
    assert_ne!(
        status("fsbp", "S3.8"),
        NotEvaluated,
        "s3.public_access_block read both"
    );
    let checks = |id: &str| report.results.iter().filter(|r| r.check_id == id).count();
    // Denied: no verdicts at all, in particular no passes.
    assert_eq!(checks("s3.versioning"), 0);
    assert_eq!(checks("iam.admin_access"), 0);
    // Allowed: evaluated as usual.
    assert_eq!(checks("s3.default_encryption"), 2);
    assert_eq!(checks("s3.public_access_block"), 2);
    assert!(checks("sg.all_ports_open") >= 1);
    assert!(report.score.overall.is_some());

    let table = secaudit::render::table::render(&report);
    assert!(table.contains("INCOMPLETE: 3 error(s)"), "{table}");
    assert!(
        table.contains("Grant the auditing principal iam:GetAccountAuthorizationDetails, s3:GetBucketVersioning"),
        "{table}"
    );
}
