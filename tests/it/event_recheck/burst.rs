//! Many events at once: a burst over many resources, and batches racing a nightly run.

use super::*;

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
        // Each opened group fails two high+ checks: high-risk ports, and a port beyond 80/443.
        let alert = alerts.receive().await.expect("one alert for the batch");
        assert!(
            alert["Subject"]
                .as_str()
                .unwrap()
                .contains("100 high+ finding(s)"),
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
