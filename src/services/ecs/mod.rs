//! ECS: services (their network configuration) and the latest active revision of each task
//! definition family (their containers' security settings).

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["ecs"],
    permissions: &[
        "ecs:ListClusters",
        "ecs:ListServices",
        "ecs:DescribeServices",
        "ecs:ListTaskDefinitionFamilies",
        "ecs:DescribeTaskDefinition",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub services: Vec<EcsService>,
    pub task_definitions: Vec<TaskDefinition>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.services.extend(other.services);
        self.task_definitions.extend(other.task_definitions);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.services, in_environment, |s| Some(&s.tags));
        retain_tagged(&mut self.task_definitions, in_environment, |t| {
            Some(&t.tags)
        });
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for s in &self.services {
            found(&s.region, EcsService::RESOURCE_TYPE, &s.id, &s.tags);
        }
        for t in &self.task_definitions {
            found(&t.region, TaskDefinition::RESOURCE_TYPE, &t.id, &t.tags);
        }
    }
}

/// An ECS service, as DescribeServices describes it (tags included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EcsService {
    /// `cluster/service`, as at the end of the service's ARN: service names are unique only
    /// within a cluster.
    pub id: String,
    pub name: String,
    pub cluster: String,
    pub arn: String,
    pub region: String,
    /// The service has an `awsvpcConfiguration` (tasks in `awsvpc` network mode get their own
    /// network interface); `false`: bridge or host networking, no interface of its own.
    pub awsvpc: bool,
    /// `awsvpcConfiguration.assignPublicIp` (`ENABLED` or `DISABLED`); `None`: not set, which
    /// means DISABLED (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html).
    pub assign_public_ip: Option<String>,
    /// The security groups of its awsvpc configuration.
    pub security_groups: Vec<String>,
    /// The ARN of the task definition (a revision) it runs.
    pub task_definition: Option<String>,
    pub tags: Tags,
    /// Its task sets (services on the EXTERNAL or CODE_DEPLOY deployment controller).
    pub task_sets: Vec<TaskSet>,
}

impl EcsService {
    pub const RESOURCE_TYPE: &'static str = "AWS::ECS::Service";
}

/// A task set of a service, as DescribeServices describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskSet {
    pub id: String,
    pub arn: String,
    /// `awsvpcConfiguration.assignPublicIp`; `None`: not set, which means DISABLED.
    pub assign_public_ip: Option<String>,
}

impl TaskSet {
    pub const RESOURCE_TYPE: &'static str = "AWS::ECS::TaskSet";
}

/// The latest ACTIVE revision of a task definition family.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TaskDefinition {
    /// `family:revision`.
    pub id: String,
    pub family: String,
    pub revision: i32,
    pub arn: String,
    pub region: String,
    /// `pidMode`: `host`, `task`, or `None` (each container has its own namespace).
    pub pid_mode: Option<String>,
    /// The role its containers' AWS calls use.
    pub task_role_arn: Option<String>,
    pub containers: Vec<Container>,
    pub tags: Tags,
}

impl TaskDefinition {
    pub const RESOURCE_TYPE: &'static str = "AWS::ECS::TaskDefinition";
}

/// A container definition's security-relevant settings.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Container {
    pub name: String,
    /// `privileged` (absent: false).
    pub privileged: bool,
    /// `readonlyRootFilesystem` (absent: false, the root filesystem is writable).
    pub readonly_root_filesystem: bool,
    /// The container has a `logConfiguration`.
    pub logging: bool,
    /// The names of its `environment` variables. Never their values: they may be secrets, and
    /// the inventory ends up in reports.
    pub environment_names: Vec<String>,
}
