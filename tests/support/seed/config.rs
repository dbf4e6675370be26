//! AWS Config: a recorder of every resource type, with its delivery channel, recording.

use aws_config::SdkConfig;

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let config = aws_sdk_config::Client::new(sdk);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                // The service-linked role, as FSBP Config.1 asks; every supported type, the
                // global (IAM) ones too: what Config.1 and CIS 3.3 ask of one region.
                .role_arn("arn:aws:iam::123456789012:role/aws-service-role/config.amazonaws.com/AWSServiceRoleForConfig")
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await?;
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("acme-audit-logs")
                .build(),
        )
        .send()
        .await?;
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await?;
    Ok(())
}
