//! VPCs and the region's flow logs: two listings, matched here.

use aws_sdk_ec2::Client;

use super::{FlowLog, Inventory, Vpc};
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
