//! Auto Scaling: an old launch configuration and its hardened successor.

use aws_config::SdkConfig;
use aws_sdk_autoscaling::types::{
    InstanceMetadataEndpointState, InstanceMetadataHttpTokensState, InstanceMetadataOptions,
};

use super::BoxError;

/// `web-lc-v1` fails both launch-configuration checks (public addresses, no metadata
/// options); `web-lc-v2` passes both.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_autoscaling::Client::new(sdk);
    client
        .create_launch_configuration()
        .launch_configuration_name("web-lc-v1")
        .image_id("ami-12345678")
        .instance_type("t3.micro")
        .associate_public_ip_address(true)
        .send()
        .await?;
    client
        .create_launch_configuration()
        .launch_configuration_name("web-lc-v2")
        .image_id("ami-12345678")
        .instance_type("t3.micro")
        .associate_public_ip_address(false)
        .metadata_options(
            InstanceMetadataOptions::builder()
                .http_tokens(InstanceMetadataHttpTokensState::Required)
                .http_endpoint(InstanceMetadataEndpointState::Enabled)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}
