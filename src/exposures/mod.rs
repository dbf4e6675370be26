//! Exposures: failed results that add up to a way in. An exposure joins results the checks
//! already gave with the inventory they were judged on (which instance has which group and
//! role): a resource reachable from the internet, what makes the first step easy, and what its
//! credentials reach; or data anyone can read. Every step is a failed result of this run, so
//! each can be opened, fixed or muted on its own. No extra API call: the relations come from
//! listings the checks already read.
//!
//! [`find`] runs after the checks, on the scan's inventory; [`annotate`] marks accepted steps
//! once the mutelist has been applied; [`compare`] says which exposures are new since a
//! baseline and which are gone.

mod chains;

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::model::{CheckResult, Mute, Severity};
use crate::services::{Inventory, Service};

/// One way in, as a chain of failed results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exposure {
    /// Stable across runs while the way in is the same: derived from the result ids of its
    /// defining steps (entry, and what it reaches or exposes; not the easing ones).
    pub id: String,
    pub kind: ExposureKind,
    /// Critical when the chain reaches administrator rights or public data, else high.
    pub severity: Severity,
    /// The chain in one sentence.
    pub title: String,
    /// In attack order: the way in first.
    pub steps: Vec<ExposureStep>,
    /// What breaks the chain most cheaply.
    pub fix: String,
    /// A step's finding is muted by a rule that says `exposures = true`: the rule. Hidden
    /// exposures are kept in the report, but left out of the table, the alert and the count.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Mute>,
}

impl Exposure {
    pub fn is_open(&self) -> bool {
        self.muted.is_none()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExposureKind {
    /// An EC2 instance with a public address and a group open to the internet.
    ReachableInstance,
    /// An ECS service whose tasks get a public address behind a group open to the internet.
    ReachableService,
    /// A Lambda function anyone can invoke, running under a privileged role.
    PublicFunction,
    /// A publicly accessible RDS database whose port is open to the internet.
    ReachableDatabase,
    /// A publicly accessible Redshift cluster whose port is open to the internet.
    ReachableWarehouse,
    /// An OpenSearch domain outside a VPC without fine-grained access control.
    PublicSearchDomain,
    /// An EKS API server open to the internet on an unsupported Kubernetes version.
    PublicKubernetesApi,
    /// A bucket public by policy or ACL, with no public access block in force.
    PublicBucket,
    /// A public EBS or RDS snapshot.
    PublicSnapshot,
    /// A public AMI.
    PublicImage,
}

/// What a step contributes to the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepRole {
    /// The way in from the internet.
    Entry,
    /// What makes the way in easier to use (IMDSv1, a high-risk port, no encryption).
    Ease,
    /// What the credentials behind it can do.
    Reach,
    /// Data anyone can read.
    Data,
}

impl StepRole {
    pub fn as_str(self) -> &'static str {
        match self {
            StepRole::Entry => "entry",
            StepRole::Ease => "ease",
            StepRole::Reach => "reach",
            StepRole::Data => "data",
        }
    }
}

impl ExposureKind {
    pub const ALL: [ExposureKind; 10] = [
        ExposureKind::ReachableInstance,
        ExposureKind::ReachableService,
        ExposureKind::PublicFunction,
        ExposureKind::ReachableDatabase,
        ExposureKind::ReachableWarehouse,
        ExposureKind::PublicSearchDomain,
        ExposureKind::PublicKubernetesApi,
        ExposureKind::PublicBucket,
        ExposureKind::PublicSnapshot,
        ExposureKind::PublicImage,
    ];

