//! OpenSearch Service: a VPC domain with fine-grained access control and a public one without.

use aws_config::SdkConfig;

use super::BoxError;

/// `search` (prod) passes both checks; `logs-public` (dev) fails both.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_opensearch::types::{
        AdvancedSecurityOptionsInput, DomainEndpointOptions, EncryptionAtRestOptions,
        MasterUserOptions, NodeToNodeEncryptionOptions, Tag, VpcOptions,
    };
    let network = super::default_vpc(sdk).await?;
    let (subnet, group) = (network.subnets[0].clone(), network.default_group);

    let opensearch = aws_sdk_opensearch::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();
    // Fine-grained access control needs HTTPS, node-to-node and at-rest encryption.
    opensearch
        .create_domain()
        .domain_name("search")
        .engine_version("OpenSearch_2.11")
        .vpc_options(
            VpcOptions::builder()
                .subnet_ids(subnet)
                .security_group_ids(group)
                .build(),
        )
        .advanced_security_options(
            AdvancedSecurityOptionsInput::builder()
                .enabled(true)
                .internal_user_database_enabled(true)
                .master_user_options(
                    MasterUserOptions::builder()
                        .master_user_name("search-admin")
                        .master_user_password("Demo-password-1!")
                        .build(),
                )
                .build(),
        )
        .node_to_node_encryption_options(
            NodeToNodeEncryptionOptions::builder().enabled(true).build(),
        )
        .encryption_at_rest_options(EncryptionAtRestOptions::builder().enabled(true).build())
        .domain_endpoint_options(DomainEndpointOptions::builder().enforce_https(true).build())
        .tag_list(env_tag("prod")?)
        .send()
        .await?;
    opensearch
        .create_domain()
        .domain_name("logs-public")
        .engine_version("OpenSearch_2.11")
        .tag_list(env_tag("dev")?)
        .send()
        .await?;
    Ok(())
}
