//! Network ACLs open to the internet on the remote administration ports: CIS AWS Foundations
//! v3.0.0 5.1 (v7.0.0 6.2) audits inbound entries allowing `0.0.0.0/0` on 22 or 3389 (TCP,
//! UDP or all protocols). A network ACL decides by its first matching entry in rule-number
//! order (VPC User Guide, "Network ACL rules"), so an earlier Deny of the same traffic closes
//! a later Allow; only entries from the whole internet (`0.0.0.0/0`, `::/0`) are about it.

use super::{AclEntry, NetworkAcl};
use crate::model::Severity;
use crate::services::checks::{
    enumerate, Check, CheckOptions, EventTrigger, Read, Resource, Verdicts,
};
use crate::services::{Inventory, Service};

const ADMIN_PORTS: [u16; 2] = [22, 3389];

/// What changes a network ACL's entries or which subnets use it.
const ACL_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "CreateNetworkAcl",
        "DeleteNetworkAcl",
        "CreateNetworkAclEntry",
        "ReplaceNetworkAclEntry",
        "DeleteNetworkAclEntry",
        "ReplaceNetworkAclAssociation",
        "CreateVpc",
        "CreateDefaultVpc",
        "DeleteVpc",
    ],
}];

pub(super) const NACL_ADMIN_PORTS: Check = Check {
    id: "vpc.nacl_admin_ports",
    service: Service::Vpc,
    severity: Severity::Medium,
    resource_types: &[NetworkAcl::RESOURCE_TYPE],
    title: "Network ACLs do not admit the internet to SSH or RDP",
    rationale: "A network ACL is the subnet's stateless filter: one that lets the whole \
                internet reach ports 22 and 3389 leaves only the security groups between \
                every scanner and the instances' remote administration.",
    remediation: "Add an inbound Deny entry for TCP 22 and 3389 from 0.0.0.0/0 and ::/0 with a \
                  lower rule number than the Allow, or narrow the Allow's CIDR: aws ec2 \
                  create-network-acl-entry --ingress --rule-action deny.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html",
    fsbp: &[],
    cis: &["5.1"],
    triggers: ACL_CHANGES,
    reads: &[Read::all("ec2:DescribeNetworkAcls")],
    evaluate: nacl_admin_ports,
};

/// Whether `entry` matches `protocol` (`6`, `17`) traffic to `port`.
fn matches(entry: &AclEntry, protocol: &str, port: u16) -> bool {
    entry.protocol == "-1"
        || (entry.protocol == protocol
            && entry
                .ports
                .is_some_and(|(from, to)| from <= port && port <= to))
}

/// The entry as a fact (`0.0.0.0/0 tcp 22`, `::/0 all traffic`), as the security group facts
/// read back by `sg::fact_admits`.
fn fact(entry: &AclEntry) -> String {
    let reach = match (entry.protocol.as_str(), entry.ports) {
        ("-1", _) => "all traffic".to_string(),
        (protocol, Some((from, to))) => {
            let name = if protocol == "6" { "tcp" } else { "udp" };
            if from == to {
                format!("{name} {from}")
            } else {
                format!("{name} {from}-{to}")
            }
        }
        (protocol, None) => format!("protocol {protocol}"),
    };
    format!("{} {reach}", entry.cidr)
}

/// The Allow entries from the whole internet that decide some administration traffic.
fn world_admin_entries(acl: &NetworkAcl) -> Vec<&AclEntry> {
    let mut deciding: Vec<&AclEntry> = Vec::new();
    for world in ["0.0.0.0/0", "::/0"] {
        for protocol in ["6", "17"] {
            for port in ADMIN_PORTS {
                let first = acl
                    .ingress
                    .iter()
                    .find(|e| e.cidr == world && matches(e, protocol, port));
                if let Some(entry) = first.filter(|e| e.allow) {
                    if !deciding.contains(&entry) {
                        deciding.push(entry);
                    }
                }
            }
        }
    }
    deciding
}

