//! Chains to data stores: what reaches them.

use super::*;

#[test]
fn a_warehouse_is_reached_over_ipv6_only_when_it_is_dual_stack() {
    use crate::services::redshift::{self as redshift_service, RedshiftCluster};
    let inventory = |cidr: &str, ip_address_type: Option<&str>| Inventory {
        redshift: redshift_service::Inventory {
            clusters: vec![RedshiftCluster {
                id: "dw".into(),
                region: REGION.into(),
                publicly_accessible: Some(true),
                port: Some(5439),
                security_groups: vec!["sg-dw".into()],
                ip_address_type: ip_address_type.map(str::to_string),
                ..Default::default()
            }],
            security_groups: vec![SecurityGroup::opening("sg-dw", 5439, cidr)],
        },
        ..Default::default()
    };
    let kinds = |inventory: &Inventory| -> Vec<ExposureKind> {
        exposures_of(inventory).iter().map(|e| e.kind).collect()
    };
    assert_eq!(
        kinds(&inventory("0.0.0.0/0", Some("ipv4"))),
        [ExposureKind::ReachableWarehouse]
    );
    assert_eq!(kinds(&inventory("::/0", Some("ipv4"))), []);
    assert_eq!(kinds(&inventory("::/0", None)), []);
    assert_eq!(
        kinds(&inventory("::/0", Some("dualstack"))),
        [ExposureKind::ReachableWarehouse]
    );
}
