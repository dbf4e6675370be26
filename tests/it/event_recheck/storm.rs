//! A storm of changes as a deployment meets it: over five thousand CloudTrail events of real
//! changes (groups opened and closed, bucket policies made public and private, each resource
//! changed up to four times), every event delivered many times and out of order, a few forged
//! ones, in SQS batches of up to 100 taken by two consumers while a nightly run writes
//! `latest.json`, through a proxy that throttles one request in twenty. SQS is played by the
//! test (`support::storm`): a message a batch hands back (`batchItemFailures`) is delivered
//! again, up to the template's three receives, then dead-lettered.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use super::*;
use crate::support::fault_proxy::{FaultProxy, Faults};
use crate::support::storm::{consume, shuffle, Queue, Tally, BATCH};

/// How often each event of a real change is delivered.
const COPIES: usize = 110;

/// Every alert published so far, as the JSON messages the topic carried.
async fn every_alert(alerts: &AlertQueue) -> Vec<Value> {
    (alerts.drain().await.iter())
        .map(|envelope| serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap())
        .collect()
}

/// Changes each group and bucket `1 + i % 4` times through the SDK, open and closed in turn;
/// returns the CloudTrail events of the changes.
async fn change_each_several_times(
    sdk: &SdkConfig,
    groups: &[String],
    buckets: &[String],
) -> Vec<Value> {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let mut events = Vec::new();
    for (i, group) in groups.iter().enumerate() {
        for change in 0..=i % 4 {
            let opens = change % 2 == 0;
            if opens {
                ec2.authorize_security_group_ingress()
                    .group_id(group)
                    .ip_permissions(ssh_from_anywhere())
                    .send()
                    .await
                    .unwrap();
            } else {
                ec2.revoke_security_group_ingress()
                    .group_id(group)
                    .ip_permissions(ssh_from_anywhere())
                    .send()
                    .await
                    .unwrap();
            }
            let name = if opens {
                "AuthorizeSecurityGroupIngress"
            } else {
                "RevokeSecurityGroupIngress"
            };
            events.push(cloudtrail(
                "ec2.amazonaws.com",
                name,
                json!({"groupId": group}),
            ));
        }
    }
    for (i, bucket) in buckets.iter().enumerate() {
        for change in 0..=i % 4 {
            let opens = change % 2 == 0;
            if opens {
                (s3(sdk).put_bucket_policy().bucket(bucket))
                    .policy(public_policy(bucket))
                    .send()
                    .await
                    .unwrap();
            } else {
                (s3(sdk).delete_bucket_policy().bucket(bucket))
                    .send()
                    .await
                    .unwrap();
            }
            let name = if opens {
                "PutBucketPolicy"
            } else {
                "DeleteBucketPolicy"
            };
            events.push(cloudtrail(
                "s3.amazonaws.com",
                name,
                json!({"bucketName": bucket}),
            ));
        }
    }
    events
}

