//! Whether instances reach AWS through a role: CIS AWS Foundations v3.0.0 1.18 (v7.0.0 2.16)
//! audits every instance for an IAM instance profile (`DescribeInstances`
//! `IamInstanceProfile`); without one, software that calls AWS holds long-lived keys.

use super::instance_resource;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

/// What gives an instance a profile, takes it away, or launches or removes an instance.
const PROFILE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "RunInstances",
        "TerminateInstances",
        "AssociateIamInstanceProfile",
        "DisassociateIamInstanceProfile",
        "ReplaceIamInstanceProfileAssociation",
    ],
}];

pub(super) const INSTANCE_ROLE: Check = Check {
    id: "ec2.instance_role",
    service: Service::Ec2,
    severity: Severity::Medium,
    resource_types: &[super::Instance::RESOURCE_TYPE],
    title: "EC2 instances use an IAM role for AWS access",
    rationale: "An instance without an instance profile can only call AWS with access keys \
                stored on it: long-lived secrets on a disk, in an image and in its backups, \
                where a role's credentials rotate by themselves.",
    remediation: "Create a role with the permissions the instance's software needs and attach \
                  it: aws ec2 associate-iam-instance-profile --instance-id <id> \
                  --iam-instance-profile Name=<profile>; then remove the stored keys.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/iam-roles-for-amazon-ec2.html",
    fsbp: &[],
    cis: &["1.18"],
    triggers: PROFILE_CHANGES,
    reads: &[Read::all("ec2:DescribeInstances")],
    evaluate: instance_role,
};

fn instance_role(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for instance in &inventory.ec2.instances {
        let resource = instance_resource(instance);
        match &instance.instance_profile {
            Some(profile) => verdicts.pass(
                &resource,
                format!(
                    "The instance has the instance profile {}.",
                    profile.rsplit('/').next().unwrap_or(profile)
                ),
            ),
            None => verdicts.fail(
                &resource,
                format!(
                    "The instance ({}) has no instance profile: whatever it calls AWS with is a stored key.",
                    instance.state
                ),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::ec2::{self, Instance};

    pub fn cases() -> Vec<Case> {
        let instances = || {
            let instance = |id: &str, profile: Option<&str>| Instance {
                id: id.into(),
                region: "us-east-1".into(),
                arn: format!("arn:aws:ec2:us-east-1:123456789012:instance/{id}"),
                state: "stopped".into(),
                instance_profile: profile.map(str::to_string),
                ..Default::default()
            };
            Inventory::from(ec2::Inventory {
                instances: vec![
                    instance(
                        "i-role",
                        Some("arn:aws:iam::123456789012:instance-profile/app"),
                    ),
                    instance("i-keys", None),
                ],
                ..Default::default()
            })
        };
        [("i-role", Status::Pass), ("i-keys", Status::Fail)]
            .into_iter()
            .map(|(resource_id, expected)| Case {
                check: "ec2.instance_role",
                resource_id,
                expected,
                inventory: instances,
                region: None,
            })
            .collect()
    }
}
