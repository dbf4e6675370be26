//! CloudTrail: the trails homed in each audited region.

mod checks;
mod collect;
mod log_bucket;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["cloudtrail"],
    permissions: &[
        "cloudtrail:DescribeTrails",
        "cloudtrail:GetTrailStatus",
        "cloudtrail:GetEventSelectors",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: true,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub trails: Vec<Trail>,
    /// Regions whose trails were listed (the multi-region check needs to know what it saw).
    pub trail_regions: Vec<String>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.trails.extend(other.trails);
        self.trail_regions.extend(other.trail_regions);
    }

    /// Account settings belong to no environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.trails.clear();
        self.trail_regions.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// A CloudTrail trail that an audited region lists: the account's own, or its organization's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    /// The trail's home region.
    pub region: String,
    pub multi_region: bool,
    /// An organization trail (in a member account: the management account's trail).
    pub organization: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    /// The bucket the trail delivers its logs to.
    pub s3_bucket: Option<String>,
    /// GetTrailStatus `IsLogging`; `None`: unreadable.
    pub logging: Option<bool>,
    /// Whether the selectors record every read and write management event from every source;
    /// `None`: unreadable.
    pub all_management_events: Option<bool>,
    /// The S3 object-level data events of every current and future bucket the selectors
    /// record; `None`: unreadable.
    pub s3_object_events: Option<S3ObjectEvents>,
}

/// Object-level S3 data events recorded for all buckets: reads (`GetObject`…), writes
/// (`PutObject`, `DeleteObject`…).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct S3ObjectEvents {
    pub read: bool,
    pub write: bool,
}

impl Trail {
    pub const RESOURCE_TYPE: &'static str = "AWS::CloudTrail::Trail";
}
