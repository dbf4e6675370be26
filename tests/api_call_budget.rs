//! The cost of an audit in API calls is fixed by design: one paginated listing per service and
//! region, a fixed number of reads per bucket, each attached AWS-managed policy read once, and
//! nothing per instance, volume, group, database or principal. This pins the exact counts on a
//! synthetic account (the one `make bench` measures), so a change that adds a call per resource
//! fails here rather than in a nightly bill.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use secaudit::request::{AuditRequest, RegionSelection};
use secaudit::{run_audit, Clients};
use support::synthetic::{seed_units, SyntheticAccount};
use support::{block_on, MotoServer};

const UNITS: usize = 30;

#[test]
fn calls_grow_only_with_buckets_and_every_resource_is_audited() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let account = block_on(seed_units(&sdk, UNITS)).expect("seed");
    assert_eq!(account, SyntheticAccount::of(UNITS));
    let request = AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into()]),
        ..AuditRequest::default()
    };
    let report = block_on(run_audit(&Clients::from_sdk_config(sdk), &request)).expect("audit");
    assert!(report.complete, "{:#?}", report.errors);

    let buckets = account.buckets as u64;
    // moto's ListBuckets gives no BucketRegion, so each bucket also costs a location lookup
    // here; against AWS that call is skipped.
    let expected: BTreeMap<String, u64> = [
        ("sts:GetCallerIdentity", 1),
        ("ec2:DescribeInstances", 1),
        ("ec2:DescribeVolumes", 1),
        ("ec2:DescribeSecurityGroups", 1),
        ("rds:DescribeDBInstances", 1),
        ("rds:DescribeDBClusters", 1),
        ("iam:GetAccountAuthorizationDetails", 1),
        // One AWS-managed policy, attached to two roles: read once. The shared customer
        // managed policies come with the authorization details.
        ("iam:GetPolicy", 1),
        ("iam:GetPolicyVersion", 1),
        ("s3:ListBuckets", 1),
        ("s3control:GetPublicAccessBlock", 1),
        ("s3:GetBucketLocation", buckets),
        ("s3:GetBucketEncryption", buckets),
        ("s3:GetBucketVersioning", buckets),
        ("s3:GetPublicAccessBlock", buckets),
    ]
    .into_iter()
    .map(|(operation, count)| (operation.to_string(), count))
    .collect();
    assert_eq!(report.api_calls.by_operation, expected);
    assert_eq!(report.api_calls.total, 11 + 4 * buckets);
    assert_eq!(report.api_calls.retries, 0);

    let audited = |resource_type: &str| {
        report
            .results
            .iter()
            .filter(|r| r.resource_type == resource_type)
            .map(|r| r.resource_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    };
    assert_eq!(audited("AWS::EC2::Instance"), account.instances);
    // The emulator gives every instance a root volume besides the unit's own.
    assert_eq!(
        audited("AWS::EC2::Volume"),
        account.volumes + account.instances
    );
    // Plus the default VPC's default group.
    assert_eq!(
        audited("AWS::EC2::SecurityGroup"),
        account.security_groups + 1
    );
    assert_eq!(audited("AWS::S3::Bucket"), account.buckets);
    assert_eq!(audited("AWS::IAM::Role"), account.roles);
    assert_eq!(audited("AWS::RDS::DBInstance"), account.db_instances);
    let eu_buckets = report
        .results
        .iter()
        .filter(|r| r.resource_type == "AWS::S3::Bucket" && r.region == "eu-west-1")
        .map(|r| r.resource_id.as_str())
        .collect::<BTreeSet<_>>();
    assert_eq!(eu_buckets.len(), account.buckets_outside_home_region);
}
