//! What a check is and how checks run: pure functions from the inventory to pass/fail results,
//! no I/O. The checks themselves live with their service (`services/<svc>/checks.rs`).

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use time::OffsetDateTime;

use crate::aws::required_permission;
use crate::model::{result_id, AuditError, CheckResult, Severity, Status, ACCOUNT_RESOURCE_TYPE};
use crate::services::{Inventory, Service};

/// An inclusive port range, as in a security-group rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct PortRange {
    pub from: u16,
    pub to: u16,
}

impl PortRange {
    pub const fn new(from: u16, to: u16) -> Self {
        PortRange { from, to }
    }
    pub const fn single(port: u16) -> Self {
        PortRange {
            from: port,
            to: port,
        }
    }
    pub fn overlaps(&self, other: &PortRange) -> bool {
        self.from <= other.to && other.from <= self.to
    }
}

impl fmt::Display for PortRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

/// A port (range) that must not be open to the world, with the service it usually carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RiskyPort {
    pub ports: PortRange,
    pub label: String,
}

/// The ports FSBP EC2.19 names as high-risk (AWS Config rule `restricted-common-ports`,
/// `blockedPorts`, not customizable in Security Hub), TCP:
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-19>.
pub const FSBP_HIGH_RISK_PORTS: [u16; 24] = [
    20, 21, 22, 23, 25, 110, 135, 143, 445, 1433, 1434, 3000, 3306, 3389, 4333, 5000, 5432, 5500,
    5601, 8080, 8088, 8888, 9200, 9300,
];

/// The default high-risk ports: remote administration, file sharing, databases and web
/// development servers that are attacked within minutes of being exposed; every port of
/// [`FSBP_HIGH_RISK_PORTS`] and more.
pub fn default_high_risk_ports() -> Vec<RiskyPort> {
    [
        (20, 21, "FTP"),
        (22, 22, "SSH"),
        (23, 23, "Telnet"),
        (25, 25, "SMTP"),
        (110, 110, "POP3"),
        (135, 135, "RPC"),
        (137, 139, "NetBIOS"),
        (143, 143, "IMAP"),
        (445, 445, "SMB"),
        (1433, 1434, "MSSQL"),
        (1521, 1521, "Oracle"),
        (2375, 2376, "Docker"),
        (3000, 3000, "web development server"),
        (3306, 3306, "MySQL"),
        (3389, 3389, "RDP"),
        (4333, 4333, "ahsp"),
        (5000, 5000, "web development server"),
        (5432, 5432, "PostgreSQL"),
        (5500, 5500, "fcp-addr-srvr1"),
        (5601, 5601, "OpenSearch Dashboards"),
        (5900, 5900, "VNC"),
        (6379, 6379, "Redis"),
        (8080, 8080, "HTTP proxy"),
        (8088, 8088, "HTTP alternate"),
        (8888, 8888, "HTTP alternate"),
        (9200, 9200, "Elasticsearch"),
        (9300, 9300, "Elasticsearch"),
        (11211, 11211, "Memcached"),
        (27017, 27017, "MongoDB"),
    ]
    .into_iter()
    .map(|(from, to, label)| RiskyPort {
        ports: PortRange::new(from, to),
        label: label.to_string(),
    })
    .collect()
}

/// The API calls of one event source that can change a check's verdict (CloudTrail's
/// `eventSource` and `eventName`s; see [`super::change_events`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventTrigger {
    /// CloudTrail's `eventSource`, e.g. `ec2.amazonaws.com`.
    pub source: &'static str,
    /// CloudTrail's `eventName`s, e.g. `AuthorizeSecurityGroupIngress`.
    pub names: &'static [&'static str],
}

