//! ElastiCache, per region: one paginated DescribeCacheClusters and one paginated
//! DescribeReplicationGroups (they carry every setting judged), and a tag read per resource
//! only where tags are needed.

use aws_sdk_elasticache::Client;
use futures::stream::{self, StreamExt};

use super::{CacheCluster, Inventory, ReplicationGroup};
use crate::aws::{each_page, partition, regional_client, tag_map, Call};
use crate::model::{AuditError, Tags};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_elasticache);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
    let arn = |kind: &str, id: &str| {
        format!(
            "arn:{}:elasticache:{region}:{account}:{kind}:{id}",
            partition(region)
        )
    };
    let (mut clusters, mut groups) = (Vec::new(), Vec::new());
    let (mut cluster_errors, mut group_errors) = (Vec::new(), Vec::new());
    let cluster_call = Call::new("elasticache", region, "DescribeCacheClusters");
    let group_call = Call::new("elasticache", region, "DescribeReplicationGroups");
    // MaxRecords: 20 to 100 for both (ElastiCache API reference).
    let cluster_pages = client
        .describe_cache_clusters()
        .max_records(100)
        .into_paginator()
        .send();
    let group_pages = client
        .describe_replication_groups()
        .max_records(100)
        .into_paginator()
        .send();
    futures::join!(
        each_page(cluster_pages, &cluster_call, &mut cluster_errors, |page| {
            clusters.extend(page.cache_clusters().iter().filter_map(|c| {
                let id = c.cache_cluster_id()?;
                Some(CacheCluster {
                    id: id.to_string(),
                    region: region.to_string(),
                    arn: c.arn().map_or_else(|| arn("cluster", id), str::to_string),
                    engine: c.engine().unwrap_or_default().to_ascii_lowercase(),
                    engine_version: c.engine_version().map(str::to_string),
                    replication_group: c.replication_group_id().map(str::to_string),
                    snapshot_retention_days: c.snapshot_retention_limit(),
                    auto_minor_version_upgrade: c.auto_minor_version_upgrade(),
                    subnet_group: c.cache_subnet_group_name().map(str::to_string),
                    tags: None,
                })
            }))
        }),
        each_page(group_pages, &group_call, &mut group_errors, |page| {
            groups.extend(page.replication_groups().iter().filter_map(|g| {
                let id = g.replication_group_id()?;
                Some(ReplicationGroup {
                    id: id.to_string(),
                    region: region.to_string(),
                    arn: g
                        .arn()
                        .map_or_else(|| arn("replicationgroup", id), str::to_string),
                    engine: g.engine().map(str::to_ascii_lowercase),
                    snapshot_retention_days: g.snapshot_retention_limit(),
                    members: g.member_clusters().to_vec(),
                    tags: None,
                })
            }))
        }),
    );
    collection.errors.extend(cluster_errors);
    collection.errors.extend(group_errors);

    // Tags cost a call per resource: read only for an environment filter or for mutelist
    // rules on tags.
    if !context.reads_tags() {
        collection.inventory.cache_clusters = clusters;
        collection.inventory.replication_groups = groups;
        return collection;
    }
    let concurrency = context.concurrency.get();
    let client = &client;
    let mut cluster_reads = stream::iter(clusters)
        .map(|mut cluster| async move {
            let (tags, error) = tags_of(client, region, &cluster.id, &cluster.arn).await;
            cluster.tags = tags;
            (cluster, error)
        })
        .buffer_unordered(concurrency);
    while let Some((cluster, error)) = cluster_reads.next().await {
        collection.inventory.cache_clusters.push(cluster);
        collection.errors.extend(error);
    }
    let mut group_reads = stream::iter(groups)
        .map(|mut group| async move {
            let (tags, error) = tags_of(client, region, &group.id, &group.arn).await;
            group.tags = tags;
            (group, error)
        })
        .buffer_unordered(concurrency);
    while let Some((group, error)) = group_reads.next().await {
        collection.inventory.replication_groups.push(group);
        collection.errors.extend(error);
    }
    collection
}

/// A resource's tags (ListTagsForResource takes the cluster's or the group's ARN).
async fn tags_of(
    client: &Client,
    region: &str,
    id: &str,
    arn: &str,
) -> (Option<Tags>, Option<AuditError>) {
    let answer = client
        .list_tags_for_resource()
        .resource_name(arn)
        .send()
        .await;
    let mut errors = Vec::new();
    let call = Call::new("elasticache", region, "ListTagsForResource").on(id);
    let tags = call.read(answer, &mut errors, |o| {
        tag_map(o.tag_list(), |t| t.key(), |t| t.value())
    });
    (tags, errors.pop())
}
