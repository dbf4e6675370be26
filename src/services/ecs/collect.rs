//! ECS, per region: every cluster's services, described 10 at a time (the API's limit), and
//! the latest ACTIVE revision of every task definition family, one description per family.
//! Tags come with both descriptions.

use aws_sdk_ecs::types::{
    ContainerDefinition, ServiceField, TaskDefinitionFamilyStatus, TaskDefinitionField,
    TaskDefinitionStatus,
};
use aws_sdk_ecs::Client;
use futures::stream::{self, StreamExt};

use super::{Container, EcsService, Inventory, TaskDefinition, TaskSet};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_ecs);

/// DescribeServices takes at most 10 services per call
/// (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeServices.html).
const DESCRIBE_SERVICES_BATCH: usize = 10;

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let concurrency = context.concurrency.get();
    let (mut services, task_definitions) = futures::join!(
        services(&client, region, concurrency),
        task_definitions(&client, region, concurrency),
    );
    services.merge(task_definitions);
    services
}

/// The name at the end of a cluster's ARN (`arn:aws:ecs:<region>:<account>:cluster/<name>`).
fn name_of(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

async fn services(client: &Client, region: &str, concurrency: usize) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut clusters: Vec<String> = Vec::new();
    let pages = client
        .list_clusters()
        .max_results(100)
        .into_paginator()
        .send();
    let call = Call::new("ecs", region, "ListClusters");
    each_page(pages, &call, &mut collection.errors, |page| {
        clusters.extend(page.cluster_arns().iter().cloned())
    })
    .await;

    // Each cluster's service ARNs, `concurrency` clusters at a time.
    let mut listings = stream::iter(clusters)
        .map(|cluster| async move {
            let (mut arns, mut errors) = (Vec::<String>::new(), Vec::new());
            let pages = client
                .list_services()
                .cluster(&cluster)
                .max_results(100)
                .into_paginator()
                .send();
            let call = Call::new("ecs", region, "ListServices").on(name_of(&cluster));
            each_page(pages, &call, &mut errors, |page| {
                arns.extend(page.service_arns().iter().cloned())
            })
            .await;
            (cluster, arns, errors)
        })
        .buffer_unordered(concurrency);
    let mut batches: Vec<(String, Vec<String>)> = Vec::new();
    while let Some((cluster, arns, errors)) = listings.next().await {
        collection.errors.extend(errors);
        for batch in arns.chunks(DESCRIBE_SERVICES_BATCH) {
            batches.push((cluster.clone(), batch.to_vec()));
        }
    }

    let mut reads = stream::iter(batches)
        .map(|(cluster, arns)| async move {
            let answer = client
                .describe_services()
                .cluster(&cluster)
                .set_services(Some(arns))
                .include(ServiceField::Tags)
                .send()
                .await;
            let mut errors = Vec::new();
            let call = Call::new("ecs", region, "DescribeServices").on(name_of(&cluster));
            let described = call.read(answer, &mut errors, |output| {
                let services: Vec<EcsService> = output
                    .services()
                    .iter()
                    .filter_map(|s| described_service(s, name_of(&cluster), region))
                    .collect();
                // MISSING: deleted since the listing. Any other failure hides a service.
                let failures: Vec<(String, String)> = output
                    .failures()
                    .iter()
                    .filter(|f| f.reason() != Some("MISSING"))
                    .map(|f| {
                        let reason = f.reason().unwrap_or("Failure").to_string();
                        let what = f.arn().unwrap_or("a service");
                        let detail = f.detail().map(|d| format!(": {d}")).unwrap_or_default();
                        (reason, format!("{what} could not be described{detail}"))
                    })
                    .collect();
                (services, failures)
            });
            let services = match described {
                Some((services, failures)) => {
                    for (code, message) in failures {
                        errors.push(call.entry(code, message));
                    }
                    services
                }
                None => Vec::new(),
            };
            (services, errors)
        })
        .buffer_unordered(concurrency);
    while let Some((services, errors)) = reads.next().await {
        collection.inventory.services.extend(services);
        collection.errors.extend(errors);
    }
    collection
}

