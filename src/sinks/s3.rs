//! The report in S3: `<prefix>/<account>/<YYYY>/<MM>/<DD>/<run_id>.json` and a copy at
//! `<prefix>/<account>/latest.json`. The dated key comes from the run id, so a retried
//! invocation (a new run) never overwrites another run's report.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use crate::collect::Call;
use crate::report::{AuditError, Report};

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
        latest: format!("{base}/latest.json"),
    }
}

/// Writes the report at both keys; returns the `s3://` URI of the dated one.
pub async fn write_report(
    s3: &aws_sdk_s3::Client,
    bucket: &str,
    prefix: &str,
    kms_key_id: Option<&str>,
    report: &Report,
) -> Result<String, AuditError> {
    let keys = report_keys(prefix, report);
    // One serialised copy, shared by both uploads.
    let body = bytes::Bytes::from(serde_json::to_vec(report).map_err(|e| {
        Call::new("s3", "-", "PutObject").entry("SerializationFailed".into(), e.to_string())
    })?);
    for key in [&keys.dated, &keys.latest] {
        let mut put = s3
            .put_object()
            .bucket(bucket)
            .key(key)
            .content_type("application/json")
            .body(ByteStream::from(body.clone()));
        if let Some(key_id) = kms_key_id {
            put = put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(key_id);
        }
        let location = format!("s3://{bucket}/{key}");
        put.send()
            .await
            .map_err(|e| Call::new("s3", "-", "PutObject").on(&location).error(&e))?;
    }
    Ok(format!("s3://{bucket}/{}", keys.dated))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_follow_the_documented_layout() {
        let report: Report = serde_json::from_value(serde_json::json!({
            "schema_version": 1, "run_id": "01a2-run", "account_id": "123456789012",
            "regions": ["us-east-1"], "environment": null, "environment_tag_key": null,
            "started_at": "2026-03-07T23:59:59Z", "finished_at": "2026-03-08T00:00:01Z",
            "duration_ms": 2000, "complete": true,
            "score": {"overall": null, "by_service": {}, "weights": {"critical": 10.0, "high": 5.0, "medium": 2.0, "low": 1.0}},
            "summary": {"evaluated": 0, "passed": 0, "failed": 0, "failed_by_severity": {"critical": 0, "high": 0, "medium": 0, "low": 0}},
            "results": [], "errors": [], "api_calls": {"total": 0, "retries": 0, "by_service": {}, "by_operation": {}}
        }))
        .unwrap();
        assert_eq!(
            report_keys("/reports/", &report),
            ReportKeys {
                dated: "reports/123456789012/2026/03/07/01a2-run.json".into(),
                latest: "reports/123456789012/latest.json".into(),
            }
        );
    }
}
