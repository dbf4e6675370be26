//! IAM roles, users and groups, judged on every identity policy that applies to them.

use super::{enumerate, Check, Resource, Verdicts};
use crate::inventory::{
    Inventory, PolicyAttachment, PolicySource, Principal, PRINCIPAL_RESOURCE_TYPES,
};
use crate::model::Severity;
use crate::request::Service;

pub(super) const CHECKS: &[&Check] = &[&ADMIN_ACCESS, &WILDCARD_ACTIONS, &WILDCARD_RESOURCES];

/// Evidence for one check on one principal.
#[derive(Default)]
struct Findings {
    admin: Vec<String>,
    wildcard_actions: Vec<String>,
    wildcard_resources: Vec<String>,
    unreadable: Vec<String>,
}

fn push_unique(list: &mut Vec<String>, item: String) {
    if !list.contains(&item) {
        list.push(item);
    }
}

/// The AWS managed AdministratorAccess policy, in any partition.
fn is_administrator_access(policy: &PolicyAttachment) -> bool {
    matches!(&policy.source, PolicySource::Managed { arn }
        if arn.starts_with("arn:") && arn.ends_with(":iam::aws:policy/AdministratorAccess"))
}

fn analyse(principal: &Principal) -> Findings {
    let mut findings = Findings::default();
    for policy in &principal.policies {
        let source = policy.describe();
        if is_administrator_access(policy) {
            push_unique(&mut findings.admin, source.clone());
        }
        let Some(document) = &policy.document else {
            push_unique(&mut findings.unreadable, source);
            continue;
        };
        for statement in document.allow_statements() {
            if statement.allows_full_admin() {
                push_unique(&mut findings.admin, source.clone());
            }
            let actions = statement.wildcard_actions();
            if !actions.is_empty() {
                push_unique(
                    &mut findings.wildcard_actions,
                    format!("{} in {source}", quote_all(&actions)),
                );
            }
            if let Some(resource) = statement.wildcard_resource() {
                let what = if resource == "NotResource" {
                    "NotResource".to_string()
                } else {
                    "Resource \"*\"".to_string()
                };
                push_unique(
                    &mut findings.wildcard_resources,
                    format!("{what} in {source}"),
                );
            }
        }
    }
    findings
}

