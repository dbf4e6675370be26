//! The services added for FSBP's critical and high controls (CodeBuild, DMS, EMR, MSK, SageMaker,
//! AppSync, Elastic Beanstalk, Inspector, Macie) and CIS v7.0's automated recommendations (EFS,
//! IAM Access Analyzer, Security Hub) on the seeded account.

use secaudit::model::Status;
use secaudit::report::Report;

use super::{detail, full, status, Fail, Pass};

/// The one verdict of an account-level `check` in `region`.
fn in_region(report: &Report, check: &str, region: &str) -> Status {
    let found: Vec<_> = (report.results.iter())
        .filter(|r| r.check_id == check && r.region == region)
        .collect();
    assert_eq!(found.len(), 1, "{check} in {region}: {found:#?}");
    found[0].status
}

/// CodeBuild.1 and .2: the secret values seeded never reach the report.
#[test]
fn codebuild_projects() {
    let report = full();
    for check in [
        "codebuild.source_url_credentials",
        "codebuild.plaintext_aws_credentials",
    ] {
        assert_eq!(status(report, check, "build-app"), Pass, "{check}");
        assert_eq!(status(report, check, "build-legacy"), Fail, "{check}");
    }
    let url = detail(report, "codebuild.source_url_credentials", "build-legacy");
    assert!(
        url.contains("https://***@bitbucket.org/acme/legacy.git"),
        "{url}"
    );
    let json = serde_json::to_string(report).unwrap();
    assert!(!json.contains("not-a-real-password") && !json.contains("not-a-real-secret"));
}

/// DMS.1.
#[test]
fn dms_replication_instances() {
    let report = full();
    let check = "dms.replication_instance_not_public";
    assert_eq!(status(report, check, "migrate-private"), Pass);
    assert_eq!(status(report, check, "migrate-public"), Fail);
}

/// EMR.2 per region (turned off in us-east-1, AWS's default in eu-west-1) and EMR.1 (moto
/// gives every primary node a public address).
#[test]
fn emr_block_public_access_and_primary_nodes() {
    let report = full();
    let check = "emr.block_public_access";
    assert_eq!(in_region(report, check, "us-east-1"), Fail);
    assert_eq!(in_region(report, check, "eu-west-1"), Pass);
    let cluster = (report.results.iter())
        .find(|r| r.check_id == "emr.primary_node_no_public_ip")
        .expect("the running cluster is judged");
    assert_eq!(cluster.status, Fail, "{}", cluster.detail);
    assert_eq!(cluster.resource_name.as_deref(), Some("analytics"));
}

/// MSK.4.
#[test]
fn msk_clusters() {
    let report = full();
    let check = "msk.public_access_disabled";
    assert_eq!(status(report, check, "events-private"), Pass);
    assert_eq!(status(report, check, "events-public"), Fail);
}

/// Inspector.1–.4: EC2 and ECR activated in us-east-1 only.
#[test]
fn inspector_scan_types_per_region() {
    let report = full();
    for check in ["inspector.ec2_scanning", "inspector.ecr_scanning"] {
        assert_eq!(in_region(report, check, "us-east-1"), Pass, "{check}");
        assert_eq!(in_region(report, check, "eu-west-1"), Fail, "{check}");
    }
    for check in [
        "inspector.lambda_code_scanning",
        "inspector.lambda_standard_scanning",
    ] {
        assert_eq!(in_region(report, check, "us-east-1"), Fail, "{check}");
    }
}

/// SageMaker.1–.3 on the two notebooks.
#[test]
fn sagemaker_notebooks() {
    let report = full();
    for check in [
        "sagemaker.notebook_no_direct_internet_access",
        "sagemaker.notebook_in_vpc",
        "sagemaker.notebook_no_root_access",
    ] {
        assert_eq!(status(report, check, "research-private"), Pass, "{check}");
        assert_eq!(status(report, check, "research-open"), Fail, "{check}");
    }
}

/// AppSync.5: an API key as an additional provider fails too.
#[test]
fn appsync_authentication() {
    let report = full();
    let check = "appsync.no_api_key_authentication";
    let by_name = |name: &str| {
        let result = (report.results.iter())
            .find(|r| r.check_id == check && r.resource_name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no {check} result for {name}"));
        (result.status, result.detail.clone())
    };
    assert_eq!(by_name("orders").0, Pass);
    let (catalog, detail) = by_name("catalog");
    assert_eq!(catalog, Fail);
    assert!(
        detail.contains("additional authentication provider"),
        "{detail}"
    );
}

/// ElasticBeanstalk.2 and .3 (the test server answers DescribeConfigurationSettings).
#[test]
fn elastic_beanstalk_environments() {
    let report = full();
    for check in [
        "elasticbeanstalk.managed_updates",
        "elasticbeanstalk.logs_to_cloudwatch",
    ] {
        assert_eq!(status(report, check, "shop-prod"), Pass, "{check}");
        assert_eq!(status(report, check, "shop-dev"), Fail, "{check}");
    }
}

/// Macie.1 and .2: on with automated discovery in us-east-1, not enabled in eu-west-1 (the
/// test server answers as AWS: AccessDeniedException "Macie is not enabled.", no error entry).
#[test]
fn macie_per_region() {
    let report = full();
    assert_eq!(in_region(report, "macie.enabled", "us-east-1"), Pass);
    assert_eq!(in_region(report, "macie.enabled", "eu-west-1"), Fail);
    assert_eq!(
        in_region(report, "macie.automated_discovery", "us-east-1"),
        Pass
    );
    assert!(!report
        .results
        .iter()
        .any(|r| r.check_id == "macie.automated_discovery" && r.region == "eu-west-1"));
}

/// CIS v3.0 2.4.1 / v7.0 3.3.1 and FSBP EFS.1.
#[test]
fn efs_file_systems() {
    let report = full();
    let by_name = |name: &str| {
        (report.results.iter())
            .find(|r| r.check_id == "efs.encrypted" && r.resource_name.as_deref() == Some(name))
            .unwrap_or_else(|| panic!("no efs.encrypted result for {name}"))
            .status
    };
    assert_eq!(by_name("shared-home"), Pass);
    assert_eq!(by_name("scratch"), Fail);
}

/// CIS v3.0 1.20 / v7.0 2.18 (the test server answers Access Analyzer).
#[test]
fn access_analyzer_per_region() {
    let report = full();
    assert_eq!(
        in_region(report, "accessanalyzer.enabled", "us-east-1"),
        Pass
    );
    assert_eq!(
        in_region(report, "accessanalyzer.enabled", "eu-west-1"),
        Fail
    );
}

/// CIS v3.0 4.16 / v7.0 5.16: "not subscribed" is Security Hub's answer, not an error.
#[test]
fn security_hub_per_region() {
    let report = full();
    assert_eq!(in_region(report, "securityhub.enabled", "us-east-1"), Pass);
    assert_eq!(in_region(report, "securityhub.enabled", "eu-west-1"), Fail);
}

/// FSBP Config.1 asks for AWS Config's service-linked role, which the demo's recorder uses.
#[test]
fn the_config_recorder_uses_the_service_linked_role() {
    let recorder = full()
        .results
        .iter()
        .find(|r| r.check_id == "config.recorder_enabled" && r.region == "us-east-1")
        .unwrap();
    assert_eq!(recorder.status, Pass);
    assert!(
        !recorder.facts.iter().any(|f| f.contains("service-linked")),
        "{:?}",
        recorder.facts
    );
}
