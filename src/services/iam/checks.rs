//! IAM roles, users and groups, judged on every identity policy that applies to them.

use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};

use super::{
    PolicyAttachment, PolicySource, Principal, PrincipalKind, POLICY_CHANGES,
    PRINCIPAL_RESOURCE_TYPES,
};
use crate::model::Severity;
use crate::services::checks::CheckOptions;
use crate::services::Inventory;
use crate::services::Service;

use super::credentials::{
    ACCESS_KEY_ROTATION, CONSOLE_USER_MFA, ONE_ACTIVE_KEY, PASSWORD_POLICY, ROOT_ACCESS_KEYS,
    ROOT_MFA, UNUSED_CREDENTIALS,
};
use super::customer_policies::{CUSTOMER_POLICY_ADMIN, CUSTOMER_POLICY_SERVICE_WILDCARDS};
use super::escalation::PRIVILEGE_ESCALATION;
use super::server_certificates::EXPIRED_SERVER_CERTIFICATES;
use super::support::SUPPORT_ROLE;

pub(super) const CHECKS: &[&Check] = &[
    &ADMIN_ACCESS,
    &WILDCARD_ACTIONS,
    &WILDCARD_RESOURCES,
    &CUSTOMER_POLICY_ADMIN,
    &CUSTOMER_POLICY_SERVICE_WILDCARDS,
    &PRIVILEGE_ESCALATION,
    &SUPPORT_ROLE,
    &EXPIRED_SERVER_CERTIFICATES,
    &ROOT_MFA,
    &ROOT_ACCESS_KEYS,
    &PASSWORD_POLICY,
    &USER_DIRECT_POLICIES,
    &CONSOLE_USER_MFA,
    &ACCESS_KEY_ROTATION,
    &ONE_ACTIVE_KEY,
    &UNUSED_CREDENTIALS,
];

