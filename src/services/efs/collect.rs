//! EFS, per region: one paginated DescribeFileSystems (it carries `Encrypted` and the tags).

use super::{FileSystem, Inventory};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_efs);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_efs::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("elasticfilesystem", region, "DescribeFileSystems");
    let pages = client.describe_file_systems().into_paginator().send();
    let file_systems = &mut collection.inventory.file_systems;
    each_page(pages, &call, &mut collection.errors, |page| {
        file_systems.extend(page.file_systems().iter().map(|f| FileSystem {
            id: f.file_system_id().to_string(),
            name: f.name().map(str::to_string),
            region: region.to_string(),
            arn: f.file_system_arn().unwrap_or_default().to_string(),
            encrypted: f.encrypted(),
            tags: tag_map(f.tags(), |t| Some(t.key()), |t| Some(t.value())),
        }));
    })
    .await;
    collection
}
