//! Resource policies (functions, topics, queues, buckets): reading them and stating what makes
//! one public, for every service whose resources carry one.

use std::sync::Arc;

use crate::aws::Call;
use crate::model::AuditError;
use crate::policy::{Actions, PolicyDocument, Principals, ResourcePolicy, Statement};
use crate::services::checks::{enumerate, Resource, Verdicts};

/// A resource policy as the inventory keeps it: `None` could not be read (an error entry says
/// why), `Some(None)` the resource has none.
pub(crate) type ReadPolicy = Option<Option<Arc<PolicyDocument>>>;

/// The one judgement of whether a resource policy is public, for every kind of resource that
/// carries one (functions, topics, queues): what counts as public is the kind's
/// ([`PolicyDocument::public_statements`]); the wording names the resource.
pub(crate) struct PublicPolicy {
    pub kind: ResourcePolicy,
    /// `topic`, `queue`, `function`.
    pub noun: &'static str,
    /// What the resource's policy is called: `access policy`, `resource-based policy`.
    pub policy_name: &'static str,
    /// Who a public statement admits, as a passing detail says it.
    pub public_means: &'static str,
    /// Whom a failing detail says the access goes to (` to anyone`, or nothing).
    pub grantee: &'static str,
}

impl PublicPolicy {
    /// No verdict on an unread policy, a pass without one, and otherwise a pass or a fail
    /// naming the public statements; `notes` adds what they mean for this kind of resource.
    pub(crate) fn judge(
        &self,
        verdicts: &mut Verdicts,
        resource: &Resource,
        policy: &ReadPolicy,
        notes: impl Fn(&[&Statement]) -> String,
    ) {
        let Some(policy) = policy else {
            return;
        };
        let Some(document) = policy else {
            let detail = format!("The {} has no {}.", self.noun, self.policy_name);
            verdicts.pass(resource, detail);
            return;
        };
        let public = document.public_statements(self.kind);
        if public.is_empty() {
            let detail = format!(
                "No statement of the {} policy grants {} access without a condition that pins the caller.",
                self.noun, self.public_means
            );
            verdicts.pass(resource, detail);
            return;
        }
        let detail = format!(
            "The {} policy grants access{} without a condition that pins the caller: {}.{}",
            self.noun,
            self.grantee,
            describe_public_grants(document, &public, 3),
            notes(&public)
        );
        verdicts.fail(resource, detail);
    }
}

/// The public statements of a resource policy as evidence: `statement "Sid" grants
/// sns:Publish to AWS principal *`, at most `shown` of them. Names principals and actions,
/// never condition values.
pub(crate) fn describe_public_grants(
    document: &PolicyDocument,
    public: &[&Statement],
    shown: usize,
) -> String {
    let described: Vec<String> = public
        .iter()
        .map(|statement| {
            let name = match statement.sid.as_deref().map(str::trim) {
                Some(sid) if !sid.is_empty() => format!("statement \"{sid}\""),
                _ => {
                    let position = document
                        .statements
                        .iter()
                        .position(|s| std::ptr::eq(s, *statement))
                        .map_or(0, |i| i + 1);
                    format!("statement {position}")
                }
            };
            let principals = match &statement.principals {
                Some(Principals::Principal(set)) if set.everyone => "everyone (\"*\")".to_string(),
                Some(Principals::Principal(set)) => {
                    let entries: Vec<String> = set
                        .entries
                        .iter()
                        .map(|(kind, value)| match kind.as_str() {
                            "AWS" => format!("AWS principal {value}"),
                            "Service" => format!("service {value}"),
                            "Federated" => format!("users of {value}"),
                            other => format!("{other} {value}"),
                        })
                        .collect();
                    enumerate(&entries, 3)
                }
                Some(Principals::NotPrincipal(_)) => "everyone but its NotPrincipal".to_string(),
                None => "no principal".to_string(),
            };
            let actions = match &statement.actions {
                Actions::Action(list) => enumerate(list, 3),
                Actions::NotAction(list) => format!("every action but {}", enumerate(list, 3)),
            };
            format!("{name} grants {actions} to {principals}")
        })
        .collect();
    enumerate(&described, shown)
}

/// A resource policy as read (`None`: the resource has none), parsed; `None` after recording an
/// error entry (operation `ParsePolicyDocument`, no permission involved) when it is not a
/// policy document, so that it gives no verdict.
pub(crate) fn parse_resource_policy(
    text: Option<String>,
    call: Call<'_>,
    errors: &mut Vec<AuditError>,
) -> ReadPolicy {
    let Some(text) = text.filter(|text| !text.trim().is_empty()) else {
        return Some(None);
    };
    match PolicyDocument::parse(&text) {
        Ok(document) => Some(Some(Arc::new(document))),
        Err(problem) => {
            errors.push(call.entry("MalformedPolicyDocument".into(), problem.to_string()));
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::parse_resource_policy;
    use crate::aws::Call;

    #[test]
    fn an_unparseable_policy_is_an_error_entry_and_no_policy_is_none() {
        let call = Call::new("lambda", "us-east-1", "ParsePolicyDocument").on("f");
        let mut errors = Vec::new();
        assert_eq!(parse_resource_policy(None, call, &mut errors), Some(None));
        assert_eq!(
            parse_resource_policy(Some(" ".into()), call, &mut errors),
            Some(None)
        );
        assert!(errors.is_empty());
        assert_eq!(
            parse_resource_policy(Some("{not json".into()), call, &mut errors),
            None
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].operation, "ParsePolicyDocument");
        assert_eq!(errors[0].code, "MalformedPolicyDocument");
        assert_eq!(errors[0].resource_id.as_deref(), Some("f"));
        assert_eq!(errors[0].required_permission, None);
        let text = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*"}]}"#;
        assert!(matches!(
            parse_resource_policy(Some(text.into()), call, &mut errors),
            Some(Some(_))
        ));
    }
}
