//! The cost of an audit in API calls is fixed by design: one paginated listing per service and
//! region, a fixed number of reads per bucket, each attached AWS-managed policy read once, and
//! nothing per instance, volume, group, database or principal. This pins the exact counts on a
//! synthetic account (the one `make bench` measures), so a change that adds a call per resource
//! fails here rather than in a nightly bill.

use crate::support;

use std::collections::{BTreeMap, BTreeSet};

use secaudit::aws::required_permission;
use secaudit::aws::Clients;
use secaudit::report::Report;
use secaudit::request::{AuditRequest, RegionSelection};
use secaudit::services::Service;
use support::synthetic::{seed_units, SyntheticAccount};
use support::{block_on, MotoServer};

const UNITS: usize = 30;

/// Seeds the synthetic account on a fresh emulator (started with `emulator_env`) and audits it.
fn audit_synthetic(emulator_env: &[(&str, &str)]) -> (SyntheticAccount, Report, u64) {
    let server = MotoServer::start_with_env(emulator_env);
    let sdk = server.sdk_config("us-east-1");
    let account = block_on(seed_units(&sdk, UNITS)).expect("seed");
    assert_eq!(account, SyntheticAccount::of(UNITS));
    let request = AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into()]),
        ..AuditRequest::default()
    };
    // The emulator makes KMS keys for the encrypted resources of the seed; count them.
    let kms_keys = block_on(aws_sdk_kms::Client::new(&sdk).list_keys().send())
        .expect("list keys")
        .keys()
        .len() as u64;
    let report = block_on(crate::support::audit_with_defaults(
        &Clients::from_sdk_config(sdk),
        &request,
    ))
    .expect("audit");
    assert!(report.complete, "{:#?}", report.errors);
    (account, report, kms_keys)
}

/// The calls of an audit of the synthetic account, with `per_bucket` reads of each bucket.
fn expected_calls(buckets: u64, per_bucket: &[&str]) -> BTreeMap<String, u64> {
    let once = [
        "sts:GetCallerIdentity",
        "ec2:DescribeInstances",
        "ec2:DescribeVolumes",
        "ec2:DescribeSecurityGroups",
        "ec2:GetEbsEncryptionByDefault",
        "ec2:GetSnapshotBlockPublicAccessState",
        "ec2:DescribeImages",
        "ec2:DescribeTransitGateways",
        "ec2:DescribeLaunchTemplates",
        "ec2:DescribeVpcs",
        "ec2:DescribeFlowLogs",
        "ec2:DescribeNetworkAcls",
        "rds:DescribeDBInstances",
        "rds:DescribeDBClusters",
        // Only manual snapshots have attributes to read; the synthetic account has none.
        "rds:DescribeDBSnapshots",
        "rds:DescribeDBClusterSnapshots",
        // One region's guardrails.
        "cloudtrail:DescribeTrails",
        "configservice:DescribeConfigurationRecorders",
        "configservice:DescribeConfigurationRecorderStatus",
        "guardduty:ListDetectors",
        "kms:ListKeys",
        "iam:GetAccountAuthorizationDetails",
        // One AWS-managed policy, attached to two roles: read once. The shared customer
        // managed policies come with the authorization details.
        "iam:GetPolicy",
        "iam:GetPolicyVersion",
        // The account's root user and password policy.
        "iam:GetAccountSummary",
        "iam:ListVirtualMFADevices",
        "iam:GetAccountPasswordPolicy",
        "iam:ListServerCertificates",
        // The credential report: read once when ready.
        "iam:GetCredentialReport",
        "s3:ListBuckets",
        "s3control:GetPublicAccessBlock",
        // The region's access points and the account's Multi-Region Access Points (none here).
        "s3control:ListAccessPoints",
        "s3control:ListMultiRegionAccessPoints",
        // The newer services, empty here: one listing each (ECS two, ElastiCache two, SSM
        // its documents, its sharing setting and its patch summaries).
        "lambda:ListFunctions",
        "eks:ListClusters",
        "ecs:ListClusters",
        "ecs:ListTaskDefinitionFamilies",
        "ecr:DescribeRepositories",
        "sns:ListTopics",
        "sqs:ListQueues",
        "opensearch:ListDomainNames",
        "redshift:DescribeClusters",
        "redshiftserverless:ListWorkgroups",
        "elasticache:DescribeCacheClusters",
        "elasticache:DescribeReplicationGroups",
        "cloudfront:ListDistributions",
        "acm:ListCertificates",
        "ssm:ListDocuments",
        "ssm:GetServiceSetting",
        "ssm:ListResourceComplianceSummaries",
        // The services added for FSBP's critical and high controls and CIS v7.0: a listing or
        // an account status each, and EMR's block public access setting.
        "codebuild:ListProjects",
        "databasemigrationservice:DescribeReplicationInstances",
        "emr:GetBlockPublicAccessConfiguration",
        "emr:ListClusters",
        "kafka:ListClustersV2",
        "autoscaling:DescribeLaunchConfigurations",
        "inspector2:BatchGetAccountStatus",
        "sagemaker:ListNotebookInstances",
        "appsync:ListGraphqlApis",
        "elasticbeanstalk:DescribeEnvironments",
        // Macie is off in the synthetic account: its session answers "not enabled".
        "macie2:GetMacieSession",
        "efs:DescribeFileSystems",
        "accessanalyzer:ListAnalyzers",
        "securityhub:DescribeHub",
    ];
    once.iter()
        .map(|operation| (operation.to_string(), 1))
        // moto answers the first GenerateCredentialReport with STARTED, the next with COMPLETE.
        .chain([("iam:GenerateCredentialReport".to_string(), 2)])
        // The owned snapshots, and the public ones among them: two listings, no per-snapshot read.
        .chain([("ec2:DescribeSnapshots".to_string(), 2)])
        .chain(
            per_bucket
                .iter()
                .map(|operation| (operation.to_string(), buckets)),
        )
        .collect()
}

