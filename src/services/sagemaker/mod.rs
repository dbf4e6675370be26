//! SageMaker: notebook instances' internet access, network placement and root access.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["sagemaker"],
    permissions: &[
        "sagemaker:ListNotebookInstances",
        "sagemaker:DescribeNotebookInstance",
        "sagemaker:ListTags",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub notebook_instances: Vec<NotebookInstance>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.notebook_instances.extend(other.notebook_instances);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.notebook_instances, in_environment, |n| {
            n.tags.as_ref()
        });
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for n in &self.notebook_instances {
            if let Some(tags) = &n.tags {
                found(&n.region, NotebookInstance::RESOURCE_TYPE, &n.name, tags);
            }
        }
    }
}

/// A notebook instance as DescribeNotebookInstance describes it (the listing carries none of
/// the settings judged).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct NotebookInstance {
    /// The name (the resource id in results).
    pub name: String,
    pub region: String,
    pub arn: String,
    /// `DirectInternetAccess` and `RootAccess`: `Enabled` or `Disabled`, as AWS writes them.
    pub direct_internet_access: String,
    pub root_access: String,
    /// The VPC subnet it was launched in; `None`: launched outside any VPC of the account.
    pub subnet_id: Option<String>,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// notebook); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl NotebookInstance {
    pub const RESOURCE_TYPE: &'static str = "AWS::SageMaker::NotebookInstance";
}
