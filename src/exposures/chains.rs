//! The chains, one function per way in. Each starts from a failed entry result and adds only
//! failed results; a resource that lacks a link (no public address, no group open to the
//! internet, a role without privilege) is no exposure.

use std::collections::{BTreeSet, HashMap};

use super::{exposure, Exposure, ExposureKind, ExposureStep, Failed, StepRole};
use crate::services::checks::enumerate;
use crate::services::ec2::{Image, Instance, Snapshot};
use crate::services::ecs::{EcsService, TaskDefinition};
use crate::services::eks::Cluster;
use crate::services::iam::{privilege, Principal, PrincipalKind, Privilege};
use crate::services::lambda::Function;
use crate::services::opensearch::Domain;
use crate::services::rds::{DbCluster, DbInstance, DbSnapshot};
use crate::services::redshift::RedshiftCluster;
use crate::services::s3::Bucket;
use crate::services::sg::{open_to_world_on, world_ingress, SecurityGroup};
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
        }
    }

    /// The groups of `ids` open to the internet (on `port` only, when given).
    fn open_groups(&self, region: &str, ids: &[String], port: Option<u16>) -> Vec<OpenGroup<'a>> {
        ids.iter()
            .filter_map(|id| self.groups.get(&(region, id.as_str())))
            .filter(|group| port.is_none_or(|port| open_to_world_on(group, port)))
            .map(|group| OpenGroup {
                group,
                ingress: world_ingress(group),
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
                let said = |r: &crate::model::CheckResult| r.detail.clone();
                self.failed
                    .step("sg.all_ports_open", at, StepRole::Ease, said)
                    .or_else(|| {
                        self.failed
                            .step("sg.high_risk_ports", at, StepRole::Ease, said)
                    })
            })
            .collect()
    }

    /// The step that shows what `role`'s credentials can do, when they can do harm.
    fn reach(&self, role: &Principal, whose: &str) -> Option<(ExposureStep, Privilege)> {
        let privilege = privilege(role)?;
        let at = (role.kind.resource_type(), "global", role.name.as_str());
        let step = privilege.shown_by().iter().find_map(|check| {
            self.failed.step(check, at, StepRole::Reach, |_| {
                format!("{whose} role {} {}.", role.name, privilege.describe())
            })
        })?;
        Some((step, privilege))
    }

    /// `Some((exposure, reachable))`: `reachable` when the instance is reachable from the
    /// internet at all (a public snapshot of its disk then counts), with or without an exposure.
    fn instance(&self, instance: &Instance) -> Option<(Option<Exposure>, bool)> {
        if !matches!(instance.state.as_str(), "running" | "pending") {
            return None;
        }
        let open = self.open_groups(&instance.region, &instance.security_groups, None);
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
                    open.iter()
                        .map(OpenGroup::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
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

    fn ecs_service(&self, service: &EcsService) -> Option<Exposure> {
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
                format!(
                    "Its tasks get public addresses and {}.",
                    open.iter()
                        .map(OpenGroup::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                )
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

    fn function(&self, function: &Function) -> Option<Exposure> {
        let at = (
            Function::RESOURCE_TYPE,
            function.region.as_str(),
            function.name.as_str(),
        );
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let entries: Vec<ExposureStep> = ["lambda.url_public", "lambda.policy_public"]
            .iter()
            .filter_map(|check| self.failed.step(check, at, StepRole::Entry, said))
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

    fn database(&self, db: &DbInstance) -> Option<Exposure> {
        let port = u16::try_from(db.port?).ok()?;
        let open = self.open_groups(&db.region, &db.security_groups, Some(port));
        if open.is_empty() {
            return None;
        }
        let at = (
            DbInstance::RESOURCE_TYPE,
            db.region.as_str(),
            db.id.as_str(),
        );
        let entry = self
            .failed
            .step("rds.public_access", at, StepRole::Entry, |_| {
                format!(
                    "It is publicly accessible on port {port} and {}.",
                    open.iter()
                        .map(OpenGroup::describe)
                        .collect::<Vec<_>>()
                        .join("; ")
                )
            })?;
        let mut steps = vec![entry];
        steps.extend(self.port_steps(&open));
        let unencrypted = |r: &crate::model::CheckResult| format!("What it stores: {}", r.detail);
        let storage = match &db.cluster_id {
            Some(cluster) => self.failed.step(
                "rds.storage_encrypted",
                (
                    DbCluster::RESOURCE_TYPE,
                    db.region.as_str(),
                    cluster.as_str(),
                ),
                StepRole::Ease,
                unencrypted,
            ),
            None => self
                .failed
                .step("rds.storage_encrypted", at, StepRole::Ease, unencrypted),
        };
        steps.extend(storage);
        let title = format!(
            "Database {} accepts connections from the internet on port {port}.",
            db.id
        );
        let fix = format!(
            "Set PubliclyAccessible to false on {}, or restrict port {port} on {} to known addresses.",
            db.id,
            group_ids(&open)
        );
        Some(exposure(
            ExposureKind::ReachableDatabase,
            steps,
            false,
            title,
            fix,
        ))
    }

    fn warehouse(&self, cluster: &RedshiftCluster) -> Option<Exposure> {
        let at = (
            RedshiftCluster::RESOURCE_TYPE,
            cluster.region.as_str(),
            cluster.id.as_str(),
        );
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let entry = self
            .failed
            .step("redshift.not_public", at, StepRole::Entry, said)?;
        let port = self
            .failed
            .step("redshift.port_not_open", at, StepRole::Entry, said)?;
        Some(exposure(
            ExposureKind::ReachableWarehouse,
            vec![entry, port],
            false,
            format!(
                "Redshift cluster {} accepts connections from the internet on its port.",
                cluster.id
            ),
            format!("Turn off public accessibility on {}.", cluster.id),
        ))
    }

    fn search_domain(&self, domain: &Domain) -> Option<Exposure> {
        let at = (
            Domain::RESOURCE_TYPE,
            domain.region.as_str(),
            domain.name.as_str(),
        );
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let entry = self
            .failed
            .step("opensearch.not_public", at, StepRole::Entry, said)?;
        let access =
            self.failed
                .step("opensearch.fine_grained_access", at, StepRole::Ease, said)?;
        Some(exposure(
            ExposureKind::PublicSearchDomain,
            vec![entry, access],
            false,
            format!(
                "OpenSearch domain {} has a public endpoint guarded only by its access policy.",
                domain.name
            ),
            format!(
                "Enable fine-grained access control on {} (a VPC domain needs a new domain).",
                domain.name
            ),
        ))
    }

    fn kubernetes_api(&self, cluster: &Cluster) -> Option<Exposure> {
        let endpoint = cluster.endpoint.as_ref()?;
        let cidrs = &endpoint.public_access_cidrs;
        let from_anywhere =
            cidrs.is_empty() || cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0");
        if !endpoint.public || !from_anywhere {
            return None;
        }
        let at = (
            Cluster::RESOURCE_TYPE,
            cluster.region.as_str(),
            cluster.name.as_str(),
        );
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let entry = self
            .failed
            .step("eks.endpoint_not_public", at, StepRole::Entry, said)?;
        let version = self
            .failed
            .step("eks.supported_version", at, StepRole::Ease, said)?;
        Some(exposure(
            ExposureKind::PublicKubernetesApi,
            vec![entry, version],
            false,
            format!(
                "The Kubernetes API of EKS cluster {} answers the whole internet on a version \
                 out of standard support.",
                cluster.name
            ),
            format!(
                "Limit publicAccessCidrs of {} to known addresses (or make the endpoint private).",
                cluster.name
            ),
        ))
    }

    fn bucket(&self, bucket: &Bucket) -> Option<Exposure> {
        let at = (
            Bucket::RESOURCE_TYPE,
            bucket.region.as_str(),
            bucket.name.as_str(),
        );
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let steps: Vec<ExposureStep> = ["s3.policy_public", "s3.acl_public"]
            .iter()
            .filter_map(|check| self.failed.step(check, at, StepRole::Data, said))
            .collect();
        if steps.is_empty() {
            return None;
        }
        Some(exposure(
            ExposureKind::PublicBucket,
            steps,
            false,
            format!("Anyone on the internet can access bucket {}.", bucket.name),
            format!(
                "Turn on the account's S3 Block Public Access (or the bucket's), then remove the \
                 public grants from {}.",
                bucket.name
            ),
        ))
    }

    /// A public EBS snapshot is an exposure when it is unencrypted or a copy of the disk of an
    /// instance reachable from the internet.
    fn ebs_snapshot(&self, snapshot: &Snapshot, reachable: &BTreeSet<&str>) -> Option<Exposure> {
        let of_reachable = snapshot.volume_id.as_deref().and_then(|volume| {
            self.inventory
                .ec2
                .volumes
                .iter()
                .find(|v| v.id == volume)?
                .attached_instances
                .iter()
                .find(|i| reachable.contains(i.as_str()))
        });
        if snapshot.encrypted && of_reachable.is_none() {
            return None;
        }
        let at = (
            Snapshot::RESOURCE_TYPE,
            snapshot.region.as_str(),
            snapshot.id.as_str(),
        );
        let step = self
            .failed
            .step("ec2.ebs_snapshot_public", at, StepRole::Data, |r| {
                let mut said = r.detail.clone();
                if !snapshot.encrypted {
                    said.push_str(" It is not encrypted.");
                }
                if let Some(instance) = of_reachable {
                    said.push_str(&format!(
                        " It copies a disk of {instance}, which is reachable from the internet."
                    ));
                }
                said
            })?;
        Some(exposure(
            ExposureKind::PublicSnapshot,
            vec![step],
            false,
            format!(
                "Anyone can create a volume from EBS snapshot {}.",
                snapshot.id
            ),
            format!(
                "Remove the public createVolumePermission from {}.",
                snapshot.id
            ),
        ))
    }

    /// AWS cannot make an AMI with encrypted snapshots public, so a public one always holds
    /// readable disks.
    fn image(&self, image: &Image) -> Option<Exposure> {
        let at = (
            Image::RESOURCE_TYPE,
            image.region.as_str(),
            image.id.as_str(),
        );
        let step = self
            .failed
            .step("ec2.ami_public", at, StepRole::Data, |r| {
                format!(
                    "{} Its disks are readable by whoever launches it.",
                    r.detail
                )
            })?;
        Some(exposure(
            ExposureKind::PublicImage,
            vec![step],
            false,
            format!("Anyone can launch AMI {} and read its disks.", image.id),
            format!("Remove the public launch permission from {}.", image.id),
        ))
    }

    fn db_snapshot(&self, snapshot: &DbSnapshot) -> Option<Exposure> {
        let kind = if snapshot.cluster {
            DbSnapshot::CLUSTER_RESOURCE_TYPE
        } else {
            DbSnapshot::RESOURCE_TYPE
        };
        let at = (kind, snapshot.region.as_str(), snapshot.id.as_str());
        let said = |r: &crate::model::CheckResult| r.detail.clone();
        let mut steps = vec![self
            .failed
            .step("rds.snapshot_public", at, StepRole::Data, said)?];
        steps.extend(
            self.failed
                .step("rds.snapshot_encrypted", at, StepRole::Ease, said),
        );
        Some(exposure(
            ExposureKind::PublicSnapshot,
            steps,
            false,
            format!(
                "Any AWS account can restore database snapshot {}.",
                snapshot.id
            ),
            format!(
                "Remove \"all\" from the restore attribute of {}.",
                snapshot.id
            ),
        ))
    }
}
