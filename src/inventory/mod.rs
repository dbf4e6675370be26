//! What the collectors saw, as plain data: no SDK types, no verdicts.
//!
//! An `Option` field that is `None` means "could not be read" (the collector recorded an error
//! for it); absence of a configuration is modelled explicitly, so a check can never mistake an
//! unreadable setting for a missing (or present) one.

mod ec2;
mod governance;
mod iam;
mod rds;
mod s3;

use std::collections::BTreeMap;

pub use ec2::{FlowLog, Image, IngressRule, Instance, SecurityGroup, Volume, Vpc};
pub use governance::{ConfigRecorder, KmsKey, Trail};
pub use iam::{
    AccessKey, CredentialUser, PolicyAttachment, PolicySource, Principal, PrincipalKind,
    PRINCIPAL_RESOURCE_TYPES,
};
pub use rds::{DbCluster, DbInstance, DbSnapshot};
pub use s3::{Bucket, BucketAcl, BucketEncryption, PublicAccessBlock, Versioning};

use crate::request::EnvironmentFilter;

/// Resource tags, key to value.
pub type Tags = BTreeMap<String, String>;

/// Resource type of account-level settings; the resource id is the account id.
pub const ACCOUNT_RESOURCE_TYPE: &str = "AWS::::Account";

/// The account's IAM settings; each `None` means "could not be read".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountSettings {
    /// GetAccountSummary's `AccountMFAEnabled`.
    pub root_mfa_enabled: Option<bool>,
    /// Whether the root user's MFA device is a virtual one.
    pub root_virtual_mfa: Option<bool>,
    /// GetAccountSummary's `AccountAccessKeysPresent` (active or not).
    pub root_access_keys_present: Option<bool>,
    /// `Some(None)`: the account has no password policy.
    pub password_policy: Option<Option<PasswordPolicy>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub minimum_length: Option<i32>,
    pub reuse_prevention: Option<i32>,
}

/// Everything one audit collected.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub instances: Vec<Instance>,
    pub volumes: Vec<Volume>,
    pub security_groups: Vec<SecurityGroup>,
    pub db_instances: Vec<DbInstance>,
    pub db_clusters: Vec<DbCluster>,
    pub buckets: Vec<Bucket>,
    /// The account-level S3 public access block: `None` when it could not be read.
    pub account_public_access_block: Option<PublicAccessBlock>,
    pub principals: Vec<Principal>,
    /// EBS encryption by default, by region; a region missing could not be read.
    pub ebs_encryption_by_default: BTreeMap<String, bool>,
    pub account: AccountSettings,
    /// IAM users from the credential report; `None` when the report could not be had.
    pub credential_users: Option<Vec<CredentialUser>>,
    /// Snapshots owned by the account that anyone may restore, by region; a region missing
    /// could not be read.
    pub public_snapshots: BTreeMap<String, Vec<String>>,
    pub images: Vec<Image>,
    pub vpcs: Vec<Vpc>,
    pub db_snapshots: Vec<DbSnapshot>,
    pub trails: Vec<Trail>,
    /// Regions whose trails were listed (the multi-region check needs to know what it saw).
    pub trail_regions: Vec<String>,
    pub kms_keys: Vec<KmsKey>,
    /// GuardDuty by region: the detector's status, or `None` when the region has no detector;
    /// a region missing could not be read.
    pub guardduty: BTreeMap<String, Option<String>>,
    /// Config recorders by region; a region missing could not be read.
    pub config_recorders: BTreeMap<String, Vec<ConfigRecorder>>,
}

impl Inventory {
    /// Adds another collector's fragment.
    pub fn merge(&mut self, other: Inventory) {
        self.ebs_encryption_by_default
            .extend(other.ebs_encryption_by_default);
        self.public_snapshots.extend(other.public_snapshots);
        self.images.extend(other.images);
        self.vpcs.extend(other.vpcs);
        self.db_snapshots.extend(other.db_snapshots);
        self.trails.extend(other.trails);
        self.trail_regions.extend(other.trail_regions);
        self.kms_keys.extend(other.kms_keys);
        self.guardduty.extend(other.guardduty);
        self.config_recorders.extend(other.config_recorders);
        let account = other.account;
        let mine = &mut self.account;
        mine.root_mfa_enabled = mine.root_mfa_enabled.or(account.root_mfa_enabled);
        mine.root_virtual_mfa = mine.root_virtual_mfa.or(account.root_virtual_mfa);
        mine.root_access_keys_present = mine
            .root_access_keys_present
            .or(account.root_access_keys_present);
        if mine.password_policy.is_none() {
            mine.password_policy = account.password_policy;
        }
        if other.credential_users.is_some() {
            self.credential_users = other.credential_users;
        }
        self.instances.extend(other.instances);
        self.volumes.extend(other.volumes);
        self.security_groups.extend(other.security_groups);
        self.db_instances.extend(other.db_instances);
        self.db_clusters.extend(other.db_clusters);
        self.buckets.extend(other.buckets);
        self.principals.extend(other.principals);
        if other.account_public_access_block.is_some() {
            self.account_public_access_block = other.account_public_access_block;
        }
    }

