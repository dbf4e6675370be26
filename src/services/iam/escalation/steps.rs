//! The privilege-escalation steps: each is one API call (or a pair) that the source's
//! effective permissions allow and that leaves it acting as another principal or as an
//! administrator. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
//! Mitigation" (methods 1–21, cited by number below,
//! <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>) and the
//! pathfinding.cloud catalogue (<https://pathfinding.cloud>); what decides a step is IAM's
//! evaluation logic ([`super::access`]).

use std::collections::HashMap;

use super::access::{Access, Grant};
use super::actions::{Named, LAUNCHES, TAKING_PRINCIPALS};
use crate::policy::{Effect, Principals};
use crate::services::iam::{CustomerPolicy, PolicySource, Principal, PrincipalKind};

/// Where a step leads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum To {
    Principal(usize),
    Administrator,
    /// Something that could not be read: what lies beyond is unknown.
    Unknown,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Edge {
    pub from: usize,
    pub to: To,
    pub text: String,
    pub conditions: Vec<String>,
}

/// The account's principals and what else the steps need, indexed once.
pub(super) struct World<'a> {
    pub nodes: Vec<&'a Principal>,
    pub access: Vec<Access<'a>>,
    /// The escalating actions each principal's policies name (by node, as `access`).
    pub named: Vec<Named>,
    pub administrator: Vec<Option<String>>,
    pub groups: HashMap<&'a str, &'a Principal>,
    /// Administrator groups, with the policy that makes them one.
    pub admin_groups: HashMap<&'a str, String>,
    pub customer_policies: HashMap<&'a str, &'a CustomerPolicy>,
    /// Functions' (ARN, execution role ARN); `None` when Lambda was not read in this run.
    pub functions: Option<Vec<(&'a str, &'a str)>>,
    /// Instances' (ARN, instance profile ARN); `None` when EC2 was not read in this run.
    pub instances: Option<Vec<(&'a str, &'a str)>>,
    /// Roles by the principal ARNs their trust policies name (see [`World::index_trusts`]).
    pub trusting: HashMap<&'a str, Vec<usize>>,
    /// Roles whose trust policies admit anyone.
    pub public_trust: Vec<usize>,
}

/// What a role's trust policy admits for `sts:AssumeRole`: `None` when nothing (or a Deny);
/// otherwise the condition keys it rests on.
fn trust_admits(role: &Principal, admitted: &dyn Fn(&str, &str) -> bool) -> Option<Vec<String>> {
    let trust = role.trust.as_deref()?;
    let names = |s: &crate::policy::Statement| match &s.principals {
        Some(Principals::Principal(set)) => {
            set.includes_everyone() || set.entries.iter().any(|(kind, v)| admitted(kind, v))
        }
        _ => false,
    };
    let relevant = |s: &&crate::policy::Statement| s.covers_action("sts:AssumeRole") && names(s);
    if trust
        .statements
        .iter()
        .filter(relevant)
        .any(|s| s.effect == Effect::Deny && !s.has_condition)
    {
        return None;
    }
    trust
        .allow_statements()
        .find(relevant)
        .map(|s| s.conditions.iter().map(|c| c.key.clone()).collect())
}

impl<'a> World<'a> {
    /// Indexes the roles by the ARNs their trust policies name, so that finding who may assume
    /// a role by name costs a lookup per principal, not a trust evaluation per pair.
    pub fn index_trusts(&mut self) {
        for index in 0..self.nodes.len() {
            let role: &'a Principal = self.nodes[index];
            let Some(trust) = role.trust.as_deref() else {
                continue;
            };
            for statement in trust.allow_statements() {
                let Some(Principals::Principal(set)) = &statement.principals else {
                    continue;
                };
                if set.includes_everyone() {
                    self.public_trust.push(index);
                }
                for (kind, value) in &set.entries {
                    if kind == "AWS" {
                        let names = self.trusting.entry(value.trim()).or_default();
                        if !names.contains(&index) {
                            names.push(index);
                        }
                    }
                }
            }
        }
    }
}

