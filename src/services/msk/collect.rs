//! MSK, per region: one paginated ListClustersV2 (it carries the brokers' connectivity and
//! the tags).

use super::{Cluster, Inventory};
use crate::aws::{each_page, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_kafka);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_kafka::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("kafka", region, "ListClustersV2");
    // Only provisioned clusters have brokers with public access (ClusterTypeFilter).
    let pages = client
        .list_clusters_v2()
        .cluster_type_filter("PROVISIONED")
        .into_paginator()
        .send();
    let clusters = &mut collection.inventory.clusters;
    each_page(pages, &call, &mut collection.errors, |page| {
        clusters.extend(page.cluster_info_list().iter().filter_map(|c| {
            let provisioned = c.provisioned()?;
            let connectivity = provisioned
                .broker_node_group_info()
                .and_then(|b| b.connectivity_info());
            Some(Cluster {
                name: c.cluster_name()?.to_string(),
                region: region.to_string(),
                arn: c.cluster_arn().unwrap_or_default().to_string(),
                public_access: connectivity
                    .and_then(|c| c.public_access())
                    .and_then(|p| p.r#type())
                    .map(str::to_string),
                tags: c
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            })
        }));
    })
    .await;
    collection
}
