//! Re-check: from a batch of CloudTrail events, what to re-read, and the re-read merged into
//! the account's latest report. An event is a hint, never evidence: it only decides which
//! resources are read again (with the same collectors and checks as a full run); the verdict
//! comes from what AWS answers now. A forged or stale event costs a read, never a finding.
//!
//! The flow: [`plan`] maps events to collection [`Unit`]s (checks' triggers say which
//! services an event concerns, each service's `touched` which of its resources), de-duplicated
//! across the batch; [`crate::scan::rescan`] reads them; [`merge`] splices the verdicts into
//! the report; [`crate::store::S3Store::update_latest`] writes it without losing a concurrent
//! writer's results.

mod merge;

use std::collections::{BTreeMap, BTreeSet};

pub use merge::{keep_newer_rechecks, merge, MergeInput};

use crate::assess::mutelist::Mutelist;
use crate::aws::Clients;
use crate::report::{EventRef, RecheckScope};
use crate::request::{AuditRequest, RegionSelection};
use crate::scan::{rescan, AccountScan, AuditRunError, Unit};
use crate::services::change_events::ApiEvent;
use crate::services::checks::registry;
use crate::services::Service;

/// At most this many events are named in a report's re-check entry (all are counted).
const EVENTS_NAMED: usize = 20;

/// What a batch of events asks to re-read, and what was left aside.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub units: Vec<Unit>,
    /// The events that caused a re-read, in batch order.
    pub events: Vec<ApiEvent>,
    /// Events no check of the audited services declares (nothing they do changes a verdict).
    pub unrelated: usize,
    /// Failed calls (`errorCode` set): they changed nothing.
    pub failed_calls: usize,
    /// Events of a region the deployment does not audit.
    pub outside_regions: usize,
}

/// A batch re-read: the plan and what the collectors found (`None`: nothing to read).
#[derive(Debug, Clone)]
pub struct Reread {
    pub plan: Plan,
    pub scan: Option<AccountScan>,
}

impl Reread {
    /// The merge's input: the re-read verdicts, muted by `mutelist`.
    pub fn merge_input<'a>(&self, mutelist: Option<&'a Mutelist>) -> Option<MergeInput<'a>> {
        Some(MergeInput {
            scan: self.scan.clone()?,
            scopes: self.plan.scopes(),
            events: self.plan.event_refs(),
            event_count: self.plan.events.len(),
            mutelist,
        })
    }
}

/// Plans `events` (all of one account) against `request`'s services and regions, then
/// re-reads what they touched. `known_account`: see [`rescan`].
pub async fn reread(
    clients: &Clients,
    request: &AuditRequest,
    known_account: Option<&str>,
    events: Vec<ApiEvent>,
    deadline: Option<tokio::time::Instant>,
) -> Result<Reread, AuditRunError> {
    let regions: Vec<String> = match &request.regions {
        RegionSelection::Listed(regions) => regions.clone(),
        RegionSelection::Default => clients
            .home_region()
            .map(str::to_string)
            .into_iter()
            .collect(),
        // Every enabled region is audited: an event's region is one of them.
        RegionSelection::AllEnabled => events.iter().map(|e| e.aws_region.clone()).collect(),
    };
    let plan = plan(events, &request.services, &regions);
    tracing::info!(
        units = plan.units.len(),
        events = plan.events.len(),
        unrelated = plan.unrelated,
        failed_calls = plan.failed_calls,
        outside_regions = plan.outside_regions,
        "re-check planned"
    );
    if plan.units.is_empty() {
        return Ok(Reread { plan, scan: None });
    }
    let scan = rescan(clients, request, known_account, &plan.units, deadline).await?;
    Ok(Reread {
        plan,
        scan: Some(scan),
    })
}

