//! The frameworks, as data shipped with the binary (`data/compliance/*.toml`: every
//! requirement, its title and the source and date it was taken from), and which checks map to
//! each requirement.

use std::sync::OnceLock;

use serde::Deserialize;

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

/// Where a requirement names less than the checks mapped to it judge, the facts of a failed
/// result decide whether it fails the requirement: CIS 5.2 names `0.0.0.0/0` and 5.3 `::/0`,
/// both on the remote administration ports 22 and 3389 (CIS AWS Foundations v3.0.0).
pub fn fails_requirement(framework: &str, requirement: &str, facts: &[String]) -> Option<bool> {
    // A result without facts (a report from before them) fails as the check said.
    if facts.is_empty() {
        return None;
    }
    let admits = |ipv6: &[bool], ports: &[u16]| {
        facts.iter().any(|fact| {
            ipv6.iter()
                .any(|v6| ports.iter().any(|port| fact_admits(fact, *v6, *port)))
        })
    };
    match (framework, requirement) {
        ("cis-aws-3.0", "5.2") => Some(admits(&[false], &[22, 3389])),
        ("cis-aws-3.0", "5.3") => Some(admits(&[true], &[22, 3389])),
        _ => None,
    }
}
