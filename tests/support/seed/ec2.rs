//! EC2: instances, volumes and security groups, good and bad; shared snapshots, images and
//! flow logs.

use aws_config::{Region, SdkConfig};

use super::{default_vpc, ec2_tags, BoxError, Seeded};

pub async fn seed(sdk: &SdkConfig, seeded: &mut Seeded) -> Result<(), BoxError> {
    use aws_sdk_ec2::types::{
        BlockDeviceMapping, EbsBlockDevice, HttpTokensState, InstanceMetadataEndpointState,
        InstanceMetadataOptionsRequest, InstanceType, IpPermission, IpRange, Ipv6Range,
        ResourceType,
    };
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let vpc = ec2.create_vpc().cidr_block("10.1.0.0/16").send().await?;
    let vpc_id = vpc
        .vpc()
        .and_then(|v| v.vpc_id())
        .ok_or("no vpc id")?
        .to_string();
    seeded.vpc = vpc_id.clone();
    // A new subnet does not map public IPs; the default subnet does.
    let subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.1.1.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await?;
    let private_subnet = subnet
        .subnet()
        .and_then(|s| s.subnet_id())
        .ok_or("no subnet id")?
        .to_string();

    // The seeded VPC's default group emptied (passes sg.default_restricts_all); the default
    // VPC's keeps the egress rule AWS creates (fails). moto's default groups have no ingress.
    let default_group = ec2
        .describe_security_groups()
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("vpc-id")
                .values(&vpc_id)
                .build(),
        )
        .filters(
            aws_sdk_ec2::types::Filter::builder()
                .name("group-name")
                .values("default")
                .build(),
        )
        .send()
        .await?;
    let default_group = default_group
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .ok_or("no default group")?
        .to_string();
    ec2.revoke_security_group_egress()
        .group_id(&default_group)
        .ip_permissions(
            IpPermission::builder()
                .ip_protocol("-1")
                .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
                .build(),
        )
        .send()
        .await?;
    seeded
        .security_groups
        .insert("default-emptied".into(), default_group);
    // EBS encryption by default: on in eu-west-1, off (the default) in us-east-1.
    aws_sdk_ec2::Client::from_conf(
        aws_sdk_ec2::config::Builder::from(sdk)
            .region(Region::new("eu-west-1"))
            .build(),
    )
    .enable_ebs_encryption_by_default()
    .send()
    .await?;

    let v4 = |cidr: &str| IpRange::builder().cidr_ip(cidr).build();
    let v6 = |cidr: &str| Ipv6Range::builder().cidr_ipv6(cidr).build();
    let rule = |protocol: &str, from: i32, to: i32| {
        IpPermission::builder()
            .ip_protocol(protocol)
            .from_port(from)
            .to_port(to)
    };
    let groups: Vec<(&str, &str, Vec<IpPermission>)> = vec![
        (
            "ssh-open",
            "prod",
            vec![rule("tcp", 22, 22).ip_ranges(v4("0.0.0.0/0")).build()],
        ),
        (
            "rdp-ipv6",
            "prod",
            vec![rule("tcp", 3389, 3389).ipv6_ranges(v6("::/0")).build()],
        ),
        (
            "all-open",
            "dev",
            vec![rule("-1", -1, -1).ip_ranges(v4("0.0.0.0/0")).build()],
        ),
        (
            "app-range",
            "dev",
            vec![rule("tcp", 3000, 4000).ip_ranges(v4("0.0.0.0/0")).build()],
        ),
        (
            "web-public",
            "prod",
            vec![
                rule("tcp", 443, 443)
                    .ip_ranges(v4("0.0.0.0/0"))
                    .ipv6_ranges(v6("::/0"))
                    .build(),
                rule("tcp", 5432, 5432).ip_ranges(v4("10.0.0.0/8")).build(),
                rule("icmp", -1, -1).ip_ranges(v4("0.0.0.0/0")).build(),
            ],
        ),
    ];
    for (name, env, permissions) in groups {
        let group = ec2
            .create_security_group()
            .group_name(name)
            .description(format!("secaudit demo: {name}"))
            .vpc_id(&vpc_id)
            .tag_specifications(ec2_tags(ResourceType::SecurityGroup, name, env))
            .send()
            .await?;
        let id = group.group_id().ok_or("no group id")?.to_string();
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .set_ip_permissions(Some(permissions))
            .send()
            .await?;
        seeded.security_groups.insert(name.to_string(), id);
    }

    // A public subnet (it maps public IPs) of the seeded VPC, where legacy-app runs behind
    // ssh-open: with its IMDSv1 and its administrator instance profile, an exposure.
    let public_subnet = ec2
        .create_subnet()
        .vpc_id(&vpc_id)
        .cidr_block("10.1.2.0/24")
        .availability_zone("us-east-1a")
        .send()
        .await?
        .subnet()
        .and_then(|s| s.subnet_id())
        .ok_or("no subnet id")?
        .to_string();
    ec2.modify_subnet_attribute()
        .subnet_id(&public_subnet)
        .map_public_ip_on_launch(
            aws_sdk_ec2::types::AttributeBooleanValue::builder()
                .value(true)
                .build(),
        )
        .send()
        .await?;

    // (name, IMDSv2 required, encrypted root, private subnet, environment)
    let instances = [
        ("web-prod", true, true, true, "prod"),
        ("legacy-app", false, false, false, "prod"),
        ("batch-dev", false, true, true, "dev"),
    ];
    for (name, imdsv2, encrypted, private, env) in instances {
        let tokens = if imdsv2 {
            HttpTokensState::Required
        } else {
            HttpTokensState::Optional
        };
        let mut run = ec2
            .run_instances()
            .image_id("ami-12345678")
            .instance_type(InstanceType::T3Micro)
            .min_count(1)
            .max_count(1)
            .metadata_options(
                InstanceMetadataOptionsRequest::builder()
                    .http_tokens(tokens)
                    .http_endpoint(InstanceMetadataEndpointState::Enabled)
                    .build(),
            )
            .tag_specifications(ec2_tags(ResourceType::Instance, name, env));
        // moto treats any `Encrypted` value as true: leave it out for an unencrypted root.
        if encrypted {
            run = run.block_device_mappings(
                BlockDeviceMapping::builder()
                    .device_name("/dev/xvda")
                    .ebs(
                        EbsBlockDevice::builder()
                            .volume_size(8)
                            .encrypted(true)
                            .build(),
                    )
                    .build(),
            );
        }
        if private {
            run = run.subnet_id(&private_subnet);
        } else {
            run = run
                .subnet_id(&public_subnet)
                .security_group_ids(&seeded.security_groups["ssh-open"]);
        }
        let output = run.send().await?;
        let id = output.instances()[0]
            .instance_id()
            .ok_or("no instance id")?
            .to_string();
        seeded.instances.insert(name.to_string(), id);
    }
    // Stopped instances are audited too.
    ec2.stop_instances()
        .instance_ids(&seeded.instances["batch-dev"])
        .send()
        .await?;

    for (name, encrypted, env) in [
        ("data-encrypted", true, "prod"),
        ("scratch-plain", false, "dev"),
    ] {
        let volume = ec2
            .create_volume()
            .availability_zone("us-east-1a")
            .size(10)
            .encrypted(encrypted)
            .tag_specifications(ec2_tags(ResourceType::Volume, name, env))
            .send()
            .await?;
        seeded.volumes.insert(
            name.to_string(),
            volume.volume_id().ok_or("no volume id")?.to_string(),
        );
    }

    // Launch templates (EC2.25 judges the default version): `web-public`'s assigns a public IP
    // (fails); `app-private`'s does not, though its newer, non-default version would (passes).
    {
        use aws_sdk_ec2::types::{
            LaunchTemplateInstanceNetworkInterfaceSpecificationRequest as Interface,
            RequestLaunchTemplateData,
        };
        let data = |public: bool| {
            RequestLaunchTemplateData::builder()
                .network_interfaces(
                    Interface::builder()
                        .device_index(0)
                        .associate_public_ip_address(public)
                        .build(),
                )
                .build()
        };
        ec2.create_launch_template()
            .launch_template_name("web-public")
            .launch_template_data(data(true))
            .send()
            .await?;
        ec2.create_launch_template()
            .launch_template_name("app-private")
            .launch_template_data(data(false))
            .send()
            .await?;
        ec2.create_launch_template_version()
            .launch_template_name("app-private")
            .launch_template_data(data(true))
            .send()
            .await?;
    }

    // Transit gateways: one accepting shared VPC attachments unseen (EC2.23 fails), one not.
    for auto_accept in [true, false] {
        use aws_sdk_ec2::types::{AutoAcceptSharedAttachmentsValue, TransitGatewayRequestOptions};
        let value = if auto_accept {
            AutoAcceptSharedAttachmentsValue::Enable
        } else {
            AutoAcceptSharedAttachmentsValue::Disable
        };
        ec2.create_transit_gateway()
            .options(
                TransitGatewayRequestOptions::builder()
                    .auto_accept_shared_attachments(value)
                    .build(),
            )
            .send()
            .await?;
    }

    Ok(())
}

