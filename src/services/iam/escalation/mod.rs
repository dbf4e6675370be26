//! Who can become an administrator: privilege-escalation paths between the account's users and
//! roles, from what the run already read (the IAM authorization details; the functions and
//! instances whose code could be replaced or commanded). No API call of its own.
//!
//! A graph: a node per user and role; an edge per step ([`steps`]) that the source's effective
//! permissions ([`access`]) allow. One breadth-first search backwards from the administrators
//! gives every principal's shortest path; one from what could not be read says whose verdict
//! is unknown. Building the edges costs, for each principal whose policies name an escalating
//! action, one policy evaluation per other principal (O(P × S) for P principals and S
//! statements, only for the few that name such actions); the searches are linear in the
//! edges; a principal that may change another's permissions adds one forward search.

mod access;
mod actions;
mod steps;
#[cfg(test)]
pub(super) mod tests;

use std::collections::{HashMap, VecDeque};

use super::{privilege, Principal, PrincipalKind, Privilege, POLICY_CHANGES};
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};
use access::Access;
use actions::Named;
use steps::{Edge, To, World};

/// A way to administrator, step by step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Path {
    pub steps: Vec<String>,
    /// Condition keys a step rests on that the account's data cannot decide (MFA, source IP…).
    pub conditions: Vec<String>,
}

impl Path {
    pub fn describe(&self) -> String {
        let mut text = self.steps.join("; then ");
        if !self.conditions.is_empty() {
            text.push_str(&format!(
                " (if the request meets its conditions on {})",
                self.conditions.join(", ")
            ));
        }
        text
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Administrator,
    Escalates(Path),
    NoPath,
    /// A policy in the principal's reach could not be read.
    Unknown,
}

/// Every user's and role's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Escalations {
    /// By principal ARN.
    outcomes: HashMap<String, Outcome>,
}

impl Escalations {
    pub fn outcome(&self, principal: &Principal) -> Option<&Outcome> {
        self.outcomes.get(&principal.arn)
    }

    /// The path of a principal that is not an administrator but can become one.
    pub fn path(&self, principal: &Principal) -> Option<&Path> {
        match self.outcome(principal)? {
            Outcome::Escalates(path) => Some(path),
            _ => None,
        }
    }
}

/// Computes every user's and role's outcome.
pub fn escalations(inventory: &Inventory) -> Escalations {
    let iam = &inventory.iam;
    let by_kind = |kind: PrincipalKind| iam.principals.iter().filter(move |p| p.kind == kind);
    let nodes: Vec<&Principal> = by_kind(PrincipalKind::User)
        .chain(by_kind(PrincipalKind::Role))
        .collect();
    let administrator = |p: &Principal| match privilege(p) {
        Some(Privilege::Administrator { via }) => Some(via),
        _ => None,
    };
    let access: Vec<Access> = nodes.iter().map(|p| Access::of(p)).collect();
    let mut world = World {
        named: access.iter().map(Named::of).collect(),
        access,
        administrator: nodes.iter().map(|p| administrator(p)).collect(),
        groups: by_kind(PrincipalKind::Group)
            .map(|g| (g.name.as_str(), g))
            .collect(),
        admin_groups: by_kind(PrincipalKind::Group)
            .filter_map(|g| Some((g.name.as_str(), administrator(g)?)))
            .collect(),
        customer_policies: iam
            .customer_policies
            .iter()
            .map(|p| (p.arn.as_str(), p))
            .collect(),
        functions: inventory.was_read(Service::Lambda).then(|| {
            (inventory.lambda.functions.iter())
                .map(|f| (f.arn.as_str(), f.role.as_str()))
                .collect()
        }),
        instances: inventory.was_read(Service::Ec2).then(|| {
            (inventory.ec2.instances.iter())
                .filter_map(|i| Some((i.arn.as_str(), i.instance_profile.as_deref()?)))
                .collect()
        }),
        nodes,
        trusting: HashMap::new(),
        public_trust: Vec::new(),
    };
    world.index_trusts();
    let count = world.nodes.len();
    let mut edges: Vec<Edge> = (0..count)
        .filter(|i| world.administrator[*i].is_none() && world.access[*i].known)
        .flat_map(|i| world.edges_from(i))
        .collect();
    edges.extend(modify_then_act(&world, &edges));

    // Backwards from "administrator" (node `count`) and from "unknown" (`count + 1`).
    let (admin, unknown) = (count, count + 1);
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); count + 2];
    for (index, edge) in edges.iter().enumerate() {
        let to = match edge.to {
            To::Principal(to) => to,
            To::Administrator => admin,
            To::Unknown => unknown,
        };
        into[to].push(index);
    }
    // `None`: the principal is an administrator itself (the path ends there).
    let toward_admin = search(
        &edges,
        &into,
        admin,
        (0..count).filter(|i| world.administrator[*i].is_some()),
    );
    let toward_unknown = search(
        &edges,
        &into,
        unknown,
        (0..count).filter(|i| !world.access[*i].known),
    );

    let mut outcomes = HashMap::new();
    for (i, principal) in world.nodes.iter().enumerate() {
        let outcome = if world.administrator[i].is_some() {
            Outcome::Administrator
        } else if !world.access[i].known {
            Outcome::Unknown
        } else if toward_admin[i].is_some() {
            Outcome::Escalates(path(&world, &edges, &toward_admin, i))
        } else if toward_unknown[i].is_some() {
            Outcome::Unknown
        } else {
            Outcome::NoPath
        };
        outcomes.insert(principal.arn.clone(), outcome);
    }
    Escalations { outcomes }
}

