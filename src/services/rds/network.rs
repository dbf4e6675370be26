//! FSBP RDS.46: DB instances are not in subnets that route to an internet gateway. AWS Config
//! rule `rds-instance-subnet-igw-check` (no parameters): an instance fails when a subnet of its
//! DB subnet group routes `0.0.0.0/0` or `::/0` to an internet gateway.
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-46>

use super::{instance_resource, DbInstance};
use crate::model::Severity;
use crate::services::checks::{enumerate, Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

/// What can move an instance's subnets onto or off an internet route.
const SUBNET_ROUTE_CHANGES: &[EventTrigger] = &[
    EventTrigger {
        source: "rds.amazonaws.com",
        names: &[
            "CreateDBInstance",
            "ModifyDBInstance",
            "ModifyDBSubnetGroup",
            "DeleteDBInstance",
        ],
    },
    EventTrigger {
        source: "ec2.amazonaws.com",
        names: &[
            "CreateRoute",
            "ReplaceRoute",
            "DeleteRoute",
            "AssociateRouteTable",
            "ReplaceRouteTableAssociation",
            "DisassociateRouteTable",
        ],
    },
];

pub(super) const NOT_IN_PUBLIC_SUBNET: Check = Check {
    id: "rds.not_in_public_subnet",
    service: Service::Rds,
    severity: Severity::High,
    resource_types: &[DbInstance::RESOURCE_TYPE],
    title: "RDS DB instances are not in subnets routed to an internet gateway",
    rationale: "A database in a subnet with a route to the internet is one flag \
                (PubliclyAccessible) or one security group rule away from it.",
    remediation: "Move the instance to a DB subnet group of private subnets (routes to a NAT \
                  gateway at most): aws rds modify-db-instance --db-subnet-group-name <private>.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.Scenarios.html",
    fsbp: &["RDS.46"],
    // CIS v3.0.0 2.3.3's audit also reads each instance's subnet route tables for a
    // `0.0.0.0/0` route to an internet gateway (steps 5-8), beside PubliclyAccessible.
    cis: &["2.3.3"],
    triggers: SUBNET_ROUTE_CHANGES,
    reads: &[
        Read::all("rds:DescribeDBInstances"),
        Read::all("ec2:DescribeRouteTables"),
    ],
    evaluate: not_in_public_subnet,
};

fn not_in_public_subnet(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for db in &inventory.rds.db_instances {
        let (Some(vpc), Some(routes)) = (
            db.vpc_id.as_deref(),
            inventory.rds.internet_routes.get(&db.region),
        ) else {
            continue;
        };
        if db.subnets.is_empty() {
            continue;
        }
        let public: Vec<String> = db
            .subnets
            .iter()
            .filter_map(|subnet| {
                let to_internet = routes.of(subnet, vpc);
                (!to_internet.is_empty()).then(|| format!("{subnet} ({})", to_internet.join(", ")))
            })
            .collect();
        verdicts.judge(
            &instance_resource(db),
            public.is_empty(),
            || "No subnet of its DB subnet group routes to an internet gateway.".into(),
            || {
                format!(
                    "Its DB subnet group has subnets routed to an internet gateway: {}.",
                    enumerate(&public, 3)
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::rds::{self, SubnetRoutes};

    fn placed() -> Inventory {
        let db = |id: &str, subnets: &[&str]| DbInstance {
            id: id.into(),
            region: "us-east-1".into(),
            vpc_id: Some("vpc-1".into()),
            subnets: subnets.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        };
        let routes = SubnetRoutes {
            // subnet-public has its own table to the internet; subnet-private its own without.
            explicit: [
                (
                    "subnet-public".to_string(),
                    vec!["::/0 → igw-1".to_string()],
                ),
                ("subnet-private".to_string(), vec![]),
            ]
            .into(),
            // Subnets without a table of their own use the main one, routed here.
            main: [("vpc-1".to_string(), vec!["0.0.0.0/0 → igw-1".to_string()])].into(),
        };
        Inventory::from(rds::Inventory {
            db_instances: vec![
                db("private-db", &["subnet-private"]),
                db("mixed-db", &["subnet-private", "subnet-public"]),
                db("main-table-db", &["subnet-unassociated"]),
                DbInstance {
                    vpc_id: None,
                    ..db("classic-db", &[])
                },
            ],
            internet_routes: [("us-east-1".to_string(), routes)].into(),
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        [("private-db", Status::Pass), ("mixed-db", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "rds.not_in_public_subnet",
                resource_id,
                expected,
                inventory: placed,
                region: None,
            })
            .into()
    }

    #[test]
    fn a_subnet_without_its_own_table_follows_the_main_one() {
        let results = run(&placed());
        let check = "rds.not_in_public_subnet";
        assert_eq!(
            only(&results, check, "mixed-db").detail,
            "Its DB subnet group has subnets routed to an internet gateway: subnet-public (::/0 → \
             igw-1)."
        );
        assert_eq!(only(&results, check, "main-table-db").status, Status::Fail);
        none(&results, check, "classic-db");
        // A region whose route tables were not read: no verdict.
        let mut unread = placed();
        unread.rds.internet_routes.clear();
        assert!(!run(&unread).iter().any(|r| r.check_id == check));
    }
}
