//! AWS Security Hub: whether it is enabled in each audited region.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["securityhub"],
    permissions: &["securityhub:DescribeHub"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region: the hub's ARN, or `None` where Security Hub is not enabled; a region
    /// missing could not be read.
    pub hubs: BTreeMap<String, Option<String>>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.hubs.extend(other.hubs);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.hubs.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}
