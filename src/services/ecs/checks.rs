//! ECS services assign no public IPs; task definitions (the latest ACTIVE revision of each
//! family) keep containers unprivileged, read-only, logged and free of AWS credentials.

use super::{Container, EcsService, TaskDefinition, TaskSet};
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &NO_PUBLIC_IP,
    &TASK_SET_NO_PUBLIC_IP,
    &NO_HOST_PID,
    &NO_PRIVILEGED,
    &READONLY_ROOT,
    &NO_CREDENTIALS_IN_ENV,
    &LOGGING,
];

/// What can change a service's network configuration, or create or delete one.
const SERVICE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ecs.amazonaws.com",
    names: &["CreateService", "UpdateService", "DeleteService"],
}];

/// What can change a family's latest ACTIVE revision (a new one, or the latest deregistered).
const TASK_DEFINITION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ecs.amazonaws.com",
    names: &["RegisterTaskDefinition", "DeregisterTaskDefinition"],
}];

const NO_PUBLIC_IP: Check = Check {
    id: "ecs.no_public_ip",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[EcsService::RESOURCE_TYPE],
    title: "ECS services do not assign public IP addresses automatically",
    rationale: "A task with a public IP address is reachable from the internet on every port its security groups allow, bypassing the load balancers and NAT gateways meant to stand in front of it.",
    remediation: "Run the service's tasks in private subnets with assignPublicIp DISABLED (aws ecs update-service --cluster <cluster> --service <service> --network-configuration 'awsvpcConfiguration={subnets=[...],securityGroups=[...],assignPublicIp=DISABLED}'), behind a load balancer, with a NAT gateway or VPC endpoints for outbound traffic.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_AwsVpcConfiguration.html",
    fsbp: &["ECS.2"],
    cis: &[],
    triggers: SERVICE_CHANGES,
    reads: &[
        Read::all("ecs:ListClusters"),
        Read::all("ecs:ListServices"),
        Read::all("ecs:DescribeServices"),
    ],
    evaluate: no_public_ip,
};

const NO_HOST_PID: Check = Check {
    id: "ecs.no_host_pid",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskDefinition::RESOURCE_TYPE],
    title: "ECS task definitions do not share the host's process namespace",
    rationale: "With pidMode host, the containers see and can signal every process on the instance, including other tasks' and the ECS agent's, which breaks the isolation between workloads.",
    remediation: "Register a new revision without pidMode host (use task or leave it unset), move services to it and deregister the old revision.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_definition_pidmode",
    fsbp: &["ECS.3"],
    cis: &[],
    triggers: TASK_DEFINITION_CHANGES,
    reads: &[Read::all("ecs:ListTaskDefinitionFamilies"), Read::all("ecs:DescribeTaskDefinition")],
    evaluate: no_host_pid,
};

const NO_PRIVILEGED: Check = Check {
    id: "ecs.no_privileged",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskDefinition::RESOURCE_TYPE],
    title: "ECS containers do not run privileged",
    rationale: "A privileged container has root on the host instance: every device and kernel capability, so whoever compromises it controls the instance and every task on it.",
    remediation: "Register a new revision with privileged false (or unset) on every container, granting only the Linux capabilities a container needs (linuxParameters.capabilities), and move services to it.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
    fsbp: &["ECS.4"],
    cis: &[],
    triggers: TASK_DEFINITION_CHANGES,
    reads: &[Read::all("ecs:ListTaskDefinitionFamilies"), Read::all("ecs:DescribeTaskDefinition")],
    evaluate: no_privileged,
};

const READONLY_ROOT: Check = Check {
    id: "ecs.readonly_root",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskDefinition::RESOURCE_TYPE],
    title: "ECS containers have read-only root filesystems",
    rationale: "A writable root filesystem lets an attacker in a container replace its binaries and drop tools that survive until the task stops; a read-only root limits writes to the volumes meant for them.",
    remediation: "Register a new revision with readonlyRootFilesystem true on every container, mounting volumes for the paths that must be written (temporary files, caches), and move services to it.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_security",
    fsbp: &["ECS.5"],
    cis: &[],
    triggers: TASK_DEFINITION_CHANGES,
    reads: &[Read::all("ecs:ListTaskDefinitionFamilies"), Read::all("ecs:DescribeTaskDefinition")],
    evaluate: readonly_root,
};

