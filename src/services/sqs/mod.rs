//! SQS: the queues of each region and their access policies.

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
    apis: &["sqs"],
    permissions: &[
        "sqs:ListQueues",
        "sqs:GetQueueAttributes",
        "sqs:ListQueueTags",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub queues: Vec<Queue>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.queues.extend(other.queues);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.queues, in_environment, |q| q.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for q in &self.queues {
            if let Some(tags) = &q.tags {
                found(&q.region, Queue::RESOURCE_TYPE, &q.name, tags);
            }
        }
    }
}

/// A queue (standard or FIFO); `None` fields could not be read.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Queue {
    /// The queue's name, the last part of its URL.
    pub name: String,
    pub url: String,
    pub arn: String,
    pub region: String,
    /// The queue's access policy (attribute `Policy`); `Some(None)`: it has none, and only the
    /// owner account's principals (through their IAM policies) can use it.
    pub policy: Option<Option<Arc<PolicyDocument>>>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Queue {
    pub const RESOURCE_TYPE: &'static str = "AWS::SQS::Queue";
}