const BUCKET_READS: [&str; 5] = [
    "s3:GetBucketEncryption",
    "s3:GetBucketVersioning",
    "s3:GetPublicAccessBlock",
    "s3:GetBucketPolicy",
    "s3:GetBucketLogging",
];

/// The ACL is read only where IgnorePublicAcls is not in force (bucket or account); each KMS
/// key is described, and a customer key's rotation read (moto reports every key it made for
/// the seeding as a customer key).
fn with_per_resource_reads(
    mut calls: BTreeMap<String, u64>,
    account: &SyntheticAccount,
    kms_keys: u64,
) -> BTreeMap<String, u64> {
    calls.insert(
        "s3:GetBucketAcl".into(),
        account.buckets_without_public_access_block as u64,
    );
    let per_resource = [
        ("sns:GetTopicAttributes", account.topics),
        ("sqs:GetQueueAttributes", account.queues),
        ("lambda:GetPolicy", account.functions),
        ("lambda:ListFunctionUrlConfigs", account.functions),
        // Each repository's effective scanning, 25 a call.
        (
            "ecr:BatchGetRepositoryScanningConfiguration",
            account.repositories.div_ceil(25),
        ),
        // Projects are described a hundred at a time; a notebook's settings and an
        // environment's options have no listing.
        (
            "codebuild:BatchGetProjects",
            account.coverage_resources.div_ceil(100),
        ),
        (
            "sagemaker:DescribeNotebookInstance",
            account.coverage_resources,
        ),
        (
            "elasticbeanstalk:DescribeConfigurationSettings",
            account.coverage_resources,
        ),
    ];
    for (operation, count) in per_resource {
        calls.insert(operation.into(), count as u64);
    }
    if kms_keys > 0 {
        calls.insert("kms:DescribeKey".into(), kms_keys);
        calls.insert("kms:GetKeyRotationStatus".into(), kms_keys);
        calls.insert("kms:GetKeyPolicy".into(), kms_keys);
    }
    calls
}

/// A topic's and a queue's attributes, a function's policy and URLs, the repositories'
/// scanning 25 at a time, a batch of projects, a notebook's and an environment's settings.
fn newer_services(account: &SyntheticAccount) -> u64 {
    let coverage = account.coverage_resources;
    (account.topics
        + account.queues
        + 2 * account.functions
        + account.repositories.div_ceil(25)
        + coverage.div_ceil(100)
        + 2 * coverage) as u64
}

#[test]
fn calls_grow_only_with_resources_that_need_a_read_and_every_resource_is_audited() {
    let (account, report, kms_keys) = audit_synthetic(&[]);
    let buckets = account.buckets as u64;
    // moto's own ListBuckets names no bucket regions, so each bucket also costs a location
    // lookup.
    let mut per_bucket = BUCKET_READS.to_vec();
    per_bucket.push("s3:GetBucketLocation");
    assert_eq!(
        report.api_calls.by_operation,
        with_per_resource_reads(expected_calls(buckets, &per_bucket), &account, kms_keys)
    );
    let acl_reads = account.buckets_without_public_access_block as u64;
    assert_eq!(
        report.api_calls.total,
        68 + 6 * buckets + acl_reads + 3 * kms_keys + newer_services(&account)
    );
    assert_eq!(report.api_calls.retries, 0);
    assert_every_resource_audited(&account, &report);
    assert_every_call_is_a_declared_permission(&report);
}

