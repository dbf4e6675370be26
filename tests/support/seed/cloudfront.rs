//! CloudFront: `site`, with a default root object and an S3 origin on a demo bucket, and
//! `legacy-site`, with neither a root object nor a bucket behind its S3 origin.

use std::collections::HashMap;

use aws_config::{Region, SdkConfig};
use aws_sdk_cloudfront::types::{
    DefaultCacheBehavior, DistributionConfig, DistributionConfigWithTags, Origin, Origins,
    S3OriginConfig, Tag, Tags, ViewerProtocolPolicy,
};

use super::BoxError;

/// A bucket the S3 seed creates: seed S3 first.
pub const SITE_BUCKET: &str = "acme-public-assets";
/// No bucket of this name is ever created: the origin dangles.
pub const MISSING_BUCKET: &str = "missing-bucket-acme-legacy";

/// Each distribution's comment (and caller reference) is its name: CloudFront chooses ids.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let cloudfront = client(sdk);
    // (name, default root object, origin bucket, environment)
    let distributions = [
        ("site", Some("index.html"), SITE_BUCKET, "prod"),
        ("legacy-site", None, MISSING_BUCKET, "dev"),
    ];
    for (name, root, bucket, env) in distributions {
        let origin_id = format!("{name}-s3");
        let origin = Origin::builder()
            .id(&origin_id)
            .domain_name(format!("{bucket}.s3.amazonaws.com"))
            .s3_origin_config(S3OriginConfig::builder().origin_access_identity("").build())
            .build()?;
        let behavior = DefaultCacheBehavior::builder()
            .target_origin_id(&origin_id)
            .viewer_protocol_policy(ViewerProtocolPolicy::RedirectToHttps)
            .build()?;
        let mut config = DistributionConfig::builder()
            .caller_reference(name)
            .comment(name)
            .enabled(true)
            .origins(Origins::builder().quantity(1).items(origin).build()?)
            .default_cache_behavior(behavior);
        if let Some(root) = root {
            config = config.default_root_object(root);
        }
        let tags = Tags::builder()
            .items(Tag::builder().key("Environment").value(env).build()?)
            .build();
        let created = cloudfront
            .create_distribution_with_tags()
            .distribution_config_with_tags(
                DistributionConfigWithTags::builder()
                    .distribution_config(config.build()?)
                    .tags(tags)
                    .build(),
            )
            .send()
            .await;
        // moto 5.1.18 answers with XML the SDK cannot parse (an empty boolean): the
        // distribution exists all the same, as the listing shows.
        if let Err(error) = created {
            if !distribution_ids(sdk).await?.contains_key(name) {
                return Err(error.into());
            }
        }
    }
    Ok(())
}

/// CloudFront is global; its API lives in us-east-1.
fn client(sdk: &SdkConfig) -> aws_sdk_cloudfront::Client {
    aws_sdk_cloudfront::Client::from_conf(
        aws_sdk_cloudfront::config::Builder::from(sdk)
            .region(Region::new("us-east-1"))
            .build(),
    )
}

/// The ids the emulator gave the seeded distributions, by name (`site`, `legacy-site`).
pub async fn distribution_ids(sdk: &SdkConfig) -> Result<HashMap<String, String>, BoxError> {
    let listed = client(sdk).list_distributions().send().await?;
    Ok(listed
        .distribution_list()
        .map(|list| list.items())
        .unwrap_or_default()
        .iter()
        .map(|d| (d.comment().to_string(), d.id().to_string()))
        .collect())
}
