//! Seeds an emulated account through the AWS SDK: a realistic mix of good and bad resources.
//! `make demo` audits the same account the integration tests assert on.

pub mod acm;
pub mod cloudfront;
pub mod ecr;
pub mod ecs;
pub mod eks;
pub mod elasticache;
pub mod lambda;
pub mod opensearch;
pub mod redshift;
pub mod redshiftserverless;
pub mod sns;
pub mod sqs;
pub mod ssm;

use std::collections::HashMap;

use aws_config::{Region, SdkConfig};

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Ids the emulator chose, by the names the seed gave.
#[derive(Debug, Default, Clone)]
pub struct Seeded {
    pub instances: HashMap<String, String>,
    pub volumes: HashMap<String, String>,
    pub security_groups: HashMap<String, String>,
    /// The VPC the seed creates (the default VPC is the emulator's).
    pub vpc: String,
}

const TRUST_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn ec2_tags(
    resource: aws_sdk_ec2::types::ResourceType,
    name: &str,
    env: &str,
) -> aws_sdk_ec2::types::TagSpecification {
    use aws_sdk_ec2::types::{Tag, TagSpecification};
    TagSpecification::builder()
        .resource_type(resource)
        .tags(Tag::builder().key("Name").value(name).build())
        .tags(Tag::builder().key("Environment").value(env).build())
        .build()
}

/// The emulator's default VPC: its id, its subnets (at least one) and its default group.
pub struct DefaultVpc {
    pub id: String,
    pub subnets: Vec<String>,
    pub default_group: String,
}

pub async fn default_vpc(sdk: &SdkConfig) -> Result<DefaultVpc, BoxError> {
    use aws_sdk_ec2::types::Filter;
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter("is-default", "true"))
        .send()
        .await?;
    let id = vpcs
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .ok_or("no default VPC")?
        .to_string();
    let subnets = ec2
        .describe_subnets()
        .filters(filter("vpc-id", &id))
        .send()
        .await?;
    let subnets: Vec<String> = (subnets.subnets().iter())
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .collect();
    if subnets.is_empty() {
        return Err("no subnet in the default VPC".into());
    }
    let groups = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", &id))
        .filters(filter("group-name", "default"))
        .send()
        .await?;
    let default_group = groups
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .ok_or("no default security group")?
        .to_string();
    Ok(DefaultVpc {
        id,
        subnets,
        default_group,
    })
}

pub async fn seed_demo_account(sdk: &SdkConfig) -> Result<Seeded, BoxError> {
    let mut seeded = Seeded::default();
    seed_ec2(sdk, &mut seeded).await?;
    seed_rds(sdk).await?;
    seed_shared_copies(sdk, &seeded).await?;
    seed_s3(sdk).await?;
    seed_iam(sdk).await?;
    seed_instance_profile(sdk, &seeded).await?;
    seed_guardrails(sdk).await?;
    lambda::seed(sdk).await?;
    eks::seed(sdk).await?;
    ecs::seed(sdk).await?;
    ecr::seed(sdk).await?;
    sns::seed(sdk).await?;
    sqs::seed(sdk).await?;
    opensearch::seed(sdk).await?;
    redshift::seed(sdk).await?;
    redshiftserverless::seed(sdk).await?;
    elasticache::seed(sdk).await?;
    // After S3: a distribution's origin is one of the seeded buckets.
    cloudfront::seed(sdk).await?;
    acm::seed(sdk).await?;
    ssm::seed(sdk).await?;
    ssm::seed_patch_compliance(
        sdk,
        &seeded.instances["web-prod"],
        &seeded.instances["legacy-app"],
    )
    .await?;
    Ok(seeded)
}

async fn seed_ec2(sdk: &SdkConfig, seeded: &mut Seeded) -> Result<(), BoxError> {
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

    Ok(())
}

