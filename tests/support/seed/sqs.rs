//! SQS: `jobs` has no policy (passes) and `public-jobs` lets anyone send and receive (fails).

use aws_config::SdkConfig;
use aws_sdk_sqs::types::QueueAttributeName;

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let sqs = aws_sdk_sqs::Client::new(sdk);
    for (name, env, public) in [("jobs", "prod", false), ("public-jobs", "dev", true)] {
        let queue = sqs
            .create_queue()
            .queue_name(name)
            .tags("Environment", env)
            .send()
            .await?;
        let url = queue.queue_url().ok_or("no queue url")?;
        if public {
            let region = sdk.region().map_or("us-east-1", |r| r.as_ref());
            let policy = format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"PublicWorkers","Effect":"Allow","Principal":"*","Action":["sqs:SendMessage","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:{region}:123456789012:{name}"}}]}}"#
            );
            sqs.set_queue_attributes()
                .queue_url(url)
                .attributes(QueueAttributeName::Policy, policy)
                .send()
                .await?;
        }
    }
    Ok(())
}
