//! DMS replication instances: not publicly accessible.

use super::ReplicationInstance;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NOT_PUBLIC];

/// FSBP DMS.1, AWS Config rule `dms-replication-not-public` (no parameters): NON_COMPLIANT
/// when `PubliclyAccessible` is true.
/// <https://docs.aws.amazon.com/config/latest/developerguide/dms-replication-not-public.html>
const NOT_PUBLIC: Check = Check {
    id: "dms.replication_instance_not_public",
    service: Service::Dms,
    severity: Severity::Critical,
    resource_types: &[ReplicationInstance::RESOURCE_TYPE],
    title: "DMS replication instances are not publicly accessible",
    rationale: "A publicly accessible replication instance has a public IP address and holds credentials for both ends of a migration: the source and target databases are one security group rule away from the internet.",
    remediation: "A replication instance's public accessibility cannot be changed: create a private one (aws dms create-replication-instance --no-publicly-accessible), move the tasks to it, and delete the public one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/dms-controls.html#dms-1",
    fsbp: &["DMS.1"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "dms.amazonaws.com",
        names: &[
            "CreateReplicationInstance",
            "ModifyReplicationInstance",
            "DeleteReplicationInstance",
        ],
    }],
    reads: &[Read::all("dms:DescribeReplicationInstances")],
    evaluate: not_public,
};

fn not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for instance in &inventory.dms.replication_instances {
        let resource = Resource {
            resource_type: ReplicationInstance::RESOURCE_TYPE,
            id: &instance.id,
            name: None,
            arn: Some(&instance.arn),
            region: &instance.region,
        };
        verdicts.judge(
            &resource,
            !instance.publicly_accessible,
            || "PubliclyAccessible is false: the instance has private addresses only.".into(),
            || "PubliclyAccessible is true: the instance has a public IP address.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::ReplicationInstance;
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::{dms, Inventory};

    fn instance(id: &str, public: bool) -> ReplicationInstance {
        ReplicationInstance {
            id: id.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:dms:us-east-1:123456789012:rep:{id}"),
            publicly_accessible: public,
            tags: None,
        }
    }

    fn instances() -> Inventory {
        Inventory::from(dms::Inventory {
            replication_instances: vec![instance("private", false), instance("public", true)],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("private", Status::Pass), ("public", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "dms.replication_instance_not_public",
                resource_id,
                expected,
                inventory: instances,
                region: None,
            })
            .into()
    }
}
