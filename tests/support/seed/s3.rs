//! S3: buckets, good and bad, and the account-level public access block.

use aws_config::{Region, SdkConfig};

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_s3::types::{
        BucketLocationConstraint, BucketVersioningStatus, CreateBucketConfiguration,
        PublicAccessBlockConfiguration, ServerSideEncryption, ServerSideEncryptionByDefault,
        ServerSideEncryptionConfiguration, ServerSideEncryptionRule, Tag, Tagging,
        VersioningConfiguration,
    };
    let client_in = |region: &str| {
        aws_sdk_s3::Client::from_conf(
            aws_sdk_s3::config::Builder::from(sdk)
                .region(Region::new(region.to_string()))
                .force_path_style(true)
                .build(),
        )
    };
    // (bucket, region, encryption, versioning, block ACLs, block policies, environment)
    let buckets = [
        (
            "acme-audit-logs",
            "us-east-1",
            Some(ServerSideEncryption::Aes256),
            Some(BucketVersioningStatus::Enabled),
            true,
            true,
            "prod",
        ),
        (
            "acme-customer-data",
            "us-east-1",
            Some(ServerSideEncryption::AwsKms),
            Some(BucketVersioningStatus::Suspended),
            true,
            false,
            "prod",
        ),
        (
            "acme-public-assets",
            "us-east-1",
            None,
            None,
            false,
            false,
            "dev",
        ),
        (
            "acme.reports.eu",
            "eu-west-1",
            Some(ServerSideEncryption::AwsKms),
            Some(BucketVersioningStatus::Enabled),
            true,
            true,
            "prod",
        ),
    ];
    for (name, region, encryption, versioning, block_acls, block_policies, env) in buckets {
        let s3 = client_in(region);
        let mut create = s3.create_bucket().bucket(name);
        if region != "us-east-1" {
            create = create.create_bucket_configuration(
                CreateBucketConfiguration::builder()
                    .location_constraint(BucketLocationConstraint::from(region))
                    .build(),
            );
        }
        create.send().await?;
        if let Some(algorithm) = encryption {
            let default = ServerSideEncryptionByDefault::builder()
                .sse_algorithm(algorithm)
                .build()?;
            s3.put_bucket_encryption()
                .bucket(name)
                .server_side_encryption_configuration(
                    ServerSideEncryptionConfiguration::builder()
                        .rules(
                            ServerSideEncryptionRule::builder()
                                .apply_server_side_encryption_by_default(default)
                                .build(),
                        )
                        .build()?,
                )
                .send()
                .await?;
        }
        if let Some(status) = versioning {
            s3.put_bucket_versioning()
                .bucket(name)
                .versioning_configuration(VersioningConfiguration::builder().status(status).build())
                .send()
                .await?;
        }
        if block_acls || block_policies {
            s3.put_public_access_block()
                .bucket(name)
                .public_access_block_configuration(
                    PublicAccessBlockConfiguration::builder()
                        .block_public_acls(block_acls)
                        .ignore_public_acls(block_acls)
                        .block_public_policy(block_policies)
                        .restrict_public_buckets(block_policies)
                        .build(),
                )
                .send()
                .await?;
        }
        s3.put_bucket_tagging()
            .bucket(name)
            .tagging(
                Tagging::builder()
                    .tag_set(Tag::builder().key("Environment").value(env).build()?)
                    .build()?,
            )
            .send()
            .await?;
    }
    seed_s3_access(&client_in("us-east-1"), &client_in("eu-west-1")).await
}

