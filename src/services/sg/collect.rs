//! Security groups: one paginated listing per region.

use aws_sdk_ec2::Client;

use super::{IngressRule, Inventory, SecurityGroup};
use crate::aws::{each_page, Call};
use crate::services::ec2::{ec2_arn, ec2_tags};
use crate::services::{CollectContext, Collection};

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
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
                arn: ec2_arn(
                    region,
                    group.owner_id().unwrap_or(account),
                    "security-group",
                    id,
                ),
                ingress,
                egress,
                tags: ec2_tags(group.tags()),
            });
        }
    })
    .await;
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

