//! EMR: the account's block public access setting in each region, and public IP addresses on
//! active clusters' primary nodes.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["elasticmapreduce"],
    permissions: &[
        "elasticmapreduce:GetBlockPublicAccessConfiguration",
        "elasticmapreduce:ListClusters",
        "elasticmapreduce:DescribeCluster",
        "elasticmapreduce:ListInstances",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region; a region missing could not be read.
    pub block_public_access: BTreeMap<String, BlockPublicAccess>,
    /// Clusters in the `RUNNING` or `WAITING` state (the only ones EMR.1 judges).
    pub clusters: Vec<Cluster>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.block_public_access.extend(other.block_public_access);
        self.clusters.extend(other.clusters);
    }

    /// The block public access setting belongs to the account, in no environment.
    fn retain_environment(&mut self, in_environment: InEnvironment) {
        self.block_public_access.clear();
        retain_tagged(&mut self.clusters, in_environment, |c| Some(&c.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.clusters {
            found(&c.region, Cluster::RESOURCE_TYPE, &c.id, &c.tags);
        }
    }
}

/// GetBlockPublicAccessConfiguration: whether EMR refuses to start a cluster whose security
/// groups let in the world (`0.0.0.0/0`, `::/0`) on ports outside the permitted ranges.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BlockPublicAccess {
    pub block_public_security_group_rules: bool,
    /// `PermittedPublicSecurityGroupRuleRanges`: (first port, last port).
    pub permitted_ranges: Vec<(i32, i32)>,
}

/// An active cluster and the public addresses of its primary (master) nodes.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cluster {
    /// `j-…` (the resource id in results).
    pub id: String,
    pub name: String,
    pub region: String,
    pub arn: String,
    /// The primary nodes' public IP addresses (empty: none has one); `None`: they could not
    /// be read (no verdict).
    pub master_public_ips: Option<Vec<String>>,
    /// DescribeCluster carries them; empty when it could not be read.
    pub tags: Tags,
}

impl Cluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::EMR::Cluster";
}
