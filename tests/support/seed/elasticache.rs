//! ElastiCache: Redis OSS clusters with and without backups, upgrades and a custom subnet
//! group, a Memcached cluster, and a Redis OSS replication group.

use aws_config::SdkConfig;
use aws_sdk_elasticache::types::Tag;

use super::BoxError;

fn env_tag(env: &str) -> Tag {
    Tag::builder().key("Environment").value(env).build()
}

/// `sessions` passes the three checks; `cache-legacy` fails them; `page-cache` (Memcached)
/// gets only a subnet-group verdict (pass); `orders` (replication group) passes the backup
/// check.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let subnets: Vec<String> = super::default_vpc(sdk)
        .await?
        .subnets
        .into_iter()
        .take(2)
        .collect();

    let elasticache = aws_sdk_elasticache::Client::new(sdk);
    elasticache
        .create_cache_subnet_group()
        .cache_subnet_group_name("cache-private")
        .cache_subnet_group_description("secaudit demo: cache subnets")
        .set_subnet_ids(Some(subnets))
        .send()
        .await?;
    // (cluster, engine, backup days, minor upgrades, subnet group, environment)
    let clusters = [
        ("sessions", "redis", Some(1), true, "cache-private", "prod"),
        ("cache-legacy", "redis", Some(0), false, "default", "dev"),
        (
            "page-cache",
            "memcached",
            None,
            true,
            "cache-private",
            "prod",
        ),
    ];
    for (cluster, engine, days, upgrades, subnet_group, env) in clusters {
        // Every setting passed explicitly: moto leaves AutoMinorVersionUpgrade and
        // CacheSubnetGroupName out of its answers unless they were given.
        elasticache
            .create_cache_cluster()
            .cache_cluster_id(cluster)
            .engine(engine)
            .cache_node_type("cache.t3.micro")
            .num_cache_nodes(1)
            .set_snapshot_retention_limit(days)
            .auto_minor_version_upgrade(upgrades)
            .cache_subnet_group_name(subnet_group)
            .tags(env_tag(env))
            .send()
            .await?;
    }
    elasticache
        .create_replication_group()
        .replication_group_id("orders")
        .replication_group_description("secaudit demo: order cache")
        .engine("redis")
        .cache_node_type("cache.t3.micro")
        .num_cache_clusters(2)
        .automatic_failover_enabled(true)
        .snapshot_retention_limit(3)
        .cache_subnet_group_name("cache-private")
        .tags(env_tag("prod"))
        .send()
        .await?;
    Ok(())
}
