//! OpenSearch Service, per region: ListDomainNames (every engine type), DescribeDomains in
//! batches of five names, and a tag read per domain only where tags are needed.

use std::collections::HashMap;

use aws_sdk_opensearch::Client;
use futures::stream::{self, StreamExt};

use super::{Domain, Inventory, VpcPlacement};
use crate::aws::{regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_opensearch);

/// DescribeDomains answers `ValidationException: Please provide a maximum of 5 domain names to
/// describe.` beyond five names (the API model states no limit):
/// https://github.com/aws-solutions-library-samples/account-assessment-for-aws-organizations/issues/7
const DESCRIBE_BATCH: usize = 5;

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    // Without an engine type filter the list holds OpenSearch and Elasticsearch domains alike
    // (one answer, no pagination):
    // https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_ListDomainNames.html
    let call = Call::new("es", region, "ListDomainNames");
    let answer = client.list_domain_names().send().await;
    let Some(listed) = call.read(answer, &mut collection.errors, |o| {
        (o.domain_names().iter())
            .filter_map(|d| {
                let engine = d.engine_type().map(|e| e.as_str().to_string());
                Some((d.domain_name()?.to_string(), engine))
            })
            .collect::<Vec<_>>()
    }) else {
        return collection;
    };
    let engine_types: HashMap<String, Option<String>> = listed.iter().cloned().collect();
    let names: Vec<String> = listed.into_iter().map(|(name, _)| name).collect();

    let client = &client;
    let engine_types = &engine_types;
    let mut batches = stream::iter(names.chunks(DESCRIBE_BATCH).map(<[String]>::to_vec))
        .map(|batch| describe(client, region, batch, engine_types))
        .buffer_unordered(context.concurrency.get());
    let mut domains = Vec::new();
    while let Some((described, error)) = batches.next().await {
        domains.extend(described);
        collection.errors.extend(error);
    }

    // Tags cost a call per domain: read only for an environment filter or for mutelist rules
    // on tags.
    if !context.reads_tags() {
        collection.inventory.domains = domains;
        return collection;
    }
    let mut reads = stream::iter(domains)
        .map(|mut domain| async move {
            let mut errors = Vec::new();
            let answer = client.list_tags().arn(&domain.arn).send().await;
            let call = Call::new("es", region, "ListTags");
            domain.tags = call.on(&domain.name).read(answer, &mut errors, |o| {
                tag_map(o.tag_list(), |t| Some(t.key()), |t| Some(t.value()))
            });
            (domain, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((domain, errors)) = reads.next().await {
        collection.inventory.domains.push(domain);
        collection.errors.extend(errors);
    }
    collection
}

/// One DescribeDomains call for up to five names. Domains being deleted are left out.
async fn describe(
    client: &Client,
    region: &str,
    batch: Vec<String>,
    engine_types: &HashMap<String, Option<String>>,
) -> (Vec<Domain>, Option<AuditError>) {
    let names = batch.join(",");
    let call = Call::new("es", region, "DescribeDomains").on(&names);
    let answer = client
        .describe_domains()
        .set_domain_names(Some(batch))
        .send()
        .await;
    let mut errors = Vec::new();
    let domains = call.read(answer, &mut errors, |o| {
        (o.domain_status_list().iter())
            .filter(|d| d.deleted() != Some(true))
            .map(|d| Domain {
                name: d.domain_name().to_string(),
                region: region.to_string(),
                arn: d.arn().to_string(),
                engine_type: engine_types.get(d.domain_name()).cloned().flatten(),
                engine_version: d.engine_version().map(str::to_string),
                vpc: d.vpc_options().map(|v| VpcPlacement {
                    vpc_id: v.vpc_id().filter(|id| !id.is_empty()).map(str::to_string),
                    subnet_ids: v.subnet_ids().to_vec(),
                }),
                endpoint: d.endpoint().map(str::to_string),
                fine_grained_access: (d.advanced_security_options())
                    .and_then(|a| a.enabled())
                    .unwrap_or(false),
                tags: None,
            })
            .collect::<Vec<_>>()
    });
    (domains.unwrap_or_default(), errors.pop())
}
