//! Amazon Inspector: which scan types are active for the account in each region.

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
    apis: &["inspector2"],
    permissions: &["inspector2:BatchGetAccountStatus"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region; a region missing could not be read.
    pub scanning: BTreeMap<String, Scanning>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.scanning.extend(other.scanning);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.scanning.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// The account's `resourceState` in BatchGetAccountStatus: each scan type's status
/// (`ENABLED`, `ENABLING`, `DISABLED`, `SUSPENDED` …, as AWS writes it); `None` when the
/// answer does not name the scan type (no verdict).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scanning {
    pub ec2: Option<String>,
    pub ecr: Option<String>,
    /// Lambda standard scanning (package vulnerabilities).
    pub lambda: Option<String>,
    /// Lambda code scanning.
    pub lambda_code: Option<String>,
}
