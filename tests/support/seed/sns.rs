//! SNS: `alerts` keeps the default policy AWS gives a topic (the owner account only: passes)
//! and `public-events` lets anyone publish (fails).

use aws_config::SdkConfig;
use aws_sdk_sns::types::Tag;

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let sns = aws_sdk_sns::Client::new(sdk);
    for (name, env, public) in [("alerts", "prod", false), ("public-events", "dev", true)] {
        let topic = sns
            .create_topic()
            .name(name)
            .tags(Tag::builder().key("Environment").value(env).build()?)
            .send()
            .await?;
        let arn = topic.topic_arn().ok_or("no topic arn")?;
        if public {
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PublicPublish","Effect":"Allow","Principal":{{"AWS":"*"}},"Action":"sns:Publish","Resource":"{arn}"}}]}}"#
            );
            sns.set_topic_attributes()
                .topic_arn(arn)
                .attribute_name("Policy")
                .attribute_value(policy)
                .send()
                .await?;
        }
    }
    Ok(())
}
