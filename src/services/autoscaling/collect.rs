//! Auto Scaling, per region: one paginated DescribeLaunchConfigurations (it carries the
//! metadata options and the public address setting).

use super::{Inventory, LaunchConfiguration};
use crate::aws::{each_page, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_autoscaling);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_autoscaling::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("autoscaling", region, "DescribeLaunchConfigurations");
    // MaxRecords: at most 100 (DescribeLaunchConfigurations API reference).
    let pages = client
        .describe_launch_configurations()
        .max_records(100)
        .into_paginator()
        .send();
    let listed = &mut collection.inventory.launch_configurations;
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.launch_configurations().iter().filter_map(|c| {
            let metadata = c.metadata_options();
            Some(LaunchConfiguration {
                name: c.launch_configuration_name()?.to_string(),
                region: region.to_string(),
                arn: c.launch_configuration_arn().unwrap_or_default().to_string(),
                associate_public_ip_address: c.associate_public_ip_address(),
                http_tokens: metadata
                    .and_then(|m| m.http_tokens())
                    .map(|t| t.as_str().to_string()),
                http_endpoint: metadata
                    .and_then(|m| m.http_endpoint())
                    .map(|e| e.as_str().to_string()),
            })
        }));
    })
    .await;
    collection
}
