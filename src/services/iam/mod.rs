//! IAM: roles, users and groups with every policy that applies to them, the root user's
//! settings, the password policy and the credential report. Account-wide: collected once.

mod account;
mod checks;
mod collect;
mod credentials;
mod customer_policies;
mod escalation;
mod privilege;
mod server_certificates;
mod support;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;
pub use escalation::{escalations, Escalations};
pub use privilege::{privilege, Privilege};

use std::collections::HashSet;
use std::sync::Arc;

use super::checks::EventTrigger;
use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;
use crate::policy::PolicyDocument;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: false,
    apis: &["iam"],
    permissions: &[
        "iam:GetAccountAuthorizationDetails",
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        "iam:GetAccountSummary",
        "iam:ListVirtualMFADevices",
        "iam:GetAccountPasswordPolicy",
        "iam:GenerateCredentialReport",
        "iam:GetCredentialReport",
        "iam:ListServerCertificates",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

/// What can change the policies that apply to a principal (its own, its groups', a managed policy's
/// default version), or create or remove a principal.
pub(super) const POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "AttachUserPolicy",
        "DetachUserPolicy",
        "AttachRolePolicy",
        "DetachRolePolicy",
        "AttachGroupPolicy",
        "DetachGroupPolicy",
        "PutUserPolicy",
        "PutRolePolicy",
        "PutGroupPolicy",
        "DeleteUserPolicy",
        "DeleteRolePolicy",
        "DeleteGroupPolicy",
        "CreatePolicyVersion",
        "SetDefaultPolicyVersion",
        "AddUserToGroup",
        "RemoveUserFromGroup",
        "CreateUser",
        "DeleteUser",
        "CreateRole",
        "DeleteRole",
        "CreateServiceLinkedRole",
        "DeleteServiceLinkedRole",
        "CreateGroup",
        "DeleteGroup",
    ],
}];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub principals: Vec<Principal>,
    /// Every customer managed policy, attached or not (FSBP IAM.1 and IAM.21 judge these).
    pub customer_policies: Vec<CustomerPolicy>,
    pub account: AccountSettings,
    /// IAM users from the credential report; `None` when the report could not be had.
    pub credential_users: Option<Vec<CredentialUser>>,
    /// Kept to one environment's principals: account-wide questions are not judged.
    pub environment_filtered: bool,
    /// Server certificates stored in IAM; `None` when they could not be listed.
    pub server_certificates: Option<Vec<ServerCertificate>>,
}

/// A TLS certificate uploaded to IAM (for load balancers and CloudFront before ACM).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ServerCertificate {
    pub name: String,
    pub arn: String,
    pub expiration: Option<time::OffsetDateTime>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.principals.extend(other.principals);
        self.customer_policies.extend(other.customer_policies);
        let (mine, theirs) = (&mut self.account, other.account);
        mine.root_mfa_enabled = mine.root_mfa_enabled.or(theirs.root_mfa_enabled);
        mine.root_virtual_mfa = mine.root_virtual_mfa.or(theirs.root_virtual_mfa);
        mine.root_access_keys_present = mine
            .root_access_keys_present
            .or(theirs.root_access_keys_present);
        mine.root_password_present = mine.root_password_present.or(theirs.root_password_present);
        if mine.password_policy.is_none() {
            mine.password_policy = theirs.password_policy;
        }
        if other.credential_users.is_some() {
            self.credential_users = other.credential_users;
        }
        self.environment_filtered |= other.environment_filtered;
        if other.server_certificates.is_some() {
            self.server_certificates = other.server_certificates;
        }
    }

    /// Groups and customer managed policies (which the listing gives without tags) are left
    /// out; the account's settings belong to no environment; credential report rows carry no tags, so only the users still in the
    /// filtered set are kept.
    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.principals, in_environment, |r| r.tags.as_ref());
        self.customer_policies.clear();
        self.account = AccountSettings::default();
        self.environment_filtered = true;
        // The listing gives no tags: no certificate is in an environment.
        self.server_certificates = None;
        if let Some(users) = &mut self.credential_users {
            let kept: HashSet<&str> = self
                .principals
                .iter()
                .filter(|p| p.kind == PrincipalKind::User)
                .map(|p| p.name.as_str())
                .collect();
            users.retain(|u| kept.contains(u.name.as_str()));
        }
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.principals {
            if let Some(tags) = &r.tags {
                found("global", r.kind.resource_type(), &r.name, tags);
            }
        }
    }
}

