//! EC2: instances, EBS volumes and snapshots, AMIs, transit gateways, and the region's EBS
//! encryption-by-default and snapshot block public access settings.

mod checks;
mod collect;
mod instance_role;
mod network;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::{collect, ec2_arn, ec2_tags};

use std::collections::BTreeMap;

use super::checks::Resource;
use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ec2"],
    permissions: &[
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:GetEbsEncryptionByDefault",
        "ec2:DescribeSnapshots",
        "ec2:GetSnapshotBlockPublicAccessState",
        "ec2:DescribeImages",
        "ec2:DescribeTransitGateways",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeLaunchTemplateVersions",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

/// What EC2 showed of one account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub instances: Vec<Instance>,
    pub volumes: Vec<Volume>,
    /// EBS encryption by default, by region; a region missing could not be read.
    pub ebs_encryption_by_default: BTreeMap<String, bool>,
    /// Snapshots the account owns, in the regions where both listings (owned, and public
    /// among them) could be read.
    pub snapshots: Vec<Snapshot>,
    /// Snapshot block public access by region (`block-all-sharing`, `block-new-sharing`,
    /// `unblocked`); a region missing could not be read. Kept under an environment filter
    /// (the kept snapshots' verdicts rest on it), where `environment_filtered` says it is not
    /// itself judged: account settings belong to no environment.
    pub snapshot_block_public_access: BTreeMap<String, String>,
    pub environment_filtered: bool,
    pub images: Vec<Image>,
    /// Transit gateways the account owns.
    pub transit_gateways: Vec<TransitGateway>,
    pub launch_templates: Vec<LaunchTemplate>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.instances.extend(other.instances);
        self.volumes.extend(other.volumes);
        self.ebs_encryption_by_default
            .extend(other.ebs_encryption_by_default);
        self.snapshots.extend(other.snapshots);
        self.snapshot_block_public_access
            .extend(other.snapshot_block_public_access);
        self.images.extend(other.images);
        self.transit_gateways.extend(other.transit_gateways);
        self.launch_templates.extend(other.launch_templates);
        self.environment_filtered |= other.environment_filtered;
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.instances, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.volumes, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.snapshots, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.images, in_environment, |r| Some(&r.tags));
        retain_tagged(&mut self.transit_gateways, in_environment, |r| {
            Some(&r.tags)
        });
        retain_tagged(&mut self.launch_templates, in_environment, |r| {
            Some(&r.tags)
        });
        self.ebs_encryption_by_default.clear();
        self.environment_filtered = true;
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for r in &self.instances {
            found(&r.region, Instance::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.volumes {
            found(&r.region, Volume::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.snapshots {
            found(&r.region, Snapshot::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.images {
            found(&r.region, Image::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.transit_gateways {
            found(&r.region, TransitGateway::RESOURCE_TYPE, &r.id, &r.tags);
        }
        for r in &self.launch_templates {
            found(&r.region, LaunchTemplate::RESOURCE_TYPE, &r.id, &r.tags);
        }
    }
}

/// An EC2 instance in any state but terminated.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Instance {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub state: String,
    /// `required` or `optional`; `None` when the API did not report metadata options.
    pub http_tokens: Option<String>,
    /// `enabled` or `disabled`.
    pub http_endpoint: Option<String>,
    /// Public IPv4 addresses of the instance and of all its network interfaces.
    pub public_ips: Vec<String>,
    /// The security groups of its network interfaces that have a public address.
    pub public_interface_groups: Vec<String>,
    /// The ARN of the instance profile associated with it (its role comes from IAM).
    pub instance_profile: Option<String>,
    pub tags: Tags,
}

impl Instance {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Instance";
}

/// An EBS volume, attached or not.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Volume {
    pub id: String,
    pub region: String,
    pub arn: String,
    pub encrypted: bool,
    pub kms_key_id: Option<String>,
    pub state: String,
    pub attached_instances: Vec<String>,
    pub tags: Tags,
}

impl Volume {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Volume";
}

/// A transit gateway the audited account owns (not one shared with it).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TransitGateway {
    pub id: String,
    pub region: String,
    pub arn: String,
    /// `available`, `pending`, `modifying` …
    pub state: String,
    /// `AutoAcceptSharedAttachments` as AWS writes it (`enable` or `disable`); `None`: not said.
    pub auto_accept_shared_attachments: Option<String>,
    pub tags: Tags,
}

impl TransitGateway {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::TransitGateway";
}

/// A launch template with what its default version's network interfaces ask for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchTemplate {
    pub id: String,
    pub name: String,
    pub region: String,
    pub arn: String,
    pub default_version: Option<i64>,
    /// The device indexes of the default version's network interfaces with
    /// `AssociatePublicIpAddress` true; `None`: the default version could not be read.
    pub public_ip_interfaces: Option<Vec<i32>>,
    pub tags: Tags,
}

impl LaunchTemplate {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::LaunchTemplate";
}

/// An AMI owned by the audited account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Image {
    pub id: String,
    pub name: String,
    pub region: String,
    pub arn: String,
    pub public: bool,
    pub tags: Tags,
}

impl Image {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Image";
}

/// An EBS snapshot owned by the audited account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub id: String,
    pub region: String,
    pub arn: String,
    /// Anyone may create a volume from it (`createVolumePermission` group `all`).
    pub public: bool,
    pub encrypted: bool,
    /// The volume it was taken from (AWS reports an unknown id for copies).
    pub volume_id: Option<String>,
    pub tags: Tags,
}

impl Snapshot {
    pub const RESOURCE_TYPE: &'static str = "AWS::EC2::Snapshot";
}

pub(super) fn instance_resource(instance: &Instance) -> Resource<'_> {
    Resource {
        resource_type: Instance::RESOURCE_TYPE,
        id: &instance.id,
        name: None,
        arn: Some(&instance.arn),
        region: &instance.region,
    }
}
