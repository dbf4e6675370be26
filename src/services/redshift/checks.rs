//! Redshift clusters: not public, enhanced VPC routing, no default admin user, and no security
//! group open to the internet on the cluster port.

use super::RedshiftCluster;
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::sg::{open_to_world_on, SecurityGroup};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &NOT_PUBLIC,
    &ENHANCED_VPC_ROUTING,
    &NO_DEFAULT_ADMIN,
    &PORT_NOT_OPEN,
];

/// What can create, modify, restore or delete a cluster.
const CLUSTER_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "redshift.amazonaws.com",
    names: &[
        "CreateCluster",
        "ModifyCluster",
        "RestoreFromClusterSnapshot",
        "DeleteCluster",
    ],
}];

/// What can change a cluster's port or groups, or the ingress rules of those groups.
const PORT_CHANGES: &[EventTrigger] = &[
    EventTrigger {
        source: "redshift.amazonaws.com",
        names: &[
            "CreateCluster",
            "ModifyCluster",
            "RestoreFromClusterSnapshot",
            "DeleteCluster",
        ],
    },
    EventTrigger {
        source: "ec2.amazonaws.com",
        names: &[
            "AuthorizeSecurityGroupIngress",
            "RevokeSecurityGroupIngress",
            "ModifySecurityGroupRules",
        ],
    },
];

/// The admin user name the console proposes; the Config rule behind Redshift.8
/// (redshift-default-admin-check) fails it:
/// https://docs.aws.amazon.com/config/latest/developerguide/redshift-default-admin-check.html
const DEFAULT_ADMIN: &str = "awsuser";

fn resource(cluster: &RedshiftCluster) -> Resource<'_> {
    Resource {
        resource_type: RedshiftCluster::RESOURCE_TYPE,
        id: &cluster.id,
        name: None,
        arn: Some(&cluster.arn),
        region: &cluster.region,
    }
}

const NOT_PUBLIC: Check = Check {
    id: "redshift.not_public",
    service: Service::Redshift,
    severity: Severity::Critical,
    resource_types: &[RedshiftCluster::RESOURCE_TYPE],
    title: "Redshift clusters are not publicly accessible",
    rationale: "A publicly accessible cluster gets a public address: the data warehouse is one security group rule away from the internet, whatever the groups allow today.",
    remediation: "aws redshift modify-cluster --cluster-identifier <cluster> --no-publicly-accessible, and reach the cluster from inside the VPC (a VPN, a bastion or a Redshift-managed VPC endpoint).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/redshift-controls.html#redshift-1",
    fsbp: &["Redshift.1"],
    cis: &[],
    triggers: CLUSTER_CHANGES,
    reads: &[Read::all("redshift:DescribeClusters")],
    evaluate: not_public,
};

fn not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.redshift.clusters {
        let Some(public) = cluster.publicly_accessible else {
            continue;
        };
        verdicts.judge(
            &resource(cluster),
            !public,
            || "PubliclyAccessible is false: the cluster has no public address.".into(),
            || "PubliclyAccessible is true: the cluster has a public address and only its security groups keep the internet out.".into(),
        );
    }
}

const ENHANCED_VPC_ROUTING: Check = Check {
    id: "redshift.enhanced_vpc_routing",
    service: Service::Redshift,
    severity: Severity::Medium,
    resource_types: &[RedshiftCluster::RESOURCE_TYPE],
    title: "Redshift clusters use enhanced VPC routing",
    rationale: "Without enhanced VPC routing, COPY and UNLOAD traffic to S3 and other services leaves the VPC by the public route, out of reach of its security groups, network ACLs, VPC endpoint policies and flow logs.",
    remediation: "Give the VPC a route to S3 (an S3 gateway endpoint or a NAT gateway), then aws redshift modify-cluster --cluster-identifier <cluster> --enhanced-vpc-routing.",
    reference: "https://docs.aws.amazon.com/redshift/latest/mgmt/enhanced-vpc-routing.html",
    fsbp: &["Redshift.7"],
    cis: &[],
    triggers: CLUSTER_CHANGES,
    reads: &[Read::all("redshift:DescribeClusters")],
    evaluate: enhanced_vpc_routing,
};

fn enhanced_vpc_routing(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.redshift.clusters {
        let Some(enhanced) = cluster.enhanced_vpc_routing else {
            continue;
        };
        verdicts.judge(
            &resource(cluster),
            enhanced,
            || "EnhancedVpcRouting is true: COPY and UNLOAD traffic goes through the VPC.".into(),
            || "EnhancedVpcRouting is false: COPY and UNLOAD traffic takes the public route, outside the VPC's controls and flow logs.".into(),
        );
    }
}