/// The service's own network configuration and its task sets' (its deployments' are not read).
fn described_service(
    service: &aws_sdk_ecs::types::Service,
    cluster: &str,
    region: &str,
) -> Option<EcsService> {
    let name = service.service_name()?;
    let awsvpc = service
        .network_configuration()
        .and_then(|n| n.awsvpc_configuration());
    Some(EcsService {
        id: format!("{cluster}/{name}"),
        name: name.to_string(),
        cluster: cluster.to_string(),
        arn: service.service_arn().unwrap_or_default().to_string(),
        region: region.to_string(),
        awsvpc: awsvpc.is_some(),
        assign_public_ip: awsvpc
            .and_then(|c| c.assign_public_ip())
            .map(|a| a.as_str().to_string()),
        security_groups: awsvpc
            .map(|c| c.security_groups().to_vec())
            .unwrap_or_default(),
        task_definition: service.task_definition().map(str::to_string),
        tags: tag_map(service.tags(), |t| t.key(), |t| t.value()),
        task_sets: service
            .task_sets()
            .iter()
            .filter_map(|set| {
                Some(TaskSet {
                    id: set.id()?.to_string(),
                    arn: set.task_set_arn().unwrap_or_default().to_string(),
                    assign_public_ip: set
                        .network_configuration()
                        .and_then(|n| n.awsvpc_configuration())
                        .and_then(|c| c.assign_public_ip())
                        .map(|a| a.as_str().to_string()),
                })
            })
            .collect(),
    })
}

/// FSBP judges the latest ACTIVE revision of each family. DescribeTaskDefinition given a
/// family name alone answers with exactly that revision ("The family for the latest ACTIVE
/// revision", https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_DescribeTaskDefinition.html),
/// so one call per family suffices, tags included.
async fn task_definitions(
    client: &Client,
    region: &str,
    concurrency: usize,
) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut families: Vec<String> = Vec::new();
    let pages = client
        .list_task_definition_families()
        .status(TaskDefinitionFamilyStatus::Active)
        .max_results(100)
        .into_paginator()
        .send();
    let call = Call::new("ecs", region, "ListTaskDefinitionFamilies");
    each_page(pages, &call, &mut collection.errors, |page| {
        families.extend(page.families().iter().cloned())
    })
    .await;

    let mut reads = stream::iter(families)
        .map(|family| async move {
            let answer = client
                .describe_task_definition()
                .task_definition(&family)
                .include(TaskDefinitionField::Tags)
                .send()
                .await;
            let mut errors = Vec::new();
            let call = Call::new("ecs", region, "DescribeTaskDefinition").on(&family);
            let found = call
                .read(answer, &mut errors, |output| {
                    let tags = tag_map(output.tags(), |t| t.key(), |t| t.value());
                    let definition = output.task_definition()?;
                    // Deregistered since the listing: no longer an ACTIVE revision.
                    if definition
                        .status()
                        .is_some_and(|s| *s != TaskDefinitionStatus::Active)
                    {
                        return None;
                    }
                    let family = definition.family()?.to_string();
                    let revision = definition.revision();
                    Some(TaskDefinition {
                        id: format!("{family}:{revision}"),
                        family,
                        revision,
                        arn: definition
                            .task_definition_arn()
                            .unwrap_or_default()
                            .to_string(),
                        region: region.to_string(),
                        pid_mode: definition.pid_mode().map(|m| m.as_str().to_string()),
                        task_role_arn: definition.task_role_arn().map(str::to_string),
                        containers: definition
                            .container_definitions()
                            .iter()
                            .map(container)
                            .collect(),
                        tags,
                    })
                })
                .flatten();
            (found, errors)
        })
        .buffer_unordered(concurrency);
    while let Some((definition, errors)) = reads.next().await {
        collection.inventory.task_definitions.extend(definition);
        collection.errors.extend(errors);
    }
    collection
}

fn container(definition: &ContainerDefinition) -> Container {
    Container {
        name: definition.name().unwrap_or_default().to_string(),
        privileged: definition.privileged().unwrap_or(false),
        readonly_root_filesystem: definition.readonly_root_filesystem().unwrap_or(false),
        logging: definition.log_configuration().is_some(),
        // Names only: the values may be secrets, and the inventory ends up in reports.
        environment_names: definition
            .environment()
            .iter()
            .filter_map(|variable| variable.name().map(str::to_string))
            .collect(),
    }
}
