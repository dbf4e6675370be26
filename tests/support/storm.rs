//! The function's event path as a deployment meets it: CloudTrail records in their EventBridge
//! envelopes, and SQS played by the caller. Consumers take batches of up to 100; a message a
//! batch hands back (`batchItemFailures`) is delivered again, up to the redrive policy's
//! receives, then dead-lettered. Used by the storm test and by `make bench`.

use std::collections::{BTreeSet, VecDeque};
use std::sync::Mutex;
use std::time::Duration;

use secaudit::function::{LambdaApp, Response};
use serde_json::{json, Value};

pub const ACCOUNT: &str = "123456789012";
pub const CALLER: &str = "arn:aws:iam::123456789012:user/mallory";
pub const SOURCE_IP: &str = "203.0.113.9";
/// The event source mapping's batch size.
pub const BATCH: usize = 100;
/// `maxReceiveCount` of the re-check queue's redrive policy (infra/template.yaml).
pub const MAX_RECEIVES: u32 = 3;

/// The EventBridge Scheduler's nightly invocation.
pub fn scheduled() -> Value {
    json!({
        "version": "0", "id": "9a1b2c3d-0000-4000-8000-000000000001",
        "detail-type": "Scheduled Event", "source": "aws.scheduler",
        "account": ACCOUNT, "time": "2026-12-02T02:00:00Z", "region": "us-east-1",
        "resources": [], "detail": "{}"
    })
}

/// The EventBridge envelope of a CloudTrail record of a successful call by [`CALLER`].
pub fn cloudtrail(source: &str, name: &str, request: Value) -> Value {
    let service = source.trim_end_matches(".amazonaws.com");
    json!({
        "version": "0", "id": uuid::Uuid::now_v7().to_string(),
        "detail-type": "AWS API Call via CloudTrail", "source": format!("aws.{service}"),
        "account": ACCOUNT, "time": "2026-12-02T09:00:00Z", "region": "us-east-1",
        "resources": [],
        "detail": {
            "eventVersion": "1.09",
            "userIdentity": {"type": "IAMUser", "arn": CALLER, "accountId": ACCOUNT},
            "eventTime": "2026-12-02T09:00:00Z",
            "eventSource": source, "eventName": name, "awsRegion": "us-east-1",
            "sourceIPAddress": SOURCE_IP, "userAgent": "aws-cli/2",
            "requestParameters": request, "responseElements": null,
            "eventID": uuid::Uuid::now_v7().to_string(), "readOnly": false,
            "eventType": "AwsApiCall", "managementEvent": true,
            "recipientAccountId": ACCOUNT
        }
    })
}

pub struct Message {
    id: String,
    body: String,
    receives: u32,
}

/// The source queue and its dead-letter queue.
#[derive(Default)]
pub struct Queue {
    pub waiting: VecDeque<Message>,
    pub dead: Vec<String>,
}

impl Queue {
    /// One message per event, in this order.
    pub fn new(events: &[Value]) -> Queue {
        Queue {
            waiting: (events.iter().enumerate())
                .map(|(i, event)| Message {
                    id: format!("m-{i}"),
                    body: event.to_string(),
                    receives: 1,
                })
                .collect(),
            dead: Vec::new(),
        }
    }
}

/// What the consumers saw, summed over their batches.
#[derive(Debug, Default)]
pub struct Tally {
    pub batches: usize,
    pub events: usize,
    /// Messages handed back to be delivered again.
    pub redelivered: usize,
    pub write_retries: usize,
    pub alerts_published: usize,
}

fn sqs_event(messages: &[Message]) -> Value {
    let records: Vec<Value> = messages
        .iter()
        .map(|m| {
            json!({
                "messageId": m.id, "receiptHandle": "r", "body": m.body,
                "attributes": {"ApproximateReceiveCount": m.receives.to_string()},
                "messageAttributes": {}, "md5OfBody": "", "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:secaudit-recheck",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

/// One consumer: takes batches until the queue is empty; what a batch hands back is delivered
/// again. Its first batch may be given an invocation that is about to time out.
pub async fn consume(
    app: &LambdaApp,
    queue: &Mutex<Queue>,
    tally: &Mutex<Tally>,
    mut first_deadline: Option<Duration>,
) {
    loop {
        let taken: Vec<Message> = {
            let mut queue = queue.lock().unwrap();
            let n = queue.waiting.len().min(BATCH);
            queue.waiting.drain(..n).collect()
        };
        if taken.is_empty() {
            return;
        }
        let deadline = first_deadline
            .take()
            .map(|left| tokio::time::Instant::now() + left);
        let response = match app.handle(sqs_event(&taken), deadline).await {
            Ok(Response::Recheck(response)) => response,
            other => panic!("not a re-check answer: {other:?}"),
        };
        let failed: BTreeSet<&str> = (response.batch_item_failures.iter())
            .map(|f| f.item_identifier.as_str())
            .collect();
        {
            let mut tally = tally.lock().unwrap();
            tally.batches += 1;
            tally.events += response.events;
            tally.write_retries += response.write_retries;
            tally.alerts_published += response.alert_message_ids.len();
            tally.redelivered += failed.len();
        }
        let mut queue = queue.lock().unwrap();
        for mut message in taken {
            if !failed.contains(message.id.as_str()) {
                continue;
            }
            if message.receives >= MAX_RECEIVES {
                queue.dead.push(message.id);
            } else {
                message.receives += 1;
                queue.waiting.push_back(message);
            }
        }
    }
}

/// A fixed shuffle (Fisher–Yates over a linear congruential sequence): out of order, and the
/// same order on every run.
pub fn shuffle<T>(items: &mut [T]) {
    let mut state: u64 = 0x2545_F491_4F6C_DD1D;
    for i in (1..items.len()).rev() {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        items.swap(i, (state >> 33) as usize % (i + 1));
    }
}
