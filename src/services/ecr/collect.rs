//! ECR, per region: the private repositories (each one's own scan-on-push setting comes with
//! the listing), then, where there are repositories, the registry's scanning configuration
//! (one read per region). Tags cost a call per repository and are read only for an
//! environment filter or mutelist rules on tags.

use aws_sdk_ecr::types::{RegistryScanningConfiguration, ScanningRepositoryFilterType};
use futures::stream::{self, StreamExt};

use super::{Inventory, RegistryScanning, Repository, ScanningRule};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_ecr);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_ecr::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut repositories = Vec::new();
    let pages = client
        .describe_repositories()
        .max_results(1000)
        .into_paginator()
        .send();
    let call = Call::new("ecr", region, "DescribeRepositories");
    each_page(pages, &call, &mut collection.errors, |page| {
        repositories.extend(
            page.repositories()
                .iter()
                .filter_map(|repository| listed(repository, region)),
        )
    })
    .await;
    if repositories.is_empty() {
        // The registry setting only decides repositories' verdicts: none, no read.
        return collection;
    }

    let answer = client.get_registry_scanning_configuration().send().await;
    let call = Call::new("ecr", region, "GetRegistryScanningConfiguration");
    let scanning = call.read(answer, &mut collection.errors, |output| {
        registry_scanning(output.scanning_configuration())
    });
    if let Some(scanning) = scanning {
        collection
            .inventory
            .registry_scanning
            .insert(region.to_string(), scanning);
    }

    if context.reads_tags() {
        let client = &client;
        let mut reads = stream::iter(repositories)
            .map(|mut repository| async move {
                let mut errors = Vec::new();
                let answer = client
                    .list_tags_for_resource()
                    .resource_arn(&repository.arn)
                    .send()
                    .await;
                let call = Call::new("ecr", region, "ListTagsForResource");
                repository.tags = call.on(&repository.name).read(answer, &mut errors, |o| {
                    tag_map(o.tags(), |t| Some(t.key()), |t| Some(t.value()))
                });
                (repository, errors)
            })
            .buffer_unordered(context.concurrency.get());
        while let Some((repository, errors)) = reads.next().await {
            collection.inventory.repositories.push(repository);
            collection.errors.extend(errors);
        }
    } else {
        collection.inventory.repositories = repositories;
    }
    collection
}

fn listed(repository: &aws_sdk_ecr::types::Repository, region: &str) -> Option<Repository> {
    Some(Repository {
        name: repository.repository_name()?.to_string(),
        arn: repository.repository_arn().unwrap_or_default().to_string(),
        region: region.to_string(),
        scan_on_push: repository
            .image_scanning_configuration()
            .is_some_and(|c| c.scan_on_push()),
        tags: None,
    })
}

/// "If no registry scanning configuration is defined, BASIC is the default"
/// (https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_RegistryScanningRule.html).
/// Filters of a type other than WILDCARD (the only one today) are left out: their matching
/// rules are unknown.
fn registry_scanning(configuration: Option<&RegistryScanningConfiguration>) -> RegistryScanning {
    let Some(configuration) = configuration else {
        return RegistryScanning {
            scan_type: "BASIC".into(),
            rules: Vec::new(),
        };
    };
    RegistryScanning {
        scan_type: configuration
            .scan_type()
            .map_or("BASIC", |t| t.as_str())
            .to_string(),
        rules: configuration
            .rules()
            .iter()
            .map(|rule| ScanningRule {
                frequency: rule.scan_frequency().as_str().to_string(),
                filters: rule
                    .repository_filters()
                    .iter()
                    .filter(|f| *f.filter_type() == ScanningRepositoryFilterType::Wildcard)
                    .map(|f| f.filter().to_string())
                    .collect(),
            })
            .collect(),
    }
}
