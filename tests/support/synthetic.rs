//! A synthetic account of N "units" for the benchmark and the API-call budget test. Each unit is
//! one instance, one extra volume, one security group, one bucket and one role with an inline
//! policy and a customer managed policy shared with nine other roles; every fourth unit adds a
//! DB instance. Every tenth bucket lives in eu-west-1; the first two roles of every hundred
//! also have the same AWS-managed policy. Of the newer services, each unit also has an SNS
//! topic, an SQS queue and an ECR repository, and every tenth a Lambda function; every tenth
//! also has one resource of each of six services added for FSBP's critical and high controls
//! (`coverage`). Unit numbers choose a mix of passing and failing configurations.

mod coverage;

use std::future::Future;

use aws_config::{Region, SdkConfig};
use futures::stream::{self, TryStreamExt};

use super::seed::BoxError;

/// Requests in flight while seeding: enough to keep the emulator busy.
const SEED_CONCURRENCY: usize = 8;
/// Units sharing one customer managed policy.
const ROLES_PER_SHARED_POLICY: usize = 10;
const TRUST_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const READ_ONLY_ARN: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// What was created, by kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyntheticAccount {
    pub units: usize,
    pub instances: usize,
    /// Extra volumes only; the emulator adds a root volume per instance.
    pub volumes: usize,
    pub security_groups: usize,
    pub buckets: usize,
    pub buckets_outside_home_region: usize,
    /// Buckets without a public access block (odd units): their ACL is read.
    pub buckets_without_public_access_block: usize,
    pub roles: usize,
    pub shared_policies: usize,
    /// Distinct AWS-managed policies attached (each is read once, however often attached).
    pub aws_managed_policies_attached: usize,
    pub db_instances: usize,
    pub topics: usize,
    pub queues: usize,
    pub repositories: usize,
    pub functions: usize,
    /// Each of: a CodeBuild project, a launch configuration, an EFS file system, a DMS
    /// replication instance, a SageMaker notebook and an Elastic Beanstalk environment.
    pub coverage_resources: usize,
}

impl SyntheticAccount {
    pub fn of(units: usize) -> Self {
        SyntheticAccount {
            units,
            instances: units,
            volumes: units,
            security_groups: units,
            buckets: units,
            buckets_outside_home_region: (0..units).filter(|u| bucket_region(*u) != HOME).count(),
            buckets_without_public_access_block: (0..units).filter(|u| u % 2 == 1).count(),
            roles: units,
            shared_policies: units.div_ceil(ROLES_PER_SHARED_POLICY),
            aws_managed_policies_attached: usize::from(units > 0),
            db_instances: (0..units).filter(|i| has_database(*i)).count(),
            topics: units,
            queues: units,
            repositories: units,
            functions: (0..units).filter(|i| has_function(*i)).count(),
            coverage_resources: (0..units)
                .filter(|i| coverage::has_coverage_resources(*i))
                .count(),
        }
    }
}

const HOME: &str = "us-east-1";

fn bucket_region(unit: usize) -> &'static str {
    if unit % 10 == 9 {
        "eu-west-1"
    } else {
        HOME
    }
}

fn has_database(unit: usize) -> bool {
    unit % 4 == 0
}

fn has_function(unit: usize) -> bool {
    unit % 10 == 0
}

/// An SDK error with its cause chain (its own Display says only "service error").
fn described(error: impl std::error::Error + Send + Sync + 'static) -> BoxError {
    aws_smithy_types::error::display::DisplayErrorContext(error)
        .to_string()
        .into()
}

/// Runs `task` for every unit, a few at a time, stopping at the first error.
async fn for_each_unit<F, Fut>(units: impl Iterator<Item = usize>, task: F) -> Result<(), BoxError>
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = Result<(), BoxError>>,
{
    stream::iter(units.map(Ok::<usize, BoxError>))
        .try_for_each_concurrent(SEED_CONCURRENCY, task)
        .await
}

/// Seeds `units` units into the emulator behind `sdk` (home region us-east-1).
pub async fn seed_units(sdk: &SdkConfig, units: usize) -> Result<SyntheticAccount, BoxError> {
    seed_units_with_buckets(sdk, units, "bench-unit").await
}

/// The same, with bucket names starting `bucket_prefix` (bucket names are global: several
/// accounts on one emulator need their own).
pub async fn seed_units_with_buckets(
    sdk: &SdkConfig,
    units: usize,
    bucket_prefix: &str,
) -> Result<SyntheticAccount, BoxError> {
    seed_ec2(sdk, units).await?;
    seed_rds(sdk, units).await?;
    seed_s3(sdk, units, bucket_prefix).await?;
    seed_iam(sdk, units).await?;
    seed_newer_services(sdk, units).await?;
    coverage::seed(sdk, units).await?;
    Ok(SyntheticAccount::of(units))
}

