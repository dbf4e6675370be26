//! GuardDuty: a detector in every audited region, and its protection plans.

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
    apis: &["guardduty"],
    permissions: &["guardduty:ListDetectors", "guardduty:GetDetector"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region: the detector, or `None` when the region has no detector; a region missing
    /// could not be read.
    pub detectors: BTreeMap<String, Option<Detector>>,
}

/// A region's detector as GetDetector describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Detector {
    /// `ENABLED` or `DISABLED`.
    pub status: String,
    /// Each protection plan (`Features`: `S3_DATA_EVENTS`, `EKS_AUDIT_LOGS`,
    /// `RUNTIME_MONITORING` …) by name, as AWS writes it.
    pub features: BTreeMap<String, Feature>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Feature {
    pub enabled: bool,
    /// Its additional configuration (`EKS_ADDON_MANAGEMENT` …): enabled or not, by name.
    pub additional: BTreeMap<String, bool>,
}

impl Detector {
    pub fn is_enabled(&self) -> bool {
        self.status == "ENABLED"
    }
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
