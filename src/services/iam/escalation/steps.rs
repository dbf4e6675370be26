//! The privilege-escalation steps: each is one API call (or a pair) that the source's
//! effective permissions allow and that leaves it acting as another principal or as an
//! administrator. Sources: Rhino Security Labs, "AWS IAM Privilege Escalation – Methods and
//! Mitigation" (methods 1–21, cited by number below,
//! <https://rhinosecuritylabs.com/aws/aws-privilege-escalation-methods-mitigation/>) and the
//! pathfinding.cloud catalogue (<https://pathfinding.cloud>); what decides a step is IAM's
//! evaluation logic ([`super::access`]).

use std::collections::HashMap;

use super::access::{Access, Grant};
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

/// A compute service that runs code under a role passed to it: the service principal the
/// role's trust must admit and the actions it takes, each group needing one of its actions.
struct Launch {
    service: &'static str,
    actions: &'static [&'static [&'static str]],
}

const LAUNCHES: &[Launch] = &[
    // Rhino 3; the role must be in an instance profile.
    Launch {
        service: "ec2.amazonaws.com",
        actions: &[&["ec2:RunInstances"]],
    },
    // Rhino 15 and 16.
    Launch {
        service: "lambda.amazonaws.com",
        actions: &[
            &["lambda:CreateFunction"],
            &["lambda:InvokeFunction", "lambda:CreateEventSourceMapping"],
        ],
    },
    // Rhino 18.
    Launch {
        service: "glue.amazonaws.com",
        actions: &[&["glue:CreateDevEndpoint"]],
    },
    // Rhino 20.
    Launch {
        service: "cloudformation.amazonaws.com",
        actions: &[&["cloudformation:CreateStack"]],
    },
    // Rhino 21.
    Launch {
        service: "datapipeline.amazonaws.com",
        actions: &[
            &["datapipeline:CreatePipeline"],
            &["datapipeline:PutPipelineDefinition"],
        ],
    },
    // pathfinding.cloud codebuild-001.
    Launch {
        service: "codebuild.amazonaws.com",
        actions: &[&["codebuild:CreateProject"], &["codebuild:StartBuild"]],
    },
    // pathfinding.cloud sagemaker-001.
    Launch {
        service: "sagemaker.amazonaws.com",
        actions: &[&["sagemaker:CreateNotebookInstance"]],
    },
    // pathfinding.cloud ecs-001.
    Launch {
        service: "ecs-tasks.amazonaws.com",
        actions: &[
            &["ecs:RegisterTaskDefinition"],
            &["ecs:RunTask", "ecs:StartTask"],
        ],
    },
];

/// Actions that change a principal's own permissions (Rhino 1, 2, 7–13).
const MODIFYING: &[&str] = &[
    "iam:CreatePolicyVersion",
    "iam:SetDefaultPolicyVersion",
    "iam:AttachUserPolicy",
    "iam:AttachGroupPolicy",
    "iam:AttachRolePolicy",
    "iam:PutUserPolicy",
    "iam:PutGroupPolicy",
    "iam:PutRolePolicy",
    "iam:AddUserToGroup",
];

/// Actions that take another principal's identity (Rhino 4–6, 14, 17; pathfinding.cloud
/// ssm-001, ssm-002), `iam:PassRole` for the launches.
const TAKING: &[&str] = &[
    "iam:CreateAccessKey",
    "iam:CreateLoginProfile",
    "iam:UpdateLoginProfile",
    "sts:AssumeRole",
    "iam:UpdateAssumeRolePolicy",
    "iam:PassRole",
    "lambda:UpdateFunctionCode",
    "ssm:SendCommand",
    "ssm:StartSession",
];

/// The account's principals and what else the steps need, indexed once.
pub(super) struct World<'a> {
    pub nodes: Vec<&'a Principal>,
    pub access: Vec<Access<'a>>,
    pub administrator: Vec<Option<String>>,
    pub groups: HashMap<&'a str, &'a Principal>,
    /// Administrator groups, with the policy that makes them one.
    pub admin_groups: HashMap<&'a str, String>,
    pub customer_policies: HashMap<&'a str, &'a CustomerPolicy>,
    /// Functions' (ARN, execution role ARN); `None` when Lambda was not read in this run.
    pub functions: Option<Vec<(&'a str, &'a str)>>,
    /// Instances' (ARN, instance profile ARN); `None` when EC2 was not read in this run.
    pub instances: Option<Vec<(&'a str, &'a str)>>,
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
    /// Every step out of `from` (not an administrator; its policies read).
    pub fn edges_from(&self, from: usize) -> Vec<Edge> {
        let me = self.nodes[from];
        let access = &self.access[from];
        let mut edges = Vec::new();
        let mut edge = |to: To, text: String, conditions: Vec<String>| {
            edges.push(Edge {
                from,
                to,
                text,
                conditions,
            })
        };
        let takes = TAKING.iter().any(|a| access.mentions(a));
        let modifies = MODIFYING.iter().any(|a| access.mentions(a));
        for (to, target) in self.nodes.iter().enumerate() {
            if to == from {
                if modifies {
                    if let Some((text, conditions)) = self.modification(from, from) {
                        edge(To::Administrator, text, conditions);
                    }
                }
                continue;
            }
            // Named in the trust policy, in the same account: the trust alone allows it
            // (IAM User Guide, "Policy evaluation for requests within a single account").
            if target.kind == PrincipalKind::Role && !target.is_service_linked() {
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
                        continue;
                    }
                }
            }
            if !takes && !modifies {
                continue;
            }
            if let Some((text, conditions)) = self.taking(from, to) {
                edge(To::Principal(to), text, conditions);
            } else if target.kind == PrincipalKind::Role && target.trust.is_none() {
                // An unread trust policy: whether the source may assume or launch it is unknown.
                if ["sts:AssumeRole", "iam:PassRole"]
                    .iter()
                    .any(|a| access.allows(a, Some(&target.arn), &[]).is_some())
                {
                    edge(To::Unknown, String::new(), Vec::new());
                }
            }
        }
        if takes {
            let unread =
                |read: bool, actions: &[&str]| !read && actions.iter().any(|a| access.mentions(a));
            if unread(self.functions.is_some(), &["lambda:UpdateFunctionCode"])
                || unread(
                    self.instances.is_some(),
                    &["ssm:SendCommand", "ssm:StartSession"],
                )
            {
                edge(To::Unknown, String::new(), Vec::new());
            }
        }
        edges
    }

    /// A step from `from` to act as `to` without changing anyone's permissions.
    fn taking(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
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
        let account = account_of(&me.arn);
        // The trust names the account: the source's own Allow decides.
        let by_account = trust_admits(target, &|kind, value| {
            let value = value.trim();
            kind == "AWS" && (value == account || value == format!("arn:aws:iam::{account}:root"))
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
        // Rhino 14: rewrite the trust to name oneself, then assume the role.
        if let Some(grant) = access.allows("iam:UpdateAssumeRolePolicy", Some(&target.arn), &[]) {
            if !access.denies("sts:AssumeRole", &target.arn) {
                let text = by(
                    "iam:UpdateAssumeRolePolicy",
                    &grant,
                    ": names itself in the trust policy and assumes it",
                );
                return Some((text, grant.conditions));
            }
        }
        self.launching(from, to)
            .or_else(|| self.running_code(from, to))
    }

    /// Rhino 3, 15, 16, 18, 20, 21: pass the role to a service that runs code as it.
    fn launching(&self, from: usize, to: usize) -> Option<(String, Vec<String>)> {
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
        if !access.mentions("iam:PassRole") {
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
        let (me, target, access) = (self.nodes[from], self.nodes[to], &self.access[from]);
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
