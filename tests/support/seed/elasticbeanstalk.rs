//! Elastic Beanstalk: one application, an environment with managed updates and log streaming
//! on, one with neither.

use aws_config::SdkConfig;
use aws_sdk_elasticbeanstalk::types::{ConfigurationOptionSetting, Tag};

use super::BoxError;

/// `shop-prod` passes both environment checks; `shop-dev` fails both (updates turned off,
/// streaming left at its default).
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_elasticbeanstalk::Client::new(sdk);
    client
        .create_application()
        .application_name("shop")
        .send()
        .await?;
    let setting = |namespace: &str, option: &str, value: &str| {
        ConfigurationOptionSetting::builder()
            .namespace(namespace)
            .option_name(option)
            .value(value)
            .build()
    };
    let managed = |on: &str| {
        setting(
            "aws:elasticbeanstalk:managedactions",
            "ManagedActionsEnabled",
            on,
        )
    };
    let environments = [
        (
            "shop-prod",
            "prod",
            vec![
                managed("true"),
                setting("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
            ],
        ),
        ("shop-dev", "dev", vec![managed("false")]),
    ];
    for (name, env, options) in environments {
        client
            .create_environment()
            .application_name("shop")
            .environment_name(name)
            .solution_stack_name("64bit Amazon Linux 2023 v4.3.0 running Python 3.12")
            .set_option_settings(Some(options))
            .tags(Tag::builder().key("Environment").value(env).build())
            .send()
            .await?;
    }
    Ok(())
}
