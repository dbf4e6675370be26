//! ElastiCache: automatic backups (Valkey and Redis OSS), automatic minor version upgrades
//! (Valkey and Redis OSS) and custom subnet groups (every cache cluster).

use super::{CacheCluster, ReplicationGroup};
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &AUTOMATIC_BACKUPS,
    &AUTO_MINOR_VERSION_UPGRADE,
    &NO_DEFAULT_SUBNET_GROUP,
];

/// What can create or remove a cache cluster or replication group (members included).
const MEMBERSHIP_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "elasticache.amazonaws.com",
    names: &[
        "CreateCacheCluster",
        "DeleteCacheCluster",
        "CreateReplicationGroup",
        "DeleteReplicationGroup",
        "IncreaseReplicaCount",
        "DecreaseReplicaCount",
        "ModifyReplicationGroupShardConfiguration",
    ],
}];

/// What can change a cluster's or group's settings, or create or remove one.
const SETTING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "elasticache.amazonaws.com",
    names: &[
        "CreateCacheCluster",
        "ModifyCacheCluster",
        "DeleteCacheCluster",
        "CreateReplicationGroup",
        "ModifyReplicationGroup",
        "DeleteReplicationGroup",
        "IncreaseReplicaCount",
        "DecreaseReplicaCount",
        "ModifyReplicationGroupShardConfiguration",
    ],
}];

/// FSBP ElastiCache.1's default `snapshotRetentionPeriod` parameter, in days:
/// https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html#elasticache-1
const MIN_SNAPSHOT_RETENTION_DAYS: i32 = 1;

/// The name of the subnet group ElastiCache uses when a cluster is created without one
/// (elasticache-subnet-group-check fails it):
/// https://docs.aws.amazon.com/config/latest/developerguide/elasticache-subnet-group-check.html
const DEFAULT_SUBNET_GROUP: &str = "default";

/// Valkey and Redis OSS keep data and can be backed up and upgraded in place; Memcached
/// cannot be backed up at all.
fn is_redis_like(engine: &str) -> bool {
    engine.eq_ignore_ascii_case("redis") || engine.eq_ignore_ascii_case("valkey")
}

fn cluster_resource(cluster: &CacheCluster) -> Resource<'_> {
    Resource {
        resource_type: CacheCluster::RESOURCE_TYPE,
        id: &cluster.id,
        name: None,
        arn: Some(&cluster.arn),
        region: &cluster.region,
    }
}

fn group_resource(group: &ReplicationGroup) -> Resource<'_> {
    Resource {
        resource_type: ReplicationGroup::RESOURCE_TYPE,
        id: &group.id,
        name: None,
        arn: Some(&group.arn),
        region: &group.region,
    }
}

/// "redis 7.1" or "valkey", for details.
fn engine_of(cluster: &CacheCluster) -> String {
    match &cluster.engine_version {
        Some(version) => format!("{} {version}", cluster.engine),
        None => cluster.engine.clone(),
    }
}

const AUTOMATIC_BACKUPS: Check = Check {
    id: "elasticache.automatic_backups",
    service: Service::Elasticache,
    severity: Severity::High,
    resource_types: &[CacheCluster::RESOURCE_TYPE, ReplicationGroup::RESOURCE_TYPE],
    title: "ElastiCache Valkey and Redis OSS caches have automatic backups",
    rationale: "Valkey and Redis OSS caches often hold the only copy of sessions, queues and counters; without automatic snapshots a node failure, a bad FLUSHALL or a deletion loses them for good. Memcached cannot be backed up and gets no result.",
    remediation: "aws elasticache modify-replication-group --replication-group-id <group> --snapshot-retention-limit <days> (modify-cache-cluster for a stand-alone cluster), with a snapshot window outside peak hours.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html#elasticache-1",
    fsbp: &["ElastiCache.1"],
    cis: &[],
    triggers: SETTING_CHANGES,
    reads: &[
        Read::all("elasticache:DescribeCacheClusters"),
        Read::all("elasticache:DescribeReplicationGroups"),
    ],
    evaluate: automatic_backups,
};

/// FSBP judges cache clusters and replication groups (resource types of ElastiCache.1). A
/// member of a replication group is judged through its group, like Aurora members in `rds`:
/// the group takes its daily snapshot from one member (`SnapshottingClusterId`) and the
/// retention is the group's setting, so a replica's own value says nothing. (FSBP does not say
/// how it treats members.) A member whose group was not read gets no verdict.
fn automatic_backups(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let elasticache = &inventory.elasticache;
    let standalone = (elasticache.cache_clusters.iter())
        .filter(|c| c.replication_group.is_none() && is_redis_like(&c.engine))
        .filter_map(|c| Some((cluster_resource(c), c.snapshot_retention_days?, "cluster")));
    let groups = (elasticache.replication_groups.iter())
        // A replication group is always Valkey or Redis OSS; an engine it does not name is one.
        .filter(|g| g.engine.as_deref().is_none_or(is_redis_like))
        .filter_map(|g| {
            Some((
                group_resource(g),
                g.snapshot_retention_days?,
                "replication group",
            ))
        });
    for (resource, days, kind) in standalone.chain(groups) {
        verdicts.judge(
            &resource,
            days >= MIN_SNAPSHOT_RETENTION_DAYS,
            || {
                let unit = if days == 1 { "day" } else { "days" };
                format!("Automatic backups of the {kind} are kept {days} {unit} (SnapshotRetentionLimit).")
            },
            || format!("Automatic backups of the {kind} are off (SnapshotRetentionLimit is {days}): a lost node or a deletion loses its data."),
        );
    }
}

