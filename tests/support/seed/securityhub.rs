//! Security Hub: enabled in the seeded region only.

use aws_config::SdkConfig;

use super::BoxError;

/// `securityhub.enabled` passes in the seeded region and fails in every other.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_securityhub::Client::new(sdk);
    client.enable_security_hub().send().await?;
    Ok(())
}