/// The IAM actions the services declare (docs/checks.md lists them) cover every call made.
fn assert_every_call_is_a_declared_permission(report: &Report) {
    let declared: BTreeSet<&str> = Service::ALL
        .iter()
        .flat_map(|s| s.spec().permissions.iter().copied())
        .chain(["sts:GetCallerIdentity"])
        .collect();
    for operation in report.api_calls.by_operation.keys() {
        let (service, name) = operation.split_once(':').unwrap();
        // SDK service names whose IAM actions have another prefix.
        let service = match service {
            "configservice" => "config",
            "opensearch" => "es",
            "redshiftserverless" => "redshift-serverless",
            "databasemigrationservice" => "dms",
            "emr" => "elasticmapreduce",
            "efs" => "elasticfilesystem",
            "accessanalyzer" => "access-analyzer",
            other => other,
        };
        let action = required_permission(service, name).unwrap();
        assert!(
            declared.contains(action.as_str()),
            "{operation} needs {action}, which no service declares"
        );
    }
}

#[test]
fn a_listing_with_bucket_regions_spares_the_location_lookups() {
    // As S3 lists buckets since 2024.
    let (account, report, kms_keys) = audit_synthetic(&[("SECAUDIT_MOTO_BUCKET_REGION", "1")]);
    let buckets = account.buckets as u64;
    assert_eq!(
        report.api_calls.by_operation,
        with_per_resource_reads(expected_calls(buckets, &BUCKET_READS), &account, kms_keys)
    );
    let acl_reads = account.buckets_without_public_access_block as u64;
    assert_eq!(
        report.api_calls.total,
        68 + 5 * buckets + acl_reads + 3 * kms_keys + newer_services(&account)
    );
    // The listed regions route each bucket's reads, as the lookups did.
    assert_every_resource_audited(&account, &report);
}

fn assert_every_resource_audited(account: &SyntheticAccount, report: &Report) {
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
    assert_eq!(audited("AWS::SNS::Topic"), account.topics);
    assert_eq!(audited("AWS::SQS::Queue"), account.queues);
    assert_eq!(audited("AWS::ECR::Repository"), account.repositories);
    assert_eq!(audited("AWS::Lambda::Function"), account.functions);
    for resource_type in [
        "AWS::CodeBuild::Project",
        "AWS::AutoScaling::LaunchConfiguration",
        "AWS::EFS::FileSystem",
        "AWS::DMS::ReplicationInstance",
        "AWS::SageMaker::NotebookInstance",
        "AWS::ElasticBeanstalk::Environment",
    ] {
        assert_eq!(
            audited(resource_type),
            account.coverage_resources,
            "{resource_type}"
        );
    }
    let eu_buckets = report
        .results
        .iter()
        .filter(|r| r.resource_type == "AWS::S3::Bucket" && r.region == "eu-west-1")
        .map(|r| r.resource_id.as_str())
        .collect::<BTreeSet<_>>();
    assert_eq!(eu_buckets.len(), account.buckets_outside_home_region);
}

/// A complete audit of `services` on a freshly seeded demo account, in its home region.
fn audit_demo_account(services: &[Service]) -> Report {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(support::seed::seed_demo_account(&sdk)).expect("seed");
    let request = AuditRequest {
        regions: RegionSelection::Listed(vec!["us-east-1".into()]),
        services: services.iter().copied().collect(),
        ..AuditRequest::default()
    };
    let report = block_on(crate::support::audit_with_defaults(
        &Clients::from_sdk_config(sdk),
        &request,
    ))
    .expect("audit");
    assert!(report.complete, "{:#?}", report.errors);
    report
}

