//! EMR, per region: GetBlockPublicAccessConfiguration; ListClusters in the `RUNNING` and
//! `WAITING` states; for each such cluster DescribeCluster (whether its nodes are instance
//! groups or fleets, and its tags) and ListInstances of its primary node.

use aws_sdk_emr::types::{
    ClusterState, InstanceCollectionType, InstanceFleetType, InstanceGroupType,
};
use aws_sdk_emr::Client;
use futures::stream::{self, StreamExt};

use super::{BlockPublicAccess, Cluster, Inventory};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_emr);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let answer = client.get_block_public_access_configuration().send().await;
    let call = Call::new(
        "elasticmapreduce",
        region,
        "GetBlockPublicAccessConfiguration",
    );
    let setting = call.read(answer, &mut collection.errors, |o| {
        let configuration = o.block_public_access_configuration()?;
        Some(BlockPublicAccess {
            block_public_security_group_rules: configuration.block_public_security_group_rules()?,
            permitted_ranges: (configuration.permitted_public_security_group_rule_ranges())
                .iter()
                .filter_map(|r| {
                    let min = r.min_range()?;
                    Some((min, r.max_range().unwrap_or(min)))
                })
                .collect(),
        })
    });
    if let Some(setting) = setting.flatten() {
        let settings = &mut collection.inventory.block_public_access;
        settings.insert(region.to_string(), setting);
    }

    // EMR.1 judges clusters in these states only.
    let mut listed = Vec::new();
    let call = Call::new("elasticmapreduce", region, "ListClusters");
    let pages = client
        .list_clusters()
        .cluster_states(ClusterState::Running)
        .cluster_states(ClusterState::Waiting)
        .into_paginator()
        .send();
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.clusters().iter().filter_map(|c| {
            Some(Cluster {
                id: c.id()?.to_string(),
                name: c.name().unwrap_or_default().to_string(),
                region: region.to_string(),
                arn: c.cluster_arn().unwrap_or_default().to_string(),
                master_public_ips: None,
                tags: Default::default(),
            })
        }));
    })
    .await;

    let client = &client;
    let mut reads = stream::iter(listed)
        .map(|cluster| async move {
            let mut errors = Vec::new();
            let cluster = primary_nodes(client, region, cluster, &mut errors).await;
            (cluster, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((cluster, errors)) = reads.next().await {
        collection.inventory.clusters.push(cluster);
        collection.errors.extend(errors);
    }
    collection
}

/// The cluster with its primary nodes' public addresses (instances that ended are left out).
async fn primary_nodes(
    client: &Client,
    region: &str,
    mut cluster: Cluster,
    errors: &mut Vec<AuditError>,
) -> Cluster {
    let answer = client
        .describe_cluster()
        .cluster_id(&cluster.id)
        .send()
        .await;
    let call = Call::new("elasticmapreduce", region, "DescribeCluster").on(&cluster.id);
    let Some(fleets) = call.read(answer, errors, |o| {
        let described = o.cluster();
        if let Some(described) = described {
            cluster.tags = tag_map(described.tags(), |t| t.key(), |t| t.value());
        }
        described.and_then(|c| c.instance_collection_type())
            == Some(&InstanceCollectionType::InstanceFleet)
    }) else {
        return cluster;
    };
    let request = client.list_instances().cluster_id(&cluster.id);
    let request = if fleets {
        request.instance_fleet_type(InstanceFleetType::Master)
    } else {
        request.instance_group_types(InstanceGroupType::Master)
    };
    let call = Call::new("elasticmapreduce", region, "ListInstances").on(&cluster.id);
    let mut addresses = Vec::new();
    each_page(request.into_paginator().send(), &call, errors, |page| {
        addresses.extend(
            (page.instances().iter())
                .filter(|i| {
                    let state = i.status().and_then(|s| s.state());
                    state.is_none_or(|s| s.as_str() != "TERMINATED")
                })
                .filter_map(|i| i.public_ip_address())
                .filter(|ip| !ip.is_empty())
                .map(str::to_string),
        );
    })
    .await;
    let failed = errors.iter().any(|e| e.operation == "ListInstances");
    cluster.master_public_ips = (!failed).then_some(addresses);
    cluster
}
