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
    // Explicit selectors: AWS gives a new trail the management one by default, moto gives none.
    // S3 object-level writes of every bucket are recorded, reads are not.
    use aws_sdk_cloudtrail::types::{DataResource, EventSelector, ReadWriteType};
    cloudtrail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .event_selectors(
            EventSelector::builder()
                .read_write_type(ReadWriteType::WriteOnly)
                .include_management_events(false)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values("arn:aws:s3")
                        .build(),
                )
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
