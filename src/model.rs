//! The vocabulary every layer shares: severities, verdicts, one result, one error, API-call
//! counts and score weights. A leaf: it imports nothing of the crate, so request, checks,
//! collectors, assess and report can all depend on it without depending on each other.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    /// Most severe first.
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    fn rank(self) -> u8 {
        match self {
            Severity::Critical => 4,
            Severity::High => 3,
            Severity::Medium => 2,
            Severity::Low => 1,
        }
    }

    /// Whether this severity is `threshold` or worse.
    pub fn is_at_least(self, threshold: Severity) -> bool {
        self >= threshold
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }
}

/// Worse is greater: Critical > High > Medium > Low (the declaration order, which serde and
/// [`Severity::ALL`] follow, is the reverse).
impl Ord for Severity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Fail,
}

/// The stable id of a result: the same check on the same resource of the same account gets
/// the same id in every run, which is what baselines, mutes and OCSF `finding_info.uid` key on.
pub fn result_id(
    check_id: &str,
    account_id: &str,
    region: &str,
    resource_type: &str,
    resource_id: &str,
) -> String {
    format!("{check_id}/{account_id}/{region}/{resource_type}/{resource_id}")
}

/// The verdict of one check on one resource. The fields that come from the check catalog
/// borrow its static text: copied into each of the 13,000 results of a 1,000-unit account, the
/// same titles and remediations took about 6 MB.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Stable across runs: check, account, region, resource type and id.
    pub id: String,
    pub check_id: Cow<'static, str>,
    pub service: Cow<'static, str>,
    pub severity: Severity,
    pub status: Status,
    pub resource_type: Cow<'static, str>,
    pub resource_id: String,
    /// A name people know the resource by, where it differs from the id (a security group's
    /// name); left out of the JSON when there is none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resource_name: Option<String>,
    pub resource_arn: Option<String>,
    /// The resource's region, or `global` for IAM.
    pub region: String,
    pub title: Cow<'static, str>,
    /// Why it passed or failed, with the evidence, in one sentence.
    pub detail: String,
    pub remediation: Cow<'static, str>,
    pub reference: Cow<'static, str>,
    /// What the verdict rests on, in a form a requirement narrower than the check can be judged
    /// on (a security group's world-open rules: `0.0.0.0/0 tcp 22`, `::/0 all traffic`). Left
    /// out of the JSON when empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub facts: Vec<String>,
    /// Failed results: when this finding was first seen failing (RFC 3339), carried over from
    /// the baseline while it keeps failing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_seen: Option<String>,
    /// Failed results a mutelist rule accepts: the rule. The result stays failed, but is left
    /// out of the score, the alert and `--fail-on`. Boxed: most results have none, and an
    /// account's tens of thousands of results each carried its room inline (`make bench`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Box<Mute>>,
}

impl CheckResult {
    pub fn is_failed(&self) -> bool {
        self.status == Status::Fail
    }

    /// Failed and not accepted by a mutelist rule: what alerts, gates and counts as failed.
    pub fn is_open(&self) -> bool {
        self.is_failed() && self.muted.is_none()
    }
}

#[cfg(test)]
impl CheckResult {
    /// A result for unit tests: `check_id` on the bucket `resource_id` of account
    /// 123456789012 in us-east-1; other fields change with struct update syntax.
    pub(crate) fn example(
        check_id: &str,
        resource_id: &str,
        severity: Severity,
        status: Status,
    ) -> CheckResult {
        let service = check_id.split('.').next().unwrap_or_default().to_string();
        CheckResult {
            id: result_id(
                check_id,
                "123456789012",
                "us-east-1",
                "AWS::S3::Bucket",
                resource_id,
            ),
            check_id: check_id.to_string().into(),
            service: service.into(),
            severity,
            status,
            resource_type: "AWS::S3::Bucket".into(),
            resource_id: resource_id.into(),
            resource_name: None,
            resource_arn: None,
            region: "us-east-1".into(),
            title: "".into(),
            detail: String::new(),
            remediation: "".into(),
            reference: "".into(),
            facts: Vec::new(),
            first_seen: None,
            muted: None,
        }
    }
}

