//! SNS, per region: the topic listing, then per topic (`concurrency` at a time) its tags when
//! they are needed and its attributes (for the access policy).

use aws_sdk_sns::Client;

use super::{Inventory, Topic};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::resource_policy::parse_resource_policy;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_sns);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    // 100 topics a page (https://docs.aws.amazon.com/sns/latest/api/API_ListTopics.html).
    let pages = client.list_topics().into_paginator().send();
    let call = Call::new("sns", region, "ListTopics");
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.topics().iter().filter_map(|t| {
            let arn = t.topic_arn()?;
            Some(Topic {
                name: arn.rsplit(':').next().unwrap_or(arn).to_string(),
                arn: arn.to_string(),
                region: region.to_string(),
                policy: None,
                tags: None,
            })
        }));
    })
    .await;
    let client = &client;
    let (read, errors) = context
        .read_each(listed, |topic| inspect(client, context, region, topic))
        .await;
    collection.inventory.topics.extend(read);
    collection.errors.extend(errors);
    collection
}

/// One topic's tags (only for an environment filter, which may leave it out, or for mutelist
/// rules on tags: ListTopics returns ARNs only) and its access policy.
async fn inspect(
    client: &Client,
    context: &CollectContext<'_>,
    region: &str,
    mut topic: Topic,
) -> (Option<Topic>, Vec<AuditError>) {
    let mut errors = Vec::new();
    let name = topic.name.clone();
    let call = |operation| Call::new("sns", region, operation).on(&name);
    if context.reads_tags() {
        let answer = client
            .list_tags_for_resource()
            .resource_arn(&topic.arn)
            .send()
            .await;
        topic.tags = call("ListTagsForResource").read(answer, &mut errors, |o| {
            tag_map(o.tags(), |t| Some(t.key()), |t| Some(t.value()))
        });
        if context.outside_environment(topic.tags.as_ref()) {
            return (None, errors);
        }
    }
    let answer = client
        .get_topic_attributes()
        .topic_arn(&topic.arn)
        .send()
        .await;
    let text = call("GetTopicAttributes").read(answer, &mut errors, |o| {
        o.attributes()
            .and_then(|attributes| attributes.get("Policy"))
            .cloned()
    });
    topic.policy =
        text.and_then(|text| parse_resource_policy(text, call("ParsePolicyDocument"), &mut errors));
    (Some(topic), errors)
}
