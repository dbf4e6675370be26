//! Redshift: a private warehouse and a public legacy one, each with its own security group in
//! the default VPC.

use aws_config::SdkConfig;

use super::BoxError;

/// `warehouse` (prod) passes every Redshift check; `legacy-dw` (dev) fails them all.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_ec2::types::{IpPermission, IpRange, ResourceType, Tag, TagSpecification};
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let default_vpc = super::default_vpc(sdk).await?.id;

    let redshift = aws_sdk_redshift::Client::new(sdk);
    // (cluster, group, source of the rule on 5439, public, enhanced routing, admin, environment)
    let clusters = [
        (
            "warehouse",
            "warehouse-sg",
            "10.0.0.0/16",
            false,
            true,
            "analyst",
            "prod",
        ),
        (
            "legacy-dw",
            "legacy-dw-sg",
            "0.0.0.0/0",
            true,
            false,
            "awsuser",
            "dev",
        ),
    ];
    for (cluster, group, source, public, enhanced, admin, env) in clusters {
        let created = ec2
            .create_security_group()
            .group_name(group)
            .description(format!("secaudit demo: {cluster} clients"))
            .vpc_id(&default_vpc)
            .tag_specifications(
                TagSpecification::builder()
                    .resource_type(ResourceType::SecurityGroup)
                    .tags(Tag::builder().key("Name").value(group).build())
                    .tags(Tag::builder().key("Environment").value(env).build())
                    .build(),
            )
            .send()
            .await?;
        let group_id = created.group_id().ok_or("no group id")?.to_string();
        ec2.authorize_security_group_ingress()
            .group_id(&group_id)
            .ip_permissions(
                IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(5439)
                    .to_port(5439)
                    .ip_ranges(IpRange::builder().cidr_ip(source).build())
                    .build(),
            )
            .send()
            .await?;
        // Every flag set explicitly: moto's defaults are not AWS's everywhere.
        redshift
            .create_cluster()
            .cluster_identifier(cluster)
            .cluster_type("single-node")
            .node_type("ra3.xlplus")
            .master_username(admin)
            .master_user_password("Demo-password-1")
            .publicly_accessible(public)
            .enhanced_vpc_routing(enhanced)
            .vpc_security_group_ids(&group_id)
            .tags(
                aws_sdk_redshift::types::Tag::builder()
                    .key("Environment")
                    .value(env)
                    .build(),
            )
            .send()
            .await?;
    }
    Ok(())
}
