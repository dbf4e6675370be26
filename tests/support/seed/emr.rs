//! EMR: block public access turned off in the home region, and a running cluster (moto gives
//! every node a public address, so the primary-node check's passing case is a unit test).

use aws_config::SdkConfig;
use aws_sdk_emr::types::{
    BlockPublicAccessConfiguration, InstanceGroupConfig, InstanceRoleType, JobFlowInstancesConfig,
    Tag,
};

use super::BoxError;

/// `emr.block_public_access` fails in the seeded region; `analytics` (dev) fails
/// `emr.primary_node_no_public_ip`.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_emr::Client::new(sdk);
    client
        .put_block_public_access_configuration()
        .block_public_access_configuration(
            BlockPublicAccessConfiguration::builder()
                .block_public_security_group_rules(false)
                .build(),
        )
        .send()
        .await?;
    let group = |role, count| {
        InstanceGroupConfig::builder()
            .instance_role(role)
            .instance_type("m5.xlarge")
            .instance_count(count)
            .build()
    };
    client
        .run_job_flow()
        .name("analytics")
        .release_label("emr-7.1.0")
        .instances(
            JobFlowInstancesConfig::builder()
                .instance_groups(group(InstanceRoleType::Master, 1))
                .instance_groups(group(InstanceRoleType::Core, 1))
                .keep_job_flow_alive_when_no_steps(true)
                .build(),
        )
        .job_flow_role("EMR_EC2_DefaultRole")
        .service_role("EMR_DefaultRole")
        .tags(Tag::builder().key("Environment").value("dev").build())
        .send()
        .await?;
    Ok(())
}