/// Maps `events` (all of one account) to the units to re-read: for each event, every audited
/// service with a check that declares it; the service's resources it touched, or the whole
/// service in the event's region when it names none the collector can read alone.
pub fn plan(events: Vec<ApiEvent>, services: &BTreeSet<Service>, regions: &[String]) -> Plan {
    let mut plan = Plan::default();
    // (service, region) → the resources to read; `None`: all of them.
    let mut wanted: BTreeMap<(Service, String), Option<BTreeSet<String>>> = BTreeMap::new();
    for event in events {
        if event.error_code.is_some() {
            plan.failed_calls += 1;
            continue;
        }
        let concerned = concerned_services(&event, services);
        if concerned.is_empty() {
            plan.unrelated += 1;
            continue;
        }
        let mut read = false;
        for service in concerned {
            if service.spec().spans_regions {
                for region in regions {
                    wanted.insert((service, region.clone()), None);
                }
                read = true;
                continue;
            }
            let region = if service.is_regional() {
                if !regions.contains(&event.aws_region) {
                    continue;
                }
                event.aws_region.clone()
            } else {
                "global".to_string()
            };
            let touched = service
                .spec()
                .touched
                .map(|touched| touched(&event))
                .unwrap_or_default();
            let entry = wanted
                .entry((service, region))
                .or_insert_with(|| Some(BTreeSet::new()));
            match (entry.as_mut(), touched.is_empty()) {
                (Some(_), true) => *entry = None,
                (Some(ids), false) => ids.extend(touched),
                (None, _) => {}
            }
            read = true;
        }
        if read {
            plan.events.push(event);
        } else {
            plan.outside_regions += 1;
        }
    }
    plan.units = wanted
        .into_iter()
        .map(|((service, region), only)| Unit {
            service,
            region,
            only,
        })
        .collect();
    plan
}

/// The audited services with a check whose triggers include this call.
fn concerned_services(event: &ApiEvent, services: &BTreeSet<Service>) -> BTreeSet<Service> {
    registry()
        .filter(|check| services.contains(&check.service))
        .filter(|check| {
            check.triggers.iter().any(|trigger| {
                trigger.source == event.event_source
                    && trigger.names.contains(&event.event_name.as_str())
            })
        })
        .map(|check| check.service)
        .collect()
}

impl Plan {
    /// The units as the report records them.
    pub fn scopes(&self) -> Vec<RecheckScope> {
        self.units.iter().map(scope_of).collect()
    }

    /// The first events, as the report and the alert name them.
    pub fn event_refs(&self) -> Vec<EventRef> {
        self.events
            .iter()
            .take(EVENTS_NAMED)
            .map(event_ref)
            .collect()
    }
}

pub fn scope_of(unit: &Unit) -> RecheckScope {
    RecheckScope {
        service: unit.service.as_str().to_string(),
        region: unit.region.clone(),
        resources: unit.only.as_ref().map(|ids| ids.iter().cloned().collect()),
    }
}

