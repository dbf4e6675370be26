//! The event-driven re-check in the function: an SQS batch of CloudTrail events → per account,
//! a re-read of what they touched → merged into `latest.json` (conditional write) → the change
//! alert → a history entry. A message that cannot be handled is reported back as a batch item
//! failure (`ReportBatchItemFailures`): SQS retries it alone, then moves it to the dead-letter
//! queue; the rest of the batch is done.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::invocation::QueuedMessage;
use super::{InvocationError, LambdaApp};
use crate::assess::{assess, AssessContext};
use crate::aws::{Call, Clients};
use crate::deliver::change_alert::build_change_alert;
use crate::deliver::sns::publish;
use crate::fleet;
use crate::recheck::{merge, reread};
use crate::report::Report;
use crate::scan::{rfc3339, AccountScan};
use crate::services::change_events::{parse_events, ApiEvent};
use crate::store::{latest_key, update_history};

/// The answer SQS reads: the messages to deliver again. The counts are for logs and tests.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RecheckResponse {
    #[serde(rename = "batchItemFailures")]
    pub batch_item_failures: Vec<ItemFailure>,
    #[serde(skip)]
    pub events: usize,
    /// Events of accounts outside the deployment (not its own, not in the organization).
    #[serde(skip)]
    pub foreign_events: usize,
    /// Accounts whose `latest.json` was updated.
    #[serde(skip)]
    pub accounts_updated: usize,
    /// SNS message ids of the change alerts sent.
    #[serde(skip)]
    pub alert_message_ids: Vec<String>,
    /// From receiving the batch to the first alert's publish (the latency that matters).
    #[serde(skip)]
    pub alerted_after: Option<std::time::Duration>,
    /// From receiving the batch to the end of the first account's re-read.
    #[serde(skip)]
    pub reread_after: Option<std::time::Duration>,
    /// Conditional writes of `latest.json` beyond the first, one per race lost to another
    /// writer (a batch or a full run).
    #[serde(skip)]
    pub write_retries: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemFailure {
    #[serde(rename = "itemIdentifier")]
    pub item_identifier: String,
}

/// What one account's re-check did: its alert (message id, when published) and when its
/// re-read ended, both from receiving the batch.
struct AccountOutcome {
    alert: Option<(String, std::time::Duration)>,
    reread_after: std::time::Duration,
    write_retries: usize,
}

/// One account's share of the batch.
#[derive(Default)]
struct AccountEvents {
    events: Vec<ApiEvent>,
    messages: BTreeSet<String>,
}