const NO_DEFAULT_ADMIN: Check = Check {
    id: "redshift.no_default_admin",
    service: Service::Redshift,
    severity: Severity::Medium,
    resource_types: &[RedshiftCluster::RESOURCE_TYPE],
    title: "Redshift clusters do not use the default admin user name",
    rationale: "awsuser is the admin user name every Redshift guide and console default proposes: keeping it leaves an attacker only the password to guess.",
    remediation: "The admin user name is set at creation: create a replacement cluster with another --master-username, move the data (snapshot restore into a new cluster does not change it; use UNLOAD and COPY or a datashare), and delete the old cluster.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/redshift-controls.html#redshift-8",
    fsbp: &["Redshift.8"],
    cis: &[],
    triggers: CLUSTER_CHANGES,
    reads: &[Read::all("redshift:DescribeClusters")],
    evaluate: no_default_admin,
};

fn no_default_admin(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.redshift.clusters {
        let Some(admin) = cluster.master_username.as_deref() else {
            continue;
        };
        verdicts.judge(
            &resource(cluster),
            admin != DEFAULT_ADMIN,
            || format!("The admin user is {admin}, not the default {DEFAULT_ADMIN}."),
            || format!("The admin user is the default {DEFAULT_ADMIN}: only its password protects the cluster from a guessed login."),
        );
    }
}

const PORT_NOT_OPEN: Check = Check {
    id: "redshift.port_not_open",
    service: Service::Redshift,
    severity: Severity::High,
    resource_types: &[RedshiftCluster::RESOURCE_TYPE],
    title: "Redshift security groups do not open the cluster port to the internet",
    rationale: "A security group rule that lets 0.0.0.0/0 or ::/0 reach the cluster port exposes the database login to every scanner on the internet as soon as the cluster is reachable.",
    remediation: "Revoke the rule that allows 0.0.0.0/0 or ::/0 on the cluster port (aws ec2 revoke-security-group-ingress) and allow only the clients' CIDRs or security groups.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/redshift-controls.html#redshift-15",
    fsbp: &["Redshift.15"],
    cis: &[],
    triggers: PORT_CHANGES,
    reads: &[Read::all("redshift:DescribeClusters"), Read::all("ec2:DescribeSecurityGroups")],
    evaluate: port_not_open,
};

