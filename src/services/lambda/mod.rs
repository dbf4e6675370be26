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
use crate::model::Tags;
use crate::policy::PolicyDocument;

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
    touched: None,
    spans_regions: false,
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
