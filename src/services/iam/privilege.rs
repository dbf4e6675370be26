//! What holding a principal's credentials gives an attacker: the worst of administrator,
//! escalation to any role, or wildcard access to data. Judged on the same identity policies
//! as the IAM checks; an exposure's last step.

use super::checks::is_administrator_access;
use super::{PolicyAttachment, Principal};
use crate::policy::Statement;

/// Actions that start compute under a role passed to it: with `iam:PassRole` on every role,
/// the holder runs code as any role in the account (Rhino Security Labs' AWS privilege
/// escalation methods 3-6, 15-17, 20).
const COMPUTE_CREATING: &[&str] = &[
    "ec2:RunInstances",
    "lambda:CreateFunction",
    "ecs:RunTask",
    "ecs:StartTask",
    "cloudformation:CreateStack",
    "glue:CreateDevEndpoint",
    "glue:CreateJob",
    "sagemaker:CreateNotebookInstance",
    "codebuild:CreateProject",
    "datapipeline:CreatePipeline",
];

/// Wildcard grants on data: every S3 or DynamoDB action, or decrypting with any KMS key.
const DATA_WILDCARDS: &[&str] = &["s3:*", "dynamodb:*", "kms:Decrypt"];

/// The worst a principal's policies allow, with the policy that allows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Privilege {
    /// Every action on every resource.
    Administrator { via: String },
    /// Not an administrator, but one through the path (`iam.privilege_escalation`).
    Escalates { path: String },
    /// `iam:PassRole` on every role with an action that runs code under the passed role.
    AnyRole { action: &'static str, via: String },
    /// Wildcard access to data on every resource.
    Data {
        actions: Vec<&'static str>,
        via: String,
    },
}

impl Privilege {
    /// The IAM checks whose failed result on the principal shows this privilege, best first.
    pub fn shown_by(&self) -> &'static [&'static str] {
        match self {
            Privilege::Administrator { .. } => &["iam.admin_access"],
            Privilege::Escalates { .. } => &["iam.privilege_escalation"],
            Privilege::AnyRole { .. } => &["iam.wildcard_resources", "iam.wildcard_actions"],
            Privilege::Data { .. } => &["iam.wildcard_actions", "iam.wildcard_resources"],
        }
    }

    /// An administrator now, or one step sequence away: an exposure's worst reach.
    pub fn is_administrator(&self) -> bool {
        matches!(
            self,
            Privilege::Administrator { .. } | Privilege::Escalates { .. }
        )
    }

    /// "is an administrator", to follow a role's name in a title.
    pub fn short(&self) -> String {
        match self {
            Privilege::Administrator { .. } => "is an administrator".into(),
            Privilege::Escalates { .. } => "can become an administrator".into(),
            Privilege::AnyRole { .. } => "can act as any role".into(),
            Privilege::Data { actions, .. } => {
                format!("has {} on every resource", actions.join(", "))
            }
        }
    }

    /// "is an administrator (managed policy "AdministratorAccess")", to follow a role's name.
    pub fn describe(&self) -> String {
        match self {
            Privilege::Administrator { via } => format!("is an administrator ({via})"),
            Privilege::Escalates { path } => format!("can become an administrator: {path}"),
            Privilege::AnyRole { action, via } => {
                format!("may pass any role to {action}, and so act as any role ({via})")
            }
            Privilege::Data { actions, via } => {
                format!("may use {} on every resource ({via})", actions.join(", "))
            }
        }
    }
}

