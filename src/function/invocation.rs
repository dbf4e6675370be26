//! The events the Lambda accepts, turned into one validated [`AuditRequest`].
//!
//! - An EventBridge scheduled event (`detail-type: "Scheduled Event"`) runs the configured
//!   default audit.
//! - A direct invocation or EventBridge Scheduler input is a JSON object with any of
//!   `services`, `regions` and `environment`, overriding the defaults.
//!
//! - In an organization deployment, the state machine's events: `{"organization": "plan"}`,
//!   `{"account_id": "…"}` and `{"organization": "summarize", …}` (see `organization.rs`).
//!
//! - The event-driven re-check's SQS batch (`Records` of `eventSource: "aws:sqs"`, each body an
//!   EventBridge `AWS API Call via CloudTrail` event), or one such event invoked directly.
//!
//! Anything else is rejected before any API call, with the offending field named.

use aws_lambda_events::event::eventbridge::EventBridgeEvent;
use serde::Deserialize;
use serde_json::Value;

use super::organization::{AccountWork, SummarizeRequest};
use crate::request::{
    parse_services, validate_account_id, AuditRequest, EnvironmentFilter, RegionSelection,
    RequestError,
};

/// Why an event was rejected.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("invalid request: {0}")]
    Malformed(String),
    #[error("invalid request: {0}")]
    Invalid(#[from] RequestError),
}

/// An on-demand request: every field optional, no others allowed.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OnDemand {
    services: Option<Vec<String>>,
    regions: Option<Vec<String>>,
    environment: Option<String>,
}

/// The kind of invocation, for the logs and the response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    Schedule,
    OnDemand,
    /// One member account of an organization run.
    OrganizationAccount,
    /// A batch of CloudTrail events re-checked.
    Event,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::OnDemand => "on_demand",
            Trigger::OrganizationAccount => "organization_account",
            Trigger::Event => "event",
        }
    }
}

/// What an event asks the function to do.
#[derive(Debug, Clone, PartialEq)]
pub enum Invocation {
    /// Audit the function's own account.
    Audit(AuditRequest, Trigger),
    Plan,
    /// Audit one member account (the configured audit).
    Account(AccountWork),
    Summarize(Box<SummarizeRequest>),
    /// Re-check what these queued CloudTrail events touched.
    Events(Vec<QueuedMessage>),
}

/// One message of an SQS batch: its id (to report it failed) and its body, unparsed: a body
/// that is not an event fails alone, not the batch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub message_id: String,
    pub body: String,
}

/// The messages of an SQS event (`Records`, `eventSource: "aws:sqs"`), per the Lambda
/// developer guide's SQS event example
/// (<https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html>).
fn queued_messages(records: &[Value]) -> Result<Vec<QueuedMessage>, EventError> {
    records
        .iter()
        .enumerate()
        .map(|(i, record)| {
            let field = |name: &str| record.get(name).and_then(Value::as_str);
            match (field("eventSource"), field("messageId"), field("body")) {
                (Some("aws:sqs"), Some(id), Some(body)) => Ok(QueuedMessage {
                    message_id: id.to_string(),
                    body: body.to_string(),
                }),
                _ => Err(EventError::Malformed(format!(
                    "Records[{i}]: not an SQS message (eventSource \"aws:sqs\", messageId and body are required)"
                ))),
            }
        })
        .collect()
}

