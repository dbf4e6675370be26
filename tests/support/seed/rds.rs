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
