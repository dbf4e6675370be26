//! The report as OCSF 1.3.0 Detection Findings (class 2004), one JSON object per line: the
//! format Amazon Security Lake and other security data lakes ingest.
//!
//! `finding_info.uid` is the stable result id, so the same finding keeps its identity across
//! nights. Status: open failures are `New` (1), muted ones `Suppressed` (3), passed results
//! `Resolved` (4). The FSBP and CIS ids of the check go in `unmapped.compliance` (the
//! Detection Finding class has no compliance object).

use std::io::{self, BufWriter, Write};

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::Render;
use crate::model::{CheckResult, Severity, Status};
use crate::report::Report;
use crate::services::checks::find;

pub const OCSF_VERSION: &str = "1.3.0";

pub struct OcsfRenderer;

/// Milliseconds since the epoch of an RFC 3339 time; 0 when it cannot be read.
fn epoch_ms(text: &str) -> i64 {
    OffsetDateTime::parse(text, &Rfc3339)
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .unwrap_or(0)
}

fn severity(severity: Severity) -> (u8, &'static str) {
    match severity {
        Severity::Critical => (5, "Critical"),
        Severity::High => (4, "High"),
        Severity::Medium => (3, "Medium"),
        Severity::Low => (2, "Low"),
    }
}

/// One Detection Finding.
pub fn finding(report: &Report, result: &CheckResult) -> Value {
    let (severity_id, severity_name) = severity(result.severity);
    let (status_id, status) = match (result.status, &result.muted) {
        (Status::Pass, _) => (4, "Resolved"),
        (Status::Fail, Some(_)) => (3, "Suppressed"),
        (Status::Fail, None) => (1, "New"),
    };
    let check = find(&result.check_id);
    let time = epoch_ms(&report.finished_at);
    let mut finding_info = json!({
        "uid": result.id,
        "title": result.title,
        "desc": result.detail,
        "types": [result.check_id],
        "created_time": time,
    });
    if let Some(first_seen) = &result.first_seen {
        finding_info["first_seen_time"] = json!(epoch_ms(first_seen));
    }
    let region = (result.region != "global").then_some(result.region.as_str());
    json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "severity_id": severity_id,
        "severity": severity_name,
        "status_id": status_id,
        "status": status,
        "time": time,
        "message": result.detail,
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "secaudit",
                "vendor_name": "secaudit",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "correlation_uid": report.run_id,
        },
        "finding_info": finding_info,
        "cloud": {
            "provider": "AWS",
            "region": region,
            "account": {
                "uid": report.account_id,
                "name": report.account_id,
                "type": "AWS Account",
                "type_id": 10,
            },
        },
        "resources": [{
            "type": result.resource_type,
            "uid": result.resource_arn.as_deref().unwrap_or(&result.resource_id),
            "name": result.resource_name.as_deref().unwrap_or(&result.resource_id),
            "region": region,
        }],
        "remediation": {
            "desc": result.remediation,
            "references": [result.reference],
        },
        "unmapped": {
            "check_id": result.check_id,
            "compliance": {
                "aws_fsbp": check.map_or(&[][..], |c| c.fsbp),
                "cis_aws_foundations_3_0": check.map_or(&[][..], |c| c.cis),
            },
            "muted": result.muted,
        },
    })
}

impl Render for OcsfRenderer {
    fn content_type(&self) -> &'static str {
        "application/x-ndjson"
    }

    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        for result in &report.results {
            serde_json::to_writer(&mut out, &finding(report, result))?;
            out.write_all(b"\n")?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Mute;

    fn result(status: Status, muted: bool) -> CheckResult {
        CheckResult {
            id: "s3.versioning/123456789012/eu-west-1/AWS::S3::Bucket/logs".into(),
            check_id: "s3.versioning".into(),
            service: "s3".into(),
            severity: Severity::Medium,
            status,
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: "logs".into(),
            resource_name: None,
            resource_arn: Some("arn:aws:s3:::logs".into()),
            region: "eu-west-1".into(),
            title: "S3 buckets have versioning enabled".into(),
            detail: "Versioning has never been enabled on the bucket.".into(),
            remediation: "Enable versioning.".into(),
            reference: "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html"
                .into(),
            first_seen: Some("2026-11-01T02:00:00Z".into()),
            muted: muted.then(|| Mute {
                rule: 1,
                reason: "write-once logs".into(),
                owner: None,
                expires: "2027-01-01".into(),
                exposures: false,
            }),
        }
    }

    #[test]
    fn findings_carry_the_stable_id_status_severity_resource_and_compliance() {
        let mut report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        report.results = vec![
            result(Status::Fail, false),
            result(Status::Fail, true),
            result(Status::Pass, false),
        ];
        let mut bytes = Vec::new();
        OcsfRenderer.render(&report, &mut bytes).unwrap();
        let lines: Vec<Value> = String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 3);
        let open = &lines[0];
        assert_eq!(open["class_uid"], 2004);
        assert_eq!(open["type_uid"], 200401);
        assert_eq!(
            open["finding_info"]["uid"],
            "s3.versioning/123456789012/eu-west-1/AWS::S3::Bucket/logs"
        );
        assert_eq!(open["severity_id"], 3);
        assert_eq!(open["status_id"], 1);
        assert_eq!(open["cloud"]["account"]["uid"], "123456789012");
        assert_eq!(open["resources"][0]["uid"], "arn:aws:s3:::logs");
        assert_eq!(open["resources"][0]["region"], "eu-west-1");
        assert_eq!(
            open["finding_info"]["first_seen_time"],
            1_793_498_400_000i64
        );
        assert_eq!(open["unmapped"]["compliance"]["aws_fsbp"][0], "S3.14");
        assert_eq!(open["metadata"]["version"], OCSF_VERSION);
        assert_eq!(
            (lines[1]["status_id"].clone(), lines[1]["status"].clone()),
            (json!(3), json!("Suppressed"))
        );
        assert_eq!(lines[2]["status_id"], 4);
    }
}
