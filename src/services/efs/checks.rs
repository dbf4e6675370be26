//! EFS file systems: encrypted at rest.

use super::FileSystem;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&ENCRYPTED];

/// FSBP EFS.1, AWS Config rule `efs-encrypted-check` (Security Hub sets no `KmsKeyId`): a file
/// system fails when `Encrypted` is false. CIS AWS Foundations v3.0.0 2.4.1 (v7.0.0 3.3.1)
/// audits the same field. Encryption is chosen at creation and cannot change.
/// <https://docs.aws.amazon.com/config/latest/developerguide/efs-encrypted-check.html>
const ENCRYPTED: Check = Check {
    id: "efs.encrypted",
    service: Service::Efs,
    severity: Severity::Medium,
    resource_types: &[FileSystem::RESOURCE_TYPE],
    title: "EFS file systems are encrypted at rest",
    rationale: "An unencrypted file system keeps its files, and the backups taken of it, readable to anyone who reaches the storage or a copy, with no key policy or CloudTrail record of key use in between.",
    remediation: "Encryption is set when a file system is created: create an encrypted one (aws efs create-file-system --encrypted [--kms-key-id ...]), copy the data over with AWS DataSync, move the mounts, and delete the old one.",
    reference: "https://docs.aws.amazon.com/efs/latest/ug/encryption-at-rest.html",
    fsbp: &["EFS.1"],
    cis: &["2.4.1"],
    triggers: &[EventTrigger {
        source: "elasticfilesystem.amazonaws.com",
        names: &["CreateFileSystem", "DeleteFileSystem"],
    }],
    reads: &[Read::all("elasticfilesystem:DescribeFileSystems")],
    evaluate: encrypted,
};

fn encrypted(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for file_system in &inventory.efs.file_systems {
        let Some(encrypted) = file_system.encrypted else {
            continue;
        };
        let resource = Resource {
            resource_type: FileSystem::RESOURCE_TYPE,
            id: &file_system.id,
            name: file_system.name.as_deref(),
            arn: Some(&file_system.arn),
            region: &file_system.region,
        };
        verdicts.judge(
            &resource,
            encrypted,
            || "Encrypted is true: the file system's data is encrypted at rest.".into(),
            || "Encrypted is false: the file system's data is stored unencrypted.".into(),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::FileSystem;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, run, Case};
    use crate::services::{efs, Inventory};

    fn file_system(id: &str, encrypted: Option<bool>) -> FileSystem {
        FileSystem {
            id: id.into(),
            name: None,
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticfilesystem:us-east-1:123456789012:file-system/{id}"),
            encrypted,
            tags: Default::default(),
        }
    }

    fn file_systems() -> Inventory {
        Inventory::from(efs::Inventory {
            file_systems: vec![
                file_system("fs-encrypted", Some(true)),
                file_system("fs-plain", Some(false)),
                file_system("fs-unsaid", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("fs-encrypted", Status::Pass), ("fs-plain", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "efs.encrypted",
                resource_id,
                expected,
                inventory: file_systems,
                region: None,
            })
            .into()
    }

    #[test]
    fn an_answer_without_the_field_gives_no_verdict() {
        none(&run(&file_systems()), "efs.encrypted", "fs-unsaid");
    }
}
