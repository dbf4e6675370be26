//! The report in S3: `<prefix>/<account>/<YYYY>/<MM>/<DD>/<run_id>.json` and a copy at
//! `<prefix>/<account>/latest.json`. The dated key comes from the run id, so a retried
//! invocation (a new run) never overwrites another run's report.

use futures::future::BoxFuture;

use super::{Delivered, Delivery, DeliveryError};
use crate::recheck::keep_newer_rechecks;
use crate::render::html::HtmlRenderer;
use crate::render::json::JsonRenderer;
use crate::render::Render;
use crate::report::Report;
use crate::store::{latest_key, LatestSeen, S3Store};

/// Where one report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKeys {
    pub dated: String,
    pub latest: String,
}

pub fn report_keys(prefix: &str, report: &Report) -> ReportKeys {
    // started_at is RFC 3339 UTC: "2026-11-25T02:00:00Z".
    let date = report
        .started_at
        .get(..10)
        .unwrap_or("0000-00-00")
        .replace('-', "/");
    let base = format!("{}/{}", prefix.trim_matches('/'), report.account_id);
    ReportKeys {
        dated: format!("{base}/{date}/{}.json", report.run_id),
        latest: latest_key(prefix, &report.account_id),
    }
}

/// The report in a bucket, at its dated key and at `latest.json`, optionally SSE-KMS.
pub struct S3Reports {
    pub store: S3Store,
    /// Whether this run replaces `latest.json`, the next run's baseline, and what it saw of
    /// it (the write is conditional on that). A run of narrower scope (an on-demand override)
    /// or one that could not read the baseline does not.
    pub write_latest: Option<LatestSeen>,
}

impl S3Reports {
    fn uri(&self, key: &str) -> String {
        self.store.uri(key)
    }

    /// Writes `key` in the store; a failure is a [`DeliveryError`] naming the object.
    pub async fn put(
        &self,
        key: &str,
        content_type: &str,
        body: bytes::Bytes,
    ) -> Result<(), DeliveryError> {
        self.store
            .put(key, content_type, body)
            .await
            .map_err(|(code, message)| failure(self.uri(key), code, message))
    }
}

/// `<prefix>/<account>/compliance/<framework>.csv`: the latest view, replaced every run.
fn compliance_key(prefix: &str, account: &str, framework: &str) -> String {
    let prefix = prefix.trim_matches('/');
    if prefix.is_empty() {
        format!("{account}/compliance/{framework}.csv")
    } else {
        format!("{prefix}/{account}/compliance/{framework}.csv")
    }
}

/// The HTML page's key beside a JSON report's.
fn html_key(json_key: &str) -> String {
    format!(
        "{}.html",
        json_key.strip_suffix(".json").unwrap_or(json_key)
    )
}

fn failure(destination: String, code: String, message: String) -> DeliveryError {
    DeliveryError {
        action: "writing the report",
        destination,
        code,
        message,
    }
}

impl Delivery for S3Reports {
    fn report_uri(&self, report: &Report) -> Option<String> {
        Some(self.uri(&report_keys(&self.store.prefix, report).dated))
    }

    fn deliver<'a>(
        &'a self,
        report: &'a Report,
        _report_uri: &'a str,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let keys = report_keys(&self.store.prefix, report);
            // One rendered copy (compact JSON), shared by both uploads.
            let body = serde_json::to_vec(report).map_err(|e| {
                failure(
                    self.uri(&keys.dated),
                    "SerializationFailed".into(),
                    e.to_string(),
                )
            })?;
            let body = bytes::Bytes::from(body);
            // The page for people beside each JSON report: <run_id>.html and latest.html.
            let page = HtmlRenderer.render_to_vec(report).map_err(|e| {
                failure(self.uri(&keys.dated), "RenderFailed".into(), e.to_string())
            })?;
            let page = bytes::Bytes::from(page);
            let (json, html) = (JsonRenderer.content_type(), HtmlRenderer.content_type());
            self.put(&keys.dated, json, body).await?;
            self.put(&html_key(&keys.dated), html, page).await?;
            if let Some(seen) = &self.write_latest {
                // An event batch that wrote since the baseline was read re-read after this
                // run started: its verdicts are kept.
                let uri = self.uri(&keys.latest);
                let written = self
                    .store
                    .update_latest(
                        &report.account_id,
                        Some((seen.clone(), report)),
                        |current| {
                            let mut full = report.clone();
                            if let Some(current) = current {
                                keep_newer_rechecks(&mut full, &current);
                            }
                            full
                        },
                    )
                    .await
                    .map_err(|(code, message)| failure(uri.clone(), code, message))?;
                self.store
                    .put_latest_page(&written.report, written.etag.as_deref())
                    .await
                    .map_err(|(code, message)| failure(uri, code, message))?;
            }
            // The compliance views asked for, as CSV beside the account's reports: after
            // latest.json, so that a failed side output never costs the next run its baseline.
            for view in &report.compliance {
                let csv = crate::render::compliance::render_csv(view, report);
                self.put(
                    &compliance_key(&self.store.prefix, &report.account_id, &view.framework),
                    "text/csv",
                    bytes::Bytes::from(csv),
                )
                .await?;
            }
            Ok(Delivered {
                destination: self.uri(&keys.dated),
                ..Delivered::default()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compliance_views_sit_beside_the_account_reports() {
        assert_eq!(
            compliance_key("/reports/", "123456789012", "fsbp"),
            "reports/123456789012/compliance/fsbp.csv"
        );
        assert_eq!(
            compliance_key("", "123456789012", "cis-aws-3.0"),
            "123456789012/compliance/cis-aws-3.0.csv"
        );
    }

    #[test]
    fn keys_follow_the_documented_layout() {
        let report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        assert_eq!(
            report_keys("/reports/", &report),
            ReportKeys {
                dated: "reports/123456789012/2026/03/07/01a2-run.json".into(),
                latest: "reports/123456789012/latest.json".into(),
            }
        );
    }
}
