//! The frameworks, as data shipped with the binary (`data/compliance/*.toml`: every
//! requirement, its title and the source and date it was taken from), and which checks map to
//! each requirement.

use std::sync::OnceLock;

use serde::Deserialize;

use crate::services::checks::FSBP_HIGH_RISK_PORTS;
use crate::services::checks::{registry, Check};
use crate::services::sg::fact_admits;

/// One framework's requirements, as published.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Framework {
    #[serde(rename = "framework")]
    pub about: About,
    #[serde(rename = "requirement")]
    pub requirements: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct About {
    /// `cis-aws-3.0`, `fsbp`: what `--framework` takes.
    pub id: String,
    pub name: String,
    pub version: String,
    pub source: String,
    pub as_of: String,
    /// How many requirements the source lists (a test counts the entries against it).
    #[serde(rename = "requirements")]
    pub count: usize,
    /// CIS: how many are automated.
    #[serde(default)]
    pub automated: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Requirement {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub section: Option<String>,
    /// CIS: `automated` or `manual`.
    #[serde(default)]
    pub assessment: Option<String>,
    /// FSBP: the control's severity.
    #[serde(default)]
    pub severity: Option<String>,
    /// FSBP: the AWS Config resource type it evaluates.
    #[serde(default)]
    pub resource_type: Option<String>,
    /// CIS v7.0: the v3.0.0 recommendation whose audit this one repeats unchanged; the checks
    /// mapped there, and their facts, decide it.
    #[serde(default)]
    pub same_audit_as: Option<String>,
    /// Checks (by id) that decide a requirement whose audit is new or changed since the
    /// version the checks declare; a test keeps every id registered.
    #[serde(default)]
    pub checks: Vec<String>,
    /// Why no check maps to an automated requirement yet (shown in the views).
    #[serde(default)]
    pub not_covered_because: Option<String>,
    /// What the mapped checks leave out, where they judge only part of the requirement: a
    /// failure of that part fails it, but nothing passes it (the views show `not_evaluated`
    /// with this reason), and the catalog and coverage tables mark the mapping partial.
    #[serde(default)]
    pub partial_because: Option<String>,
}

impl Requirement {
    pub fn is_automated(&self) -> bool {
        self.assessment.as_deref() == Some("automated")
    }

    /// Whether `check`'s result about a `resource_type` is in the requirement's scope. An FSBP
    /// control evaluates the resource types its Config rule names: a check that judges several
    /// (DB instances and clusters) serves each control with the results of its type (RDS.3
    /// instances, RDS.27 clusters). A check none of whose types the control names (an
    /// account-level control) is judged whole.
    pub fn judges(&self, check: &Check, resource_type: &str) -> bool {
        let Some(types) = self.resource_type.as_deref() else {
            return true;
        };
        let named = || types.split(',').map(str::trim);
        let check_types_named = check
            .resource_types
            .iter()
            .any(|t| named().any(|n| n == *t));
        !check_types_named || named().any(|n| n == resource_type)
    }
}

const SOURCES: &[&str] = &[
    include_str!("../../data/compliance/cis-aws-3.0.toml"),
    include_str!("../../data/compliance/cis-aws-7.0.toml"),
    include_str!("../../data/compliance/fsbp.toml"),
];

/// Every framework shipped, parsed once. The files are part of the build and a test parses
/// them, so a bad file cannot ship.
pub fn all() -> &'static [Framework] {
    static FRAMEWORKS: OnceLock<Vec<Framework>> = OnceLock::new();
    FRAMEWORKS.get_or_init(|| {
        SOURCES
            .iter()
            .map(|text| toml::from_str(text).expect("shipped framework data parses (tested)"))
            .collect()
    })
}

/// The AWS Config rule behind a Security Hub control, with the parameters Security Hub sets
/// (`data/compliance/security-hub-rules.toml`): what a check mapped to the control implements.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
pub struct ControlRule {
    pub id: String,
    pub config_rule: String,
    pub parameters: String,
}

/// The Config rule of Security Hub control `id`, if a check maps to it.
pub fn control_rule(id: &str) -> Option<&'static ControlRule> {
    #[derive(Deserialize)]
    struct Rules {
        control: Vec<ControlRule>,
    }
    static RULES: OnceLock<Vec<ControlRule>> = OnceLock::new();
    RULES
        .get_or_init(|| {
            let text = include_str!("../../data/compliance/security-hub-rules.toml");
            toml::from_str::<Rules>(text)
                .expect("shipped control rules parse (tested)")
                .control
        })
        .iter()
        .find(|rule| rule.id == id)
}

