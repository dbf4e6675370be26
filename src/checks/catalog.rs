//! Every check, declared once: id, severity, what it means and how to fix it.

use crate::report::Severity;
use crate::request::Service;

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    pub id: &'static str,
    pub service: Service,
    pub severity: Severity,
    pub resource_types: &'static [&'static str],
    pub title: &'static str,
    pub rationale: &'static str,
    pub remediation: &'static str,
    pub reference: &'static str,
    /// AWS Security Hub Foundational Security Best Practices control ids.
    pub fsbp: &'static [&'static str],
    /// CIS AWS Foundations Benchmark v3.0.0 recommendation numbers.
    pub cis: &'static [&'static str],
}

const INSTANCE: &[&str] = &["AWS::EC2::Instance"];
const VOLUME: &[&str] = &["AWS::EC2::Volume"];
const DB: &[&str] = &["AWS::RDS::DBInstance", "AWS::RDS::DBCluster"];
const BUCKET: &[&str] = &["AWS::S3::Bucket"];
const PRINCIPAL: &[&str] = &["AWS::IAM::Role", "AWS::IAM::User", "AWS::IAM::Group"];
const SECURITY_GROUP: &[&str] = &["AWS::EC2::SecurityGroup"];

pub const EC2_IMDSV2_REQUIRED: Check = Check {
    id: "ec2.imdsv2_required",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: INSTANCE,
    title: "EC2 instances require IMDSv2",
    rationale: "IMDSv1 answers plain GET requests, so a server-side request forgery in any \
                application on the instance can read the instance role's credentials.",
    remediation: "Set HttpTokens to required: aws ec2 modify-instance-metadata-options \
                  --instance-id <id> --http-tokens required --http-endpoint enabled.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html",
    fsbp: &["EC2.8"],
    cis: &["5.6"],
};

pub const EC2_EBS_ENCRYPTED: Check = Check {
    id: "ec2.ebs_encrypted",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: VOLUME,
    title: "EBS volumes are encrypted",
    rationale: "Unencrypted volumes, and the snapshots taken of them, expose their data to \
                anyone who can copy or share the snapshot.",
    remediation: "Snapshot the volume, copy the snapshot with encryption, create a volume from \
                  it and swap it in; enable EBS encryption by default for the region.",
    reference: "https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html",
    fsbp: &["EC2.3"],
    cis: &["2.2.1"],
};

pub const EC2_NO_PUBLIC_IP: Check = Check {
    id: "ec2.no_public_ip",
    service: Service::Ec2,
    severity: Severity::Medium,
    resource_types: INSTANCE,
    title: "EC2 instances have no public IPv4 address",
    rationale: "A public address makes the instance reachable from the internet whenever a \
                security group or network ACL is too open.",
    remediation: "Launch into private subnets behind a load balancer or NAT, disable \
                  auto-assign public IPv4 on the subnet, and release unneeded Elastic IPs.",
    reference: "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html",
    fsbp: &["EC2.9"],
    cis: &[],
};

pub const RDS_STORAGE_ENCRYPTED: Check = Check {
    id: "rds.storage_encrypted",
    service: Service::Rds,
    severity: Severity::Critical,
    resource_types: DB,
    title: "RDS storage is encrypted",
    rationale: "Unencrypted database storage, its automated backups, replicas and snapshots \
                expose the data at rest.",
    remediation: "Encryption can only be set at creation: snapshot, copy the snapshot with a \
                  KMS key, restore from it and cut over.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
    fsbp: &["RDS.3", "RDS.27"],
    cis: &["2.3.1"],
};

pub const RDS_BACKUP_RETENTION: Check = Check {
    id: "rds.backup_retention",
    service: Service::Rds,
    severity: Severity::High,
    resource_types: DB,
    title: "RDS automated backups are kept long enough",
    rationale: "Automated backups and point-in-time recovery are the way back from deleted or \
                corrupted data; a short window may end before the problem is noticed.",
    remediation: "Set the backup retention period to at least the required number of days \
                  (modify-db-instance or modify-db-cluster --backup-retention-period).",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
    fsbp: &["RDS.11"],
    cis: &[],
};