/// Bucket policies, ACLs and logging: TLS-only logs bucket that is also the log target,
/// a public website bucket (policy and ACL), a data bucket open only through one VPC
/// endpoint, and a public policy neutralised by RestrictPublicBuckets.
async fn seed_s3_access(
    s3: &aws_sdk_s3::Client,
    s3_eu: &aws_sdk_s3::Client,
) -> Result<(), BoxError> {
    use aws_sdk_s3::types::{BucketLoggingStatus, LoggingEnabled};
    let policy = |bucket: &str, statement: &str| {
        format!(
            r#"{{"Version":"2012-10-17","Statement":[{}]}}"#,
            statement.replace("BUCKET", bucket)
        )
    };
    // `{"AWS": "*"}`, not `"*"`: moto 5.1.18 fails PutBucketLogging (HTTP 500) when the
    // target bucket's policy has a string Principal.
    // TLS only, written as CDK and Terraform modules often do: one Deny for the bucket, one
    // for its objects.
    const TLS_ONLY: &str = r#"{"Sid":"TlsOnlyBucket","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::BUCKET","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Sid":"TlsOnlyObjects","Effect":"Deny","Principal":{"AWS":"*"},"Action":"s3:*","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"Bool":{"aws:SecureTransport":"false"}}}"#;
    const PUBLIC_READ: &str = r#"{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*"}"#;
    const ENDPOINT_ONLY: &str = r#"{"Sid":"ThroughTheEndpoint","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::BUCKET/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-0a1b2c3d4e5f"}}}"#;
    for (client, bucket, statement) in [
        (s3, "acme-audit-logs", TLS_ONLY),
        (s3, "acme-public-assets", PUBLIC_READ),
        (s3, "acme-customer-data", ENDPOINT_ONLY),
        (s3_eu, "acme.reports.eu", PUBLIC_READ),
    ] {
        client
            .put_bucket_policy()
            .bucket(bucket)
            .policy(policy(bucket, statement))
            .send()
            .await?;
    }
    // moto checks that the log target lets the log delivery group write.
    const LOG_DELIVERY: &str = "uri=http://acs.amazonaws.com/groups/s3/LogDelivery";
    s3.put_bucket_acl()
        .bucket("acme-audit-logs")
        .grant_write(LOG_DELIVERY)
        .grant_read_acp(LOG_DELIVERY)
        .send()
        .await?;
    s3.put_bucket_logging()
        .bucket("acme-customer-data")
        .bucket_logging_status(
            BucketLoggingStatus::builder()
                .logging_enabled(
                    LoggingEnabled::builder()
                        .target_bucket("acme-audit-logs")
                        .target_prefix("customer-data/")
                        .build()?,
                )
                .build(),
        )
        .send()
        .await?;
    s3.put_bucket_acl()
        .bucket("acme-public-assets")
        .grant_read("uri=http://acs.amazonaws.com/groups/global/AllUsers")
        .send()
        .await?;
    Ok(())
}

/// Turns on all four settings of the account-level S3 public access block.
pub async fn block_public_access_for_account(
    sdk: &SdkConfig,
    account: &str,
) -> Result<(), BoxError> {
    use aws_sdk_s3control::types::PublicAccessBlockConfiguration;
    let s3control =
        aws_sdk_s3control::Client::from_conf(secaudit::aws::s3control_config(sdk).build());
    s3control
        .put_public_access_block()
        .account_id(account)
        .public_access_block_configuration(
            PublicAccessBlockConfiguration::builder()
                .block_public_acls(true)
                .ignore_public_acls(true)
                .block_public_policy(true)
                .restrict_public_buckets(true)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}

/// Two Multi-Region Access Points over the seeded buckets: `global-assets` with AWS's default
/// block (passes S3.24) and `global-legacy` created with `BlockPublicPolicy` off (fails it).
pub async fn seed_multi_region_access_points(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_s3control::types::{
        CreateMultiRegionAccessPointInput, PublicAccessBlockConfiguration, Region,
    };
    let west = sdk
        .to_builder()
        .region(aws_config::Region::new("us-west-2"))
        .build();
    let s3control =
        aws_sdk_s3control::Client::from_conf(secaudit::aws::s3control_config(&west).build());
    for (name, block_public_policy) in [("global-assets", true), ("global-legacy", false)] {
        let details = CreateMultiRegionAccessPointInput::builder()
            .name(name)
            .public_access_block(
                PublicAccessBlockConfiguration::builder()
                    .block_public_acls(true)
                    .ignore_public_acls(true)
                    .block_public_policy(block_public_policy)
                    .restrict_public_buckets(true)
                    .build(),
            )
            .regions(Region::builder().bucket("acme-public-assets").build()?)
            .build()?;
        s3control
            .create_multi_region_access_point()
            .account_id("123456789012")
            .details(details)
            .send()
            .await?;
    }
    Ok(())
}
