//! Amazon MSK (the Kafka API): whether provisioned clusters' brokers are reachable from the
//! internet.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["kafka"],
    permissions: &["kafka:ListClustersV2"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// Provisioned clusters (serverless ones have no public access to judge).
    pub clusters: Vec<Cluster>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.clusters.extend(other.clusters);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.clusters, in_environment, |c| Some(&c.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.clusters {
            found(&c.region, Cluster::RESOURCE_TYPE, &c.name, &c.tags);
        }
    }
}

/// A provisioned cluster as ListClustersV2 describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cluster {
    /// The cluster name (the resource id in results).
    pub name: String,
    pub region: String,
    pub arn: String,
    /// `ConnectivityInfo.PublicAccess.Type`: `DISABLED` or `SERVICE_PROVIDED_EIPS`, as AWS
    /// writes it; `None` when the answer does not say (public access is off unless turned on).
    pub public_access: Option<String>,
    /// ListClustersV2 carries them: no extra read.
    pub tags: Tags,
}

impl Cluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::MSK::Cluster";
}