/// The account id of an ARN (`arn:aws:iam::123456789012:user/x`).
fn account_of(arn: &str) -> &str {
    arn.split(':').nth(4).unwrap_or_default()
}

fn label(principal: &Principal) -> String {
    match principal.kind {
        PrincipalKind::User => format!("user/{}", principal.name),
        PrincipalKind::Role => format!("role/{}", principal.name),
        PrincipalKind::Group => format!("group/{}", principal.name),
    }
}

fn with(mut conditions: Vec<String>, grants: &[&Grant]) -> Vec<String> {
    conditions.extend(grants.iter().flat_map(|g| g.conditions.iter().cloned()));
    conditions.sort();
    conditions.dedup();
    conditions
}

impl World<'_> {
    /// Every step out of `from` (not an administrator; its policies read). Only the actions
    /// its policies name at all are evaluated against the targets.
    pub fn edges_from(&self, from: usize) -> Vec<Edge> {
        let me = self.nodes[from];
        let access = &self.access[from];
        let named = &self.named[from];
        let mut edges = Vec::new();
        let mut edge = |to: To, text: String, conditions: Vec<String>| {
            edges.push(Edge {
                from,
                to,
                text,
                conditions,
            })
        };
        if named.modifies() {
            if let Some((text, conditions)) = self.modification(from, from) {
                edge(To::Administrator, text, conditions);
            }
        }
        // Named in a trust policy, in the same account: the trust alone allows it (IAM User
        // Guide, "Policy evaluation for requests within a single account").
        let trusting = self.trusting.get(me.arn.as_str()).into_iter().flatten();
        let mut trusted_by_name = Vec::new();
        for &to in trusting.chain(&self.public_trust) {
            let target = self.nodes[to];
            if to == from || trusted_by_name.contains(&to) || target.is_service_linked() {
                continue;
            }
            let by_name = trust_admits(target, &|kind, value| {
                kind == "AWS" && value.trim() == me.arn
            });
            if let Some(conditions) = by_name {
                if !access.denies("sts:AssumeRole", &target.arn) {
                    let text = format!(
                        "{} may sts:AssumeRole {} (its trust policy names {0})",
                        me.name,
                        label(target)
                    );
                    edge(To::Principal(to), text, conditions);
                    trusted_by_name.push(to);
                }
            }
        }
        if !named.takes() {
            return edges;
        }
        // Where every grant names fixed ARNs, only those principals can be targets.
        let fixed: Option<Vec<String>> = TAKING_PRINCIPALS
            .iter()
            .filter(|a| named.has(a))
            .map(|a| access.fixed_targets(a))
            .collect::<Option<Vec<_>>>()
            .filter(|_| named.takes_only_principals())
            .map(|lists| lists.concat());
        for (to, target) in self.nodes.iter().enumerate() {
            if to == from
                || trusted_by_name.contains(&to)
                || fixed
                    .as_ref()
                    .is_some_and(|arns| !arns.contains(&target.arn))
            {
                continue;
            }
            if let Some((text, conditions)) = self.taking(from, to) {
                edge(To::Principal(to), text, conditions);
            } else if target.kind == PrincipalKind::Role
                && target.trust.is_none()
                && ["sts:AssumeRole", "iam:PassRole"]
                    .iter()
                    .any(|a| named.has(a) && access.allows(a, Some(&target.arn), &[]).is_some())
            {
                // An unread trust policy: whether the source may assume or launch it is unknown.
                edge(To::Unknown, String::new(), Vec::new());
            }
        }
        let unread = |read: bool, actions: &[&str]| !read && actions.iter().any(|a| named.has(a));
        if unread(self.functions.is_some(), &["lambda:UpdateFunctionCode"])
            || unread(
                self.instances.is_some(),
                &["ssm:SendCommand", "ssm:StartSession"],
            )
        {
            edge(To::Unknown, String::new(), Vec::new());
        }
        edges
    }

    /// A step from `from` to act as `to` without changing anyone's permissions.
    fn taking(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
        let named = &self.named[from];
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
        let by = |action: &str, grant: &Grant, then: &str| {
            format!(
                "{} may {action} {} ({}){then}",
                me.name,
                label(target),
                grant.via
            )
        };
        if target.kind == PrincipalKind::User {
            // Rhino 4-6: new credentials for another user.
            for action in [
                "iam:CreateAccessKey",
                "iam:CreateLoginProfile",
                "iam:UpdateLoginProfile",
            ] {
                if !named.has(action) {
                    continue;
                }
                if let Some(grant) = access.allows(action, Some(&target.arn), &[]) {
                    let text = by(action, &grant, ": signs in as it");
                    return Some((text, grant.conditions));
                }
            }
            return None;
        }
        if target.is_service_linked() {
            return None;
        }
        // The trust names the account: the source's own Allow decides.
        if named.has("sts:AssumeRole") {
            let account = account_of(&me.arn);
            let root = format!("arn:aws:iam::{account}:root");
            let by_account = trust_admits(target, &|kind, value| {
                let value = value.trim();
                kind == "AWS" && (value == account || value == root)
            });
            if let Some(conditions) = by_account {
                if let Some(grant) = access.allows("sts:AssumeRole", Some(&target.arn), &[]) {
                    let text = by(
                        "sts:AssumeRole",
                        &grant,
                        " (its trust policy admits the account)",
                    );
                    return Some((text, with(conditions, &[&grant])));
                }
            }
        }
        // Rhino 14: rewrite the trust to name oneself, then assume the role.
        if named.has("iam:UpdateAssumeRolePolicy") {
            if let Some(grant) = access.allows("iam:UpdateAssumeRolePolicy", Some(&target.arn), &[])
            {
                if !access.denies("sts:AssumeRole", &target.arn) {
                    let text = by(
                        "iam:UpdateAssumeRolePolicy",
                        &grant,
                        ": names itself in the trust policy and assumes it",
                    );
                    return Some((text, grant.conditions));
                }
            }
        }
        self.launching(from, to)
            .or_else(|| self.running_code(from, to))
    }

    /// Rhino 3, 15, 16, 18, 20, 21: pass the role to a service that runs code as it.
    fn launching(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
        let named = &self.named[from];
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
        if !named.has("iam:PassRole") {
            return None;
        }
        LAUNCHES.iter().find_map(|launch| {
            let trusted = trust_admits(target, &|kind, value| {
                kind == "Service" && value == launch.service
            })?;
            if launch.service == "ec2.amazonaws.com" && target.instance_profiles.is_empty() {
                return None;
            }
            let context = [("iam:passedtoservice", launch.service)];
            let pass = access.allows("iam:PassRole", Some(&target.arn), &context)?;
            let mut grants = vec![&pass];
            let mut names = Vec::new();
            let chosen: Vec<(Grant, &str)> = launch
                .actions
                .iter()
                .map(|any_of| {
                    any_of
                        .iter()
                        .find_map(|a| access.allows(a, None, &[]).map(|g| (g, *a)))
                })
                .collect::<Option<_>>()?;
            for (grant, action) in &chosen {
                grants.push(grant);
                names.push(*action);
            }
            let text = format!(
                "{} may iam:PassRole {} ({}) and {}: runs code as {}",
                me.name,
                label(target),
                pass.via,
                names.join(" + "),
                target.name
            );
            Some((text, with(trusted, &grants)))
        })
    }

    /// Rhino 17, pathfinding.cloud ssm-001/002: code into what already runs as the role.
    fn running_code(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
        let named = &self.named[from];
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
        let commands = named.has("ssm:SendCommand") || named.has("ssm:StartSession");
        if !named.has("lambda:UpdateFunctionCode") && !commands {
            return None;
        }
        let function = self.functions.iter().flatten().find_map(|(arn, role)| {
            (*role == target.arn)
                .then(|| access.allows("lambda:UpdateFunctionCode", Some(arn), &[]))
                .flatten()
                .map(|grant| (*arn, grant))
        });
        if let Some((arn, grant)) = function {
            let name = arn.rsplit(':').next().unwrap_or(arn);
            let text = format!(
                "{} may lambda:UpdateFunctionCode on function {name} ({}), which runs as {}",
                me.name, grant.via, target.name
            );
            return Some((text, grant.conditions));
        }
        if !commands {
            return None;
        }
        self.instances.iter().flatten().find_map(|(arn, profile)| {
            if !target.instance_profiles.iter().any(|p| p == profile) {
                return None;
            }
            let (action, grant) = ["ssm:SendCommand", "ssm:StartSession"]
                .iter()
                .find_map(|a| access.allows(a, Some(arn), &[]).map(|g| (*a, g)))?;
            let id = arn.rsplit('/').next().unwrap_or(arn);
            let text = format!(
                "{} may {action} on instance {id} ({}), which runs as {}",
                me.name, grant.via, target.name
            );
            Some((text, grant.conditions))
        })
    }

    /// Whether `from` may make `to` an administrator by changing `to`'s permissions (Rhino
    /// 1, 2, 7–13): only if no permissions boundary caps `to`, and never a service-linked role.
    pub fn modification(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
        if !self.named[from].modifies() {
            return None;
        }
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
        if target.is_service_linked() || !self.access[to].unbounded() {
            return None;
        }
        let whom = if from == to {
            "itself".to_string()
        } else {
            target.name.clone()
        };
        let step = |action: &str, on: &str, grant: Grant, effect: String| {
            let text = format!("{} may {action} on {on} ({}): {effect}", me.name, grant.via);
            (text, grant.conditions)
        };
        let own = match target.kind {
            PrincipalKind::User => ["iam:AttachUserPolicy", "iam:PutUserPolicy"],
            _ => ["iam:AttachRolePolicy", "iam:PutRolePolicy"],
        };
        for action in own {
            if let Some(grant) = access.allows(action, Some(&target.arn), &[]) {
                let effect = format!("gives {whom} an administrator policy");
                return Some(step(action, &label(target), grant, effect));
            }
        }
        for group in target
            .groups
            .iter()
            .filter_map(|g| self.groups.get(g.as_str()))
        {
            for action in ["iam:AttachGroupPolicy", "iam:PutGroupPolicy"] {
                if let Some(grant) = access.allows(action, Some(&group.arn), &[]) {
                    let effect = format!("gives a group of {whom} an administrator policy");
                    return Some(step(action, &label(group), grant, effect));
                }
            }
        }
        for (arn, policy) in target.policies.iter().filter_map(|p| match &p.source {
            PolicySource::Managed { arn } => {
                self.customer_policies.get(arn.as_str()).map(|c| (arn, c))
            }
            PolicySource::Inline => None,
        }) {
            let on = format!("policy/{}", policy.name);
            if let Some(grant) = access.allows("iam:CreatePolicyVersion", Some(arn), &[]) {
                let effect = format!("makes a policy of {whom} allow everything");
                return Some(step("iam:CreatePolicyVersion", &on, grant, effect));
            }
            let admin_version = policy.other_versions.iter().find(|(_, d)| {
                d.as_deref()
                    .is_some_and(|d| d.allow_statements().any(|s| s.allows_full_admin()))
            });
            if let Some((version, _)) = admin_version {
                if let Some(grant) = access.allows("iam:SetDefaultPolicyVersion", Some(arn), &[]) {
                    let effect = format!(
                        "makes version {version}, which allows everything, the default of a policy of {whom}"
                    );
                    return Some(step("iam:SetDefaultPolicyVersion", &on, grant, effect));
                }
            }
        }
        if target.kind == PrincipalKind::User {
            for (name, via) in &self.admin_groups {
                if target.groups.iter().any(|g| g == name) {
                    continue;
                }
                let group = self.groups[name];
                if let Some(grant) = access.allows("iam:AddUserToGroup", Some(&group.arn), &[]) {
                    let effect = format!("adds {whom} to an administrator group ({via})");
                    return Some(step("iam:AddUserToGroup", &label(group), grant, effect));
                }
            }
        }
        None
    }
}
