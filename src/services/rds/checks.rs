//! RDS DB instances and clusters (Aurora, Multi-AZ clusters, DocumentDB and Neptune).

use super::{instance_resource, DbCluster, DbInstance, DbSnapshot};
use crate::model::Severity;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};
use crate::services::sg::open_to_world_on;
use crate::services::sg::SecurityGroup;
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &STORAGE_ENCRYPTED,
    &BACKUP_RETENTION,
    &MULTI_AZ,
    &DELETION_PROTECTION,
    &PUBLIC_ACCESS,
    &AUTO_MINOR_VERSION_UPGRADE,
    &SNAPSHOT_PUBLIC,
    &SNAPSHOT_ENCRYPTED,
    &super::network::NOT_IN_PUBLIC_SUBNET,
];

/// What can create, modify, promote, restore or delete a DB instance or cluster.
const DATABASE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "rds.amazonaws.com",
    names: &[
        "CreateDBInstance",
        "CreateDBInstanceReadReplica",
        "ModifyDBInstance",
        "PromoteReadReplica",
        "RestoreDBInstanceFromDBSnapshot",
        "RestoreDBInstanceFromS3",
        "RestoreDBInstanceToPointInTime",
        "DeleteDBInstance",
        "CreateDBCluster",
        "ModifyDBCluster",
        "PromoteReadReplicaDBCluster",
        "RestoreDBClusterFromS3",
        "RestoreDBClusterFromSnapshot",
        "RestoreDBClusterToPointInTime",
        "DeleteDBCluster",
    ],
}];

/// What can create, modify, promote, restore or delete a DB instance.
const INSTANCE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "rds.amazonaws.com",
    names: &[
        "CreateDBInstance",
        "CreateDBInstanceReadReplica",
        "ModifyDBInstance",
        "PromoteReadReplica",
        "RestoreDBInstanceFromDBSnapshot",
        "RestoreDBInstanceFromS3",
        "RestoreDBInstanceToPointInTime",
        "DeleteDBInstance",
    ],
}];

/// What can create or remove a manual DB or cluster snapshot.
const SNAPSHOT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "rds.amazonaws.com",
    names: &[
        "CreateDBSnapshot",
        "CopyDBSnapshot",
        "DeleteDBSnapshot",
        "CreateDBClusterSnapshot",
        "CopyDBClusterSnapshot",
        "DeleteDBClusterSnapshot",
    ],
}];

/// What can change who may restore a manual snapshot, or create or remove one.
const SNAPSHOT_SHARING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "rds.amazonaws.com",
    names: &[
        "ModifyDBSnapshotAttribute",
        "ModifyDBClusterSnapshotAttribute",
        "CreateDBSnapshot",
        "CopyDBSnapshot",
        "DeleteDBSnapshot",
        "CreateDBClusterSnapshot",
        "CopyDBClusterSnapshot",
        "DeleteDBClusterSnapshot",
    ],
}];

const DATABASE: &[&str] = &[DbInstance::RESOURCE_TYPE, DbCluster::RESOURCE_TYPE];

/// The properties the RDS checks judge, shared by stand-alone instances and clusters.
struct Database<'a> {
    resource: Resource<'a>,
    kind: &'static str,
    storage_encrypted: bool,
    backup_retention_days: i32,
    multi_az: bool,
    deletion_protection: bool,
    /// `false` for a read replica of an engine whose replicas cannot have automated backups.
    backups_possible: bool,
}