async fn seed_ec2(sdk: &SdkConfig, units: usize) -> Result<(), BoxError> {
    use aws_sdk_ec2::types::{
        HttpTokensState, InstanceMetadataEndpointState, InstanceMetadataOptionsRequest,
        InstanceType, IpPermission, IpRange, Ipv6Range,
    };
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    // Instances in batches of 100; alternate batches require IMDSv2.
    const BATCH: usize = 100;
    let batches: Vec<(usize, i32)> = (0..units)
        .step_by(BATCH)
        .map(|first| (first / BATCH, (units - first).min(BATCH) as i32))
        .collect();
    for (batch, count) in batches {
        let tokens = if batch % 2 == 0 {
            HttpTokensState::Required
        } else {
            HttpTokensState::Optional
        };
        ec2.run_instances()
            .image_id("ami-12345678")
            .instance_type(InstanceType::T3Micro)
            .min_count(count)
            .max_count(count)
            .metadata_options(
                InstanceMetadataOptionsRequest::builder()
                    .http_tokens(tokens)
                    .http_endpoint(InstanceMetadataEndpointState::Enabled)
                    .build(),
            )
            .send()
            .await
            .map_err(described)?;
    }
    for_each_unit(0..units, |unit| {
        let ec2 = ec2.clone();
        async move {
            ec2.create_volume()
                .availability_zone("us-east-1a")
                .size(8)
                .encrypted(unit % 2 == 0)
                .send()
                .await
                .map_err(described)?;
            let group = ec2
                .create_security_group()
                .group_name(format!("bench-unit-{unit:05}"))
                .description("secaudit benchmark unit")
                .send()
                .await
                .map_err(described)?;
            let permission = match unit % 3 {
                0 => IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(22)
                    .to_port(22)
                    .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build()),
                1 => IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(3000)
                    .to_port(4000)
                    .ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build()),
                _ => IpPermission::builder()
                    .ip_protocol("tcp")
                    .from_port(443)
                    .to_port(443)
                    .ip_ranges(IpRange::builder().cidr_ip("10.0.0.0/8").build()),
            };
            ec2.authorize_security_group_ingress()
                .group_id(group.group_id().ok_or("no group id")?)
                .ip_permissions(permission.build())
                .send()
                .await
                .map_err(described)?;
            Ok(())
        }
    })
    .await
}

async fn seed_rds(sdk: &SdkConfig, units: usize) -> Result<(), BoxError> {
    let rds = aws_sdk_rds::Client::new(sdk);
    for_each_unit((0..units).filter(|u| has_database(*u)), |unit| {
        let rds = rds.clone();
        async move {
            let good = unit % 8 == 0;
            rds.create_db_instance()
                .db_instance_identifier(format!("bench-db-{unit:05}"))
                .engine("postgres")
                .db_instance_class("db.t3.micro")
                .allocated_storage(20)
                .master_username("dbadmin")
                .master_user_password("bench-password-1")
                .storage_encrypted(good)
                .backup_retention_period(if good { 7 } else { 0 })
                .multi_az(good)
                .deletion_protection(good)
                .send()
                .await
                .map_err(described)?;
            Ok(())
        }
    })
    .await
}

async fn seed_s3(sdk: &SdkConfig, units: usize, bucket_prefix: &str) -> Result<(), BoxError> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
        PublicAccessBlockConfiguration, VersioningConfiguration,
    };
    let client_in = |region: &str| {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                .region(Region::new(region.to_string()))
                .force_path_style(true)
                .build(),
        )
    };
    let (home, away) = (client_in(HOME), client_in("eu-west-1"));
    for_each_unit(0..units, |unit| {
        let region = bucket_region(unit);
        let s3 = if region == HOME { &home } else { &away }.clone();
        async move {
            let name = format!("{bucket_prefix}-{unit:05}");
            let mut create = s3.create_bucket().bucket(&name);
            if region != HOME {
                create = create.create_bucket_configuration(
                    CreateBucketConfiguration::builder()
                        .location_constraint(BucketLocationConstraint::from(region))
                        .build(),
                );
            }
            create.send().await.map_err(described)?;
            // Even units are well kept: versioned, public access blocked.
            if unit % 2 == 0 {
                s3.put_bucket_versioning()
                    .bucket(&name)
                    .versioning_configuration(
                        VersioningConfiguration::builder()
                            .status(BucketVersioningStatus::Enabled)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(described)?;
                s3.put_public_access_block()
                    .bucket(&name)
                    .public_access_block_configuration(
                        PublicAccessBlockConfiguration::builder()
                            .block_public_acls(true)
                            .ignore_public_acls(true)
                            .block_public_policy(true)
                            .restrict_public_buckets(true)
                            .build(),
                    )
                    .send()
                    .await
                    .map_err(described)?;
            }
            Ok(())
        }
    })
    .await
}