const AUTO_MINOR_VERSION_UPGRADE: Check = Check {
    id: "elasticache.auto_minor_version_upgrade",
    service: Service::Elasticache,
    severity: Severity::High,
    resource_types: &[CacheCluster::RESOURCE_TYPE],
    title: "ElastiCache Valkey and Redis OSS clusters upgrade minor versions automatically",
    rationale: "Minor engine versions carry security fixes; without automatic minor version upgrades a cluster keeps known vulnerabilities until someone upgrades it by hand. Memcached clusters get no result, as in FSBP.",
    remediation: "aws elasticache modify-replication-group --replication-group-id <group> --auto-minor-version-upgrade (modify-cache-cluster for a stand-alone cluster); applied in the maintenance window.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html#elasticache-2",
    fsbp: &["ElastiCache.2"],
    cis: &[],
    triggers: SETTING_CHANGES,
    reads: &[Read::all("elasticache:DescribeCacheClusters")],
    evaluate: auto_minor_version_upgrade,
};

/// FSBP ElastiCache.2 judges cache clusters only (its rule, elasticache-auto-minor-version-
/// upgrade-check, has the one resource type AWS::ElastiCache::CacheCluster and fails only
/// Valkey and Redis OSS clusters):
/// https://docs.aws.amazon.com/config/latest/developerguide/elasticache-auto-minor-version-upgrade-check.html
/// Members of replication groups are cache clusters and are judged each; the API documents the
/// setting for Valkey and Redis OSS only (CreateCacheCluster, AutoMinorVersionUpgrade).
fn auto_minor_version_upgrade(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.elasticache.cache_clusters {
        if !is_redis_like(&cluster.engine) {
            continue;
        }
        let Some(upgrades) = cluster.auto_minor_version_upgrade else {
            continue;
        };
        let engine = engine_of(cluster);
        verdicts.judge(
            &cluster_resource(cluster),
            upgrades,
            || format!("AutoMinorVersionUpgrade is on ({engine})."),
            || format!("AutoMinorVersionUpgrade is off: {engine} minor versions with security fixes are not applied."),
        );
    }
}

const NO_DEFAULT_SUBNET_GROUP: Check = Check {
    id: "elasticache.no_default_subnet_group",
    service: Service::Elasticache,
    severity: Severity::High,
    resource_types: &[CacheCluster::RESOURCE_TYPE],
    title: "ElastiCache clusters do not use the default subnet group",
    rationale: "The default subnet group is made of the default VPC's subnets, which route to an internet gateway and hold whatever was launched without a choice: a custom group keeps the cache in subnets chosen for it, with their own routes and network ACLs.",
    remediation: "Create a cache subnet group of private subnets (aws elasticache create-cache-subnet-group) and move the cluster to it: the subnet group is set at creation, so create a replacement from a backup and switch the clients over.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html#elasticache-7",
    fsbp: &["ElastiCache.7"],
    cis: &[],
    triggers: MEMBERSHIP_CHANGES,
    reads: &[Read::all("elasticache:DescribeCacheClusters")],
    evaluate: no_default_subnet_group,
};

