//! The event path under a storm: a function (the library's engine in process) audits a
//! synthetic account once, then one consumer hands it 5,000 CloudTrail events about the
//! account's security groups and buckets (each resource named over a hundred times, out of
//! order) in SQS batches of 100, straight at the emulator. Measured: events per second, the
//! re-read calls per event once a batch has coalesced its events, and the conditional-write
//! retries per batch.

use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::support::alerts::AlertQueue;
use super::support::storm::{cloudtrail, consume, scheduled, shuffle, Queue, Tally};
use super::support::synthetic::seed_units;
use super::support::{block_on, MotoServer};

const EVENTS: usize = 5000;
/// Units of the synthetic account (a security group and a bucket each).
const UNITS: usize = 20;

pub struct Burst {
    pub events: usize,
    pub resources: usize,
    pub tally: Tally,
    pub wall: Duration,
    pub reread_calls: u64,
    pub dead: usize,
}

pub fn run(server: &MotoServer) -> Result<Burst, String> {
    block_on(async {
        let sdk = server.sdk_config("us-east-1");
        seed_units(&sdk, UNITS).await.map_err(|e| e.to_string())?;
        let s3 = super::recheck::report_store(&sdk).await?;
        let alerts = AlertQueue::create(&sdk, "bench-burst").await;
        let function = super::recheck::app(&server.endpoint, &alerts.topic_arn);
        function
            .handle(scheduled(), None)
            .await
            .map_err(|e| format!("the first audit: {e}"))?;
        let groups = aws_sdk_ec2::Client::new(&sdk)
            .describe_security_groups()
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?
            .security_groups
            .unwrap_or_default();
        let buckets = s3
            .list_buckets()
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?
            .buckets
            .unwrap_or_default();
        let named: Vec<Value> = (groups.iter().filter_map(|g| g.group_id()))
            .map(|id| {
                cloudtrail(
                    "ec2.amazonaws.com",
                    "AuthorizeSecurityGroupIngress",
                    json!({"groupId": id}),
                )
            })
            .chain((buckets.iter().filter_map(|b| b.name())).map(|name| {
                cloudtrail(
                    "s3.amazonaws.com",
                    "PutBucketPolicy",
                    json!({"bucketName": name}),
                )
            }))
            .collect();
        let resources = named.len();
        let mut events: Vec<Value> = named.iter().cycle().take(EVENTS).cloned().collect();
        shuffle(&mut events);
        let queue = Mutex::new(Queue::new(&events));
        let tally = Mutex::new(Tally::default());
        let started = Instant::now();
        consume(&function, &queue, &tally, None).await;
        let wall = started.elapsed();
        let report = super::recheck::latest(&s3).await?;
        let queue = queue.into_inner().map_err(|e| e.to_string())?;
        Ok(Burst {
            events: EVENTS,
            resources,
            tally: tally.into_inner().map_err(|e| e.to_string())?,
            wall,
            reread_calls: report.rechecks.iter().map(|r| r.api_calls).sum(),
            dead: queue.dead.len() + queue.waiting.len(),
        })
    })
}

/// The results section; `false` when a message was lost or failed for good.
pub fn render(out: &mut String, burst: &Burst) -> bool {
    let met = burst.dead == 0 && burst.tally.events >= burst.events;
    let _ = writeln!(out, "## Event storm\n");
    let _ = writeln!(
        out,
        "{} CloudTrail events naming the {} security groups and buckets of a {UNITS}-unit \
         account, out of order, handed by one consumer to the function (in process, straight \
         at the emulator) in SQS batches of 100 after a full audit; a batch coalesces its \
         events into one re-read per resource. Target: every message handled, none \
         dead-lettered.\n",
        burst.events, burst.resources
    );
    let _ = writeln!(
        out,
        "| events | batches | events per second | re-read calls per event | conditional-write retries per batch | handed back | dead-lettered | verdict |"
    );
    let _ = writeln!(out, "|---:|---:|---:|---:|---:|---:|---:|---|");
    let batches = burst.tally.batches.max(1) as f64;
    let _ = writeln!(
        out,
        "| {} | {} | {:.0} | {:.2} | {:.2} | {} | {} | {} |\n",
        burst.tally.events,
        burst.tally.batches,
        burst.tally.events as f64 / burst.wall.as_secs_f64().max(1e-3),
        burst.reread_calls as f64 / burst.tally.events.max(1) as f64,
        burst.tally.write_retries as f64 / batches,
        burst.tally.redelivered,
        burst.dead,
        if met { "met" } else { "missed" }
    );
    met
}