/// The framework `id` names; the error lists the known ones.
pub fn find(id: &str) -> Result<&'static Framework, String> {
    all().iter().find(|f| f.about.id == id).ok_or_else(|| {
        let known: Vec<&str> = all().iter().map(|f| f.about.id.as_str()).collect();
        format!(
            "unknown framework '{id}': expected one of {}",
            known.join(", ")
        )
    })
}

/// The checks that map to `requirement` of `framework`: for FSBP and CIS v3.0 the ids their
/// declarations claim (`fsbp`, `cis`); for a later CIS version, the data's `same_audit_as`
/// (the v3.0 recommendation's checks) and `checks`.
pub fn mapped_checks(framework: &Framework, requirement: &str) -> Vec<&'static Check> {
    let data = framework.requirements.iter().find(|r| r.id == requirement);
    registry()
        .filter(|check| match framework.about.id.as_str() {
            "fsbp" => check.fsbp.contains(&requirement),
            "cis-aws-3.0" => check.cis.contains(&requirement),
            _ => data.is_some_and(|r| {
                r.checks.iter().any(|id| id == check.id)
                    || r.same_audit_as
                        .as_deref()
                        .is_some_and(|v3| check.cis.contains(&v3))
            }),
        })
        .collect()
}

/// What the checks mapped to `requirement` leave out of it: its own note, or that of the CIS
/// v3.0.0 recommendation whose audit it repeats.
pub fn partial_because(requirement: &Requirement) -> Option<&str> {
    requirement.partial_because.as_deref().or_else(|| {
        let v3 = requirement.same_audit_as.as_deref()?;
        find("cis-aws-3.0")
            .ok()?
            .requirements
            .iter()
            .find(|r| r.id == v3)?
            .partial_because
            .as_deref()
    })
}

/// A requirement a check maps to only in part: which framework, which requirement, and what the
/// check leaves out.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PartialMapping {
    pub framework: &'static str,
    pub requirement: &'static str,
    pub because: &'static str,
}

/// The requirements, of every shipped framework, that `check` maps to only in part.
pub fn partial_mappings(check: &Check) -> Vec<PartialMapping> {
    all()
        .iter()
        .flat_map(|framework| {
            framework
                .requirements
                .iter()
                .filter_map(move |requirement| {
                    let because = partial_because(requirement)?;
                    mapped_checks(framework, &requirement.id)
                        .iter()
                        .any(|mapped| mapped.id == check.id)
                        .then_some(PartialMapping {
                            framework: &framework.about.id,
                            requirement: &requirement.id,
                            because,
                        })
                })
        })
        .collect()
}

/// The CIS v3.0.0 recommendation whose audit `requirement` of `framework` repeats.
fn same_audit(framework: &str, requirement: &str) -> Option<&'static str> {
    find(framework)
        .ok()?
        .requirements
        .iter()
        .find(|r| r.id == requirement)?
        .same_audit_as
        .as_deref()
}

/// Whether a result is about a resource the requirement judges at all, where the requirement's
/// scope is narrower than its check's (a result outside it is neither a pass nor a fail of it):
/// - FSBP EC2.3's rule `encrypted-volumes` judges attached volumes only;
/// - FSBP RDS.1, DocumentDB.3 and Neptune.3 judge the manual snapshots of their engines, which
///   `rds.snapshot_public` judges together.
///
/// A result without the facts (a report from before them) is in scope where the check alone
/// decided before, and out of an engine's scope, which it cannot show.
pub fn in_scope(framework: &str, requirement: &str, facts: &[String]) -> bool {
    if let Some(v3) = same_audit(framework, requirement) {
        return in_scope("cis-aws-3.0", v3, facts);
    }
    let has = |fact: &str| facts.iter().any(|f| f == fact);
    match (framework, requirement) {
        ("fsbp", "EC2.3") => !has("unattached"),
        ("fsbp", "RDS.1") => !has("engine docdb") && !has("engine neptune"),
        ("fsbp", "DocumentDB.3") => has("engine docdb"),
        ("fsbp", "Neptune.3") => has("engine neptune"),
        _ => true,
    }
}