/// Snapshots, images and flow logs: one public and one private (or shared) copy of each, a
/// VPC with a flow log and the default VPC with only a subnet's.
async fn seed_shared_copies(sdk: &SdkConfig, seeded: &Seeded) -> Result<(), BoxError> {
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

/// Guardrails set up in us-east-1 and missing in eu-west-1: a logging multi-region trail
/// (validated, KMS-encrypted) beside a bare single-region one, a rotating and a static key,
/// a GuardDuty detector, a recording Config recorder.
async fn seed_guardrails(sdk: &SdkConfig) -> Result<(), BoxError> {
    let kms = aws_sdk_kms::Client::new(sdk);
    let mut keys = Vec::new();
    for (description, rotate) in [("trail logs", true), ("legacy exports", false)] {
        let key = kms.create_key().description(description).send().await?;
        let id = key
            .key_metadata()
            .map(|k| k.key_id().to_string())
            .ok_or("no key id")?;
        if rotate {
            kms.enable_key_rotation().key_id(&id).send().await?;
        }
        keys.push(
            key.key_metadata()
                .and_then(|k| k.arn().map(str::to_string))
                .ok_or("no key arn")?,
        );
    }

    let cloudtrail = aws_sdk_cloudtrail::Client::new(sdk);
    cloudtrail
        .create_trail()
        .name("org-trail")
        .s3_bucket_name("acme-audit-logs")
        .is_multi_region_trail(true)
        .enable_log_file_validation(true)
        .kms_key_id(&keys[0])
        .send()
        .await?;
    cloudtrail.start_logging().name("org-trail").send().await?;
    // Explicit selectors: AWS gives a new trail this one by default, moto gives none.
    cloudtrail
        .put_event_selectors()
        .trail_name("org-trail")
        .event_selectors(
            aws_sdk_cloudtrail::types::EventSelector::builder()
                .read_write_type(aws_sdk_cloudtrail::types::ReadWriteType::All)
                .include_management_events(true)
                .build(),
        )
        .send()
        .await?;
    cloudtrail
        .create_trail()
        .name("dev-trail")
        .s3_bucket_name("acme-audit-logs")
        .send()
        .await?;

    aws_sdk_guardduty::Client::new(sdk)
        .create_detector()
        .enable(true)
        .send()
        .await?;

    let config = aws_sdk_config::Client::new(sdk);
    config
        .put_configuration_recorder()
        .configuration_recorder(
            aws_sdk_config::types::ConfigurationRecorder::builder()
                .name("default")
                .role_arn("arn:aws:iam::123456789012:role/config")
                // Every supported type, the global (IAM) ones too: what Config.1 and CIS 3.3
                // ask of one region.
                .recording_group(
                    aws_sdk_config::types::RecordingGroup::builder()
                        .all_supported(true)
                        .include_global_resource_types(true)
                        .build(),
                )
                .build(),
        )
        .send()
        .await?;
    config
        .put_delivery_channel()
        .delivery_channel(
            aws_sdk_config::types::DeliveryChannel::builder()
                .name("default")
                .s3_bucket_name("acme-audit-logs")
                .build(),
        )
        .send()
        .await?;
    config
        .start_configuration_recorder()
        .configuration_recorder_name("default")
        .send()
        .await?;
    Ok(())
}

async fn seed_rds(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_rds::types::Tag;
    let rds = aws_sdk_rds::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();
    // (id, engine, encrypted, backup days, multi-AZ, deletion protection, environment,
    //  publicly accessible, automatic minor version upgrades)
    let instances = [
        (
            "orders-db",
            "postgres",
            true,
            7,
            true,
            true,
            "prod",
            false,
            true,
        ),
        (
            "legacy-db",
            "mysql",
            false,
            0,
            false,
            false,
            "prod",
            true,
            false,
        ),
        (
            "reports-db",
            "postgres",
            true,
            3,
            false,
            true,
            "dev",
            false,
            true,
        ),
    ];
    for (id, engine, encrypted, days, multi_az, protected, env, public, minor_upgrades) in instances
    {
        rds.create_db_instance()
            .db_instance_identifier(id)
            .engine(engine)
            .db_instance_class("db.t3.micro")
            .allocated_storage(20)
            .master_username("dbadmin")
            .master_user_password("demo-password-1")
            .storage_encrypted(encrypted)
            .backup_retention_period(days)
            .multi_az(multi_az)
            .deletion_protection(protected)
            // Set explicitly: moto leaves PubliclyAccessible out unless it was given.
            .publicly_accessible(public)
            .auto_minor_version_upgrade(minor_upgrades)
            .tags(env_tag(env))
            .send()
            .await?;
    }
    // (cluster, encrypted, backup days, deletion protection)
    for (cluster, encrypted, days, protected) in [
        ("analytics", true, 14, true),
        ("staging-aurora", false, 1, false),
    ] {
        rds.create_db_cluster()
            .db_cluster_identifier(cluster)
            .engine("aurora-postgresql")
            .master_username("dbadmin")
            .master_user_password("demo-password-1")
            .storage_encrypted(encrypted)
            .backup_retention_period(days)
            .deletion_protection(protected)
            .tags(env_tag("prod"))
            .send()
            .await?;
        rds.create_db_instance()
            .db_instance_identifier(format!("{cluster}-1"))
            .db_cluster_identifier(cluster)
            .engine("aurora-postgresql")
            .db_instance_class("db.r6g.large")
            .tags(env_tag("prod"))
            .send()
            .await?;
    }
    Ok(())
}

async fn seed_s3(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
        VersioningConfiguration,
    };
    let client_in = |region: &str| {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                .region(Region::new(region.to_string()))
                .force_path_style(true)
                .build(),
        )
    };
    // (bucket, region, encryption, versioning, block ACLs, block policies, environment)
    let buckets = [
        (
            "acme-audit-logs",
            "us-east-1",
            Some(ServerSideEncryption::Aes256),
            Some(BucketVersioningStatus::Enabled),
            true,
            true,
            "prod",
        ),
        (
            "acme-customer-data",
            "us-east-1",
            Some(ServerSideEncryption::AwsKms),
            Some(BucketVersioningStatus::Suspended),
            true,
            false,
            "prod",
        ),
        (
            "acme-public-assets",
            "us-east-1",
            None,
            None,
            false,
            false,
            "dev",
        ),
        (
            "acme.reports.eu",
            "eu-west-1",
            Some(ServerSideEncryption::AwsKms),
            Some(BucketVersioningStatus::Enabled),
            true,
            true,
            "prod",
        ),
    ];
    for (name, region, encryption, versioning, block_acls, block_policies, env) in buckets {
        let s3 = client_in(region);
        let mut create = s3.create_bucket().bucket(name);
        if region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        create.send().await?;
        if let Some(algorithm) = encryption {
            let default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(algorithm)
                .build()?;
            s3.put_bucket_encryption()
                .bucket(name)
                .server_side_encryption_configuration(
                    ServerSideEncryptionConfiguration::builder()
                        .rules(
                            ServerSideEncryptionRule::builder()
                                .apply_server_side_encryption_by_default(default)
                                .build(),
                        )
                        .build()?,
                )
                .send()
                .await?;
        }
        if let Some(status) = versioning {
            s3.put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(VersioningConfiguration::builder().status(status).build())
                .send()
                .await?;
        }
        if block_acls || block_policies {
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(block_acls)
                        .ignore_public_acls(block_acls)
                        .block_public_policy(block_policies)
                        .restrict_public_buckets(block_policies)
                        .build(),
                )
                .send()
                .await?;
        }
        s3.put_bucket_tagging()
            .bucket(name)
            .tagging(
                Tagging::builder()
                    .tag_set(Tag::builder().key("Environment").value(env).build()?)
                    .build()?,
            )
            .send()
            .await?;
    }
    seed_s3_access(&client_in("us-east-1"), &client_in("eu-west-1")).await
}

