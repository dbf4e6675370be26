//! RDS: instances and clusters, good and bad.

use aws_config::SdkConfig;

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
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
    // `legacy-db` lives in the default VPC's subnets, whose main route table sends 0.0.0.0/0
    // to the internet gateway (RDS.46 fails); the others name no subnet group.
    let default_vpc = super::default_vpc(sdk).await?;
    route_to_the_internet(sdk, &default_vpc.id).await?;
    let default_subnets = default_vpc.subnets;
    rds.create_db_subnet_group()
        .db_subnet_group_name("default-vpc-public")
        .db_subnet_group_description("the default VPC's subnets")
        .set_subnet_ids(Some(default_subnets.into_iter().take(2).collect()))
        .send()
        .await?;
    for (id, engine, encrypted, days, multi_az, protected, env, public, minor_upgrades) in instances
    {
        let subnet_group = (id == "legacy-db").then_some("default-vpc-public");
        rds.create_db_instance()
            .set_db_subnet_group_name(subnet_group.map(str::to_string))
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
            // Judged per instance (RDS.13): analytics-1 upgrades, staging-aurora-1 does not.
            .auto_minor_version_upgrade(cluster == "analytics")
            .tags(env_tag("prod"))
            .send()
            .await?;
    }
    Ok(())
}

/// Gives the VPC's main route table a `0.0.0.0/0` route to an internet gateway (attached here
/// unless the VPC has one), as a default VPC has on AWS.
async fn route_to_the_internet(sdk: &SdkConfig, vpc: &str) -> Result<(), BoxError> {
    use aws_sdk_ec2::types::Filter;
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let attached = ec2
        .describe_internet_gateways()
        .filters(filter("attachment.vpc-id", vpc))
        .send()
        .await?;
    let gateway = match attached
        .internet_gateways()
        .first()
        .and_then(|g| g.internet_gateway_id())
    {
        Some(id) => id.to_string(),
        None => {
            let created = ec2.create_internet_gateway().send().await?;
            let id = created
                .internet_gateway()
                .and_then(|g| g.internet_gateway_id())
                .ok_or("no internet gateway id")?
                .to_string();
            ec2.attach_internet_gateway()
                .internet_gateway_id(&id)
                .vpc_id(vpc)
                .send()
                .await?;
            id
        }
    };
    let tables = ec2
        .describe_route_tables()
        .filters(filter("vpc-id", vpc))
        .filters(filter("association.main", "true"))
        .send()
        .await?;
    let main = tables
        .route_tables()
        .first()
        .and_then(|t| t.route_table_id())
        .ok_or("no main route table")?;
    let routed = tables.route_tables()[0]
        .routes()
        .iter()
        .any(|r| r.destination_cidr_block() == Some("0.0.0.0/0"));
    if !routed {
        ec2.create_route()
            .route_table_id(main)
            .destination_cidr_block("0.0.0.0/0")
            .gateway_id(gateway)
            .send()
            .await?;
    }
    Ok(())
}
