//! MSK: a provisioned cluster without public access and one with it.

use aws_config::SdkConfig;
use aws_sdk_kafka::types::{
    BrokerNodeGroupInfo, ConnectivityInfo, ProvisionedRequest, PublicAccess,
};

use super::BoxError;

/// `events-private` (prod, public access never set) passes `msk.public_access_disabled`;
/// `events-public` (dev) fails it.
pub async fn seed(sdk: &SdkConfig, subnets: &[String]) -> Result<(), BoxError> {
    let client = aws_sdk_kafka::Client::new(sdk);
    for (name, public, env) in [
        ("events-private", false, "prod"),
        ("events-public", true, "dev"),
    ] {
        let mut brokers = BrokerNodeGroupInfo::builder()
            .instance_type("kafka.m5.large")
            .set_client_subnets(Some(subnets.to_vec()));
        if public {
            let access = PublicAccess::builder()
                .r#type("SERVICE_PROVIDED_EIPS")
                .build();
            brokers = brokers
                .connectivity_info(ConnectivityInfo::builder().public_access(access).build());
        }
        client
            .create_cluster_v2()
            .cluster_name(name)
            .provisioned(
                ProvisionedRequest::builder()
                    .broker_node_group_info(brokers.build())
                    .kafka_version("3.6.0")
                    .number_of_broker_nodes(2)
                    .build(),
            )
            .tags("Environment", env)
            .send()
            .await?;
    }
    Ok(())
}
