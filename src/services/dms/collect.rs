//! DMS, per region: one paginated DescribeReplicationInstances (it carries
//! `PubliclyAccessible`), and a tag read per instance only where tags are needed.

use futures::stream::{self, StreamExt};

use super::{Inventory, ReplicationInstance};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_databasemigration);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_databasemigration::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    let call = Call::new("dms", region, "DescribeReplicationInstances");
    // MaxRecords: 20 to 100 (DescribeReplicationInstances API reference).
    let pages = client
        .describe_replication_instances()
        .max_records(100)
        .into_paginator()
        .send();
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.replication_instances().iter().filter_map(|r| {
            Some(ReplicationInstance {
                id: r.replication_instance_identifier()?.to_string(),
                region: region.to_string(),
                arn: r.replication_instance_arn().unwrap_or_default().to_string(),
                publicly_accessible: r.publicly_accessible(),
                tags: None,
            })
        }));
    })
    .await;

    // Tags cost a call per instance: read only for an environment filter or for mutelist
    // rules on tags.
    if !context.reads_tags() {
        collection.inventory.replication_instances = listed;
        return collection;
    }
    let client = &client;
    let mut reads = stream::iter(listed)
        .map(|mut instance| async move {
            let mut errors = Vec::new();
            let call = Call::new("dms", region, "ListTagsForResource");
            let answer = client
                .list_tags_for_resource()
                .resource_arn(&instance.arn)
                .send()
                .await;
            instance.tags = call.on(&instance.id).read(answer, &mut errors, |o| {
                tag_map(o.tag_list(), |t| t.key(), |t| t.value())
            });
            (instance, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((instance, errors)) = reads.next().await {
        collection.inventory.replication_instances.push(instance);
        collection.errors.extend(errors);
    }
    collection
}
