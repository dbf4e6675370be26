//! EC2 instances and EBS volumes.

use super::{instance_resource, Image, Instance, Snapshot, Volume};
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::model::{Severity, Status};
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Resource, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &IMDSV2_REQUIRED,
    &EBS_ENCRYPTED,
    &NO_PUBLIC_IP,
    &EBS_DEFAULT_ENCRYPTION,
    &EBS_SNAPSHOT_PUBLIC,
    &SNAPSHOT_BLOCK_PUBLIC_ACCESS,
    &AMI_PUBLIC,
    &super::network::TRANSIT_GATEWAY_AUTO_ACCEPT,
    &super::network::LAUNCH_TEMPLATE_PUBLIC_IP,
    &super::instance_role::INSTANCE_ROLE,
];

/// What can change an instance's metadata options (a launch, a termination).
const METADATA_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "RunInstances",
        "ModifyInstanceMetadataOptions",
        "TerminateInstances",
    ],
}];

/// What can create or remove a volume (a launch creates its root and mapped volumes).
const VOLUME_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &["CreateVolume", "RunInstances", "DeleteVolume"],
}];

/// What can give an instance a public address or take it away (a stop releases an automatic one,
/// a start assigns a new one).
const PUBLIC_IP_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "RunInstances",
        "StartInstances",
        "StopInstances",
        "TerminateInstances",
        "AssociateAddress",
        "DisassociateAddress",
        "AttachNetworkInterface",
        "DetachNetworkInterface",
    ],
}];

/// What can change a region's EBS encryption by default.
const EBS_DEFAULT_ENCRYPTION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "EnableEbsEncryptionByDefault",
        "DisableEbsEncryptionByDefault",
    ],
}];

/// What can share or unshare a snapshot, create or remove one, or change the region's block
/// public access for snapshots.
const SNAPSHOT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "ModifySnapshotAttribute",
        "ResetSnapshotAttribute",
        "CreateSnapshot",
        "CreateSnapshots",
        "CopySnapshot",
        "DeleteSnapshot",
        "EnableSnapshotBlockPublicAccess",
        "DisableSnapshotBlockPublicAccess",
    ],
}];

/// What can change an AMI's launch permissions, or create or remove one.
const IMAGE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "ModifyImageAttribute",
        "ResetImageAttribute",
        "CreateImage",
        "RegisterImage",
        "CopyImage",
        "DeregisterImage",
    ],
}];

const IMDSV2_REQUIRED: Check = Check {
    id: "ec2.imdsv2_required",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: &[Instance::RESOURCE_TYPE],
    title: "EC2 instances require IMDSv2",
    rationale: "IMDSv1 answers plain GET requests, so a server-side request forgery in any \
                application on the instance can read the instance role's credentials.",
    remediation: "Set HttpTokens to required: aws ec2 modify-instance-metadata-options \
                  --instance-id <id> --http-tokens required --http-endpoint enabled.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
    fsbp: &["EC2.8"],
    cis: &["5.6"],
    triggers: METADATA_CHANGES,
    reads: &[Read::all("ec2:DescribeInstances")],
    evaluate: imdsv2_required,
};

/// A disabled metadata endpoint passes: IMDSv1 cannot be used. FSBP EC2.8's rule
/// (`ec2-imdsv2-check`, NON_COMPLIANT "if the HttpTokens is set to optional") and CIS 5.6's
/// audit judge HttpTokens alone, so every result carries `http tokens <value>` and those two
/// requirements decide on it (`compliance::frameworks::fails_requirement`).
fn imdsv2_required(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for instance in &inventory.ec2.instances {
        let resource = instance_resource(instance);
        let tokens = instance.http_tokens.as_deref();
        let facts = || {
            tokens
                .map(|t| format!("http tokens {t}"))
                .into_iter()
                .collect()
        };
        match (instance.http_endpoint.as_deref(), tokens) {
            (Some("disabled"), _) => verdicts.record_with_facts(
                &resource,
                Status::Pass,
                "The instance metadata endpoint is disabled, so IMDSv1 cannot be used.".into(),
                facts(),
            ),
            (_, Some("required")) => verdicts.record_with_facts(
                &resource,
                Status::Pass,
                "HttpTokens is required: only IMDSv2 session-token requests are accepted.".into(),
                facts(),
            ),
            (_, Some(tokens)) => verdicts.record_with_facts(
                &resource,
                Status::Fail,
                format!(
                    "HttpTokens is {tokens}: IMDSv1 requests are accepted ({} instance).",
                    instance.state
                ),
                facts(),
            ),
            (_, None) => verdicts.fail(
                &resource,
                "No metadata options were reported, so IMDSv1 cannot be ruled out.".into(),
            ),
        }
    }
}

