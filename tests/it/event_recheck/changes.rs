//! Real changes and their reverts, each alerted from a re-read, with the merged state equal to a
//! full audit.

use super::*;

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
