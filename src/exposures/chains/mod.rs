//! The chains, one function per way in. Each starts from a failed entry result and adds only
//! failed results; a resource that lacks a link (no public address, no group open to the
//! internet, a role without privilege) is no exposure.

mod compute;
mod data;
mod stores;

use std::collections::{BTreeSet, HashMap};

use super::{Exposure, ExposureStep, Failed, StepRole};
use crate::model::CheckResult;
use crate::services::checks::enumerate;
use crate::services::iam::{
    escalations, privilege, Escalations, Principal, PrincipalKind, Privilege,
};
use crate::services::sg::{ipv4_world_ingress, open_to_ipv4_world_on, SecurityGroup};
use crate::services::Inventory;

pub(super) fn all(inventory: &Inventory, failed: &Failed) -> Vec<Exposure> {
    let links = Links::new(inventory, failed);
    let mut found = Vec::new();
    let mut reachable_instances = BTreeSet::new();
    for instance in &inventory.ec2.instances {
        if let Some((exposure, reachable)) = links.instance(instance) {
            found.extend(exposure);
            if reachable {
                reachable_instances.insert(instance.id.as_str());
            }
        }
    }
    found.extend(
        inventory
            .ecs
            .services
            .iter()
            .filter_map(|s| links.ecs_service(s)),
    );
    found.extend(
        inventory
            .lambda
            .functions
            .iter()
            .filter_map(|f| links.function(f)),
    );
    found.extend(
        inventory
            .rds
            .db_instances
            .iter()
            .filter_map(|d| links.database(d)),
    );
    found.extend(
        inventory
            .redshift
            .clusters
            .iter()
            .filter_map(|c| links.warehouse(c)),
    );
    found.extend(
        inventory
            .opensearch
            .domains
            .iter()
            .filter_map(|d| links.search_domain(d)),
    );
    found.extend(
        inventory
            .eks
            .clusters
            .iter()
            .filter_map(|c| links.kubernetes_api(c)),
    );
    found.extend(inventory.s3.buckets.iter().filter_map(|b| links.bucket(b)));
    found.extend(
        inventory
            .ec2
            .snapshots
            .iter()
            .filter_map(|s| links.ebs_snapshot(s, &reachable_instances)),
    );
    found.extend(inventory.ec2.images.iter().filter_map(|i| links.image(i)));
    found.extend(
        inventory
            .rds
            .db_snapshots
            .iter()
            .filter_map(|s| links.db_snapshot(s)),
    );
    found
}

/// The relations between resources, indexed once.
struct Links<'a> {
    inventory: &'a Inventory,
    failed: &'a Failed<'a>,
    groups: HashMap<(&'a str, &'a str), &'a SecurityGroup>,
    roles_by_arn: HashMap<&'a str, &'a Principal>,
    roles_by_profile: HashMap<&'a str, &'a Principal>,
    /// Computed on the first role an exposure reaches.
    escalations: std::cell::OnceCell<Escalations>,
}

/// A group open to the internet and what it admits.
struct OpenGroup<'a> {
    group: &'a SecurityGroup,
    ingress: Vec<String>,
}

impl OpenGroup<'_> {
    fn describe(&self) -> String {
        format!(
            "{} ({}) admits {}",
            self.group.id,
            self.group.name,
            enumerate(&self.ingress, 3)
        )
    }
}

fn ports(open: &[OpenGroup]) -> String {
    let mut ports: Vec<String> = Vec::new();
    for rule in open.iter().flat_map(|g| &g.ingress) {
        let port = rule.split(" from ").next().unwrap_or(rule).to_string();
        if !ports.contains(&port) {
            ports.push(port);
        }
    }
    enumerate(&ports, 3)
}

/// "sg-1 (web) admits tcp 443 from 0.0.0.0/0; sg-2 (ssh) admits ...".
fn describe(open: &[OpenGroup]) -> String {
    let each: Vec<String> = open.iter().map(OpenGroup::describe).collect();
    each.join("; ")
}

/// A step that contributes its finding's own evidence.
fn detail(result: &CheckResult) -> String {
    result.detail.clone()
}

fn group_ids(open: &[OpenGroup]) -> String {
    let ids: Vec<String> = open.iter().map(|g| g.group.id.clone()).collect();
    enumerate(&ids, 3)
}

impl<'a> Links<'a> {
    fn new(inventory: &'a Inventory, failed: &'a Failed<'a>) -> Self {
        let roles = || {
            inventory
                .iam
                .principals
                .iter()
                .filter(|p| p.kind == PrincipalKind::Role)
        };
        Links {
            inventory,
            failed,
            groups: inventory
                .sg
                .security_groups
                .iter()
                .map(|g| ((g.region.as_str(), g.id.as_str()), g))
                .collect(),
            roles_by_arn: roles().map(|r| (r.arn.as_str(), r)).collect(),
            roles_by_profile: roles()
                .flat_map(|r| r.instance_profiles.iter().map(move |p| (p.as_str(), r)))
                .collect(),
            escalations: std::cell::OnceCell::new(),
        }
    }

    /// The groups of `ids` open to the IPv4 internet (on `port` only, when given): every entry
    /// this joins is a public IPv4 address.
    fn open_groups(&self, region: &str, ids: &[String], port: Option<u16>) -> Vec<OpenGroup<'a>> {
        ids.iter()
            .filter_map(|id| self.groups.get(&(region, id.as_str())))
            .filter(|group| port.is_none_or(|port| open_to_ipv4_world_on(group, port)))
            .map(|group| OpenGroup {
                group,
                ingress: ipv4_world_ingress(group),
            })
            .filter(|open| !open.ingress.is_empty())
            .collect()
    }

    /// The groups' own findings on ports: every port, or high-risk ones, open to the world.
    fn port_steps(&self, open: &[OpenGroup]) -> Vec<ExposureStep> {
        open.iter()
            .filter_map(|o| {
                let at = (
                    SecurityGroup::RESOURCE_TYPE,
                    o.group.region.as_str(),
                    o.group.id.as_str(),
                );
                self.failed
                    .step("sg.all_ports_open", at, StepRole::Ease, detail)
                    .or_else(|| {
                        self.failed
                            .step("sg.high_risk_ports", at, StepRole::Ease, detail)
                    })
            })
            .collect()
    }

    /// The step that shows what `role`'s credentials can do, when they can do harm.
    fn reach(&self, role: &Principal, whose: &str) -> Option<(ExposureStep, Privilege)> {
        let escalates = || {
            let path = self
                .escalations
                .get_or_init(|| escalations(self.inventory))
                .path(role)?;
            Some(Privilege::Escalates {
                path: path.describe(),
            })
        };
        // An administrator is the worst; one in a few calls comes next.
        let privilege = match privilege(role) {
            Some(p) if p.is_administrator() => p,
            found => escalates().or(found)?,
        };
        let at = (role.kind.resource_type(), "global", role.name.as_str());
        let step = privilege.shown_by().iter().find_map(|check| {
            self.failed.step(check, at, StepRole::Reach, |_| {
                format!("{whose} role {} {}.", role.name, privilege.describe())
            })
        })?;
        Some((step, privilege))
    }
}
