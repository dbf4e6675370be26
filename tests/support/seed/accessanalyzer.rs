//! IAM Access Analyzer (answered by the test server: moto has none): an external access
//! analyzer in the seeded region only.

use aws_config::SdkConfig;
use aws_sdk_accessanalyzer::types::Type;

use super::BoxError;

/// `accessanalyzer.enabled` passes in the seeded region and fails in every other.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_accessanalyzer::Client::new(sdk);
    client
        .create_analyzer()
        .analyzer_name("external-access")
        .r#type(Type::Account)
        .send()
        .await?;
    Ok(())
}
