//! The event-driven re-check against moto: real API calls made through the SDK, then the
//! CloudTrail events of those calls (as EventBridge delivers them, in an SQS batch) fed to the
//! function. Each alert names the change and the resource; the merged `latest.json` equals,
//! result for result, a full audit run right after; a revert resolves; a burst costs one read
//! per resource; racing writers lose nothing; a forged event proves nothing.

use crate::support;

mod burst;
mod changes;
mod scope;
mod storm;

use std::collections::{BTreeMap, HashMap};

use crate::organization::ssh_from_anywhere;
use aws_config::SdkConfig;
use secaudit::assess::error_covers_result;
use secaudit::function::config::LambdaConfig;
use secaudit::function::recheck::RecheckResponse;
use secaudit::function::{LambdaApp, Response};
use secaudit::model::Status;
use secaudit::report::Report;
use serde_json::{json, Value};
use support::alerts::AlertQueue;
use support::seed::{default_vpc, seed_demo_account};
use support::storm::{cloudtrail, scheduled, CALLER, SOURCE_IP};
use support::{block_on, MotoServer};

const BUCKET: &str = "secaudit-reports";
const LATEST: &str = "reports/123456789012/latest.json";

fn s3(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

async fn sinks(sdk: &SdkConfig) -> AlertQueue {
    let _ = s3(sdk).create_bucket().bucket(BUCKET).send().await;
    AlertQueue::create(sdk, "alerts").await
}

fn app(server: &MotoServer, topic_arn: &str, extra: &[(&str, &str)]) -> LambdaApp {
    app_reaching(server.sdk_config("us-east-1"), topic_arn, extra)
}

/// [`app`] reaching AWS through `sdk` (a proxy in front of the emulator, say).
fn app_reaching(sdk: SdkConfig, topic_arn: &str, extra: &[(&str, &str)]) -> LambdaApp {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET".to_string(), BUCKET.to_string()),
        (
            "SECAUDIT_ALERT_TOPIC_ARN".to_string(),
            topic_arn.to_string(),
        ),
        ("SECAUDIT_REGIONS".to_string(), "us-east-1".to_string()),
        (
            "SECAUDIT_ALERT_MIN_SEVERITY".to_string(),
            "high".to_string(),
        ),
    ]);
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    let config = LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap();
    LambdaApp::new(config, sdk)
}

/// The JSON object at `key` of the report bucket.
async fn read_json<T: serde::de::DeserializeOwned>(sdk: &SdkConfig, key: &str) -> T {
    let object = (s3(sdk).get_object().bucket(BUCKET).key(key))
        .send()
        .await
        .unwrap_or_else(|e| panic!("{key}: {e:?}"));
    serde_json::from_slice(&object.body.collect().await.unwrap().into_bytes()).unwrap()
}

async fn latest(sdk: &SdkConfig) -> Report {
    read_json(sdk, LATEST).await
}

const HISTORY: &str = "reports/123456789012/history.json";

/// The SQS event the event source mapping invokes the function with.
fn batch(events: &[Value]) -> Value {
    let records: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, event)| {
            json!({
                "messageId": format!("m-{i}"), "receiptHandle": "r", "body": event.to_string(),
                "attributes": {}, "messageAttributes": {}, "md5OfBody": "",
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:secaudit-recheck",
                "awsRegion": "us-east-1"
            })
        })
        .collect();
    json!({ "Records": records })
}

async fn recheck(app: &LambdaApp, events: &[Value]) -> RecheckResponse {
    match app
        .handle(batch(events), None)
        .await
        .expect("the batch is handled")
    {
        Response::Recheck(response) => response,
        other => panic!("not a re-check answer: {other:?}"),
    }
}

/// Each result's verdict, without times: what "equals a full audit" compares.
fn verdicts(report: &Report) -> BTreeMap<String, (Status, String)> {
    report
        .results
        .iter()
        .map(|r| (r.id.clone(), (r.status, r.detail.clone())))
        .collect()
}

