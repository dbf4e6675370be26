//! An alert topic with an SQS queue subscribed to it: how the tests receive what the Lambda
//! publishes.

use aws_config::SdkConfig;
use serde_json::Value;

pub struct AlertQueue {
    pub topic_arn: String,
    pub queue_url: String,
    /// The emulator of the topic and the queue.
    pub sdk: SdkConfig,
}

impl AlertQueue {
    /// Creates topic `name` and queue `name`, the queue subscribed to the topic.
    pub async fn create(sdk: &SdkConfig, name: &str) -> AlertQueue {
        let sns = aws_sdk_sns::Client::new(sdk);
        let sqs = aws_sdk_sqs::Client::new(sdk);
        let topic_arn = sns
            .create_topic()
            .name(name)
            .send()
            .await
            .unwrap()
            .topic_arn
            .unwrap();
        let queue_url = sqs
            .create_queue()
            .queue_name(name)
            .send()
            .await
            .unwrap()
            .queue_url
            .unwrap();
        sns.subscribe()
            .topic_arn(&topic_arn)
            .protocol("sqs")
            .endpoint(format!("arn:aws:sqs:us-east-1:123456789012:{name}"))
            .send()
            .await
            .unwrap();
        AlertQueue {
            topic_arn,
            queue_url,
            sdk: sdk.clone(),
        }
    }

    /// The SNS envelope of the alert published since the last call, if any; more than one
    /// fails the test (one alert per run). Received messages are deleted.
    pub async fn receive(&self) -> Option<Value> {
        let envelopes = self.take().await;
        assert!(
            envelopes.len() <= 1,
            "one alert per run, got {}",
            envelopes.len()
        );
        envelopes.into_iter().next()
    }

    /// The SNS envelopes of every alert published so far, however many. Received messages are
    /// deleted.
    pub async fn drain(&self) -> Vec<Value> {
        let mut envelopes = Vec::new();
        loop {
            let batch = self.take().await;
            if batch.is_empty() {
                return envelopes;
            }
            envelopes.extend(batch);
        }
    }

    /// One receive of up to ten envelopes, deleted from the queue.
    async fn take(&self) -> Vec<Value> {
        let sqs = aws_sdk_sqs::Client::new(&self.sdk);
        let received = sqs
            .receive_message()
            .queue_url(&self.queue_url)
            .max_number_of_messages(10)
            .wait_time_seconds(1)
            .send()
            .await
            .unwrap();
        let messages = received.messages.unwrap_or_default();
        for message in &messages {
            sqs.delete_message()
                .queue_url(&self.queue_url)
                .receipt_handle(message.receipt_handle().unwrap())
                .send()
                .await
                .unwrap();
        }
        messages
            .iter()
            .map(|m| serde_json::from_str(m.body().unwrap()).unwrap())
            .collect()
    }
}
