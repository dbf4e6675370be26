//! CodeBuild, per region: ListProjects (names), then BatchGetProjects in batches of 100 (the
//! API's limit), which carries the sources, environment variables and tags.

use aws_sdk_codebuild::types::ProjectSource;
use futures::stream::{self, StreamExt};

use super::{EnvironmentVariable, Inventory, Project, SignIn, Source};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_codebuild);

/// BatchGetProjects takes 1 to 100 names (API reference, `names`).
const DESCRIBE_BATCH: usize = 100;

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_codebuild::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let mut names = Vec::new();
    let call = Call::new("codebuild", region, "ListProjects");
    let pages = client.list_projects().into_paginator().send();
    each_page(pages, &call, &mut collection.errors, |page| {
        names.extend(page.projects().iter().cloned());
    })
    .await;

    let client = &client;
    let mut batches = stream::iter(names.chunks(DESCRIBE_BATCH).map(<[String]>::to_vec))
        .map(|batch| async move {
            let answer = client
                .batch_get_projects()
                .set_names(Some(batch))
                .send()
                .await;
            let mut errors = Vec::new();
            let call = Call::new("codebuild", region, "BatchGetProjects");
            let projects = call.read(answer, &mut errors, |o| {
                o.projects()
                    .iter()
                    .filter_map(|p| project(p, region))
                    .collect::<Vec<_>>()
            });
            (projects.unwrap_or_default(), errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((projects, errors)) = batches.next().await {
        collection.inventory.projects.extend(projects);
        collection.errors.extend(errors);
    }
    collection
}

fn project(p: &aws_sdk_codebuild::types::Project, region: &str) -> Option<Project> {
    let source = |s: &ProjectSource| {
        let (sign_in, location) = SignIn::redact(s.location().unwrap_or_default());
        Source {
            kind: s.r#type().as_str().to_string(),
            location,
            sign_in,
        }
    };
    let environment_variables = p
        .environment()
        .map(|e| e.environment_variables())
        .unwrap_or_default()
        .iter()
        .map(|v| EnvironmentVariable {
            name: v.name().to_string(),
            // "The default value is PLAINTEXT" (EnvironmentVariable, API reference).
            kind: v.r#type().map_or("PLAINTEXT", |t| t.as_str()).to_string(),
        })
        .collect();
    Some(Project {
        name: p.name()?.to_string(),
        region: region.to_string(),
        arn: p.arn().unwrap_or_default().to_string(),
        sources: p
            .source()
            .into_iter()
            .chain(p.secondary_sources())
            .map(source)
            .collect(),
        environment_variables,
        tags: tag_map(p.tags(), |t| t.key(), |t| t.value()),
    })
}
