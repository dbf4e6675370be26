//! IAM Access Analyzer: an external access analyzer in every audited region.

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
    apis: &["access-analyzer"],
    permissions: &["access-analyzer:ListAnalyzers"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region: its analyzers; a region missing could not be read.
    pub analyzers: BTreeMap<String, Vec<Analyzer>>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.analyzers.extend(other.analyzers);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.analyzers.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// An analyzer as ListAnalyzers describes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Analyzer {
    pub name: String,
    /// `ACCOUNT`, `ORGANIZATION` (external access), `ACCOUNT_UNUSED_ACCESS`,
    /// `ORGANIZATION_UNUSED_ACCESS` …, as AWS writes it.
    pub kind: String,
    /// `ACTIVE`, `CREATING`, `DISABLED` or `FAILED`.
    pub status: String,
}

impl Analyzer {
    /// Finds resources shared outside the account or organization (the zone of trust).
    pub fn is_external_access(&self) -> bool {
        matches!(self.kind.as_str(), "ACCOUNT" | "ORGANIZATION")
    }
}
