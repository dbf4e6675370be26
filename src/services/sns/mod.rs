//! SNS: the topics of each region and their access policies.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::sync::Arc;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;
use crate::policy::PolicyDocument;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["sns"],
    permissions: &[
        "sns:ListTopics",
        "sns:GetTopicAttributes",
        "sns:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub topics: Vec<Topic>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.topics.extend(other.topics);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.topics, in_environment, |t| t.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for t in &self.topics {
            if let Some(tags) = &t.tags {
                found(&t.region, Topic::RESOURCE_TYPE, &t.name, tags);
            }
        }
    }
}

/// A topic (standard or FIFO); `None` fields could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Topic {
    /// The topic's name, the last part of its ARN.
    pub name: String,
    pub arn: String,
    pub region: String,
    /// The topic's access policy (attribute `Policy`); `Some(None)`: it has none. AWS gives
    /// every new topic a default policy, which allows only the owner account.
    pub policy: Option<Option<Arc<PolicyDocument>>>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Topic {
    pub const RESOURCE_TYPE: &'static str = "AWS::SNS::Topic";
}