const EBS_ENCRYPTED: Check = Check {
    id: "ec2.ebs_encrypted",
    service: Service::Ec2,
    severity: Severity::Medium,
    resource_types: &[Volume::RESOURCE_TYPE],
    title: "EBS volumes are encrypted",
    rationale: "Unencrypted volumes, and the snapshots taken of them, expose their data to \
                anyone who can copy or share the snapshot.",
    remediation: "Snapshot the volume, copy the snapshot with encryption, create a volume from \
                  it and swap it in; enable EBS encryption by default for the region.",
    reference: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    fsbp: &["EC2.3"],
    // CIS 2.2.1 asks for encryption by default (`ec2.ebs_default_encryption`), not of each volume.
    cis: &[],
    triggers: VOLUME_CHANGES,
    reads: &[Read::all("ec2:DescribeVolumes")],
    evaluate: ebs_encrypted,
};

fn ebs_encrypted(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for volume in &inventory.ec2.volumes {
        let resource = Resource {
            resource_type: Volume::RESOURCE_TYPE,
            id: &volume.id,
            name: None,
            arn: Some(&volume.arn),
            region: &volume.region,
        };
        let attachment = if volume.attached_instances.is_empty() {
            "not attached".to_string()
        } else {
            format!("attached to {}", volume.attached_instances.join(", "))
        };
        // EC2.3's rule (`encrypted-volumes`) judges attached volumes only.
        let facts = vec![
            if volume.encrypted {
                "encrypted"
            } else {
                "unencrypted"
            }
            .to_string(),
            if volume.attached_instances.is_empty() {
                "unattached"
            } else {
                "attached"
            }
            .to_string(),
        ];
        verdicts.judge_with_facts(
            &resource,
            volume.encrypted,
            || match &volume.kms_key_id {
                Some(key) => format!(
                    "The volume is encrypted with KMS key {key} ({}, {attachment}).",
                    volume.state
                ),
                None => format!("The volume is encrypted ({}, {attachment}).", volume.state),
            },
            || {
                format!(
                    "The volume is not encrypted ({}, {attachment}).",
                    volume.state
                )
            },
            facts,
        );
    }
}

const NO_PUBLIC_IP: Check = Check {
    id: "ec2.no_public_ip",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: &[Instance::RESOURCE_TYPE],
    title: "EC2 instances have no public IPv4 address",
    rationale: "A public address makes the instance reachable from the internet whenever a \
                security group or network ACL is too open.",
    remediation: "Launch into private subnets behind a load balancer or NAT, disable \
                  auto-assign public IPv4 on the subnet, and release unneeded Elastic IPs.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html",
    fsbp: &["EC2.9"],
    cis: &[],
    triggers: PUBLIC_IP_CHANGES,
    reads: &[Read::all("ec2:DescribeInstances")],
    evaluate: no_public_ip,
};

fn no_public_ip(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for instance in &inventory.ec2.instances {
        verdicts.judge(
            &instance_resource(instance),
            instance.public_ips.is_empty(),
            || "The instance has no public IPv4 address.".into(),
            || match instance.public_ips.as_slice() {
                [one] => format!("The instance has public IPv4 address {one}."),
                many => format!(
                    "The instance has public IPv4 addresses {}.",
                    many.join(", ")
                ),
            },
        );
    }
}