fn nacl_admin_ports(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for acl in &inventory.vpc.network_acls {
        let resource = Resource {
            resource_type: NetworkAcl::RESOURCE_TYPE,
            id: &acl.id,
            name: None,
            arn: Some(&acl.arn),
            region: &acl.region,
        };
        let open = world_admin_entries(acl);
        let facts: Vec<String> = open.iter().map(|e| fact(e)).collect();
        let described: Vec<String> = open
            .iter()
            .map(|e| format!("rule {} allows {}", e.rule_number, fact(e)))
            .collect();
        let used_by = match acl.subnets {
            0 => "no subnet".to_string(),
            1 => "1 subnet".to_string(),
            n => format!("{n} subnets"),
        };
        verdicts.judge_with_facts(
            &resource,
            open.is_empty(),
            || "No entry lets the internet reach port 22 or 3389 first.".into(),
            || {
                format!(
                    "Inbound {} (used by {used_by} of {}).",
                    enumerate(&described, 3),
                    acl.vpc_id
                )
            },
            facts,
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::vpc;

    fn entry(
        rule: i32,
        allow: bool,
        protocol: &str,
        cidr: &str,
        ports: Option<(u16, u16)>,
    ) -> AclEntry {
        AclEntry {
            rule_number: rule,
            allow,
            protocol: protocol.into(),
            cidr: cidr.into(),
            ports,
        }
    }

    fn acl(id: &str, ingress: Vec<AclEntry>) -> NetworkAcl {
        NetworkAcl {
            id: id.into(),
            region: "us-east-1".into(),
            vpc_id: "vpc-1".into(),
            subnets: 1,
            ingress,
            ..Default::default()
        }
    }

    fn acls() -> Inventory {
        let deny_last = entry(32767, false, "-1", "0.0.0.0/0", None);
        Inventory::from(vpc::Inventory {
            network_acls: vec![
                // The default network ACL: everything from everywhere.
                acl(
                    "acl-default",
                    vec![entry(100, true, "-1", "0.0.0.0/0", None), deny_last.clone()],
                ),
                // SSH denied before the broad Allow, RDP only from the office.
                acl(
                    "acl-guarded",
                    vec![
                        entry(90, false, "6", "0.0.0.0/0", Some((22, 22))),
                        entry(91, false, "17", "0.0.0.0/0", Some((22, 22))),
                        entry(92, true, "6", "203.0.113.0/24", Some((3389, 3389))),
                        entry(100, true, "6", "0.0.0.0/0", Some((443, 443))),
                        deny_last.clone(),
                    ],
                ),
                // Only the IPv6 internet on RDP.
                acl(
                    "acl-v6",
                    vec![entry(100, true, "6", "::/0", Some((3380, 3390))), deny_last],
                ),
            ],
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("acl-default", Status::Fail),
            ("acl-guarded", Status::Pass),
            ("acl-v6", Status::Fail),
        ]
        .into_iter()
        .map(|(resource_id, expected)| Case {
            check: "vpc.nacl_admin_ports",
            resource_id,
            expected,
            inventory: acls,
            region: None,
        })
        .collect()
    }

    /// CIS 5.1 judges `0.0.0.0/0` only: the IPv6-only ACL fails the check, not the
    /// recommendation; the facts say which.
    #[test]
    fn facts_name_the_deciding_entries_for_the_cis_view() {
        let results = run(&acls());
        let v6 = only(&results, "vpc.nacl_admin_ports", "acl-v6");
        assert_eq!(v6.facts, ["::/0 tcp 3380-3390"]);
        assert_eq!(
            crate::compliance::frameworks::fails_requirement("cis-aws-3.0", "5.1", &v6.facts),
            Some(false)
        );
        let default = only(&results, "vpc.nacl_admin_ports", "acl-default");
        assert_eq!(default.facts, ["0.0.0.0/0 all traffic"]);
        assert!(default
            .detail
            .starts_with("Inbound rule 100 allows 0.0.0.0/0 all traffic"));
        assert_eq!(
            crate::compliance::frameworks::fails_requirement("cis-aws-7.0", "6.2", &default.facts),
            Some(true)
        );
    }
}