/// Stand-alone instances and clusters. Cluster members are judged through their cluster:
/// storage, backups, deletion protection and AZ placement are cluster properties, and counting
/// members too would weigh a cluster by its number of instances.
fn databases(inventory: &Inventory) -> impl Iterator<Item = Database<'_>> {
    let standalone = inventory
        .rds
        .db_instances
        .iter()
        .filter(|db| db.cluster_id.is_none())
        .map(|db| Database {
            resource: Resource {
                resource_type: DbInstance::RESOURCE_TYPE,
                id: &db.id,
                name: None,
                arn: Some(&db.arn),
                region: &db.region,
            },
            kind: "DB instance",
            storage_encrypted: db.storage_encrypted,
            backup_retention_days: db.backup_retention_days,
            multi_az: db.multi_az,
            deletion_protection: db.deletion_protection,
            // RDS for PostgreSQL read replicas do not support automated backups (RDS User
            // Guide, "Working with DB instance read replicas"); the AWS Config rule behind
            // RDS.11 leaves read replicas out unless asked (`checkReadReplicas`).
            backups_possible: !(db.replica_source.is_some() && db.engine == "postgres"),
        });
    let clusters = inventory.rds.db_clusters.iter().map(|cluster| Database {
        resource: Resource {
            resource_type: DbCluster::RESOURCE_TYPE,
            id: &cluster.id,
            name: None,
            arn: Some(&cluster.arn),
            region: &cluster.region,
        },
        kind: "DB cluster",
        storage_encrypted: cluster.storage_encrypted,
        backup_retention_days: cluster.backup_retention_days,
        multi_az: cluster.multi_az,
        deletion_protection: cluster.deletion_protection,
        backups_possible: true,
    });
    standalone.chain(clusters)
}

const STORAGE_ENCRYPTED: Check = Check {
    id: "rds.storage_encrypted",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: DATABASE,
    title: "RDS storage is encrypted",
    rationale: "Unencrypted database storage, its automated backups, replicas and snapshots \
                expose the data at rest.",
    remediation: "Encryption can only be set at creation: snapshot, copy the snapshot with a \
                  KMS key, restore from it and cut over.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    fsbp: &["RDS.3", "RDS.27"],
    cis: &["2.3.1"],
    triggers: DATABASE_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBInstances"),
        Read::all("rds:DescribeDBClusters"),
    ],
    evaluate: storage_encrypted,
};

fn storage_encrypted(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in databases(inventory) {
        let kind = db.kind;
        verdicts.judge(
            &db.resource,
            db.storage_encrypted,
            || format!("The {kind}'s storage is encrypted."),
            || format!("The {kind}'s storage is not encrypted (StorageEncrypted is false)."),
        );
    }
}

const BACKUP_RETENTION: Check = Check {
    id: "rds.backup_retention",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: DATABASE,
    title: "RDS automated backups are kept long enough",
    rationale: "Automated backups and point-in-time recovery are the way back from deleted or \
                corrupted data; a short window may end before the problem is noticed. RDS for \
                PostgreSQL read replicas cannot have automated backups and get no result.",
    remediation: "Set the backup retention period to at least the required number of days \
                  (modify-db-instance or modify-db-cluster --backup-retention-period).",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
    fsbp: &["RDS.11"],
    cis: &[],
    triggers: DATABASE_CHANGES,
    reads: &[Read::all("rds:DescribeDBInstances"), Read::all("rds:DescribeDBClusters")],
    evaluate: backup_retention,
};

fn backup_retention(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    let minimum = options.min_backup_retention_days;
    let plural = |n: i64| if n == 1 { "day" } else { "days" };
    for db in databases(inventory).filter(|db| db.backups_possible) {
        let days = db.backup_retention_days;
        verdicts.judge(
            &db.resource,
            i64::from(days) >= i64::from(minimum),
            || {
                format!(
                    "Automated backups are kept {days} {} (minimum {minimum}).",
                    plural(days.into())
                )
            },
            || {
                if days <= 0 {
                    "Automated backups are off (BackupRetentionPeriod is 0).".into()
                } else {
                    format!(
                        "Automated backups are kept {days} {}, fewer than the required {minimum}.",
                        plural(days.into())
                    )
                }
            },
        );
    }
}

