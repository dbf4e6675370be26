//! Redshift Serverless workgroups: not publicly accessible.

use super::Workgroup;
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NOT_PUBLIC];

/// What can create, update or delete a workgroup.
const WORKGROUP_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "redshift-serverless.amazonaws.com",
    names: &["CreateWorkgroup", "UpdateWorkgroup", "DeleteWorkgroup"],
}];

const NOT_PUBLIC: Check = Check {
    id: "redshiftserverless.not_public",
    service: Service::Redshiftserverless,
    severity: Severity::High,
    resource_types: &[Workgroup::RESOURCE_TYPE],
    title: "Redshift Serverless workgroups are not publicly accessible",
    rationale: "A publicly accessible workgroup has an endpoint reachable from the internet: its databases are one security group rule away from every scanner, whatever the groups allow today.",
    remediation: "aws redshift-serverless update-workgroup --workgroup-name <workgroup> --no-publicly-accessible, and reach the workgroup from inside the VPC (a VPN, a bastion or a Redshift-managed VPC endpoint).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/redshiftserverless-controls.html#redshiftserverless-3",
    fsbp: &["RedshiftServerless.3"],
    cis: &[],
    triggers: WORKGROUP_CHANGES,
    reads: &[Read::all("redshift-serverless:ListWorkgroups")],
    evaluate: not_public,
};

fn not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for workgroup in &inventory.redshiftserverless.workgroups {
        let Some(public) = workgroup.publicly_accessible else {
            continue;
        };
        let resource = Resource {
            resource_type: Workgroup::RESOURCE_TYPE,
            id: &workgroup.name,
            name: None,
            arn: Some(&workgroup.arn),
            region: &workgroup.region,
        };
        let serves = match &workgroup.namespace {
            Some(namespace) => format!(" (namespace {namespace})"),
            None => String::new(),
        };
        verdicts.judge(
            &resource,
            !public,
            || format!("publiclyAccessible is false: the workgroup{serves} is reachable from its VPC only."),
            || format!("publiclyAccessible is true: the workgroup{serves} has a public endpoint and only its security groups keep the internet out."),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Workgroup;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{redshiftserverless, Inventory};

    fn workgroup(name: &str, public: Option<bool>) -> Workgroup {
        Workgroup {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!(
                "arn:aws:redshift-serverless:us-east-1:123456789012:workgroup/{name}-0000"
            ),
            namespace: Some("analytics".into()),
            publicly_accessible: public,
            tags: None,
        }
    }

    fn workgroups() -> Inventory {
        Inventory::from(redshiftserverless::Inventory {
            workgroups: vec![
                workgroup("bi-private", Some(false)),
                workgroup("bi-public", Some(true)),
                workgroup("bi-unknown", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("bi-private", Status::Pass), ("bi-public", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "redshiftserverless.not_public",
                resource_id,
                expected,
                inventory: workgroups,
                region: None,
            })
            .into()
    }

    #[test]
    fn an_unknown_flag_gives_no_verdict_and_details_name_the_namespace() {
        let results = run(&workgroups());
        none(&results, "redshiftserverless.not_public", "bi-unknown");
        assert!(only(&results, "redshiftserverless.not_public", "bi-public")
            .detail
            .contains("(namespace analytics) has a public endpoint"));
    }
}
