//! The CloudTrail management events that can change a verdict. Each check declares its
//! triggers ([`EventTrigger`](super::checks::EventTrigger)); each service says which of its resources an event touched
//! ([`ServiceSpec::touched`](super::ServiceSpec)); together they decide what one API call makes
//! the auditor re-read. An event is only ever a hint: the verdict comes from the re-read.
//!
//! CloudTrail names an event after the API operation (`eventName`) and the service's endpoint
//! (`eventSource`, `<service>.amazonaws.com`): "CloudTrail record contents for management
//! events", <https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-event-reference-record-contents.html>.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::checks::Check;

/// One CloudTrail record of a management call, as far as a re-check needs it: what was
/// called, where, by whom, and the parameters that name the resource. Field names are
/// CloudTrail's (see the record contents reference above).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ApiEvent {
    pub event_source: String,
    pub event_name: String,
    #[serde(default)]
    pub event_time: String,
    #[serde(default)]
    pub aws_region: String,
    /// The account the call acted in (CloudTrail's `recipientAccountId`).
    #[serde(default)]
    pub recipient_account_id: Option<String>,
    #[serde(default)]
    pub event_id: Option<String>,
    #[serde(default, rename = "sourceIPAddress")]
    pub source_ip_address: Option<String>,
    #[serde(default)]
    pub user_identity: Option<UserIdentity>,
    #[serde(default)]
    pub request_parameters: Option<Value>,
    #[serde(default)]
    pub response_elements: Option<Value>,
    /// Set on a failed call: such an event changed nothing.
    #[serde(default)]
    pub error_code: Option<String>,
}

/// Who made the call: CloudTrail's `userIdentity`, of which the alert names the ARN.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserIdentity {
    #[serde(default)]
    pub arn: Option<String>,
    #[serde(default)]
    pub account_id: Option<String>,
}

impl ApiEvent {
    /// A string at `path` of the request parameters, then of the response elements
    /// (a created resource's id is only in the response).
    pub fn parameter(&self, path: &[&str]) -> Option<&str> {
        [&self.request_parameters, &self.response_elements]
            .into_iter()
            .flatten()
            .find_map(|root| {
                path.iter()
                    .try_fold(root, |value, key| value.get(key))
                    .and_then(Value::as_str)
            })
    }

    /// Every string found under a key named `key`, at any depth of the request parameters and
    /// response elements (EC2 nests ids in `items` lists: `groupSet.items[].groupId`).
    pub fn parameters_named(&self, key: &str) -> Vec<String> {
        fn walk(value: &Value, key: &str, found: &mut Vec<String>) {
            match value {
                Value::Object(map) => {
                    for (k, v) in map {
                        match v {
                            Value::String(s) if k == key => found.push(s.clone()),
                            _ => walk(v, key, found),
                        }
                    }
                }
                Value::Array(items) => items.iter().for_each(|v| walk(v, key, found)),
                _ => {}
            }
        }
        let mut found = Vec::new();
        for root in [&self.request_parameters, &self.response_elements]
            .into_iter()
            .flatten()
        {
            walk(root, key, &mut found);
        }
        found.sort();
        found.dedup();
        found
    }

    /// The account the call acted in.
    pub fn account_id(&self) -> Option<&str> {
        self.recipient_account_id.as_deref().or(self
            .user_identity
            .as_ref()
            .and_then(|u| u.account_id.as_deref()))
    }

    pub fn caller(&self) -> &str {
        self.user_identity
            .as_ref()
            .and_then(|u| u.arn.as_deref())
            .unwrap_or("an unknown caller")
    }
}

/// Why a file or message is not an event the re-check understands.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct NotAnEvent(pub String);

/// The CloudTrail records in `value`: one record, an EventBridge envelope
/// (`detail-type: "AWS API Call via CloudTrail"`, the record in `detail`), or a JSON array of
/// either.
pub fn parse_events(value: Value) -> Result<Vec<ApiEvent>, NotAnEvent> {
    match value {
        Value::Array(items) => items
            .into_iter()
            .enumerate()
            .map(|(i, item)| {
                parse_event(item).map_err(|e| NotAnEvent(format!("item {i}: {}", e.0)))
            })
            .collect(),
        other => parse_event(other).map(|event| vec![event]),
    }
}

fn parse_event(value: Value) -> Result<ApiEvent, NotAnEvent> {
    let record = match value.get("detail-type").and_then(Value::as_str) {
        Some("AWS API Call via CloudTrail") => value.get("detail").cloned().unwrap_or_default(),
        Some(other) => {
            return Err(NotAnEvent(format!(
                "an EventBridge event of detail-type '{other}', not 'AWS API Call via CloudTrail'"
            )))
        }
        None => value,
    };
    if record.get("eventSource").is_none() || record.get("eventName").is_none() {
        return Err(NotAnEvent(
            "not a CloudTrail record: eventSource and eventName are required".into(),
        ));
    }
    serde_json::from_value(record).map_err(|e| NotAnEvent(format!("not a CloudTrail record: {e}")))
}

/// The EventBridge `source` of a CloudTrail event source: `ec2.amazonaws.com` → `aws.ec2`
/// ("Events from AWS services", <https://docs.aws.amazon.com/eventbridge/latest/ref/events-structure.html>).
pub fn eventbridge_source(event_source: &str) -> String {
    format!(
        "aws.{}",
        event_source
            .strip_suffix(".amazonaws.com")
            .unwrap_or(event_source)
    )
}