/// Breadth-first backwards from `goal` and from the `starts` (which are at the goal already):
/// for each principal, `Some(next)` when it reaches the goal, `next` being its first step's
/// edge (`None` inside: a start).
fn search(
    edges: &[Edge],
    into: &[Vec<usize>],
    goal: usize,
    starts: impl Iterator<Item = usize>,
) -> Vec<Option<Option<usize>>> {
    let mut next: Vec<Option<Option<usize>>> = vec![None; into.len()];
    let mut queue = VecDeque::new();
    for start in starts {
        next[start] = Some(None);
        queue.push_back(start);
    }
    next[goal] = Some(None);
    queue.push_back(goal);
    while let Some(node) = queue.pop_front() {
        for &index in &into[node] {
            let from = edges[index].from;
            if next[from].is_none() {
                next[from] = Some(Some(index));
                queue.push_back(from);
            }
        }
    }
    next
}

fn path(world: &World, edges: &[Edge], next: &[Option<Option<usize>>], from: usize) -> Path {
    let mut steps = Vec::new();
    let mut conditions = Vec::new();
    let mut at = from;
    while let Some(Some(index)) = next[at] {
        let edge = &edges[index];
        steps.push(edge.text.clone());
        conditions.extend(edge.conditions.iter().cloned());
        match edge.to {
            To::Principal(to) => at = to,
            _ => break,
        }
    }
    if let Some(via) = world.administrator.get(at).cloned().flatten() {
        steps.push(format!(
            "{} is an administrator ({via})",
            world.nodes[at].name
        ));
    }
    conditions.sort();
    conditions.dedup();
    Path { steps, conditions }
}

/// A principal that may change another's permissions and can then act as it: an edge to
/// administrator through the forward path to that principal.
fn modify_then_act(world: &World, edges: &[Edge]) -> Vec<Edge> {
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); world.nodes.len()];
    for (index, edge) in edges.iter().enumerate() {
        if let To::Principal(_) = edge.to {
            out[edge.from].push(index);
        }
    }
    let mut found = Vec::new();
    for from in 0..world.nodes.len() {
        if out[from].is_empty() || world.administrator[from].is_some() {
            continue;
        }
        if !world.named[from].modifies() {
            continue;
        }
        // Forward search: how `from` reaches each principal.
        let mut came_by: Vec<Option<usize>> = vec![None; world.nodes.len()];
        let mut queue = VecDeque::from([from]);
        while let Some(node) = queue.pop_front() {
            for &index in &out[node] {
                if let To::Principal(to) = edges[index].to {
                    if to != from && came_by[to].is_none() {
                        came_by[to] = Some(index);
                        queue.push_back(to);
                    }
                }
            }
        }
        for to in (0..world.nodes.len()).filter(|t| came_by[*t].is_some()) {
            let Some((text, mut conditions)) = world.modification(from, to) else {
                continue;
            };
            let mut route = Vec::new();
            let mut at = to;
            while let Some(index) = came_by[at] {
                route.push(&edges[index]);
                at = edges[index].from;
            }
            route.reverse();
            conditions.extend(route.iter().flat_map(|e| e.conditions.iter().cloned()));
            let then: Vec<&str> = route.iter().map(|e| e.text.as_str()).collect();
            found.push(Edge {
                from,
                to: To::Administrator,
                text: format!(
                    "{text}, then acts as {}: {}",
                    world.nodes[to].name,
                    then.join("; then ")
                ),
                conditions,
            });
            break;
        }
    }
    found
}