/// An API call a check's verdicts depend on, named by the IAM action it needs (as
/// [`crate::aws::required_permission`] spells it). A failure of the call may have hidden the
/// check's verdicts, and only a failure of such a call may: this is what keeps one denied
/// read from costing the verdicts that never depended on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Read {
    pub permission: &'static str,
    /// The call reads the resource the check judges (a bucket's policy), and its error names
    /// that resource: a failure hides that resource's verdict only. Otherwise (a listing, an
    /// account or region setting, a related resource such as a policy attached to a role) a
    /// failure hides every verdict of the check in its region.
    pub per_resource: bool,
}

impl Read {
    /// A call whose failure hides every verdict of the check in its region.
    pub const fn all(permission: &'static str) -> Read {
        Read {
            permission,
            per_resource: false,
        }
    }

    /// A call about the judged resource itself, whose failure hides that resource's verdict.
    pub const fn each(permission: &'static str) -> Read {
        Read {
            permission,
            per_resource: true,
        }
    }
}

/// Tunables of the checks.
#[derive(Debug, Clone, PartialEq)]
pub struct CheckOptions {
    /// `rds.backup_retention` passes at this many days or more (FSBP RDS.11 asks for 7).
    pub min_backup_retention_days: u32,
    pub high_risk_ports: Vec<RiskyPort>,
    /// `sg.unauthorized_world_ports`: the TCP ports that may be open to the world (FSBP EC2.18's
    /// `authorizedTcpPorts`, 80 and 443 by default); no UDP port is.
    pub authorized_world_ports: Vec<PortRange>,
    /// `iam.password_policy`: the shortest acceptable minimum length (CIS 1.8 asks for 14).
    pub min_password_length: u32,
    /// `iam.password_policy`: the fewest remembered passwords (CIS 1.9 asks for 24).
    pub min_password_reuse_prevention: u32,
    /// `iam.access_key_rotation`: active keys older than this many days fail (CIS 1.14: 90).
    pub max_access_key_age_days: u32,
    /// `iam.unused_credentials`: active passwords and keys unused this long fail (CIS 1.12: 45).
    pub max_unused_credential_days: u32,
    /// `eks.supported_version`: end-of-standard-support dates that override or extend the
    /// built-in table (`services/eks`), for versions AWS announced after this release.
    pub eks_standard_support_end: Vec<(String, time::Date)>,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            min_backup_retention_days: 7,
            high_risk_ports: default_high_risk_ports(),
            authorized_world_ports: vec![PortRange::single(80), PortRange::single(443)],
            min_password_length: 14,
            min_password_reuse_prevention: 24,
            max_access_key_age_days: 90,
            max_unused_credential_days: 45,
            eks_standard_support_end: Vec::new(),
        }
    }
}

/// How a check judges an inventory: it records one verdict per resource it applies to, and
/// none for a resource whose data could not be read (the collector reported an error).
pub type Evaluate = fn(&Inventory, &CheckOptions, &mut Verdicts);

/// One check, declared once: what it is, what it means, how to fix it, and its logic.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Check {
    pub id: &'static str,
    pub service: Service,
    pub severity: Severity,
    pub resource_types: &'static [&'static str],
    pub title: &'static str,
    pub rationale: &'static str,
    pub remediation: &'static str,
    pub reference: &'static str,
    /// AWS Security Hub Foundational Security Best Practices control ids.
    pub fsbp: &'static [&'static str],
    /// CIS AWS Foundations Benchmark v3.0.0 recommendation numbers.
    pub cis: &'static [&'static str],
    /// The CloudTrail events that can change its verdict (`secaudit events`).
    pub triggers: &'static [EventTrigger],
    /// The API calls its verdicts depend on (tag reads, which only place a resource in an
    /// environment, are none of them).
    pub reads: &'static [Read],
    #[serde(skip)]
    pub evaluate: Evaluate,
}

