//! ECR, per region: the private repositories, then, where there are any, the scanning each one
//! actually gets (BatchGetRepositoryScanningConfiguration, 25 repositories a call): the
//! registry's filters and the repository's own deprecated scanOnPush resolved by AWS, as
//! ECR.1's rule reads it. Tags cost a call per repository and are read only for an environment
//! filter or mutelist rules on tags.

use std::collections::HashMap;

use aws_sdk_ecr::types::RepositoryScanningConfiguration;
use futures::stream::{self, StreamExt};

use super::{Repository, Scanning};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_ecr);

/// BatchGetRepositoryScanningConfiguration takes 1 to 25 names (API reference,
/// `repositoryNames`).
const SCANNING_BATCH: usize = 25;

/// The scan frequencies AWS documents (RepositoryScanningConfiguration, `scanFrequency`).
const FREQUENCIES: [&str; 3] = ["SCAN_ON_PUSH", "CONTINUOUS_SCAN", "MANUAL"];

pub(crate) async fn collect(
    context: &CollectContext<'_>,
    region: &str,
) -> Collection<super::Inventory> {
    let client: aws_sdk_ecr::Client = context.clients.client(region);
    let mut collection = Collection::<super::Inventory>::default();
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
        return collection;
    }

    let client = &client;
    let names: Vec<String> = repositories.iter().map(|r| r.name.clone()).collect();
    let mut batches = stream::iter(names.chunks(SCANNING_BATCH).map(<[String]>::to_vec))
        .map(|batch| async move {
            let answer = client
                .batch_get_repository_scanning_configuration()
                .set_repository_names(Some(batch.clone()))
                .send()
                .await;
            let call = Call::new("ecr", region, "BatchGetRepositoryScanningConfiguration");
            match answer {
                Ok(output) => scanning_of(&output, &call),
                // The batch's repositories get no verdict, each named.
                Err(error) => {
                    let failed = call.error(&error);
                    let errors = batch
                        .iter()
                        .map(|name| AuditError {
                            resource_id: Some(name.clone()),
                            ..failed.clone()
                        })
                        .collect();
                    (HashMap::new(), errors)
                }
            }
        })
        .buffer_unordered(context.concurrency.get());
    let mut scanning = HashMap::new();
    while let Some((read, errors)) = batches.next().await {
        scanning.extend(read);
        collection.errors.extend(errors);
    }
    for repository in &mut repositories {
        repository.scanning = scanning.remove(&repository.name);
    }

    if context.reads_tags() {
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

/// A batch's answer by repository name. A repository deleted since the listing
/// (`REPOSITORY_NOT_FOUND`) is simply absent; any other failure, and a scan frequency no release
/// of secaudit knew, is an error entry naming the repository, which then gets no verdict.
fn scanning_of(
    output: &aws_sdk_ecr::operation::batch_get_repository_scanning_configuration::BatchGetRepositoryScanningConfigurationOutput,
    call: &Call,
) -> (HashMap<String, Scanning>, Vec<AuditError>) {
    let mut errors = Vec::new();
    for failure in output.failures() {
        let code = failure.failure_code().map_or("", |c| c.as_str());
        if code != "REPOSITORY_NOT_FOUND" {
            let name = failure.repository_name().unwrap_or_default();
            errors.push(call.on(name).entry(
                code.to_string(),
                failure.failure_reason().unwrap_or_default().to_string(),
            ));
        }
    }
    let scanning = output
        .scanning_configurations()
        .iter()
        .filter_map(|configuration| {
            let name = configuration.repository_name()?;
            match scanning(configuration) {
                Ok(scanning) => Some((name.to_string(), scanning)),
                Err(frequency) => {
                    errors.push(call.on(name).entry(
                        "UnrecognizedValue".into(),
                        format!(
                            "scan frequency {frequency:?} is none this release knows ({}): no verdict on the repository's scanning",
                            FREQUENCIES.join(", ")
                        ),
                    ));
                    None
                }
            }
        })
        .collect();
    (scanning, errors)
}

/// The repository's effective scanning, or the unknown frequency AWS wrote.
fn scanning(configuration: &RepositoryScanningConfiguration) -> Result<Scanning, String> {
    let frequency = configuration
        .scan_frequency()
        .map(|f| f.as_str().to_string());
    if let Some(unknown) = frequency
        .as_ref()
        .filter(|f| !FREQUENCIES.contains(&f.as_str()))
    {
        return Err(unknown.clone());
    }
    Ok(Scanning {
        frequency,
        scan_on_push: configuration.scan_on_push(),
        applied_filters: configuration
            .applied_scan_filters()
            .iter()
            .map(|f| f.filter().to_string())
            .collect(),
    })
}

fn listed(repository: &aws_sdk_ecr::types::Repository, region: &str) -> Option<Repository> {
    Some(Repository {
        name: repository.repository_name()?.to_string(),
        arn: repository.repository_arn().unwrap_or_default().to_string(),
        region: region.to_string(),
        scanning: None,
        tags: None,
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_ecr::operation::batch_get_repository_scanning_configuration::BatchGetRepositoryScanningConfigurationOutput;
    use aws_sdk_ecr::types::{
        RepositoryScanningConfiguration, RepositoryScanningConfigurationFailure, ScanFrequency,
        ScanningConfigurationFailureCode, ScanningRepositoryFilter, ScanningRepositoryFilterType,
    };

    use super::{scanning_of, Call};

    fn configuration(name: &str, frequency: ScanFrequency) -> RepositoryScanningConfiguration {
        RepositoryScanningConfiguration::builder()
            .repository_name(name)
            .scan_frequency(frequency)
            .applied_scan_filters(
                ScanningRepositoryFilter::builder()
                    .filter("prod-*")
                    .filter_type(ScanningRepositoryFilterType::Wildcard)
                    .build()
                    .unwrap(),
            )
            .build()
    }

    #[test]
    fn unknown_frequencies_and_failures_are_reported_and_deleted_repositories_dropped() {
        let output = BatchGetRepositoryScanningConfigurationOutput::builder()
            .scanning_configurations(configuration("prod-api", ScanFrequency::ScanOnPush))
            .scanning_configurations(configuration("future", ScanFrequency::from("DAILY_SCAN")))
            .failures(
                RepositoryScanningConfigurationFailure::builder()
                    .repository_name("gone")
                    .failure_code(ScanningConfigurationFailureCode::RepositoryNotFound)
                    .build(),
            )
            .failures(
                RepositoryScanningConfigurationFailure::builder()
                    .repository_name("odd")
                    .failure_code(ScanningConfigurationFailureCode::from("THROTTLED"))
                    .failure_reason("try later")
                    .build(),
            )
            .build();
        let call = Call::new(
            "ecr",
            "us-east-1",
            "BatchGetRepositoryScanningConfiguration",
        );
        let (scanning, errors) = scanning_of(&output, &call);
        assert_eq!(scanning.len(), 1);
        let prod = &scanning["prod-api"];
        assert_eq!(prod.frequency.as_deref(), Some("SCAN_ON_PUSH"));
        assert_eq!(prod.applied_filters, ["prod-*"]);
        let named: Vec<_> = errors
            .iter()
            .map(|e| (e.resource_id.as_deref().unwrap(), e.code.as_str()))
            .collect();
        assert_eq!(
            named,
            [("odd", "THROTTLED"), ("future", "UnrecognizedValue")]
        );
        assert!(errors[1].message.contains("DAILY_SCAN"));
    }
}
