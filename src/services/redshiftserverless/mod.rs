//! Redshift Serverless: whether workgroups are publicly accessible.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["redshift-serverless"],
    permissions: &[
        "redshift-serverless:ListWorkgroups",
        "redshift-serverless:ListTagsForResource",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub workgroups: Vec<Workgroup>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.workgroups.extend(other.workgroups);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.workgroups, in_environment, |w| w.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for w in &self.workgroups {
            if let Some(tags) = &w.tags {
                found(&w.region, Workgroup::RESOURCE_TYPE, &w.name, tags);
            }
        }
    }
}

/// A Redshift Serverless workgroup (its compute and network settings), as ListWorkgroups
/// reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Workgroup {
    /// The workgroup name (the resource id in results).
    pub name: String,
    pub region: String,
    pub arn: String,
    /// The namespace (the databases) the workgroup serves.
    pub namespace: Option<String>,
    /// `None`: the answer did not say (no verdict).
    pub publicly_accessible: Option<bool>,
    /// `enhancedVpcRouting`; `None`: the answer did not say (no verdict).
    pub enhanced_vpc_routing: Option<bool>,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// workgroup); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl Workgroup {
    pub const RESOURCE_TYPE: &'static str = "AWS::RedshiftServerless::Workgroup";
}
