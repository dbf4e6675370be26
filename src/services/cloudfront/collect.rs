//! CloudFront (global, through us-east-1): the distribution list, each distribution's
//! configuration, and a look at S3 for every bucket an origin names.

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_cloudfront::types::DistributionSummary;
use futures::stream::{self, StreamExt};

use super::{BucketState, Distribution, Inventory, S3Origin};
use crate::aws::{code_of, each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_cloudfront);

/// CloudFront's control plane, and the S3 endpoint for buckets whose region is unknown.
const API_REGION: &str = "us-east-1";
const REGION: &str = Distribution::REGION;

/// The distributions with their default root object and S3 origins. ListDistributions gives
/// the origins but not the default root object: `DistributionSummary` has no
/// `DefaultRootObject` (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_DistributionSummary.html),
/// so each distribution's configuration is read with GetDistributionConfig
/// (https://docs.aws.amazon.com/cloudfront/latest/APIReference/API_GetDistributionConfig.html),
/// `concurrency` at a time. Then, if any origin is an S3 bucket, one ListBuckets and one
/// HeadBucket per bucket that is not this account's.
pub(crate) async fn collect(context: &CollectContext<'_>, _: &str) -> Collection<Inventory> {
    let client: aws_sdk_cloudfront::Client = context.clients.client(API_REGION);
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    let pages = client.list_distributions().into_paginator().send();
    let call = Call::new("cloudfront", REGION, "ListDistributions");
    each_page(pages, &call, &mut collection.errors, |page| {
        if let Some(list) = page.distribution_list() {
            listed.extend(list.items().iter().map(listed_distribution));
        }
    })
    .await;

    let client = &client;
    let mut reads = stream::iter(listed)
        .map(|mut distribution| async move {
            let mut errors = Vec::new();
            if context.reads_tags() {
                let answer = client
                    .list_tags_for_resource()
                    .resource(&distribution.arn)
                    .send()
                    .await;
                let call = Call::new("cloudfront", REGION, "ListTagsForResource");
                distribution.tags = call.on(&distribution.id).read(answer, &mut errors, |o| {
                    o.tags()
                        .map(|t| tag_map(t.items(), |t| Some(t.key()), |t| t.value()))
                        .unwrap_or_default()
                });
                if context.outside_environment(distribution.tags.as_ref()) {
                    return (None, errors);
                }
            }
            let answer = client
                .get_distribution_config()
                .id(&distribution.id)
                .send()
                .await;
            let call = Call::new("cloudfront", REGION, "GetDistributionConfig");
            distribution.default_root_object =
                call.on(&distribution.id).read(answer, &mut errors, |o| {
                    o.distribution_config()
                        .and_then(|c| c.default_root_object())
                        .map(str::trim)
                        .filter(|object| !object.is_empty())
                        .map(str::to_string)
                });
            (Some(distribution), errors)
        })
        .buffer_unordered(context.concurrency.get());
    let mut distributions = Vec::new();
    while let Some((distribution, errors)) = reads.next().await {
        distributions.extend(distribution);
        collection.errors.extend(errors);
    }

    // One lookup per bucket, however many origins name it.
    let mut buckets: BTreeMap<String, Option<String>> = BTreeMap::new();
    for origin in distributions.iter().flat_map(|d| &d.s3_origins) {
        buckets
            .entry(origin.bucket.clone())
            .or_insert_with(|| origin.bucket_region.clone());
    }
    if !buckets.is_empty() {
        let states = bucket_states(context, buckets, &mut collection.errors).await;
        for origin in distributions
            .iter_mut()
            .flat_map(|d| d.s3_origins.iter_mut())
        {
            origin.bucket_state = states.get(&origin.bucket).copied();
        }
    }
    collection.inventory.distributions = distributions;
    collection
}

