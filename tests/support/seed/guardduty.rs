//! GuardDuty: a detector in the seeded region (the other audited region has none).

use aws_config::SdkConfig;

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    aws_sdk_guardduty::Client::new(sdk)
        .create_detector()
        .enable(true)
        .send()
        .await?;
    Ok(())
}
