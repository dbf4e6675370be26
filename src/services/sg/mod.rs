//! Security groups: their ingress and egress rules, read through the EC2 API.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use checks::{fact_admits, ipv4_world_ingress, open_to_ipv4_world_on, open_to_world_on};
pub(crate) use collect::{collect, describe_groups, touched};

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ec2"],
    permissions: &["ec2:DescribeSecurityGroups"],
    checks: checks::CHECKS,
    touched: Some(touched),
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub security_groups: Vec<SecurityGroup>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.security_groups.extend(other.security_groups);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.security_groups, in_environment, |r| Some(&r.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.security_groups {
            found(&r.region, SecurityGroup::RESOURCE_TYPE, &r.id, &r.tags);
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct SecurityGroup {
    pub id: String,
    pub name: String,
    pub vpc_id: Option<String>,
    pub region: String,
    pub arn: String,
    pub ingress: Vec<IngressRule>,
    pub egress: Vec<IngressRule>,
    pub tags: Tags,
}

#[cfg(test)]
impl SecurityGroup {
    /// A group in us-east-1 whose one rule opens tcp `port` to `cidr` (for unit tests).
    pub(crate) fn opening(id: &str, port: i32, cidr: &str) -> SecurityGroup {
        SecurityGroup {
            id: id.into(),
            name: format!("{id}-name"),
            vpc_id: Some("vpc-1".into()),
            region: "us-east-1".into(),
            arn: format!("arn:aws:ec2:us-east-1:123456789012:security-group/{id}"),
            ingress: vec![IngressRule {
                protocol: "tcp".into(),
                from_port: Some(port),
                to_port: Some(port),
                cidrs: vec![cidr.into()],
                other_peers: vec![],
            }],
            ..Default::default()
        }
    }
}

impl SecurityGroup {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::SecurityGroup";

    /// The group AWS creates in every VPC (it cannot be deleted, only emptied).
    pub fn is_vpc_default(&self) -> bool {
        self.name == "default" && self.vpc_id.is_some()
    }
}

/// One permission (ingress or egress) as the API reports it: a protocol, an optional port range,
/// the CIDRs (IPv4 and IPv6), and the other peers: security groups and prefix lists, never
/// "the world" for the exposure checks, but rules all the same.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IngressRule {
    /// `tcp`, `udp`, `icmp`, `icmpv6`, `-1` (all) or an IP protocol number such as `6`.
    pub protocol: String,
    pub from_port: Option<i32>,
    pub to_port: Option<i32>,
    pub cidrs: Vec<String>,
    /// Security-group ids and prefix-list ids.
    pub other_peers: Vec<String>,
}