/// What can change the policies attached to or embedded in a user, or create or remove one.
const USER_POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "AttachUserPolicy",
        "DetachUserPolicy",
        "PutUserPolicy",
        "DeleteUserPolicy",
        "CreateUser",
        "DeleteUser",
    ],
}];

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
pub(super) fn is_administrator_access(policy: &PolicyAttachment) -> bool {
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
    for principal in &inventory.iam.principals {
        let resource = principal.resource();
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
    // Not FSBP IAM.1: its rule (`iam-policy-no-statements-with-admin-access`) judges customer
    // managed policies, attached or not, where this check judges what principals are granted
    // (`iam.customer_policy_admin` implements it).
    fsbp: &[],
    cis: &["1.16"],
    triggers: POLICY_CHANGES,
    reads: &[
        Read::all("iam:GetAccountAuthorizationDetails"),
        Read::all("iam:GetPolicy"),
        Read::all("iam:GetPolicyVersion"),
    ],
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
    // Not FSBP IAM.21: its rule (`iam-policy-no-statements-with-full-access`) judges customer
    // managed policies, attached or not, where this check judges what principals are granted
    // (`iam.customer_policy_service_wildcards` implements it).
    fsbp: &[],
    cis: &[],
    triggers: POLICY_CHANGES,
    reads: &[
        Read::all("iam:GetAccountAuthorizationDetails"),
        Read::all("iam:GetPolicy"),
        Read::all("iam:GetPolicyVersion"),
    ],
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
    triggers: POLICY_CHANGES,
    reads: &[
        Read::all("iam:GetAccountAuthorizationDetails"),
        Read::all("iam:GetPolicy"),
        Read::all("iam:GetPolicyVersion"),
    ],
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

/// Judges an account-wide IAM setting; `None` (unreadable) gives no verdict.
const USER_DIRECT_POLICIES: Check = Check {
    id: "iam.user_direct_policies",
    service: Service::Iam,
    severity: Severity::Low,
    resource_types: &[PrincipalKind::User.resource_type()],
    title: "IAM users get permissions only through groups",
    rationale: "Policies attached to individual users drift apart and are missed in reviews; \
                groups (or roles) keep permissions in a few places.",
    remediation: "Move the user's inline and attached policies to a group (or a role) and add \
                  the user to it.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_groups_manage_attach-policy.html",
    fsbp: &["IAM.2"],
    cis: &["1.15"],
    triggers: USER_POLICY_CHANGES,
    reads: &[Read::all("iam:GetAccountAuthorizationDetails")],
    evaluate: user_direct_policies,
};

fn user_direct_policies(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for user in inventory
        .iam
        .principals
        .iter()
        .filter(|p| p.kind == PrincipalKind::User)
    {
        let direct: Vec<String> = user
            .policies
            .iter()
            .filter(|p| p.via_group.is_none())
            .map(PolicyAttachment::describe)
            .collect();
        let resource = Resource {
            resource_type: user.kind.resource_type(),
            id: &user.name,
            name: None,
            arn: Some(&user.arn),
            region: "global",
        };
        verdicts.judge(
            &resource,
            direct.is_empty(),
            || "The user has no policy of its own: its permissions come from groups.".into(),
            || {
                format!(
                    "The user has policies of its own: {}.",
                    enumerate(&direct, 3)
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::{AccessKey, CredentialUser};
    use super::super::{AccountSettings, PasswordPolicy};
    use super::super::{PolicyAttachment, PolicySource, Principal, PrincipalKind};
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::evaluate;
    use crate::services::checks::test_support::{none, only, run, Case, NOW};
    use crate::services::checks::CheckOptions;
    use crate::services::{iam, Inventory};

    pub fn cases() -> Vec<Case> {
        let principals = || {
            Inventory::from(iam::Inventory {
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
            })
        };
        let good_account = || {
            Inventory::from(iam::Inventory {
                account: AccountSettings {
                    root_mfa_enabled: Some(true),
                    root_virtual_mfa: Some(false),
                    root_access_keys_present: Some(false),
                    root_password_present: Some(true),
                    password_policy: Some(Some(PasswordPolicy {
                        minimum_length: Some(14),
                        reuse_prevention: Some(24),
                        ..Default::default()
                    })),
                },
                ..Default::default()
            })
        };
        let bad_account = || {
            Inventory::from(iam::Inventory {
                account: AccountSettings {
                    root_mfa_enabled: Some(false),
                    root_virtual_mfa: Some(false),
                    root_access_keys_present: Some(true),
                    root_password_present: Some(true),
                    password_policy: Some(None),
                },
                ..Default::default()
            })
        };
        let users = || {
            Inventory::from(iam::Inventory {
                principals: vec![
                    Principal {
                        policies: vec![PolicyAttachment {
                            via_group: Some("readers".into()),
                            ..inline("read", READ_ONE_BUCKET)
                        }],
                        ..principal(PrincipalKind::User, "grouped", vec![])
                    },
                    principal(
                        PrincipalKind::User,
                        "direct",
                        vec![inline("read", READ_ONE_BUCKET)],
                    ),
                ],
                ..Default::default()
            })
        };
        let mut cases = super::super::customer_policies::tests::cases();
        cases.extend(super::super::escalation::tests::cases());
        cases.extend(super::super::support::tests::cases());
        cases.extend(super::super::server_certificates::tests::cases());
        for check in [
            "iam.root_mfa",
            "iam.root_access_keys",
            "iam.password_policy",
        ] {
            for (expected, inventory) in [
                (Status::Pass, good_account as fn() -> Inventory),
                (Status::Fail, bad_account),
            ] {
                cases.push(Case {
                    check,
                    resource_id: "123456789012",
                    expected,
                    inventory,
                    region: None,
                });
            }
        }
        let credentials = || {
            let days_ago = |days: i64| Some(NOW - time::Duration::days(days));
            let key = |slot, active, rotated, used: Option<i64>| AccessKey {
                slot,
                active,
                last_rotated: days_ago(rotated),
                last_used: used.and_then(days_ago),
            };
            Inventory::from(iam::Inventory {
                credential_users: Some(vec![
                    CredentialUser {
                        name: "careful".into(),
                        password_enabled: true,
                        password_last_used: days_ago(1),
                        mfa_active: true,
                        access_keys: vec![key(1, true, 30, Some(2)), key(2, false, 400, None)],
                        ..Default::default()
                    },
                    CredentialUser {
                        name: "careless".into(),
                        password_enabled: true,
                        password_last_used: days_ago(100),
                        mfa_active: false,
                        access_keys: vec![key(1, true, 200, None), key(2, true, 10, Some(1))],
                        ..Default::default()
                    },
                ]),
                ..Default::default()
            })
        };
        for check in [
            "iam.console_user_mfa",
            "iam.access_key_rotation",
            "iam.one_active_key",
            "iam.unused_credentials",
        ] {
            for (resource_id, expected) in [("careful", Status::Pass), ("careless", Status::Fail)] {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: credentials,
                    region: None,
                });
            }
        }
        for (resource_id, expected) in [("grouped", Status::Pass), ("direct", Status::Fail)] {
            cases.push(Case {
                check: "iam.user_direct_policies",
                resource_id,
                expected,
                inventory: users,
                region: None,
            });
        }
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
                    region: None,
                });
            }
        }
        cases
    }

    #[test]
    fn credential_ages_count_from_use_or_creation_and_ignore_inactive_keys() {
        let days_ago = |days: i64| Some(NOW - time::Duration::days(days));
        let user = |name: &str, keys: Vec<AccessKey>| CredentialUser {
            name: name.into(),
            access_keys: keys,
            ..Default::default()
        };
        let key = |active, rotated: i64, used: Option<i64>| AccessKey {
            slot: 1,
            active,
            last_rotated: days_ago(rotated),
            last_used: used.and_then(days_ago),
        };
        let results = run(&Inventory::from(iam::Inventory {
            credential_users: Some(vec![
                user("inactive-old", vec![key(false, 900, None)]),
                user("new-never-used", vec![key(true, 10, None)]),
                user("old-never-used", vec![key(true, 60, None)]),
                user("boundary", vec![key(true, 90, Some(45))]),
                CredentialUser {
                    password_enabled: true,
                    password_last_changed: days_ago(50),
                    ..user("password-never-used", vec![])
                },
            ]),
            ..Default::default()
        }));
        none(&results, "iam.access_key_rotation", "inactive-old");
        none(&results, "iam.unused_credentials", "inactive-old");
        let status = |check, user| only(&results, check, user).status;
        assert_eq!(
            status("iam.unused_credentials", "new-never-used"),
            Status::Pass
        );
        assert_eq!(
            only(&results, "iam.unused_credentials", "old-never-used").detail,
            "Access key 1 was never used in the 60 days since it was created."
        );
        assert_eq!(status("iam.access_key_rotation", "boundary"), Status::Pass);
        assert_eq!(status("iam.unused_credentials", "boundary"), Status::Pass);
        assert_eq!(
            status("iam.unused_credentials", "password-never-used"),
            Status::Fail
        );
        // A password without MFA is judged; a user without a password is not.
        none(&results, "iam.console_user_mfa", "new-never-used");
        assert_eq!(
            status("iam.console_user_mfa", "password-never-used"),
            Status::Fail
        );
        // No report: no verdict for anyone, never a pass.
        let results = run(&Inventory::from(iam::Inventory {
            credential_users: None,
            ..Default::default()
        }));
        assert!(!results.iter().any(|r| r.check_id == "iam.console_user_mfa"));
    }

    #[test]
    fn account_settings_details_and_unreadable_settings() {
        let account = |settings: AccountSettings| {
            run(&Inventory::from(iam::Inventory {
                account: settings,
                ..Default::default()
            }))
        };
        let results = account(AccountSettings {
            root_mfa_enabled: Some(true),
            root_virtual_mfa: Some(true),
            root_access_keys_present: None,
            root_password_present: None,
            password_policy: Some(Some(PasswordPolicy {
                minimum_length: Some(8),
                reuse_prevention: None,
                ..Default::default()
            })),
        });
        let mfa = only(&results, "iam.root_mfa", "123456789012");
        assert_eq!(mfa.status, Status::Pass);
        assert!(mfa.detail.contains("virtual device"), "{}", mfa.detail);
        assert_eq!(mfa.resource_type, "AWS::::Account");
        // Unreadable: no verdict, never a pass.
        none(&results, "iam.root_access_keys", "123456789012");
        let policy = only(&results, "iam.password_policy", "123456789012");
        assert_eq!(
            policy.detail,
            "The minimum length is 8 (at least 14 required) and 0 previous passwords are remembered (at least 24 required)."
        );
        // The thresholds are options.
        let relaxed = CheckOptions {
            min_password_length: 8,
            min_password_reuse_prevention: 0,
            ..CheckOptions::default()
        };
        let inventory = Inventory::from(iam::Inventory {
            account: AccountSettings {
                password_policy: Some(Some(PasswordPolicy {
                    minimum_length: Some(8),
                    reuse_prevention: None,
                    ..Default::default()
                })),
                ..Default::default()
            },
            ..Default::default()
        });
        let results = evaluate(
            &inventory,
            "123456789012",
            &relaxed,
            crate::services::checks::test_support::NOW,
        );
        assert_eq!(
            only(&results, "iam.password_policy", "123456789012").status,
            Status::Pass
        );
        let none_at_all = account(AccountSettings {
            password_policy: Some(None),
            ..Default::default()
        });
        assert_eq!(
            only(&none_at_all, "iam.password_policy", "123456789012").detail,
            "The account has no password policy."
        );
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
            ..Principal::default()
        }
    }

    const ADMIN: &str = r#"{"Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#;
    const READ_ONE_BUCKET: &str =
        r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#;

    /// `*:*` is every action: written that way, inline or inherited through a group, it is
    /// still administrator access.
    #[test]
    fn administrator_access_written_as_glob_fails_however_it_arrives() {
        let glob_admin = r#"{"Statement":{"Effect":"Allow","Action":"*:*","Resource":"arn:*"}}"#;
        let mut inherited = inline("team-admin", glob_admin);
        inherited.via_group = Some("admins".into());
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![
                principal(PrincipalKind::Role, "glob", vec![inline("p", glob_admin)]),
                principal(PrincipalKind::User, "member", vec![inherited]),
                principal(
                    PrincipalKind::Role,
                    "reader",
                    vec![inline("r", READ_ONE_BUCKET)],
                ),
            ],
            ..Default::default()
        }));
        for (name, expected) in [
            ("glob", Status::Fail),
            ("member", Status::Fail),
            ("reader", Status::Pass),
        ] {
            for check in [
                "iam.admin_access",
                "iam.wildcard_actions",
                "iam.wildcard_resources",
            ] {
                assert_eq!(
                    only(&results, check, name).status,
                    expected,
                    "{check} {name}"
                );
            }
        }
        assert!(only(&results, "iam.admin_access", "member")
            .detail
            .contains("via group \"admins\""));
    }

    #[test]
    fn inline_admin_statement_fails_all_three_checks() {
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![principal(
                PrincipalKind::Role,
                "admin",
                vec![inline("root-ish", ADMIN)],
            )],
            ..Default::default()
        }));
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
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![principal(PrincipalKind::User, "alice", vec![policy])],
            ..Default::default()
        }));
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
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![
                principal(
                    PrincipalKind::Group,
                    "readers",
                    vec![inline("read", READ_ONE_BUCKET), inline("guard", deny_all)],
                ),
                principal(PrincipalKind::Role, "empty", vec![]),
            ],
            ..Default::default()
        }));
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
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![
                principal(PrincipalKind::User, "s3-admin", vec![inline("s3", service)]),
                principal(
                    PrincipalKind::Role,
                    "power",
                    vec![inline("power", not_action)],
                ),
            ],
            ..Default::default()
        }));
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
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![principal(
                PrincipalKind::Role,
                "reader",
                vec![
                    inline("describe", describe),
                    inline("almost-all", not_resource),
                ],
            )],
            ..Default::default()
        }));
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
        let results = run(&Inventory::from(iam::Inventory {
            principals: vec![
                principal(PrincipalKind::Role, "unknown", vec![unreadable.clone()]),
                principal(
                    PrincipalKind::Role,
                    "known-bad",
                    vec![unreadable, inline("admin", ADMIN)],
                ),
            ],
            ..Default::default()
        }));
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
