//! Lambda: the functions of each region (their `$LATEST` configuration), each function's own
//! resource-based policy, its function URLs, and its runtime against AWS's deprecation dates.
//!
//! Only the unqualified function's policy is read (GetPolicy without a qualifier): aliases and
//! published versions carry policies of their own, which would cost a ListAliases and a
//! GetPolicy per alias; a grant on an alias is not seen.

mod checks;
mod collect;
mod runtimes;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::sync::Arc;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::aws::Call;
use crate::model::{AuditError, Tags};
use crate::policy::{Actions, PolicyDocument, Principals, Statement};
use crate::services::checks::enumerate;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["lambda"],
    permissions: &[
        "lambda:ListFunctions",
        "lambda:GetPolicy",
        "lambda:ListFunctionUrlConfigs",
        "lambda:ListTags",
    ],
    checks: checks::CHECKS,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub functions: Vec<Function>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.functions.extend(other.functions);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.functions, in_environment, |f| f.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for f in &self.functions {
            if let Some(tags) = &f.tags {
                found(&f.region, Function::RESOURCE_TYPE, &f.name, tags);
            }
        }
    }
}

/// A function, as ListFunctions describes its unqualified (`$LATEST`) version; `None` fields
/// could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Function {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// The runtime identifier (`python3.12`); `None` for a container image, which has none.
    pub runtime: Option<String>,
    /// Packaged as a container image (`PackageType: Image`): its runtime is the image's.
    pub image: bool,
    /// The execution role's ARN: what anyone who can invoke the function acts with.
    pub role: String,
    /// The function's own resource-based policy; `Some(None)`: it has none.
    pub policy: Option<Option<Arc<PolicyDocument>>>,
    /// The function URLs of the function and of its aliases.
    pub urls: Option<Vec<FunctionUrl>>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Function {
    pub const RESOURCE_TYPE: &'static str = "AWS::Lambda::Function";
}

/// A function URL (https://docs.aws.amazon.com/lambda/latest/dg/urls-configuration.html).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FunctionUrl {
    pub url: String,
    /// The function's ARN, qualified by the alias when the URL is an alias's.
    pub function_arn: String,
    /// `NONE` (no authentication) or `AWS_IAM` (SigV4-signed requests only).
    pub auth_type: String,
}

/// The public statements of a resource policy as evidence: `statement "Sid" grants
/// sns:Publish to AWS principal *`, at most `shown` of them. Names principals and actions,
/// never condition values. (Shared by the SNS and SQS policy checks.)
pub(crate) fn describe_grants(
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
/// policy document, so that it gives no verdict. (Shared by the SNS and SQS collectors.)
pub(crate) fn parse_policy(
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
    use super::parse_policy;
    use crate::aws::Call;

    #[test]
    fn an_unparseable_policy_is_an_error_entry_and_no_policy_is_none() {
        let call = Call::new("lambda", "us-east-1", "ParsePolicyDocument").on("f");
        let mut errors = Vec::new();
        assert_eq!(parse_policy(None, call, &mut errors), Some(None));
        assert_eq!(
            parse_policy(Some(" ".into()), call, &mut errors),
            Some(None)
        );
        assert!(errors.is_empty());
        assert_eq!(
            parse_policy(Some("{not json".into()), call, &mut errors),
            None
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].operation, "ParsePolicyDocument");
        assert_eq!(errors[0].code, "MalformedPolicyDocument");
        assert_eq!(errors[0].resource_id.as_deref(), Some("f"));
        assert_eq!(errors[0].required_permission, None);
        let text = r#"{"Statement":[{"Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"*"}]}"#;
        assert!(matches!(
            parse_policy(Some(text.into()), call, &mut errors),
            Some(Some(_))
        ));
    }
}
