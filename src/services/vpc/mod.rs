//! VPCs and their flow logs, read through the EC2 API.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ec2"],
    permissions: &["ec2:DescribeVpcs", "ec2:DescribeFlowLogs"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub vpcs: Vec<Vpc>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.vpcs.extend(other.vpcs);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.vpcs, in_environment, |r| Some(&r.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.vpcs {
            found(&r.region, Vpc::RESOURCE_TYPE, &r.id, &r.tags);
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
