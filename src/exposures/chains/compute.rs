//! Compute reachable from the internet, and what its role reaches: instances, ECS services,
//! Lambda functions.

use super::{describe, detail, group_ids, ports, Links};
use crate::exposures::{exposure, Exposure, ExposureKind, ExposureStep, StepRole};
use crate::policy::ResourcePolicy;
use crate::services::ec2::Instance;
use crate::services::ecs::{EcsService, TaskDefinition};
use crate::services::lambda::Function;

impl Links<'_> {
    /// `Some((exposure, reachable))`: `reachable` when the instance is reachable from the
    /// internet at all (a public snapshot of its disk then counts), with or without an exposure.
    pub(super) fn instance(&self, instance: &Instance) -> Option<(Option<Exposure>, bool)> {
        if !matches!(instance.state.as_str(), "running" | "pending") {
            return None;
        }
        let open = self.open_groups(&instance.region, &instance.public_interface_groups, None);
        if open.is_empty() {
            return None;
        }
        let at = (
            Instance::RESOURCE_TYPE,
            instance.region.as_str(),
            instance.id.as_str(),
        );
        let entry = self
            .failed
            .step("ec2.no_public_ip", at, StepRole::Entry, |_| {
                format!(
                    "It has public address {} and {}.",
                    instance.public_ips.join(", "),
                    describe(&open)
                )
            })?;
        let mut steps = vec![entry];
        steps.extend(self.port_steps(&open));
        let role = instance
            .instance_profile
            .as_deref()
            .and_then(|profile| self.roles_by_profile.get(profile));
        let mut title = format!(
            "{} is reachable from the internet on {}",
            instance.id,
            ports(&open)
        );
        if let Some(role) = role {
            let imds = self
                .failed
                .step("ec2.imdsv2_required", at, StepRole::Ease, |_| {
                    format!(
                    "IMDSv1 answers a plain GET, so a request forgery in any application on it \
                     reads role {}'s credentials.",
                    role.name
                )
                });
            if let Some(imds) = imds {
                steps.push(imds);
                title.push_str(", accepts IMDSv1");
            }
        }
        let reach = role.and_then(|role| self.reach(role, "Its instance profile's"));
        let administrator = reach.as_ref().is_some_and(|(_, p)| p.is_administrator());
        if let Some((step, privilege)) = reach {
            title.push_str(&format!(
                " and its role {} {}",
                step.resource_id,
                privilege.short()
            ));
            steps.push(step);
        }
        if steps.len() == 1 {
            return Some((None, true));
        }
        title.push('.');
        let fix = format!(
            "Restrict {} on {} to known addresses (or remove the instance's public address): \
             that closes the way in before every other step.",
            ports(&open),
            group_ids(&open)
        );
        Some((
            Some(exposure(
                ExposureKind::ReachableInstance,
                steps,
                administrator,
                title,
                fix,
            )),
            true,
        ))
    }

    pub(super) fn ecs_service(&self, service: &EcsService) -> Option<Exposure> {
        let open = self.open_groups(&service.region, &service.security_groups, None);
        if open.is_empty() {
            return None;
        }
        let at = (
            EcsService::RESOURCE_TYPE,
            service.region.as_str(),
            service.id.as_str(),
        );
        let entry = self
            .failed
            .step("ecs.no_public_ip", at, StepRole::Entry, |_| {
                format!("Its tasks get public addresses and {}.", describe(&open))
            })?;
        let mut steps = vec![entry];
        steps.extend(self.port_steps(&open));
        let role = service
            .task_definition
            .as_deref()
            .and_then(|arn| {
                self.inventory
                    .ecs
                    .task_definitions
                    .iter()
                    .find(|d: &&TaskDefinition| d.arn == arn)
            })
            .and_then(|d| d.task_role_arn.as_deref())
            .and_then(|arn| self.roles_by_arn.get(arn));
        let mut title = format!(
            "ECS service {} is reachable from the internet on {}",
            service.id,
            ports(&open)
        );
        let reach = role.and_then(|role| self.reach(role, "Its task"));
        let administrator = reach.as_ref().is_some_and(|(_, p)| p.is_administrator());
        if let Some((step, privilege)) = reach {
            title.push_str(&format!(
                " and its task role {} {}",
                step.resource_id,
                privilege.short()
            ));
            steps.push(step);
        }
        if steps.len() == 1 {
            return None;
        }
        title.push('.');
        let fix = format!(
            "Turn off assignPublicIp for the service, or restrict {} on {} to known addresses.",
            ports(&open),
            group_ids(&open)
        );
        Some(exposure(
            ExposureKind::ReachableService,
            steps,
            administrator,
            title,
            fix,
        ))
    }

    pub(super) fn function(&self, function: &Function) -> Option<Exposure> {
        let at = (
            Function::RESOURCE_TYPE,
            function.region.as_str(),
            function.name.as_str(),
        );
        // A public grant of reading the function (`lambda:GetFunction`) runs nothing as its
        // role: the policy is a way in only when what it grants the public is invoking it.
        let entries: Vec<ExposureStep> = ["lambda.url_public", "lambda.policy_public"]
            .iter()
            .filter(|check| **check != "lambda.policy_public" || anyone_may_invoke(function))
            .filter_map(|check| self.failed.step(check, at, StepRole::Entry, detail))
            .collect();
        if entries.is_empty() {
            return None;
        }
        let role = self.roles_by_arn.get(function.role.as_str())?;
        let (step, privilege) = self.reach(role, "Its execution")?;
        let title = format!(
            "Anyone can invoke Lambda function {} and its execution role {} {}.",
            function.name,
            role.name,
            privilege.short()
        );
        let fix = format!(
            "Require IAM authentication on the function URL and remove public grants from the \
             function policy of {} (or narrow role {}).",
            function.name, role.name
        );
        let mut steps = entries;
        steps.push(step);
        Some(exposure(
            ExposureKind::PublicFunction,
            steps,
            privilege.is_administrator(),
            title,
            fix,
        ))
    }
}

/// Whether a public statement of the function's policy grants invoking it (directly or through
/// its URL).
fn anyone_may_invoke(function: &Function) -> bool {
    let Some(Some(document)) = &function.policy else {
        return false;
    };
    document
        .public_statements(ResourcePolicy::LambdaFunction)
        .iter()
        .any(|statement| {
            ["lambda:InvokeFunction", "lambda:InvokeFunctionUrl"]
                .iter()
                .any(|action| statement.covers_action(action))
        })
}