pub const RDS_MULTI_AZ: Check = Check {
    id: "rds.multi_az",
    service: Service::Rds,
    severity: Severity::Medium,
    resource_types: DB,
    title: "RDS databases span multiple Availability Zones",
    rationale: "A single-AZ database is down for the whole of an Availability Zone outage or a \
                host failure.",
    remediation: "Enable Multi-AZ on the DB instance, or add a reader in another Availability \
                  Zone to the cluster.",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
    fsbp: &["RDS.5", "RDS.15"],
    cis: &[],
};

pub const RDS_DELETION_PROTECTION: Check = Check {
    id: "rds.deletion_protection",
    service: Service::Rds,
    severity: Severity::High,
    resource_types: DB,
    title: "RDS databases have deletion protection",
    rationale: "Without deletion protection one API call, script error or compromised \
                credential deletes the database.",
    remediation: "Enable deletion protection (modify-db-instance or modify-db-cluster \
                  --deletion-protection).",
    reference: "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
    fsbp: &["RDS.7", "RDS.8"],
    cis: &[],
};

pub const S3_DEFAULT_ENCRYPTION: Check = Check {
    id: "s3.default_encryption",
    service: Service::S3,
    severity: Severity::High,
    resource_types: BUCKET,
    title: "S3 buckets have default encryption",
    rationale: "Default encryption guarantees every new object is encrypted at rest, whatever \
                the uploader asks for.",
    remediation: "Configure default encryption (SSE-S3, or SSE-KMS with a customer managed \
                  key): aws s3api put-bucket-encryption.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucket-encryption.html",
    fsbp: &["S3.4"],
    cis: &[],
};

pub const S3_VERSIONING: Check = Check {
    id: "s3.versioning",
    service: Service::S3,
    severity: Severity::Medium,
    resource_types: BUCKET,
    title: "S3 buckets have versioning enabled",
    rationale: "Versioning keeps overwritten and deleted objects recoverable, including after \
                ransomware or a faulty deployment.",
    remediation: "Enable versioning (aws s3api put-bucket-versioning --versioning-configuration \
                  Status=Enabled) and add a lifecycle rule for noncurrent versions.",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
    fsbp: &["S3.14"],
    cis: &[],
};

pub const S3_PUBLIC_ACCESS_BLOCK: Check = Check {
    id: "s3.public_access_block",
    service: Service::S3,
    severity: Severity::Critical,
    resource_types: BUCKET,
    title: "S3 buckets block public access",
    rationale: "With all four Block Public Access settings in force (on the bucket or the \
                account), no ACL or bucket policy can make its objects public.",
    remediation: "Turn on all four settings for the account (aws s3control \
                  put-public-access-block) or for the bucket (aws s3api put-public-access-block).",
    reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    fsbp: &["S3.1", "S3.8"],
    cis: &["2.1.4"],
};

pub const IAM_ADMIN_ACCESS: Check = Check {
    id: "iam.admin_access",
    service: Service::Iam,
    severity: Severity::Critical,
    resource_types: PRINCIPAL,
    title: "IAM principals do not have full administrator access",
    rationale: "A principal allowed every action on every resource can do anything in the \
                account, including erasing its audit trail; its compromise is total.",
    remediation: "Replace AdministratorAccess and \"Action\": \"*\" on \"Resource\": \"*\" \
                  grants with least-privilege policies; keep break-glass admin roles few and \
                  guarded by MFA.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    fsbp: &["IAM.1"],
    cis: &["1.16"],
};

pub const IAM_WILDCARD_ACTIONS: Check = Check {
    id: "iam.wildcard_actions",
    service: Service::Iam,
    severity: Severity::High,
    resource_types: PRINCIPAL,
    title: "IAM policies do not allow wildcard actions",
    rationale: "\"*\", \"<service>:*\" and NotAction grant every current and future action of a \
                service, including destructive and privilege-escalating ones.",
    remediation: "List the actions the workload needs (IAM Access Analyzer can generate a policy \
                  from CloudTrail activity) instead of service wildcards or NotAction.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html",
    fsbp: &["IAM.21"],
    cis: &[],
};

