//! GuardDuty: a detector in every audited region.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["guardduty"],
    permissions: &["guardduty:ListDetectors", "guardduty:GetDetector"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region: the detector's status, or `None` when the region has no detector; a region
    /// missing could not be read.
    pub detectors: std::collections::BTreeMap<String, Option<String>>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.detectors.extend(other.detectors);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.detectors.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}
