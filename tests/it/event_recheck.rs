//! The event-driven re-check against moto: real API calls made through the SDK, then the
//! CloudTrail events of those calls (as EventBridge delivers them, in an SQS batch) fed to the
//! function. Each alert names the change and the resource; the merged `latest.json` equals,
//! result for result, a full audit run right after; a revert resolves; a burst costs one read
//! per resource; racing writers lose nothing; a forged event proves nothing.

use crate::support;

use std::collections::{BTreeMap, HashMap};

use crate::organization::ssh_from_anywhere;
use aws_config::SdkConfig;
use secaudit::lambda::config::LambdaConfig;
use secaudit::lambda::recheck::RecheckResponse;
use secaudit::lambda::{LambdaApp, Response};
use secaudit::model::Status;
use secaudit::report::Report;
use serde_json::{json, Value};
use support::alerts::AlertQueue;
use support::seed::{default_vpc, seed_demo_account};
use support::{block_on, MotoServer};

const BUCKET: &str = "secaudit-reports";
const ACCOUNT: &str = "123456789012";
const LATEST: &str = "reports/123456789012/latest.json";
const CALLER: &str = "arn:aws:iam::123456789012:user/mallory";
const SOURCE_IP: &str = "203.0.113.9";

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
    LambdaApp::new(config, server.sdk_config("us-east-1"))
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

fn scheduled() -> Value {
    json!({
        "version": "0", "id": "9a1b2c3d-0000-4000-8000-000000000001",
        "detail-type": "Scheduled Event", "source": "aws.scheduler",
        "account": ACCOUNT, "time": "2026-12-02T02:00:00Z", "region": "us-east-1",
        "resources": [], "detail": "{}"
    })
}

/// The EventBridge envelope of a CloudTrail record of a successful call by [`CALLER`].
fn cloudtrail(source: &str, name: &str, request: Value) -> Value {
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

fn assert_same_verdicts(merged: &Report, full: &Report) {
    let (merged, full) = (verdicts(merged), verdicts(full));
    let differing: Vec<_> = full
        .iter()
        .filter(|(id, verdict)| merged.get(*id) != Some(verdict))
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

#[test]
fn changes_are_alerted_from_a_reread_and_the_merged_state_equals_a_full_audit() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        seed_demo_account(&sdk).await.unwrap();
        let targets = create_targets(&sdk).await;
        let alerts = sinks(&sdk).await;
        let unread = aws_sdk_sns::Client::new(&sdk)
            .create_topic()
            .name("unread")
            .send()
            .await
            .unwrap();
        let unread = unread.topic_arn().unwrap();
        let app = app(
            &server,
            &alerts.topic_arn,
            &[("SECAUDIT_ALERT_ON_RESOLVED", "true")],
        );
        app.handle(scheduled(), None).await.unwrap();
        let _nightly_alert = alerts.receive().await;
        let nightly = latest(&sdk).await;
        assert!(failing(&nightly, "sg.high_risk_ports", &targets.group_id).is_none());

        let events = break_things(&sdk, &targets).await;
        let response = recheck(&app, &events).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        assert_eq!(response.events, 4);
        let merged = latest(&sdk).await;
        assert_ne!(merged.run_id, nightly.run_id);
        for (check, resource) in [
            ("sg.high_risk_ports", targets.group_id.as_str()),
            ("s3.policy_public", targets.bucket.as_str()),
            ("ec2.ebs_snapshot_public", targets.snapshot_id.as_str()),
            ("iam.admin_access", targets.role.as_str()),
        ] {
            let result = failing(&merged, check, resource)
                .unwrap_or_else(|| panic!("{check} on {resource} is not failing after the change"));
            assert!(
                merged.changes.as_ref().unwrap().new.contains(&result.id),
                "{check} not new"
            );
        }
        // What a full audit right now says, result for result.
        assert_same_verdicts(&merged, &full_audit(&server, unread).await);
        // Results nothing touched kept their first_seen.
        let kept = nightly
            .results
            .iter()
            .filter(|r| r.is_failed())
            .find(|r| r.service == "rds")
            .unwrap();
        let now = merged.results.iter().find(|r| r.id == kept.id).unwrap();
        assert_eq!(now.first_seen, kept.first_seen);

        // One alert for the batch, naming each change: call, caller, address, time, resource.
        let alert = alerts.receive().await.expect("the change alert");
        let text = alert["Message"].as_str().unwrap();
        let message: Value = serde_json::from_str(text).unwrap_or(Value::String(text.into()));
        let email = message.as_str().unwrap_or(text);
        for needle in [
            "AuthorizeSecurityGroupIngress",
            "PutBucketPolicy",
            "ModifySnapshotAttribute",
            "AttachRolePolicy",
            CALLER,
            SOURCE_IP,
            "2026-12-02T09:00:00Z",
            targets.group_id.as_str(),
            targets.bucket.as_str(),
            targets.snapshot_id.as_str(),
            "confirmed",
        ] {
            assert!(email.contains(needle), "the alert lacks {needle}: {email}");
        }

        // The revert resolves each finding, and the state is again a full audit's.
        let events = revert(&sdk, &targets).await;
        let response = recheck(&app, &events).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        let reverted = latest(&sdk).await;
        let resolved = &reverted.changes.as_ref().unwrap().resolved;
        for (check, resource) in [
            ("sg.high_risk_ports", targets.group_id.as_str()),
            ("s3.policy_public", targets.bucket.as_str()),
            ("ec2.ebs_snapshot_public", targets.snapshot_id.as_str()),
            ("iam.admin_access", targets.role.as_str()),
        ] {
            assert!(
                failing(&reverted, check, resource).is_none(),
                "{check} still failing"
            );
            assert!(
                resolved
                    .iter()
                    .any(|id| id.starts_with(check) && id.ends_with(resource)),
                "{check} on {resource} not resolved: {resolved:?}"
            );
        }
        assert_same_verdicts(&reverted, &full_audit(&server, unread).await);
        let follow_up = alerts.receive().await.expect("the resolution follow-up");
        assert!(
            follow_up["Subject"].as_str().unwrap().contains("resolved"),
            "{follow_up}"
        );
        // The history marks each batch.
        let history: Value = read_json(&sdk, HISTORY).await;
        let triggers: Vec<Option<&str>> = history["runs"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["trigger"].as_str())
            .collect();
        assert_eq!(triggers, [None, Some("event"), Some("event")]);
    });
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

