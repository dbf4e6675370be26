//! Amazon Inspector: EC2 and ECR scanning activated in the seeded region, Lambda scanning not.

use aws_config::SdkConfig;
use aws_sdk_inspector2::types::ResourceScanType;

use super::BoxError;

/// In the seeded region `inspector.ec2_scanning` and `inspector.ecr_scanning` pass and the
/// Lambda scanning checks fail; every region not seeded fails all four.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_inspector2::Client::new(sdk);
    client
        .enable()
        .account_ids("123456789012")
        .resource_types(ResourceScanType::Ec2)
        .resource_types(ResourceScanType::Ecr)
        .send()
        .await?;
    Ok(())
}