async fn seed_iam(sdk: &SdkConfig, units: usize) -> Result<(), BoxError> {
    let iam = aws_sdk_iam::Client::new(sdk);
    let shared = units.div_ceil(ROLES_PER_SHARED_POLICY);
    let mut shared_arns = Vec::with_capacity(shared);
    for index in 0..shared {
        let policy = iam
            .create_policy()
            .policy_name(format!("bench-shared-{index:04}"))
            .policy_document(format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":["logs:CreateLogStream","logs:PutLogEvents"],"Resource":"arn:aws:logs:us-east-1:123456789012:log-group:bench-{index}:*"}}]}}"#
            ))
            .send()
            .await
            .map_err(described)?;
        shared_arns.push(
            policy
                .policy()
                .and_then(|p| p.arn())
                .ok_or("no policy arn")?
                .to_string(),
        );
    }
    let shared_arns = &shared_arns;
    for_each_unit(0..units, |unit| {
        let iam = iam.clone();
        async move {
            let role = format!("bench-role-{unit:05}");
            iam.create_role()
                .role_name(&role)
                .assume_role_policy_document(TRUST_EC2)
                .send()
                .await
                .map_err(described)?;
            // Every seventh role is an administrator through its inline policy.
            let inline = if unit % 7 == 0 {
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#.to_string()
            } else {
                format!(
                    r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bench-unit-{unit:05}/*"}}]}}"#
                )
            };
            iam.put_role_policy()
                .role_name(&role)
                .policy_name("unit-access")
                .policy_document(inline)
                .send()
                .await
                .map_err(described)?;
            iam.attach_role_policy()
                .role_name(&role)
                .policy_arn(&shared_arns[unit / ROLES_PER_SHARED_POLICY])
                .send()
                .await
                .map_err(described)?;
            if unit % 100 < 2 {
                iam.attach_role_policy()
                    .role_name(&role)
                    .policy_arn(READ_ONLY_ARN)
                    .send()
                    .await
                    .map_err(described)?;
            }
            Ok(())
        }
    })
    .await
}

/// A topic, a queue and a repository per unit, a function every tenth unit (run by the unit's
/// role); odd units' topics are public.
async fn seed_newer_services(sdk: &SdkConfig, units: usize) -> Result<(), BoxError> {
    use aws_sdk_lambda::primitives::Blob;
    use aws_sdk_lambda::types::{FunctionCode, Runtime};
    let (sns, sqs) = (aws_sdk_sns::Client::new(sdk), aws_sdk_sqs::Client::new(sdk));
    let (ecr, lambda) = (
        aws_sdk_ecr::Client::new(sdk),
        aws_sdk_lambda::Client::new(sdk),
    );
    let iam = aws_sdk_iam::Client::new(sdk);
    let code = super::seed::lambda::stored_zip("index.py", b"def handler(e, c):\n    return {}\n");
    let code = &code;
    for_each_unit(0..units, |unit| {
        let (sns, sqs, ecr) = (sns.clone(), sqs.clone(), ecr.clone());
        let (lambda, iam) = (lambda.clone(), iam.clone());
        async move {
            let topic = sns
                .create_topic()
                .name(format!("bench-topic-{unit:05}"))
                .send()
                .await
                .map_err(described)?;
            if unit % 2 == 1 {
                let arn = topic.topic_arn().ok_or("no topic arn")?;
                sns.set_topic_attributes()
                    .topic_arn(arn)
                    .attribute_name("Policy")
                    .attribute_value(format!(
                        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":"*","Action":"sns:Publish","Resource":"{arn}"}}]}}"#
                    ))
                    .send()
                    .await
                    .map_err(described)?;
            }
            sqs.create_queue()
                .queue_name(format!("bench-queue-{unit:05}"))
                .send()
                .await
                .map_err(described)?;
            ecr.create_repository()
                .repository_name(format!("bench-repo-{unit:05}"))
                .send()
                .await
                .map_err(described)?;
            if has_function(unit) {
                // The unit's role, in whichever account this seeds.
                let role = iam
                    .get_role()
                    .role_name(format!("bench-role-{unit:05}"))
                    .send()
                    .await
                    .map_err(described)?;
                let role = role.role().map(|r| r.arn().to_string()).ok_or("no role")?;
                lambda
                    .create_function()
                    .function_name(format!("bench-fn-{unit:05}"))
                    .runtime(Runtime::Python312)
                    .role(role)
                    .handler("index.handler")
                    .code(FunctionCode::builder().zip_file(Blob::new(code.clone())).build())
                    .send()
                    .await
                    .map_err(described)?;
            }
            Ok(())
        }
    })
    .await
}
