//! Amazon Macie: on in the seeded region with automated discovery, off everywhere else.

use aws_config::SdkConfig;
use aws_sdk_macie2::types::AutomatedDiscoveryStatus;

use super::BoxError;

/// In the seeded region `macie.enabled` and `macie.automated_discovery` pass; every region not
/// seeded fails `macie.enabled` (and has no discovery verdict).
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_macie2::Client::new(sdk);
    client.enable_macie().send().await?;
    client
        .update_automated_discovery_configuration()
        .status(AutomatedDiscoveryStatus::Enabled)
        .send()
        .await?;
    Ok(())
}