/// Bucket policies, ACLs and logging: TLS-only logs bucket that is also the log target,
/// a public website bucket (policy and ACL), a data bucket open only through one VPC
/// endpoint, and a public policy neutralised by RestrictPublicBuckets.
async fn seed_s3_access(
    s3: &aws_sdk_s3::Client,
    s3_eu: &aws_sdk_s3::Client,
) -> Result<(), BoxError> {
    use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
    let policy = |bucket: &str, statement: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statement.replace("BUCKET", bucket)
        )
    };
    // `{"AWS": "*"}`, not `"*"`: moto 5.1.18 fails PutBucketLogging (HTTP 500) when the
    // target bucket's policy has a string Principal.
    // TLS only, written as CDK and Terraform modules often do: one Deny for the bucket, one
    // for its objects.
    const TLS_ONLY: &str = r#"{"Sid":"TlsOnlyBucket","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::BUCKET","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"TlsOnlyObjects","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
    const PUBLIC_READ: &str = r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}"#;
    const ENDPOINT_ONLY: &str = r#"{"Sid":"ThroughTheEndpoint","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f"}}}"#;
    for (client, bucket, statement) in [
        (s3, "acme-audit-logs", TLS_ONLY),
        (s3, "acme-public-assets", PUBLIC_READ),
        (s3, "acme-customer-data", ENDPOINT_ONLY),
        (s3_eu, "acme.reports.eu", PUBLIC_READ),
    ] {
        client
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy(bucket, statement))
            .send()
            .await?;
    }
    // moto checks that the log target lets the log delivery group write.
    const LOG_DELIVERY: &str = "uri=http://acs.amazonaws.com/groups/s3/LogDelivery";
    s3.put_bucket_acl()
        .bucket("acme-audit-logs")
        .grant_write(LOG_DELIVERY)
        .grant_read_acp(LOG_DELIVERY)
        .send()
        .await?;
    s3.put_bucket_logging()
        .bucket("acme-customer-data")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("acme-audit-logs")
                        .target_prefix("customer-data/")
                        .build()?,
                )
                .build(),
        )
        .send()
        .await?;
    s3.put_bucket_acl()
        .bucket("acme-public-assets")
        .grant_read("uri=http://acs.amazonaws.com/groups/global/AllUsers")
        .send()
        .await?;
    Ok(())
}