    /// Keeps only resources tagged with the filter's environment. Resources whose tags are
    /// unknown or that cannot carry tags (IAM groups) are left out: they cannot be shown to
    /// belong to the environment.
    pub fn retain_environment(&mut self, filter: &EnvironmentFilter) {
        let keep = |tags: Option<&Tags>| tags.is_some_and(|t| filter.matches(t));
        self.instances.retain(|r| keep(Some(&r.tags)));
        self.volumes.retain(|r| keep(Some(&r.tags)));
        self.security_groups.retain(|r| keep(Some(&r.tags)));
        self.db_instances.retain(|r| keep(Some(&r.tags)));
        self.db_clusters.retain(|r| keep(Some(&r.tags)));
        self.buckets.retain(|r| keep(r.tags.as_ref()));
        self.principals.retain(|r| keep(r.tags.as_ref()));
        self.images.retain(|r| keep(Some(&r.tags)));
        self.vpcs.retain(|r| keep(Some(&r.tags)));
        self.db_snapshots.retain(|r| keep(Some(&r.tags)));
        // Account settings belong to no environment.
        self.ebs_encryption_by_default.clear();
        self.public_snapshots.clear();
        self.trails.clear();
        self.trail_regions.clear();
        self.kms_keys.clear();
        self.guardduty.clear();
        self.config_recorders.clear();
        self.account = AccountSettings::default();
        // Credential report rows carry no tags; keep only users still in the filtered set.
        if let Some(users) = &mut self.credential_users {
            let kept: std::collections::HashSet<&str> = self
                .principals
                .iter()
                .filter(|p| p.kind == PrincipalKind::User)
                .map(|p| p.name.as_str())
                .collect();
            users.retain(|u| kept.contains(u.name.as_str()));
        }
    }
}

/// The key [`Inventory::tags_by_resource`] files a resource's tags under.
pub fn resource_key(region: &str, resource_type: &str, resource_id: &str) -> String {
    format!("{region}/{resource_type}/{resource_id}")
}

impl Inventory {
    /// Every resource's known tags by [`resource_key`], for mutelist rules on tags. Resources
    /// whose tags were not read (buckets without a tag read, IAM groups) are absent.
    pub fn tags_by_resource(&self) -> std::collections::HashMap<String, Tags> {
        let mut tags = std::collections::HashMap::new();
        let mut add = |region: &str, resource_type: &str, id: &str, found: Option<&Tags>| {
            if let Some(found) = found {
                tags.insert(resource_key(region, resource_type, id), found.clone());
            }
        };
        for r in &self.instances {
            add(&r.region, Instance::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.volumes {
            add(&r.region, Volume::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.security_groups {
            add(
                &r.region,
                SecurityGroup::RESOURCE_TYPE,
                &r.id,
                Some(&r.tags),
            );
        }
        for r in &self.db_instances {
            add(&r.region, DbInstance::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.db_clusters {
            add(&r.region, DbCluster::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.buckets {
            add(&r.region, Bucket::RESOURCE_TYPE, &r.name, r.tags.as_ref());
        }
        for r in &self.principals {
            add("global", r.kind.resource_type(), &r.name, r.tags.as_ref());
        }
        for r in &self.images {
            add(&r.region, Image::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.vpcs {
            add(&r.region, Vpc::RESOURCE_TYPE, &r.id, Some(&r.tags));
        }
        for r in &self.db_snapshots {
            add(&r.region, r.resource_type(), &r.id, Some(&r.tags));
        }
        tags
    }
}

/// The AWS partition of a region, for building ARNs.
pub fn partition(region: &str) -> &'static str {
    if region.starts_with("cn-") {
        "aws-cn"
    } else if region.starts_with("us-gov-") {
        "aws-us-gov"
    } else if region.starts_with("us-iso-") {
        "aws-iso"
    } else if region.starts_with("us-isob-") {
        "aws-iso-b"
    } else {
        "aws"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_filter_keeps_only_tagged_resources() {
        let volume = |id: &str, t: Tags| Volume {
            id: id.into(),
            region: "us-east-1".into(),
            arn: String::new(),
            encrypted: true,
            kms_key_id: None,
            state: "available".into(),
            attached_instances: vec![],
            tags: t,
        };
        let principal = |name: &str, kind, t: Option<Tags>| Principal {
            kind,
            name: name.into(),
            arn: String::new(),
            tags: t,
            policies: vec![],
        };
        let bucket = |name: &str, t: Option<Tags>| Bucket {
            name: name.into(),
            region: "us-east-1".into(),
            arn: String::new(),
            encryption: None,
            versioning: None,
            public_access_block: None,
            policy: None,
            acl: None,
            logging: None,
            tags: t,
        };
        let mut inventory = Inventory {
            volumes: vec![
                volume("vol-prod", tags(&[("Environment", "Prod")])),
                volume("vol-dev", tags(&[("Environment", "dev")])),
                volume("vol-none", tags(&[])),
            ],
            principals: vec![
                principal(
                    "role-prod",
                    PrincipalKind::Role,
                    Some(tags(&[("Environment", "prod")])),
                ),
                principal("group", PrincipalKind::Group, None),
            ],
            buckets: vec![
                bucket("b-prod", Some(tags(&[("Environment", "prod")]))),
                bucket("b-unknown", None),
            ],
            ..Inventory::default()
        };
        inventory.retain_environment(&EnvironmentFilter::new("Environment", "prod").unwrap());
        let ids: Vec<_> = inventory.volumes.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["vol-prod"]);
        let names: Vec<_> = inventory
            .principals
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["role-prod"]);
        let buckets: Vec<_> = inventory.buckets.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(buckets, ["b-prod"]);
    }

    #[test]
    fn partitions_follow_region_prefixes() {
        assert_eq!(partition("eu-west-1"), "aws");
        assert_eq!(partition("cn-north-1"), "aws-cn");
        assert_eq!(partition("us-gov-west-1"), "aws-us-gov");
    }
}