impl LambdaApp {
    pub(super) async fn recheck(
        &self,
        messages: Vec<QueuedMessage>,
        deadline: Option<tokio::time::Instant>,
    ) -> Result<RecheckResponse, InvocationError> {
        let received = std::time::Instant::now();
        let mut response = RecheckResponse::default();
        let mut failed: BTreeSet<String> = BTreeSet::new();
        let mut by_account: BTreeMap<String, AccountEvents> = BTreeMap::new();
        let mut parsed_messages = Vec::new();
        for message in messages {
            let parsed = serde_json::from_str(&message.body)
                .map_err(|e| e.to_string())
                .and_then(|value| parse_events(value).map_err(|e| e.to_string()));
            match parsed {
                Ok(events) => parsed_messages.push((message.message_id, events)),
                Err(problem) => {
                    tracing::error!(message_id = %message.message_id, %problem, "not a CloudTrail event");
                    failed.insert(message.message_id);
                }
            }
        }
        let named: BTreeSet<&str> = (parsed_messages.iter())
            .flat_map(|(_, events)| events.iter().filter_map(ApiEvent::account_id))
            .collect();
        let allowed = self.event_accounts(&named).await?;
        for (message_id, events) in parsed_messages {
            for event in events {
                response.events += 1;
                match event.account_id().filter(|a| allowed.contains(*a)) {
                    Some(account) => {
                        let share = by_account.entry(account.to_string()).or_default();
                        share.events.push(event);
                        share.messages.insert(message_id.clone());
                    }
                    None => response.foreign_events += 1,
                }
            }
        }
        if response.foreign_events > 0 {
            tracing::warn!(
                dropped = response.foreign_events,
                "events of accounts outside the deployment dropped"
            );
        }
        let mut problems = Vec::new();
        let mutelist = self.mutelist(&mut problems).await;
        // Unmuted verdicts would alert on accepted risks: the batch waits for a readable
        // mutelist (SQS delivers it again; the dead-letter queue keeps it if that never comes).
        if !problems.is_empty() {
            failed.extend(
                by_account
                    .values()
                    .flat_map(|share| share.messages.iter().cloned()),
            );
            by_account.clear();
        }
        for (account, share) in by_account {
            match self
                .recheck_account(
                    &account,
                    share.events,
                    mutelist.as_ref(),
                    deadline,
                    received,
                )
                .await
            {
                Ok(Some(outcome)) => {
                    response.accounts_updated += 1;
                    response.reread_after.get_or_insert(outcome.reread_after);
                    response.write_retries += outcome.write_retries;
                    if let Some((message_id, after)) = outcome.alert {
                        response.alert_message_ids.push(message_id);
                        response.alerted_after.get_or_insert(after);
                    }
                }
                Ok(None) => tracing::info!(%account, "nothing the audit reads was touched"),
                Err(problem) => {
                    tracing::error!(%account, %problem, "re-check failed; its messages will be delivered again");
                    failed.extend(share.messages);
                }
            }
        }
        response.batch_item_failures = failed
            .into_iter()
            .map(|item_identifier| ItemFailure { item_identifier })
            .collect();
        Ok(response)
    }

    /// The accounts whose events are re-checked: the function's own, or the organization's
    /// active accounts but the excluded ones.
    /// An organization's list is read again when an event names an account it lacks (a new
    /// member), so a warm function never drops a new account's events.
    async fn event_accounts(
        &self,
        named: &BTreeSet<&str>,
    ) -> Result<BTreeSet<String>, InvocationError> {
        let mut cached = self.event_accounts.lock().await;
        let stale = cached.as_ref().is_none_or(|accounts| {
            self.config.organization.is_some() && !named.iter().all(|a| accounts.contains(*a))
        });
        if stale {
            let accounts = match &self.config.organization {
                None => crate::scan::caller_account(&self.clients)
                    .await
                    .map(|account| BTreeSet::from([account]))
                    .map_err(InvocationError::AuditFailed),
                Some(organization) => self
                    .clients
                    .organization_accounts()
                    .await
                    .map(|accounts| {
                        (accounts.into_iter())
                            .map(|(id, _)| id)
                            .filter(|id| !organization.excluded_accounts.contains(id))
                            .collect()
                    })
                    .map_err(|e| {
                        InvocationError::Plan(format!(
                            "{} ({}): {}",
                            e.operation, e.code, e.message
                        ))
                    }),
            }?;
            *cached = Some(accounts);
        }
        Ok(cached.clone().unwrap_or_default())
    }