const EBS_DEFAULT_ENCRYPTION: Check = Check {
    id: "ec2.ebs_default_encryption",
    service: Service::Ec2,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "EBS encryption by default is enabled in every audited region",
    rationale: "With encryption by default, every new volume and snapshot copy in the region is \
                encrypted, whoever creates it and however; an empty region is where an attacker \
                or a forgotten script creates resources unnoticed.",
    remediation: "aws ec2 enable-ebs-encryption-by-default --region <region> (and optionally \
                  modify-ebs-default-kms-key-id for a customer managed key).",
    reference: "https://docs.aws.amazon.com/ebs/latest/userguide/encryption-by-default.html",
    fsbp: &["EC2.7"],
    cis: &["2.2.1"],
    triggers: EBS_DEFAULT_ENCRYPTION_CHANGES,
    reads: &[Read::all("ec2:GetEbsEncryptionByDefault")],
    evaluate: ebs_default_encryption,
};

fn ebs_default_encryption(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, enabled) in &inventory.ec2.ebs_encryption_by_default {
        verdicts.judge_account(
            region,
            *enabled,
            || format!("EBS encryption by default is enabled in {region}."),
            || format!("EBS encryption by default is disabled in {region}: new volumes there are unencrypted unless their creator asks."),
        );
    }
}

const EBS_SNAPSHOT_PUBLIC: Check = Check {
    id: "ec2.ebs_snapshot_public",
    service: Service::Ec2,
    severity: Severity::Critical,
    resource_types: &[Snapshot::RESOURCE_TYPE],
    title: "EBS snapshots owned by the account are not public",
    rationale: "Anyone can create a volume from a public snapshot and read every block of it: \
                databases, keys and files included.",
    remediation: "aws ec2 modify-snapshot-attribute --snapshot-id <id> --attribute \
                  createVolumePermission --operation-type remove --group-names all; and turn on \
                  block public access for snapshots in the region.",
    reference:
        "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-modifying-snapshot-permissions.html",
    fsbp: &["EC2.1"],
    cis: &[],
    triggers: SNAPSHOT_CHANGES,
    reads: &[
        Read::all("ec2:DescribeSnapshots"),
        Read::all("ec2:GetSnapshotBlockPublicAccessState"),
    ],
    evaluate: ebs_snapshot_public,
};

/// One verdict per owned snapshot, so that one intentionally public snapshot can be muted
/// alone and a second one made public later is a new finding. Shared with named accounts is
/// not public; a public snapshot in a region whose block public access is `block-all-sharing`
/// is not publicly available, and passes saying so; where that state could not be read, a
/// public snapshot gets no verdict (an unread block is neither a pass nor a fail: the error
/// entry names `ec2:GetSnapshotBlockPublicAccessState`).
fn ebs_snapshot_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let blocks = &inventory.ec2.snapshot_block_public_access;
    for snapshot in &inventory.ec2.snapshots {
        let resource = Resource {
            resource_type: Snapshot::RESOURCE_TYPE,
            id: &snapshot.id,
            name: None,
            arn: Some(&snapshot.arn),
            region: &snapshot.region,
        };
        if !snapshot.public {
            verdicts.pass(
                &resource,
                "The snapshot is not restorable by everyone.".into(),
            );
            continue;
        }
        match blocks.get(&snapshot.region).map(String::as_str) {
            // The permissions say public, but block-all-sharing would make it private: with
            // the block unread there is no verdict (the error names the permission to grant).
            None => {}
            Some("block-all-sharing") => verdicts.pass(
                &resource,
                format!("The snapshot's permissions say public, but block public access for snapshots is block-all-sharing in {}: it is not publicly available.", snapshot.region),
            ),
            Some(state) => verdicts.fail(
                &resource,
                format!("The snapshot is public: anyone may create a volume from it (createVolumePermission group all; block public access for snapshots is {state})."),
            ),
        }
    }
}

/// What can change a region's block public access for snapshots.
const SNAPSHOT_BLOCK_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "EnableSnapshotBlockPublicAccess",
        "DisableSnapshotBlockPublicAccess",
    ],
}];

/// FSBP EC2.182, AWS Config rule `ebs-snapshot-block-public-access` (no parameters): per
/// region, block public access must block all public sharing (`block-all-sharing`);
/// `block-new-sharing` leaves snapshots already public publicly available and fails, as
/// `unblocked` does. <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-182>
const SNAPSHOT_BLOCK_PUBLIC_ACCESS: Check = Check {
    id: "ec2.snapshot_block_public_access",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Block public access for EBS snapshots blocks all sharing in every audited region",
    rationale: "With all public sharing blocked, no snapshot of the region can be made public, \
                by mistake or by an attacker, and the ones whose permissions still say public \
                are not publicly available.",
    remediation: "aws ec2 enable-snapshot-block-public-access --state block-all-sharing --region \
                  <region>.",
    reference:
        "https://docs.aws.amazon.com/ebs/latest/userguide/block-public-access-snapshots.html",
    fsbp: &["EC2.182"],
    cis: &[],
    triggers: SNAPSHOT_BLOCK_CHANGES,
    reads: &[Read::all("ec2:GetSnapshotBlockPublicAccessState")],
    evaluate: snapshot_block_public_access,
};

