//! Snapshot block public access against the emulator: in `block-all-sharing` mode a snapshot
//! whose permissions still say public is not publicly available, and passes saying so.

use crate::support;

use aws_sdk_ec2::types::{OperationType, SnapshotAttributeName, SnapshotBlockPublicAccessState};
use secaudit::aws::Clients;
use secaudit::model::Status;
use secaudit::report::Report;
use secaudit::request::{parse_services, AuditRequest, RegionSelection};
use support::{block_on, MotoServer};

fn verdict(report: &Report, snapshot: &str) -> (Status, String) {
    let result = report
        .results
        .iter()
        .find(|r| r.check_id == "ec2.ebs_snapshot_public" && r.resource_id == snapshot)
        .unwrap_or_else(|| panic!("no verdict for {snapshot}: {:#?}", report.results));
    (result.status, result.detail.clone())
}

#[test]
fn a_public_snapshot_passes_once_all_sharing_is_blocked() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let request = AuditRequest {
        services: parse_services(&["ec2"]).unwrap(),
        regions: RegionSelection::Listed(vec!["us-east-1".into()]),
        ..AuditRequest::default()
    };
    let (snapshot, before, after) = block_on(async {
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let volume = ec2
            .create_volume()
            .availability_zone("us-east-1a")
            .size(1)
            .send()
            .await
            .expect("volume")
            .volume_id
            .expect("volume id");
        let snapshot = ec2
            .create_snapshot()
            .volume_id(volume)
            .send()
            .await
            .expect("snapshot")
            .snapshot_id
            .expect("snapshot id");
        ec2.modify_snapshot_attribute()
            .snapshot_id(&snapshot)
            .attribute(SnapshotAttributeName::CreateVolumePermission)
            .operation_type(OperationType::Add)
            .group_names("all")
            .send()
            .await
            .expect("make public");
        let clients = Clients::from_sdk_config(sdk.clone());
        let before = crate::support::audit_with_defaults(&clients, &request)
            .await
            .expect("audit");
        ec2.enable_snapshot_block_public_access()
            .state(SnapshotBlockPublicAccessState::BlockAllSharing)
            .send()
            .await
            .expect("block all sharing");
        let after = crate::support::audit_with_defaults(&clients, &request)
            .await
            .expect("audit");
        (snapshot, before, after)
    });
    for report in [&before, &after] {
        assert!(report.complete, "{:#?}", report.errors);
    }
    let (status, detail) = verdict(&before, &snapshot);
    assert_eq!(status, Status::Fail, "{detail}");
    assert!(detail.contains("unblocked"), "{detail}");
    let (status, detail) = verdict(&after, &snapshot);
    assert_eq!(status, Status::Pass, "{detail}");
    assert!(detail.contains("not publicly available"), "{detail}");
    // FSBP EC2.182: the region's setting itself.
    let setting = |report: &Report| {
        let result = report
            .results
            .iter()
            .find(|r| r.check_id == "ec2.snapshot_block_public_access")
            .expect("a verdict on the region's setting");
        (result.region.clone(), result.status)
    };
    assert_eq!(setting(&before), ("us-east-1".into(), Status::Fail));
    assert_eq!(setting(&after), ("us-east-1".into(), Status::Pass));
}
