//! What one principal may do, as IAM's evaluation logic decides within one account: an
//! explicit Deny in any identity policy wins, then an Allow is needed, and a permissions
//! boundary caps the result (IAM User Guide, "Policy evaluation logic" and "Permissions
//! boundaries for IAM entities"). Organizations' SCPs are out of scope.

use crate::policy::{Effect, PolicyDocument, Statement};
use crate::services::iam::{PolicyAttachment, Principal, PrincipalKind};

/// An allowed action: the policy that allows it, and the condition keys it cannot be
/// judged on (a step that rests on them is conditional, never dropped).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Grant {
    pub via: String,
    pub conditions: Vec<String>,
}

/// A principal's identity policies and permissions boundary, ready to ask.
pub(super) struct Access<'a> {
    statements: Vec<(&'a PolicyAttachment, &'a Statement)>,
    boundary: Option<&'a PolicyDocument>,
    /// `aws:username`, for users' `${aws:username}` resources.
    variables: Vec<(&'static str, &'a str)>,
    /// Every policy and the boundary could be read: what is not allowed is known not to be.
    pub known: bool,
}

/// Whether a statement applies to a request with `context` (lowercase keys and their values):
/// `None` when a condition rules it out; otherwise the condition keys it could not judge.
fn applies(statement: &Statement, context: &[(&str, &str)]) -> Option<Vec<String>> {
    let mut unknown = Vec::new();
    for condition in &statement.conditions {
        let judged = context
            .iter()
            .find_map(|(key, value)| condition.holds_for(key, value));
        match judged {
            Some(false) => return None,
            Some(true) => {}
            None => unknown.push(condition.key.clone()),
        }
    }
    Some(unknown)
}

/// What `statements` decide on `action` (on `resource`; `None`: on some resource): `None`
/// when nothing allows it or a Deny surely refuses it, else the allowing statement's index and
/// the condition keys the decision rests on (an undecided Deny's included).
fn decide<'s>(
    statements: impl Iterator<Item = &'s Statement> + Clone,
    action: &str,
    resource: Option<&str>,
    context: &[(&str, &str)],
    variables: &[(&str, &str)],
) -> Option<(usize, Vec<String>)> {
    let covers = |s: &Statement| {
        s.covers_action(action)
            && match resource {
                Some(arn) => s.covers_resource(arn, variables),
                // A Deny of specific resources leaves others to act on.
                None => s.effect == Effect::Allow || s.names_every_resource(),
            }
    };
    let mut conditions = Vec::new();
    for statement in statements.clone().filter(|s| s.effect == Effect::Deny) {
        if covers(statement) {
            match applies(statement, context) {
                Some(unknown) if unknown.is_empty() => return None,
                Some(unknown) => conditions.extend(unknown),
                None => {}
            }
        }
    }
    statements
        .enumerate()
        .filter(|(_, s)| s.effect == Effect::Allow && covers(s))
        .find_map(|(index, s)| applies(s, context).map(|unknown| (index, unknown)))
        .map(|(index, unknown)| {
            conditions.extend(unknown);
            (index, conditions)
        })
}

impl<'a> Access<'a> {
    pub fn of(principal: &'a Principal) -> Self {
        let statements = principal
            .policies
            .iter()
            .flat_map(|policy| {
                policy
                    .document
                    .iter()
                    .flat_map(move |d| d.statements.iter().map(move |s| (policy, s)))
            })
            .collect();
        let boundary = principal.boundary.as_ref();
        let known = principal.policies.iter().all(|p| p.document.is_some())
            && boundary.is_none_or(|b| b.document.is_some());
        let variables = match principal.kind {
            PrincipalKind::User => vec![("aws:username", principal.name.as_str())],
            _ => Vec::new(),
        };
        Access {
            statements,
            boundary: boundary.and_then(|b| b.document.as_deref()),
            variables,
            known,
        }
    }

    /// The principals `action` can be allowed on, when every Allow of it names fixed ARNs
    /// (a self-service policy's `user/${aws:username}`); `None` when some Allow has a wildcard.
    pub fn fixed_targets(&self, action: &str) -> Option<Vec<String>> {
        let mut targets = Vec::new();
        for (_, statement) in &self.statements {
            if statement.effect == Effect::Allow && statement.covers_action(action) {
                targets.extend(statement.fixed_resources(&self.variables)?);
            }
        }
        Some(targets)
    }

    /// Whether some Allow statement names `action` at all: a cheap test before the targets.
    pub fn mentions(&self, action: &str) -> bool {
        self.statements
            .iter()
            .any(|(_, s)| s.effect == Effect::Allow && s.covers_action(action))
    }

    /// The grant of `action` on `resource` (`None`: on some resource) in a request whose
    /// `context` keys are known, after Denies and the boundary.
    pub fn allows(
        &self,
        action: &str,
        resource: Option<&str>,
        context: &[(&str, &str)],
    ) -> Option<Grant> {
        let (index, mut conditions) = decide(
            self.statements.iter().map(|(_, s)| *s),
            action,
            resource,
            context,
            &self.variables,
        )?;
        if let Some(boundary) = self.boundary {
            let (_, capped) = decide(
                boundary.statements.iter(),
                action,
                resource,
                context,
                &self.variables,
            )?;
            conditions.extend(capped);
        }
        conditions.sort();
        conditions.dedup();
        Some(Grant {
            via: self.statements[index].0.describe(),
            conditions,
        })
    }

    /// Whether an identity policy surely denies `action` on `resource` (for steps that need
    /// no Allow of the principal's own, as an assume-role its trust policy names it for).
    pub fn denies(&self, action: &str, resource: &str) -> bool {
        self.statements.iter().any(|(_, s)| {
            s.effect == Effect::Deny
                && s.covers_action(action)
                && s.covers_resource(resource, &self.variables)
                && applies(s, &[]).is_some_and(|unknown| unknown.is_empty())
        })
    }

    /// Whether the boundary (if any) lets the principal do everything: only then does a
    /// policy attached to it make it an administrator.
    pub fn unbounded(&self) -> bool {
        self.boundary.is_none_or(|b| {
            b.allow_statements().any(Statement::allows_full_admin)
                && !b.statements.iter().any(|s| s.effect == Effect::Deny)
        })
    }
}