const MULTI_AZ: Check = Check {
    id: "rds.multi_az",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: DATABASE,
    title: "RDS databases span multiple Availability Zones",
    rationale: "A single-AZ database is down for the whole of an Availability Zone outage or a \
                host failure.",
    remediation: "Enable Multi-AZ on the DB instance, or add a reader in another Availability \
                  Zone to the cluster.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
    fsbp: &["RDS.5", "RDS.15"],
    cis: &[],
    triggers: DATABASE_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBInstances"),
        Read::all("rds:DescribeDBClusters"),
    ],
    evaluate: multi_az,
};

fn multi_az(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in databases(inventory) {
        let kind = db.kind;
        verdicts.judge(
            &db.resource,
            db.multi_az,
            || format!("The {kind} is deployed across multiple Availability Zones."),
            || format!("The {kind} runs in a single Availability Zone (MultiAZ is false)."),
        );
    }
}

const DELETION_PROTECTION: Check = Check {
    id: "rds.deletion_protection",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: DATABASE,
    title: "RDS databases have deletion protection",
    rationale: "Without deletion protection one API call, script error or compromised \
                credential deletes the database.",
    remediation: "Enable deletion protection (modify-db-instance or modify-db-cluster \
                  --deletion-protection).",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
    fsbp: &["RDS.7", "RDS.8"],
    cis: &[],
    triggers: DATABASE_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBInstances"),
        Read::all("rds:DescribeDBClusters"),
    ],
    evaluate: deletion_protection,
};

fn deletion_protection(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in databases(inventory) {
        let kind = db.kind;
        verdicts.judge(
            &db.resource,
            db.deletion_protection,
            || format!("Deletion protection is enabled on the {kind}."),
            || format!("Deletion protection is disabled on the {kind}."),
        );
    }
}

const PUBLIC_ACCESS: Check = Check {
    id: "rds.public_access",
    service: Service::Rds,
    severity: Severity::Critical,
    resource_types: &[DbInstance::RESOURCE_TYPE],
    title: "RDS DB instances are not publicly accessible",
    rationale: "A publicly accessible instance has a public DNS name and address: one security \
                group rule away from the internet, whatever the groups allow today.",
    remediation: "Set PubliclyAccessible to false (modify-db-instance --no-publicly-accessible) \
                  and reach the database from inside the VPC.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",
    fsbp: &["RDS.2"],
    cis: &["2.3.3"],
    triggers: INSTANCE_CHANGES,
    reads: &[Read::all("rds:DescribeDBInstances")],
    evaluate: public_access,
};

/// FSBP's definition: the flag decides, whatever the groups allow. The detail says whether the
/// instance's groups open its port to the world today (where the groups were audited).
fn public_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in &inventory.rds.db_instances {
        verdicts.judge(
            &instance_resource(db),
            !db.publicly_accessible,
            || "PubliclyAccessible is false: the instance has no public address.".into(),
            || {
                let groups: Vec<&SecurityGroup> = inventory
                    .sg.security_groups
                    .iter()
                    .filter(|g| db.security_groups.contains(&g.id))
                    .collect();
                let port = db.port.and_then(|p| u16::try_from(p).ok());
                let exposure = match port {
                    _ if groups.is_empty() => {
                        "its security groups were not audited in this run".to_string()
                    }
                    Some(port) => {
                        let open: Vec<String> = groups
                            .iter()
                            .filter(|g| open_to_world_on(g, port))
                            .map(|g| g.id.clone())
                            .collect();
                        if open.is_empty() {
                            format!("its security groups do not open port {port} to the world today, but one rule change would")
                        } else {
                            format!(
                                "and {} open{} port {port} to the world",
                                enumerate(&open, 3),
                                if open.len() == 1 { "s" } else { "" }
                            )
                        }
                    }
                    None => "its port is unknown".to_string(),
                };
                format!("PubliclyAccessible is true: the instance has a public address, {exposure}.")
            },
        );
    }
}