/// A full audit of the same scope, run now, by a second function writing elsewhere and
/// alerting to a topic nobody reads (so it touches none of the state under test).
async fn full_audit(server: &MotoServer, unread_topic_arn: &str) -> Report {
    let other = app(
        server,
        unread_topic_arn,
        &[("SECAUDIT_REPORT_PREFIX", "fresh")],
    );
    other.handle(scheduled(), None).await.unwrap();
    read_json(
        &server.sdk_config("us-east-1"),
        "fresh/123456789012/latest.json",
    )
    .await
}

/// Result for result, the merged report says what a full audit says; a result the merged one
/// lacks because a read it rests on failed (the throttling proxy can exhaust the retries), with
/// that error recorded and the report incomplete, is unverified there, not different.
fn assert_same_verdicts(merged_report: &Report, full_report: &Report) {
    let unread = |id: &str| {
        !merged_report.complete
            && (full_report.results.iter()).any(|result| {
                result.id == id
                    && (merged_report.errors.iter()).any(|error| error_covers_result(error, result))
            })
    };
    let (merged, full) = (verdicts(merged_report), verdicts(full_report));
    let differing: Vec<_> = full
        .iter()
        .filter(|(id, verdict)| match merged.get(*id) {
            Some(seen) => seen != *verdict,
            None => !unread(id),
        })
        .map(|(id, verdict)| format!("{id}: full {verdict:?}, merged {:?}", merged.get(id)))
        .chain(
            (merged.keys())
                .filter(|id| !full.contains_key(*id))
                .map(|id| format!("{id}: only in the merged report")),
        )
        .collect();
    assert!(differing.is_empty(), "{}", differing.join("\n"));
}

/// What the test changes: a clean group, a private bucket, a private snapshot, a read-only role.
struct Targets {
    group_id: String,
    bucket: String,
    snapshot_id: String,
    role: String,
}

async fn create_targets(sdk: &SdkConfig) -> Targets {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let vpc = default_vpc(sdk).await.unwrap();
    let group = ec2
        .create_security_group()
        .group_name("recheck-web")
        .description("re-check target")
        .vpc_id(&vpc.id)
        .send()
        .await
        .unwrap();
    let bucket = "recheck-target-data".to_string();
    s3(sdk)
        .create_bucket()
        .bucket(&bucket)
        .send()
        .await
        .unwrap();
    let volume = ec2
        .create_volume()
        .availability_zone("us-east-1a")
        .size(8)
        .encrypted(true)
        .send()
        .await
        .unwrap();
    let snapshot = ec2
        .create_snapshot()
        .volume_id(volume.volume_id().unwrap())
        .send()
        .await
        .unwrap();
    let iam = aws_sdk_iam::Client::new(sdk);
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    iam.create_role()
        .role_name("recheck-app")
        .assume_role_policy_document(trust.to_string())
        .send()
        .await
        .unwrap();
    Targets {
        group_id: group.group_id().unwrap().to_string(),
        bucket,
        snapshot_id: snapshot.snapshot_id().unwrap().to_string(),
        role: "recheck-app".into(),
    }
}

fn public_policy(bucket: &str) -> String {
    json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*",
        "Action": "s3:GetObject", "Resource": format!("arn:aws:s3:::{bucket}/*")}]})
    .to_string()
}

const ADMIN: &str = "arn:aws:iam::aws:policy/AdministratorAccess";

