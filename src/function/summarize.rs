//! The organization summary event: every planned account's report (or why there is none), the
//! summary at its dated key and at `organization/latest.json`, and one digest alert.

use std::collections::HashMap;

use futures::stream::{self, StreamExt};

use super::organization::{
    self, read_planned_accounts, read_result_file, AccountOutcome, AccountWork, Manifest,
    SummarizeRequest,
};
use super::{config, InvocationError, LambdaApp, OrganizationResponse};
use crate::assess::organization::{AccountPart, OrganizationTally};
use crate::deliver::digest::Digest;
use crate::deliver::sns::publish;
use crate::fleet;
use crate::report::organization::OrganizationSummary;
use crate::report::read_account_report;
use crate::store::get_object;

impl LambdaApp {
    /// Reads `bucket`/`key`, which must be this function's own, under its prefix.
    async fn read_own(&self, bucket: &str, key: &str) -> Result<Vec<u8>, String> {
        let uri = format!("s3://{bucket}/{key}");
        if bucket != self.config.report_bucket
            || !key.starts_with(&format!("{}/", self.config.report_prefix))
        {
            return Err(format!(
                "{uri} is not under s3://{}/{}/",
                self.config.report_bucket, self.config.report_prefix
            ));
        }
        match get_object(&self.store.client, bucket, key).await {
            Ok(Some(bytes)) => Ok(bytes),
            Ok(None) => Err(format!("{uri}: no such key")),
            Err((code, message)) => Err(format!("{uri}: {code}: {message}")),
        }
    }

    /// The organization summary: read the plan and the map's results, tally every planned
    /// account, store the summary, send the digest, answer.
    pub(super) async fn summarize(
        &self,
        request: &SummarizeRequest,
    ) -> Result<OrganizationResponse, InvocationError> {
        self.organization()?;
        let planned = self
            .read_own(&request.bucket, &request.accounts_key)
            .await
            .and_then(|bytes| read_planned_accounts(&request.accounts_key, &bytes))
            .map_err(InvocationError::Results)?;
        let outcomes = self.map_outcomes(request).await?;
        let (summary, digest) = self.tally(request, planned, outcomes).await;
        let execution = request.execution.as_deref().unwrap_or(&request.run_id);
        let (dated, latest) =
            organization::summary_keys(&self.config.report_prefix, &summary.started_at, execution);
        let summary_uri = format!("s3://{}/{dated}", self.config.report_bucket);
        let mut problems = self.store_summary(&summary, [&dated, &latest]).await;
        let mut alerted_findings = 0;
        let mut alert_message_id = None;
        if let Some(alert) = digest.build(&fleet::digest_summary(&summary), &summary_uri) {
            match publish(&self.sns, &self.config.alert_topic_arn, &alert).await {
                Ok(id) => {
                    alerted_findings = alert.findings_total;
                    alert_message_id = Some(id);
                }
                Err(error) => problems.push(error.to_string()),
            }
        }
        if !problems.is_empty() {
            return Err(InvocationError::Delivery {
                run_id: summary.run_id,
                problems,
            });
        }
        let unaudited = summary.unaudited().count();
        tracing::info!(accounts = summary.accounts.len(), unaudited, %summary_uri, "organization summarized");
        Ok(OrganizationResponse {
            run_id: summary.run_id,
            summary_uri,
            score: summary.score.overall,
            summary: summary.summary,
            accounts: summary.accounts.len(),
            unaudited,
            alerted_findings,
            alert_message_id,
        })
    }