pub fn event_ref(event: &ApiEvent) -> EventRef {
    EventRef {
        event_name: event.event_name.clone(),
        event_source: event.event_source.clone(),
        region: event.aws_region.clone(),
        time: event.event_time.clone(),
        caller: event.caller().to_string(),
        source_ip: event.source_ip_address.clone(),
        event_id: event.event_id.clone(),
        resources: Service::ALL
            .into_iter()
            .filter_map(|service| service.spec().touched)
            .flat_map(|touched| touched(event))
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    pub(crate) fn event(
        source: &str,
        name: &str,
        region: &str,
        request: serde_json::Value,
    ) -> ApiEvent {
        serde_json::from_value(json!({
            "eventSource": source,
            "eventName": name,
            "awsRegion": region,
            "eventTime": "2026-12-02T09:00:00Z",
            "recipientAccountId": "123456789012",
            "userIdentity": {"arn": "arn:aws:iam::123456789012:user/dev"},
            "sourceIPAddress": "198.51.100.7",
            "requestParameters": request,
        }))
        .unwrap()
    }

    fn all_services() -> BTreeSet<Service> {
        Service::ALL.into_iter().collect()
    }

    #[test]
    fn a_batch_reads_each_touched_resource_once_and_the_rest_by_service() {
        let regions = vec!["us-east-1".to_string()];
        let mut events = Vec::new();
        for i in 0..1000 {
            let group = format!("sg-{:03}", i % 50);
            let bucket = format!("bucket-{:03}", i % 50);
            events.push(event(
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
                "us-east-1",
                json!({"groupId": group}),
            ));
            events.push(event(
                "s3.amazonaws.com",
                "PutBucketPolicy",
                "us-east-1",
                json!({"bucketName": bucket}),
            ));
        }
        let plan = plan(events, &all_services(), &regions);
        let sg = plan
            .units
            .iter()
            .find(|u| u.service == Service::Sg)
            .unwrap();
        assert_eq!(sg.only.as_ref().map(BTreeSet::len), Some(50));
        let s3 = plan
            .units
            .iter()
            .find(|u| u.service == Service::S3)
            .unwrap();
        assert_eq!(
            (s3.region.as_str(), s3.only.as_ref().map(BTreeSet::len)),
            ("global", Some(50))
        );
        assert_eq!(plan.events.len(), 2000);
        // Services whose checks depend on group rules but whose collectors read by service.
        assert!(plan
            .units
            .iter()
            .filter(|u| u.service != Service::Sg && u.service != Service::S3)
            .all(|u| u.only.is_none()));
    }

    #[test]
    fn failed_unrelated_and_unaudited_region_events_read_nothing() {
        let regions = vec!["us-east-1".to_string()];
        let mut failed = event(
            "ec2.amazonaws.com",
            "AuthorizeSecurityGroupIngress",
            "us-east-1",
            json!({"groupId": "sg-1"}),
        );
        failed.error_code = Some("UnauthorizedOperation".into());
        let events = vec![
            failed,
            event(
                "ec2.amazonaws.com",
                "DescribeInstances",
                "us-east-1",
                json!({}),
            ),
            event(
                "ec2.amazonaws.com",
                "AuthorizeSecurityGroupIngress",
                "eu-west-1",
                json!({"groupId": "sg-2"}),
            ),
        ];
        let plan = plan(events, &all_services(), &regions);
        assert!(plan.units.is_empty(), "{:?}", plan.units);
        assert_eq!(
            (plan.failed_calls, plan.unrelated, plan.outside_regions),
            (1, 1, 1)
        );
    }

    #[test]
    fn a_verdict_that_spans_regions_is_reread_in_every_region() {
        let regions = vec!["us-east-1".to_string(), "eu-west-1".to_string()];
        let events = vec![event(
            "config.amazonaws.com",
            "StopConfigurationRecorder",
            "eu-west-1",
            json!({}),
        )];
        let plan = plan(events, &[Service::Config].into(), &regions);
        let read: Vec<(&str, bool)> = plan
            .units
            .iter()
            .map(|u| (u.region.as_str(), u.only.is_none()))
            .collect();
        assert_eq!(read, [("eu-west-1", true), ("us-east-1", true)]);
    }

    #[test]
    fn an_account_wide_change_widens_the_unit_to_the_whole_service() {
        let regions = vec!["us-east-1".to_string()];
        let events = vec![
            event(
                "s3.amazonaws.com",
                "PutBucketPolicy",
                "us-east-1",
                json!({"bucketName": "a"}),
            ),
            event(
                "s3.amazonaws.com",
                "PutAccountPublicAccessBlock",
                "us-east-1",
                json!({"accountId": "123456789012"}),
            ),
        ];
        let plan = plan(events, &[Service::S3].into(), &regions);
        assert_eq!(plan.units.len(), 1);
        assert_eq!(plan.units[0].only, None);
        assert_eq!(plan.scopes()[0].resources, None);
        assert_eq!(
            plan.event_refs()[1].event_name,
            "PutAccountPublicAccessBlock"
        );
    }
}