/// Tells the state machine's events from the others, then parses them.
pub fn parse_invocation(
    event: Value,
    defaults: &AuditRequest,
    environment_tag_key: &str,
) -> Result<Invocation, EventError> {
    let malformed = |e: serde_json::Error| EventError::Malformed(e.to_string());
    let kind = event.get("organization").cloned();
    match kind {
        Some(Value::String(kind)) if kind == "plan" => {
            #[derive(Deserialize)]
            #[serde(deny_unknown_fields)]
            #[allow(dead_code)]
            struct PlanEvent {
                organization: String,
            }
            serde_json::from_value::<PlanEvent>(event).map_err(malformed)?;
            Ok(Invocation::Plan)
        }
        Some(Value::String(kind)) if kind == "summarize" => Ok(Invocation::Summarize(Box::new(
            serde_json::from_value(event).map_err(malformed)?,
        ))),
        Some(other) => Err(EventError::Malformed(format!(
            "organization: {other} is not one of \"plan\", \"summarize\""
        ))),
        None if event.get("Records").is_some() => match event.get("Records") {
            Some(Value::Array(records)) => Ok(Invocation::Events(queued_messages(records)?)),
            _ => Err(EventError::Malformed("Records: expected an array".into())),
        },
        None if event.get("detail-type").and_then(Value::as_str)
            == Some("AWS API Call via CloudTrail") =>
        {
            let id = event.get("id").and_then(Value::as_str).unwrap_or("direct");
            Ok(Invocation::Events(vec![QueuedMessage {
                message_id: id.to_string(),
                body: event.to_string(),
            }]))
        }
        None if event.get("account_id").is_some() => {
            let work: AccountWork = serde_json::from_value(event).map_err(malformed)?;
            validate_account_id(&work.account_id)?;
            Ok(Invocation::Account(work))
        }
        None => {
            let (request, trigger) = request_from_event(event, defaults, environment_tag_key)?;
            Ok(Invocation::Audit(request, trigger))
        }
    }
}

fn is_scheduled_event(object: &serde_json::Map<String, Value>) -> bool {
    object.get("detail-type").and_then(Value::as_str) == Some("Scheduled Event")
        && object.get("source").is_some()
}

