//! The SNS transport: publishes a built message (an account alert or the organization digest).

use aws_sdk_sns::types::MessageAttributeValue;

use super::DeliveryError;
use crate::aws::describe_sdk_error;

#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub subject: String,
    /// The `MessageStructure=json` document: `default` (JSON) and `email` (text).
    pub message: String,
    pub attributes: Vec<(&'static str, &'static str, String)>,
    pub findings_total: usize,
    pub findings_listed: usize,
}

/// Publishes the alert; returns the SNS message id.
pub async fn publish(
    sns: &aws_sdk_sns::Client,
    topic_arn: &str,
    alert: &Alert,
) -> Result<String, DeliveryError> {
    let failure = |code: String, message: String| DeliveryError {
        action: "publishing the alert",
        destination: topic_arn.to_string(),
        code,
        message,
    };
    let mut publish = sns
        .publish()
        .topic_arn(topic_arn)
        .subject(&alert.subject)
        .message_structure("json")
        .message(&alert.message);
    for (name, data_type, value) in &alert.attributes {
        let attribute = MessageAttributeValue::builder()
            .data_type(*data_type)
            .string_value(value)
            .build()
            .map_err(|e| failure("InvalidAttribute".into(), e.to_string()))?;
        publish = publish.message_attributes(*name, attribute);
    }
    let output = publish.send().await.map_err(|e| {
        let (code, message) = describe_sdk_error(&e);
        failure(code, message)
    })?;
    Ok(output.message_id().unwrap_or_default().to_string())
}
