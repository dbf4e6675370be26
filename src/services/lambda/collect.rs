//! Lambda, per region: the function listing, then per function (`concurrency` at a time) its
//! tags when they are needed, its resource-based policy and its function URLs.

use aws_sdk_lambda::types::PackageType;
use aws_sdk_lambda::Client;

use super::{Function, FunctionUrl, Inventory};
use crate::aws::{each_page, regional_client, Call};
use crate::model::{AuditError, Tags};
use crate::services::resource_policy::parse_resource_policy;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_lambda);

/// GetPolicy's answer for a function without a policy
/// (https://docs.aws.amazon.com/lambda/latest/api/API_GetPolicy.html).
const NO_POLICY: &str = "ResourceNotFoundException";

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    // Without FunctionVersion=ALL the listing holds each function's unqualified ($LATEST)
    // configuration only, which is what the policy and the URLs belong to.
    let mut listed = Vec::new();
    let pages = client
        .list_functions()
        .max_items(50)
        .into_paginator()
        .send();
    let call = Call::new("lambda", region, "ListFunctions");
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.functions().iter().filter_map(|f| {
            Some(Function {
                name: f.function_name()?.to_string(),
                arn: f.function_arn().unwrap_or_default().to_string(),
                region: region.to_string(),
                runtime: f.runtime().map(|r| r.as_str().to_string()),
                image: f.package_type() == Some(&PackageType::Image),
                role: f.role().unwrap_or_default().to_string(),
                policy: None,
                urls: None,
                tags: None,
            })
        }));
    })
    .await;
    let client = &client;
    let (read, errors) = context
        .read_each(listed, |function| {
            inspect(client, context, region, function)
        })
        .await;
    collection.inventory.functions.extend(read);
    collection.errors.extend(errors);
    collection
}

/// One function's tags (only for an environment filter, which may leave it out, or for
/// mutelist rules on tags: ListFunctions does not return them), policy and URLs.
async fn inspect(
    client: &Client,
    context: &CollectContext<'_>,
    region: &str,
    mut function: Function,
) -> (Option<Function>, Vec<AuditError>) {
    let mut errors = Vec::new();
    let name = function.name.clone();
    let call = |operation| Call::new("lambda", region, operation).on(&name);
    if context.reads_tags() {
        let answer = client.list_tags().resource(&function.arn).send().await;
        function.tags = call("ListTags").read(answer, &mut errors, |o| {
            o.tags()
                .map(|tags| {
                    tags.iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Tags>()
                })
                .unwrap_or_default()
        });
        if context.outside_environment(function.tags.as_ref()) {
            return (None, errors);
        }
    }
    let (policy, urls) = futures::join!(
        client.get_policy().function_name(&name).send(),
        function_urls(client, region, &name),
    );
    // ResourceNotFoundException also answers for a function deleted since the listing; it is
    // then reported without a policy, as it was when it went.
    let text = call("GetPolicy").read_or(
        policy,
        &[NO_POLICY],
        || None,
        &mut errors,
        |o| o.policy().map(str::to_string),
    );
    function.policy =
        text.and_then(|text| parse_resource_policy(text, call("ParsePolicyDocument"), &mut errors));
    let (urls, url_errors) = urls;
    function.urls = urls;
    errors.extend(url_errors);
    (Some(function), errors)
}

/// The URLs of the function and of its aliases, all pages; `None` if the listing failed (pages
/// already read are not a complete answer).
async fn function_urls(
    client: &Client,
    region: &str,
    name: &str,
) -> (Option<Vec<FunctionUrl>>, Vec<AuditError>) {
    let mut errors = Vec::new();
    let mut urls = Vec::new();
    let pages = client
        .list_function_url_configs()
        .function_name(name)
        .max_items(50)
        .into_paginator()
        .send();
    let call = Call::new("lambda", region, "ListFunctionUrlConfigs").on(name);
    each_page(pages, &call, &mut errors, |page| {
        urls.extend(page.function_url_configs().iter().map(|u| FunctionUrl {
            url: u.function_url().to_string(),
            function_arn: u.function_arn().to_string(),
            auth_type: u.auth_type().as_str().to_string(),
        }));
    })
    .await;
    if errors.is_empty() {
        (Some(urls), errors)
    } else {
        (None, errors)
    }
}