    /// Re-reads, merges, alerts and records one account's events: `None` when they touched
    /// nothing audited, else the alert's message id if one was sent. `Err`: the account's
    /// messages are to be delivered again.
    async fn recheck_account(
        &self,
        account: &str,
        events: Vec<ApiEvent>,
        mutelist: Option<&crate::assess::mutelist::Mutelist>,
        deadline: Option<tokio::time::Instant>,
        received: std::time::Instant,
    ) -> Result<Option<AccountOutcome>, String> {
        let member;
        let (clients, known): (&Clients, Option<&str>) = match &self.config.organization {
            None => (&self.clients, Some(account)),
            Some(organization) => {
                let partition = self
                    .partition
                    .get_or_init(|| fleet::caller_partition(&self.clients))
                    .await;
                member = fleet::member_clients(
                    &self.clients,
                    partition,
                    account,
                    &organization.member_role_name,
                    organization.external_id.as_deref(),
                    &fleet::session_name("event-recheck"),
                )
                .await;
                (&member, None)
            }
        };
        let request = crate::request::AuditRequest {
            read_tags: mutelist.is_some_and(|m| m.uses_tags()),
            ..self.config.defaults.clone()
        };
        // The latest report is read while the resources are: a batch's alert is three
        // dependent round trips after a one-call re-read (read, conditional write, publish).
        let ((reread, reread_after), seen) = futures::join!(
            async {
                let reread = reread(clients, &request, known, events, deadline).await;
                (reread, received.elapsed())
            },
            self.store.read_baseline(account)
        );
        let reread = reread.map_err(|e| e.to_string())?;
        let Some(input) = reread.merge_input(mutelist) else {
            return Ok(None);
        };
        fleet::ensure_member(account, &input.scan.account_id)?;
        // A re-read cut short is done again later, not recorded as done.
        if (input.scan.errors.iter()).any(|e| e.code == "DeadlineExceeded") {
            return Err("the re-read was cut short by the invocation deadline".into());
        }
        let merge_into = |current: Option<Report>| {
            let current = current.unwrap_or_else(|| no_full_audit_yet(&input.scan));
            merge(&current, input.clone())
        };
        let uri = self
            .store
            .uri(&latest_key(&self.config.report_prefix, account));
        let publish_alert = |report: &Report| {
            let alert = build_change_alert(
                report,
                self.config.alert_min_severity,
                self.config.alert_on_resolved,
                &uri,
            );
            async move {
                match alert {
                    Some(alert) => publish(&self.sns, &self.config.alert_topic_arn, &alert)
                        .await
                        .map(|id| Some((id, received.elapsed())))
                        .map_err(|e| e.to_string()),
                    None => Ok(None),
                }
            }
        };
        // The alert goes out before the write: should the write then fail, the retried batch
        // finds the finding new again and alerts again (at least once); the other way round, a
        // failed publish would leave a recorded finding that is never alerted. A latest.json
        // that could not be read is read again by the write's retry loop, and the alert
        // follows the write.
        let first = seen.ok().map(|(current, seen)| (seen, merge_into(current)));
        let mut message_id = match &first {
            Some((_, preview)) => publish_alert(preview).await?,
            None => None,
        };
        let written = self
            .store
            .update_latest(
                account,
                first.as_ref().map(|(s, r)| (s.clone(), r)),
                merge_into,
            )
            .await
            .map_err(|(code, message)| {
                format!("updating latest.json failed ({code}): {message}")
            })?;
        let merged = &written.report;
        if first.is_none() {
            message_id = publish_alert(merged).await?;
        }
        let (page, history) = futures::join!(
            self.store.put_latest_page(merged, written.etag.as_deref()),
            update_history(&self.store, merged)
        );
        page.map_err(|(code, message)| format!("writing latest.html failed ({code}): {message}"))?;
        history.map_err(|e| e.to_string())?;
        tracing::info!(%account, run_id = %merged.run_id, alerted = message_id.is_some(), "re-check merged");
        Ok(Some(AccountOutcome {
            alert: message_id,
            reread_after,
            write_retries: written.attempts - 1,
        }))
    }
}

/// What a re-check merges into when the account has no `latest.json` yet: a report of
/// nothing, incomplete until the first full run replaces it.
fn no_full_audit_yet(scan: &AccountScan) -> Report {
    let now = rfc3339(time::OffsetDateTime::now_utc());
    let empty = AccountScan {
        unjudged: Vec::new(),
        run_id: scan.run_id.clone(),
        account_id: scan.account_id.clone(),
        regions: scan.regions.clone(),
        services: scan.services.clone(),
        environment: None,
        started_at: now.clone(),
        finished_at: now,
        duration_ms: 0,
        findings: Vec::new(),
        exposures: Vec::new(),
        errors: vec![Call::new("secaudit", "global", "FullAudit").entry(
            "NoFullAuditYet".into(),
            "no full audit of this account has run yet: this report holds only what events re-checked".into(),
        )],
        api_calls: Default::default(),
        resource_tags: Default::default(),
    };
    assess(empty, &AssessContext::default())
}