/// Every engine, members included (elasticache-subnet-group-check evaluates cache clusters).
/// A cluster whose answer names no subnet group gets no verdict.
fn no_default_subnet_group(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.elasticache.cache_clusters {
        let Some(group) = cluster.subnet_group.as_deref() else {
            continue;
        };
        verdicts.judge(
            &cluster_resource(cluster),
            group != DEFAULT_SUBNET_GROUP,
            || format!("The cluster uses the custom subnet group {group}."),
            || "The cluster uses the default subnet group: it runs in the default VPC's subnets rather than subnets chosen for it.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{CacheCluster, ReplicationGroup};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{elasticache, Inventory};

    fn cluster(id: &str, engine: &str, days: i32, upgrades: bool, subnets: &str) -> CacheCluster {
        CacheCluster {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticache:us-east-1:123456789012:cluster:{id}"),
            engine: engine.into(),
            engine_version: Some("7.1".into()),
            replication_group: None,
            snapshot_retention_days: Some(days),
            auto_minor_version_upgrade: Some(upgrades),
            subnet_group: Some(subnets.into()),
            tags: None,
        }
    }

    fn group(id: &str, days: i32, members: &[&str]) -> ReplicationGroup {
        ReplicationGroup {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:{id}"),
            engine: Some("redis".into()),
            snapshot_retention_days: Some(days),
            members: members.iter().map(|m| m.to_string()).collect(),
            tags: None,
        }
    }

    fn member(id: &str, group: &str, days: i32) -> CacheCluster {
        CacheCluster {
            replication_group: Some(group.into()),
            ..cluster(id, "redis", days, true, "cache-private")
        }
    }

    fn caches() -> Inventory {
        Inventory::from(elasticache::Inventory {
            cache_clusters: vec![
                cluster("sessions", "redis", 1, true, "sessions-subnets"),
                cluster("cache-legacy", "redis", 0, false, "default"),
                cluster("memo", "memcached", 0, false, "default"),
                member("orders-001", "orders", 3),
                // A replica reports no retention of its own.
                member("orders-002", "orders", 0),
                member("carts-001", "carts", 0),
            ],
            replication_groups: vec![
                group("orders", 3, &["orders-001", "orders-002"]),
                group("carts", 0, &["carts-001"]),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let case = |check: &'static str, resource_id: &'static str, expected: Status| Case {
            check,
            resource_id,
            expected,
            inventory: caches,
            region: None,
        };
        vec![
            case("elasticache.automatic_backups", "sessions", Status::Pass),
            case(
                "elasticache.automatic_backups",
                "cache-legacy",
                Status::Fail,
            ),
            case("elasticache.automatic_backups", "orders", Status::Pass),
            case("elasticache.automatic_backups", "carts", Status::Fail),
            case(
                "elasticache.auto_minor_version_upgrade",
                "sessions",
                Status::Pass,
            ),
            case(
                "elasticache.auto_minor_version_upgrade",
                "cache-legacy",
                Status::Fail,
            ),
            case(
                "elasticache.no_default_subnet_group",
                "sessions",
                Status::Pass,
            ),
            case(
                "elasticache.no_default_subnet_group",
                "cache-legacy",
                Status::Fail,
            ),
            // The subnet group is judged for every engine.
            case("elasticache.no_default_subnet_group", "memo", Status::Fail),
        ]
    }

    #[test]
    fn memcached_gets_no_backup_or_upgrade_verdict() {
        let results = run(&caches());
        none(&results, "elasticache.automatic_backups", "memo");
        none(&results, "elasticache.auto_minor_version_upgrade", "memo");
    }

    #[test]
    fn members_are_judged_for_backups_through_their_replication_group() {
        let results = run(&caches());
        for id in ["orders-001", "orders-002", "carts-001"] {
            none(&results, "elasticache.automatic_backups", id);
        }
        let orders = only(&results, "elasticache.automatic_backups", "orders");
        assert_eq!(orders.status, Status::Pass);
        assert_eq!(orders.resource_type, "AWS::ElastiCache::ReplicationGroup");
        assert_eq!(
            orders.detail,
            "Automatic backups of the replication group are kept 3 days (SnapshotRetentionLimit)."
        );
        // Minor version upgrades and subnet groups are per cache cluster, members included.
        only(
            &results,
            "elasticache.auto_minor_version_upgrade",
            "orders-002",
        );
        only(
            &results,
            "elasticache.no_default_subnet_group",
            "orders-002",
        );
        none(&results, "elasticache.auto_minor_version_upgrade", "orders");
    }

    #[test]
    fn valkey_is_judged_like_redis_and_unknown_settings_give_no_verdict() {
        let results = run(&Inventory::from(elasticache::Inventory {
            cache_clusters: vec![
                cluster("valkey-off", "valkey", 0, false, "cache-private"),
                CacheCluster {
                    snapshot_retention_days: None,
                    auto_minor_version_upgrade: None,
                    subnet_group: None,
                    ..cluster("unknown", "redis", 0, false, "default")
                },
            ],
            replication_groups: vec![ReplicationGroup {
                snapshot_retention_days: None,
                ..group("unread", 0, &[])
            }],
        }));
        let backups = only(&results, "elasticache.automatic_backups", "valkey-off");
        assert_eq!(backups.status, Status::Fail);
        assert_eq!(
            backups.detail,
            "Automatic backups of the cluster are off (SnapshotRetentionLimit is 0): a lost node or a deletion loses its data."
        );
        assert_eq!(
            only(&results, "elasticache.auto_minor_version_upgrade", "valkey-off").detail,
            "AutoMinorVersionUpgrade is off: valkey 7.1 minor versions with security fixes are not applied."
        );
        for check in [
            "elasticache.automatic_backups",
            "elasticache.auto_minor_version_upgrade",
            "elasticache.no_default_subnet_group",
        ] {
            none(&results, check, "unknown");
        }
        none(&results, "elasticache.automatic_backups", "unread");
    }

    #[test]
    fn one_day_of_retention_is_enough() {
        let results = run(&caches());
        assert_eq!(
            only(&results, "elasticache.automatic_backups", "sessions").detail,
            "Automatic backups of the cluster are kept 1 day (SnapshotRetentionLimit)."
        );
    }
}