/// Snapshots, images and flow logs: one public and one private (or shared) copy of each, a
/// VPC with a flow log and the default VPC with only a subnet's.
pub async fn seed_shared_copies(sdk: &SdkConfig, seeded: &Seeded) -> Result<(), BoxError> {
    use aws_sdk_ec2::types::{
        FlowLogsResourceType, LaunchPermission, LaunchPermissionModifications, LogDestinationType,
        OperationType, SnapshotAttributeName, TrafficType,
    };
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let snapshot = |volume: &str| {
        ec2.create_snapshot()
            .volume_id(seeded.volumes[volume].clone())
            .send()
    };
    let public = snapshot("scratch-plain")
        .await?
        .snapshot_id
        .ok_or("no snapshot")?;
    let shared = snapshot("data-encrypted")
        .await?
        .snapshot_id
        .ok_or("no snapshot")?;
    // The flat GroupNames/UserIds form: moto ignores the CreateVolumePermission structure.
    ec2.modify_snapshot_attribute()
        .snapshot_id(&public)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add)
        .group_names("all")
        .send()
        .await?;
    ec2.modify_snapshot_attribute()
        .snapshot_id(&shared)
        .attribute(SnapshotAttributeName::CreateVolumePermission)
        .operation_type(OperationType::Add)
        .user_ids("111122223333")
        .send()
        .await?;
    for (name, public) in [("web-golden", false), ("legacy-golden", true)] {
        let image = ec2
            .create_image()
            .instance_id(seeded.instances["web-prod"].clone())
            .name(name)
            .send()
            .await?
            .image_id
            .ok_or("no image")?;
        if public {
            ec2.modify_image_attribute()
                .image_id(&image)
                .launch_permission(
                    LaunchPermissionModifications::builder()
                        .add(LaunchPermission::builder().group("all".into()).build())
                        .build(),
                )
                .send()
                .await?;
        }
    }
    let default_subnet = default_vpc(sdk).await?.subnets.swap_remove(0);
    for (resource, kind) in [
        (seeded.vpc.clone(), FlowLogsResourceType::Vpc),
        // A subnet's flow log does not make its VPC logged.
        (default_subnet, FlowLogsResourceType::Subnet),
    ] {
        let created = ec2
            .create_flow_logs()
            .resource_ids(resource)
            .resource_type(kind)
            .traffic_type(TrafficType::Reject)
            .log_destination_type(LogDestinationType::CloudWatchLogs)
            .log_group_name("vpc-flow-logs")
            .deliver_logs_permission_arn("arn:aws:iam::123456789012:role/flow-logs")
            .send()
            .await?;
        // moto answers 200 with the failure inside.
        if !created.unsuccessful().is_empty() {
            return Err(format!("flow log not created: {:?}", created.unsuccessful()).into());
        }
    }

    let rds = aws_sdk_rds::Client::new(sdk);
    // (snapshot, DB instance, restorable by)
    for (snapshot, db, restorers) in [
        ("orders-db-before-migration", "orders-db", "111122223333"),
        ("legacy-db-export", "legacy-db", "all"),
    ] {
        rds.create_db_snapshot()
            .db_snapshot_identifier(snapshot)
            .db_instance_identifier(db)
            .send()
            .await?;
        rds.modify_db_snapshot_attribute()
            .db_snapshot_identifier(snapshot)
            .attribute_name("restore")
            .values_to_add(restorers)
            .send()
            .await?;
    }
    rds.create_db_cluster_snapshot()
        .db_cluster_snapshot_identifier("analytics-monthly")
        .db_cluster_identifier("analytics")
        .send()
        .await?;
    Ok(())
}