async fn seed_iam(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_iam::types::Tag;
    let iam = aws_sdk_iam::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();

    // Roles: (name, environment, AWS-managed policy, inline policy)
    let roles = [
        ("deploy-admin", "prod", Some(ADMIN_ARN), None),
        (
            "app-reader",
            "prod",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-customer-data","arn:aws:s3:::acme-customer-data/*"]}]}"#,
            ),
        ),
        (
            "power-user",
            "dev",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}"#,
            ),
        ),
        // Administrator access written as a glob: every action of every service.
        (
            "break-glass",
            "dev",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}}"#,
            ),
        ),
        (
            "guarded",
            "prod",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:jobs"}]}"#,
            ),
        ),
    ];
    for (name, env, managed, inline) in roles {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST_EC2)
            .tags(env_tag(env)?)
            .send()
            .await?;
        if let Some(arn) = managed {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(arn)
                .send()
                .await?;
        }
        if let Some(document) = inline {
            iam.put_role_policy()
                .role_name(name)
                .policy_name(format!("{name}-policy"))
                .policy_document(document)
                .send()
                .await?;
        }
    }

    // A group whose AdministratorAccess reaches its member.
    iam.create_group().group_name("admins").send().await?;
    iam.attach_group_policy()
        .group_name("admins")
        .policy_arn(ADMIN_ARN)
        .send()
        .await?;
    iam.create_group().group_name("readers").send().await?;
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("read-reports")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme.reports.eu/*"}]}"#)
        .send()
        .await?;

    // A customer managed policy shared by a user (read once, whatever the attachments).
    let s3_full = iam
        .create_policy()
        .policy_name("s3-full-access")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await?;
    let s3_full_arn = s3_full
        .policy()
        .and_then(|p| p.arn())
        .ok_or("no policy arn")?
        .to_string();

    for (name, env, group) in [
        ("alice", "prod", Some("admins")),
        ("bob", "dev", None),
        ("carol", "prod", Some("readers")),
    ] {
        iam.create_user()
            .user_name(name)
            .tags(env_tag(env)?)
            .send()
            .await?;
        if let Some(group) = group {
            iam.add_user_to_group()
                .group_name(group)
                .user_name(name)
                .send()
                .await?;
        }
    }
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn(&s3_full_arn)
        .send()
        .await?;

    // Console passwords: alice with an MFA device, bob without (moto accepts any codes).
    for name in ["alice", "bob"] {
        iam.create_login_profile()
            .user_name(name)
            .password("Demo-password-2026!")
            .send()
            .await?;
    }
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .send()
        .await?;
    let serial = device
        .virtual_mfa_device()
        .map(|d| d.serial_number().to_string())
        .ok_or("no MFA device")?;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await?;
    Ok(())
}

/// legacy-app's instance profile holds deploy-admin: whoever gets its credentials is an
/// administrator.
async fn seed_instance_profile(sdk: &SdkConfig, seeded: &Seeded) -> Result<(), BoxError> {
    let iam = aws_sdk_iam::Client::new(sdk);
    iam.create_instance_profile()
        .instance_profile_name("legacy-app")
        .send()
        .await?;
    iam.add_role_to_instance_profile()
        .instance_profile_name("legacy-app")
        .role_name("deploy-admin")
        .send()
        .await?;
    aws_sdk_ec2::Client::new(sdk)
        .associate_iam_instance_profile()
        .instance_id(&seeded.instances["legacy-app"])
        .iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name("legacy-app")
                .build(),
        )
        .send()
        .await?;
    Ok(())
}

/// Turns on all four settings of the account-level S3 public access block.
pub async fn block_public_access_for_account(
    sdk: &SdkConfig,
    account: &str,
) -> Result<(), BoxError> {
    use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
    let s3control =
        aws_sdk_s3control::Client::from_conf(secaudit::aws::s3control_config(sdk).build());
    s3control
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}