/// The account's IAM settings; each `None` means "could not be read".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSettings {
    /// GetAccountSummary's `AccountMFAEnabled`.
    pub root_mfa_enabled: Option<bool>,
    /// Whether the root user's MFA device is a virtual one.
    pub root_virtual_mfa: Option<bool>,
    /// GetAccountSummary's `AccountAccessKeysPresent` (active or not).
    pub root_access_keys_present: Option<bool>,
    /// GetAccountSummary's `AccountPasswordPresent`: false once root credentials are removed
    /// (centralized root access).
    pub root_password_present: Option<bool>,
    /// `Some(None)`: the account has no password policy.
    pub password_policy: Option<Option<PasswordPolicy>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_length: Option<i32>,
    pub reuse_prevention: Option<i32>,
    pub require_uppercase: bool,
    pub require_lowercase: bool,
    pub require_numbers: bool,
    pub require_symbols: bool,
}

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
    /// Roles: the ARNs of the instance profiles that hold the role (EC2 instances use it).
    pub instance_profiles: Vec<String>,
    /// Roles: the trust policy; `None` when unread (an error was recorded) or not a role.
    pub trust: Option<Arc<PolicyDocument>>,
    /// Users and roles: the permissions boundary, which caps what the policies allow.
    pub boundary: Option<PolicyAttachment>,
    /// Users: the groups they are in.
    pub groups: Vec<String>,
}

impl Principal {
    /// AWS creates and owns service-linked roles: nobody can pass, assume or change them
    /// (IAM User Guide, "Using service-linked roles").
    pub fn is_service_linked(&self) -> bool {
        self.kind == PrincipalKind::Role && self.arn.contains(":role/aws-service-role/")
    }

    /// The principal as the IAM checks judge it: by name, account-wide.
    pub(crate) fn resource(&self) -> super::checks::Resource<'_> {
        super::checks::Resource {
            resource_type: self.kind.resource_type(),
            id: &self.name,
            name: None,
            arn: Some(&self.arn),
            region: "global",
        }
    }
}

/// A customer managed policy as GetAccountAuthorizationDetails lists it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CustomerPolicy {
    pub name: String,
    pub arn: String,
    /// The default version's document; `None` when unreadable (an error was recorded).
    pub document: Option<Arc<PolicyDocument>>,
    /// How many users, groups and roles it is attached to.
    pub attachments: i32,
    /// How many users and roles use it as their permissions boundary.
    pub boundary_uses: i32,
    /// The versions other than the default (what `iam:SetDefaultPolicyVersion` can bring
    /// back), by version id; a document is `None` when unreadable (an error was recorded).
    pub other_versions: Vec<(String, Option<Arc<PolicyDocument>>)>,
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

/// One IAM user's row of the credential report (the root row is not kept).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CredentialUser {
    pub name: String,
    pub arn: String,
    pub created: Option<time::OffsetDateTime>,
    pub password_enabled: bool,
    pub password_last_used: Option<time::OffsetDateTime>,
    pub password_last_changed: Option<time::OffsetDateTime>,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKey>,
}

/// An access key (slot 1 or 2) of a user, from the credential report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccessKey {
    pub slot: u8,
    pub active: bool,
    pub last_rotated: Option<time::OffsetDateTime>,
    pub last_used: Option<time::OffsetDateTime>,
}

