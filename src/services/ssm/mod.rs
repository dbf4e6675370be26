//! Systems Manager: the account's own documents and whom they are shared with, the region's
//! block-public-sharing setting, and the patch compliance of managed EC2 instances.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use std::collections::BTreeMap;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ssm"],
    permissions: &[
        "ssm:ListDocuments",
        "ssm:DescribeDocumentPermission",
        "ssm:GetServiceSetting",
        "ssm:ListResourceComplianceSummaries",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub documents: Vec<Document>,
    /// By region: the value of `/ssm/documents/console/public-sharing-permission` (`Enable`:
    /// documents may be shared publicly, `Disable`: public sharing is blocked); a region
    /// missing could not be read.
    pub public_sharing: BTreeMap<String, String>,
    pub patch_compliance: Vec<PatchCompliance>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.documents.extend(other.documents);
        self.public_sharing.extend(other.public_sharing);
        self.patch_compliance.extend(other.patch_compliance);
    }

    /// The sharing setting belongs to no environment; compliance summaries carry no tags (the
    /// instance's are EC2's), so they cannot be shown to belong to it either.
    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.documents, in_environment, |d| Some(&d.tags));
        self.public_sharing.clear();
        self.patch_compliance.clear();
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for d in &self.documents {
            found(&d.region, Document::RESOURCE_TYPE, &d.name, &d.tags);
        }
    }
}

/// A document owned by the account (`Owner=Self`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Document {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// The accounts it is shared with (`All` for everyone); `None`: could not be read.
    pub shared_with: Option<Vec<String>>,
    pub tags: Tags,
}

impl Document {
    pub const RESOURCE_TYPE: &'static str = "AWS::SSM::Document";

    /// Shared with every AWS account: `All` among the account ids, which the API may spell `all`
    /// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeDocumentPermission.html).
    pub fn is_public(&self) -> Option<bool> {
        let shared_with = self.shared_with.as_ref()?;
        Some(shared_with.iter().any(|a| a.eq_ignore_ascii_case("all")))
    }
}

/// The patch compliance summary of a managed EC2 instance (compliance type `Patch`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PatchCompliance {
    pub instance_id: String,
    pub arn: String,
    pub region: String,
    /// `COMPLIANT` or `NON_COMPLIANT`.
    pub status: String,
    /// Non-compliant patches by severity (`CRITICAL`, `HIGH`, ...), those with a count only.
    pub non_compliant: Vec<(String, i32)>,
}

impl PatchCompliance {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Instance";
}