/// Where a requirement judges otherwise than the check mapped to it, the facts of a result
/// decide whether it fails the requirement, whatever the check's own verdict:
/// - CIS 5.2 names `0.0.0.0/0` and 5.3 `::/0`, both on the remote administration ports 22 and
///   3389 (CIS AWS Foundations v3.0.0); FSBP EC2.19 TCP on AWS's 24 high-risk ports, from
///   `0.0.0.0/0` or `::/0`, whatever list the check ran with;
/// - FSBP EC2.3's rule `encrypted-volumes` judges attached volumes only;
/// - CIS 1.8 asks for a minimum length of 14, 1.9 for 24 remembered passwords, FSBP IAM.7
///   (`iam-password-policy`) for a length of 8 and upper- and lowercase letters, numbers and
///   symbols;
/// - FSBP IAM.6 (`root-account-hardware-mfa-enabled`) and CIS 1.6 ask for a hardware root MFA
///   device, where the check passes a virtual one;
/// - FSBP EC2.8 (`ec2-imdsv2-check`) and CIS 5.6 judge HttpTokens alone, where the check also
///   passes an instance whose metadata endpoint is disabled;
/// - FSBP S3.2 (`s3-bucket-public-read-prohibited`) judges public reads and S3.3
///   (`s3-bucket-public-write-prohibited`) public writes, which the policy and ACL checks
///   judge together (facts on failing results);
/// - FSBP Config.1 also asks that the recorder use AWS Config's service-linked role, and CIS
///   3.3's audit that its last status be `SUCCESS` (both facts only on passing results);
/// - FSBP IAM.3 (`access-keys-rotated`, maxAccessKeyAge 90) and CIS 1.14 ask for active keys
///   at most 90 days old, whatever limit the check ran with;
/// - FSBP IAM.8 (`iam-user-unused-credentials-check`, `maxCredentialUsageAge` 90) and CIS 1.12
///   (45 days) judge the same credentials at different ages;
/// - CIS v7.0.0 6.1.2 asks about TCP or UDP 445 from `0.0.0.0/0` or `::/0`; its 2.5 passes a
///   root user with MFA or without a password.
///
/// A CIS v7.0 requirement with the audit of a v3.0 one is decided as that one.
pub fn fails_requirement(framework: &str, requirement: &str, facts: &[String]) -> Option<bool> {
    // A result without facts (a report from before them) fails as the check said.
    if facts.is_empty() {
        return None;
    }
    if let Some(v3) = same_audit(framework, requirement) {
        return fails_requirement("cis-aws-3.0", v3, facts);
    }
    let has = |fact: &str| facts.iter().any(|f| f == fact);
    let number = |prefix: &str| {
        facts
            .iter()
            .find_map(|f| f.strip_prefix(prefix).and_then(|n| n.parse::<u32>().ok()))
    };
    // A `<what> N days` fact in whole days, counted down (`unused 45 days` is 45 to 46 days).
    let days_over = |what: &str, too_long: &dyn Fn(u32) -> bool| {
        facts.iter().any(|f| {
            (f.strip_prefix(what)
                .and_then(|rest| rest.strip_suffix(" days")))
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(too_long)
        })
    };
    let password = |judge: &dyn Fn() -> bool| has("no password policy") || judge();
    // CIS 5.2/5.3 name TCP and UDP alike; EC2.19's rule (`restricted-common-ports`) judges TCP.
    let admits = |ipv6: &[bool], ports: &[u16], udp_counts: bool| {
        facts.iter().any(|fact| {
            (udp_counts || !fact.contains(" udp "))
                && ipv6
                    .iter()
                    .any(|v6| ports.iter().any(|port| fact_admits(fact, *v6, *port)))
        })
    };
    match (framework, requirement) {
        ("fsbp", "EC2.19") => Some(admits(&[false, true], &FSBP_HIGH_RISK_PORTS, false)),
        ("cis-aws-3.0", "5.2") => Some(admits(&[false], &[22, 3389], true)),
        ("cis-aws-3.0", "5.3") => Some(admits(&[true], &[22, 3389], true)),
        // CIS 5.1: network ACL entries from `0.0.0.0/0` on 22 or 3389, any protocol.
        ("cis-aws-3.0", "5.1") => Some(admits(&[false], &[22, 3389], true)),
        // CIS v7.0.0 6.1.2 names CIFS (445) from either internet, whatever the protocol.
        ("cis-aws-7.0", "6.1.2") => Some(admits(&[false, true], &[445], true)),
        // CIS v7.0.0 2.5 also passes a root user without a password (centralized root access).
        ("cis-aws-7.0", "2.5") if has("no root mfa") => Some(!has("root password absent")),
        ("cis-aws-7.0", "2.5") => Some(false),
        ("fsbp", "EC2.3") if has("attached") || has("unattached") => {
            Some(has("attached") && has("unencrypted"))
        }
        ("cis-aws-3.0", "1.8") => Some(password(&|| {
            number("minimum length ").is_some_and(|n| n < 14)
        })),
        ("cis-aws-3.0", "1.9") => Some(password(&|| {
            number("reuse prevention ").is_some_and(|n| n < 24)
        })),
        ("fsbp", "IAM.7") => Some(password(&|| {
            number("minimum length ").is_some_and(|n| n < 8)
                || ["uppercase", "lowercase", "numbers", "symbols"]
                    .iter()
                    .any(|class| !has(&format!("requires {class}")))
        })),
        ("fsbp", "IAM.6") | ("cis-aws-3.0", "1.6") => {
            (has("no root mfa") || has("root mfa virtual") || has("root mfa hardware"))
                .then(|| !has("root mfa hardware"))
        }
        // IAM.8's rule: not used within the last 90 days; CIS 1.12: unused "45 days or
        // greater".
        ("fsbp", "EC2.8") | ("cis-aws-3.0", "5.6") => Some(!has("http tokens required")),
        ("fsbp", "Config.1") => Some(has("recorder role not service-linked")),
        ("fsbp", "S3.2") => Some(has("public read")),
        ("fsbp", "S3.3") => Some(has("public write")),
        ("cis-aws-3.0", "3.3") => Some(facts.iter().any(|f| f.starts_with("last status "))),
        // EC2.13's rule `restricted-ssh` and EC2.14's `restricted-common-ports` (3389), TCP.
        ("fsbp", "EC2.13") => Some(admits(&[false, true], &[22], false)),
        ("fsbp", "EC2.14") => Some(admits(&[false, true], &[3389], false)),
        ("fsbp", "IAM.8") => Some(days_over("unused ", &|days| days > 90)),
        ("fsbp", "IAM.3") | ("cis-aws-3.0", "1.14") => Some(
            has("active key without creation date")
                || days_over("oldest active key ", &|days| days > 90),
        ),
        ("cis-aws-3.0", "1.12") => Some(days_over("unused ", &|days| days >= 45)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// CIS v7.0.0 reuses v3.0.0's audits where they did not change: each `same_audit_as` names a
    /// v3.0.0 recommendation, each `checks` entry a registered check, and a repeated audit is
    /// decided by the v3.0.0 recommendation's checks and facts.
    #[test]
    fn cis_v7_maps_through_the_v3_audits_it_repeats_and_its_own_checks() {
        let v3 = find("cis-aws-3.0").unwrap();
        let v7 = find("cis-aws-7.0").unwrap();
        for requirement in &v7.requirements {
            if let Some(same) = &requirement.same_audit_as {
                assert!(
                    v3.requirements.iter().any(|r| &r.id == same),
                    "{}: no v3.0 {same}",
                    requirement.id
                );
            }
            for id in &requirement.checks {
                assert!(
                    registry().any(|c| c.id == id),
                    "{}: {id} is no check",
                    requirement.id
                );
            }
        }
        let ids = |framework, requirement| -> Vec<&str> {
            mapped_checks(framework, requirement)
                .iter()
                .map(|c| c.id)
                .collect()
        };
        assert_eq!(ids(v7, "2.4"), ids(v3, "1.4"));
        assert_eq!(ids(v7, "6.3"), ids(v3, "5.2"));
        assert_eq!(
            ids(v7, "3.2.3"),
            ["rds.public_access", "rds.not_in_public_subnet"]
        );
        // Renumbered, the facts decide as before: 6.3 is 5.2 (IPv4 on 22 and 3389).
        let ssh_v6 = ["::/0 tcp 22".to_string()];
        assert_eq!(
            fails_requirement("cis-aws-7.0", "6.3", &ssh_v6),
            fails_requirement("cis-aws-3.0", "5.2", &ssh_v6),
        );
        // 6.1.2: CIFS from either internet, any protocol.
        for (fact, fails) in [
            ("::/0 udp 445", true),
            ("0.0.0.0/0 tcp 440-450", true),
            ("0.0.0.0/0 tcp 22", false),
        ] {
            assert_eq!(
                fails_requirement("cis-aws-7.0", "6.1.2", &[fact.to_string()]),
                Some(fails),
                "{fact}"
            );
        }
        // 2.5 passes a root user without MFA once it has no password either.
        let facts = |list: &[&str]| list.iter().map(|f| f.to_string()).collect::<Vec<_>>();
        assert_eq!(
            fails_requirement("cis-aws-7.0", "2.5", &facts(&["no root mfa"])),
            Some(true)
        );
        assert_eq!(
            fails_requirement(
                "cis-aws-7.0",
                "2.5",
                &facts(&["no root mfa", "root password absent"])
            ),
            Some(false)
        );
    }

    /// The deployment's `Compliance` parameter admits every shipped framework.
    #[test]
    fn the_template_admits_every_framework() {
        let template = include_str!("../../infra/template.yaml");
        let pattern = template
            .split("  Compliance:")
            .nth(1)
            .and_then(|rest| {
                rest.lines()
                    .find(|l| l.trim_start().starts_with("AllowedPattern"))
            })
            .expect("the template has a Compliance parameter with a pattern");
        for framework in all() {
            let escaped = framework.about.id.replace('.', "\\\\.");
            assert!(
                pattern.contains(&escaped),
                "{}: {pattern}",
                framework.about.id
            );
        }
    }
}
