//! Public data: buckets, snapshots and images anyone can read.

use std::collections::BTreeSet;

use super::{detail, Links};
use crate::exposures::{exposure, Exposure, ExposureKind, ExposureStep, StepRole};
use crate::services::ec2::{Image, Snapshot};
use crate::services::rds::DbSnapshot;
use crate::services::s3::Bucket;

impl Links<'_> {
    pub(super) fn bucket(&self, bucket: &Bucket) -> Option<Exposure> {
        let at = (
            Bucket::RESOURCE_TYPE,
            bucket.region.as_str(),
            bucket.name.as_str(),
        );
        let steps: Vec<ExposureStep> = ["s3.policy_public", "s3.acl_public"]
            .iter()
            .filter_map(|check| self.failed.step(check, at, StepRole::Data, detail))
            .collect();
        if steps.is_empty() {
            return None;
        }
        Some(exposure(
            ExposureKind::PublicBucket,
            steps,
            false,
            format!("Anyone on the internet can access bucket {}.", bucket.name),
            format!(
                "Turn on the account's S3 Block Public Access (or the bucket's), then remove the \
                 public grants from {}.",
                bucket.name
            ),
        ))
    }

    /// A public EBS snapshot is an exposure when it is unencrypted or a copy of the disk of an
    /// instance reachable from the internet.
    pub(super) fn ebs_snapshot(
        &self,
        snapshot: &Snapshot,
        reachable: &BTreeSet<&str>,
    ) -> Option<Exposure> {
        let of_reachable = snapshot.volume_id.as_deref().and_then(|volume| {
            self.inventory
                .ec2
                .volumes
                .iter()
                .find(|v| v.id == volume)?
                .attached_instances
                .iter()
                .find(|i| reachable.contains(i.as_str()))
        });
        if snapshot.encrypted && of_reachable.is_none() {
            return None;
        }
        let at = (
            Snapshot::RESOURCE_TYPE,
            snapshot.region.as_str(),
            snapshot.id.as_str(),
        );
        let step = self
            .failed
            .step("ec2.ebs_snapshot_public", at, StepRole::Data, |r| {
                let mut said = r.detail.clone();
                if !snapshot.encrypted {
                    said.push_str(" It is not encrypted.");
                }
                if let Some(instance) = of_reachable {
                    said.push_str(&format!(
                        " It copies a disk of {instance}, which is reachable from the internet."
                    ));
                }
                said
            })?;
        Some(exposure(
            ExposureKind::PublicSnapshot,
            vec![step],
            false,
            format!(
                "Anyone can create a volume from EBS snapshot {}.",
                snapshot.id
            ),
            format!(
                "Remove the public createVolumePermission from {}.",
                snapshot.id
            ),
        ))
    }

    /// AWS does not let an AMI with encrypted volumes be made public ("Share an AMI publicly",
    /// https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/sharingamis-intro.html), so a public
    /// one always holds readable disks.
    pub(super) fn image(&self, image: &Image) -> Option<Exposure> {
        let at = (
            Image::RESOURCE_TYPE,
            image.region.as_str(),
            image.id.as_str(),
        );
        let step = self
            .failed
            .step("ec2.ami_public", at, StepRole::Data, |r| {
                format!(
                    "{} Its disks are readable by whoever launches it.",
                    r.detail
                )
            })?;
        Some(exposure(
            ExposureKind::PublicImage,
            vec![step],
            false,
            format!("Anyone can launch AMI {} and read its disks.", image.id),
            format!("Remove the public launch permission from {}.", image.id),
        ))
    }

    pub(super) fn db_snapshot(&self, snapshot: &DbSnapshot) -> Option<Exposure> {
        let at = (
            snapshot.resource_type(),
            snapshot.region.as_str(),
            snapshot.id.as_str(),
        );
        let mut steps =
            vec![self
                .failed
                .step("rds.snapshot_public", at, StepRole::Data, detail)?];
        steps.extend(
            self.failed
                .step("rds.snapshot_encrypted", at, StepRole::Ease, detail),
        );
        Some(exposure(
            ExposureKind::PublicSnapshot,
            steps,
            false,
            format!(
                "Any AWS account can restore database snapshot {}.",
                snapshot.id
            ),
            format!(
                "Remove \"all\" from the restore attribute of {}.",
                snapshot.id
            ),
        ))
    }
}