const AUTO_MINOR_VERSION_UPGRADE: Check = Check {
    id: "rds.auto_minor_version_upgrade",
    service: Service::Rds,
    severity: Severity::High,
    resource_types: &[DbInstance::RESOURCE_TYPE],
    title: "RDS DB instances upgrade minor versions automatically",
    rationale: "Minor versions carry security fixes; without automatic upgrades an instance \
                keeps known vulnerabilities until someone remembers it.",
    remediation: "modify-db-instance --auto-minor-version-upgrade (applied in the maintenance \
                  window).",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.Upgrading.html#USER_UpgradeDBInstance.Upgrading.AutoMinorVersionUpgrades",
    fsbp: &["RDS.13"],
    cis: &["2.3.2"],
    triggers: INSTANCE_CHANGES,
    reads: &[Read::all("rds:DescribeDBInstances")],
    evaluate: auto_minor_version_upgrade,
};

/// Every DB instance, cluster members included: `rds-automatic-minor-version-upgrade-enabled`
/// (FSBP RDS.13) judges each instance, and an Aurora cluster upgrades only when all its
/// instances have the setting on
/// (https://docs.aws.amazon.com/config/latest/developerguide/rds-automatic-minor-version-upgrade-enabled.html);
/// CIS 2.3.2's audit reads it from every instance too.
fn auto_minor_version_upgrade(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in &inventory.rds.db_instances {
        verdicts.judge(
            &instance_resource(db),
            db.auto_minor_version_upgrade,
            || "AutoMinorVersionUpgrade is on.".into(),
            || format!("AutoMinorVersionUpgrade is off: {} minor versions with security fixes are not applied.", db.engine),
        );
    }
}

const SNAPSHOTS: &[&str] = &[DbSnapshot::RESOURCE_TYPE, DbSnapshot::CLUSTER_RESOURCE_TYPE];

fn snapshot_resource(snapshot: &DbSnapshot) -> Resource<'_> {
    Resource {
        resource_type: snapshot.resource_type(),
        id: &snapshot.id,
        name: None,
        arn: Some(&snapshot.arn),
        region: &snapshot.region,
    }
}

const SNAPSHOT_PUBLIC: Check = Check {
    id: "rds.snapshot_public",
    service: Service::Rds,
    severity: Severity::Critical,
    resource_types: SNAPSHOTS,
    title: "RDS, DocumentDB and Neptune snapshots are not public",
    rationale: "Any AWS account can restore a public DB snapshot: the whole database, to read \
                at leisure.",
    remediation: "aws rds modify-db-snapshot-attribute (or modify-db-cluster-snapshot-attribute) \
                  --attribute-name restore --values-to-remove all.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_ShareSnapshot.html",
    // RDS.1 (`rds-snapshots-public-prohibited`), DocumentDB.3
    // (`docdb-cluster-snapshot-public-prohibited`) and Neptune.3
    // (`neptune-cluster-snapshot-public-prohibited`) each judge the manual snapshots of their
    // engines: the results' `engine` fact scopes them (`compliance::frameworks::in_scope`).
    fsbp: &["RDS.1", "DocumentDB.3", "Neptune.3"],
    cis: &[],
    triggers: SNAPSHOT_SHARING_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBSnapshots"),
        Read::all("rds:DescribeDBClusterSnapshots"),
        Read::each("rds:DescribeDBSnapshotAttributes"),
        Read::each("rds:DescribeDBClusterSnapshotAttributes"),
    ],
    evaluate: |inventory, _, verdicts| {
        for snapshot in &inventory.rds.db_snapshots {
            // Unreadable attributes: no verdict (the error is in the report).
            let Some(restorers) = &snapshot.restorable_by else {
                continue;
            };
            let shared: Vec<String> = restorers.iter().filter(|a| *a != "all").cloned().collect();
            verdicts.judge_with_facts(
                &snapshot_resource(snapshot),
                !restorers.iter().any(|a| a == "all"),
                || match shared.as_slice() {
                    [] => "The snapshot is restorable by this account only.".into(),
                    accounts => format!(
                        "The snapshot is shared with {} (named accounts, not public).",
                        enumerate(accounts, 3)
                    ),
                },
                || "The snapshot is public: its restore attribute includes all.".into(),
                vec![format!("engine {}", snapshot.engine)],
            );
        }
    },
};

