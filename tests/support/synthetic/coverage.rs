//! The services added for FSBP's critical and high controls, in the synthetic account: every
//! tenth unit (the fifth of each ten) has a CodeBuild project, a launch configuration, an EFS
//! file system, a DMS replication instance, a SageMaker notebook and an Elastic Beanstalk
//! environment. Alternate tens fail their checks, so both verdicts are computed.

use aws_config::SdkConfig;

use super::{described, for_each_unit, BoxError};

/// The one application the environments belong to.
const APPLICATION: &str = "bench-app";

pub(super) fn has_coverage_resources(unit: usize) -> bool {
    unit % 10 == 5
}

/// Alternate tens: a clean configuration, then a failing one.
fn well_kept(unit: usize) -> bool {
    (unit / 10) % 2 == 0
}

pub(super) async fn seed(sdk: &SdkConfig, units: usize) -> Result<(), BoxError> {
    let units = (0..units).filter(|u| has_coverage_resources(*u));
    if units.clone().next().is_none() {
        return Ok(());
    }
    // Service roles of the account being seeded (the emulator checks the account id).
    let identity = aws_sdk_sts::Client::new(sdk)
        .get_caller_identity()
        .send()
        .await
        .map_err(described)?;
    let account = identity.account().ok_or("no account id")?.to_string();
    let beanstalk = aws_sdk_elasticbeanstalk::Client::new(sdk);
    beanstalk
        .create_application()
        .application_name(APPLICATION)
        .send()
        .await
        .map_err(described)?;
    let clients = Clients {
        codebuild: aws_sdk_codebuild::Client::new(sdk),
        autoscaling: aws_sdk_autoscaling::Client::new(sdk),
        efs: aws_sdk_efs::Client::new(sdk),
        dms: aws_sdk_databasemigration::Client::new(sdk),
        sagemaker: aws_sdk_sagemaker::Client::new(sdk),
        beanstalk,
    };
    let (clients, account) = (&clients, account.as_str());
    for_each_unit(units, |unit| async move {
        let kept = well_kept(unit);
        seed_project(&clients.codebuild, account, unit, kept).await?;
        seed_launch_configuration(&clients.autoscaling, unit, kept).await?;
        clients
            .efs
            .create_file_system()
            .creation_token(format!("bench-fs-{unit:05}"))
            .encrypted(kept)
            .send()
            .await
            .map_err(described)?;
        clients
            .dms
            .create_replication_instance()
            .replication_instance_identifier(format!("bench-dms-{unit:05}"))
            .replication_instance_class("dms.t3.micro")
            .publicly_accessible(!kept)
            .send()
            .await
            .map_err(described)?;
        seed_notebook(&clients.sagemaker, account, unit, kept).await?;
        seed_environment(&clients.beanstalk, unit, kept).await
    })
    .await
}

struct Clients {
    codebuild: aws_sdk_codebuild::Client,
    autoscaling: aws_sdk_autoscaling::Client,
    efs: aws_sdk_efs::Client,
    dms: aws_sdk_databasemigration::Client,
    sagemaker: aws_sdk_sagemaker::Client,
    beanstalk: aws_sdk_elasticbeanstalk::Client,
}

/// A failing project has a plaintext access key variable (a placeholder value).
async fn seed_project(
    client: &aws_sdk_codebuild::Client,
    account: &str,
    unit: usize,
    kept: bool,
) -> Result<(), BoxError> {
    use aws_sdk_codebuild::types::EnvironmentVariableType;
    let (kind, value) = if kept {
        (EnvironmentVariableType::ParameterStore, "/ci/deploy-key")
    } else {
        (EnvironmentVariableType::Plaintext, "placeholder")
    };
    super::super::seed::codebuild::project(
        client,
        &format!("bench-build-{unit:05}"),
        &format!("https://bitbucket.org/bench/app-{unit:05}.git"),
        kind,
        value,
        &format!("arn:aws:iam::{account}:role/codebuild-service"),
    )?
    .send()
    .await
    .map_err(described)?;
    Ok(())
}

async fn seed_launch_configuration(
    client: &aws_sdk_autoscaling::Client,
    unit: usize,
    kept: bool,
) -> Result<(), BoxError> {
    use aws_sdk_autoscaling::types::{InstanceMetadataHttpTokensState, InstanceMetadataOptions};
    let tokens = if kept {
        InstanceMetadataHttpTokensState::Required
    } else {
        InstanceMetadataHttpTokensState::Optional
    };
    client
        .create_launch_configuration()
        .launch_configuration_name(format!("bench-lc-{unit:05}"))
        .image_id("ami-12345678")
        .instance_type("t3.micro")
        .associate_public_ip_address(!kept)
        .metadata_options(
            InstanceMetadataOptions::builder()
                .http_tokens(tokens)
                .build(),
        )
        .send()
        .await
        .map_err(described)?;
    Ok(())
}

/// Failing notebooks keep SageMaker's defaults: direct internet access, root access, no VPC.
async fn seed_notebook(
    client: &aws_sdk_sagemaker::Client,
    account: &str,
    unit: usize,
    kept: bool,
) -> Result<(), BoxError> {
    use aws_sdk_sagemaker::types::{DirectInternetAccess, InstanceType, RootAccess};
    let (internet, root) = if kept {
        (DirectInternetAccess::Disabled, RootAccess::Disabled)
    } else {
        (DirectInternetAccess::Enabled, RootAccess::Enabled)
    };
    let notebook = client
        .create_notebook_instance()
        .notebook_instance_name(format!("bench-notebook-{unit:05}"))
        .instance_type(InstanceType::MlT3Medium)
        .role_arn(format!("arn:aws:iam::{account}:role/sagemaker-notebooks"))
        .direct_internet_access(internet)
        .root_access(root);
    let notebook = if kept {
        notebook
            .subnet_id("subnet-bench")
            .security_group_ids("sg-bench")
    } else {
        notebook
    };
    notebook.send().await.map_err(described)?;
    Ok(())
}

/// Failing environments leave managed updates and log streaming at their defaults (off).
async fn seed_environment(
    client: &aws_sdk_elasticbeanstalk::Client,
    unit: usize,
    kept: bool,
) -> Result<(), BoxError> {
    use aws_sdk_elasticbeanstalk::types::ConfigurationOptionSetting;
    let setting = |namespace: &str, option: &str| {
        ConfigurationOptionSetting::builder()
            .namespace(namespace)
            .option_name(option)
            .value("true")
            .build()
    };
    let options = if kept {
        vec![
            setting(
                "aws:elasticbeanstalk:managedactions",
                "ManagedActionsEnabled",
            ),
            setting("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs"),
        ]
    } else {
        Vec::new()
    };
    client
        .create_environment()
        .application_name(APPLICATION)
        .environment_name(format!("bench-env-{unit:05}"))
        .solution_stack_name("64bit Amazon Linux 2023 v4.3.0 running Python 3.12")
        .set_option_settings(Some(options))
        .send()
        .await
        .map_err(described)?;
    Ok(())
}
