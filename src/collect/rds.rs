//! RDS: DB instances and DB clusters, one paginated listing each.

use aws_sdk_rds::Client;

use super::errors::each_page;
use super::{tag_map, Call, Collection};
use crate::inventory::{DbCluster, DbInstance};

/// DocumentDB and Neptune share the RDS API but are other services, with other controls.
fn is_rds_engine(engine: Option<&str>) -> bool {
    !matches!(engine, Some("docdb" | "neptune"))
}

fn tags(tags: &[aws_sdk_rds::types::Tag]) -> crate::inventory::Tags {
    tag_map(tags, |t| t.key(), |t| t.value())
}

pub(super) async fn databases(client: Client, region: &str) -> Collection {
    let (mut instances, clusters) =
        futures::join!(instances(&client, region), clusters(&client, region));
    instances.merge(clusters);
    instances
}

async fn instances(client: &Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("rds", region, "DescribeDBInstances");
    let pages = client
        .describe_db_instances()
        .max_records(100)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for db in page.db_instances() {
            let Some(id) = db.db_instance_identifier() else {
                continue;
            };
            if !is_rds_engine(db.engine()) {
                continue;
            }
            inventory.db_instances.push(DbInstance {
                id: id.to_string(),
                region: region.to_string(),
                arn: db.db_instance_arn().unwrap_or_default().to_string(),
                engine: db.engine().unwrap_or_default().to_string(),
                cluster_id: db.db_cluster_identifier().map(str::to_string),
                storage_encrypted: db.storage_encrypted().unwrap_or(false),
                backup_retention_days: db.backup_retention_period().unwrap_or(0),
                multi_az: db.multi_az().unwrap_or(false),
                deletion_protection: db.deletion_protection().unwrap_or(false),
                // Absent means the API did not say: treat as the AWS default for a VPC
                // instance created without the flag (not public).
                publicly_accessible: db.publicly_accessible().unwrap_or(false),
                auto_minor_version_upgrade: db.auto_minor_version_upgrade().unwrap_or(false),
                security_groups: db
                    .vpc_security_groups()
                    .iter()
                    .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
                    .collect(),
                port: db
                    .endpoint()
                    .and_then(|e| e.port())
                    .or(db.db_instance_port()),
                tags: tags(db.tag_list()),
            });
        }
    })
    .await;
    collection
}

async fn clusters(client: &Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("rds", region, "DescribeDBClusters");
    let pages = client
        .describe_db_clusters()
        .max_records(100)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for cluster in page.db_clusters() {
            let Some(id) = cluster.db_cluster_identifier() else {
                continue;
            };
            if !is_rds_engine(cluster.engine()) {
                continue;
            }
            inventory.db_clusters.push(DbCluster {
                id: id.to_string(),
                region: region.to_string(),
                arn: cluster.db_cluster_arn().unwrap_or_default().to_string(),
                engine: cluster.engine().unwrap_or_default().to_string(),
                storage_encrypted: cluster.storage_encrypted().unwrap_or(false),
                backup_retention_days: cluster.backup_retention_period().unwrap_or(0),
                multi_az: cluster.multi_az().unwrap_or(false),
                deletion_protection: cluster.deletion_protection().unwrap_or(false),
                members: cluster
                    .db_cluster_members()
                    .iter()
                    .filter_map(|m| m.db_instance_identifier().map(str::to_string))
                    .collect(),
                tags: tags(cluster.tag_list()),
            });
        }
    })
    .await;
    collection
}
