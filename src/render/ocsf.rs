//! The report as OCSF 1.3.0 Detection Findings (class 2004), one JSON object per line: the
//! format Amazon Security Lake and other security data lakes ingest.
//!
//! `finding_info.uid` is the stable result id, so the same finding keeps its identity across
//! nights. Status: open failures are `New` (1), muted ones `Suppressed` (3), passed results
//! `Resolved` (4). The FSBP and CIS ids of the check go in `unmapped.compliance` (the
//! Detection Finding class has no compliance object).
//!
//! Each exposure is one more Detection Finding, after the results': its uid is the exposure
//! id, its steps are `finding_info.related_events` naming the results' findings, and the ones
//! the mutelist hides are `Suppressed`.

use std::io::{self, BufWriter, Write};

use serde_json::{json, Value};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use super::Render;
use crate::exposures::{Exposure, StepRole};
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
    with_envelope(
        report,
        json!({
            "severity_id": severity_id,
            "severity": severity_name,
            "status_id": status_id,
            "status": status,
            "message": result.detail,
            "finding_info": finding_info,
            "cloud": cloud(report, &result.region),
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
        }),
    )
}

/// `fields` with what every finding of a report shares: class, type, time and metadata.
fn with_envelope(report: &Report, fields: Value) -> Value {
    let mut finding = json!({
        "activity_id": 1,
        "activity_name": "Create",
        "category_uid": 2,
        "category_name": "Findings",
        "class_uid": 2004,
        "class_name": "Detection Finding",
        "type_uid": 200401,
        "type_name": "Detection Finding: Create",
        "time": epoch_ms(&report.finished_at),
        "metadata": {
            "version": OCSF_VERSION,
            "product": {
                "name": "secaudit",
                "vendor_name": "secaudit",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "correlation_uid": report.run_id,
        },
    });
    if let (Value::Object(finding), Value::Object(fields)) = (&mut finding, fields) {
        finding.extend(fields);
    }
    // A related event's `uid` names the event's `metadata.uid` (OCSF 1.3.0 Related Event):
    // an exposure relates its steps' findings by their stable id, so that is each one's uid.
    finding["metadata"]["uid"] = finding["finding_info"]["uid"].clone();
    finding
}

/// One Detection Finding for an exposure. Its steps are Related Event objects, which in OCSF
/// 1.3.0 have only `uid`, `type_uid`, `type`/`type_name`, `product_uid`, `observables`,
/// `attacks` and `kill_chain` (https://schema.ocsf.io/1.3.0/objects/related_event): the uid is
/// the step's result id, the `finding_info.uid` of that result's finding in the same output,
/// and what a step is (its role, check, resource, acceptance) goes in `unmapped.steps`.
pub fn exposure_finding(report: &Report, exposure: &Exposure) -> Value {
    let (severity_id, severity_name) = severity(exposure.severity);
    let (status_id, status) = match exposure.muted {
        Some(_) => (3, "Suppressed"),
        None => (1, "New"),
    };
    // The way in is the resource; a data exposure has no entry step, its data is the resource.
    let entry = (exposure.steps.iter())
        .find(|s| s.role == StepRole::Entry)
        .or(exposure.steps.first());
    let resources: Vec<Value> = entry
        .map(|step| {
            let result = report.results.iter().find(|r| r.id == step.result_id);
            let region = (step.region != "global").then_some(step.region.as_str());
            json!({
                "type": step.resource_type,
                "uid": result
                    .and_then(|r| r.resource_arn.as_deref())
                    .unwrap_or(&step.resource_id),
                "name": result
                    .and_then(|r| r.resource_name.as_deref())
                    .unwrap_or(&step.resource_id),
                "region": region,
            })
        })
        .into_iter()
        .collect();
    let related_events: Vec<Value> = (exposure.steps.iter())
        .map(|step| {
            json!({
                "uid": step.result_id,
                "type_uid": 200401,
                "type": "Detection Finding: Create",
            })
        })
        .collect();
    let desc: Vec<&str> = (exposure.steps.iter())
        .map(|s| s.contributes.as_str())
        .collect();
    with_envelope(
        report,
        json!({
            "severity_id": severity_id,
            "severity": severity_name,
            "status_id": status_id,
            "status": status,
            "message": exposure.title,
            "finding_info": {
                "uid": exposure.id,
                "title": exposure.title,
                "desc": desc.join(" "),
                "types": ["Exposure"],
                "created_time": epoch_ms(&report.finished_at),
                "related_events": related_events,
            },
            "cloud": cloud(report, entry.map(|s| s.region.as_str()).unwrap_or("global")),
            "resources": resources,
            "remediation": {"desc": exposure.fix},
            "unmapped": {
                "kind": exposure.kind,
                "steps": exposure.steps,
                "muted": exposure.muted,
            },
        }),
    )
}

fn cloud(report: &Report, region: &str) -> Value {
    json!({
        "provider": "AWS",
        "region": (region != "global").then_some(region),
        "account": {
            "uid": report.account_id,
            "name": report.account_id,
            "type": "AWS Account",
            "type_id": 10,
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
        for exposure in &report.exposures {
            serde_json::to_writer(&mut out, &exposure_finding(report, exposure))?;
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
            facts: Vec::new(),
            first_seen: Some("2026-11-01T02:00:00Z".into()),
            muted: muted.then(|| {
                Box::new(Mute {
                    rule: 1,
                    reason: "write-once logs".into(),
                    owner: None,
                    expires: "2027-01-01".into(),
                    exposures: false,
                })
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

    #[test]
    fn each_exposure_is_a_finding_relating_its_steps_hidden_ones_suppressed() {
        use crate::deliver::alert::tests::{exposure, mute, report, result};
        let mut entry = result(1, Severity::High, Status::Fail);
        entry.id = exposure(1, Severity::Critical).steps[0].result_id.clone();
        entry.resource_arn = Some("arn:aws:ec2:us-east-1:123456789012:instance/i-1".into());
        let mut report = report(vec![entry, result(1, Severity::High, Status::Fail)]);
        let mut hidden = exposure(2, Severity::High);
        hidden.muted = Some(mute(4, true));
        report.exposures = vec![exposure(1, Severity::Critical), hidden];
        let mut bytes = Vec::new();
        OcsfRenderer.render(&report, &mut bytes).unwrap();
        let lines: Vec<Value> = String::from_utf8(bytes)
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(lines.len(), 4, "two results, then two exposures");
        let open = &lines[2];
        assert_eq!(
            (open["class_uid"].clone(), open["type_uid"].clone()),
            (json!(2004), json!(200401))
        );
        let info = &open["finding_info"];
        assert_eq!(info["uid"], "exposure/0000000000000001");
        assert_eq!(info["title"], report.exposures[0].title);
        assert_eq!(info["types"], json!(["Exposure"]));
        let related = info["related_events"].as_array().unwrap();
        let uids: Vec<&str> = related.iter().map(|e| e["uid"].as_str().unwrap()).collect();
        let steps: Vec<&str> = (report.exposures[0].steps.iter())
            .map(|s| s.result_id.as_str())
            .collect();
        assert_eq!(uids, steps);
        assert_eq!(
            uids[1], lines[1]["finding_info"]["uid"],
            "a result's finding"
        );
        assert_eq!(related[0]["type_uid"], 200401);
        assert_eq!(
            (open["severity_id"].clone(), open["status_id"].clone()),
            (json!(5), json!(1))
        );
        assert_eq!(
            open["remediation"]["desc"],
            "Close sg-00000001 to the world."
        );
        let resources = open["resources"].as_array().unwrap();
        assert_eq!(resources.len(), 1, "the way in");
        assert_eq!(
            resources[0]["uid"],
            "arn:aws:ec2:us-east-1:123456789012:instance/i-1"
        );
        assert_eq!(resources[0]["type"], "AWS::EC2::Instance");
        assert_eq!(open["cloud"]["region"], "us-east-1");
        assert_eq!(open["unmapped"]["steps"][1]["role"], "ease");
        assert_eq!(open["metadata"]["correlation_uid"], "run-1");

        let suppressed = &lines[3];
        assert_eq!(
            suppressed["finding_info"]["uid"],
            "exposure/0000000000000002"
        );
        assert_eq!(
            (
                suppressed["status_id"].clone(),
                suppressed["status"].clone()
            ),
            (json!(3), json!("Suppressed"))
        );
        assert_eq!(suppressed["severity_id"], 4);
        assert_eq!(suppressed["unmapped"]["muted"]["rule"], 4);
        // Without a report row for the way in, the step's own id names the resource.
        assert_eq!(suppressed["resources"][0]["uid"], "i-2");
    }
}
