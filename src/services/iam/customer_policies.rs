//! Customer managed policies judged as documents, attached or not: what FSBP IAM.1 and IAM.21
//! evaluate (AWS Config rules `iam-policy-no-statements-with-admin-access` and
//! `iam-policy-no-statements-with-full-access`, resource type `AWS::IAM::Policy`, parameter
//! `excludePermissionBoundaryPolicy: true`; neither rule reads inline or AWS managed policies).
//! <https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-admin-access.html>
//! <https://docs.aws.amazon.com/config/latest/developerguide/iam-policy-no-statements-with-full-access.html>

use super::CustomerPolicy;
use crate::model::Severity;
use crate::policy::Statement;
use crate::services::checks::Verdicts;
use crate::services::checks::{enumerate, Check, CheckOptions, EventTrigger, Read, Resource};
use crate::services::{Inventory, Service};

const POLICY_RESOURCE_TYPE: &str = "AWS::IAM::Policy";

/// What creates, removes or changes the default version of a customer managed policy, or
/// makes it a permissions boundary (which takes it out of scope) or no longer one.
const POLICY_DOCUMENT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "CreatePolicy",
        "DeletePolicy",
        "CreatePolicyVersion",
        "SetDefaultPolicyVersion",
        "PutUserPermissionsBoundary",
        "PutRolePermissionsBoundary",
        "DeleteUserPermissionsBoundary",
        "DeleteRolePermissionsBoundary",
    ],
}];

pub(super) const CUSTOMER_POLICY_ADMIN: Check = Check {
    id: "iam.customer_policy_admin",
    service: Service::Iam,
    severity: Severity::High,
    resource_types: &[POLICY_RESOURCE_TYPE],
    title: "Customer managed policies do not allow every action on every resource",
    rationale: "A customer managed policy that allows \"*\" on \"*\" makes whoever it is attached \
                to, now or later, an administrator.",
    remediation: "Replace the \"Action\": \"*\" on \"Resource\": \"*\" statement with the actions \
                  and resources the policy's users need; create a new default version and \
                  delete the old one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-1",
    fsbp: &["IAM.1"],
    cis: &[],
    triggers: POLICY_DOCUMENT_CHANGES,
    reads: &[Read::all("iam:GetAccountAuthorizationDetails")],
    evaluate: |inventory, _: &CheckOptions, verdicts| {
        judge_policies(
            inventory,
            verdicts,
            |statement| {
                if statement.allows_full_admin() {
                    vec!["\"Action\": \"*\" on \"Resource\": \"*\"".to_string()]
                } else {
                    Vec::new()
                }
            },
            "allows every action on every resource:",
            "No Allow statement of the default version grants \"*\" on \"*\".",
        )
    },
};

pub(super) const CUSTOMER_POLICY_SERVICE_WILDCARDS: Check = Check {
    id: "iam.customer_policy_service_wildcards",
    service: Service::Iam,
    severity: Severity::Low,
    resource_types: &[POLICY_RESOURCE_TYPE],
    title: "Customer managed policies do not allow every action of a service",
    rationale: "\"<service>:*\" grants every current and future action of the service, \
                privilege-escalating ones included; a prefix such as \"ec2:Describe*\" does not.",
    remediation: "List the service's actions the policy's users need, or a prefix with a \
                  suffixed wildcard (\"ec2:Describe*\"), instead of \"<service>:*\".",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/iam-controls.html#iam-21",
    fsbp: &["IAM.21"],
    cis: &[],
    triggers: POLICY_DOCUMENT_CHANGES,
    reads: &[Read::all("iam:GetAccountAuthorizationDetails")],
    evaluate: |inventory, _: &CheckOptions, verdicts| {
        judge_policies(
            inventory,
            verdicts,
            service_wildcards,
            "allows every action of a service:",
            "No Allow statement of the default version grants \"<service>:*\".",
        )
    },
};

/// The rule's unrestricted service wildcards (`ec2:*`, `s3:**`); `*` alone is IAM.1's case and
/// a prefix (`ec2:Describe*`) is compliant.
fn service_wildcards(statement: &Statement) -> Vec<String> {
    statement
        .wildcard_actions()
        .into_iter()
        .filter(|action| {
            action.split_once(':').is_some_and(|(service, rest)| {
                !service.is_empty() && !service.contains('*') && rest.chars().all(|c| c == '*')
            })
        })
        .map(|action| format!("\"{action}\""))
        .collect()
}