const SNAPSHOT_ENCRYPTED: Check = Check {
    id: "rds.snapshot_encrypted",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: SNAPSHOTS,
    title: "RDS snapshots are encrypted",
    rationale: "An unencrypted snapshot is a plain copy of the database, wherever it is copied \
                or shared to.",
    remediation: "Copy the snapshot with a KMS key (copy-db-snapshot --kms-key-id), delete the \
                  unencrypted one, and encrypt the source database.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CopySnapshot.html",
    fsbp: &["RDS.4"],
    cis: &[],
    triggers: SNAPSHOT_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBSnapshots"),
        Read::all("rds:DescribeDBClusterSnapshots"),
    ],
    evaluate: |inventory, _, verdicts| {
        // RDS.4 is RDS's: DocumentDB's and Neptune's snapshots have controls of their own.
        let rds_snapshots = inventory
            .rds
            .db_snapshots
            .iter()
            .filter(|s| super::collect::is_rds_engine(Some(&s.engine)));
        for snapshot in rds_snapshots {
            verdicts.judge(
                &snapshot_resource(snapshot),
                snapshot.encrypted,
                || "The snapshot is encrypted.".into(),
                || "The snapshot is not encrypted.".into(),
            );
        }
    },
};

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{DbCluster, DbInstance, DbSnapshot};
    use crate::model::Status;
    use crate::services::checks::evaluate;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::checks::CheckOptions;
    use crate::services::{rds, Inventory};

    pub fn cases() -> Vec<Case> {
        let databases = || {
            Inventory::from(rds::Inventory {
                db_instances: vec![
                    instance("db-bad", None, false, 0),
                    DbInstance {
                        multi_az: true,
                        deletion_protection: true,
                        auto_minor_version_upgrade: true,
                        ..instance("db-ok", None, true, 7)
                    },
                    DbInstance {
                        publicly_accessible: true,
                        ..instance("db-bad-public", None, false, 0)
                    },
                ],
                ..Default::default()
            })
        };
        let mut cases = Vec::new();
        let snapshots = || {
            Inventory::from(rds::Inventory {
                db_snapshots: vec![
                    DbSnapshot {
                        id: "snap-shared".into(),
                        encrypted: true,
                        restorable_by: Some(vec!["111122223333".into()]),
                        ..Default::default()
                    },
                    DbSnapshot {
                        id: "snap-public".into(),
                        cluster: true,
                        restorable_by: Some(vec!["all".into()]),
                        ..Default::default()
                    },
                    DbSnapshot {
                        id: "snap-unreadable".into(),
                        encrypted: true,
                        ..Default::default()
                    },
                ],
                ..Default::default()
            })
        };
        for check in ["rds.snapshot_public", "rds.snapshot_encrypted"] {
            for (resource_id, expected) in
                [("snap-shared", Status::Pass), ("snap-public", Status::Fail)]
            {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: snapshots,
                    region: None,
                });
            }
        }
        cases.push(Case {
            check: "rds.public_access",
            resource_id: "db-bad-public",
            expected: Status::Fail,
            inventory: databases,
            region: None,
        });
        for check in [
            "rds.storage_encrypted",
            "rds.backup_retention",
            "rds.multi_az",
            "rds.deletion_protection",
            "rds.public_access",
            "rds.auto_minor_version_upgrade",
        ] {
            for (resource_id, expected) in [("db-ok", Status::Pass), ("db-bad", Status::Fail)] {
                if check == "rds.public_access" && resource_id == "db-bad" {
                    continue;
                }
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: databases,
                    region: None,
                });
            }
        }
        cases.extend(super::super::network::tests::cases());
        cases
    }

    fn instance(id: &str, cluster: Option<&str>, encrypted: bool, days: i32) -> DbInstance {
        DbInstance {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:rds:us-east-1:123456789012:db:{id}"),
            engine: "postgres".into(),
            cluster_id: cluster.map(Into::into),
            storage_encrypted: encrypted,
            backup_retention_days: days,
            multi_az: false,
            deletion_protection: false,
            ..Default::default()
        }
    }

    fn aurora(id: &str) -> DbCluster {
        DbCluster {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:rds:us-east-1:123456789012:cluster:{id}"),
            engine: "aurora-postgresql".into(),
            storage_encrypted: true,
            backup_retention_days: 14,
            multi_az: true,
            deletion_protection: true,
            members: vec![format!("{id}-1")],
            tags: Default::default(),
        }
    }

    #[test]
    fn standalone_instances_are_judged_on_all_four_properties() {
        let inventory = Inventory::from(rds::Inventory {
            db_instances: vec![
                instance("db-bad", None, false, 0),
                instance("db-ok", None, true, 7),
            ],
            ..Default::default()
        });
        let results = run(&inventory);
        for check in [
            "rds.storage_encrypted",
            "rds.backup_retention",
            "rds.multi_az",
            "rds.deletion_protection",
        ] {
            assert_eq!(
                only(&results, check, "db-bad").status,
                Status::Fail,
                "{check}"
            );
        }
        assert_eq!(
            only(&results, "rds.storage_encrypted", "db-ok").status,
            Status::Pass
        );
        assert_eq!(
            only(&results, "rds.backup_retention", "db-ok").status,
            Status::Pass
        );
        assert_eq!(
            only(&results, "rds.backup_retention", "db-bad").detail,
            "Automated backups are off (BackupRetentionPeriod is 0)."
        );
    }

    #[test]
    fn backup_retention_threshold_is_inclusive_and_configurable() {
        let inventory = Inventory::from(rds::Inventory {
            db_instances: vec![
                instance("db-6", None, true, 6),
                instance("db-7", None, true, 7),
            ],
            ..Default::default()
        });
        let results = run(&inventory);
        let six = only(&results, "rds.backup_retention", "db-6");
        assert_eq!(six.status, Status::Fail);
        assert!(six.detail.contains("6 days, fewer than the required 7"));
        let one = run(&Inventory::from(rds::Inventory {
            db_instances: vec![instance("db-1", None, true, 1)],
            ..Default::default()
        }));
        assert!(only(&one, "rds.backup_retention", "db-1")
            .detail
            .contains("kept 1 day,"));
        assert_eq!(
            only(&results, "rds.backup_retention", "db-7").status,
            Status::Pass
        );

        let options = CheckOptions {
            min_backup_retention_days: 3,
            ..CheckOptions::default()
        };
        let relaxed = evaluate(
            &inventory,
            "123456789012",
            &options,
            crate::services::checks::test_support::NOW,
        );
        assert_eq!(
            only(&relaxed, "rds.backup_retention", "db-6").status,
            Status::Pass
        );
    }

    #[test]
    fn postgres_read_replicas_which_cannot_back_up_get_no_backup_verdict() {
        let replica = |id: &str, engine: &str| DbInstance {
            engine: engine.into(),
            replica_source: Some("primary".into()),
            ..instance(id, None, true, 0)
        };
        let results = run(&Inventory::from(rds::Inventory {
            db_instances: vec![
                instance("primary", None, true, 7),
                replica("pg-replica", "postgres"),
                replica("mysql-replica", "mysql"),
            ],
            ..Default::default()
        }));
        none(&results, "rds.backup_retention", "pg-replica");
        assert_eq!(
            only(&results, "rds.backup_retention", "mysql-replica").status,
            Status::Fail
        );
        assert_eq!(
            only(&results, "rds.backup_retention", "primary").status,
            Status::Pass
        );
        // The replica's other settings are still judged.
        only(&results, "rds.storage_encrypted", "pg-replica");
    }

    #[test]
    fn aurora_clusters_are_judged_once_on_the_cluster_not_per_member() {
        // The member reports unencrypted storage and no backups: instance-level values that
        // Aurora ignores. It must not produce results of its own.
        let inventory = Inventory::from(rds::Inventory {
            db_instances: vec![instance("aurora-1", Some("aurora"), false, 0)],
            db_clusters: vec![aurora("aurora")],
            ..Default::default()
        });
        let results = run(&inventory);
        for check in [
            "rds.storage_encrypted",
            "rds.backup_retention",
            "rds.multi_az",
            "rds.deletion_protection",
        ] {
            let result = only(&results, check, "aurora");
            assert_eq!(result.status, Status::Pass, "{check}");
            assert_eq!(result.resource_type, "AWS::RDS::DBCluster");
            none(&results, check, "aurora-1");
        }
    }

    #[test]
    fn a_public_instance_fails_and_the_detail_says_whether_its_groups_are_open() {
        use crate::services::sg::{IngressRule, SecurityGroup};
        let public = |id: &str, groups: &[&str]| DbInstance {
            publicly_accessible: true,
            security_groups: groups.iter().map(|g| g.to_string()).collect(),
            port: Some(5432),
            ..instance(id, None, true, 7)
        };
        let group = |id: &str, cidr: &str| SecurityGroup {
            id: id.into(),
            vpc_id: Some("vpc-1".into()),
            ingress: vec![IngressRule {
                protocol: "tcp".into(),
                from_port: Some(5432),
                to_port: Some(5432),
                cidrs: vec![cidr.into()],
                other_peers: vec![],
            }],
            ..Default::default()
        };
        let mut member = public("aurora-1", &[]);
        member.cluster_id = Some("aurora".into());
        let mut inventory = Inventory::from(rds::Inventory {
            db_instances: vec![
                public("db-open", &["sg-open"]),
                public("db-closed", &["sg-closed"]),
                public("db-unknown", &["sg-elsewhere"]),
                member,
            ],
            ..Default::default()
        });
        inventory.sg.security_groups =
            vec![group("sg-open", "::/0"), group("sg-closed", "10.0.0.0/8")];
        let results = run(&inventory);
        let detail = |id| {
            let result = only(&results, "rds.public_access", id);
            assert_eq!(result.status, Status::Fail);
            result.detail.clone()
        };
        assert!(detail("db-open").ends_with("and sg-open opens port 5432 to the world."));
        assert!(detail("db-closed").contains("do not open port 5432 to the world today"));
        assert!(detail("db-unknown").contains("were not audited"));
        // Public access is per instance, cluster members included.
        assert_eq!(
            only(&results, "rds.public_access", "aurora-1").status,
            Status::Fail
        );
        // So is the minor-version setting (off here): an Aurora cluster upgrades only when all
        // its instances have it on.
        assert_eq!(
            only(&results, "rds.auto_minor_version_upgrade", "aurora-1").status,
            Status::Fail
        );
    }

    #[test]
    fn unencrypted_cluster_fails() {
        let mut cluster = aurora("legacy");
        cluster.storage_encrypted = false;
        cluster.deletion_protection = false;
        let results = run(&Inventory::from(rds::Inventory {
            db_clusters: vec![cluster],
            ..Default::default()
        }));
        assert_eq!(
            only(&results, "rds.storage_encrypted", "legacy").status,
            Status::Fail
        );
        assert_eq!(
            only(&results, "rds.deletion_protection", "legacy").status,
            Status::Fail
        );
    }
}