/// The newer services' reads on the demo account, one region: listings, plus a read per
/// resource only where AWS offers nothing else (a function's policy and URLs, a cluster's
/// description, a task definition family's latest revision, a document's sharing, a
/// distribution's configuration, a foreign origin bucket), never per task, node or image.
#[test]
fn the_newer_services_read_per_resource_only_where_aws_has_no_listing() {
    use secaudit::services::Service::*;
    let report = audit_demo_account(&[
        Lambda,
        Eks,
        Ecs,
        Ecr,
        Sns,
        Sqs,
        Opensearch,
        Redshift,
        Redshiftserverless,
        Elasticache,
        Cloudfront,
        Acm,
        Ssm,
    ]);
    let expected: BTreeMap<String, u64> = [
        ("sts:GetCallerIdentity", 1),
        // Two functions: a policy and a URL listing each.
        ("lambda:ListFunctions", 1),
        ("lambda:GetPolicy", 2),
        ("lambda:ListFunctionUrlConfigs", 2),
        // Two clusters, their node groups listed; `internal`'s two described.
        ("eks:ListClusters", 1),
        ("eks:DescribeCluster", 2),
        ("eks:ListNodegroups", 2),
        ("eks:DescribeNodegroup", 2),
        // One cluster with two services (one batch); two families, their latest revisions.
        ("ecs:ListClusters", 1),
        ("ecs:ListServices", 1),
        ("ecs:DescribeServices", 1),
        ("ecs:ListTaskDefinitionFamilies", 1),
        ("ecs:DescribeTaskDefinition", 2),
        ("ecr:DescribeRepositories", 1),
        ("ecr:BatchGetRepositoryScanningConfiguration", 1),
        // Two topics and two queues: their attributes.
        ("sns:ListTopics", 1),
        ("sns:GetTopicAttributes", 2),
        ("sqs:ListQueues", 1),
        ("sqs:GetQueueAttributes", 2),
        // Two domains, described in one batch of up to five.
        ("opensearch:ListDomainNames", 1),
        ("opensearch:DescribeDomains", 1),
        // Two clusters; their groups read by id in one call.
        ("redshift:DescribeClusters", 1),
        ("ec2:DescribeSecurityGroups", 1),
        ("redshiftserverless:ListWorkgroups", 1),
        ("elasticache:DescribeCacheClusters", 1),
        ("elasticache:DescribeReplicationGroups", 1),
        // Two distributions' configurations; one bucket list, one look at the missing bucket.
        ("cloudfront:ListDistributions", 1),
        ("cloudfront:GetDistributionConfig", 2),
        ("s3:ListBuckets", 1),
        ("s3:HeadBucket", 1),
        ("acm:ListCertificates", 1),
        // Two documents' sharing.
        ("ssm:ListDocuments", 1),
        ("ssm:DescribeDocumentPermission", 2),
        ("ssm:GetServiceSetting", 1),
        ("ssm:ListResourceComplianceSummaries", 1),
    ]
    .into_iter()
    .map(|(operation, calls)| (operation.to_string(), calls))
    .collect();
    assert_eq!(report.api_calls.by_operation, expected);
    assert_every_call_is_a_declared_permission(&report);
}

/// The services added for FSBP's critical and high controls and CIS v7.0, on the demo account,
/// one region: a listing or an account setting each; a read per resource only where AWS offers
/// nothing else (a notebook's, an environment's settings; an active EMR cluster's primary node).
#[test]
fn the_coverage_services_read_per_resource_only_where_aws_has_no_listing() {
    use secaudit::services::Service::*;
    let report = audit_demo_account(&[
        Codebuild,
        Dms,
        Emr,
        Msk,
        Autoscaling,
        Inspector,
        Sagemaker,
        Appsync,
        Elasticbeanstalk,
        Macie,
        Efs,
        Accessanalyzer,
        Securityhub,
    ]);
    let expected: BTreeMap<String, u64> = [
        ("sts:GetCallerIdentity", 1),
        // Two projects, described in one batch.
        ("codebuild:ListProjects", 1),
        ("codebuild:BatchGetProjects", 1),
        ("databasemigrationservice:DescribeReplicationInstances", 1),
        // One running cluster: its description and its primary node.
        ("emr:GetBlockPublicAccessConfiguration", 1),
        ("emr:ListClusters", 1),
        ("emr:DescribeCluster", 1),
        ("emr:ListInstances", 1),
        ("kafka:ListClustersV2", 1),
        ("autoscaling:DescribeLaunchConfigurations", 1),
        ("inspector2:BatchGetAccountStatus", 1),
        // Two notebooks: the listing has none of their settings.
        ("sagemaker:ListNotebookInstances", 1),
        ("sagemaker:DescribeNotebookInstance", 2),
        ("appsync:ListGraphqlApis", 1),
        // Two environments: the listing has no option settings.
        ("elasticbeanstalk:DescribeEnvironments", 1),
        ("elasticbeanstalk:DescribeConfigurationSettings", 2),
        // Macie is on here: whose member it is, and its discovery setting.
        ("macie2:GetMacieSession", 1),
        ("macie2:GetAdministratorAccount", 1),
        ("macie2:GetAutomatedDiscoveryConfiguration", 1),
        ("efs:DescribeFileSystems", 1),
        ("accessanalyzer:ListAnalyzers", 1),
        ("securityhub:DescribeHub", 1),
    ]
    .into_iter()
    .map(|(operation, calls)| (operation.to_string(), calls))
    .collect();
    assert_eq!(report.api_calls.by_operation, expected);
    assert_every_call_is_a_declared_permission(&report);
}
