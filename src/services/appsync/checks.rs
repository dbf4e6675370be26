//! AppSync GraphQL APIs: no API-key authentication.

use super::GraphqlApi;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NO_API_KEY_AUTHENTICATION];

/// FSBP AppSync.5, AWS Config rule `appsync-authorization-check` with Security Hub's fixed
/// `AllowedAuthorizationTypes` (`AWS_LAMBDA`, `AWS_IAM`, `OPENID_CONNECT`,
/// `AMAZON_COGNITO_USER_POOLS`): NON_COMPLIANT when an unapproved mechanism is used. AWS does
/// not say whether an additional provider counts; an API key there admits callers all the
/// same, so it fails too, and the detail says which it was.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/appsync-controls.html#appsync-5>
const NO_API_KEY_AUTHENTICATION: Check = Check {
    id: "appsync.no_api_key_authentication",
    service: Service::Appsync,
    severity: Severity::High,
    resource_types: &[GraphqlApi::RESOURCE_TYPE],
    title: "AppSync GraphQL APIs do not authenticate with API keys",
    rationale: "An API key is a shared secret shipped in clients: it names no caller, is easily copied from an app or a browser, and admits whoever holds it to every operation the key's provider allows until it expires.",
    remediation: "Authenticate with IAM, Amazon Cognito user pools, OpenID Connect or a Lambda authorizer (aws appsync update-graphql-api --authentication-type ..., and remove API_KEY from --additional-authentication-providers), then delete the API keys.",
    reference: "https://docs.aws.amazon.com/appsync/latest/devguide/security-authz.html",
    fsbp: &["AppSync.5"],
    cis: &[],
    triggers: &[EventTrigger {
        source: "appsync.amazonaws.com",
        names: &["CreateGraphqlApi", "UpdateGraphqlApi", "DeleteGraphqlApi"],
    }],
    reads: &[Read::all("appsync:ListGraphqlApis")],
    evaluate: no_api_key_authentication,
};

/// AWS's value for API-key authentication.
const API_KEY: &str = "API_KEY";

fn no_api_key_authentication(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for api in &inventory.appsync.apis {
        let resource = Resource {
            resource_type: GraphqlApi::RESOURCE_TYPE,
            id: &api.id,
            name: Some(&api.name),
            arn: Some(&api.arn),
            region: &api.region,
        };
        let primary = api.authentication_type == API_KEY;
        let additional = api
            .additional_authentication_types
            .iter()
            .any(|t| t == API_KEY);
        verdicts.judge(
            &resource,
            !primary && !additional,
            || {
                format!(
                    "Callers authenticate with {} (no API key).",
                    api.authentication_type
                )
            },
            || match primary {
                true => "API_KEY is the API's authentication type.".into(),
                false => format!(
                    "API_KEY is an additional authentication provider beside {}.",
                    api.authentication_type
                ),
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::GraphqlApi;
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{appsync, Inventory};

    fn api(id: &str, primary: &str, additional: &[&str]) -> GraphqlApi {
        GraphqlApi {
            id: id.into(),
            name: format!("{id}-name"),
            region: "us-east-1".into(),
            arn: format!("arn:aws:appsync:us-east-1:123456789012:apis/{id}"),
            authentication_type: primary.into(),
            additional_authentication_types: additional.iter().map(|s| s.to_string()).collect(),
            tags: Default::default(),
        }
    }

    fn apis() -> Inventory {
        Inventory::from(appsync::Inventory {
            apis: vec![
                api("cognito", "AMAZON_COGNITO_USER_POOLS", &["AWS_IAM"]),
                api("keyed", "API_KEY", &[]),
                api("key-on-the-side", "AWS_IAM", &["API_KEY"]),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("cognito", Status::Pass),
            ("keyed", Status::Fail),
            ("key-on-the-side", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: "appsync.no_api_key_authentication",
            resource_id,
            expected,
            inventory: apis,
            region: None,
        })
        .into()
    }

    #[test]
    fn an_additional_api_key_is_named_as_such() {
        let results = run(&apis());
        let side = only(
            &results,
            "appsync.no_api_key_authentication",
            "key-on-the-side",
        );
        assert!(
            side.detail
                .contains("additional authentication provider beside AWS_IAM"),
            "{}",
            side.detail
        );
    }
}
