//! Database Migration Service: whether replication instances are publicly accessible.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["dms"],
    permissions: &[
        "dms:DescribeReplicationInstances",
        "dms:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub replication_instances: Vec<ReplicationInstance>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.replication_instances
            .extend(other.replication_instances);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.replication_instances, in_environment, |r| {
            r.tags.as_ref()
        });
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.replication_instances {
            if let Some(tags) = &r.tags {
                found(&r.region, ReplicationInstance::RESOURCE_TYPE, &r.id, tags);
            }
        }
    }
}

/// A replication instance as DescribeReplicationInstances reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationInstance {
    /// `ReplicationInstanceIdentifier` (the resource id in results).
    pub id: String,
    pub region: String,
    pub arn: String,
    pub publicly_accessible: bool,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// instance); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl ReplicationInstance {
    pub const RESOURCE_TYPE: &'static str = "AWS::DMS::ReplicationInstance";
}
