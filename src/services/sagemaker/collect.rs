//! SageMaker, per region: ListNotebookInstances, then a DescribeNotebookInstance per notebook
//! (the listing has none of the settings the checks judge), and a tag read per notebook only
//! where tags are needed.

use aws_sdk_sagemaker::Client;
use futures::stream::{self, StreamExt};

use super::{Inventory, NotebookInstance};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_sagemaker);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut names = Vec::new();
    let call = Call::new("sagemaker", region, "ListNotebookInstances");
    // MaxResults: at most 100 (ListNotebookInstances API reference).
    let pages = client
        .list_notebook_instances()
        .max_results(100)
        .into_paginator()
        .send();
    each_page(pages, &call, &mut collection.errors, |page| {
        names.extend(
            (page.notebook_instances().iter())
                .filter_map(|n| n.notebook_instance_name().map(str::to_string)),
        );
    })
    .await;

    let client = &client;
    let reads_tags = context.reads_tags();
    let mut reads = stream::iter(names)
        .map(|name| async move {
            let mut errors = Vec::new();
            let mut notebook = describe(client, region, &name, &mut errors).await;
            if let Some(notebook) = notebook.as_mut().filter(|_| reads_tags) {
                let answer = client.list_tags().resource_arn(&notebook.arn).send().await;
                let call = Call::new("sagemaker", region, "ListTags").on(&name);
                notebook.tags = call.read(answer, &mut errors, |o| {
                    tag_map(o.tags(), |t| t.key(), |t| t.value())
                });
            }
            (notebook, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((notebook, errors)) = reads.next().await {
        collection.inventory.notebook_instances.extend(notebook);
        collection.errors.extend(errors);
    }
    collection
}

async fn describe(
    client: &Client,
    region: &str,
    name: &str,
    errors: &mut Vec<AuditError>,
) -> Option<NotebookInstance> {
    let answer = client
        .describe_notebook_instance()
        .notebook_instance_name(name)
        .send()
        .await;
    let call = Call::new("sagemaker", region, "DescribeNotebookInstance").on(name);
    call.read(answer, errors, |o| {
        Some(NotebookInstance {
            name: name.to_string(),
            region: region.to_string(),
            arn: o.notebook_instance_arn().unwrap_or_default().to_string(),
            direct_internet_access: o.direct_internet_access()?.as_str().to_string(),
            root_access: o.root_access()?.as_str().to_string(),
            subnet_id: o.subnet_id().filter(|s| !s.is_empty()).map(str::to_string),
            tags: None,
        })
    })
    .flatten()
}
