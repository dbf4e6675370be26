//! A role for AWS Support: CIS AWS Foundations v3.0.0 1.17 (v7.0.0 2.15) audits that the AWS
//! managed policy `AWSSupportAccess` is attached to a role (`ListEntitiesForPolicy`'s
//! `PolicyRoles`); read here from the authorization details already listed.

use super::{PolicySource, PrincipalKind};
use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{enumerate, Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

/// What attaches or detaches a role's managed policies, or creates or deletes a role.
const SUPPORT_ROLE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "AttachRolePolicy",
        "DetachRolePolicy",
        "CreateRole",
        "DeleteRole",
    ],
}];

/// `arn:<partition>:iam::aws:policy/AWSSupportAccess`, in any partition.
fn is_support_access(arn: &str) -> bool {
    arn.starts_with("arn:") && arn.ends_with(":iam::aws:policy/AWSSupportAccess")
}

pub(super) const SUPPORT_ROLE: Check = Check {
    id: "iam.support_role",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "A role can manage incidents with AWS Support",
    rationale: "In an incident someone must open and follow AWS Support cases without the root \
                user or an administrator's rights: a role with the AWSSupportAccess managed \
                policy, which responders assume.",
    remediation: "Create a role your incident responders can assume and attach the AWS managed \
                  policy arn:aws:iam::aws:policy/AWSSupportAccess to it.",
    reference: "https://docs.aws.amazon.com/awssupport/latest/user/accessing-support.html",
    fsbp: &[],
    cis: &["1.17"],
    triggers: SUPPORT_ROLE_CHANGES,
    reads: &[Read::all("iam:GetAccountAuthorizationDetails")],
    evaluate: support_role,
};

fn support_role(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    // An account-wide question: not judged on IAM left unread or filtered to one environment,
    // nor on an empty listing (every account has AWS's service-linked roles: none listed means
    // none read).
    let iam = &inventory.iam;
    if !inventory.was_read(Service::Iam) || iam.environment_filtered || iam.principals.is_empty() {
        return;
    }
    let roles: Vec<String> = inventory
        .iam
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::Role)
        .filter(|p| {
            p.policies.iter().any(|policy| {
                matches!(&policy.source, PolicySource::Managed { arn } if is_support_access(arn))
            })
        })
        .map(|p| p.name.clone())
        .collect();
    verdicts.judge_account(
        "global",
        !roles.is_empty(),
        || format!("AWSSupportAccess is attached to {}.", enumerate(&roles, 3)),
        || "No role has the AWS managed policy AWSSupportAccess attached.".into(),
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::Case;
    use crate::services::iam::{self, PolicyAttachment, Principal};

    fn account(attached_to: PrincipalKind) -> Inventory {
        Inventory::from(iam::Inventory {
            principals: vec![Principal {
                kind: attached_to,
                name: "support".into(),
                policies: vec![PolicyAttachment {
                    name: "AWSSupportAccess".into(),
                    source: PolicySource::Managed {
                        arn: "arn:aws:iam::aws:policy/AWSSupportAccess".into(),
                    },
                    ..Default::default()
                }],
                ..Default::default()
            }],
            ..Default::default()
        })
    }

    /// Attached to a user only, the policy is no support role.
    pub fn cases() -> Vec<Case> {
        [
            (
                Status::Pass,
                (|| account(PrincipalKind::Role)) as fn() -> Inventory,
            ),
            (Status::Fail, || account(PrincipalKind::User)),
        ]
        .into_iter()
        .map(|(expected, inventory)| Case {
            check: "iam.support_role",
            resource_id: "123456789012",
            expected,
            inventory,
            region: None,
        })
        .collect()
    }

    #[test]
    fn not_judged_on_an_environment_or_without_iam() {
        let mut filtered = account(PrincipalKind::Role);
        filtered.iam.environment_filtered = true;
        let mut unread = account(PrincipalKind::Role);
        unread.collected = Some([Service::Ec2].into());
        for inventory in [filtered, unread] {
            let results = crate::services::checks::test_support::run(&inventory);
            assert!(results.iter().all(|r| r.check_id != "iam.support_role"));
        }
    }
}