#[test]
fn a_burst_of_a_thousand_events_reads_each_resource_once_and_alerts_once() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let (groups, buckets) = many_targets(&sdk, 50).await;
        let alerts = sinks(&sdk).await;
        let app = app(
            &server,
            &alerts.topic_arn,
            &[("SECAUDIT_SERVICES", "sg,s3")],
        );
        app.handle(scheduled(), None).await.unwrap();
        let _ = alerts.receive().await;

        // One event per resource: the cost of reading each of the 100 once.
        let once: Vec<Value> = (groups.iter().map(|g| group_event(g)))
            .chain(buckets.iter().map(|b| bucket_event(b)))
            .collect();
        recheck(&app, &once).await;
        let calls_once = latest(&sdk).await.rechecks.last().unwrap().api_calls;

        // Open SSH on every group, then 1,000 events: ten per resource.
        for group in &groups {
            aws_sdk_ec2::Client::new(&sdk)
                .authorize_security_group_ingress()
                .group_id(group)
                .ip_permissions(ssh_from_anywhere())
                .send()
                .await
                .unwrap();
        }
        let burst: Vec<Value> = (0..10).flat_map(|_| once.clone()).collect();
        assert_eq!(burst.len(), 1000);
        let response = recheck(&app, &burst).await;
        assert_eq!(response.events, 1000);
        assert!(response.batch_item_failures.is_empty());
        let merged = latest(&sdk).await;
        let recheck = merged.rechecks.last().unwrap();
        assert_eq!(recheck.event_count, 1000);
        assert_eq!(
            recheck.api_calls, calls_once,
            "a burst re-reads each resource once"
        );
        // One security-group read for the 50 groups; the buckets' reads, once each.
        let sg = recheck.scopes.iter().find(|s| s.service == "sg").unwrap();
        assert_eq!(sg.resources.as_ref().map(Vec::len), Some(50));
        assert!(
            calls_once <= 100 * 9,
            "{calls_once} calls for 100 resources"
        );
        let alert = alerts.receive().await.expect("one alert for the batch");
        assert!(
            alert["Subject"]
                .as_str()
                .unwrap()
                .contains("50 high+ finding(s)"),
            "{alert}"
        );
    });
}