/// Makes the four changes through the SDK; returns their CloudTrail events.
async fn break_things(sdk: &SdkConfig, t: &Targets) -> Vec<Value> {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let ssh = ssh_from_anywhere();
    ec2.authorize_security_group_ingress()
        .group_id(&t.group_id)
        .ip_permissions(ssh)
        .send()
        .await
        .unwrap();
    s3(sdk)
        .put_bucket_policy()
        .bucket(&t.bucket)
        .policy(public_policy(&t.bucket))
        .send()
        .await
        .unwrap();
    ec2.modify_snapshot_attribute()
        .snapshot_id(&t.snapshot_id)
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .operation_type(aws_sdk_ec2::types::OperationType::Add)
        .group_names("all")
        .send()
        .await
        .unwrap();
    aws_sdk_iam::Client::new(sdk)
        .attach_role_policy()
        .role_name(&t.role)
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    vec![
        cloudtrail(
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            json!({
                "groupId": t.group_id,
                "ipPermissions": {"items": [{"ipProtocol": "tcp", "fromPort": 22, "toPort": 22,
                    "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}
            }),
        ),
        cloudtrail(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({
                "bucketName": t.bucket, "bucketPolicy": public_policy(&t.bucket), "policy": [""]
            }),
        ),
        cloudtrail(
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            json!({
                "snapshotId": t.snapshot_id, "attributeType": "CREATE_VOLUME_PERMISSION",
                "createVolumePermission": {"add": {"items": [{"group": "all"}]}}
            }),
        ),
        cloudtrail(
            "iam.amazonaws.com",
            "AttachRolePolicy",
            json!({
                "roleName": t.role, "policyArn": ADMIN
            }),
        ),
    ]
}

/// Reverts the four changes; returns their CloudTrail events.
async fn revert(sdk: &SdkConfig, t: &Targets) -> Vec<Value> {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let ssh = ssh_from_anywhere();
    ec2.revoke_security_group_ingress()
        .group_id(&t.group_id)
        .ip_permissions(ssh)
        .send()
        .await
        .unwrap();
    s3(sdk)
        .delete_bucket_policy()
        .bucket(&t.bucket)
        .send()
        .await
        .unwrap();
    ec2.modify_snapshot_attribute()
        .snapshot_id(&t.snapshot_id)
        .attribute(aws_sdk_ec2::types::SnapshotAttributeName::CreateVolumePermission)
        .operation_type(aws_sdk_ec2::types::OperationType::Remove)
        .group_names("all")
        .send()
        .await
        .unwrap();
    aws_sdk_iam::Client::new(sdk)
        .detach_role_policy()
        .role_name(&t.role)
        .policy_arn(ADMIN)
        .send()
        .await
        .unwrap();
    vec![
        cloudtrail(
            "ec2.amazonaws.com",
            "RevokeSecurityGroupIngress",
            json!({"groupId": t.group_id}),
        ),
        cloudtrail(
            "s3.amazonaws.com",
            "DeleteBucketPolicy",
            json!({"bucketName": t.bucket}),
        ),
        cloudtrail(
            "ec2.amazonaws.com",
            "ModifySnapshotAttribute",
            json!({"snapshotId": t.snapshot_id}),
        ),
        cloudtrail(
            "iam.amazonaws.com",
            "DetachRolePolicy",
            json!({"roleName": t.role, "policyArn": ADMIN}),
        ),
    ]
}

fn failing<'a>(
    report: &'a Report,
    check_id: &str,
    resource_id: &str,
) -> Option<&'a secaudit::model::CheckResult> {
    report
        .results
        .iter()
        .find(|r| r.check_id == check_id && r.resource_id == resource_id && r.is_failed())
}

/// `n` clean groups and `n` private buckets.
async fn many_targets(sdk: &SdkConfig, n: usize) -> (Vec<String>, Vec<String>) {
    let ec2 = aws_sdk_ec2::Client::new(sdk);
    let vpc = default_vpc(sdk).await.unwrap();
    let mut groups = Vec::new();
    let mut buckets = Vec::new();
    for i in 0..n {
        let group = ec2
            .create_security_group()
            .group_name(format!("burst-{i}"))
            .description("burst target")
            .vpc_id(&vpc.id)
            .send()
            .await
            .unwrap();
        groups.push(group.group_id().unwrap().to_string());
        let bucket = format!("burst-target-{i:03}");
        s3(sdk)
            .create_bucket()
            .bucket(&bucket)
            .send()
            .await
            .unwrap();
        buckets.push(bucket);
    }
    (groups, buckets)
}

fn group_event(group: &str) -> Value {
    cloudtrail(
        "ec2.amazonaws.com",
        "AuthorizeSecurityGroupIngress",
        json!({"groupId": group}),
    )
}

fn bucket_event(bucket: &str) -> Value {
    cloudtrail(
        "s3.amazonaws.com",
        "PutBucketPolicy",
        json!({"bucketName": bucket}),
    )
}