impl CredentialUser {
    /// Parses a credential report (CSV). The root user's row is skipped; a header without
    /// the expected columns is an error. User names may contain commas, which the report does
    /// not quote: the name and the ARN then span the same number of extra fields.
    pub fn parse_report(csv: &str) -> Result<Vec<CredentialUser>, String> {
        let mut lines = csv.lines().filter(|l| !l.trim().is_empty());
        let header: Vec<&str> = lines
            .next()
            .ok_or("the credential report is empty")?
            .split(',')
            .collect();
        let column = |name: &str| {
            header
                .iter()
                .position(|c| *c == name)
                .ok_or_else(|| format!("the credential report has no {name} column"))
        };
        let indexes = [
            "user",
            "arn",
            "user_creation_time",
            "password_enabled",
            "password_last_used",
            "password_last_changed",
            "mfa_active",
            "access_key_1_active",
            "access_key_1_last_rotated",
            "access_key_1_last_used_date",
            "access_key_2_active",
            "access_key_2_last_rotated",
            "access_key_2_last_used_date",
        ]
        .map(column);
        let mut at = [0usize; 13];
        for (slot, index) in at.iter_mut().zip(indexes) {
            *slot = index?;
        }
        let mut users = Vec::new();
        for line in lines {
            let raw: Vec<&str> = line.split(',').collect();
            let extra = raw.len().saturating_sub(header.len());
            if extra % 2 != 0 || at[0] != 0 || at[1] != 1 {
                return Err("a credential report row does not match its header".into());
            }
            let half = extra / 2;
            // Re-join the name and the ARN; the other columns shift by `extra`.
            let mut fields: Vec<String> =
                vec![raw[..=half].join(","), raw[half + 1..=extra + 1].join(",")];
            fields.extend(raw[extra + 2..].iter().map(|f| f.to_string()));
            let get = |i: usize| fields.get(i).map(String::as_str).unwrap_or("");
            if get(at[0]) == "<root_account>" {
                continue;
            }
            let key = |slot: u8, active: usize, rotated: usize, used: usize| AccessKey {
                slot,
                active: get(at[active]) == "true",
                last_rotated: timestamp(get(at[rotated])),
                last_used: timestamp(get(at[used])),
            };
            users.push(CredentialUser {
                name: get(at[0]).to_string(),
                arn: get(at[1]).to_string(),
                created: timestamp(get(at[2])),
                password_enabled: get(at[3]) == "true",
                password_last_used: timestamp(get(at[4])),
                password_last_changed: timestamp(get(at[5])),
                mfa_active: get(at[6]) == "true",
                access_keys: vec![key(1, 7, 8, 9), key(2, 10, 11, 12)],
            });
        }
        Ok(users)
    }
}

/// An RFC 3339 time, or `None` for `N/A`, `no_information`, `not_supported`.
fn timestamp(text: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(text.trim(), &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

    #[test]
    fn the_report_is_parsed_root_skipped_and_commas_in_names_survive() {
        let csv = format!(
            "{HEADER}\n\
             <root_account>,arn:aws:iam::123456789012:root,2020-01-01T00:00:00+00:00,not_supported,2026-01-01T00:00:00+00:00,not_supported,not_supported,false,true,2020-01-01T00:00:00+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n\
             a,b,arn:aws:iam::123456789012:user/a,b,2025-01-01T00:00:00+00:00,true,no_information,2025-01-02T00:00:00+00:00,N/A,true,true,2025-03-01T00:00:00+00:00,2026-11-01T10:00:00+00:00,us-east-1,s3,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A\n"
        );
        let users = CredentialUser::parse_report(&csv).unwrap();
        assert_eq!(users.len(), 1);
        let user = &users[0];
        assert_eq!(user.name, "a,b");
        assert_eq!(user.arn, "arn:aws:iam::123456789012:user/a,b");
        assert!(user.password_enabled && user.mfa_active);
        assert_eq!(user.password_last_used, None);
        assert!(user.access_keys[0].active && !user.access_keys[1].active);
        assert_eq!(
            user.access_keys[0].last_used,
            Some(time::macros::datetime!(2026-11-01 10:00 UTC))
        );
        assert!(CredentialUser::parse_report("user,arn\nx,y\n").is_err());
    }
}
