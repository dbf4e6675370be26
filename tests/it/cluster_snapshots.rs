//! Neptune's cluster snapshots through the RDS API (DocumentDB's too, which the emulator
//! rejects): a public one fails Neptune.3, not RDS.1, and DocumentDB.3 has nothing to judge.

use crate::support;

use secaudit::aws::Clients;
use secaudit::compliance::{frameworks, views, RequirementStatus};
use secaudit::model::Status;
use secaudit::request::{parse_services, AuditRequest, RegionSelection};
use support::{block_on, MotoServer};

#[test]
fn a_public_neptune_cluster_snapshot_fails_neptune_3_only() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let report = block_on(async {
        let rds = aws_sdk_rds::Client::new(&sdk);
        rds.create_db_cluster()
            .db_cluster_identifier("graph")
            .engine("neptune")
            .send()
            .await
            .expect("neptune cluster");
        for (snapshot, public) in [("graph-shared", true), ("graph-kept", false)] {
            rds.create_db_cluster_snapshot()
                .db_cluster_identifier("graph")
                .db_cluster_snapshot_identifier(snapshot)
                .send()
                .await
                .expect("cluster snapshot");
            if public {
                rds.modify_db_cluster_snapshot_attribute()
                    .db_cluster_snapshot_identifier(snapshot)
                    .attribute_name("restore")
                    .values_to_add("all")
                    .send()
                    .await
                    .expect("make public");
            }
        }
        let request = AuditRequest {
            services: parse_services(&["rds"]).unwrap(),
            regions: RegionSelection::Listed(vec!["us-east-1".into()]),
            ..AuditRequest::default()
        };
        crate::support::audit_with_defaults(&Clients::from_sdk_config(sdk.clone()), &request)
            .await
            .expect("audit")
    });
    assert!(report.complete, "{:#?}", report.errors);
    let status = |snapshot: &str| {
        report
            .results
            .iter()
            .find(|r| r.check_id == "rds.snapshot_public" && r.resource_id == snapshot)
            .map(|r| (r.status, r.facts.clone()))
    };
    assert_eq!(
        status("graph-shared"),
        Some((Status::Fail, vec!["engine neptune".to_string()]))
    );
    assert_eq!(status("graph-kept").map(|s| s.0), Some(Status::Pass));
    let fsbp = frameworks::find("fsbp").unwrap();
    let view = views([fsbp], report.evidence()).remove(0);
    let requirement = |id: &str| {
        view.requirements
            .iter()
            .find(|r| r.id == id)
            .map(|r| (r.status, r.results.len()))
            .unwrap()
    };
    assert_eq!(requirement("Neptune.3"), (RequirementStatus::Fail, 2));
    // Neptune's snapshots are not RDS.1's.
    assert_eq!(requirement("RDS.1"), (RequirementStatus::Pass, 0));
    assert_eq!(requirement("DocumentDB.3"), (RequirementStatus::Pass, 0));
}