/// The mutelist rule that accepted a failed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Mute {
    /// The rule's 1-based position in the mutelist.
    pub rule: usize,
    pub reason: String,
    pub owner: Option<String>,
    /// `YYYY-MM-DD`: from that day on the rule mutes nothing.
    pub expires: String,
    /// The rule says `exposures = true`: the exposures this result is a step of are hidden
    /// too. Without it an accepted step still shows in its exposure, marked accepted.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub exposures: bool,
}

/// Something the audit could not read. The resources it concerns have no results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditError {
    pub service: String,
    pub region: String,
    pub operation: String,
    pub resource_id: Option<String>,
    pub code: String,
    pub message: String,
    /// The IAM action the failed call needs (`s3:GetEncryptionConfiguration` for
    /// GetBucketEncryption, ...): what to grant when `code` is an access denial.
    #[serde(default)]
    pub required_permission: Option<String>,
}

impl AuditError {
    /// A problem with one of the run's own inputs (a baseline or mutelist file), not with an
    /// AWS call: `operation` says which (`ReadBaseline`, `ReadMutelist`).
    pub fn input(operation: &str, source: &str, code: &str, message: String) -> AuditError {
        AuditError {
            service: "secaudit".into(),
            region: "local".into(),
            operation: operation.into(),
            resource_id: Some(source.into()),
            code: code.into(),
            message,
            required_permission: None,
        }
    }

    /// Whether the caller lacked permission (as opposed to a failure of AWS or the network).
    pub fn is_access_denied(&self) -> bool {
        matches!(
            self.code.as_str(),
            "AccessDenied"
                | "AccessDeniedException"
                | "UnauthorizedOperation"
                | "AuthorizationError"
        )
    }
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeverityCounts {
    pub critical: usize,
    pub high: usize,
    pub medium: usize,
    pub low: usize,
}

impl SeverityCounts {
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    pub fn increment(&mut self, severity: Severity) {
        match severity {
            Severity::Critical => self.critical += 1,
            Severity::High => self.high += 1,
            Severity::Medium => self.medium += 1,
            Severity::Low => self.low += 1,
        }
    }
}

/// API requests the audit made: executions by service and by `service:Operation`, and the
/// retried attempts on top of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiCalls {
    pub total: u64,
    pub retries: u64,
    pub by_service: BTreeMap<String, u64>,
    pub by_operation: BTreeMap<String, u64>,
}

/// Weight of one result of each severity.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Weights {
    pub critical: f64,
    pub high: f64,
    pub medium: f64,
    pub low: f64,
}

impl Default for Weights {
    fn default() -> Self {
        Weights {
            critical: 10.0,
            high: 5.0,
            medium: 2.0,
            low: 1.0,
        }
    }
}

impl Weights {
    pub fn get(&self, severity: Severity) -> f64 {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
        }
    }

    pub fn set(&mut self, severity: Severity, weight: f64) {
        match severity {
            Severity::Critical => self.critical = weight,
            Severity::High => self.high = weight,
            Severity::Medium => self.medium = weight,
            Severity::Low => self.low = weight,
        }
    }
}

/// Resource tags, key to value.
pub type Tags = BTreeMap<String, String>;

/// Resource type of account-level settings; the resource id is the account id.
pub const ACCOUNT_RESOURCE_TYPE: &str = "AWS::::Account";

/// The key resource tags are filed under (`Inventory::tags_by_resource`), for mutelist rules.
pub fn resource_key(region: &str, resource_type: &str, resource_id: &str) -> String {
    format!("{region}/{resource_type}/{resource_id}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_compare_worse_as_greater() {
        assert!(Severity::Critical > Severity::High);
        assert!(Severity::High > Severity::Medium);
        assert!(Severity::Medium > Severity::Low);
        let mut sorted = vec![
            Severity::Low,
            Severity::Critical,
            Severity::Medium,
            Severity::High,
        ];
        sorted.sort_by_key(|s| std::cmp::Reverse(*s));
        assert_eq!(sorted, Severity::ALL);
    }

    #[test]
    fn severities_order_from_critical_down() {
        assert!(Severity::Critical.is_at_least(Severity::High));
        assert!(Severity::High.is_at_least(Severity::High));
        assert!(!Severity::Medium.is_at_least(Severity::High));
        assert_eq!(
            serde_json::to_string(&Severity::Critical).unwrap(),
            "\"critical\""
        );
    }
}
