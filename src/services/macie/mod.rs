//! Amazon Macie: whether it is on in each region, and whether it discovers sensitive data on
//! its own (automated sensitive data discovery).

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
    apis: &["macie2"],
    // Not in the SecurityAudit policy: the template and the member role grant them.
    permissions: &[
        "macie2:GetMacieSession",
        "macie2:GetAdministratorAccount",
        "macie2:GetAutomatedDiscoveryConfiguration",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// By region: Macie's session, or `None` where Macie is not enabled; a region missing
    /// could not be read.
    pub sessions: BTreeMap<String, Option<Session>>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.sessions.extend(other.sessions);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.sessions.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// Macie in a region where it is enabled.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Session {
    /// GetMacieSession's `status`: `ENABLED` or `PAUSED`.
    pub status: String,
    /// The Macie administrator account this account is a member of; `None`: it is an
    /// administrator or standalone (or that could not be read, see `administrator_read`).
    pub administrator: Option<String>,
    pub administrator_read: bool,
    /// GetAutomatedDiscoveryConfiguration's `status` (`ENABLED` or `DISABLED`); `None`: it
    /// could not be read.
    pub automated_discovery: Option<String>,
}
