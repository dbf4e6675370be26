//! The report in S3: `<prefix>/<account>/<YYYY>/<MM>/<DD>/<run_id>.json` and a copy at
//! `<prefix>/<account>/latest.json`. The dated key comes from the run id, so a retried
//! invocation (a new run) never overwrites another run's report.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use futures::future::BoxFuture;

use super::html::HtmlRenderer;
use super::json::JsonRenderer;
use super::{Delivered, Delivery, DeliveryError, Render};
use crate::aws::describe_sdk_error;
use crate::report::Report;

/// Where one report goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportKeys {
    pub dated: String,
    pub latest: String,
}

/// `<prefix>/<account>/latest.json`: the latest configured-scope report, the next baseline.
pub fn latest_key(prefix: &str, account_id: &str) -> String {
    format!("{}/{account_id}/latest.json", prefix.trim_matches('/'))
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
    pub client: aws_sdk_s3::Client,
    pub bucket: String,
    pub prefix: String,
    pub kms_key_id: Option<String>,
    /// Whether this run replaces `latest.json`, the next run's baseline. A run of narrower
    /// scope (an on-demand override) or one that could not read the baseline does not.
    pub write_latest: bool,
}

impl S3Reports {
    fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    pub(crate) async fn put(
        &self,
        key: &str,
        content_type: &str,
        body: bytes::Bytes,
    ) -> Result<(), DeliveryError> {
        let mut put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body));
        if let Some(key_id) = &self.kms_key_id {
            put = put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(key_id);
        }
        put.send().await.map_err(|e| {
            let (code, message) = describe_sdk_error(&e);
            failure(self.uri(key), code, message)
        })?;
        Ok(())
    }
}

/// The object at `bucket`/`key`, or `None` when there is no such key. Any other failure
/// (access denied, throttling after retries) is `(code, message)`: only a missing key means
/// "nothing there".
pub async fn get_object(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, (String, String)> {
    match client.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output
            .body
            .collect()
            .await
            .map(|data| Some(data.into_bytes().to_vec()))
            .map_err(|e| ("ReadFailed".to_string(), e.to_string())),
        Err(error) => match describe_sdk_error(&error) {
            (code, _) if code == "NoSuchKey" => Ok(None),
            other => Err(other),
        },
    }
}

/// `<prefix>/<account>/history.json`: the account's runs, for the trend.
pub fn history_key(prefix: &str, account_id: &str) -> String {
    format!("{}/{account_id}/history.json", prefix.trim_matches('/'))
}

/// Adds the report's run to the history object with a conditional write (If-Match the ETag
/// read, or If-None-Match when there was none), retried on a lost race: two runs at once never
/// lose an entry. Returns the history written.
pub async fn update_history(
    reports: &S3Reports,
    report: &Report,
) -> Result<crate::history::History, DeliveryError> {
    use crate::history::History;
    let key = history_key(&reports.prefix, &report.account_id);
    let uri = reports.uri(&key);
    let failure = |code: String, message: String| DeliveryError {
        action: "updating the history",
        destination: uri.clone(),
        code,
        message,
    };
    for _ in 0..5 {
        let read = reports
            .client
            .get_object()
            .bucket(&reports.bucket)
            .key(&key)
            .send()
            .await;
        let (history, etag) = match read {
            Ok(output) => {
                let etag = output.e_tag().map(str::to_string);
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| failure("ReadFailed".into(), e.to_string()))?
                    .into_bytes();
                let history = History::parse(&uri, &bytes)
                    .map_err(|message| failure("InvalidHistory".into(), message))?;
                (history, etag)
            }
            Err(error) => match describe_sdk_error(&error) {
                (code, _) if code == "NoSuchKey" => (History::default(), None),
                (code, message) => return Err(failure(code, message)),
            },
        };
        let history = history.with_run(report);
        let mut put = reports
            .client
            .put_object()
            .bucket(&reports.bucket)
            .key(&key)
            .content_type(JsonRenderer.content_type())
            .body(ByteStream::from(history.to_json()));
        put = match &etag {
            Some(etag) => put.if_match(etag),
            None => put.if_none_match("*"),
        };
        if let Some(key_id) = &reports.kms_key_id {
            put = put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(key_id);
        }
        match put.send().await {
            Ok(_) => return Ok(history),
            Err(error) => match describe_sdk_error(&error) {
                // Another run wrote in between: read again and add to what it wrote.
                (code, _)
                    if code == "PreconditionFailed" || code == "ConditionalRequestConflict" =>
                {
                    continue
                }
                (code, message) => return Err(failure(code, message)),
            },
        }
    }
    Err(failure(
        "PreconditionFailed".into(),
        "the history kept changing under five attempts to update it".into(),
    ))
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
        Some(self.uri(&report_keys(&self.prefix, report).dated))
    }

    fn deliver<'a>(
        &'a self,
        report: &'a Report,
        _report_uri: &'a str,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            let keys = report_keys(&self.prefix, report);
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
            self.put(&keys.dated, json, body.clone()).await?;
            self.put(&html_key(&keys.dated), html, page.clone()).await?;
            if self.write_latest {
                self.put(&keys.latest, json, body).await?;
                self.put(&html_key(&keys.latest), html, page).await?;
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
