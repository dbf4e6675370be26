//! Security groups: one paginated listing per region; a re-check reads only the groups named.

use aws_sdk_ec2::Client;

use super::{IngressRule, Inventory, SecurityGroup};
use crate::aws::{each_page, Call};
use crate::model::AuditError;
use crate::services::ec2::{ec2_arn, ec2_tags};
use crate::services::{CollectContext, Collection};

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("ec2", region, "DescribeSecurityGroups");
    // A re-check filters on `group-id` rather than passing `GroupIds`: with ids, one deleted
    // group fails the whole call (InvalidGroup.NotFound); a filter just leaves it out, which
    // is how a deleted group's results get resolved. EC2 takes at most 200 values a filter.
    let batches: Vec<Option<Vec<String>>> = match context.only {
        None => vec![None],
        Some(ids) => {
            let ids: Vec<String> = ids.iter().cloned().collect();
            ids.chunks(200).map(|chunk| Some(chunk.to_vec())).collect()
        }
    };
    for ids in batches {
        let filter = ids.map(|ids| {
            aws_sdk_ec2::types::Filter::builder()
                .name("group-id")
                .set_values(Some(ids))
                .build()
        });
        let pages = client
            .describe_security_groups()
            .set_filters(filter.map(|f| vec![f]))
            .max_results(1000)
            .into_paginator()
            .send();
        let inventory = &mut collection.inventory;
        each_page(pages, &call, &mut collection.errors, |page| {
            let groups = page.security_groups().iter();
            (inventory.security_groups).extend(groups.filter_map(|g| group(g, region, account)));
        })
        .await;
    }
    collection
}

/// The groups an event touched: CloudTrail's `groupId` wherever the call names one (ingress
/// and egress rule changes, `ModifySecurityGroupRules`' `GroupId`, a created group's
/// response). See the EC2 API reference of each action for the parameter names.
pub(crate) fn touched(event: &crate::services::change_events::ApiEvent) -> Vec<String> {
    let mut ids = event.parameters_named("groupId");
    ids.extend(event.parameters_named("GroupId"));
    ids.retain(|id| id.starts_with("sg-"));
    ids.sort();
    ids.dedup();
    ids
}

/// The groups with these ids, in one call: for a service whose verdict depends on the rules of
/// its resources' groups (Redshift), whether or not the `sg` service is audited.
pub(crate) async fn describe_groups(
    context: &CollectContext<'_>,
    region: &str,
    ids: &[String],
    errors: &mut Vec<AuditError>,
) -> Vec<SecurityGroup> {
    if ids.is_empty() {
        return Vec::new();
    }
    let client: Client = context.clients.client(region);
    let call = Call::new("ec2", region, "DescribeSecurityGroups");
    let answer = client
        .describe_security_groups()
        .set_group_ids(Some(ids.to_vec()))
        .send()
        .await;
    call.read(answer, errors, |output| {
        (output.security_groups().iter())
            .filter_map(|g| group(g, region, context.account_id))
            .collect()
    })
    .unwrap_or_default()
}

fn group(
    group: &aws_sdk_ec2::types::SecurityGroup,
    region: &str,
    account: &str,
) -> Option<SecurityGroup> {
    let id = group.group_id()?;
    Some(SecurityGroup {
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
        ingress: group.ip_permissions().iter().map(permission).collect(),
        egress: group
            .ip_permissions_egress()
            .iter()
            .map(permission)
            .collect(),
        tags: ec2_tags(group.tags()),
    })
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
