use std::sync::Arc;

use super::Tags;
use crate::policy::PolicyDocument;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum PrincipalKind {
    #[default]
    Role,
    User,
    Group,
}

impl PrincipalKind {
    pub const fn resource_type(self) -> &'static str {
        match self {
            PrincipalKind::Role => "AWS::IAM::Role",
            PrincipalKind::User => "AWS::IAM::User",
            PrincipalKind::Group => "AWS::IAM::Group",
        }
    }
}

/// The resource types of principals, in [`PrincipalKind`] order.
pub const PRINCIPAL_RESOURCE_TYPES: &[&str] = &[
    PrincipalKind::Role.resource_type(),
    PrincipalKind::User.resource_type(),
    PrincipalKind::Group.resource_type(),
];

/// A role, user or group with every identity policy that applies to it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Principal {
    pub kind: PrincipalKind,
    pub name: String,
    pub arn: String,
    /// `None` for groups, which cannot be tagged.
    pub tags: Option<Tags>,
    /// Own inline and attached policies; for a user, also those of its groups.
    pub policies: Vec<PolicyAttachment>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum PolicySource {
    #[default]
    Inline,
    Managed {
        arn: String,
    },
}

/// One policy as it applies to a principal.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PolicyAttachment {
    pub name: String,
    pub source: PolicySource,
    /// The group through which a user gets this policy.
    pub via_group: Option<String>,
    /// `None` when the document could not be read or parsed (an error was recorded).
    pub document: Option<Arc<PolicyDocument>>,
}

impl PolicyAttachment {
    /// `inline policy "x"`, `managed policy "y" (via group "g")`, for evidence in details.
    pub fn describe(&self) -> String {
        let kind = match self.source {
            PolicySource::Inline => "inline policy",
            PolicySource::Managed { .. } => "managed policy",
        };
        match &self.via_group {
            Some(group) => format!("{kind} \"{}\" (via group \"{group}\")", self.name),
            None => format!("{kind} \"{}\"", self.name),
        }
    }
}
