//! Resource policies (functions, topics, queues, buckets): reading them and stating what makes
//! one public, for every service whose resources carry one.

use std::sync::Arc;

use crate::aws::Call;
use crate::model::AuditError;
use crate::policy::{Actions, PolicyDocument, Principals, Statement};
use crate::services::checks::enumerate;

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
) -> Option<Option<Arc<PolicyDocument>>> {
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