/// The Config rule behind Redshift.15 (redshift-unrestricted-port-access) fails a cluster whose
/// groups allow unrestricted inbound traffic to the cluster port:
/// https://docs.aws.amazon.com/config/latest/developerguide/redshift-unrestricted-port-access.html
/// No verdict without the port (no endpoint yet) or without every group's rules.
fn port_not_open(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let known = &inventory.redshift.security_groups;
    for cluster in &inventory.redshift.clusters {
        let Some(port) = cluster.port else {
            continue;
        };
        let groups: Option<Vec<&SecurityGroup>> = (cluster.security_groups.iter())
            .map(|id| {
                known
                    .iter()
                    .find(|g| g.id == *id && g.region == cluster.region)
            })
            .collect();
        let Some(groups) = groups else {
            continue;
        };
        let open: Vec<String> = (groups.iter())
            .filter(|g| open_to_world_on(g, port))
            .map(|g| g.id.clone())
            .collect();
        verdicts.judge(
            &resource(cluster),
            open.is_empty(),
            || match groups.len() {
                0 => format!("The cluster has no active VPC security group: nothing opens port {port} to the internet."),
                _ => format!(
                    "No security group of the cluster ({}) opens port {port} to 0.0.0.0/0 or ::/0.",
                    enumerate(&groups.iter().map(|g| g.id.clone()).collect::<Vec<_>>(), 3)
                ),
            },
            || {
                format!(
                    "{} open{} the cluster port {port} to the internet (0.0.0.0/0 or ::/0).",
                    enumerate(&open, 3),
                    if open.len() == 1 { "s" } else { "" }
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::RedshiftCluster;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::sg::{IngressRule, SecurityGroup};
    use crate::services::{redshift, Inventory};

    fn cluster(id: &str, groups: &[&str]) -> RedshiftCluster {
        RedshiftCluster {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:redshift:us-east-1:123456789012:cluster:{id}"),
            publicly_accessible: Some(false),
            enhanced_vpc_routing: Some(true),
            master_username: Some("analyst".into()),
            port: Some(5439),
            security_groups: groups.iter().map(|g| g.to_string()).collect(),
            ip_address_type: Some("ipv4".into()),
            tags: Default::default(),
        }
    }

    fn group(id: &str, protocol: &str, ports: Option<(i32, i32)>, cidr: &str) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: id.into(),
            vpc_id: Some("vpc-1".into()),
            region: "us-east-1".into(),
            ingress: vec![IngressRule {
                protocol: protocol.into(),
                from_port: ports.map(|p| p.0),
                to_port: ports.map(|p| p.1),
                cidrs: vec![cidr.into()],
                other_peers: vec![],
            }],
            ..Default::default()
        }
    }

    fn warehouses() -> Inventory {
        Inventory::from(redshift::Inventory {
            clusters: vec![
                cluster("warehouse", &["sg-internal"]),
                RedshiftCluster {
                    publicly_accessible: Some(true),
                    enhanced_vpc_routing: Some(false),
                    master_username: Some("awsuser".into()),
                    ..cluster("legacy-dw", &["sg-open"])
                },
            ],
            security_groups: vec![
                group("sg-internal", "tcp", Some((5439, 5439)), "10.0.0.0/16"),
                group("sg-open", "tcp", Some((5439, 5439)), "0.0.0.0/0"),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases = Vec::new();
        for check in [
            "redshift.not_public",
            "redshift.enhanced_vpc_routing",
            "redshift.no_default_admin",
            "redshift.port_not_open",
        ] {
            for (resource_id, expected) in
                [("warehouse", Status::Pass), ("legacy-dw", Status::Fail)]
            {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: warehouses,
                    region: None,
                });
            }
        }
        cases
    }

    fn port_verdict(groups: Vec<SecurityGroup>) -> (Status, String) {
        let ids: Vec<String> = groups.iter().map(|g| g.id.clone()).collect();
        let ids: Vec<&str> = ids.iter().map(String::as_str).collect();
        let results = run(&Inventory::from(redshift::Inventory {
            clusters: vec![cluster("dw", &ids)],
            security_groups: groups,
        }));
        let result = only(&results, "redshift.port_not_open", "dw");
        (result.status, result.detail.clone())
    }

    #[test]
    fn a_port_range_covering_the_cluster_port_fails() {
        let (status, detail) = port_verdict(vec![group(
            "sg-range",
            "tcp",
            Some((5000, 6000)),
            "0.0.0.0/0",
        )]);
        assert_eq!(status, Status::Fail);
        assert_eq!(
            detail,
            "sg-range opens the cluster port 5439 to the internet (0.0.0.0/0 or ::/0)."
        );
    }

    #[test]
    fn all_traffic_rules_and_ipv6_world_rules_fail() {
        let (all, _) = port_verdict(vec![group("sg-all", "-1", None, "0.0.0.0/0")]);
        assert_eq!(all, Status::Fail);
        let (ipv6, _) = port_verdict(vec![group("sg-v6", "tcp", Some((5439, 5439)), "::/0")]);
        assert_eq!(ipv6, Status::Fail);
    }

    #[test]
    fn a_group_open_to_the_world_on_another_port_only_passes() {
        let (status, detail) = port_verdict(vec![
            group("sg-ssh", "tcp", Some((22, 22)), "0.0.0.0/0"),
            group("sg-internal", "tcp", Some((5439, 5439)), "10.0.0.0/8"),
        ]);
        assert_eq!(status, Status::Pass, "{detail}");
        assert!(detail.contains("(sg-ssh and sg-internal)"), "{detail}");
    }

    #[test]
    fn unread_groups_and_unknown_ports_give_no_verdict() {
        let results = run(&Inventory::from(redshift::Inventory {
            clusters: vec![
                // One of its groups is missing from the answer (or the read failed).
                cluster("dw-unread", &["sg-internal", "sg-unread"]),
                RedshiftCluster {
                    port: None,
                    ..cluster("dw-creating", &["sg-internal"])
                },
                RedshiftCluster {
                    publicly_accessible: None,
                    enhanced_vpc_routing: None,
                    master_username: None,
                    ..cluster("dw-unknown", &[])
                },
            ],
            security_groups: vec![group(
                "sg-internal",
                "tcp",
                Some((5439, 5439)),
                "10.0.0.0/16",
            )],
        }));
        none(&results, "redshift.port_not_open", "dw-unread");
        none(&results, "redshift.port_not_open", "dw-creating");
        for check in [
            "redshift.not_public",
            "redshift.enhanced_vpc_routing",
            "redshift.no_default_admin",
        ] {
            none(&results, check, "dw-unknown");
        }
        // No VPC security group at all: nothing is open.
        assert_eq!(
            only(&results, "redshift.port_not_open", "dw-unknown").status,
            Status::Pass
        );
    }

    #[test]
    fn a_group_of_the_same_id_in_another_region_does_not_count() {
        let mut elsewhere = group("sg-internal", "tcp", Some((5439, 5439)), "10.0.0.0/16");
        elsewhere.region = "eu-west-1".into();
        let results = run(&Inventory::from(redshift::Inventory {
            clusters: vec![cluster("dw", &["sg-internal"])],
            security_groups: vec![elsewhere],
        }));
        none(&results, "redshift.port_not_open", "dw");
    }

    #[test]
    fn the_environment_filter_keeps_the_groups_of_the_clusters_kept() {
        use crate::services::ServiceInventory;
        let mut inventory = warehouses();
        inventory.redshift.clusters[0].tags =
            [("Environment".to_string(), "prod".to_string())].into();
        inventory
            .redshift
            .retain_environment(&|tags: &crate::model::Tags| {
                tags.get("Environment").is_some_and(|v| v == "prod")
            });
        let ids: Vec<&str> = (inventory.redshift.security_groups.iter())
            .map(|g| g.id.as_str())
            .collect();
        assert_eq!(ids, ["sg-internal"]);
        assert_eq!(inventory.redshift.clusters.len(), 1);
    }
}
