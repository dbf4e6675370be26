//! Elastic Beanstalk: environments' managed platform updates and log streaming.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["elasticbeanstalk"],
    permissions: &[
        "elasticbeanstalk:DescribeEnvironments",
        "elasticbeanstalk:DescribeConfigurationSettings",
        "elasticbeanstalk:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub environments: Vec<Environment>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.environments.extend(other.environments);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.environments, in_environment, |e| e.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for e in &self.environments {
            if let Some(tags) = &e.tags {
                found(&e.region, Environment::RESOURCE_TYPE, &e.name, tags);
            }
        }
    }
}

/// A live environment and the option settings DescribeConfigurationSettings gives it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Environment {
    /// The environment name (the resource id in results).
    pub name: String,
    pub application: String,
    pub region: String,
    pub arn: String,
    /// Option values by (namespace, option name), as AWS writes them (`"true"`, `"false"`
    /// …); `None`: the settings could not be read (no verdict).
    pub options: Option<BTreeMap<(String, String), String>>,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// environment); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl Environment {
    pub const RESOURCE_TYPE: &'static str = "AWS::ElasticBeanstalk::Environment";

    /// The value of `option` in `namespace`, when the settings name it.
    pub fn option(&self, namespace: &str, option: &str) -> Option<&str> {
        let options = self.options.as_ref()?;
        options
            .get(&(namespace.to_string(), option.to_string()))
            .map(String::as_str)
    }
}