#[test]
fn two_batches_and_a_nightly_run_racing_on_latest_json_lose_nothing() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let (groups, buckets) = many_targets(&sdk, 2).await;
        let alerts = sinks(&sdk).await;
        let app = app(
            &server,
            &alerts.topic_arn,
            &[("SECAUDIT_SERVICES", "sg,s3")],
        );
        app.handle(scheduled(), None).await.unwrap();
        s3(&sdk)
            .put_bucket_policy()
            .bucket(&buckets[0])
            .policy(public_policy(&buckets[0]))
            .send()
            .await
            .unwrap();
        let (first, second, nightly) = futures::join!(
            app.handle(batch(&[group_event(&groups[0])]), None),
            app.handle(batch(&[bucket_event(&buckets[0])]), None),
            app.handle(scheduled(), None),
        );
        let nightly = nightly.unwrap().audit().unwrap();
        let merged = latest(&sdk).await;
        for response in [first.unwrap(), second.unwrap()] {
            let Response::Recheck(response) = response else {
                panic!("not a re-check")
            };
            assert!(response.batch_item_failures.is_empty());
        }
        // Every writer's contribution is there: both batches' re-checks, the nightly's results.
        assert_eq!(merged.rechecks.len(), 2, "{:?}", merged.rechecks);
        assert!(failing(&merged, "s3.policy_public", &buckets[0]).is_some());
        let history: Value = read_json(&sdk, HISTORY).await;
        let runs: Vec<&str> = (history["runs"].as_array().unwrap().iter())
            .map(|r| r["run_id"].as_str().unwrap())
            .collect();
        assert_eq!(runs.len(), 4, "{runs:?}");
        assert!(runs.contains(&nightly.run_id.as_str()));
        for recheck in &merged.rechecks {
            assert!(runs.contains(&recheck.run_id.as_str()));
        }
    });
}

#[test]
fn a_forged_event_causes_a_read_never_a_finding_and_foreign_accounts_are_dropped() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let (_, buckets) = many_targets(&sdk, 1).await;
        let alerts = sinks(&sdk).await;
        let app = app(
            &server,
            &alerts.topic_arn,
            &[("SECAUDIT_SERVICES", "sg,s3")],
        );
        app.handle(scheduled(), None).await.unwrap();
        let _ = alerts.receive().await;
        // Claims a public policy was put; the bucket has none.
        let forged = cloudtrail(
            "s3.amazonaws.com",
            "PutBucketPolicy",
            json!({
                "bucketName": buckets[0], "bucketPolicy": public_policy(&buckets[0])
            }),
        );
        let mut foreign = bucket_event(&buckets[0]);
        foreign["detail"]["recipientAccountId"] = json!("999999999999");
        foreign["detail"]["userIdentity"]["accountId"] = json!("999999999999");
        let response = recheck(&app, &[forged, foreign]).await;
        assert_eq!((response.events, response.foreign_events), (2, 1));
        let merged = latest(&sdk).await;
        assert_eq!(merged.rechecks.len(), 1, "the forged event was re-read");
        assert!(failing(&merged, "s3.policy_public", &buckets[0]).is_none());
        let result = merged
            .results
            .iter()
            .find(|r| r.check_id == "s3.policy_public" && r.resource_id == buckets[0])
            .expect("the bucket was judged");
        assert_eq!(result.status, Status::Pass);
        assert!(
            alerts.receive().await.is_none(),
            "no alert for a forged event"
        );
        // A message that is no event fails alone, to be retried and then dead-lettered.
        let mut bad = batch(&[bucket_event(&buckets[0])]);
        bad["Records"].as_array_mut().unwrap().push(json!({
            "messageId": "m-bad", "eventSource": "aws:sqs", "body": "{\"hello\": 1}"
        }));
        let response = recheck_raw(&app, bad).await;
        let failed: Vec<&str> = (response.batch_item_failures.iter())
            .map(|f| f.item_identifier.as_str())
            .collect();
        assert_eq!(failed, ["m-bad"]);
    });
}

async fn recheck_raw(app: &LambdaApp, event: Value) -> RecheckResponse {
    match app.handle(event, None).await.expect("the batch is handled") {
        Response::Recheck(response) => response,
        other => panic!("not a re-check answer: {other:?}"),
    }
}

/// An organization deployment: a member's event is re-read through the member role into that
/// member's own `latest.json`; an account outside the organization is dropped.
#[test]
fn an_organization_rechecks_members_through_their_role_and_drops_outsiders() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let members = support::create_member_accounts(&sdk, &["web"]).await;
        let member = members[0].as_str();
        let member_sdk = support::in_account(&sdk, member, "SecAuditRole").await;
        let ec2 = aws_sdk_ec2::Client::new(&member_sdk);
        let group = ec2
            .create_security_group()
            .group_name("member-web")
            .description("member target")
            .send()
            .await
            .unwrap();
        let group = group.group_id().unwrap().to_string();
        let alerts = sinks(&sdk).await;
        let app = app(
            &server,
            &alerts.topic_arn,
            &[
                ("SECAUDIT_MEMBER_ROLE_NAME", "SecAuditRole"),
                ("SECAUDIT_SERVICES", "sg"),
            ],
        );
        app.handle(json!({"account_id": member}), None)
            .await
            .unwrap();
        ec2.authorize_security_group_ingress()
            .group_id(&group)
            .ip_permissions(ssh_from_anywhere())
            .send()
            .await
            .unwrap();
        let in_member = |mut event: Value| {
            event["detail"]["recipientAccountId"] = json!(member);
            event["detail"]["userIdentity"]["accountId"] = json!(member);
            event
        };
        let mut outsider = group_event(&group);
        outsider["detail"]["recipientAccountId"] = json!("999999999999");
        let response = recheck(&app, &[in_member(group_event(&group)), outsider]).await;
        assert!(response.batch_item_failures.is_empty(), "{response:?}");
        assert_eq!((response.foreign_events, response.accounts_updated), (1, 1));
        let key = format!("reports/{member}/latest.json");
        let merged: Report = read_json(&sdk, &key).await;
        assert_eq!(merged.account_id, member);
        assert!(failing(&merged, "sg.high_risk_ports", &group).is_some());
        assert_eq!(merged.rechecks.len(), 1);
        let alert = alerts.receive().await.expect("the member's change alert");
        assert!(
            alert["Subject"].as_str().unwrap().contains(member),
            "{alert}"
        );
    });
}

