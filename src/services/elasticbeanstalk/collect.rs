//! Elastic Beanstalk, per region: DescribeEnvironments (live ones), then a
//! DescribeConfigurationSettings per environment (the listing carries no option settings),
//! and a tag read per environment only where tags are needed.

use aws_sdk_elasticbeanstalk::Client;
use futures::stream::{self, StreamExt};

use super::{Environment, Inventory};
use crate::aws::{regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_elasticbeanstalk);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    let mut next_token = None;
    loop {
        let answer = client
            .describe_environments()
            .include_deleted(false)
            .set_next_token(next_token.take())
            .send()
            .await;
        let call = Call::new("elasticbeanstalk", region, "DescribeEnvironments");
        let Some(page) = call.read(answer, &mut collection.errors, |o| o) else {
            break;
        };
        listed.extend(page.environments().iter().filter_map(|e| {
            Some(Environment {
                name: e.environment_name()?.to_string(),
                application: e.application_name()?.to_string(),
                region: region.to_string(),
                arn: e.environment_arn().unwrap_or_default().to_string(),
                options: None,
                tags: None,
            })
        }));
        next_token = page
            .next_token()
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        if next_token.is_none() {
            break;
        }
    }

    let client = &client;
    let reads_tags = context.reads_tags();
    let mut reads = stream::iter(listed)
        .map(|mut environment| async move {
            let mut errors = Vec::new();
            let answer = client
                .describe_configuration_settings()
                .application_name(&environment.application)
                .environment_name(&environment.name)
                .send()
                .await;
            let call = Call::new("elasticbeanstalk", region, "DescribeConfigurationSettings");
            environment.options = call.on(&environment.name).read(answer, &mut errors, |o| {
                (o.configuration_settings().iter())
                    .flat_map(|c| c.option_settings())
                    .filter_map(|s| {
                        let key = (s.namespace()?.to_string(), s.option_name()?.to_string());
                        Some((key, s.value().unwrap_or_default().to_string()))
                    })
                    .collect()
            });
            if reads_tags {
                let answer = client
                    .list_tags_for_resource()
                    .resource_arn(&environment.arn)
                    .send()
                    .await;
                let call = Call::new("elasticbeanstalk", region, "ListTagsForResource");
                environment.tags = call.on(&environment.name).read(answer, &mut errors, |o| {
                    tag_map(o.resource_tags(), |t| t.key(), |t| t.value())
                });
            }
            (environment, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((environment, errors)) = reads.next().await {
        collection.inventory.environments.push(environment);
        collection.errors.extend(errors);
    }
    collection
}
