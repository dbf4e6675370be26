//! Redshift (provisioned clusters): public access, enhanced VPC routing, the admin user name,
//! and whether the cluster's VPC security groups open its port to the internet.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::sg::SecurityGroup;
use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["redshift", "ec2"],
    permissions: &["redshift:DescribeClusters", "ec2:DescribeSecurityGroups"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub clusters: Vec<RedshiftCluster>,
    /// The clusters' VPC security groups, read by id (one call per region) whether or not the
    /// `sg` service is audited: `redshift.port_not_open` judges their rules. A group the read
    /// did not return (the call failed, or the answer lacked it) is absent here.
    pub security_groups: Vec<SecurityGroup>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.clusters.extend(other.clusters);
        self.security_groups.extend(other.security_groups);
    }

    /// The groups are evidence for the clusters, not resources of this service: those of the
    /// clusters kept are kept.
    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.clusters, in_environment, |c| Some(&c.tags));
        let clusters = &self.clusters;
        self.security_groups.retain(|group| {
            clusters
                .iter()
                .any(|c| c.region == group.region && c.security_groups.contains(&group.id))
        });
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.clusters {
            found(&c.region, RedshiftCluster::RESOURCE_TYPE, &c.id, &c.tags);
        }
    }
}

/// A provisioned Redshift cluster, as DescribeClusters reports it (tags included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RedshiftCluster {
    pub id: String,
    pub region: String,
    pub arn: String,
    /// `None`: the answer did not say (no verdict).
    pub publicly_accessible: Option<bool>,
    pub enhanced_vpc_routing: Option<bool>,
    /// The admin user (`MasterUsername`).
    pub master_username: Option<String>,
    /// The endpoint's port; `None` while the cluster has no endpoint yet (creating).
    pub port: Option<u16>,
    /// The ids of the active VPC security groups (`VpcSecurityGroups` with status `active`).
    pub security_groups: Vec<String>,
    /// `ipv4` or `dualstack` (`IpAddressType`); `None` when the answer did not say (IPv4, as
    /// before dual-stack clusters existed).
    pub ip_address_type: Option<String>,
    pub tags: Tags,
}

impl RedshiftCluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::Redshift::Cluster";
}
