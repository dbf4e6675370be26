//! Build and data pipelines (CodeBuild, DMS, EMR, MSK): the FSBP critical controls on the
//! seeded account.

use super::{detail, full, status, Fail, Pass};

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
    let in_region = |region: &str| {
        let found: Vec<_> = (report.results.iter())
            .filter(|r| r.check_id == "emr.block_public_access" && r.region == region)
            .collect();
        assert_eq!(found.len(), 1, "{region}: {found:#?}");
        found[0].status
    };
    assert_eq!(in_region("us-east-1"), Fail);
    assert_eq!(in_region("eu-west-1"), Pass);
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