fn snapshot_block_public_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    if inventory.ec2.environment_filtered {
        return;
    }
    for (region, state) in &inventory.ec2.snapshot_block_public_access {
        verdicts.judge_account(
            region,
            state == "block-all-sharing",
            || format!("Block public access for snapshots is block-all-sharing in {region}."),
            || match state.as_str() {
                "block-new-sharing" => format!("Block public access for snapshots is block-new-sharing in {region}: snapshots already public stay publicly available."),
                _ => format!("Block public access for snapshots is {state} in {region}: any snapshot there can be made public."),
            },
        );
    }
}

const AMI_PUBLIC: Check = Check {
    id: "ec2.ami_public",
    service: Service::Ec2,
    severity: Severity::Critical,
    resource_types: &[Image::RESOURCE_TYPE],
    title: "AMIs owned by the account are not public",
    rationale: "A public AMI lets anyone launch a copy of the machine: its disks, baked-in \
                credentials and configuration.",
    remediation: "aws ec2 modify-image-attribute --image-id <id> --launch-permission \
                  \"Remove=[{Group=all}]\"; and turn on block public access for AMIs.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html",
    fsbp: &[],
    cis: &[],
    triggers: IMAGE_CHANGES,
    reads: &[Read::all("ec2:DescribeImages")],
    evaluate: |inventory, _, verdicts| {
        for image in &inventory.ec2.images {
            let resource = Resource {
                resource_type: Image::RESOURCE_TYPE,
                id: &image.id,
                name: Some(&image.name),
                arn: Some(&image.arn),
                region: &image.region,
            };
            verdicts.judge(
                &resource,
                !image.public,
                || "The image is private to the account (and whom it is shared with).".into(),
                || "The image is public: any AWS account can launch it.".into(),
            );
        }
    },
};

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Image, Instance, Snapshot, Volume};
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{ec2, Inventory};

    pub fn cases() -> Vec<Case> {
        let instances = || {
            Inventory::from(ec2::Inventory {
                instances: vec![
                    instance("i-required", Some("enabled"), Some("required"), None),
                    instance(
                        "i-optional",
                        Some("enabled"),
                        Some("optional"),
                        Some("54.1.2.3"),
                    ),
                ],
                ..Default::default()
            })
        };
        let volumes = || {
            Inventory::from(ec2::Inventory {
                volumes: vec![
                    Volume {
                        id: "vol-enc".into(),
                        encrypted: true,
                        ..Default::default()
                    },
                    Volume {
                        id: "vol-plain".into(),
                        ..Default::default()
                    },
                ],
                ..Default::default()
            })
        };
        let case = |check, resource_id, expected, inventory| Case {
            check,
            resource_id,
            expected,
            inventory,
            region: None,
        };
        let regions = || {
            Inventory::from(ec2::Inventory {
                ebs_encryption_by_default: [
                    ("eu-west-1".to_string(), true),
                    ("us-east-1".to_string(), false),
                ]
                .into(),
                snapshots: vec![
                    Snapshot {
                        id: "snap-0private".into(),
                        ..Default::default()
                    },
                    Snapshot {
                        id: "snap-0public".into(),
                        region: "us-east-1".into(),
                        public: true,
                        ..Default::default()
                    },
                ],
                snapshot_block_public_access: [
                    ("us-east-1".to_string(), "unblocked".to_string()),
                    ("eu-west-1".to_string(), "block-all-sharing".to_string()),
                    ("eu-north-1".to_string(), "block-new-sharing".to_string()),
                ]
                .into(),
                images: vec![
                    Image {
                        id: "ami-private".into(),
                        ..Default::default()
                    },
                    Image {
                        id: "ami-public".into(),
                        public: true,
                        ..Default::default()
                    },
                ],
                ..Default::default()
            })
        };
        vec![
            case("ec2.imdsv2_required", "i-required", Status::Pass, instances),
            case("ec2.imdsv2_required", "i-optional", Status::Fail, instances),
            case("ec2.no_public_ip", "i-required", Status::Pass, instances),
            case("ec2.no_public_ip", "i-optional", Status::Fail, instances),
            case("ec2.ebs_encrypted", "vol-enc", Status::Pass, volumes),
            case("ec2.ebs_encrypted", "vol-plain", Status::Fail, volumes),
        ]
        .into_iter()
        .chain(
            [(Status::Pass, "eu-west-1"), (Status::Fail, "us-east-1")].map(|(expected, region)| {
                Case {
                    check: "ec2.ebs_default_encryption",
                    resource_id: "123456789012",
                    expected,
                    inventory: regions,
                    region: Some(region),
                }
            }),
        )
        .chain(
            [
                ("snap-0private", Status::Pass),
                ("snap-0public", Status::Fail),
            ]
            .map(|(resource_id, expected)| Case {
                check: "ec2.ebs_snapshot_public",
                resource_id,
                expected,
                inventory: regions,
                region: None,
            }),
        )
        .chain(
            [
                (Status::Pass, "eu-west-1"),
                (Status::Fail, "us-east-1"),
                (Status::Fail, "eu-north-1"),
            ]
            .map(|(expected, region)| Case {
                check: "ec2.snapshot_block_public_access",
                resource_id: "123456789012",
                expected,
                inventory: regions,
                region: Some(region),
            }),
        )
        .chain(
            [("ami-private", Status::Pass), ("ami-public", Status::Fail)].map(
                |(resource_id, expected)| Case {
                    check: "ec2.ami_public",
                    resource_id,
                    expected,
                    inventory: regions,
                    region: None,
                },
            ),
        )
        .chain(super::super::network::tests::cases())
        .chain(super::super::instance_role::tests::cases())
        .collect()
    }

    fn instance(
        id: &str,
        endpoint: Option<&str>,
        tokens: Option<&str>,
        ip: Option<&str>,
    ) -> Instance {
        Instance {
            id: id.into(),
            region: "eu-west-1".into(),
            arn: format!("arn:aws:ec2:eu-west-1:123456789012:instance/{id}"),
            state: "stopped".into(),
            http_tokens: tokens.map(Into::into),
            http_endpoint: endpoint.map(Into::into),
            public_ips: ip.into_iter().map(Into::into).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_public_snapshot_under_block_all_sharing_is_not_publicly_available() {
        let public = |id: &str, region: &str| Snapshot {
            id: id.into(),
            region: region.into(),
            public: true,
            ..Default::default()
        };
        let results = run(&Inventory::from(ec2::Inventory {
            snapshots: vec![
                public("snap-blocked", "eu-west-1"),
                public("snap-new-only", "us-west-2"),
                public("snap-unknown", "ap-south-1"),
                Snapshot {
                    id: "snap-private".into(),
                    region: "ap-south-1".into(),
                    ..Default::default()
                },
            ],
            snapshot_block_public_access: [
                ("eu-west-1".to_string(), "block-all-sharing".to_string()),
                ("us-west-2".to_string(), "block-new-sharing".to_string()),
            ]
            .into(),
            ..Default::default()
        }));
        let blocked = only(&results, "ec2.ebs_snapshot_public", "snap-blocked");
        assert_eq!(blocked.status, Status::Pass);
        assert!(
            blocked.detail.contains("block-all-sharing"),
            "{}",
            blocked.detail
        );
        // Blocking new sharing leaves existing public snapshots public.
        assert_eq!(
            only(&results, "ec2.ebs_snapshot_public", "snap-new-only").status,
            Status::Fail
        );
        // The state could not be read: a public snapshot has no verdict.
        assert!(!results
            .iter()
            .any(|r| r.check_id == "ec2.ebs_snapshot_public" && r.resource_id == "snap-unknown"));
        assert_eq!(
            only(&results, "ec2.ebs_snapshot_public", "snap-private").status,
            Status::Pass
        );
    }

    #[test]
    fn imdsv2_passes_when_required_or_endpoint_disabled() {
        let inventory = Inventory::from(ec2::Inventory {
            instances: vec![
                instance("i-required", Some("enabled"), Some("required"), None),
                instance("i-optional", Some("enabled"), Some("optional"), None),
                instance("i-disabled", Some("disabled"), Some("optional"), None),
                instance("i-unknown", None, None, None),
            ],
            ..Default::default()
        });
        let results = run(&inventory);
        let status = |id| only(&results, "ec2.imdsv2_required", id).status;
        assert_eq!(status("i-required"), Status::Pass);
        assert_eq!(status("i-disabled"), Status::Pass);
        assert_eq!(status("i-unknown"), Status::Fail);
        let optional = only(&results, "ec2.imdsv2_required", "i-optional");
        assert_eq!(optional.status, Status::Fail);
        assert!(optional
            .detail
            .starts_with("HttpTokens is optional: IMDSv1 requests are accepted"));
        assert!(optional.detail.contains("stopped"));
    }

    #[test]
    fn public_ip_fails_and_names_the_address() {
        let inventory = Inventory::from(ec2::Inventory {
            instances: vec![
                instance(
                    "i-public",
                    Some("enabled"),
                    Some("required"),
                    Some("54.1.2.3"),
                ),
                instance("i-private", Some("enabled"), Some("required"), None),
            ],
            ..Default::default()
        });
        let results = run(&inventory);
        let public = only(&results, "ec2.no_public_ip", "i-public");
        assert_eq!(public.status, Status::Fail);
        assert!(public.detail.contains("54.1.2.3"));
        assert_eq!(
            only(&results, "ec2.no_public_ip", "i-private").status,
            Status::Pass
        );
    }

    #[test]
    fn a_public_address_on_a_secondary_interface_fails_too() {
        let mut multi = instance("i-multi", Some("enabled"), Some("required"), None);
        multi.public_ips = vec!["3.3.3.3".into(), "18.1.1.1".into()];
        let results = run(&Inventory::from(ec2::Inventory {
            instances: vec![multi],
            ..Default::default()
        }));
        let result = only(&results, "ec2.no_public_ip", "i-multi");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(
            result.detail,
            "The instance has public IPv4 addresses 3.3.3.3, 18.1.1.1."
        );
    }

    #[test]
    fn every_volume_is_judged_attached_or_not() {
        let volume = |id: &str, encrypted, attached: &[&str]| Volume {
            id: id.into(),
            region: "eu-west-1".into(),
            arn: String::new(),
            encrypted,
            kms_key_id: encrypted.then(|| "alias/aws/ebs".to_string()),
            state: if attached.is_empty() {
                "available"
            } else {
                "in-use"
            }
            .into(),
            attached_instances: attached.iter().map(|s| s.to_string()).collect(),
            tags: Default::default(),
        };
        let inventory = Inventory::from(ec2::Inventory {
            volumes: vec![
                volume("vol-enc", true, &["i-1"]),
                volume("vol-plain", false, &["i-1"]),
                volume("vol-loose", false, &[]),
            ],
            ..Default::default()
        });
        let results = run(&inventory);
        assert_eq!(
            only(&results, "ec2.ebs_encrypted", "vol-enc").status,
            Status::Pass
        );
        let plain = only(&results, "ec2.ebs_encrypted", "vol-plain");
        assert_eq!(plain.status, Status::Fail);
        assert!(plain.detail.contains("attached to i-1"));
        assert_eq!(
            only(&results, "ec2.ebs_encrypted", "vol-loose").status,
            Status::Fail
        );
        assert!(only(&results, "ec2.ebs_encrypted", "vol-loose")
            .resource_arn
            .is_none());
    }

    #[test]
    fn an_environment_filtered_report_judges_no_snapshot_block_setting() {
        let inventory = |filtered: bool| {
            Inventory::from(ec2::Inventory {
                snapshot_block_public_access: [("us-east-1".to_string(), "unblocked".to_string())]
                    .into(),
                environment_filtered: filtered,
                ..Default::default()
            })
        };
        let judged = |filtered| {
            run(&inventory(filtered))
                .iter()
                .filter(|r| r.check_id == "ec2.snapshot_block_public_access")
                .count()
        };
        assert_eq!((judged(false), judged(true)), (1, 0));
    }
}
