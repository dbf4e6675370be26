//! CloudTrail: a multi-region, validated, encrypted trail that logs, and a bare one.

use aws_config::SdkConfig;

use super::BoxError;

/// `trail_key`: the KMS key ARN that encrypts the good trail.
pub async fn seed(sdk: &SdkConfig, trail_key: &str) -> Result<(), BoxError> {
    let cloudtrail = aws_sdk_cloudtrail::Client::new(sdk);
    cloudtrail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("acme-audit-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .kms_key_id(trail_key)
        .send()
        .await?;
    cloudtrail.start_logging().name("org-trail").send().await?;
    // Explicit selectors: AWS gives a new trail this one by default, moto gives none.
    cloudtrail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await?;
    cloudtrail
        .create_trail()
        .name("dev-trail")
        .s3_bucket_name("acme-audit-logs")
        .send()
        .await?;
    Ok(())
}
