//! The continuous audit through the Lambda engine against moto: a first night alerts on
//! everything; after a fix and a new misconfiguration the next alert names exactly the new
//! finding; a night on which S3 is denied marks the S3 findings unverified, never resolved;
//! a mutelist mutes, and a broken one is reported, not obeyed.
//!
//! Moto enforces IAM after the first requests (INITIAL_NO_AUTH_ACTION_COUNT), which create an
//! administrator (for seeding and the normal nights) and an auditor denied S3's bucket list.
//! The alert topic lives on a second emulator without enforcement: moto 5.1.18 checking IAM
//! answers SNS Publish with SignatureDoesNotMatch.

use crate::support;

use std::collections::HashMap;

use aws_sdk_ec2::types::{IpPermission, IpRange, Ipv6Range};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};
use secaudit::function::config::LambdaConfig;
use secaudit::function::LambdaApp;
use secaudit::report::Report;
use serde_json::{json, Value};
use support::alerts::AlertQueue;
use support::{block_on, MotoServer};

const BUCKET: &str = "secaudit-reports";
const CONFIG_BUCKET: &str = "secaudit-config";
/// The requests `principals` makes before enforcement starts.
const UNAUTHENTICATED_REQUESTS: &str = "6";

/// An administrator and an auditor who may do everything but list S3 buckets.
async fn principals(sdk: &aws_config::SdkConfig) -> (Credentials, Credentials) {
    let iam = aws_sdk_iam::Client::new(sdk);
    let mut made = Vec::new();
    for (user, policy) in [
        (
            "admin",
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        ),
        (
            "auditor",
            r#"{"Version":"2012-10-17","Statement":[
                {"Effect":"Allow","Action":"*","Resource":"*"},
                {"Effect":"Deny","Action":"s3:ListAllMyBuckets","Resource":"*"}]}"#,
        ),
    ] {
        iam.create_user().user_name(user).send().await.unwrap();
        iam.put_user_policy()
            .user_name(user)
            .policy_name("access")
            .policy_document(policy)
            .send()
            .await
            .unwrap();
        let key = iam
            .create_access_key()
            .user_name(user)
            .send()
            .await
            .unwrap();
        let key = key.access_key().unwrap();
        made.push(Credentials::new(
            key.access_key_id(),
            key.secret_access_key(),
            None,
            None,
            "test",
        ));
    }
    let auditor = made.pop().unwrap();
    (made.pop().unwrap(), auditor)
}

fn as_principal(server: &MotoServer, credentials: Credentials) -> aws_config::SdkConfig {
    server
        .sdk_config("us-east-1")
        .into_builder()
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .build()
}

fn s3(sdk: &aws_config::SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(true)
            .build(),
    )
}

/// An open security group: `port` from 0.0.0.0/0 or ::/0.
async fn open_group(ec2: &aws_sdk_ec2::Client, name: &str, port: i32, v6: bool) -> String {
    let group = ec2
        .create_security_group()
        .group_name(name)
        .description(name)
        .send()
        .await
        .unwrap();
    let id = group.group_id().unwrap().to_string();
    ec2.authorize_security_group_ingress()
        .group_id(&id)
        .ip_permissions(open_rule(port, v6))
        .send()
        .await
        .unwrap();
    id
}

fn open_rule(port: i32, v6: bool) -> IpPermission {
    let rule = IpPermission::builder()
        .ip_protocol("tcp")
        .from_port(port)
        .to_port(port);
    if v6 {
        rule.ipv6_ranges(Ipv6Range::builder().cidr_ipv6("::/0").build())
            .build()
    } else {
        rule.ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build()
    }
}

/// The report and config buckets on `sdk`'s emulator; the alert topic and its queue on `alerts`.
async fn sinks(sdk: &aws_config::SdkConfig, alerts: &MotoServer) -> AlertQueue {
    for bucket in [BUCKET, CONFIG_BUCKET] {
        s3(sdk).create_bucket().bucket(bucket).send().await.unwrap();
    }
    AlertQueue::create(&alerts.sdk_config("us-east-1"), "alerts").await
}

fn app(sdk: aws_config::SdkConfig, sinks: &AlertQueue, extra: &[(&str, &str)]) -> LambdaApp {
    let topic_arn = sinks.topic_arn.as_str();
    let mut vars: HashMap<String, String> = HashMap::from([
        ("SECAUDIT_REPORT_BUCKET".to_string(), BUCKET.to_string()),
        (
            "SECAUDIT_ALERT_TOPIC_ARN".to_string(),
            topic_arn.to_string(),
        ),
        ("SECAUDIT_REGIONS".to_string(), "us-east-1".to_string()),
        ("SECAUDIT_SERVICES".to_string(), "s3,sg".to_string()),
        // The open bucket's finding (S3.8) is high.
        (
            "SECAUDIT_ALERT_MIN_SEVERITY".to_string(),
            "high".to_string(),
        ),
    ]);
    vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    LambdaApp::with_clients(
        LambdaConfig::from_env(|name| vars.get(name).cloned()).unwrap(),
        secaudit::aws::Clients::from_sdk_config(sdk.clone()),
        s3(&sdk),
        aws_sdk_sns::Client::new(&sinks.sdk),
    )
}

