//! EC2: instances, volumes, owned snapshots, AMIs and transit gateways, one paginated listing
//! each (two for snapshots), and the region's EBS encryption-by-default and snapshot block
//! public access settings.

use std::collections::HashSet;

use aws_sdk_ec2::types::Filter;
use aws_sdk_ec2::Client;

use super::{Image, Instance, Inventory, LaunchTemplate, Snapshot, TransitGateway, Volume};
use crate::aws::{each_page, partition, regional_client, tag_map, Call};
use crate::model::Tags;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_ec2);

/// The ARN of an EC2 resource (`instance`, `volume`, `security-group`, `vpc`, ...).
pub(crate) fn ec2_arn(region: &str, account: &str, kind: &str, id: &str) -> String {
    format!(
        "arn:{}:ec2:{region}:{account}:{kind}/{id}",
        partition(region)
    )
}

pub(crate) fn ec2_tags(tags: &[aws_sdk_ec2::types::Tag]) -> Tags {
    tag_map(tags, |t| t.key(), |t| t.value())
}

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let concurrency = context.concurrency.get();
    let (
        mut instances,
        volumes,
        default_encryption,
        snapshots,
        snapshot_block,
        images,
        gateways,
        templates,
    ) = futures::join!(
        instances(&client, region, account),
        volumes(&client, region, account),
        ebs_encryption_by_default(&client, region),
        snapshots(&client, region),
        snapshot_block_public_access(&client, region),
        images(&client, region),
        transit_gateways(&client, region, account),
        launch_templates(&client, region, account, concurrency),
    );
    for part in [
        volumes,
        default_encryption,
        snapshots,
        snapshot_block,
        images,
        gateways,
        templates,
    ] {
        instances.merge(part);
    }
    instances
}

/// The snapshots this account owns, each marked public or not, from two listings per region
/// and no per-snapshot call: the owned ones (`OwnerIds=self`), and those among them that
/// anyone may restore (`RestorableByUserIds=all`; without `OwnerIds=self` AWS would list every
/// public snapshot in the region, of every account). A region where either listing failed
/// gets no snapshots, so no verdict rests on half the answer.
async fn snapshots(client: &Client, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("ec2", region, "DescribeSnapshots");
    let owned_pages = client
        .describe_snapshots()
        .owner_ids("self")
        .max_results(1000)
        .into_paginator()
        .send();
    let public_pages = client
        .describe_snapshots()
        .owner_ids("self")
        .restorable_by_user_ids("all")
        .max_results(1000)
        .into_paginator()
        .send();
    let mut owned = Vec::new();
    let mut public = HashSet::new();
    let (mut owned_errors, mut public_errors) = (Vec::new(), Vec::new());
    futures::join!(
        each_page(owned_pages, &call, &mut owned_errors, |page| owned
            .extend(page.snapshots.unwrap_or_default())),
        each_page(public_pages, &call, &mut public_errors, |page| public
            .extend(
                page.snapshots()
                    .iter()
                    .filter_map(|s| s.snapshot_id().map(str::to_string))
            )),
    );
    collection.errors.extend(owned_errors);
    collection.errors.extend(public_errors);
    if !collection.errors.is_empty() {
        return collection;
    }
    collection.inventory.snapshots = owned
        .iter()
        .filter_map(|snapshot| {
            let id = snapshot.snapshot_id()?;
            Some(Snapshot {
                id: id.to_string(),
                region: region.to_string(),
                arn: format!("arn:{}:ec2:{region}::snapshot/{id}", partition(region)),
                public: public.contains(id),
                encrypted: snapshot.encrypted().unwrap_or(false),
                volume_id: snapshot.volume_id().map(str::to_string),
                tags: ec2_tags(snapshot.tags()),
            })
        })
        .collect();
    collection
}

/// The region's snapshot block public access state: in `block-all-sharing` mode a snapshot
/// whose attribute still says public is not publicly available (EC2 API reference,
/// GetSnapshotBlockPublicAccessState).
async fn snapshot_block_public_access(client: &Client, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let answer = client.get_snapshot_block_public_access_state().send().await;
    let call = Call::new("ec2", region, "GetSnapshotBlockPublicAccessState");
    if let Some(state) = call.read(answer, &mut collection.errors, |o| {
        o.state().map_or("unblocked", |s| s.as_str()).to_string()
    }) {
        collection
            .inventory
            .snapshot_block_public_access
            .insert(region.to_string(), state);
    }
    collection
}

/// AMIs this account owns, with their `Public` flag.
async fn images(client: &Client, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
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
                tags: ec2_tags(image.tags()),
            });
        }
    })
    .await;
    collection
}

