//! SageMaker: a notebook left at SageMaker's defaults and a locked-down one.

use aws_config::SdkConfig;
use aws_sdk_sagemaker::types::{DirectInternetAccess, InstanceType, RootAccess, Tag};

use super::{BoxError, DefaultVpc};

/// `research-open` (dev) fails the three notebook checks; `research-private` (prod) passes
/// them.
pub async fn seed(sdk: &SdkConfig, vpc: &DefaultVpc) -> Result<(), BoxError> {
    let client = aws_sdk_sagemaker::Client::new(sdk);
    let role = "arn:aws:iam::123456789012:role/sagemaker-notebooks";
    let tag = |env: &str| Tag::builder().key("Environment").value(env).build();
    client
        .create_notebook_instance()
        .notebook_instance_name("research-open")
        .instance_type(InstanceType::MlT3Medium)
        .role_arn(role)
        .direct_internet_access(DirectInternetAccess::Enabled)
        .root_access(RootAccess::Enabled)
        .tags(tag("dev"))
        .send()
        .await?;
    client
        .create_notebook_instance()
        .notebook_instance_name("research-private")
        .instance_type(InstanceType::MlT3Medium)
        .role_arn(role)
        .subnet_id(&vpc.subnets[0])
        .security_group_ids(&vpc.default_group)
        .direct_internet_access(DirectInternetAccess::Disabled)
        .root_access(RootAccess::Disabled)
        .tags(tag("prod"))
        .send()
        .await?;
    Ok(())
}
