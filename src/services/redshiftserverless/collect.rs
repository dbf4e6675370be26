//! Redshift Serverless, per region: one paginated ListWorkgroups (it carries
//! `publiclyAccessible`), and a tag read per workgroup only where tags are needed.

use futures::stream::{self, StreamExt};

use super::{Inventory, Workgroup};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_redshiftserverless);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_redshiftserverless::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    let call = Call::new("redshift-serverless", region, "ListWorkgroups");
    // maxResults: 1 to 100 (ListWorkgroups API reference).
    let pages = client
        .list_workgroups()
        .max_results(100)
        .into_paginator()
        .send();
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.workgroups().iter().filter_map(|w| {
            Some(Workgroup {
                name: w.workgroup_name()?.to_string(),
                region: region.to_string(),
                arn: w.workgroup_arn().unwrap_or_default().to_string(),
                namespace: w.namespace_name().map(str::to_string),
                publicly_accessible: w.publicly_accessible(),
                enhanced_vpc_routing: w.enhanced_vpc_routing(),
                tags: None,
            })
        }));
    })
    .await;

    // Tags cost a call per workgroup: read only for an environment filter or for mutelist
    // rules on tags.
    if !context.reads_tags() {
        collection.inventory.workgroups = listed;
        return collection;
    }
    let client = &client;
    let mut reads = stream::iter(listed)
        .map(|mut workgroup| async move {
            let mut errors = Vec::new();
            let call = Call::new("redshift-serverless", region, "ListTagsForResource");
            let answer = client
                .list_tags_for_resource()
                .resource_arn(&workgroup.arn)
                .send()
                .await;
            workgroup.tags = call.on(&workgroup.name).read(answer, &mut errors, |o| {
                tag_map(o.tags(), |t| Some(t.key()), |t| Some(t.value()))
            });
            (workgroup, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((workgroup, errors)) = reads.next().await {
        collection.inventory.workgroups.push(workgroup);
        collection.errors.extend(errors);
    }
    collection
}