/// What changes a principal's permissions (the IAM checks' [`POLICY_CHANGES`]), a role's trust, a
/// permissions boundary or an instance profile's role: any can open a path for any principal,
/// so the check is judged again for the whole account.
const ESCALATION_CHANGES: &[EventTrigger] = &[
    POLICY_CHANGES[0],
    EventTrigger {
        source: "iam.amazonaws.com",
        names: &[
            "DeletePolicyVersion",
            "UpdateAssumeRolePolicy",
            "PutUserPermissionsBoundary",
            "PutRolePermissionsBoundary",
            "DeleteUserPermissionsBoundary",
            "DeleteRolePermissionsBoundary",
            "AddRoleToInstanceProfile",
            "RemoveRoleFromInstanceProfile",
        ],
    },
];

pub(super) const PRIVILEGE_ESCALATION: Check = Check {
    id: "iam.privilege_escalation",
    service: Service::Iam,
    severity: Severity::Critical,
    // Users and roles: the principals with credentials (groups have none).
    resource_types: &[
        PrincipalKind::User.resource_type(),
        PrincipalKind::Role.resource_type(),
    ],
    title: "IAM users and roles cannot make themselves administrators",
    rationale: "A principal that may attach a policy to itself, create a new version of its \
                own policy, take another user's credentials, assume or launch code as a more \
                privileged role is an administrator one API call later: its compromise is \
                total, though no policy grants it \"*\". The steps and their sources: \
                docs/privilege-escalation.md.",
    remediation: "Remove the step the detail names: scope iam:PassRole, iam:Attach*/Put*, \
                  iam:CreatePolicyVersion, iam:CreateAccessKey and sts:AssumeRole grants to the \
                  resources they are for, or cap the principal with a permissions boundary.",
    // The steps' sources are in `steps` and docs/privilege-escalation.md.
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    fsbp: &[],
    cis: &[],
    triggers: ESCALATION_CHANGES,
    reads: &[
        Read::all("iam:GetAccountAuthorizationDetails"),
        Read::all("iam:GetPolicy"),
        Read::all("iam:GetPolicyVersion"),
        Read::all("lambda:ListFunctions"),
        Read::all("ec2:DescribeInstances"),
    ],
    evaluate: |inventory, _: &CheckOptions, verdicts: &mut Verdicts| {
        let escalations = escalations(inventory);
        for principal in inventory
            .iam
            .principals
            .iter()
            .filter(|p| p.kind != PrincipalKind::Group)
        {
            let resource = principal.resource();
            match escalations.outcome(principal) {
                Some(Outcome::Escalates(path)) => verdicts.fail(
                    &resource,
                    format!("Can become an administrator: {}.", path.describe()),
                ),
                Some(Outcome::NoPath) => verdicts.pass(
                    &resource,
                    "No privilege-escalation step (docs/privilege-escalation.md) leads to an administrator."
                        .into(),
                ),
                // Not read in this run (a policy, or functions and instances a re-check of IAM
                // does not collect): the last verdict stands.
                Some(Outcome::Unknown) => verdicts.unjudged(&resource),
                // Administrators fail iam.admin_access.
                Some(Outcome::Administrator) | None => {}
            }
        }
    },
};