fn nightly() -> Value {
    json!({
        "version": "0", "id": "9a1b2c3d-0000-4000-8000-000000000002",
        "detail-type": "Scheduled Event", "source": "aws.scheduler",
        "account": "123456789012", "time": "2026-11-25T02:00:00Z", "region": "us-east-1",
        "resources": ["arn:aws:scheduler:us-east-1:123456789012:schedule/default/secaudit-nightly"],
        "detail": "{}"
    })
}

/// The alert of the last run (the machine-readable part), if one was sent.
async fn alert(sinks: &AlertQueue) -> Option<Value> {
    let envelope = sinks.receive().await?;
    Some(serde_json::from_str(envelope["Message"].as_str().unwrap()).unwrap())
}

async fn latest(sdk: &aws_config::SdkConfig) -> Report {
    let object = s3(sdk)
        .get_object()
        .bucket(BUCKET)
        .key("reports/123456789012/latest.json")
        .send()
        .await
        .unwrap();
    serde_json::from_slice(&object.body.collect().await.unwrap().into_bytes()).unwrap()
}

fn resources(alert: &Value) -> Vec<(String, String)> {
    alert["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["check_id"].as_str().unwrap().to_string(),
                f["resource_id"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn nights_alert_on_what_is_new_and_never_call_unseen_findings_fixed() {
    let server =
        MotoServer::start_with_env(&[("INITIAL_NO_AUTH_ACTION_COUNT", UNAUTHENTICATED_REQUESTS)]);
    let alerts = MotoServer::start();
    block_on(async {
        let (admin, auditor) = principals(&server.sdk_config("us-east-1")).await;
        let sdk = as_principal(&server, admin);
        let sinks = sinks(&sdk, &alerts).await;
        s3(&sdk)
            .create_bucket()
            .bucket("open-data")
            .send()
            .await
            .unwrap();
        let ec2 = aws_sdk_ec2::Client::new(&sdk);
        let ssh = open_group(&ec2, "ssh-open", 22, false).await;

        // Night 1: no baseline; every open high+ finding is listed.
        let nightly_app = app(sdk.clone(), &sinks, &[]);
        nightly_app.handle(nightly(), None).await.unwrap();
        let first = alert(&sinks).await.expect("first night alerts");
        let listed = resources(&first);
        assert!(
            listed.contains(&("sg.high_risk_ports".into(), ssh.clone())),
            "{listed:?}"
        );
        assert!(listed.contains(&(
            "s3.bucket_level_public_access_block".into(),
            "open-data".into()
        )));
        assert_eq!(
            first["new_findings"],
            Value::Null,
            "nothing to compare with"
        );
        let night1 = latest(&sdk).await;
        assert!(night1.baseline.is_none());
        let first_seen = night1
            .results
            .iter()
            .find(|r| {
                r.check_id == "s3.bucket_level_public_access_block" && r.resource_id == "open-data"
            })
            .and_then(|r| r.first_seen.clone())
            .expect("failed results carry first_seen");
        assert_eq!(first_seen, night1.started_at);

        // During the day: SSH is closed, RDP opened on another group.
        ec2.revoke_security_group_ingress()
            .group_id(&ssh)
            .ip_permissions(open_rule(22, false))
            .send()
            .await
            .unwrap();
        let rdp = open_group(&ec2, "rdp-open", 3389, true).await;

        // Night 2: the alert names exactly the new finding and counts the rest.
        nightly_app.handle(nightly(), None).await.unwrap();
        let second = alert(&sinks).await.expect("a new finding alerts");
        // RDP open to the world: a high-risk port (critical) beyond 80 and 443 (high).
        assert_eq!(
            resources(&second),
            [
                ("sg.high_risk_ports".to_string(), rdp.clone()),
                ("sg.unauthorized_world_ports".to_string(), rdp.clone())
            ]
        );
        assert_eq!(second["new_findings"], 2);
        assert!(second["resolved_count"].as_u64().unwrap() >= 1);
        let night2 = latest(&sdk).await;
        assert_eq!(night2.baseline.as_ref().unwrap().run_id, night1.run_id);
        let changes = night2.changes.as_ref().unwrap();
        let id = |check: &str, resource: &str| {
            night2
                .results
                .iter()
                .chain(&night1.results)
                .find(|r| r.check_id == check && r.resource_id == resource)
                .unwrap()
                .id
                .clone()
        };
        assert!(changes.resolved.contains(&id("sg.high_risk_ports", &ssh)));
        assert!(changes.new.contains(&id("sg.high_risk_ports", &rdp)));
        let open_data = id("s3.bucket_level_public_access_block", "open-data");
        assert!(changes.persisting.contains(&open_data));
        let persisting = night2.results.iter().find(|r| r.id == open_data).unwrap();
        assert_eq!(persisting.first_seen.as_deref(), Some(first_seen.as_str()));

        // Night 3, S3's bucket list denied: the S3 findings are unverified, not resolved, and
        // carried with their first_seen; nothing new, so no alert.
        let denied_app = app(as_principal(&server, auditor), &sinks, &[]);
        denied_app.handle(nightly(), None).await.unwrap();
        assert!(alert(&sinks).await.is_none());
        let night3 = latest(&sdk).await;
        assert!(!night3.complete);
        assert!(night3
            .errors
            .iter()
            .any(|e| e.operation == "ListBuckets" && e.code == "AccessDenied"));
        let changes = night3.changes.as_ref().unwrap();
        assert!(changes.unverified.contains(&open_data), "{changes:?}");
        assert!(
            !changes.resolved.iter().any(|id| id.starts_with("s3.")),
            "{changes:?}"
        );
        let carried = night3
            .carried_findings
            .iter()
            .find(|r| r.id == open_data)
            .expect("carried to the next night");
        assert_eq!(carried.first_seen.as_deref(), Some(first_seen.as_str()));

        // Night 4, S3 readable again: the carried finding persists with its first_seen.
        nightly_app.handle(nightly(), None).await.unwrap();
        let night4 = latest(&sdk).await;
        let changes = night4.changes.as_ref().unwrap();
        assert!(changes.persisting.contains(&open_data), "{changes:?}");
        let result = night4.results.iter().find(|r| r.id == open_data).unwrap();
        assert_eq!(result.first_seen.as_deref(), Some(first_seen.as_str()));
        let _ = alert(&sinks).await;

        // A mutelist accepts the open bucket: muted, out of the score and the alert.
        s3(&sdk)
            .put_object()
            .bucket(CONFIG_BUCKET)
            .key("mutes.toml")
            .body(
                r#"
[[rule]]
checks    = ["s3.*"]
resources = ["open-data"]
reason    = "public dataset, reviewed"
owner     = "data"
expires   = "2999-01-01"

[[rule]]
checks    = ["iam.*"]
resources = ["nobody"]
reason    = "stale"
expires   = "2999-01-01"
"#
                .as_bytes()
                .to_vec()
                .into(),
            )
            .send()
            .await
            .unwrap();
        let muting_app = app(
            sdk.clone(),
            &sinks,
            &[
                ("SECAUDIT_ALERT_ON", "all"),
                ("SECAUDIT_MUTELIST_URI", "s3://secaudit-config/mutes.toml"),
            ],
        );
        muting_app.handle(nightly(), None).await.unwrap();
        let muted_alert = alert(&sinks).await.expect("rdp still alerts");
        assert!(!resources(&muted_alert)
            .iter()
            .any(|(_, r)| r == "open-data"));
        let night5 = latest(&sdk).await;
        let muted = night5.results.iter().find(|r| r.id == open_data).unwrap();
        assert_eq!(
            muted.muted.as_ref().unwrap().reason,
            "public dataset, reviewed"
        );
        assert!(night5.summary.muted >= 1);
        let mutelist = night5.mutelist.as_ref().unwrap();
        assert_eq!(
            mutelist
                .unused_rules
                .iter()
                .map(|r| r.rule)
                .collect::<Vec<_>>(),
            [2]
        );

        // A broken mutelist mutes nothing and says so.
        s3(&sdk)
            .put_object()
            .bucket(CONFIG_BUCKET)
            .key("mutes.toml")
            .body(
                b"[[rule]]\nchecks = [\"s3.*\"]\nresources = [\"open-data\"]\n"
                    .to_vec()
                    .into(),
            )
            .send()
            .await
            .unwrap();
        muting_app.handle(nightly(), None).await.unwrap();
        let ignored = alert(&sinks).await.expect("alerts");
        assert!(resources(&ignored).iter().any(|(_, r)| r == "open-data"));
        assert!(
            ignored["notes"][0]
                .as_str()
                .unwrap()
                .starts_with("The mutelist was ignored (InvalidMutelist)"),
            "{ignored}"
        );
        let night6 = latest(&sdk).await;
        assert!(night6.results.iter().all(|r| r.muted.is_none()));
        assert!(night6.errors.iter().any(|e| e.operation == "ReadMutelist"));
    });
}

/// An on-demand run with overrides writes its dated report but leaves latest.json alone.
#[test]
fn a_narrowed_on_demand_run_does_not_become_the_baseline() {
    let server = MotoServer::start();
    let sdk = server.sdk_config("us-east-1");
    block_on(async {
        let sinks = sinks(&sdk, &server).await;
        let nightly_app = app(sdk.clone(), &sinks, &[]);
        let night = nightly_app
            .handle(nightly(), None)
            .await
            .unwrap()
            .audit()
            .unwrap();
        let narrowed = nightly_app
            .handle(json!({"services": ["sg"]}), None)
            .await
            .unwrap()
            .audit()
            .unwrap();
        assert_ne!(narrowed.run_id, night.run_id);
        assert_eq!(latest(&sdk).await.run_id, night.run_id);
        let _ = alert(&sinks).await;
    });
}