/// Fails a policy whose default version has a statement `offending` names, passes it otherwise;
/// a permissions boundary is out of scope, an unreadable document gets no verdict.
fn judge_policies(
    inventory: &Inventory,
    verdicts: &mut Verdicts,
    offending: fn(&Statement) -> Vec<String>,
    fail: &str,
    pass: &str,
) {
    for policy in &inventory.iam.customer_policies {
        let CustomerPolicy {
            name,
            arn,
            document,
            boundary_uses,
            ..
        } = policy;
        if *boundary_uses > 0 {
            continue;
        }
        let Some(document) = document else { continue };
        let mut evidence: Vec<String> = Vec::new();
        for statement in document.allow_statements() {
            for found in offending(statement) {
                if !evidence.contains(&found) {
                    evidence.push(found);
                }
            }
        }
        let resource = Resource {
            resource_type: POLICY_RESOURCE_TYPE,
            id: name,
            name: None,
            arn: Some(arn),
            region: "global",
        };
        let attached = match policy.attachments {
            0 => "attached to nothing".to_string(),
            1 => "attached to 1 principal".to_string(),
            n => format!("attached to {n} principals"),
        };
        verdicts.judge(
            &resource,
            evidence.is_empty(),
            || pass.into(),
            || {
                format!(
                    "The default version ({attached}) {fail} {}.",
                    enumerate(&evidence, 3)
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::iam;

    fn policy(name: &str, json: &str) -> CustomerPolicy {
        CustomerPolicy {
            name: name.into(),
            arn: format!("arn:aws:iam::123456789012:policy/{name}"),
            document: Some(Arc::new(PolicyDocument::parse(json).expect("valid policy"))),
            attachments: 0,
            boundary_uses: 0,
            other_versions: Vec::new(),
        }
    }

    const ADMIN: &str = r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#;
    const S3_ALL: &str = r#"{"Statement":{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"arn:aws:s3:::b"}}"#;
    const PREFIXES: &str = r#"{"Statement":[{"Effect":"Allow","Action":"ec2:Describe*","Resource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;

    fn inventory() -> Inventory {
        Inventory::from(iam::Inventory {
            customer_policies: vec![
                policy("admin", ADMIN),
                policy("s3-all", S3_ALL),
                policy("prefixes", PREFIXES),
                CustomerPolicy {
                    boundary_uses: 2,
                    ..policy("boundary", ADMIN)
                },
                CustomerPolicy {
                    document: None,
                    ..policy("unreadable", ADMIN)
                },
            ],
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        vec![
            Case {
                check: "iam.customer_policy_admin",
                resource_id: "s3-all",
                expected: Status::Pass,
                inventory,
                region: None,
            },
            Case {
                check: "iam.customer_policy_admin",
                resource_id: "admin",
                expected: Status::Fail,
                inventory,
                region: None,
            },
            Case {
                check: "iam.customer_policy_service_wildcards",
                resource_id: "prefixes",
                expected: Status::Pass,
                inventory,
                region: None,
            },
            Case {
                check: "iam.customer_policy_service_wildcards",
                resource_id: "s3-all",
                expected: Status::Fail,
                inventory,
                region: None,
            },
        ]
    }

    #[test]
    fn the_rules_judge_unattached_policies_skip_boundaries_and_unreadable_documents() {
        let results = run(&inventory());
        let admin = only(&results, "iam.customer_policy_admin", "admin");
        assert_eq!(
            admin.detail,
            "The default version (attached to nothing) allows every action on every resource: \
             \"Action\": \"*\" on \"Resource\": \"*\"."
        );
        // "*" alone is IAM.1's case; IAM.21 looks for a service's every action.
        assert_eq!(
            only(&results, "iam.customer_policy_service_wildcards", "admin").status,
            Status::Pass
        );
        assert_eq!(
            only(&results, "iam.customer_policy_service_wildcards", "s3-all").detail,
            "The default version (attached to nothing) allows every action of a service: \"s3:*\"."
        );
        for check in [
            "iam.customer_policy_admin",
            "iam.customer_policy_service_wildcards",
        ] {
            none(&results, check, "boundary");
            none(&results, check, "unreadable");
        }
    }
}