/// The worst privilege of `principal`, or `None` when it has none of the three (or a policy
/// could not be read: the IAM checks give no verdict then, and neither does this).
pub fn privilege(principal: &Principal) -> Option<Privilege> {
    let statements = || {
        principal.policies.iter().flat_map(|policy| {
            let document = policy.document.as_deref();
            document
                .into_iter()
                .flat_map(|d| d.statements.iter())
                .map(move |statement| (policy, statement))
        })
    };
    let denied = |action: &str| statements().any(|(_, s)| s.denies_on_every_resource(action));
    let allowed_by = |action: &str| -> Option<&PolicyAttachment> {
        if denied(action) {
            return None;
        }
        statements()
            .find(|(_, s)| s.allows_on_every_resource(action))
            .map(|(policy, _)| policy)
    };

    if let Some(policy) = principal.policies.iter().find(|p| {
        is_administrator_access(p)
            || p.document
                .as_deref()
                .is_some_and(|d| d.allow_statements().any(Statement::allows_full_admin))
    }) {
        return Some(Privilege::Administrator {
            via: policy.describe(),
        });
    }
    // What an unread policy allows or denies is unknown (and the IAM checks judge nothing).
    if principal.policies.iter().any(|p| p.document.is_none()) {
        return None;
    }
    if let Some(pass_role) = allowed_by("iam:PassRole") {
        if let Some(action) = COMPUTE_CREATING.iter().find(|a| allowed_by(a).is_some()) {
            return Some(Privilege::AnyRole {
                action,
                via: pass_role.describe(),
            });
        }
    }
    let mut actions = Vec::new();
    let mut via = None;
    for action in DATA_WILDCARDS {
        if let Some(policy) = allowed_by(action) {
            actions.push(*action);
            via.get_or_insert_with(|| policy.describe());
        }
    }
    via.map(|via| Privilege::Data { actions, via })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::PolicyDocument;
    use crate::services::iam::{PolicySource, PrincipalKind};
    use std::sync::Arc;

    fn role(policies: &[&str]) -> Principal {
        Principal {
            kind: PrincipalKind::Role,
            name: "app".into(),
            policies: policies
                .iter()
                .enumerate()
                .map(|(i, json)| PolicyAttachment {
                    name: format!("p{i}"),
                    source: PolicySource::Inline,
                    via_group: None,
                    document: Some(Arc::new(PolicyDocument::parse(json).unwrap())),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn allow(action: &str, resource: &str) -> String {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":{action},"Resource":"{resource}"}}]}}"#
        )
    }

    #[test]
    fn administrator_escalation_and_data_are_told_apart_from_read_only() {
        let admin = role(&[&allow(r#""*:*""#, "*")]);
        assert!(privilege(&admin).unwrap().is_administrator());

        let escalates = role(&[&allow(r#"["iam:PassRole","EC2:Run*"]"#, "*")]);
        assert_eq!(
            privilege(&escalates),
            Some(Privilege::AnyRole {
                action: "ec2:RunInstances",
                via: "inline policy \"p0\"".into()
            })
        );
        // PassRole without a compute-creating action, or on one role only, is no escalation.
        assert_eq!(privilege(&role(&[&allow(r#""iam:PassRole""#, "*")])), None);
        assert_eq!(
            privilege(&role(&[&allow(
                r#"["iam:PassRole","ec2:RunInstances"]"#,
                "arn:aws:iam::123456789012:role/worker"
            )])),
            None
        );

        let data = role(&[&allow(r#"["s3:*","kms:decrypt"]"#, "*")]);
        assert_eq!(
            privilege(&data),
            Some(Privilege::Data {
                actions: vec!["s3:*", "kms:Decrypt"],
                via: "inline policy \"p0\"".into()
            })
        );
        let read_only = role(&[&allow(r#"["s3:Get*","s3:List*","dynamodb:Query"]"#, "*")]);
        assert_eq!(privilege(&read_only), None);
    }

    #[test]
    fn not_action_grants_and_unconditional_denies_count() {
        let not_iam =
            role(&[r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}]}"#]);
        assert!(
            matches!(privilege(&not_iam), Some(Privilege::Data { actions, .. }) if actions.len() == 3)
        );
        let denied = role(&[
            &allow(r#""s3:*""#, "*"),
            r#"{"Statement":[{"Effect":"Deny","Action":"s3:*","Resource":"*"}]}"#,
        ]);
        assert_eq!(privilege(&denied), None);
    }

    #[test]
    fn an_unreadable_policy_gives_no_judgement_but_administrator_stands() {
        let unread = PolicyAttachment {
            document: None,
            ..role(&[&allow(r#""s3:*""#, "*")]).policies[0].clone()
        };
        let mut data = role(&[&allow(r#""s3:*""#, "*")]);
        data.policies.push(unread.clone());
        assert_eq!(privilege(&data), None);
        let mut admin = role(&[&allow(r#""*""#, "*")]);
        admin.policies.push(unread);
        assert!(privilege(&admin).unwrap().is_administrator());
    }
}
