//! ElastiCache (node-based caches): automatic backups, automatic minor version upgrades and
//! custom subnet groups, for cache clusters and Valkey or Redis OSS replication groups.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["elasticache"],
    permissions: &[
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
        "elasticache:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub cache_clusters: Vec<CacheCluster>,
    pub replication_groups: Vec<ReplicationGroup>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.cache_clusters.extend(other.cache_clusters);
        self.replication_groups.extend(other.replication_groups);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.cache_clusters, in_environment, |c| {
            c.tags.as_ref()
        });
        retain_tagged(&mut self.replication_groups, in_environment, |g| {
            g.tags.as_ref()
        });
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.cache_clusters {
            if let Some(tags) = &c.tags {
                found(&c.region, CacheCluster::RESOURCE_TYPE, &c.id, tags);
            }
        }
        for g in &self.replication_groups {
            if let Some(tags) = &g.tags {
                found(&g.region, ReplicationGroup::RESOURCE_TYPE, &g.id, tags);
            }
        }
    }
}

/// A cache cluster: a stand-alone Memcached, Valkey or Redis OSS cluster, or a member (a node
/// group's node) of a replication group.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CacheCluster {
    pub id: String,
    pub region: String,
    pub arn: String,
    /// `redis`, `valkey` or `memcached`.
    pub engine: String,
    pub engine_version: Option<String>,
    /// Set on a member of a replication group: its backups are the group's.
    pub replication_group: Option<String>,
    /// `SnapshotRetentionLimit` in days (0: no automatic backups).
    pub snapshot_retention_days: Option<i32>,
    pub auto_minor_version_upgrade: Option<bool>,
    /// `CacheSubnetGroupName`; `None` when the answer names none.
    pub subnet_group: Option<String>,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// cluster); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl CacheCluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::ElastiCache::CacheCluster";
}

/// A Valkey or Redis OSS replication group (Memcached has none).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReplicationGroup {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub engine: Option<String>,
    /// `SnapshotRetentionLimit` in days (0: no automatic backups).
    pub snapshot_retention_days: Option<i32>,
    /// The member cache clusters' ids.
    pub members: Vec<String>,
    /// As for [`CacheCluster::tags`].
    pub tags: Option<Tags>,
}

impl ReplicationGroup {
    pub const RESOURCE_TYPE: &'static str = "AWS::ElastiCache::ReplicationGroup";
}
