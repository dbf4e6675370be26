//! Whose events count: forged events, foreign accounts, organization members, the CLI re-check
//! of a saved report, and the catalog of triggers.

use super::*;

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
        secaudit::services::change_events::eventbridge_pattern(
            secaudit::services::checks::registry()
        )
    );
    assert_eq!(
        pattern["detail-type"],
        json!(["AWS API Call via CloudTrail"])
    );
}