pub const IAM_WILDCARD_RESOURCES: Check = Check {
    id: "iam.wildcard_resources",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: PRINCIPAL,
    title: "IAM policies do not allow actions on every resource",
    rationale: "\"Resource\": \"*\" and NotResource extend a grant to every bucket, key, table \
                and role in the account, present and future.",
    remediation: "Scope Allow statements to the ARNs the workload uses; keep \"*\" only for \
                  actions that support no resource-level permissions.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html",
    fsbp: &[],
    cis: &[],
};

pub const SG_HIGH_RISK_PORTS: Check = Check {
    id: "sg.high_risk_ports",
    service: Service::Sg,
    severity: Severity::Critical,
    resource_types: SECURITY_GROUP,
    title: "Security groups do not open high-risk ports to the world",
    rationale: "Remote administration, file-sharing and database ports open to 0.0.0.0/0 or ::/0 \
                are scanned and brute-forced within minutes of exposure.",
    remediation: "Restrict the rule's source to known CIDRs or security groups, or reach the \
                  hosts through SSM Session Manager or a VPN instead.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    fsbp: &["EC2.13", "EC2.14", "EC2.19"],
    cis: &["5.2", "5.3"],
};

pub const SG_ALL_PORTS_OPEN: Check = Check {
    id: "sg.all_ports_open",
    service: Service::Sg,
    severity: Severity::Critical,
    resource_types: SECURITY_GROUP,
    title: "Security groups do not open all ports to the world",
    rationale: "A rule allowing every protocol, or every TCP or UDP port, from the internet \
                exposes whatever service is listening on the host.",
    remediation: "Replace the rule with rules for the specific ports the workload serves, from \
                  the narrowest possible sources.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    fsbp: &["EC2.18"],
    cis: &["5.2", "5.3"],
};

/// All checks, in report order.
pub const CATALOG: [&Check; 15] = [
    &EC2_IMDSV2_REQUIRED,
    &EC2_EBS_ENCRYPTED,
    &EC2_NO_PUBLIC_IP,
    &RDS_STORAGE_ENCRYPTED,
    &RDS_BACKUP_RETENTION,
    &RDS_MULTI_AZ,
    &RDS_DELETION_PROTECTION,
    &S3_DEFAULT_ENCRYPTION,
    &S3_VERSIONING,
    &S3_PUBLIC_ACCESS_BLOCK,
    &IAM_ADMIN_ACCESS,
    &IAM_WILDCARD_ACTIONS,
    &IAM_WILDCARD_RESOURCES,
    &SG_HIGH_RISK_PORTS,
    &SG_ALL_PORTS_OPEN,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalog_ids_are_unique_well_formed_and_match_their_service() {
        let mut ids = std::collections::BTreeSet::new();
        for check in CATALOG {
            assert!(ids.insert(check.id), "duplicate {}", check.id);
            let (service, name) = check.id.split_once('.').unwrap();
            assert_eq!(service, check.service.as_str(), "{}", check.id);
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert!(check.reference.starts_with("https://docs.aws.amazon.com/"));
            assert!(!check.remediation.is_empty() && !check.rationale.is_empty());
            assert!(!check.resource_types.is_empty());
        }
    }

    #[test]
    fn severities_match_the_design_contract() {
        let expected = [
            ("ec2.imdsv2_required", Severity::High),
            ("ec2.ebs_encrypted", Severity::High),
            ("ec2.no_public_ip", Severity::Medium),
            ("rds.storage_encrypted", Severity::Critical),
            ("rds.backup_retention", Severity::High),
            ("rds.multi_az", Severity::Medium),
            ("rds.deletion_protection", Severity::High),
            ("s3.default_encryption", Severity::High),
            ("s3.versioning", Severity::Medium),
            ("s3.public_access_block", Severity::Critical),
            ("iam.admin_access", Severity::Critical),
            ("iam.wildcard_actions", Severity::High),
            ("iam.wildcard_resources", Severity::Medium),
            ("sg.high_risk_ports", Severity::Critical),
            ("sg.all_ports_open", Severity::Critical),
        ];
        let actual: Vec<_> = CATALOG.iter().map(|c| (c.id, c.severity)).collect();
        assert_eq!(actual, expected);
    }
}