const NO_CREDENTIALS_IN_ENV: Check = Check {
    id: "ecs.no_credentials_in_env",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskDefinition::RESOURCE_TYPE],
    title: "ECS task definitions pass no credentials in environment variables",
    rationale: "Environment variables of a task definition are stored in plain text and shown to anyone allowed to describe it: access keys or registry credentials there leak to every reader of the task definition.",
    remediation: "Give the task an IAM task role instead of access keys, keep registry credentials in Secrets Manager (repositoryCredentials) and pass other secrets through the secrets parameter, then register the new revision and rotate the exposed keys.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
    fsbp: &["ECS.8"],
    cis: &[],
    triggers: TASK_DEFINITION_CHANGES,
    reads: &[Read::all("ecs:ListTaskDefinitionFamilies"), Read::all("ecs:DescribeTaskDefinition")],
    evaluate: no_credentials_in_env,
};

const LOGGING: Check = Check {
    id: "ecs.logging",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskDefinition::RESOURCE_TYPE],
    title: "ECS containers have a logging configuration",
    rationale: "Without a log configuration a container's output stays on the instance, or is lost with a Fargate task: there is nothing to investigate an incident with.",
    remediation: "Register a new revision with a logConfiguration on every container (awslogs to CloudWatch Logs, or awsfirelens), and move services to it.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#container_definition_logconfiguration",
    fsbp: &["ECS.9"],
    cis: &[],
    triggers: TASK_DEFINITION_CHANGES,
    reads: &[Read::all("ecs:ListTaskDefinitionFamilies"), Read::all("ecs:DescribeTaskDefinition")],
    evaluate: logging,
};

/// FSBP ECS.2 fails a service whose `assignPublicIp` is ENABLED
/// (https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-2). A
/// service without an awsvpc configuration (bridge or host networking) gets no interface, and
/// so no public IP, of its own.
fn no_public_ip(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for service in &inventory.ecs.services {
        let resource = Resource {
            resource_type: EcsService::RESOURCE_TYPE,
            id: &service.id,
            name: Some(&service.name),
            arn: Some(&service.arn),
            region: &service.region,
        };
        match service.assign_public_ip.as_deref() {
            Some("ENABLED") => verdicts.fail(
                &resource,
                "assignPublicIp is ENABLED: each of the service's tasks gets a public IP address, reachable from the internet as far as its security groups allow.".into(),
            ),
            Some(other) => verdicts.pass(
                &resource,
                format!("assignPublicIp is {other}: the service's tasks get no public IP address."),
            ),
            None if service.awsvpc => verdicts.pass(
                &resource,
                "assignPublicIp is not set, which means DISABLED: the service's tasks get no public IP address.".into(),
            ),
            None => verdicts.pass(
                &resource,
                "The service has no awsvpc network configuration (bridge or host networking): ECS assigns its tasks no IP address of their own.".into(),
            ),
        }
    }
}

fn resource(definition: &TaskDefinition) -> Resource<'_> {
    Resource {
        resource_type: TaskDefinition::RESOURCE_TYPE,
        id: &definition.id,
        name: None,
        arn: Some(&definition.arn),
        region: &definition.region,
    }
}

/// The names of the containers for which `bad` holds, as a readable list.
fn containers_where(definition: &TaskDefinition, bad: impl Fn(&Container) -> bool) -> Vec<String> {
    definition
        .containers
        .iter()
        .filter(|&c| bad(c))
        .map(|c| c.name.clone())
        .collect()
}

/// Judges each task definition by its containers: passes when none is `bad`, otherwise fails
/// naming them. A task definition without containers passes (there is nothing to run).
fn judge_containers(
    inventory: &Inventory,
    verdicts: &mut Verdicts,
    bad: impl Fn(&Container) -> bool,
    pass: &str,
    fail: &str,
) {
    for definition in &inventory.ecs.task_definitions {
        let named = containers_where(definition, &bad);
        let count = definition.containers.len();
        verdicts.judge(
            &resource(definition),
            named.is_empty(),
            || {
                format!(
                    "{pass} ({count} container{}).",
                    if count == 1 { "" } else { "s" }
                )
            },
            || format!("{fail}: {}.", enumerate(&named, 5)),
        );
    }
}

fn no_host_pid(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for definition in &inventory.ecs.task_definitions {
        let mode = definition.pid_mode.as_deref();
        verdicts.judge(
            &resource(definition),
            mode != Some("host"),
            || match mode {
                Some(mode) => format!("pidMode is {mode}: the containers do not see the host's processes."),
                None => "pidMode is not set: each container has its own process namespace.".into(),
            },
            || "pidMode is host: the containers share the host's process namespace and see every process on the instance.".into(),
        );
    }
}

fn no_privileged(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    judge_containers(
        inventory,
        verdicts,
        |c| c.privileged,
        "No container is privileged",
        "Privileged containers, with root access to the host",
    );
}

