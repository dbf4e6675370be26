//! AWS AppSync: how GraphQL APIs authenticate their callers.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["appsync"],
    permissions: &["appsync:ListGraphqlApis"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub apis: Vec<GraphqlApi>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.apis.extend(other.apis);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.apis, in_environment, |a| Some(&a.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for a in &self.apis {
            found(&a.region, GraphqlApi::RESOURCE_TYPE, &a.id, &a.tags);
        }
    }
}

/// A GraphQL API as ListGraphqlApis describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct GraphqlApi {
    /// `apiId` (the resource id in results).
    pub id: String,
    pub name: String,
    pub region: String,
    pub arn: String,
    /// The primary `authenticationType` (`API_KEY`, `AWS_IAM`, `AMAZON_COGNITO_USER_POOLS`,
    /// `OPENID_CONNECT`, `AWS_LAMBDA`, as AWS writes it).
    pub authentication_type: String,
    /// The `additionalAuthenticationProviders`' types.
    pub additional_authentication_types: Vec<String>,
    /// ListGraphqlApis carries them: no extra read.
    pub tags: Tags,
}

impl GraphqlApi {
    pub const RESOURCE_TYPE: &'static str = "AWS::AppSync::GraphQLApi";
}
