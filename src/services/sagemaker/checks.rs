//! SageMaker notebook instances: no direct internet access, launched in a VPC, no root access.

use super::NotebookInstance;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NO_DIRECT_INTERNET_ACCESS, &IN_VPC, &NO_ROOT_ACCESS];

/// What creates a notebook instance or changes its settings.
const NOTEBOOK_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "sagemaker.amazonaws.com",
    names: &[
        "CreateNotebookInstance",
        "UpdateNotebookInstance",
        "DeleteNotebookInstance",
    ],
}];

const READS: &[Read] = &[
    Read::all("sagemaker:ListNotebookInstances"),
    Read::each("sagemaker:DescribeNotebookInstance"),
];

/// FSBP SageMaker.1, AWS Config rule `sagemaker-notebook-no-direct-internet-access` (no
/// parameters): NON_COMPLIANT when `DirectInternetAccess` is `Enabled`.
/// <https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-no-direct-internet-access.html>
const NO_DIRECT_INTERNET_ACCESS: Check = Check {
    id: "sagemaker.notebook_no_direct_internet_access",
    service: Service::Sagemaker,
    severity: Severity::High,
    resource_types: &[NotebookInstance::RESOURCE_TYPE],
    title: "SageMaker notebook instances have no direct internet access",
    rationale: "With direct internet access, SageMaker gives the notebook its own route to the internet around the VPC: its security groups, endpoint policies and flow logs do not see what data scientists' code downloads or sends out.",
    remediation: "A notebook's internet access cannot be changed: create one with --direct-internet-access Disabled in a private subnet (a NAT gateway or VPC endpoints for what it needs), move the work, and delete the old one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-1",
    fsbp: &["SageMaker.1"],
    cis: &[],
    triggers: NOTEBOOK_CHANGES,
    reads: READS,
    evaluate: no_direct_internet_access,
};

/// FSBP SageMaker.2, AWS Config rule `sagemaker-notebook-instance-inside-vpc` (Security Hub
/// sets no `SubnetIds`, so any subnet passes): NON_COMPLIANT when the notebook was not
/// launched in a VPC (no `SubnetId`).
/// <https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-inside-vpc.html>
const IN_VPC: Check = Check {
    id: "sagemaker.notebook_in_vpc",
    service: Service::Sagemaker,
    severity: Severity::High,
    resource_types: &[NotebookInstance::RESOURCE_TYPE],
    title: "SageMaker notebook instances are launched in a VPC",
    rationale: "A notebook launched without a subnet runs in a network SageMaker manages, with internet access and none of the account's security groups, endpoint policies or flow logs.",
    remediation: "Create the notebook with --subnet-id and --security-group-ids in one of the account's VPCs, move the work, and delete the old one (the network cannot be changed).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-2",
    fsbp: &["SageMaker.2"],
    cis: &[],
    triggers: NOTEBOOK_CHANGES,
    reads: READS,
    evaluate: in_vpc,
};

/// FSBP SageMaker.3, AWS Config rule `sagemaker-notebook-instance-root-access-check` (no
/// parameters): NON_COMPLIANT when `RootAccess` is `Enabled` (SageMaker's default).
/// <https://docs.aws.amazon.com/config/latest/developerguide/sagemaker-notebook-instance-root-access-check.html>
const NO_ROOT_ACCESS: Check = Check {
    id: "sagemaker.notebook_no_root_access",
    service: Service::Sagemaker,
    severity: Severity::High,
    resource_types: &[NotebookInstance::RESOURCE_TYPE],
    title: "SageMaker notebook instances give users no root access",
    rationale: "Root on the notebook lets any of its users change the instance itself: install software, read other users' files and the lifecycle configuration's secrets, and act with the notebook's role beyond what the tooling intends.",
    remediation: "aws sagemaker stop-notebook-instance, then aws sagemaker update-notebook-instance --notebook-instance-name <name> --root-access Disabled, and start it again.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/sagemaker-controls.html#sagemaker-3",
    fsbp: &["SageMaker.3"],
    cis: &[],
    triggers: NOTEBOOK_CHANGES,
    reads: READS,
    evaluate: no_root_access,
};

fn resource(notebook: &NotebookInstance) -> Resource<'_> {
    Resource {
        resource_type: NotebookInstance::RESOURCE_TYPE,
        id: &notebook.name,
        name: None,
        arn: Some(&notebook.arn),
        region: &notebook.region,
    }
}

fn no_direct_internet_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for notebook in &inventory.sagemaker.notebook_instances {
        let access = &notebook.direct_internet_access;
        verdicts.judge(
            &resource(notebook),
            access != "Enabled",
            || {
                format!(
                    "DirectInternetAccess is {access}: traffic goes through the notebook's VPC."
                )
            },
            || {
                "DirectInternetAccess is Enabled: the notebook reaches the internet around its VPC."
                    .into()
            },
        );
    }
}

fn in_vpc(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for notebook in &inventory.sagemaker.notebook_instances {
        verdicts.judge(
            &resource(notebook),
            notebook.subnet_id.is_some(),
            || {
                format!(
                    "Launched in subnet {}.",
                    notebook.subnet_id.as_deref().unwrap_or_default()
                )
            },
            || "No SubnetId: the notebook was launched outside the account's VPCs.".into(),
        );
    }
}

fn no_root_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for notebook in &inventory.sagemaker.notebook_instances {
        let access = &notebook.root_access;
        verdicts.judge(
            &resource(notebook),
            access != "Enabled",
            || format!("RootAccess is {access}."),
            || "RootAccess is Enabled: every user of the notebook can become root on it.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::NotebookInstance;
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::{sagemaker, Inventory};

    fn notebook(name: &str, internet: &str, root: &str, subnet: Option<&str>) -> NotebookInstance {
        NotebookInstance {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/{name}"),
            direct_internet_access: internet.into(),
            root_access: root.into(),
            subnet_id: subnet.map(str::to_string),
            tags: None,
        }
    }

    fn notebooks() -> Inventory {
        Inventory::from(sagemaker::Inventory {
            notebook_instances: vec![
                notebook("locked-down", "Disabled", "Disabled", Some("subnet-0a1b")),
                notebook("defaults", "Enabled", "Enabled", None),
                // In a VPC, yet with SageMaker's own internet route too.
                notebook(
                    "vpc-and-internet",
                    "Enabled",
                    "Disabled",
                    Some("subnet-0a1b"),
                ),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let internet = "sagemaker.notebook_no_direct_internet_access";
        let vpc = "sagemaker.notebook_in_vpc";
        let root = "sagemaker.notebook_no_root_access";
        [
            (internet, "locked-down", Status::Pass),
            (internet, "defaults", Status::Fail),
            (internet, "vpc-and-internet", Status::Fail),
            (vpc, "locked-down", Status::Pass),
            (vpc, "vpc-and-internet", Status::Pass),
            (vpc, "defaults", Status::Fail),
            (root, "locked-down", Status::Pass),
            (root, "vpc-and-internet", Status::Pass),
            (root, "defaults", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: notebooks,
            region: None,
        })
        .into()
    }
}
