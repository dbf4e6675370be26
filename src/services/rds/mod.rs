//! RDS: DB instances, Aurora and Multi-AZ DB clusters, and manual and automated snapshots.

mod checks;
mod collect;
mod network;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;
use crate::services::checks::Resource;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["rds"],
    permissions: &[
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBClusterSnapshots",
        "rds:DescribeDBSnapshotAttributes",
        "rds:DescribeDBClusterSnapshotAttributes",
        "ec2:DescribeRouteTables",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub db_instances: Vec<DbInstance>,
    pub db_clusters: Vec<DbCluster>,
    pub db_snapshots: Vec<DbSnapshot>,
    /// By region (read where the region has DB instances; missing: not read or unreadable):
    /// the routes to an internet gateway of each subnet.
    pub internet_routes: BTreeMap<String, SubnetRoutes>,
}

/// Which subnets route `0.0.0.0/0` or `::/0` to an internet gateway: a subnet's own route table,
/// else its VPC's main one (VPC User Guide, "Route tables").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SubnetRoutes {
    /// Subnet id → its explicitly associated table's internet routes (`0.0.0.0/0 → igw-1`).
    pub explicit: BTreeMap<String, Vec<String>>,
    /// VPC id → its main table's internet routes.
    pub main: BTreeMap<String, Vec<String>>,
}

impl SubnetRoutes {
    /// The internet routes of `subnet` in `vpc`.
    pub fn of(&self, subnet: &str, vpc: &str) -> &[String] {
        self.explicit
            .get(subnet)
            .or_else(|| self.main.get(vpc))
            .map_or(&[], Vec::as_slice)
    }
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.db_instances.extend(other.db_instances);
        self.db_clusters.extend(other.db_clusters);
        self.db_snapshots.extend(other.db_snapshots);
        self.internet_routes.extend(other.internet_routes);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.db_instances, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.db_clusters, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.db_snapshots, in_environment, |r| Some(&r.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.db_instances {
            found(&r.region, DbInstance::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.db_clusters {
            found(&r.region, DbCluster::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.db_snapshots {
            found(&r.region, r.resource_type(), &r.id, &r.tags);
        }
    }
}

/// A DB instance. Members of a cluster carry `cluster_id`; their storage, backup,
/// deletion-protection and Multi-AZ settings are the cluster's and are judged there.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DbInstance {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub engine: String,
    pub cluster_id: Option<String>,
    /// The source of a read replica (`ReadReplicaSourceDBInstanceIdentifier`).
    pub replica_source: Option<String>,
    pub storage_encrypted: bool,
    pub backup_retention_days: i32,
    pub multi_az: bool,
    pub deletion_protection: bool,
    pub publicly_accessible: bool,
    pub auto_minor_version_upgrade: bool,
    /// VPC security-group ids.
    pub security_groups: Vec<String>,
    pub port: Option<i32>,
    /// Its DB subnet group's VPC and subnets (none for an instance outside a VPC).
    pub vpc_id: Option<String>,
    pub subnets: Vec<String>,
    pub tags: Tags,
}

impl DbInstance {
    pub const RESOURCE_TYPE: &'static str = "AWS::RDS::DBInstance";
}

/// A manual DB snapshot or DB cluster snapshot (automated ones cannot be shared).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DbSnapshot {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub cluster: bool,
    /// `mysql`, `aurora-postgresql`, `docdb`, `neptune` …: the RDS API serves DocumentDB's and
    /// Neptune's cluster snapshots too.
    pub engine: String,
    pub encrypted: bool,
    /// Account ids (or `all`) in the snapshot's `restore` attribute; `None`: unreadable.
    pub restorable_by: Option<Vec<String>>,
    pub tags: Tags,
}

impl DbSnapshot {
    pub const RESOURCE_TYPE: &'static str = "AWS::RDS::DBSnapshot";
    pub const CLUSTER_RESOURCE_TYPE: &'static str = "AWS::RDS::DBClusterSnapshot";

    pub fn resource_type(&self) -> &'static str {
        if self.cluster {
            Self::CLUSTER_RESOURCE_TYPE
        } else {
            Self::RESOURCE_TYPE
        }
    }
}

/// An Aurora or Multi-AZ DB cluster.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DbCluster {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub engine: String,
    pub storage_encrypted: bool,
    pub backup_retention_days: i32,
    pub multi_az: bool,
    pub deletion_protection: bool,
    pub members: Vec<String>,
    pub tags: Tags,
}

impl DbCluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::RDS::DBCluster";
}

pub(super) fn instance_resource(db: &DbInstance) -> Resource<'_> {
    Resource {
        resource_type: DbInstance::RESOURCE_TYPE,
        id: &db.id,
        name: None,
        arn: Some(&db.arn),
        region: &db.region,
    }
}