fn listed_distribution(summary: &DistributionSummary) -> Distribution {
    let s3_origins = summary
        .origins()
        .map(|o| o.items())
        .unwrap_or_default()
        .iter()
        .filter_map(|origin| {
            let (bucket, bucket_region) = s3_bucket_of(origin.domain_name())?;
            Some(S3Origin {
                id: origin.id().to_string(),
                domain_name: origin.domain_name().to_string(),
                bucket,
                bucket_region,
                bucket_state: None,
            })
        })
        .collect();
    Distribution {
        id: summary.id().to_string(),
        arn: summary.arn().to_string(),
        domain_name: summary.domain_name().to_string(),
        default_root_object: None,
        s3_origins,
        tags: None,
    }
}

/// Whether each bucket exists: this account's bucket list first (one paginated ListBuckets),
/// then HeadBucket for the others, `concurrency` at a time. HeadBucket answers "does not exist
/// or no permission" with 400, 403 or 404
/// (https://docs.aws.amazon.com/AmazonS3/latest/API/API_HeadBucket.html): only 404 (NotFound,
/// NoSuchBucket) is taken as missing; 403 is a bucket that exists but is not ours to read, 301
/// one in another region; anything else is recorded and decides nothing. A bucket missing from
/// the map could not be looked up. If the listing fails, every bucket gets a HeadBucket.
async fn bucket_states(
    context: &CollectContext<'_>,
    buckets: BTreeMap<String, Option<String>>,
    errors: &mut Vec<AuditError>,
) -> BTreeMap<String, BucketState> {
    let s3: aws_sdk_s3::Client = context.clients.client(API_REGION);
    let mut owned = BTreeSet::new();
    let pages = s3
        .list_buckets()
        .max_buckets(10_000)
        .into_paginator()
        .send();
    let call = Call::new("s3", API_REGION, "ListBuckets");
    each_page(pages, &call, errors, |page| {
        owned.extend(
            page.buckets()
                .iter()
                .filter_map(|b| b.name().map(str::to_string)),
        );
    })
    .await;
    let mut states = BTreeMap::new();
    let mut foreign = Vec::new();
    for (bucket, region) in buckets {
        if owned.contains(&bucket) {
            states.insert(bucket, BucketState::InAccount);
        } else {
            foreign.push((bucket, region));
        }
    }
    let clients = context.clients;
    let mut heads = stream::iter(foreign)
        .map(|(bucket, region)| async move {
            let region = region.unwrap_or_else(|| API_REGION.to_string());
            let client: aws_sdk_s3::Client = clients.client(&region);
            let answer = client.head_bucket().bucket(&bucket).send().await;
            let state = match answer {
                Ok(_) => Ok(BucketState::Exists),
                Err(error) => {
                    let status = error.raw_response().map(|r| r.status().as_u16());
                    match (code_of(&error), status) {
                        (Some("NoSuchBucket" | "NotFound"), _) | (_, Some(404)) => {
                            Ok(BucketState::Missing)
                        }
                        (_, Some(301 | 403)) => Ok(BucketState::Exists),
                        _ => {
                            let call = Call::new("s3", &region, "HeadBucket").on(&bucket);
                            Err(call.error(&error))
                        }
                    }
                }
            };
            (bucket, state)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((bucket, state)) = heads.next().await {
        match state {
            Ok(state) => {
                states.insert(bucket, state);
            }
            Err(error) => errors.push(error),
        }
    }
    states
}

/// The bucket, and the region when the endpoint names one, of an origin that is an S3 REST
/// endpoint: `<bucket>.s3.amazonaws.com`, `<bucket>.s3.<region>.amazonaws.com`,
/// `<bucket>.s3-<region>.amazonaws.com` (legacy) or `<bucket>.s3.dualstack.<region>.amazonaws.com`
/// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/VirtualHosting.html). Website
/// endpoints (`s3-website-<region>`, `s3-website.<region>`) are custom origins for
/// CloudFront, and access points or other hosts name no bucket: `None`.
pub(super) fn s3_bucket_of(domain: &str) -> Option<(String, Option<String>)> {
    let domain = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    let host = domain
        .strip_suffix(".amazonaws.com")
        .or_else(|| domain.strip_suffix(".amazonaws.com.cn"))?;
    let labels: Vec<&str> = host.split('.').collect();
    let (bucket, region) = match labels.as_slice() {
        [bucket @ .., "s3"] => (bucket, None),
        [bucket @ .., "s3", "dualstack", region] | [bucket @ .., "s3", region] => {
            (bucket, Some(*region))
        }
        // The legacy global endpoint of us-east-1.
        [bucket @ .., "s3-external-1"] => (bucket, Some("us-east-1")),
        [bucket @ .., last] => (bucket, Some(last.strip_prefix("s3-")?)),
        [] => return None,
    };
    if region.is_some_and(|r| !is_region(r)) || bucket.is_empty() || bucket.contains(&"") {
        return None;
    }
    Some((bucket.join("."), region.map(str::to_string)))
}

/// `us-east-1`, `eu-central-2`, `us-gov-west-1`: letters, dash-separated, then a number.
fn is_region(name: &str) -> bool {
    let parts: Vec<&str> = name.split('-').collect();
    matches!(parts.as_slice(), [first, middle @ .., last]
        if first.len() == 2
            && first.bytes().all(|b| b.is_ascii_lowercase())
            && !middle.is_empty()
            && middle.iter().all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
            && !last.is_empty()
            && last.bytes().all(|b| b.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::s3_bucket_of;

    fn parsed(domain: &str) -> Option<(String, Option<String>)> {
        s3_bucket_of(domain)
    }

    fn bucket(name: &str, region: Option<&str>) -> Option<(String, Option<String>)> {
        Some((name.to_string(), region.map(str::to_string)))
    }

    #[test]
    fn rest_endpoints_name_their_bucket_and_region() {
        assert_eq!(parsed("assets.s3.amazonaws.com"), bucket("assets", None));
        assert_eq!(
            parsed("assets.s3.eu-west-1.amazonaws.com"),
            bucket("assets", Some("eu-west-1"))
        );
        assert_eq!(
            parsed("assets.s3.dualstack.us-west-2.amazonaws.com"),
            bucket("assets", Some("us-west-2"))
        );
        assert_eq!(
            parsed("Assets.S3.amazonaws.com."),
            bucket("assets", None),
            "DNS names are case-insensitive"
        );
    }

    #[test]
    fn the_legacy_dash_region_form_is_parsed() {
        assert_eq!(
            parsed("old-site.s3-eu-west-1.amazonaws.com"),
            bucket("old-site", Some("eu-west-1"))
        );
        assert_eq!(
            parsed("old-site.s3-us-gov-west-1.amazonaws.com"),
            bucket("old-site", Some("us-gov-west-1"))
        );
        assert_eq!(
            parsed("old-site.s3-external-1.amazonaws.com"),
            bucket("old-site", Some("us-east-1"))
        );
    }

    #[test]
    fn bucket_names_with_dots_are_kept_whole() {
        assert_eq!(
            parsed("www.example.com.s3.amazonaws.com"),
            bucket("www.example.com", None)
        );
        // A bucket may itself contain an `s3` label.
        assert_eq!(
            parsed("my.s3.assets.s3.ap-south-1.amazonaws.com"),
            bucket("my.s3.assets", Some("ap-south-1"))
        );
    }

    #[test]
    fn website_endpoints_and_other_hosts_are_not_s3_origins() {
        for domain in [
            "site.s3-website-us-east-1.amazonaws.com",
            "site.s3-website.eu-west-1.amazonaws.com",
            "ap-123456789012.s3-accesspoint.us-east-1.amazonaws.com",
            "site.s3-accelerate.amazonaws.com",
            "s3.amazonaws.com",
            "app.example.com",
            "my-alb-1234.us-east-1.elb.amazonaws.com",
            "d111111abcdef8.cloudfront.net",
        ] {
            assert_eq!(parsed(domain), None, "{domain}");
        }
    }
}