#[test]
fn a_storm_of_changes_racing_a_nightly_run_ends_equal_to_a_full_audit() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let (groups, buckets) = many_targets(&sdk, 10).await;
        let alerts = sinks(&sdk).await;
        let services = ("SECAUDIT_SERVICES", "sg,s3");
        let throttling = FaultProxy::start(
            &server.endpoint,
            Faults {
                throttle_percent: 5,
                ..Faults::default()
            },
        );
        let function = app_reaching(
            support::sdk_config(&throttling.endpoint, "us-east-1"),
            &alerts.topic_arn,
            &[services],
        );
        function.handle(scheduled(), None).await.unwrap();
        let before = latest(&sdk).await;
        every_alert(&alerts).await;

        let events = change_each_several_times(&sdk, &groups, &buckets).await;
        let changes = events.len();
        let mut delivered: Vec<Value> = (events.iter())
            .flat_map(|event| std::iter::repeat_n(event.clone(), COPIES))
            .collect();
        // Forged: public policies claimed on buckets that never had one afterwards.
        for bucket in buckets.iter().skip(1).step_by(4) {
            delivered.push(cloudtrail(
                "s3.amazonaws.com",
                "PutBucketPolicy",
                json!({"bucketName": bucket, "bucketPolicy": public_policy(bucket)}),
            ));
        }
        shuffle(&mut delivered);
        let total = delivered.len();
        assert!(total >= 5000, "{total} events");
        let queue = Mutex::new(Queue::new(&delivered));
        let tally = Mutex::new(Tally::default());

        let started = Instant::now();
        let (_, _, nightly) = futures::join!(
            // Its first invocation is about to time out: that batch goes back whole.
            consume(&function, &queue, &tally, Some(Duration::from_millis(1))),
            consume(&function, &queue, &tally, None),
            async {
                tokio::time::sleep(Duration::from_millis(200)).await;
                function.handle(scheduled(), None).await
            }
        );
        // What a batch handed back after the other consumer had stopped.
        consume(&function, &queue, &tally, None).await;
        let drained = started.elapsed();
        nightly.expect("the nightly run");

        let queue = queue.into_inner().unwrap();
        let tally = tally.into_inner().unwrap();
        assert!(queue.dead.is_empty(), "dead-lettered: {:?}", queue.dead);
        assert!(queue.waiting.is_empty());
        assert!(tally.redelivered >= BATCH, "the timed-out batch came back");
        assert!(tally.events >= total, "{tally:?}");

        // latest.json is a full audit of the account, result for result.
        let merged = latest(&sdk).await;
        let unread = AlertQueue::create(&sdk, "unread").await;
        let fresh = app(
            &server,
            &unread.topic_arn,
            &[("SECAUDIT_REPORT_PREFIX", "fresh"), services],
        );
        fresh.handle(scheduled(), None).await.unwrap();
        let full: Report = read_json(&sdk, "fresh/123456789012/latest.json").await;
        assert_same_verdicts(&merged, &full);

        // Every finding that became a failure was alerted, by a batch or by the nightly run;
        // at most one alert per batch and run.
        let alerted: BTreeSet<(String, String)> = (every_alert(&alerts).await.iter())
            .flat_map(|alert| alert["findings"].as_array().cloned().unwrap_or_default())
            // A change alert lists `{finding, events}`, the nightly's alert the findings.
            .map(|entry| {
                let f = entry.get("finding").unwrap_or(&entry);
                (
                    f["check_id"].as_str().unwrap().to_string(),
                    f["resource_id"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let failed_before: BTreeSet<&str> = (before.results.iter())
            .filter(|r| r.is_failed())
            .map(|r| r.id.as_str())
            .collect();
        let became_failures: Vec<(String, String)> = (full.results.iter())
            .filter(|r| r.is_failed() && !failed_before.contains(r.id.as_str()))
            .filter(|r| r.severity.is_at_least(secaudit::model::Severity::High))
            .map(|r| (r.check_id.to_string(), r.resource_id.clone()))
            .collect();
        assert!(!became_failures.is_empty());
        for finding in &became_failures {
            assert!(alerted.contains(finding), "never alerted: {finding:?}");
        }
        assert!(tally.alerts_published <= tally.batches);

        let rereads: u64 = merged.rechecks.iter().map(|r| r.api_calls).sum();
        let reread_events: usize = merged.rechecks.iter().map(|r| r.event_count).sum();
        eprintln!(
            "storm: {changes} changes, {total} events in {} batches ({} messages handed back) \
             drained in {:.1} s beside a nightly run; {} conditional-write retries; \
             {rereads} re-read calls for {reread_events} events ({:.3} a event); \
             {} throttled requests retried",
            tally.batches,
            tally.redelivered,
            drained.as_secs_f64(),
            tally.write_retries,
            rereads as f64 / reread_events.max(1) as f64,
            throttling.faulted(),
        );
    });
}
