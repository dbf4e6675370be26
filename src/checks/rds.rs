use super::catalog::{
    RDS_BACKUP_RETENTION, RDS_DELETION_PROTECTION, RDS_MULTI_AZ, RDS_STORAGE_ENCRYPTED,
};
use super::{Resource, Verdicts};
use crate::inventory::Inventory;
use crate::request::CheckOptions;

/// The properties the RDS checks judge, shared by stand-alone instances and clusters.
struct Database<'a> {
    resource: Resource<'a>,
    kind: &'static str,
    storage_encrypted: bool,
    backup_retention_days: i32,
    multi_az: bool,
    deletion_protection: bool,
}

pub(super) fn evaluate(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    // Cluster members are judged through their cluster: storage, backups, deletion protection
    // and AZ placement are cluster properties, and counting members too would weigh a cluster
    // by its number of instances.
    let standalone = inventory
        .db_instances
        .iter()
        .filter(|db| db.cluster_id.is_none())
        .map(|db| Database {
            resource: Resource {
                resource_type: "AWS::RDS::DBInstance",
                id: &db.id,
                arn: Some(&db.arn),
                region: &db.region,
            },
            kind: "DB instance",
            storage_encrypted: db.storage_encrypted,
            backup_retention_days: db.backup_retention_days,
            multi_az: db.multi_az,
            deletion_protection: db.deletion_protection,
        });
    let clusters = inventory.db_clusters.iter().map(|cluster| Database {
        resource: Resource {
            resource_type: "AWS::RDS::DBCluster",
            id: &cluster.id,
            arn: Some(&cluster.arn),
            region: &cluster.region,
        },
        kind: "DB cluster",
        storage_encrypted: cluster.storage_encrypted,
        backup_retention_days: cluster.backup_retention_days,
        multi_az: cluster.multi_az,
        deletion_protection: cluster.deletion_protection,
    });
    for db in standalone.chain(clusters) {
        judge(&db, options, verdicts);
    }
}

fn judge(db: &Database, options: &CheckOptions, verdicts: &mut Verdicts) {
    let kind = db.kind;
    verdicts.judge(
        &RDS_STORAGE_ENCRYPTED,
        &db.resource,
        db.storage_encrypted,
        || format!("The {kind}'s storage is encrypted."),
        || format!("The {kind}'s storage is not encrypted (StorageEncrypted is false)."),
    );
    let days = db.backup_retention_days;
    let minimum = options.min_backup_retention_days;
    let plural = |n: i64| if n == 1 { "day" } else { "days" };
    verdicts.judge(
        &RDS_BACKUP_RETENTION,
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
    verdicts.judge(
        &RDS_MULTI_AZ,
        &db.resource,
        db.multi_az,
        || format!("The {kind} is deployed across multiple Availability Zones."),
        || format!("The {kind} runs in a single Availability Zone (MultiAZ is false)."),
    );
    verdicts.judge(
        &RDS_DELETION_PROTECTION,
        &db.resource,
        db.deletion_protection,
        || format!("Deletion protection is enabled on the {kind}."),
        || format!("Deletion protection is disabled on the {kind}."),
    );
}

#[cfg(test)]
mod tests {
    use crate::checks::evaluate;
    use crate::checks::test_support::{none, only, run};
    use crate::inventory::{DbCluster, DbInstance, Inventory};
    use crate::report::Status;
    use crate::request::CheckOptions;

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
            tags: Default::default(),
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
        let inventory = Inventory {
            db_instances: vec![
                instance("db-bad", None, false, 0),
                instance("db-ok", None, true, 7),
            ],
            ..Default::default()
        };
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
        let inventory = Inventory {
            db_instances: vec![
                instance("db-6", None, true, 6),
                instance("db-7", None, true, 7),
            ],
            ..Default::default()
        };
        let results = run(&inventory);
        let six = only(&results, "rds.backup_retention", "db-6");
        assert_eq!(six.status, Status::Fail);
        assert!(six.detail.contains("6 days, fewer than the required 7"));
        let one = run(&Inventory {
            db_instances: vec![instance("db-1", None, true, 1)],
            ..Default::default()
        });
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
        let relaxed = evaluate(&inventory, "123456789012", &options);
        assert_eq!(
            only(&relaxed, "rds.backup_retention", "db-6").status,
            Status::Pass
        );
    }

    #[test]
    fn aurora_clusters_are_judged_once_on_the_cluster_not_per_member() {
        let inventory = Inventory {
            // The member reports unencrypted storage and no backups: instance-level values
            // that Aurora ignores. It must not produce results of its own.
            db_instances: vec![instance("aurora-1", Some("aurora"), false, 0)],
            db_clusters: vec![aurora("aurora")],
            ..Default::default()
        };
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
    fn unencrypted_cluster_fails() {
        let mut cluster = aurora("legacy");
        cluster.storage_encrypted = false;
        cluster.deletion_protection = false;
        let results = run(&Inventory {
            db_clusters: vec![cluster],
            ..Default::default()
        });
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
