//! MSK clusters: public access off.

use super::Cluster;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&PUBLIC_ACCESS_DISABLED];

/// FSBP MSK.4, AWS Config rule `msk-cluster-public-access-disabled` (no parameters):
/// NON_COMPLIANT when a cluster's public access is not disabled. `DISABLED` is the only value
/// that passes; a cluster whose answer names no public access has it off (MSK's default).
/// <https://docs.aws.amazon.com/config/latest/developerguide/msk-cluster-public-access-disabled.html>
const PUBLIC_ACCESS_DISABLED: Check = Check {
    id: "msk.public_access_disabled",
    service: Service::Msk,
    severity: Severity::Critical,
    resource_types: &[Cluster::RESOURCE_TYPE],
    title: "MSK clusters have public access turned off",
    rationale: "With public access on, every broker gets an Elastic IP address and a public endpoint: the cluster's topics are then guarded by its client authentication and security groups alone.",
    remediation: "aws kafka update-connectivity --cluster-arn <arn> --current-version <version> --connectivity-info '{\"PublicAccess\":{\"Type\":\"DISABLED\"}}', and reach the cluster through the VPC (multi-VPC private connectivity for other accounts).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/msk-controls.html#msk-4",
    fsbp: &["MSK.4"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "kafka.amazonaws.com",
        names: &["CreateCluster", "CreateClusterV2", "UpdateConnectivity", "DeleteCluster"],
    }],
    reads: &[Read::all("kafka:ListClustersV2")],
    evaluate: public_access_disabled,
};

fn public_access_disabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.msk.clusters {
        let resource = Resource {
            resource_type: Cluster::RESOURCE_TYPE,
            id: &cluster.name,
            name: None,
            arn: Some(&cluster.arn),
            region: &cluster.region,
        };
        let access = cluster.public_access.as_deref();
        verdicts.judge(
            &resource,
            access.is_none_or(|a| a == "DISABLED"),
            || match access {
                Some(_) => "Public access is DISABLED: the brokers are reachable from their VPC only.".into(),
                None => "No public access is configured (off by default): the brokers are reachable from their VPC only.".into(),
            },
            || format!("Public access is {}: the brokers have public endpoints.", access.unwrap_or_default()),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Cluster;
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::{msk, Inventory};

    fn cluster(name: &str, public_access: Option<&str>) -> Cluster {
        Cluster {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:kafka:us-east-1:123456789012:cluster/{name}/0000"),
            public_access: public_access.map(str::to_string),
            tags: Default::default(),
        }
    }

    fn clusters() -> Inventory {
        Inventory::from(msk::Inventory {
            clusters: vec![
                cluster("private", Some("DISABLED")),
                cluster("unset", None),
                cluster("public", Some("SERVICE_PROVIDED_EIPS")),
                // A value AWS may add later is not "disabled".
                cluster("future", Some("SOMETHING_NEW")),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("private", Status::Pass),
            ("unset", Status::Pass),
            ("public", Status::Fail),
            ("future", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: "msk.public_access_disabled",
            resource_id,
            expected,
            inventory: clusters,
            region: None,
        })
        .into()
    }
}