/// Every (event source → event names) the checks declare, sorted.
pub fn declared_triggers<'a>(
    checks: impl IntoIterator<Item = &'a Check>,
) -> BTreeMap<&'static str, BTreeSet<&'static str>> {
    let mut by_source: BTreeMap<&'static str, BTreeSet<&'static str>> = BTreeMap::new();
    for check in checks {
        for trigger in check.triggers {
            by_source
                .entry(trigger.source)
                .or_default()
                .extend(trigger.names.iter().copied());
        }
    }
    by_source
}

/// The EventBridge event pattern the checks' triggers add up to: CloudTrail's management
/// events of the declared sources, successful (no `errorCode`) and not read-only. The event
/// names are left to the function ([`crate::recheck::plan`] counts the others as unrelated):
/// the few hundred declared names make a pattern of several thousand characters, over
/// EventBridge's event pattern size quota (2,048 by default,
/// <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html>). `readOnly` is an
/// optional CloudTrail field, so a record without it matches too. Operators: `exists` and
/// `$or`, <https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html>.
pub fn eventbridge_pattern<'a>(checks: impl IntoIterator<Item = &'a Check>) -> Value {
    let by_source = declared_triggers(checks);
    let sources: BTreeSet<String> = by_source.keys().map(|s| eventbridge_source(s)).collect();
    json!({
        "source": sources,
        "detail-type": ["AWS API Call via CloudTrail"],
        "detail": {
            "eventSource": by_source.keys().collect::<Vec<_>>(),
            "errorCode": [{"exists": false}],
            "$or": [
                {"readOnly": [false]},
                {"readOnly": [{"exists": false}]},
            ],
        }
    })
}

/// EventBridge's default event pattern size quota, in characters.
pub const PATTERN_SIZE_QUOTA: usize = 2048;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::checks::registry;

    #[test]
    fn every_check_declares_the_events_that_can_change_its_verdict() {
        for check in registry() {
            assert!(
                !check.triggers.is_empty(),
                "{} declares no trigger",
                check.id
            );
            for trigger in check.triggers {
                assert!(
                    trigger.source.ends_with(".amazonaws.com") && !trigger.names.is_empty(),
                    "{}: {trigger:?}",
                    check.id
                );
                for name in trigger.names {
                    assert!(
                        name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                            && name.chars().all(|c| c.is_ascii_alphanumeric()),
                        "{}: '{name}' is not an API operation name",
                        check.id
                    );
                }
            }
        }
    }

    #[test]
    fn records_envelopes_and_arrays_of_either_are_events() {
        let record = json!({
            "eventSource": "ec2.amazonaws.com",
            "eventName": "AuthorizeSecurityGroupIngress",
            "awsRegion": "us-east-1",
            "eventTime": "2026-12-02T09:00:00Z",
            "recipientAccountId": "123456789012",
            "sourceIPAddress": "198.51.100.7",
            "userIdentity": {"arn": "arn:aws:iam::123456789012:user/dev"},
            "requestParameters": {"groupId": "sg-1", "ipPermissions": {"items": []}},
        });
        let envelope = json!({"detail-type": "AWS API Call via CloudTrail", "detail": record});
        let events = parse_events(json!([record, envelope])).unwrap();
        assert_eq!(events.len(), 2);
        assert_eq!(events[0], events[1]);
        assert_eq!(events[0].parameter(&["groupId"]), Some("sg-1"));
        assert_eq!(events[0].parameters_named("groupId"), ["sg-1"]);
        assert_eq!(events[0].account_id(), Some("123456789012"));
        assert_eq!(events[0].caller(), "arn:aws:iam::123456789012:user/dev");
        let scheduled = json!({"detail-type": "Scheduled Event", "detail": {}});
        assert!(parse_events(scheduled)
            .unwrap_err()
            .0
            .contains("Scheduled Event"));
        let error = parse_events(json!([record, {"eventName": "X"}])).unwrap_err();
        assert!(
            error.0.starts_with("item 1: not a CloudTrail record"),
            "{error}"
        );
    }

    #[test]
    fn the_pattern_matches_successful_writes_of_the_declared_sources_within_the_quota() {
        let pattern = eventbridge_pattern(registry());
        assert_eq!(
            pattern["detail-type"],
            json!(["AWS API Call via CloudTrail"])
        );
        assert_eq!(pattern["detail"]["errorCode"], json!([{"exists": false}]));
        assert!(pattern.to_string().len() <= PATTERN_SIZE_QUOTA, "{pattern}");
        let declared = declared_triggers(registry());
        let names: BTreeSet<&str> = declared.values().flatten().copied().collect();
        for name in [
            "AuthorizeSecurityGroupIngress",
            "PutBucketPolicy",
            "PutAccountPublicAccessBlock",
            "AttachRolePolicy",
            "ModifySnapshotAttribute",
            "StopLogging",
        ] {
            assert!(names.contains(name), "{name} missing");
        }
        let sources = pattern["source"].as_array().unwrap();
        assert!(sources.contains(&json!("aws.ec2")) && sources.contains(&json!("aws.s3")));
        let event_sources = pattern["detail"]["eventSource"].as_array().unwrap();
        assert_eq!(event_sources.len(), declared.len());
        assert_eq!(eventbridge_source("s3.amazonaws.com"), "aws.s3");
    }
}
