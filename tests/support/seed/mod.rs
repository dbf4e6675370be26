//! Seeds an emulated account through the AWS SDK: a realistic mix of good and bad resources.
//! `make demo` audits the same account the integration tests assert on.

pub mod accessanalyzer;
pub mod acm;
pub mod appsync;
pub mod autoscaling;
pub mod cloudfront;
pub mod cloudtrail;
pub mod codebuild;
pub mod config;
pub mod dms;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod eks;
pub mod elasticache;
pub mod elasticbeanstalk;
pub mod emr;
pub mod guardduty;
pub mod iam;
pub mod inspector;
pub mod kms;
pub mod lambda;
pub mod macie;
pub mod msk;
pub mod opensearch;
pub mod rds;
pub mod redshift;
pub mod redshiftserverless;
pub mod s3;
pub mod sagemaker;
pub mod securityhub;
pub mod sns;
pub mod sqs;
pub mod ssm;

use std::collections::HashMap;

use aws_config::SdkConfig;

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Ids the emulator chose, by the names the seed gave.
#[derive(Debug, Default, Clone)]
pub struct Seeded {
    pub instances: HashMap<String, String>,
    pub volumes: HashMap<String, String>,
    pub security_groups: HashMap<String, String>,
    /// The VPC the seed creates (the default VPC is the emulator's).
    pub vpc: String,
}

const TRUST_EC2: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const ADMIN_ARN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

fn ec2_tags(
    resource: aws_sdk_ec2::types::ResourceType,
    name: &str,
    env: &str,
) -> aws_sdk_ec2::types::TagSpecification {
    use aws_sdk_ec2::types::{Tag, TagSpecification};
    TagSpecification::builder()
        .resource_type(resource)
        .tags(Tag::builder().key("Name").value(name).build())
        .tags(Tag::builder().key("Environment").value(env).build())
        .build()
}

/// The emulator's default VPC: its id, its subnets (at least one) and its default group.
pub struct DefaultVpc {
    pub id: String,
    pub subnets: Vec<String>,
    pub default_group: String,
}

pub async fn default_vpc(sdk: &SdkConfig) -> Result<DefaultVpc, BoxError> {
    use aws_sdk_ec2::types::Filter;
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let filter = |name: &str, value: &str| Filter::builder().name(name).values(value).build();
    let vpcs = ec2
        .describe_vpcs()
        .filters(filter("is-default", "true"))
        .send()
        .await?;
    let id = vpcs
        .vpcs()
        .first()
        .and_then(|v| v.vpc_id())
        .ok_or("no default VPC")?
        .to_string();
    let subnets = ec2
        .describe_subnets()
        .filters(filter("vpc-id", &id))
        .send()
        .await?;
    let subnets: Vec<String> = (subnets.subnets().iter())
        .filter_map(|s| s.subnet_id().map(str::to_string))
        .collect();
    if subnets.is_empty() {
        return Err("no subnet in the default VPC".into());
    }
    let groups = ec2
        .describe_security_groups()
        .filters(filter("vpc-id", &id))
        .filters(filter("group-name", "default"))
        .send()
        .await?;
    let default_group = groups
        .security_groups()
        .first()
        .and_then(|g| g.group_id())
        .ok_or("no default security group")?
        .to_string();
    Ok(DefaultVpc {
        id,
        subnets,
        default_group,
    })
}

pub async fn seed_demo_account(sdk: &SdkConfig) -> Result<Seeded, BoxError> {
    let mut seeded = Seeded::default();
    ec2::seed(sdk, &mut seeded).await?;
    rds::seed(sdk).await?;
    ec2::seed_shared_copies(sdk, &seeded).await?;
    s3::seed(sdk).await?;
    s3::seed_multi_region_access_points(sdk).await?;
    iam::seed(sdk).await?;
    iam::seed_instance_profile(sdk, &seeded).await?;
    let keys = kms::seed(sdk).await?;
    cloudtrail::seed(sdk, &keys[0]).await?;
    guardduty::seed(sdk).await?;
    config::seed(sdk).await?;
    lambda::seed(sdk).await?;
    eks::seed(sdk).await?;
    ecs::seed(sdk).await?;
    ecr::seed(sdk).await?;
    sns::seed(sdk).await?;
    sqs::seed(sdk).await?;
    opensearch::seed(sdk).await?;
    redshift::seed(sdk).await?;
    redshiftserverless::seed(sdk).await?;
    elasticache::seed(sdk).await?;
    // After S3: a distribution's origin is one of the seeded buckets.
    cloudfront::seed(sdk).await?;
    acm::seed(sdk).await?;
    ssm::seed(sdk).await?;
    codebuild::seed(sdk).await?;
    dms::seed(sdk).await?;
    emr::seed(sdk).await?;
    let vpc = default_vpc(sdk).await?;
    msk::seed(sdk, &vpc.subnets).await?;
    sagemaker::seed(sdk, &vpc).await?;
    autoscaling::seed(sdk).await?;
    inspector::seed(sdk).await?;
    appsync::seed(sdk).await?;
    elasticbeanstalk::seed(sdk).await?;
    macie::seed(sdk).await?;
    efs::seed(sdk).await?;
    accessanalyzer::seed(sdk).await?;
    securityhub::seed(sdk).await?;
    ssm::seed_patch_compliance(
        sdk,
        &seeded.instances["web-prod"],
        &seeded.instances["legacy-app"],
    )
    .await?;
    Ok(seeded)
}
