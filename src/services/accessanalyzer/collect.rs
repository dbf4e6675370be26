//! Access Analyzer, per region: one paginated ListAnalyzers.

use super::{Analyzer, Inventory};
use crate::aws::{each_page, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_accessanalyzer);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_accessanalyzer::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("access-analyzer", region, "ListAnalyzers");
    let mut analyzers = Vec::new();
    let pages = client.list_analyzers().into_paginator().send();
    each_page(pages, &call, &mut collection.errors, |page| {
        analyzers.extend(page.analyzers().iter().map(|a| Analyzer {
            name: a.name().to_string(),
            kind: a.r#type().as_str().to_string(),
            status: a.status().as_str().to_string(),
        }));
    })
    .await;
    // A listing cut short could have missed the one active analyzer: no verdict then.
    if collection.errors.is_empty() {
        collection
            .inventory
            .analyzers
            .insert(region.to_string(), analyzers);
    }
    collection
}
