//! EMR: block public access on in every region, and no public address on an active cluster's
//! primary node.

use super::{BlockPublicAccess, Cluster};
use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&BLOCK_PUBLIC_ACCESS, &PRIMARY_NODE_NO_PUBLIC_IP];

/// The one port AWS's rule lets block public access permit (SSH, EMR's own default).
const SSH: (i32, i32) = (22, 22);

/// FSBP EMR.2, AWS Config rule `emr-block-public-access` (no parameters): NON_COMPLIANT when
/// `BlockPublicSecurityGroupRules` is false, or when it is true and
/// `PermittedPublicSecurityGroupRuleRanges` permits a port other than 22.
/// <https://docs.aws.amazon.com/config/latest/developerguide/emr-block-public-access.html>
const BLOCK_PUBLIC_ACCESS: Check = Check {
    id: "emr.block_public_access",
    service: Service::Emr,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "EMR block public access is on in every region, permitting port 22 at most",
    rationale: "Block public access stops EMR from starting a cluster whose security groups admit the internet (0.0.0.0/0 or ::/0). Without it one permissive group exposes the cluster's web interfaces and Hadoop services, which run with little or no authentication by default.",
    remediation: "aws emr put-block-public-access-configuration --block-public-access-configuration BlockPublicSecurityGroupRules=true,PermittedPublicSecurityGroupRuleRanges=[{MinRange=22,MaxRange=22}] in each region.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html#emr-2",
    fsbp: &["EMR.2"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "elasticmapreduce.amazonaws.com",
        names: &["PutBlockPublicAccessConfiguration"],
    }],
    reads: &[Read::all("elasticmapreduce:GetBlockPublicAccessConfiguration")],
    evaluate: block_public_access,
};

/// FSBP EMR.1, AWS Config rule `emr-master-no-public-ip` (no parameters): a cluster in the
/// `RUNNING` or `WAITING` state fails when a primary (master) node has a public IP address.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/emr-controls.html#emr-1>
const PRIMARY_NODE_NO_PUBLIC_IP: Check = Check {
    id: "emr.primary_node_no_public_ip",
    service: Service::Emr,
    severity: Severity::High,
    resource_types: &[Cluster::RESOURCE_TYPE],
    title: "Active EMR clusters' primary nodes have no public IP address",
    rationale: "The primary node runs the cluster's resource manager and web interfaces; with a public address, its security groups are all that separates them from the internet.",
    remediation: "Launch clusters in a private subnet (with a NAT gateway or VPC endpoints for the services they use); a running cluster's subnet cannot be changed, so recreate it there.",
    reference: "https://docs.aws.amazon.com/emr/latest/ManagementGuide/emr-clusters-in-a-vpc.html",
    fsbp: &["EMR.1"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "elasticmapreduce.amazonaws.com",
        names: &["RunJobFlow", "TerminateJobFlows"],
    }],
    reads: &[
        Read::all("elasticmapreduce:ListClusters"),
        Read::each("elasticmapreduce:DescribeCluster"),
        Read::each("elasticmapreduce:ListInstances"),
    ],
    evaluate: primary_node_no_public_ip,
};

fn block_public_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, setting) in &inventory.emr.block_public_access {
        let BlockPublicAccess {
            block_public_security_group_rules: blocks,
            permitted_ranges,
        } = setting;
        let beyond_ssh: Vec<String> = (permitted_ranges.iter())
            .filter(|range| **range != SSH)
            .map(|(from, to)| match from == to {
                true => from.to_string(),
                false => format!("{from}-{to}"),
            })
            .collect();
        verdicts.judge_account(
            region,
            *blocks && beyond_ssh.is_empty(),
            || format!("EMR block public access is on in {region}, permitting port 22 at most."),
            || match blocks {
                false => format!("EMR block public access is off in {region}: a cluster may start with security groups open to the internet."),
                true => format!("EMR block public access in {region} also permits port(s) {} from the internet.", beyond_ssh.join(", ")),
            },
        );
    }
}

fn primary_node_no_public_ip(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.emr.clusters {
        let Some(addresses) = &cluster.master_public_ips else {
            continue;
        };
        let resource = Resource {
            resource_type: Cluster::RESOURCE_TYPE,
            id: &cluster.id,
            name: Some(&cluster.name),
            arn: Some(&cluster.arn),
            region: &cluster.region,
        };
        verdicts.judge(
            &resource,
            addresses.is_empty(),
            || "The primary node has no public IP address.".into(),
            || {
                format!(
                    "The primary node has public IP address(es) {}.",
                    addresses.join(", ")
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{BlockPublicAccess, Cluster};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{emr, Inventory};

    fn setting(blocks: bool, ranges: &[(i32, i32)]) -> BlockPublicAccess {
        BlockPublicAccess {
            block_public_security_group_rules: blocks,
            permitted_ranges: ranges.to_vec(),
        }
    }

    fn cluster(id: &str, addresses: Option<&[&str]>) -> Cluster {
        Cluster {
            id: id.into(),
            name: format!("{id}-name"),
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticmapreduce:us-east-1:123456789012:cluster/{id}"),
            master_public_ips: addresses.map(|a| a.iter().map(|s| s.to_string()).collect()),
            tags: Default::default(),
        }
    }

    /// us-east-1 the default (port 22 only), eu-west-1 off, ap-south-1 on but also 8080-8088,
    /// us-west-2 on with nothing permitted.
    fn inventory() -> Inventory {
        Inventory::from(emr::Inventory {
            block_public_access: [
                ("us-east-1", setting(true, &[(22, 22)])),
                ("eu-west-1", setting(false, &[(22, 22)])),
                ("ap-south-1", setting(true, &[(22, 22), (8080, 8088)])),
                ("us-west-2", setting(true, &[])),
            ]
            .map(|(region, setting)| (region.to_string(), setting))
            .into(),
            clusters: vec![
                cluster("j-PRIVATE", Some(&[])),
                cluster("j-PUBLIC", Some(&["54.1.2.3"])),
                cluster("j-UNREAD", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let account = |region, expected| Case {
            check: "emr.block_public_access",
            resource_id: "123456789012",
            expected,
            inventory,
            region: Some(region),
        };
        let cluster = |resource_id, expected| Case {
            check: "emr.primary_node_no_public_ip",
            resource_id,
            expected,
            inventory,
            region: None,
        };
        vec![
            account("us-east-1", Status::Pass),
            account("us-west-2", Status::Pass),
            account("eu-west-1", Status::Fail),
            account("ap-south-1", Status::Fail),
            cluster("j-PRIVATE", Status::Pass),
            cluster("j-PUBLIC", Status::Fail),
        ]
    }

    #[test]
    fn unread_nodes_give_no_verdict_and_extra_ports_are_named() {
        let results = run(&inventory());
        none(&results, "emr.primary_node_no_public_ip", "j-UNREAD");
        let regional = results
            .iter()
            .find(|r| r.check_id == "emr.block_public_access" && r.region == "ap-south-1")
            .unwrap();
        assert!(regional.detail.contains("8080-8088"), "{}", regional.detail);
        let public = only(&results, "emr.primary_node_no_public_ip", "j-PUBLIC");
        assert!(public.detail.contains("54.1.2.3"));
    }
}
