//! EKS, per region: the cluster names, then one DescribeCluster per cluster (endpoint access,
//! version and tags come with it) and its node groups (a listing, one DescribeNodegroup each),
//! `concurrency` clusters at a time.

use futures::stream::{self, StreamExt};

use super::{Cluster, EndpointAccess, Inventory, Nodegroup};
use crate::aws::{each_page, regional_client, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_eks);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_eks::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut names: Vec<String> = Vec::new();
    let pages = client
        .list_clusters()
        .max_results(100)
        .into_paginator()
        .send();
    let call = Call::new("eks", region, "ListClusters");
    each_page(pages, &call, &mut collection.errors, |page| {
        names.extend(page.clusters().iter().cloned())
    })
    .await;

    let client = &client;
    let mut reads = stream::iter(names)
        .map(|name| async move {
            let mut errors = Vec::new();
            let answer = client.describe_cluster().name(&name).send().await;
            // A cluster deleted since the listing is gone, not unreadable.
            let cluster = Call::new("eks", region, "DescribeCluster")
                .on(&name)
                .read_or(
                    answer,
                    &["ResourceNotFoundException"],
                    || None,
                    &mut errors,
                    |output| output.cluster.map(|c| described(c, &name, region)),
                )
                .flatten();
            let cluster = match cluster {
                Some(cluster) => Some(Cluster {
                    nodegroups: nodegroups(client, region, &cluster.name, &mut errors).await,
                    ..cluster
                }),
                None => None,
            };
            (cluster, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((cluster, errors)) = reads.next().await {
        collection.inventory.clusters.extend(cluster);
        collection.errors.extend(errors);
    }
    collection
}

/// The cluster as the checks see it. `endpointPublicAccess` and `endpointPrivateAccess` are
/// plain booleans in the SDK (absent reads as false); AWS always returns both
/// (https://docs.aws.amazon.com/eks/latest/APIReference/API_VpcConfigResponse.html).
fn described(cluster: aws_sdk_eks::types::Cluster, listed: &str, region: &str) -> Cluster {
    let endpoint = cluster.resources_vpc_config().map(|vpc| EndpointAccess {
        public: vpc.endpoint_public_access(),
        private: vpc.endpoint_private_access(),
        public_access_cidrs: vpc.public_access_cidrs().to_vec(),
    });
    let tags = cluster
        .tags()
        .map(|tags| {
            tags.iter()
                .map(|(key, value)| (key.clone(), value.clone()))
                .collect()
        })
        .unwrap_or_default();
    Cluster {
        name: cluster.name().unwrap_or(listed).to_string(),
        arn: cluster.arn().unwrap_or_default().to_string(),
        region: region.to_string(),
        version: cluster
            .version()
            .filter(|v| !v.is_empty())
            .map(str::to_string),
        endpoint,
        tags,
        nodegroups: None,
    }
}

/// The cluster's managed node groups with their versions; `None` when the listing failed. A
/// node group whose description failed is left out with an error entry (its verdict hidden).
async fn nodegroups(
    client: &aws_sdk_eks::Client,
    region: &str,
    cluster: &str,
    errors: &mut Vec<AuditError>,
) -> Option<Vec<Nodegroup>> {
    let mut names: Vec<String> = Vec::new();
    let pages = client
        .list_nodegroups()
        .cluster_name(cluster)
        .max_results(100)
        .into_paginator()
        .send();
    let listed = errors.len();
    let call = Call::new("eks", region, "ListNodegroups").on(cluster);
    each_page(pages, &call, errors, |page| {
        names.extend(page.nodegroups().iter().cloned())
    })
    .await;
    if errors.len() > listed {
        return None;
    }
    let mut found = Vec::new();
    for name in names {
        let answer = client
            .describe_nodegroup()
            .cluster_name(cluster)
            .nodegroup_name(&name)
            .send()
            .await;
        // Named as its result is: `<cluster>/<node group>`.
        let id = format!("{cluster}/{name}");
        let described = Call::new("eks", region, "DescribeNodegroup")
            .on(&id)
            .read_or(
                answer,
                &["ResourceNotFoundException"],
                || None,
                errors,
                |output| {
                    output.nodegroup.map(|group| Nodegroup {
                        name: group.nodegroup_name().unwrap_or(&name).to_string(),
                        arn: group.nodegroup_arn().unwrap_or_default().to_string(),
                        version: group
                            .version()
                            .filter(|v| !v.is_empty())
                            .map(str::to_string),
                    })
                },
            )
            .flatten();
        found.extend(described);
    }
    Some(found)
}