    /// The services whose reads join the chain: without one of them the chain cannot be
    /// found, so its absence says nothing.
    pub fn joins(self) -> &'static [Service] {
        match self {
            ExposureKind::ReachableInstance => &[Service::Ec2, Service::Sg, Service::Iam],
            ExposureKind::ReachableService => &[Service::Ecs, Service::Sg, Service::Iam],
            ExposureKind::PublicFunction => &[Service::Lambda, Service::Iam],
            ExposureKind::ReachableDatabase => &[Service::Rds, Service::Sg],
            ExposureKind::ReachableWarehouse => &[Service::Redshift],
            ExposureKind::PublicSearchDomain => &[Service::Opensearch],
            ExposureKind::PublicKubernetesApi => &[Service::Eks],
            ExposureKind::PublicBucket => &[Service::S3],
            // A snapshot of a reachable instance's disk joins EC2 and groups too.
            ExposureKind::PublicSnapshot => &[Service::Ec2, Service::Sg, Service::Rds],
            ExposureKind::PublicImage => &[Service::Ec2],
        }
    }

    /// The checks whose reads this kind's chains rest on: those whose results can be its steps,
    /// and those reading what joins them (an instance's volumes, for a snapshot of its disk).
    /// While one of their calls failed, a chain that is gone may only be unread, not fixed.
    pub fn rests_on(self) -> &'static [&'static str] {
        match self {
            ExposureKind::ReachableInstance => &[
                "ec2.no_public_ip",
                "ec2.imdsv2_required",
                "sg.high_risk_ports",
                "sg.all_ports_open",
                "iam.admin_access",
                "iam.wildcard_actions",
                "iam.wildcard_resources",
            ],
            ExposureKind::ReachableService => &[
                "ecs.no_public_ip",
                "sg.high_risk_ports",
                "sg.all_ports_open",
                "iam.admin_access",
                "iam.wildcard_actions",
                "iam.wildcard_resources",
            ],
            ExposureKind::PublicFunction => &[
                "lambda.policy_public",
                "lambda.url_public",
                "iam.admin_access",
                "iam.wildcard_actions",
                "iam.wildcard_resources",
            ],
            ExposureKind::ReachableDatabase => &[
                "rds.public_access",
                "rds.storage_encrypted",
                "sg.high_risk_ports",
                "sg.all_ports_open",
            ],
            ExposureKind::ReachableWarehouse => &["redshift.not_public", "redshift.port_not_open"],
            ExposureKind::PublicSearchDomain => {
                &["opensearch.not_public", "opensearch.fine_grained_access"]
            }
            ExposureKind::PublicKubernetesApi => {
                &["eks.endpoint_not_public", "eks.supported_version"]
            }
            ExposureKind::PublicBucket => &["s3.policy_public", "s3.acl_public"],
            ExposureKind::PublicSnapshot => &[
                "ec2.ebs_snapshot_public",
                "ec2.ebs_encrypted",
                "ec2.no_public_ip",
                "sg.high_risk_ports",
                "sg.all_ports_open",
                "rds.snapshot_public",
                "rds.snapshot_encrypted",
            ],
            ExposureKind::PublicImage => &["ec2.ami_public"],
        }
    }

    /// [`Self::rests_on`], as the registered checks.
    pub fn step_checks(self) -> impl Iterator<Item = &'static crate::services::checks::Check> {
        self.rests_on()
            .iter()
            .filter_map(|id| crate::services::checks::find(id))
    }

    /// Whether these steps still make an exposure of this kind: a reachable instance or
    /// service needs something beyond the way in; a search domain or Kubernetes API its
    /// easing step; the rest stand on their entry or data.
    fn stands(self, steps: &[ExposureStep]) -> bool {
        match self {
            ExposureKind::ReachableInstance | ExposureKind::ReachableService => steps.len() > 1,
            ExposureKind::PublicSearchDomain | ExposureKind::PublicKubernetesApi => {
                steps.iter().any(|s| s.role == StepRole::Ease)
            }
            _ => !steps.is_empty(),
        }
    }
}

/// One failed result in a chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExposureStep {
    pub result_id: String,
    pub check_id: String,
    pub resource_type: String,
    pub resource_id: String,
    pub region: String,
    pub role: StepRole,
    /// What this finding adds to the chain, in one sentence.
    pub contributes: String,
    /// The step's finding is an accepted risk: its rule (the exposure stays unless the rule
    /// says `exposures = true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub muted: Option<Mute>,
}

/// The failed results of a run, looked up by check and resource.
pub(crate) struct Failed<'a> {
    by_resource: HashMap<(&'a str, &'a str, &'a str, &'a str), &'a CheckResult>,
}

impl<'a> Failed<'a> {
    fn new(results: &'a [CheckResult]) -> Self {
        let by_resource = results
            .iter()
            .filter(|r| r.is_failed())
            .map(|r| {
                let key = (
                    r.check_id.as_ref(),
                    r.region.as_str(),
                    r.resource_type.as_ref(),
                    r.resource_id.as_str(),
                );
                (key, r)
            })
            .collect();
        Failed { by_resource }
    }

    /// The step `check` gives on the resource, when that result failed.
    pub(crate) fn step(
        &self,
        check: &str,
        (resource_type, region, id): (&str, &str, &str),
        role: StepRole,
        contributes: impl FnOnce(&CheckResult) -> String,
    ) -> Option<ExposureStep> {
        let result = self.by_resource.get(&(check, region, resource_type, id))?;
        Some(ExposureStep {
            result_id: result.id.clone(),
            check_id: result.check_id.to_string(),
            resource_type: resource_type.to_string(),
            resource_id: id.to_string(),
            region: region.to_string(),
            role,
            contributes: contributes(result),
            muted: None,
        })
    }
}