/// `secaudit recheck`: the same path from the command line, against a saved report.
#[test]
fn the_cli_rechecks_a_saved_report_and_refuses_what_is_not_an_event() {
    use crate::cli::secaudit;
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    let (groups, _) = block_on(many_targets(&sdk, 1));
    let endpoint = Some(server.endpoint.as_str());
    let scan = secaudit(
        &[
            "scan",
            "--region",
            "us-east-1",
            "--services",
            "sg",
            "--output",
            &path("report.json"),
        ],
        endpoint,
    );
    assert!(
        scan.status.success(),
        "{}",
        String::from_utf8_lossy(&scan.stderr)
    );
    block_on(async {
        aws_sdk_ec2::Client::new(&sdk)
            .authorize_security_group_ingress()
            .group_id(&groups[0])
            .ip_permissions(
                aws_sdk_ec2::types::IpPermission::builder()
                    .ip_protocol("-1")
                    .ip_ranges(
                        aws_sdk_ec2::types::IpRange::builder()
                            .cidr_ip("0.0.0.0/0")
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await
            .unwrap();
    });
    // An EventBridge envelope in a JSON array, as the console's rule tester shows it.
    std::fs::write(
        path("event.json"),
        json!([group_event(&groups[0])]).to_string(),
    )
    .unwrap();
    let args = [
        "recheck",
        "--event",
        &path("event.json"),
        "--report",
        &path("report.json"),
        "--output",
        &path("merged.json"),
        "--format",
        "json",
    ];
    let output = secaudit(&args, endpoint);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let printed: Value = serde_json::from_slice(&output.stdout).unwrap();
    let new: Vec<&str> = (printed["changes"]["new"].as_array().unwrap().iter())
        .map(|id| id.as_str().unwrap())
        .collect();
    assert!(
        new.iter()
            .any(|id| id.starts_with("sg.all_ports_open") && id.ends_with(&groups[0])),
        "{printed}"
    );
    assert_eq!(printed["events"], 1);
    let merged: Report =
        serde_json::from_slice(&std::fs::read(path("merged.json")).unwrap()).unwrap();
    assert!(failing(&merged, "sg.all_ports_open", &groups[0]).is_some());

    std::fs::write(
        path("not-an-event.json"),
        r#"{"detail-type": "Scheduled Event"}"#,
    )
    .unwrap();
    for (event, expected) in [
        (
            path("not-an-event.json"),
            "not 'AWS API Call via CloudTrail'",
        ),
        (path("missing.json"), "cannot read"),
    ] {
        let output = secaudit(
            &[
                "recheck",
                "--event",
                &event,
                "--report",
                &path("report.json"),
            ],
            endpoint,
        );
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{stderr}");
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// The triggers are a contract for tools: `checks --format json` lists them, and
/// `events --format eventbridge` prints the pattern the templates' rules must equal.
#[test]
fn the_catalog_lists_each_checks_triggers_and_events_prints_the_pattern() {
    use crate::cli::secaudit;
    let output = secaudit(&["checks", "--format", "json"], None);
    let catalog: Value = serde_json::from_slice(&output.stdout).unwrap();
    for check in catalog.as_array().unwrap() {
        let triggers = check["triggers"].as_array().unwrap();
        assert!(!triggers.is_empty(), "{}", check["id"]);
        assert!(triggers
            .iter()
            .all(|t| t["source"].is_string() && t["names"].is_array()));
    }
    let sg = (catalog.as_array().unwrap().iter())
        .find(|c| c["id"] == "sg.high_risk_ports")
        .unwrap();
    assert!(sg["triggers"]
        .to_string()
        .contains("AuthorizeSecurityGroupIngress"));
    let output = secaudit(&["events", "--format", "eventbridge"], None);
    assert!(output.status.success());
    let pattern: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        pattern,
        secaudit::services::events::eventbridge_pattern(secaudit::services::checks::registry())
    );
    assert_eq!(
        pattern["detail-type"],
        json!(["AWS API Call via CloudTrail"])
    );
}