impl Check {
    /// Whether `error` may have hidden a verdict of this check in `region` on `resource` (its
    /// id and ARN; `None`: on some resource there). Only a failed call the check reads
    /// ([`Check::reads`]) may: in the verdict's region (an account-wide verdict, region
    /// `global`, rests on every region's reads), and, for a call about the judged resource,
    /// on that resource only. A failure that is no API call (the deadline cut a collection
    /// short, a document could not be parsed) hides every verdict of the service's checks in
    /// its region; STS failing means nothing of the account was read.
    pub fn hidden_by(
        &self,
        error: &AuditError,
        region: &str,
        resource: Option<(&str, Option<&str>)>,
    ) -> bool {
        // The state secaudit keeps itself (mutelist, baseline) hides no verdict.
        if matches!(error.operation.as_str(), "ReadMutelist" | "ReadBaseline") {
            return false;
        }
        if error.service == "sts" {
            return true;
        }
        let permission = error
            .required_permission
            .clone()
            .or_else(|| required_permission(&error.service, &error.operation));
        let read = match permission {
            Some(permission) => match self.reads.iter().find(|r| r.permission == permission) {
                Some(read) => Some(read),
                None => return false,
            },
            None => {
                let api = error.service.as_str();
                if api != self.service.as_str() && !self.service.spec().apis.contains(&api) {
                    return false;
                }
                None
            }
        };
        let in_region = !self.service.is_regional()
            || region == "global"
            || error.region == "global"
            || error.region == region;
        if !in_region {
            return false;
        }
        match (read, &error.resource_id, resource) {
            (Some(read), Some(named), Some((id, arn))) if read.per_resource => {
                id == named || arn == Some(named.as_str())
            }
            _ => true,
        }
    }
}

/// The registry: every check, in report order (services in registration order, then each
/// service's own list).
pub fn registry() -> impl Iterator<Item = &'static Check> {
    Service::ALL
        .into_iter()
        .flat_map(|service| service.spec().checks.iter().copied())
}

/// The registered check with this id.
pub fn find(id: &str) -> Option<&'static Check> {
    registry().find(|check| check.id == id)
}

/// The resource a result is about.
pub struct Resource<'a> {
    pub resource_type: &'static str,
    pub id: &'a str,
    /// What people call it, where that is not the id (a security group's name).
    pub name: Option<&'a str>,
    pub arn: Option<&'a str>,
    /// The resource's region, or `global`.
    pub region: &'a str,
}

/// Collects the verdicts of the check being evaluated, for one account.
pub struct Verdicts<'a> {
    check: &'static Check,
    account_id: &'a str,
    now: OffsetDateTime,
    results: &'a mut Vec<CheckResult>,
    unjudged: &'a mut Vec<String>,
}

