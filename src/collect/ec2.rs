//! EC2: instances, volumes and security groups, one paginated listing each, and the region's
//! EBS encryption-by-default setting.

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

use super::errors::each_page;
use super::{tag_map, Call, Collection};
use crate::inventory::{
    partition, FlowLog, Image, IngressRule, Instance, SecurityGroup, Volume, Vpc,
};

fn arn(region: &str, account: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:{}:ec2:{region}:{account}:{kind}/{id}",
        partition(region)
    )
}

fn tags(tags: &[aws_sdk_ec2::types::Tag]) -> crate::inventory::Tags {
    tag_map(tags, |t| t.key(), |t| t.value())
}

pub(super) async fn instances_and_volumes(
    client: Client,
    region: &str,
    account: &str,
) -> Collection {
    let (mut instances, volumes, default_encryption, snapshots, images) = futures::join!(
        instances(&client, region, account),
        volumes(&client, region, account),
        ebs_encryption_by_default(&client, region),
        public_snapshots(&client, region),
        images(&client, region),
    );
    instances.merge(volumes);
    instances.merge(default_encryption);
    instances.merge(snapshots);
    instances.merge(images);
    instances
}

/// Snapshots this account owns that anyone may restore: one query per region. Without
/// `OwnerIds=self`, AWS would list every public snapshot in the region, of every account.
async fn public_snapshots(client: &Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("ec2", region, "DescribeSnapshots");
    let pages = client
        .describe_snapshots()
        .owner_ids("self")
        .restorable_by_user_ids("all")
        .max_results(1000)
        .into_paginator()
        .send();
    let mut public = Vec::new();
    each_page(pages, &call, &mut collection.errors, |page| {
        public.extend(
            page.snapshots()
                .iter()
                .filter_map(|s| s.snapshot_id().map(str::to_string)),
        )
    })
    .await;
    if collection.errors.is_empty() {
        collection
            .inventory
            .public_snapshots
            .insert(region.to_string(), public);
    }
    collection
}

/// AMIs this account owns, with their `Public` flag.
async fn images(client: &Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("ec2", region, "DescribeImages");
    let pages = client
        .describe_images()
        .owners("self")
        .max_results(1000)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for image in page.images() {
            let Some(id) = image.image_id() else { continue };
            inventory.images.push(Image {
                id: id.to_string(),
                name: image.name().unwrap_or_default().to_string(),
                region: region.to_string(),
                arn: format!("arn:{}:ec2:{region}::image/{id}", partition(region)),
                public: image.public().unwrap_or(false),
                tags: tags(image.tags()),
            });
        }
    })
    .await;
    collection
}

/// VPCs and the flow logs of the region: two listings, matched here.
pub(super) async fn vpcs_and_flow_logs(client: Client, region: &str, account: &str) -> Collection {
    let mut collection = Collection::default();
    let mut vpcs = Vec::new();
    let mut flow_logs = Vec::new();
    let vpc_pages = client
        .describe_vpcs()
        .max_results(1000)
        .into_paginator()
        .send();
    let log_pages = client
        .describe_flow_logs()
        .max_results(1000)
        .into_paginator()
        .send();
    let (mut vpc_errors, mut log_errors) = (Vec::new(), Vec::new());
    let vpc_call = Call::new("ec2", region, "DescribeVpcs");
    let log_call = Call::new("ec2", region, "DescribeFlowLogs");
    futures::join!(
        each_page(vpc_pages, &vpc_call, &mut vpc_errors, |page| vpcs
            .extend(page.vpcs.unwrap_or_default()),),
        each_page(log_pages, &log_call, &mut log_errors, |page| flow_logs
            .extend(page.flow_logs.unwrap_or_default()),),
    );
    let logs_readable = log_errors.is_empty();
    collection.errors.extend(vpc_errors);
    collection.errors.extend(log_errors);
    if !logs_readable {
        // Without the flow logs, no VPC can be judged.
        return collection;
    }
    for vpc in vpcs {
        let Some(id) = vpc.vpc_id() else { continue };
        collection.inventory.vpcs.push(Vpc {
            id: id.to_string(),
            region: region.to_string(),
            arn: arn(region, vpc.owner_id().unwrap_or(account), "vpc", id),
            is_default: vpc.is_default().unwrap_or(false),
            // Only flow logs of the VPC itself: subnet and interface logs cover part of it.
            flow_logs: flow_logs
                .iter()
                .filter(|log| log.resource_id() == Some(id))
                .map(|log| FlowLog {
                    id: log.flow_log_id().unwrap_or_default().to_string(),
                    status: log.flow_log_status().unwrap_or_default().to_string(),
                    traffic_type: log
                        .traffic_type()
                        .map(|t| t.as_str().to_string())
                        .unwrap_or_default(),
                })
                .collect(),
            tags: tags(vpc.tags()),
        });
    }
    collection
}

