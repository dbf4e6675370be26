//! ECR: in us-east-1, repositories `app` (scanOnPush true, but the registry's basic-scanning
//! filter `prod-*` does not match it, so it is scanned manually only: fails ecr.image_scanning),
//! `legacy` (false: fails) and `prod-api` (false, but scanned on push by the filter: passes); in
//! eu-west-1, whose registry has no filters, `edge-cache` (scanOnPush true: passes).

use aws_config::{Region, SdkConfig};
use aws_sdk_ecr::types::{
    ImageScanningConfiguration, RegistryScanningRule, ScanFrequency, ScanType,
    ScanningRepositoryFilter, ScanningRepositoryFilterType, Tag,
};

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let ecr = aws_sdk_ecr::Client::new(sdk);
    // (repository, its own scanOnPush, environment)
    for (name, scan_on_push, env) in [
        ("app", true, "prod"),
        ("legacy", false, "dev"),
        ("prod-api", false, "prod"),
    ] {
        ecr.create_repository()
            .repository_name(name)
            .image_scanning_configuration(
                ImageScanningConfiguration::builder()
                    .scan_on_push(scan_on_push)
                    .build(),
            )
            .tags(Tag::builder().key("Environment").value(env).build()?)
            .send()
            .await?;
    }
    ecr.put_registry_scanning_configuration()
        .scan_type(ScanType::Basic)
        .rules(
            RegistryScanningRule::builder()
                .scan_frequency(ScanFrequency::ScanOnPush)
                .repository_filters(
                    ScanningRepositoryFilter::builder()
                        .filter("prod-*")
                        .filter_type(ScanningRepositoryFilterType::Wildcard)
                        .build()?,
                )
                .build()?,
        )
        .send()
        .await?;
    let europe = aws_sdk_ecr::Client::from_conf(
        aws_sdk_ecr::config::Builder::from(sdk)
            .region(Region::new("eu-west-1"))
            .build(),
    );
    europe
        .create_repository()
        .repository_name("edge-cache")
        .image_scanning_configuration(
            ImageScanningConfiguration::builder()
                .scan_on_push(true)
                .build(),
        )
        .tags(Tag::builder().key("Environment").value("prod").build()?)
        .send()
        .await?;
    Ok(())
}