impl Verdicts<'_> {
    /// The audited account: the resource id of account-level settings.
    pub fn account_id(&self) -> &str {
        self.account_id
    }

    /// The run's clock: what credential ages are measured against (fixed in tests).
    pub fn now(&self) -> OffsetDateTime {
        self.now
    }

    pub fn record(&mut self, resource: &Resource, status: Status, detail: String) {
        self.record_with_facts(resource, status, detail, Vec::new());
    }

    /// A verdict with the facts it rests on ([`CheckResult::facts`]).
    pub fn record_with_facts(
        &mut self,
        resource: &Resource,
        status: Status,
        detail: String,
        facts: Vec<String>,
    ) {
        let check = self.check;
        self.results.push(CheckResult {
            id: result_id(
                check.id,
                self.account_id,
                resource.region,
                resource.resource_type,
                resource.id,
            ),
            check_id: Cow::Borrowed(check.id),
            service: Cow::Borrowed(check.service.as_str()),
            severity: check.severity,
            status,
            resource_type: Cow::Borrowed(resource.resource_type),
            resource_id: resource.id.to_string(),
            resource_name: resource
                .name
                .filter(|name| !name.is_empty() && *name != resource.id)
                .map(str::to_string),
            resource_arn: resource.arn.filter(|a| !a.is_empty()).map(str::to_string),
            region: resource.region.to_string(),
            title: Cow::Borrowed(check.title),
            detail,
            remediation: Cow::Borrowed(check.remediation),
            reference: Cow::Borrowed(check.reference),
            facts,
            first_seen: None,
            muted: None,
        });
    }

    /// Says that this run could not judge `resource` for want of data it did not read (another
    /// service's inventory a re-check does not collect): a merge keeps the last verdict.
    pub fn unjudged(&mut self, resource: &Resource) {
        self.unjudged.push(result_id(
            self.check.id,
            self.account_id,
            resource.region,
            resource.resource_type,
            resource.id,
        ));
    }

    pub fn pass(&mut self, resource: &Resource, detail: String) {
        self.record(resource, Status::Pass, detail);
    }

    pub fn fail(&mut self, resource: &Resource, detail: String) {
        self.record(resource, Status::Fail, detail);
    }

    /// Judges an account-level setting (resource `AWS::::Account`, id the account id) in
    /// `region`, or `global`.
    pub fn judge_account(
        &mut self,
        region: &str,
        passed: bool,
        pass_detail: impl FnOnce() -> String,
        fail_detail: impl FnOnce() -> String,
    ) {
        self.judge_account_with_facts(region, passed, pass_detail, fail_detail, Vec::new());
    }

    /// [`Verdicts::judge_account`] with the facts the verdict rests on.
    pub fn judge_account_with_facts(
        &mut self,
        region: &str,
        passed: bool,
        pass_detail: impl FnOnce() -> String,
        fail_detail: impl FnOnce() -> String,
        facts: Vec<String>,
    ) {
        let account = self.account_id.to_string();
        let resource = Resource {
            resource_type: ACCOUNT_RESOURCE_TYPE,
            id: &account,
            name: None,
            arn: None,
            region,
        };
        self.judge_with_facts(&resource, passed, pass_detail, fail_detail, facts);
    }

    /// Pass or fail on a condition, with the detail for each case.
    pub fn judge(
        &mut self,
        resource: &Resource,
        passed: bool,
        pass_detail: impl FnOnce() -> String,
        fail_detail: impl FnOnce() -> String,
    ) {
        self.judge_with_facts(resource, passed, pass_detail, fail_detail, Vec::new());
    }

    /// [`Verdicts::judge`] with the facts the verdict rests on ([`CheckResult::facts`]), for
    /// requirements that judge them differently from the check.
    pub fn judge_with_facts(
        &mut self,
        resource: &Resource,
        passed: bool,
        pass_detail: impl FnOnce() -> String,
        fail_detail: impl FnOnce() -> String,
        facts: Vec<String>,
    ) {
        if passed {
            self.record_with_facts(resource, Status::Pass, pass_detail(), facts);
        } else {
            self.record_with_facts(resource, Status::Fail, fail_detail(), facts);
        }
    }
}

/// Runs every registered check over the inventory, as of `now` (the scan's start). Results
/// come in registry order, then by region and resource, so that reports of the same account
/// diff cleanly.
pub fn evaluate(
    inventory: &Inventory,
    account_id: &str,
    options: &CheckOptions,
    now: OffsetDateTime,
) -> Vec<CheckResult> {
    judge_all(inventory, account_id, options, now).results
}

/// Every check's verdicts, and the results this run could not judge ([`Verdicts::unjudged`]).
#[derive(Debug, Default)]
pub struct Evaluation {
    pub results: Vec<CheckResult>,
    pub unjudged: Vec<String>,
}

pub fn judge_all(
    inventory: &Inventory,
    account_id: &str,
    options: &CheckOptions,
    now: OffsetDateTime,
) -> Evaluation {
    let mut results = Vec::new();
    let mut unjudged = Vec::new();
    for check in registry() {
        let first = results.len();
        (check.evaluate)(
            inventory,
            options,
            &mut Verdicts {
                check,
                account_id,
                now,
                results: &mut results,
                unjudged: &mut unjudged,
            },
        );
        results[first..]
            .sort_by(|a, b| (&a.region, &a.resource_id).cmp(&(&b.region, &b.resource_id)));
    }
    Evaluation { results, unjudged }
}