/// Every exposure the results and the inventory show, most severe first.
pub fn find(inventory: &Inventory, results: &[CheckResult]) -> Vec<Exposure> {
    let failed = Failed::new(results);
    let mut exposures = chains::all(inventory, &failed);
    // Worst first; within a severity, ways into compute (and what its role reaches) before
    // public data, in the kinds' order.
    exposures.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then(a.kind.cmp(&b.kind))
            .then_with(|| a.id.cmp(&b.id))
    });
    exposures.dedup_by(|a, b| a.id == b.id);
    exposures
}

/// An exposure from its steps: the id from the defining steps, the severity from what the
/// chain ends in.
pub(crate) fn exposure(
    kind: ExposureKind,
    steps: Vec<ExposureStep>,
    administrator: bool,
    title: String,
    fix: String,
) -> Exposure {
    let public_data = steps.iter().any(|s| s.role == StepRole::Data);
    // The resources, not the results: a bucket public by policy and by ACL is one way in
    // whichever of the two is fixed first. A result id is check/account/region/type/resource.
    let mut defining: Vec<&str> = steps
        .iter()
        .filter(|s| s.role != StepRole::Ease)
        .map(|s| {
            s.result_id
                .split_once('/')
                .map_or(s.result_id.as_str(), |(_, r)| r)
        })
        .collect();
    defining.sort_unstable();
    defining.dedup();
    let key = format!("{kind:?}\n{}", defining.join("\n"));
    Exposure {
        id: format!("exposure/{:016x}", fnv1a(&key)),
        kind,
        severity: if administrator || public_data {
            Severity::Critical
        } else {
            Severity::High
        },
        title,
        steps,
        fix,
        muted: None,
    }
}

/// FNV-1a, 64 bits: stable across builds and platforms, unlike the standard library's hasher.
fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Marks each step whose finding the mutelist accepted, and hides an exposure when a step's
/// rule says `exposures = true`.
pub fn annotate(exposures: &mut [Exposure], results: &[CheckResult]) {
    let mutes: HashMap<&str, &Mute> = results
        .iter()
        .filter_map(|r| r.muted.as_ref().map(|m| (r.id.as_str(), &**m)))
        .collect();
    for exposure in exposures {
        for step in &mut exposure.steps {
            step.muted = mutes.get(step.result_id.as_str()).map(|m| (*m).clone());
        }
        exposure.muted = exposure
            .steps
            .iter()
            .filter_map(|s| s.muted.as_ref())
            .find(|m| m.exposures)
            .cloned();
    }
}

/// Exposures that came and went since a baseline, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExposureChanges {
    pub new: Vec<String>,
    /// In the baseline, not now, and every step of it evaluated now: the chain is broken.
    pub resolved: Vec<String>,
    /// In the baseline, not now, but a step was not evaluated (an error, a narrower scope):
    /// neither resolved nor still there.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unverified: Vec<String>,
}

/// `could_find(exposure)`: whether this run read everything the exposure was found from (its
/// steps' results and the services its kind joins), so that its absence means it is gone.
pub fn compare(
    baseline: &[Exposure],
    now: &[Exposure],
    could_find: impl Fn(&Exposure) -> bool,
) -> ExposureChanges {
    let known = |list: &[Exposure], id: &str| list.iter().any(|e| e.id == id);
    let mut changes = ExposureChanges {
        new: now
            .iter()
            .filter(|e| !known(baseline, &e.id))
            .map(|e| e.id.clone())
            .collect(),
        ..Default::default()
    };
    for gone in baseline.iter().filter(|e| !known(now, &e.id)) {
        if could_find(gone) {
            changes.resolved.push(gone.id.clone());
        } else {
            changes.unverified.push(gone.id.clone());
        }
    }
    changes
}

/// The exposures that still stand after a re-check: an easing step that passes now is dropped;
/// an exposure is broken when a defining step passes, or what is left no longer makes one. A
/// re-check reads only the resources an event touched, too little to find new chains; the
/// next full run does.
pub fn still_standing(exposures: Vec<Exposure>, results: &[CheckResult]) -> Vec<Exposure> {
    let failing: HashMap<&str, &CheckResult> = results
        .iter()
        .filter(|r| r.is_failed())
        .map(|r| (r.id.as_str(), r))
        .collect();
    let fails = |step: &ExposureStep| failing.contains_key(step.result_id.as_str());
    let mut kept: Vec<Exposure> = exposures
        .into_iter()
        .filter(|e| {
            e.steps
                .iter()
                .filter(|s| s.role != StepRole::Ease)
                .all(fails)
        })
        .filter_map(|mut e| {
            e.steps.retain(fails);
            e.kind.stands(&e.steps).then_some(e)
        })
        .collect();
    annotate(&mut kept, results);
    kept
}

#[cfg(test)]
mod tests;