fn quote_all(actions: &[String]) -> String {
    actions
        .iter()
        .map(|a| {
            if a == "NotAction" {
                a.clone()
            } else {
                format!("\"{a}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Fails a principal with evidence, passes it without; no verdict when an unreadable policy
/// might grant what the check looks for (the error is in the report).
fn judge_principals(
    inventory: &Inventory,
    verdicts: &mut Verdicts,
    evidence: fn(&Findings) -> &[String],
    fail: &str,
    pass: &str,
) {
    for principal in &inventory.principals {
        let resource = Resource {
            resource_type: principal.kind.resource_type(),
            id: &principal.name,
            name: None,
            arn: Some(&principal.arn),
            region: "global",
        };
        let findings = analyse(principal);
        let evidence = evidence(&findings);
        if !evidence.is_empty() {
            verdicts.fail(&resource, format!("{fail} {}.", enumerate(evidence, 3)));
        } else if findings.unreadable.is_empty() {
            verdicts.pass(&resource, pass.into());
        }
    }
}

const ADMIN_ACCESS: Check = Check {
    id: "iam.admin_access",
    service: Service::Iam,
    severity: Severity::Critical,
    resource_types: PRINCIPAL_RESOURCE_TYPES,
    title: "IAM principals do not have full administrator access",
    rationale: "A principal allowed every action on every resource can do anything in the \
                account, including erasing its audit trail; its compromise is total.",
    remediation: "Replace AdministratorAccess and \"Action\": \"*\" on \"Resource\": \"*\" \
                  grants with least-privilege policies; keep break-glass admin roles few and \
                  guarded by MFA.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    fsbp: &["IAM.1"],
    cis: &["1.16"],
    evaluate: |inventory, _, verdicts| {
        judge_principals(
            inventory,
            verdicts,
            |findings| &findings.admin,
            "Allows every action on every resource through",
            "No attached, inline or group policy allows every action on every resource.",
        )
    },
};

const WILDCARD_ACTIONS: Check = Check {
    id: "iam.wildcard_actions",
    service: Service::Iam,
    severity: Severity::High,
    resource_types: PRINCIPAL_RESOURCE_TYPES,
    title: "IAM policies do not allow wildcard actions",
    rationale: "\"*\", \"<service>:*\" and NotAction grant every current and future action of a \
                service, including destructive and privilege-escalating ones.",
    remediation: "List the actions the workload needs (IAM Access Analyzer can generate a policy \
                  from CloudTrail activity) instead of service wildcards or NotAction.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
    fsbp: &["IAM.21"],
    cis: &[],
    evaluate: |inventory, _, verdicts| {
        judge_principals(
            inventory,
            verdicts,
            |findings| &findings.wildcard_actions,
            "Allows wildcard actions:",
            "No Allow statement uses \"*\", a service-wide \"<service>:*\" action or NotAction.",
        )
    },
};

const WILDCARD_RESOURCES: Check = Check {
    id: "iam.wildcard_resources",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: PRINCIPAL_RESOURCE_TYPES,
    title: "IAM policies do not allow actions on every resource",
    rationale: "\"Resource\": \"*\" and NotResource extend a grant to every bucket, key, table \
                and role in the account, present and future.",
    remediation: "Scope Allow statements to the ARNs the workload uses; keep \"*\" only for \
                  actions that support no resource-level permissions.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
    fsbp: &[],
    cis: &[],
    evaluate: |inventory, _, verdicts| {
        judge_principals(
            inventory,
            verdicts,
            |findings| &findings.wildcard_resources,
            "Allows actions on every resource:",
            "No Allow statement uses Resource \"*\" or NotResource.",
        )
    },
};

#[cfg(test)]
pub(super) mod tests {
    use std::sync::Arc;

    use crate::checks::test_support::{none, only, run, Case};
    use crate::inventory::{Inventory, PolicyAttachment, PolicySource, Principal, PrincipalKind};
    use crate::model::Status;
    use crate::policy::PolicyDocument;

    pub fn cases() -> Vec<Case> {
        let principals = || Inventory {
            principals: vec![
                principal(
                    PrincipalKind::Role,
                    "admin",
                    vec![inline("root-ish", ADMIN)],
                ),
                principal(
                    PrincipalKind::User,
                    "reader",
                    vec![inline("read", READ_ONE_BUCKET)],
                ),
            ],
            ..Default::default()
        };
        let mut cases = Vec::new();
        for check in [
            "iam.admin_access",
            "iam.wildcard_actions",
            "iam.wildcard_resources",
        ] {
            for (resource_id, expected) in [("reader", Status::Pass), ("admin", Status::Fail)] {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: principals,
                });
            }
        }
        cases
    }

    fn inline(name: &str, json: &str) -> PolicyAttachment {
        PolicyAttachment {
            name: name.into(),
            source: PolicySource::Inline,
            via_group: None,
            document: Some(Arc::new(PolicyDocument::parse(json).unwrap())),
        }
    }

    fn principal(kind: PrincipalKind, name: &str, policies: Vec<PolicyAttachment>) -> Principal {
        Principal {
            kind,
            name: name.into(),
            arn: format!(
                "arn:aws:iam::123456789012:{}/{name}",
                format!("{kind:?}").to_lowercase()
            ),
            tags: None,
            policies,
        }
    }

    const ADMIN: &str = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    const READ_ONE_BUCKET: &str =
        r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;

    #[test]
    fn inline_admin_statement_fails_all_three_checks() {
        let results = run(&Inventory {
            principals: vec![principal(
                PrincipalKind::Role,
                "admin",
                vec![inline("root-ish", ADMIN)],
            )],
            ..Default::default()
        });
        let admin = only(&results, "iam.admin_access", "admin");
        assert_eq!(admin.status, Status::Fail);
        assert_eq!(
            admin.detail,
            "Allows every action on every resource through inline policy \"root-ish\"."
        );
        assert_eq!(admin.resource_type, "AWS::IAM::Role");
        assert_eq!(admin.region, "global");
        assert_eq!(
            only(&results, "iam.wildcard_actions", "admin").status,
            Status::Fail
        );
        assert_eq!(
            only(&results, "iam.wildcard_resources", "admin").status,
            Status::Fail
        );
    }

    #[test]
    fn administrator_access_fails_by_arn_even_if_its_document_was_unreadable() {
        let policy = PolicyAttachment {
            name: "AdministratorAccess".into(),
            source: PolicySource::Managed {
                arn: "arn:aws:iam::aws:policy/AdministratorAccess".into(),
            },
            via_group: Some("admins".into()),
            document: None,
        };
        let results = run(&Inventory {
            principals: vec![principal(PrincipalKind::User, "alice", vec![policy])],
            ..Default::default()
        });
        let admin = only(&results, "iam.admin_access", "alice");
        assert_eq!(admin.status, Status::Fail);
        assert!(admin
            .detail
            .contains("managed policy \"AdministratorAccess\" (via group \"admins\")"));
        // The document itself could not be read: the other checks have no verdict.
        none(&results, "iam.wildcard_actions", "alice");
        none(&results, "iam.wildcard_resources", "alice");
    }

    #[test]
    fn least_privilege_principal_passes_and_deny_never_fails() {
        let deny_all = r#"{"Statement":[{"Effect":"Deny","NotAction":"*","NotResource":"*"},{"Effect":"Deny","Action":"*","Resource":"*"}]}"#;
        let results = run(&Inventory {
            principals: vec![
                principal(
                    PrincipalKind::Group,
                    "readers",
                    vec![inline("read", READ_ONE_BUCKET), inline("guard", deny_all)],
                ),
                principal(PrincipalKind::Role, "empty", vec![]),
            ],
            ..Default::default()
        });
        for check in [
            "iam.admin_access",
            "iam.wildcard_actions",
            "iam.wildcard_resources",
        ] {
            assert_eq!(
                only(&results, check, "readers").status,
                Status::Pass,
                "{check}"
            );
            assert_eq!(
                only(&results, check, "empty").status,
                Status::Pass,
                "{check}"
            );
        }
    }

    #[test]
    fn service_wildcards_and_not_action_fail_wildcard_actions_only() {
        let service = r#"{"Statement":[{"Effect":"Allow","Action":["s3:*","ec2:Describe*"],"Resource":"arn:aws:s3:::b"}]}"#;
        let not_action = r#"{"Statement":[{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"arn:aws:s3:::b"}]}"#;
        let results = run(&Inventory {
            principals: vec![
                principal(PrincipalKind::User, "s3-admin", vec![inline("s3", service)]),
                principal(
                    PrincipalKind::Role,
                    "power",
                    vec![inline("power", not_action)],
                ),
            ],
            ..Default::default()
        });
        let s3 = only(&results, "iam.wildcard_actions", "s3-admin");
        assert_eq!(s3.status, Status::Fail);
        assert_eq!(
            s3.detail,
            "Allows wildcard actions: \"s3:*\" in inline policy \"s3\"."
        );
        assert!(only(&results, "iam.wildcard_actions", "power")
            .detail
            .contains("NotAction"));
        for name in ["s3-admin", "power"] {
            assert_eq!(
                only(&results, "iam.admin_access", name).status,
                Status::Pass
            );
            assert_eq!(
                only(&results, "iam.wildcard_resources", name).status,
                Status::Pass
            );
        }
    }

    #[test]
    fn resource_wildcards_and_not_resource_fail_wildcard_resources() {
        let describe =
            r#"{"Statement":[{"Effect":"Allow","Action":"ec2:DescribeInstances","Resource":"*"}]}"#;
        let not_resource = r#"{"Statement":[{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::secret/*"}]}"#;
        let results = run(&Inventory {
            principals: vec![principal(
                PrincipalKind::Role,
                "reader",
                vec![
                    inline("describe", describe),
                    inline("almost-all", not_resource),
                ],
            )],
            ..Default::default()
        });
        let result = only(&results, "iam.wildcard_resources", "reader");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(
            result.detail,
            "Allows actions on every resource: Resource \"*\" in inline policy \"describe\" and NotResource in inline policy \"almost-all\"."
        );
    }

    #[test]
    fn unreadable_policy_means_no_pass_but_a_known_failure_still_fails() {
        let unreadable = PolicyAttachment {
            name: "broken".into(),
            source: PolicySource::Managed {
                arn: "arn:aws:iam::123456789012:policy/broken".into(),
            },
            via_group: None,
            document: None,
        };
        let results = run(&Inventory {
            principals: vec![
                principal(PrincipalKind::Role, "unknown", vec![unreadable.clone()]),
                principal(
                    PrincipalKind::Role,
                    "known-bad",
                    vec![unreadable, inline("admin", ADMIN)],
                ),
            ],
            ..Default::default()
        });
        for check in [
            "iam.admin_access",
            "iam.wildcard_actions",
            "iam.wildcard_resources",
        ] {
            none(&results, check, "unknown");
            assert_eq!(
                only(&results, check, "known-bad").status,
                Status::Fail,
                "{check}"
            );
        }
    }
}
