//! VPCs and the region's flow logs (two listings, matched here), and its network ACLs.

use aws_sdk_ec2::Client;

use super::{AclEntry, FlowLog, Inventory, NetworkAcl, Vpc};
use crate::aws::{each_page, Call};
use crate::services::ec2::{ec2_arn, ec2_tags};
use crate::services::{CollectContext, Collection};

/// VPCs with the flow logs whose resource is the VPC itself.
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let account = context.account_id;
    let mut collection = Collection::<Inventory>::default();
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
    let acl_pages = client
        .describe_network_acls()
        .max_results(1000)
        .into_paginator()
        .send();
    let (mut vpc_errors, mut log_errors, mut acl_errors) = (Vec::new(), Vec::new(), Vec::new());
    let mut acls = Vec::new();
    let vpc_call = Call::new("ec2", region, "DescribeVpcs");
    let log_call = Call::new("ec2", region, "DescribeFlowLogs");
    let acl_call = Call::new("ec2", region, "DescribeNetworkAcls");
    futures::join!(
        each_page(vpc_pages, &vpc_call, &mut vpc_errors, |page| vpcs
            .extend(page.vpcs.unwrap_or_default()),),
        each_page(log_pages, &log_call, &mut log_errors, |page| flow_logs
            .extend(page.flow_logs.unwrap_or_default()),),
        each_page(acl_pages, &acl_call, &mut acl_errors, |page| acls
            .extend(page.network_acls.unwrap_or_default()),),
    );
    // A listing cut short judges no ACL of the region (an error entry says why).
    if acl_errors.is_empty() {
        collection.inventory.network_acls = acls
            .iter()
            .filter_map(|acl| network_acl(acl, region, account))
            .collect();
    }
    collection.errors.extend(acl_errors);
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
            arn: ec2_arn(region, vpc.owner_id().unwrap_or(account), "vpc", id),
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
            tags: ec2_tags(vpc.tags()),
        });
    }
    collection
}

fn network_acl(
    acl: &aws_sdk_ec2::types::NetworkAcl,
    region: &str,
    account: &str,
) -> Option<NetworkAcl> {
    let id = acl.network_acl_id()?;
    let mut ingress: Vec<AclEntry> = acl
        .entries()
        .iter()
        .filter(|e| e.egress() == Some(false))
        .map(|e| AclEntry {
            rule_number: e.rule_number().unwrap_or(i32::MAX),
            allow: e.rule_action().map(|a| a.as_str()) == Some("allow"),
            protocol: e.protocol().unwrap_or("-1").to_string(),
            cidr: e
                .cidr_block()
                .or(e.ipv6_cidr_block())
                .unwrap_or_default()
                .to_string(),
            ports: e.port_range().and_then(|range| {
                let port = |n: Option<i32>| n.and_then(|n| u16::try_from(n).ok());
                Some((port(range.from())?, port(range.to())?))
            }),
        })
        .collect();
    ingress.sort_by_key(|e| e.rule_number);
    Some(NetworkAcl {
        id: id.to_string(),
        region: region.to_string(),
        arn: ec2_arn(region, acl.owner_id().unwrap_or(account), "network-acl", id),
        vpc_id: acl.vpc_id().unwrap_or_default().to_string(),
        is_default: acl.is_default().unwrap_or(false),
        subnets: acl.associations().len(),
        ingress,
        tags: ec2_tags(acl.tags()),
    })
}
