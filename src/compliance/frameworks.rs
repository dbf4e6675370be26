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
}

impl Requirement {
    pub fn is_automated(&self) -> bool {
        self.assessment.as_deref() == Some("automated")
    }
}

const SOURCES: &[&str] = &[
    include_str!("../../data/compliance/cis-aws-3.0.toml"),
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

/// The checks that map to `requirement` of `framework` (their `cis` or `fsbp` ids).
pub fn mapped_checks(framework: &Framework, requirement: &str) -> Vec<&'static Check> {
    registry()
        .filter(|check| {
            let ids = match framework.about.id.as_str() {
                "fsbp" => check.fsbp,
                _ => check.cis,
            };
            ids.contains(&requirement)
        })
        .collect()
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
/// - FSBP IAM.8 (`iam-user-unused-credentials-check`, `maxCredentialUsageAge` 90) and CIS 1.12
///   (45 days) judge the same credentials at different ages.
pub fn fails_requirement(framework: &str, requirement: &str, facts: &[String]) -> Option<bool> {
    // A result without facts (a report from before them) fails as the check said.
    if facts.is_empty() {
        return None;
    }
    let has = |fact: &str| facts.iter().any(|f| f == fact);
    let number = |prefix: &str| {
        facts
            .iter()
            .find_map(|f| f.strip_prefix(prefix).and_then(|n| n.parse::<u32>().ok()))
    };
    let unused_over = |days: u32| {
        facts.iter().any(|f| {
            (f.strip_prefix("unused ")
                .and_then(|rest| rest.strip_suffix(" days")))
            .and_then(|n| n.parse::<u32>().ok())
            .is_some_and(|n| n > days)
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
        ("fsbp", "IAM.8") => Some(unused_over(90)),
        ("cis-aws-3.0", "1.12") => Some(unused_over(45)),
        _ => None,
    }
}