    /// What the account map reported for each account, from its result manifest.
    async fn map_outcomes(
        &self,
        request: &SummarizeRequest,
    ) -> Result<HashMap<String, AccountOutcome>, InvocationError> {
        let report_root = format!(
            "s3://{}/{}/",
            self.config.report_bucket, self.config.report_prefix
        );
        let mut outcomes = HashMap::new();
        let Some(manifest) = &request.map.results else {
            return Ok(outcomes);
        };
        let bytes = self
            .read_own(&manifest.bucket, &manifest.key)
            .await
            .map_err(InvocationError::Results)?;
        let manifest: Manifest = serde_json::from_slice(&bytes)
            .map_err(|e| InvocationError::Results(format!("{}: {e}", manifest.key)))?;
        for file in manifest.result_files.values().flatten() {
            let bytes = self
                .read_own(&self.config.report_bucket, &file.key)
                .await
                .map_err(InvocationError::Results)?;
            read_result_file(&file.key, &bytes, &report_root, &mut outcomes)
                .map_err(InvocationError::Results)?;
        }
        Ok(outcomes)
    }

    /// Every planned account's part of the summary and of the digest, or why it has none.
    async fn tally(
        &self,
        request: &SummarizeRequest,
        planned: Vec<AccountWork>,
        mut outcomes: HashMap<String, AccountOutcome>,
    ) -> (OrganizationSummary, Digest) {
        let no_result = match (&request.map.error, &request.map.cause) {
            (Some(error), cause) => format!(
                "no result: the account map failed ({error}: {})",
                cause.as_deref().unwrap_or("no cause given")
            ),
            (None, _) => "no result: the account map did not report this account".to_string(),
        };
        let mut tally = OrganizationTally::new(
            request.run_id.clone(),
            request.started_at.clone(),
            Default::default(),
        );
        let (threshold, alert_on) = (self.config.alert_min_severity, self.config.alert_on);
        let mut digest = Digest::new(threshold, alert_on);
        // A few reports are fetched at once. Each is reduced to its small part of the summary
        // and of the digest as soon as it is parsed, and dropped: on this one thread a single
        // parsed report exists at a time, so memory does not grow with report sizes times 8.
        let parts = stream::iter(planned)
            .map(|work| {
                let outcome = outcomes.remove(&work.account_id);
                let no_result = &no_result;
                async move {
                    let uri = match outcome {
                        Some(AccountOutcome::Reported(uri)) => uri,
                        Some(AccountOutcome::Failed(why)) => return (work, Err(why)),
                        None => return (work, Err(no_result.clone())),
                    };
                    let bytes = match config::parse_s3_uri(&uri) {
                        Some((bucket, key)) => self.read_own(&bucket, &key).await,
                        None => Err(format!("{uri} is not an s3://bucket/key URI")),
                    };
                    let part = bytes.and_then(|bytes| {
                        let report = read_account_report(&uri, &work.account_id, &bytes)
                            .map_err(|e| e.to_string())?;
                        let digest_part =
                            Digest::part(threshold, alert_on, &work.name, &report, &uri);
                        let summary_part =
                            AccountPart::of(&work.name, &report, Some(uri), Default::default());
                        Ok((summary_part, digest_part))
                    });
                    (work, part)
                }
            })
            .buffer_unordered(8);
        futures::pin_mut!(parts);
        while let Some((work, part)) = parts.next().await {
            match part {
                Ok((summary_part, digest_part)) => {
                    tally.add(summary_part);
                    if let Some(part) = digest_part {
                        digest.push(part);
                    }
                }
                Err(why) => tally.add_failure(&work.account_id, &work.name, why),
            }
        }
        let finished_at = crate::scan::rfc3339(time::OffsetDateTime::now_utc());
        (tally.finish(finished_at), digest)
    }

    /// The summary at each of `keys`; what could not be written, one line each.
    async fn store_summary(&self, summary: &OrganizationSummary, keys: [&str; 2]) -> Vec<String> {
        let body = match serde_json::to_vec_pretty(summary) {
            Ok(body) => bytes::Bytes::from(body),
            Err(error) => return vec![format!("cannot serialise the summary: {error}")],
        };
        let store = self.report_store(None);
        let mut problems = Vec::new();
        for key in keys {
            if let Err(error) = store.put(key, "application/json", body.clone()).await {
                problems.push(error.to_string());
            }
        }
        problems
    }
}