/// Applies an event to the configured defaults.
pub fn request_from_event(
    event: Value,
    defaults: &AuditRequest,
    environment_tag_key: &str,
) -> Result<(AuditRequest, Trigger), EventError> {
    let Value::Object(object) = &event else {
        return Err(EventError::Malformed(
            "expected a JSON object (an EventBridge scheduled event or {\"services\": [...], \"regions\": [...], \"environment\": \"...\"})".into(),
        ));
    };
    if is_scheduled_event(object) {
        // Validates the envelope (types of time, resources, ...); the schedule carries no options.
        serde_json::from_value::<EventBridgeEvent>(event)
            .map_err(|e| EventError::Malformed(format!("scheduled event: {e}")))?;
        return Ok((defaults.clone(), Trigger::Schedule));
    }
    let on_demand: OnDemand =
        serde_json::from_value(event).map_err(|e| EventError::Malformed(e.to_string()))?;
    let mut request = defaults.clone();
    if let Some(services) = on_demand.services {
        request.services = parse_services(&services)?;
    }
    if let Some(regions) = on_demand.regions {
        request.regions = match RegionSelection::parse(&regions)? {
            RegionSelection::Default => {
                return Err(RequestError::InvalidRegion(String::new()).into())
            }
            selection => selection,
        };
    }
    if let Some(environment) = on_demand.environment {
        request.environment = Some(EnvironmentFilter::new(environment_tag_key, &environment)?);
    }
    Ok((request, Trigger::OnDemand))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::Service;
    use serde_json::json;

    fn parse(event: Value) -> Result<(AuditRequest, Trigger), EventError> {
        request_from_event(event, &AuditRequest::default(), "Environment")
    }

    /// What EventBridge sends for a schedule rule.
    fn scheduled_event() -> Value {
        json!({
            "version": "0",
            "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": "123456789012",
            "time": "2026-11-25T02:00:00Z",
            "region": "us-east-1",
            "resources": ["arn:aws:events:us-east-1:123456789012:rule/secaudit-nightly"],
            "detail": {}
        })
    }

    #[test]
    fn sqs_batches_and_direct_cloudtrail_events_are_rechecks() {
        let parse = |event: Value| parse_invocation(event, &AuditRequest::default(), "Environment");
        let batch = json!({"Records": [
            {"messageId": "m-1", "eventSource": "aws:sqs", "body": "{}"},
            {"messageId": "m-2", "eventSource": "aws:sqs", "body": "not json"},
        ]});
        match parse(batch).unwrap() {
            Invocation::Events(messages) => {
                assert_eq!(messages.len(), 2);
                assert_eq!(messages[1].message_id, "m-2");
            }
            other => panic!("{other:?}"),
        }
        let direct =
            json!({"id": "e-1", "detail-type": "AWS API Call via CloudTrail", "detail": {}});
        assert!(
            matches!(parse(direct).unwrap(), Invocation::Events(m) if m[0].message_id == "e-1")
        );
        let error = parse(json!({"Records": [{"messageId": "m"}]})).unwrap_err();
        assert!(
            error.to_string().contains("Records[0]: not an SQS message"),
            "{error}"
        );
    }

    #[test]
    fn scheduled_events_run_the_defaults() {
        let (request, trigger) = parse(scheduled_event()).unwrap();
        assert_eq!(trigger, Trigger::Schedule);
        assert_eq!(request, AuditRequest::default());
    }

    #[test]
    fn a_scheduled_event_with_a_broken_envelope_is_rejected() {
        let mut event = scheduled_event();
        event["time"] = json!("yesterday");
        let error = parse(event).unwrap_err().to_string();
        assert!(
            error.starts_with("invalid request: scheduled event:"),
            "{error}"
        );
    }

    #[test]
    fn on_demand_requests_override_the_defaults() {
        let (request, trigger) = parse(json!({
            "services": ["s3", "IAM"],
            "regions": ["eu-west-1"],
            "environment": "prod"
        }))
        .unwrap();
        assert_eq!(trigger, Trigger::OnDemand);
        assert_eq!(
            request.services.into_iter().collect::<Vec<_>>(),
            [Service::S3, Service::Iam]
        );
        assert_eq!(
            request.regions,
            RegionSelection::Listed(vec!["eu-west-1".into()])
        );
        assert_eq!(request.environment.unwrap().value, "prod");
        let (all, _) = parse(json!({"regions": ["all"]})).unwrap();
        assert_eq!(all.regions, RegionSelection::AllEnabled);
        let (empty, _) = parse(json!({})).unwrap();
        assert_eq!(empty, AuditRequest::default());
    }

    #[test]
    fn the_state_machine_events_are_told_apart() {
        let parse = |event| parse_invocation(event, &AuditRequest::default(), "Environment");
        assert_eq!(
            parse(json!({"organization": "plan"})).unwrap(),
            Invocation::Plan
        );
        assert_eq!(
            parse(json!({"account_id": "111111111111", "name": "prod", "run_id": "r"})).unwrap(),
            Invocation::Account(AccountWork {
                account_id: "111111111111".into(),
                name: "prod".into(),
                run_id: Some("r".into())
            })
        );
        assert!(matches!(
            parse(json!({"services": ["s3"]})).unwrap(),
            Invocation::Audit(_, Trigger::OnDemand)
        ));
        let cases = [
            (json!({"organization": "audit"}), "is not one of"),
            (json!({"organization": "plan", "x": 1}), "unknown field `x`"),
            (json!({"account_id": "12"}), "invalid account id '12'"),
            (
                json!({"account_id": "111111111111", "services": ["s3"]}),
                "unknown field `services`",
            ),
            (
                json!({"organization": "summarize", "run_id": "r"}),
                "missing field",
            ),
        ];
        for (event, expected) in cases {
            let error = parse(event.clone())
                .expect_err(&event.to_string())
                .to_string();
            assert!(error.contains(expected), "{event}: {error}");
            assert!(error.starts_with("invalid request: "), "{error}");
        }
    }

    #[test]
    fn bad_requests_are_rejected_naming_the_field() {
        let cases = [
            (json!({"service": ["s3"]}), "unknown field `service`"),
            (
                json!({"services": ["s3", "dynamodb"]}),
                "unknown service 'dynamodb'",
            ),
            (
                json!({"services": "s3"}),
                "invalid type: string \"s3\", expected a sequence",
            ),
            (json!({"services": []}), "no services given"),
            (
                json!({"regions": ["eu-west-1", "nowhere"]}),
                "invalid region 'nowhere'",
            ),
            (json!({"regions": []}), "invalid region"),
            (
                json!({"regions": [1]}),
                "invalid type: integer `1`, expected a string",
            ),
            (json!({"environment": ""}), "invalid environment value"),
            (json!({"environment": 7}), "invalid type: integer `7`"),
            (json!([]), "expected a JSON object"),
            (json!("run"), "expected a JSON object"),
            (Value::Null, "expected a JSON object"),
        ];
        for (event, expected) in cases {
            let error = parse(event.clone())
                .expect_err(&event.to_string())
                .to_string();
            assert!(error.contains(expected), "{event}: {error}");
            assert!(error.starts_with("invalid request: "), "{error}");
        }
    }
}
