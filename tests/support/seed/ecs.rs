//! ECS: cluster `apps` with services `web` (assignPublicIp ENABLED: fails ecs.no_public_ip)
//! and `worker` (DISABLED: passes), and task definition families `web` (one revision that
//! fails every task definition check) and `worker` (revision 1 privileged, superseded by
//! revision 2, which passes them all: only the latest ACTIVE revision is judged).

use aws_config::SdkConfig;
use aws_sdk_ecs::types::{
    AssignPublicIp, AwsVpcConfiguration, Compatibility, ContainerDefinition, KeyValuePair,
    LaunchType, LogConfiguration, LogDriver, NetworkConfiguration, NetworkMode, PidMode, Tag,
};

use super::BoxError;

pub const CLUSTER: &str = "apps";

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let (subnet, group) = default_network(sdk).await?;
    let region = sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into());
    let ecs = aws_sdk_ecs::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();
    ecs.create_cluster()
        .cluster_name(CLUSTER)
        .tags(env_tag("prod"))
        .send()
        .await?;

    let logs = |name: &str| {
        LogConfiguration::builder()
            .log_driver(LogDriver::Awslogs)
            .options("awslogs-group", format!("/ecs/{name}"))
            .options("awslogs-region", region.clone())
            .options("awslogs-stream-prefix", "ecs")
            .build()
    };
    let variable =
        |name: &str, value: &str| KeyValuePair::builder().name(name).value(value).build();

    // `web`: privileged, host PID namespace, an access key in its environment (a made-up
    // value: only the name reaches the inventory), no log configuration, a writable root.
    ecs.register_task_definition()
        .family("web")
        .network_mode(NetworkMode::Awsvpc)
        .pid_mode(PidMode::Host)
        .requires_compatibilities(Compatibility::Ec2)
        .cpu("256")
        .memory("512")
        .container_definitions(
            ContainerDefinition::builder()
                .name("app")
                .image("public.ecr.aws/nginx/nginx:latest")
                .essential(true)
                .memory(512)
                .privileged(true)
                .environment(variable("DB_HOST", "db.internal"))
                .environment(variable("AWS_SECRET_ACCESS_KEY", "made-up-not-a-key"))
                .build(),
        )
        .tags(env_tag("prod"))
        .send()
        .await?;

    // `worker`: revision 1 privileged, revision 2 (the latest) hardened.
    for privileged in [true, false] {
        let mut container = ContainerDefinition::builder()
            .name("worker")
            .image("public.ecr.aws/docker/library/busybox:latest")
            .essential(true)
            .memory(256)
            .environment(variable("LOG_LEVEL", "info"));
        container = if privileged {
            container.privileged(true)
        } else {
            container
                .readonly_root_filesystem(true)
                .log_configuration(logs("worker")?)
        };
        ecs.register_task_definition()
            .family("worker")
            .network_mode(NetworkMode::Awsvpc)
            .requires_compatibilities(Compatibility::Fargate)
            .cpu("256")
            .memory("512")
            .container_definitions(container.build())
            .tags(env_tag("dev"))
            .send()
            .await?;
    }

    // (service, task definition, public IP, environment)
    for (name, assign, env) in [
        ("web", AssignPublicIp::Enabled, "prod"),
        ("worker", AssignPublicIp::Disabled, "dev"),
    ] {
        ecs.create_service()
            .cluster(CLUSTER)
            .service_name(name)
            .task_definition(name)
            .desired_count(1)
            .launch_type(LaunchType::Fargate)
            .network_configuration(
                NetworkConfiguration::builder()
                    .awsvpc_configuration(
                        AwsVpcConfiguration::builder()
                            .subnets(&subnet)
                            .security_groups(&group)
                            .assign_public_ip(assign)
                            .build()?,
                    )
                    .build(),
            )
            .tags(env_tag(env))
            .send()
            .await?;
    }
    Ok(())
}

/// A subnet and the default security group of the default VPC: moto checks that a service's
/// subnets and groups exist.
async fn default_network(sdk: &SdkConfig) -> Result<(String, String), BoxError> {
    let network = super::default_vpc(sdk).await?;
    Ok((network.subnets[0].clone(), network.default_group))
}