/// `readonlyRootFilesystem` absent is false: the root filesystem is writable.
fn readonly_root(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    judge_containers(
        inventory,
        verdicts,
        |c| !c.readonly_root_filesystem,
        "Every container has a read-only root filesystem",
        "Containers with a writable root filesystem (readonlyRootFilesystem false or unset)",
    );
}

/// The variable names FSBP ECS.8 looks for in `environment`
/// (https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-8).
const CREDENTIAL_VARIABLES: [&str; 3] = [
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "ECS_ENGINE_AUTH_DATA",
];

/// Judged on variable names only: the inventory never holds their values.
fn no_credentials_in_env(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for definition in &inventory.ecs.task_definitions {
        let found: Vec<String> = definition
            .containers
            .iter()
            .flat_map(|c| {
                c.environment_names
                    .iter()
                    .filter(|name| CREDENTIAL_VARIABLES.contains(&name.as_str()))
                    .map(move |name| format!("{name} in {}", c.name))
            })
            .collect();
        verdicts.judge(
            &resource(definition),
            found.is_empty(),
            || "No container's environment sets AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY or ECS_ENGINE_AUTH_DATA.".into(),
            || format!("Credentials are passed as plain environment variables: {}.", enumerate(&found, 5)),
        );
    }
}

fn logging(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    judge_containers(
        inventory,
        verdicts,
        |c| !c.logging,
        "Every container has a logConfiguration",
        "Containers without a logConfiguration",
    );
}

/// What can create or delete a task set (its network configuration cannot change).
const TASK_SET_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ecs.amazonaws.com",
    names: &["CreateTaskSet", "DeleteTaskSet", "DeleteService"],
}];

/// FSBP ECS.16, a Security Hub custom rule (`ecs-taskset-assign-public-ip-disabled`): a task set
/// whose `assignPublicIp` is ENABLED fails.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/ecs-controls.html#ecs-16>
const TASK_SET_NO_PUBLIC_IP: Check = Check {
    id: "ecs.task_set_no_public_ip",
    service: Service::Ecs,
    severity: Severity::High,
    resource_types: &[TaskSet::RESOURCE_TYPE],
    title: "ECS task sets do not assign public IP addresses",
    rationale: "Each task of a task set that assigns public IPs is reachable from the internet as far as its security groups allow.",
    remediation: "Create a replacement task set with assignPublicIp DISABLED (aws ecs create-task-set), move traffic to it and delete the old one; reach the tasks through a load balancer.",
    reference: "https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_TaskSet.html",
    fsbp: &["ECS.16"],
    cis: &[],
    triggers: TASK_SET_CHANGES,
    reads: &[
        Read::all("ecs:ListClusters"),
        Read::all("ecs:ListServices"),
        Read::all("ecs:DescribeServices"),
    ],
    evaluate: task_set_no_public_ip,
};