/// The transit gateways this account owns (the listing also shows gateways shared with it
/// through RAM, which their owner configures), deleted ones left out.
async fn transit_gateways(client: &Client, region: &str, account: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("ec2", region, "DescribeTransitGateways");
    let pages = client
        .describe_transit_gateways()
        .max_results(1000)
        .into_paginator()
        .send();
    let inventory = &mut collection.inventory;
    each_page(pages, &call, &mut collection.errors, |page| {
        for gateway in page.transit_gateways() {
            let Some(id) = gateway.transit_gateway_id() else {
                continue;
            };
            let state = gateway.state().map(|s| s.as_str()).unwrap_or_default();
            if gateway.owner_id() != Some(account) || matches!(state, "deleted" | "deleting") {
                continue;
            }
            inventory.transit_gateways.push(TransitGateway {
                id: id.to_string(),
                region: region.to_string(),
                arn: gateway
                    .transit_gateway_arn()
                    .map(str::to_string)
                    .unwrap_or_else(|| ec2_arn(region, account, "transit-gateway", id)),
                state: state.to_string(),
                auto_accept_shared_attachments: gateway
                    .options()
                    .and_then(|o| o.auto_accept_shared_attachments())
                    .map(|v| v.as_str().to_string()),
                tags: ec2_tags(gateway.tags()),
            });
        }
    })
    .await;
    collection
}

/// The launch templates, then each one's default version (FSBP EC2.25 judges only that one),
/// `concurrency` at a time.
async fn launch_templates(
    client: &Client,
    region: &str,
    account: &str,
    concurrency: usize,
) -> Collection<Inventory> {
    use futures::stream::{self, StreamExt};
    let mut collection = Collection::<Inventory>::default();
    let mut listed = Vec::new();
    let pages = client
        .describe_launch_templates()
        .max_results(200)
        .into_paginator()
        .send();
    let call = Call::new("ec2", region, "DescribeLaunchTemplates");
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.launch_templates.unwrap_or_default())
    })
    .await;
    let mut described = stream::iter(listed)
        .map(|template| async move {
            let id = template
                .launch_template_id()
                .unwrap_or_default()
                .to_string();
            let answer = client
                .describe_launch_template_versions()
                .launch_template_id(&id)
                .versions("$Default")
                .send()
                .await;
            let mut errors = Vec::new();
            let public_ip_interfaces = Call::new("ec2", region, "DescribeLaunchTemplateVersions")
                .on(&id)
                .read(answer, &mut errors, |output| {
                    output
                        .launch_template_versions()
                        .iter()
                        .filter_map(|version| version.launch_template_data())
                        .flat_map(|data| data.network_interfaces())
                        .filter(|interface| interface.associate_public_ip_address() == Some(true))
                        .map(|interface| interface.device_index().unwrap_or_default())
                        .collect()
                });
            let found = LaunchTemplate {
                name: template
                    .launch_template_name()
                    .unwrap_or_default()
                    .to_string(),
                region: region.to_string(),
                arn: ec2_arn(region, account, "launch-template", &id),
                default_version: template.default_version_number(),
                public_ip_interfaces,
                tags: ec2_tags(template.tags()),
                id,
            };
            (found, errors)
        })
        .buffer_unordered(concurrency);
    while let Some((template, errors)) = described.next().await {
        collection.inventory.launch_templates.push(template);
        collection.errors.extend(errors);
    }
    collection
}

async fn ebs_encryption_by_default(client: &Client, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
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

async fn instances(client: &Client, region: &str, account: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
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
                arn: ec2_arn(region, account, "instance", id),
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
                public_interface_groups: public_interface_groups(instance),
                instance_profile: instance
                    .iam_instance_profile()
                    .and_then(|p| p.arn())
                    .map(str::to_string),
                tags: ec2_tags(instance.tags()),
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

/// The groups of the network interfaces that have a public address, each once: the groups
/// the internet meets (a private interface's open group is not reachable from outside).
fn public_interface_groups(instance: &aws_sdk_ec2::types::Instance) -> Vec<String> {
    let public: Vec<&aws_sdk_ec2::types::InstanceNetworkInterface> = instance
        .network_interfaces()
        .iter()
        .filter(|eni| eni.association().and_then(|a| a.public_ip()).is_some())
        .collect();
    let ids: Vec<&str> = if public.is_empty() && instance.public_ip_address().is_some() {
        // No interface detail reported: the instance's groups are its primary interface's.
        instance
            .security_groups()
            .iter()
            .filter_map(|g| g.group_id())
            .collect()
    } else {
        public
            .iter()
            .flat_map(|eni| eni.groups())
            .filter_map(|g| g.group_id())
            .collect()
    };
    let mut groups: Vec<String> = Vec::new();
    for id in ids {
        if !groups.iter().any(|g| g == id) {
            groups.push(id.to_string());
        }
    }
    groups
}

async fn volumes(client: &Client, region: &str, account: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
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
                arn: ec2_arn(region, account, "volume", id),
                encrypted: volume.encrypted().unwrap_or(false),
                kms_key_id: volume.kms_key_id().map(str::to_string),
                state: volume.state().map_or("unknown", |s| s.as_str()).to_string(),
                attached_instances: volume
                    .attachments()
                    .iter()
                    .filter_map(|a| a.instance_id().map(str::to_string))
                    .collect(),
                tags: ec2_tags(volume.tags()),
            });
        }
    })
    .await;
    collection
}
