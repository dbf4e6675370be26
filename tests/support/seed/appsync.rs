//! AppSync: an API behind Cognito and one with an API key beside IAM.

use aws_config::SdkConfig;
use aws_sdk_appsync::types::{
    AdditionalAuthenticationProvider, AuthenticationType, DefaultAction, UserPoolConfig,
};

use super::BoxError;

/// `orders` (prod, Cognito user pools) passes `appsync.no_api_key_authentication`;
/// `catalog` (dev, IAM with an API key as additional provider) fails it.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_appsync::Client::new(sdk);
    client
        .create_graphql_api()
        .name("orders")
        .authentication_type(AuthenticationType::AmazonCognitoUserPools)
        .user_pool_config(
            UserPoolConfig::builder()
                .user_pool_id("us-east-1_Example")
                .aws_region("us-east-1")
                .default_action(DefaultAction::Allow)
                .build()?,
        )
        .tags("Environment", "prod")
        .send()
        .await?;
    client
        .create_graphql_api()
        .name("catalog")
        .authentication_type(AuthenticationType::AwsIam)
        .additional_authentication_providers(
            AdditionalAuthenticationProvider::builder()
                .authentication_type(AuthenticationType::ApiKey)
                .build(),
        )
        .tags("Environment", "dev")
        .send()
        .await?;
    Ok(())
}
