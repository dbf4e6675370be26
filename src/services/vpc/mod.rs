//! VPCs and their flow logs, read through the EC2 API.

mod checks;
mod collect;
mod network_acls;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ec2"],
    permissions: &[
        "ec2:DescribeVpcs",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeNetworkAcls",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub vpcs: Vec<Vpc>,
    /// The network ACLs of the regions where they could be listed.
    pub network_acls: Vec<NetworkAcl>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.vpcs.extend(other.vpcs);
        self.network_acls.extend(other.network_acls);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.vpcs, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.network_acls, in_environment, |r| Some(&r.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.vpcs {
            found(&r.region, Vpc::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.network_acls {
            found(&r.region, NetworkAcl::RESOURCE_TYPE, &r.id, &r.tags);
        }
    }
}

/// A VPC with the flow logs whose resource is the VPC itself.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Vpc {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub is_default: bool,
    pub flow_logs: Vec<FlowLog>,
    pub tags: Tags,
}

impl Vpc {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::VPC";
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlowLog {
    pub id: String,
    /// `ACTIVE` when delivering.
    pub status: String,
    /// `ALL`, `ACCEPT` or `REJECT`.
    pub traffic_type: String,
}

/// A network ACL with its inbound entries.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NetworkAcl {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub vpc_id: String,
    pub is_default: bool,
    /// How many subnets it is associated with.
    pub subnets: usize,
    pub ingress: Vec<AclEntry>,
    pub tags: Tags,
}

impl NetworkAcl {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::NetworkAcl";
}

/// An inbound entry: evaluated in `rule_number` order, the first that matches decides.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AclEntry {
    pub rule_number: i32,
    pub allow: bool,
    /// `-1` (all), `6` (TCP), `17` (UDP), or another protocol number.
    pub protocol: String,
    /// `0.0.0.0/0`, `::/0` or a narrower range.
    pub cidr: String,
    /// TCP and UDP entries: the port range.
    pub ports: Option<(u16, u16)>,
}
