//! Redshift Serverless workgroups: not publicly accessible, and routing through the VPC.

use super::Workgroup;
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NOT_PUBLIC, &ENHANCED_VPC_ROUTING];

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

/// FSBP RedshiftServerless.1, AWS Config rule `redshift-serverless-workgroup-routes-within-vpc`
/// (no parameters): a workgroup without enhanced VPC routing fails.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/redshiftserverless-controls.html#redshiftserverless-1>
const ENHANCED_VPC_ROUTING: Check = Check {
    id: "redshiftserverless.enhanced_vpc_routing",
    service: Service::Redshiftserverless,
    severity: Severity::High,
    resource_types: &[Workgroup::RESOURCE_TYPE],
    title: "Redshift Serverless workgroups use enhanced VPC routing",
    rationale: "Without enhanced VPC routing, COPY and UNLOAD traffic goes around the VPC: its \
                security groups, endpoint policies and flow logs do not see the data leaving.",
    remediation: "aws redshift-serverless update-workgroup --workgroup-name <workgroup> \
                  --enhanced-vpc-routing.",
    reference: "https://docs.aws.amazon.com/redshift/latest/mgmt/serverless-workgroups-and-namespaces-enhanced-vpc-routing.html",
    fsbp: &["RedshiftServerless.1"],
    cis: &[],
    triggers: WORKGROUP_CHANGES,
    reads: &[Read::all("redshift-serverless:ListWorkgroups")],
    evaluate: enhanced_vpc_routing,
};

fn resource(workgroup: &Workgroup) -> Resource<'_> {
    Resource {
        resource_type: Workgroup::RESOURCE_TYPE,
        id: &workgroup.name,
        name: None,
        arn: Some(&workgroup.arn),
        region: &workgroup.region,
    }
}

fn enhanced_vpc_routing(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for workgroup in &inventory.redshiftserverless.workgroups {
        let Some(routed) = workgroup.enhanced_vpc_routing else {
            continue;
        };
        verdicts.judge(
            &resource(workgroup),
            routed,
            || "enhancedVpcRouting is true: COPY and UNLOAD traffic stays in the VPC.".into(),
            || "enhancedVpcRouting is false: COPY and UNLOAD traffic bypasses the VPC.".into(),
        );
    }
}

fn not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for workgroup in &inventory.redshiftserverless.workgroups {
        let Some(public) = workgroup.publicly_accessible else {
            continue;
        };
        let resource = resource(workgroup);
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
            // Routed unless public, for cases of both checks on the same workgroups.
            enhanced_vpc_routing: public.map(|public| !public),
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
        [
            ("redshiftserverless.not_public", "bi-private", Status::Pass),
            ("redshiftserverless.not_public", "bi-public", Status::Fail),
            (
                "redshiftserverless.enhanced_vpc_routing",
                "bi-private",
                Status::Pass,
            ),
            (
                "redshiftserverless.enhanced_vpc_routing",
                "bi-public",
                Status::Fail,
            ),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
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