/// "a, b and 2 more": evidence lists in details stay one readable sentence.
pub(crate) fn enumerate(items: &[String], shown: usize) -> String {
    let listed = &items[..items.len().min(shown)];
    let mut text = match listed {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if items.len() <= shown => format!("{} and {last}", init.join(", ")),
        _ => listed.join(", "),
    };
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// An access denial of `operation`, as the collectors record it.
    pub fn denied(
        service: &str,
        region: &str,
        operation: &str,
        resource: Option<&str>,
    ) -> AuditError {
        AuditError {
            service: service.into(),
            region: region.into(),
            operation: operation.into(),
            resource_id: resource.map(str::to_string),
            code: "AccessDenied".into(),
            message: "denied".into(),
            required_permission: required_permission(service, operation),
        }
    }
    use crate::model::CheckResult;

    /// A hand-built inventory on which `check` must give `resource_id` the `expected` verdict.
    /// Each service file lists its cases; a test requires a passing and a failing one for
    /// every registered check.
    pub struct Case {
        pub check: &'static str,
        pub resource_id: &'static str,
        pub expected: Status,
        pub inventory: fn() -> Inventory,
        /// For account-level results, which share the account id across regions.
        pub region: Option<&'static str>,
    }

    /// The tests' clock.
    pub const NOW: OffsetDateTime = time::macros::datetime!(2026-11-27 02:00 UTC);

    pub fn run(inventory: &Inventory) -> Vec<CheckResult> {
        evaluate(inventory, "123456789012", &CheckOptions::default(), NOW)
    }

    /// The one result of `check_id` for `resource_id`; panics if there is not exactly one.
    pub fn only<'a>(
        results: &'a [CheckResult],
        check_id: &str,
        resource_id: &str,
    ) -> &'a CheckResult {
        let found: Vec<_> = results
            .iter()
            .filter(|r| r.check_id == check_id && r.resource_id == resource_id)
            .collect();
        assert_eq!(found.len(), 1, "{check_id} on {resource_id}: {results:#?}");
        found[0]
    }

    pub fn none(results: &[CheckResult], check_id: &str, resource_id: &str) {
        assert!(
            !results
                .iter()
                .any(|r| r.check_id == check_id && r.resource_id == resource_id),
            "expected no {check_id} result for {resource_id}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::test_support::{denied as error, only, run, Case};
    use std::collections::BTreeSet;

    #[test]
    fn default_high_risk_ports_cover_the_documented_list_and_aws_s() {
        let ports = default_high_risk_ports();
        for port in [
            20, 21, 22, 23, 25, 135, 139, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5900,
            6379, 9200, 9300, 11211, 27017,
        ]
        .into_iter()
        .chain(FSBP_HIGH_RISK_PORTS)
        {
            assert!(
                ports
                    .iter()
                    .any(|r| r.ports.overlaps(&PortRange::single(port))),
                "{port}"
            );
        }
    }

    #[test]
    fn enumerate_keeps_lists_short() {
        let items: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert_eq!(enumerate(&items[..1], 3), "a");
        assert_eq!(enumerate(&items[..3], 3), "a, b and c");
        assert_eq!(enumerate(&items, 2), "a, b and 2 more");
    }

    #[test]
    fn result_ids_are_stable_and_distinguish_resource_types() {
        let inventory = Inventory::default();
        assert!(evaluate(&inventory, "1", &CheckOptions::default(), test_support::NOW).is_empty());
        let (mut results, mut unjudged) = (vec![], vec![]);
        let mut verdicts = Verdicts {
            check: find("iam.admin_access").unwrap(),
            account_id: "123456789012",
            now: test_support::NOW,
            results: &mut results,
            unjudged: &mut unjudged,
        };
        let role = Resource {
            resource_type: "AWS::IAM::Role",
            id: "deploy",
            name: None,
            arn: None,
            region: "global",
        };
        verdicts.pass(&role, "x".into());
        assert_eq!(
            results[0].id,
            "iam.admin_access/123456789012/global/AWS::IAM::Role/deploy"
        );
    }

    fn all_cases() -> Vec<Case> {
        crate::services::all_cases()
    }

    #[test]
    fn every_registered_check_has_a_passing_and_a_failing_case() {
        let cases = all_cases();
        for check in registry() {
            for expected in [Status::Pass, Status::Fail] {
                assert!(
                    cases
                        .iter()
                        .any(|case| case.check == check.id && case.expected == expected),
                    "{} has no unit-test case that expects {expected:?}",
                    check.id
                );
            }
        }
    }

    #[test]
    fn every_case_gives_its_verdict_and_every_emitted_check_is_registered() {
        for case in all_cases() {
            let results = run(&(case.inventory)());
            let matching: Vec<_> = results
                .iter()
                .filter(|r| case.region.is_none_or(|region| r.region == region))
                .cloned()
                .collect();
            let result = only(&matching, case.check, case.resource_id);
            assert_eq!(
                result.status, case.expected,
                "{}: {}",
                case.check, result.detail
            );
            for result in &results {
                let check = find(&result.check_id)
                    .unwrap_or_else(|| panic!("{} is not registered", result.check_id));
                assert!(
                    check
                        .resource_types
                        .contains(&result.resource_type.as_ref()),
                    "{} emitted a result on {}, not one of its resource types",
                    check.id,
                    result.resource_type
                );
                assert_eq!(result.severity, check.severity);
            }
        }
    }

    #[test]
    fn registry_ids_are_unique_well_formed_and_match_their_service() {
        let mut ids = std::collections::BTreeSet::new();
        for check in registry() {
            assert!(ids.insert(check.id), "duplicate {}", check.id);
            let (service, name) = check.id.split_once('.').unwrap();
            assert_eq!(service, check.service.as_str(), "{}", check.id);
            assert!(name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_'));
            assert!(check.reference.starts_with("https://docs.aws.amazon.com/"));
            assert!(!check.remediation.is_empty() && !check.rationale.is_empty());
            // One line each: a `\\` before a line break in the source leaves a backslash and
            // the indentation in every report.
            for text in [check.title, check.rationale, check.remediation] {
                assert!(
                    !text.contains(['\n', '\\']) && !text.contains("  "),
                    "{}: {text:?}",
                    check.id
                );
            }
            assert!(!check.resource_types.is_empty());
        }
    }

    /// What a check reads is what it needs granted: every read is a permission a service
    /// declares, and every permission a service declares is read by one of the checks, but
    /// the tag reads (they only place a resource in an environment).
    #[test]
    fn every_check_declares_its_reads_and_every_permission_is_read() {
        let declared: BTreeSet<&str> = Service::ALL
            .into_iter()
            .flat_map(|s| s.spec().permissions.iter().copied())
            .collect();
        let mut read = BTreeSet::new();
        for check in registry() {
            assert!(!check.reads.is_empty(), "{} declares no reads", check.id);
            for r in check.reads {
                assert!(
                    declared.contains(r.permission),
                    "{} reads {}, which no service declares",
                    check.id,
                    r.permission
                );
                read.insert(r.permission);
            }
        }
        let unread: Vec<&&str> = declared
            .difference(&read)
            .filter(|p| !p.contains("Tag"))
            .collect();
        assert!(unread.is_empty(), "permissions no check reads: {unread:?}");
    }

    #[test]
    fn an_error_hides_only_the_verdicts_that_read_its_call() {
        let check = |id| find(id).unwrap();
        let denied = error(
            "ec2",
            "eu-west-1",
            "GetSnapshotBlockPublicAccessState",
            None,
        );
        assert!(check("ec2.ebs_snapshot_public").hidden_by(&denied, "eu-west-1", None));
        // Not in another region, not for a check that never reads it.
        assert!(!check("ec2.ebs_snapshot_public").hidden_by(&denied, "us-east-1", None));
        assert!(!check("ec2.ebs_encrypted").hidden_by(&denied, "eu-west-1", None));
        assert!(!check("sg.high_risk_ports").hidden_by(&denied, "eu-west-1", None));

        // A call about one bucket hides that bucket's verdict; the account's block every one.
        let policy = error("s3", "us-east-1", "GetBucketPolicy", Some("logs"));
        let public = check("s3.policy_public");
        assert!(public.hidden_by(&policy, "us-east-1", Some(("logs", None))));
        assert!(public.hidden_by(&policy, "us-east-1", None));
        assert!(!public.hidden_by(&policy, "us-east-1", Some(("web", None))));
        assert!(!check("s3.versioning").hidden_by(&policy, "us-east-1", Some(("logs", None))));
        let account = error("s3control", "us-east-1", "GetPublicAccessBlock", None);
        assert!(public.hidden_by(&account, "eu-west-1", Some(("web", None))));
        assert!(!check("s3.default_encryption").hidden_by(&account, "us-east-1", None));

        // A policy attached to a role is not the role: its failure hides every principal.
        let document = error(
            "iam",
            "global",
            "GetPolicyVersion",
            Some("arn:aws:iam::aws:policy/ReadOnlyAccess"),
        );
        assert!(check("iam.admin_access").hidden_by(&document, "global", Some(("ops", None))));
        assert!(!check("iam.password_policy").hidden_by(&document, "global", None));

        // An account-wide verdict rests on every region's reads.
        let status = error("cloudtrail", "eu-west-1", "GetTrailStatus", Some("main"));
        let trails = check("cloudtrail.multi_region_enabled");
        assert!(trails.hidden_by(&status, "global", Some(("123456789012", None))));
        assert!(!check("cloudtrail.kms_encrypted").hidden_by(&status, "eu-west-1", None));

        // No API call: a deadline cut hides the service's verdicts in its region; STS all.
        let cut = error("sg", "eu-west-1", "Collect", None);
        assert!(check("sg.all_ports_open").hidden_by(&cut, "eu-west-1", None));
        assert!(!check("ec2.ebs_encrypted").hidden_by(&cut, "eu-west-1", None));
        let sts = error("sts", "us-east-1", "GetCallerIdentity", None);
        assert!(check("kms.cmk_rotation").hidden_by(&sts, "eu-west-1", None));
        // Secaudit's own state hides nothing.
        let baseline = error("s3", "us-east-1", "ReadBaseline", Some("bucket/key"));
        assert!(!public.hidden_by(&baseline, "us-east-1", None));
    }

    /// Severities are a contract (alerts, `--fail-on` and scores depend on them). The
    /// committed reference is where they are written down; the CLI tests keep it generated, so
    /// a severity changes only where a reviewer sees docs/checks.md change with it.
    #[test]
    fn severities_match_the_committed_check_reference() {
        let reference = include_str!("../../docs/checks.md");
        let committed: Vec<(&str, &str)> = reference
            .lines()
            .filter_map(|line| {
                let cells: Vec<&str> = line.split('|').map(str::trim).collect();
                let id = cells.get(1)?.strip_prefix('`')?.strip_suffix('`')?;
                Some((id, *cells.get(2)?))
            })
            .collect();
        let registered: Vec<(&str, String)> =
            registry().map(|c| (c.id, c.severity.to_string())).collect();
        let registered: Vec<(&str, &str)> =
            registered.iter().map(|(id, s)| (*id, s.as_str())).collect();
        assert_eq!(registered, committed);
    }
}