async fn ebs_encryption_by_default(client: &Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    match client.get_ebs_encryption_by_default().send().await {
        Ok(output) => {
            collection.inventory.ebs_encryption_by_default.insert(
                region.to_string(),
                output.ebs_encryption_by_default().unwrap_or(false),
            );
        }
        Err(error) => collection
            .errors
            .push(Call::new("ec2", region, "GetEbsEncryptionByDefault").error(&error)),
    }
    collection
}

/// One permission of a security group, ingress or egress.
fn permission(permission: &aws_sdk_ec2::types::IpPermission) -> IngressRule {
    IngressRule {
        protocol: permission.ip_protocol().unwrap_or("-1").to_string(),
        from_port: permission.from_port(),
        to_port: permission.to_port(),
        cidrs: permission
            .ip_ranges()
            .iter()
            .filter_map(|r| r.cidr_ip())
            .chain(
                permission
                    .ipv6_ranges()
                    .iter()
                    .filter_map(|r| r.cidr_ipv6()),
            )
            .map(str::to_string)
            .collect(),
        other_peers: permission
            .user_id_group_pairs()
            .iter()
            .filter_map(|pair| pair.group_id())
            .chain(
                permission
                    .prefix_list_ids()
                    .iter()
                    .filter_map(|p| p.prefix_list_id()),
            )
            .map(str::to_string)
            .collect(),
    }
}

async fn instances(client: &Client, region: &str, account: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("ec2", region, "DescribeInstances");
    // Terminated instances linger in listings for an hour; they have nothing left to secure.
    let live_states = Filter::builder()
        .name("instance-state-name")
        .set_values(Some(
            ["pending", "running", "shutting-down", "stopping", "stopped"]
                .map(String::from)
                .to_vec(),
        ))
        .build();
    let pages = client
        .describe_instances()
        .filters(live_states)
        .max_results(1000)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for instance in page.reservations().iter().flat_map(|r| r.instances()) {
            let Some(id) = instance.instance_id() else {
                continue;
            };
            let metadata = instance.metadata_options();
            inventory.instances.push(Instance {
                id: id.to_string(),
                region: region.to_string(),
                arn: arn(region, account, "instance", id),
                state: instance
                    .state()
                    .and_then(|s| s.name())
                    .map_or("unknown", |s| s.as_str())
                    .to_string(),
                http_tokens: metadata
                    .and_then(|m| m.http_tokens())
                    .map(|t| t.as_str().to_string()),
                http_endpoint: metadata
                    .and_then(|m| m.http_endpoint())
                    .map(|e| e.as_str().to_string()),
                public_ips: public_ips(instance),
                tags: tags(instance.tags()),
            });
        }
    })
    .await;
    collection
}

/// The primary public address and those of every network interface (secondary ENIs and
/// Elastic IPs included), each once.
fn public_ips(instance: &aws_sdk_ec2::types::Instance) -> Vec<String> {
    let mut addresses: Vec<String> = Vec::new();
    let interfaces = instance
        .network_interfaces()
        .iter()
        .filter_map(|eni| eni.association().and_then(|a| a.public_ip()));
    for address in instance.public_ip_address().into_iter().chain(interfaces) {
        if !addresses.iter().any(|a| a == address) {
            addresses.push(address.to_string());
        }
    }
    addresses
}

async fn volumes(client: &Client, region: &str, account: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("ec2", region, "DescribeVolumes");
    let pages = client
        .describe_volumes()
        .max_results(500)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for volume in page.volumes() {
            let Some(id) = volume.volume_id() else {
                continue;
            };
            inventory.volumes.push(Volume {
                id: id.to_string(),
                region: region.to_string(),
                arn: arn(region, account, "volume", id),
                encrypted: volume.encrypted().unwrap_or(false),
                kms_key_id: volume.kms_key_id().map(str::to_string),
                state: volume.state().map_or("unknown", |s| s.as_str()).to_string(),
                attached_instances: volume
                    .attachments()
                    .iter()
                    .filter_map(|a| a.instance_id().map(str::to_string))
                    .collect(),
                tags: tags(volume.tags()),
            });
        }
    })
    .await;
    collection
}

pub(super) async fn security_groups(client: Client, region: &str, account: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("ec2", region, "DescribeSecurityGroups");
    let pages = client
        .describe_security_groups()
        .max_results(1000)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for group in page.security_groups() {
            let Some(id) = group.group_id() else { continue };
            let ingress = group.ip_permissions().iter().map(permission).collect();
            let egress = group
                .ip_permissions_egress()
                .iter()
                .map(permission)
                .collect();
            inventory.security_groups.push(SecurityGroup {
                id: id.to_string(),
                name: group.group_name().unwrap_or_default().to_string(),
                vpc_id: group.vpc_id().map(str::to_string),
                region: region.to_string(),
                arn: arn(
                    region,
                    group.owner_id().unwrap_or(account),
                    "security-group",
                    id,
                ),
                ingress,
                egress,
                tags: tags(group.tags()),
            });
        }
    })
    .await;
    collection
}
