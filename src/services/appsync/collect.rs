//! AppSync, per region: one paginated ListGraphqlApis (it carries the authentication types and
//! the tags).

use super::{GraphqlApi, Inventory};
use crate::aws::{each_page, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_appsync);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_appsync::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("appsync", region, "ListGraphqlApis");
    // maxResults: at most 25 (ListGraphqlApis API reference).
    let pages = client
        .list_graphql_apis()
        .max_results(25)
        .into_paginator()
        .send();
    let apis = &mut collection.inventory.apis;
    each_page(pages, &call, &mut collection.errors, |page| {
        apis.extend(page.graphql_apis().iter().filter_map(|api| {
            Some(GraphqlApi {
                id: api.api_id()?.to_string(),
                name: api.name().unwrap_or_default().to_string(),
                region: region.to_string(),
                arn: api.arn().unwrap_or_default().to_string(),
                authentication_type: api.authentication_type()?.as_str().to_string(),
                additional_authentication_types: (api.additional_authentication_providers())
                    .iter()
                    .filter_map(|p| p.authentication_type().map(|t| t.as_str().to_string()))
                    .collect(),
                tags: api
                    .tags()
                    .map(|t| t.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                    .unwrap_or_default(),
            })
        }));
    })
    .await;
    collection
}