fn task_set_no_public_ip(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for service in &inventory.ecs.services {
        for set in &service.task_sets {
            let id = format!("{}/{}", service.id, set.id);
            let resource = Resource {
                resource_type: TaskSet::RESOURCE_TYPE,
                id: &id,
                name: None,
                arn: Some(&set.arn),
                region: &service.region,
            };
            let setting = set.assign_public_ip.as_deref().unwrap_or("DISABLED");
            verdicts.judge(
                &resource,
                setting != "ENABLED",
                || format!("assignPublicIp is {setting}: the task set's tasks get no public IP address."),
                || "assignPublicIp is ENABLED: each of the task set's tasks gets a public IP address.".into(),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Container, EcsService, TaskDefinition, TaskSet};
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{ecs, Inventory};

    fn service(name: &str, awsvpc: bool, assign: Option<&str>) -> EcsService {
        EcsService {
            id: format!("apps/{name}"),
            name: name.into(),
            cluster: "apps".into(),
            arn: format!("arn:aws:ecs:us-east-1:123456789012:service/apps/{name}"),
            region: "us-east-1".into(),
            awsvpc,
            assign_public_ip: assign.map(str::to_string),
            ..Default::default()
        }
    }

    fn good(name: &str) -> Container {
        Container {
            name: name.into(),
            privileged: false,
            readonly_root_filesystem: true,
            logging: true,
            environment_names: vec!["LOG_LEVEL".into()],
        }
    }

    fn definition(
        family: &str,
        revision: i32,
        pid: Option<&str>,
        containers: Vec<Container>,
    ) -> TaskDefinition {
        TaskDefinition {
            id: format!("{family}:{revision}"),
            family: family.into(),
            revision,
            arn: format!("arn:aws:ecs:us-east-1:123456789012:task-definition/{family}:{revision}"),
            region: "us-east-1".into(),
            pid_mode: pid.map(str::to_string),
            containers,
            ..Default::default()
        }
    }

    fn inventory() -> Inventory {
        let bad = Container {
            name: "app".into(),
            privileged: true,
            readonly_root_filesystem: false,
            logging: false,
            environment_names: vec!["DB_HOST".into(), "AWS_SECRET_ACCESS_KEY".into()],
        };
        Inventory::from(ecs::Inventory {
            services: vec![
                EcsService {
                    task_sets: vec![
                        TaskSet {
                            id: "ecs-svc/blue".into(),
                            assign_public_ip: Some("ENABLED".into()),
                            ..Default::default()
                        },
                        TaskSet {
                            id: "ecs-svc/green".into(),
                            ..Default::default()
                        },
                    ],
                    ..service("web", true, Some("ENABLED"))
                },
                service("worker", true, Some("DISABLED")),
                service("defaulted", true, None),
                service("bridged", false, None),
            ],
            task_definitions: vec![
                definition("web", 3, Some("host"), vec![bad, good("sidecar")]),
                definition("worker", 2, Some("task"), vec![good("worker")]),
                definition(
                    "mixed",
                    1,
                    None,
                    vec![
                        good("a"),
                        Container {
                            readonly_root_filesystem: false,
                            logging: false,
                            ..good("b")
                        },
                    ],
                ),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("ecs.no_public_ip", "apps/web", Status::Fail),
            ("ecs.no_public_ip", "apps/worker", Status::Pass),
            (
                "ecs.task_set_no_public_ip",
                "apps/web/ecs-svc/blue",
                Status::Fail,
            ),
            (
                "ecs.task_set_no_public_ip",
                "apps/web/ecs-svc/green",
                Status::Pass,
            ),
            ("ecs.no_host_pid", "web:3", Status::Fail),
            ("ecs.no_host_pid", "worker:2", Status::Pass),
            ("ecs.no_privileged", "web:3", Status::Fail),
            ("ecs.no_privileged", "worker:2", Status::Pass),
            ("ecs.readonly_root", "web:3", Status::Fail),
            ("ecs.readonly_root", "worker:2", Status::Pass),
            ("ecs.no_credentials_in_env", "web:3", Status::Fail),
            ("ecs.no_credentials_in_env", "worker:2", Status::Pass),
            ("ecs.logging", "web:3", Status::Fail),
            ("ecs.logging", "worker:2", Status::Pass),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory,
            region: None,
        })
        .into()
    }

    #[test]
    fn services_without_awsvpc_or_without_the_setting_assign_no_public_ip() {
        let results = run(&inventory());
        let bridged = only(&results, "ecs.no_public_ip", "apps/bridged");
        assert_eq!(bridged.status, Status::Pass);
        assert!(bridged.detail.contains("no awsvpc"), "{}", bridged.detail);
        let defaulted = only(&results, "ecs.no_public_ip", "apps/defaulted");
        assert_eq!(defaulted.status, Status::Pass);
        assert!(
            defaulted.detail.contains("DISABLED"),
            "{}",
            defaulted.detail
        );
        assert_eq!(bridged.resource_name.as_deref(), Some("bridged"));
    }

    #[test]
    fn failures_name_the_offending_containers() {
        let results = run(&inventory());
        let privileged = only(&results, "ecs.no_privileged", "web:3");
        assert_eq!(
            privileged.detail,
            "Privileged containers, with root access to the host: app."
        );
        // Absent readonlyRootFilesystem and logConfiguration count as not set.
        let mixed = only(&results, "ecs.readonly_root", "mixed:1");
        assert_eq!(mixed.status, Status::Fail);
        assert!(mixed.detail.ends_with(": b."), "{}", mixed.detail);
        assert_eq!(
            only(&results, "ecs.logging", "mixed:1").status,
            Status::Fail
        );
        assert_eq!(
            only(&results, "ecs.no_host_pid", "mixed:1").status,
            Status::Pass
        );
    }

    #[test]
    fn credentials_are_found_by_variable_name_only() {
        let results = run(&inventory());
        let web = only(&results, "ecs.no_credentials_in_env", "web:3");
        assert_eq!(
            web.detail,
            "Credentials are passed as plain environment variables: AWS_SECRET_ACCESS_KEY in app."
        );
        // Near misses are not the names FSBP looks for.
        let mut near = inventory();
        near.ecs.task_definitions[1].containers[0].environment_names =
            vec!["AWS_ACCESS_KEY".into(), "aws_secret_access_key".into()];
        let results = run(&near);
        assert_eq!(
            only(&results, "ecs.no_credentials_in_env", "worker:2").status,
            Status::Pass
        );
    }
}
