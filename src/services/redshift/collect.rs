//! Redshift, per region: one paginated DescribeClusters (tags included), then one
//! DescribeSecurityGroups for the clusters' VPC security groups.

use super::{Inventory, RedshiftCluster};
use crate::aws::{each_page, partition, regional_client, tag_map, Call};
use crate::services::sg::describe_groups;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_redshift);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_redshift::Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("redshift", region, "DescribeClusters");
    // MaxRecords: 20 to 100 (DescribeClusters API reference).
    let pages = client
        .describe_clusters()
        .max_records(100)
        .into_paginator()
        .send();
    let clusters = &mut collection.inventory.clusters;
    each_page(pages, &call, &mut collection.errors, |page| {
        clusters.extend((page.clusters().iter()).filter_map(|c| from_sdk(c, region, account)));
    })
    .await;
    // The groups of clusters outside the audited environment would be read for nothing.
    let mut ids: Vec<String> = (collection.inventory.clusters.iter())
        .filter(|c| context.in_environment.is_none_or(|keep| keep(&c.tags)))
        .flat_map(|c| c.security_groups.iter().cloned())
        .collect();
    ids.sort();
    ids.dedup();
    collection.inventory.security_groups =
        describe_groups(context, region, &ids, &mut collection.errors).await;
    collection
}

fn from_sdk(
    cluster: &aws_sdk_redshift::types::Cluster,
    region: &str,
    account: &str,
) -> Option<RedshiftCluster> {
    let id = cluster.cluster_identifier()?;
    Some(RedshiftCluster {
        id: id.to_string(),
        region: region.to_string(),
        // DescribeClusters returns no cluster ARN; the format is in the Service Authorization
        // Reference: https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonredshift.html#amazonredshift-resources-for-iam-policies
        arn: format!(
            "arn:{}:redshift:{region}:{account}:cluster:{id}",
            partition(region)
        ),
        publicly_accessible: cluster.publicly_accessible(),
        enhanced_vpc_routing: cluster.enhanced_vpc_routing(),
        master_username: cluster.master_username().map(str::to_string),
        port: (cluster.endpoint())
            .and_then(|e| e.port())
            .and_then(|p| u16::try_from(p).ok()),
        // Groups being added or removed are not (or no longer) in force; an absent status is
        // taken as attached.
        security_groups: (cluster.vpc_security_groups().iter())
            .filter(|g| g.status().is_none_or(|s| s == "active"))
            .filter_map(|g| g.vpc_security_group_id().map(str::to_string))
            .collect(),
        ip_address_type: cluster.ip_address_type().map(str::to_string),
        tags: tag_map(cluster.tags(), |t| t.key(), |t| t.value()),
    })
}
