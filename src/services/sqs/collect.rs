//! SQS, per region: the queue listing, then per queue (`concurrency` at a time) its tags when
//! they are needed and its `Policy` and `QueueArn` attributes.

use aws_sdk_sqs::types::QueueAttributeName;
use aws_sdk_sqs::Client;

use super::{Inventory, Queue};
use crate::aws::{each_page, partition, regional_client, Call};
use crate::model::{AuditError, Tags};
use crate::services::resource_policy::parse_resource_policy;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_sqs);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    // Without MaxResults, ListQueues stops at 1,000 queues and gives no NextToken
    // (https://docs.aws.amazon.com/AWSSimpleQueueService/latest/APIReference/API_ListQueues.html).
    let pages = client
        .list_queues()
        .max_results(1000)
        .into_paginator()
        .send();
    let call = Call::new("sqs", region, "ListQueues");
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.queue_urls().iter().filter_map(|url| {
            let name = url.trim_end_matches('/').rsplit('/').next()?;
            (!name.is_empty()).then(|| Queue {
                name: name.to_string(),
                url: url.clone(),
                // Until GetQueueAttributes gives the `QueueArn`: the account lists only its
                // own queues.
                arn: format!("arn:{}:sqs:{region}:{account}:{name}", partition(region)),
                region: region.to_string(),
                policy: None,
                tags: None,
            })
        }));
    })
    .await;
    let client = &client;
    let (read, errors) = context
        .read_each(listed, |queue| inspect(client, context, region, queue))
        .await;
    collection.inventory.queues.extend(read);
    collection.errors.extend(errors);
    collection
}

/// One queue's tags (only for an environment filter, which may leave it out, or for mutelist
/// rules on tags: ListQueues returns URLs only) and its policy.
async fn inspect(
    client: &Client,
    context: &CollectContext<'_>,
    region: &str,
    mut queue: Queue,
) -> (Option<Queue>, Vec<AuditError>) {
    let mut errors = Vec::new();
    let name = queue.name.clone();
    let call = |operation| Call::new("sqs", region, operation).on(&name);
    if context.reads_tags() {
        let answer = client.list_queue_tags().queue_url(&queue.url).send().await;
        queue.tags = call("ListQueueTags").read(answer, &mut errors, |o| {
            o.tags()
                .map(|tags| {
                    tags.iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect::<Tags>()
                })
                .unwrap_or_default()
        });
        if context.outside_environment(queue.tags.as_ref()) {
            return (None, errors);
        }
    }
    let answer = client
        .get_queue_attributes()
        .queue_url(&queue.url)
        .attribute_names(QueueAttributeName::Policy)
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await;
    // A queue without a policy has no `Policy` attribute (moto then sends no attribute map at
    // all when it was the only one asked for).
    let read = call("GetQueueAttributes").read(answer, &mut errors, |o| {
        let attribute = |name: QueueAttributeName| {
            o.attributes()
                .and_then(|attributes| attributes.get(&name))
                .filter(|value| !value.trim().is_empty())
                .cloned()
        };
        (
            attribute(QueueAttributeName::Policy),
            attribute(QueueAttributeName::QueueArn),
        )
    });
    let Some((text, arn)) = read else {
        return (Some(queue), errors);
    };
    if let Some(arn) = arn {
        queue.arn = arn;
    }
    queue.policy = parse_resource_policy(text, call("ParsePolicyDocument"), &mut errors);
    (Some(queue), errors)
}
