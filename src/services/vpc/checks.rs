//! VPCs: flow logs.

use super::Vpc;
use crate::model::Severity;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Resource, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[&FLOW_LOGS_ENABLED, &super::network_acls::NACL_ADMIN_PORTS];

/// What can create or remove a VPC or one of its flow logs.
const FLOW_LOG_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "CreateFlowLogs",
        "DeleteFlowLogs",
        "CreateVpc",
        "CreateDefaultVpc",
        "DeleteVpc",
    ],
}];

const FLOW_LOGS_ENABLED: Check = Check {
    id: "vpc.flow_logs_enabled",
    service: Service::Vpc,
    severity: Severity::Medium,
    resource_types: &[Vpc::RESOURCE_TYPE],
    title: "VPC flow logs record rejected traffic",
    rationale: "Flow logs are the record of who talked to what in the network; without them an \
                intrusion or an exfiltration leaves no network trace.",
    remediation: "aws ec2 create-flow-logs --resource-type VPC --resource-ids <vpc> \
                  --traffic-type REJECT (or ALL) with a CloudWatch Logs or S3 destination.",
    reference: "https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs.html",
    fsbp: &["EC2.6"],
    cis: &["3.7"],
    triggers: FLOW_LOG_CHANGES,
    reads: &[
        Read::all("ec2:DescribeVpcs"),
        Read::all("ec2:DescribeFlowLogs"),
    ],
    evaluate: flow_logs_enabled,
};

/// Only a flow log of the VPC itself counts: one on a subnet or an interface sees part of it.
fn flow_logs_enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for vpc in &inventory.vpc.vpcs {
        let resource = Resource {
            resource_type: Vpc::RESOURCE_TYPE,
            id: &vpc.id,
            name: None,
            arn: Some(&vpc.arn),
            region: &vpc.region,
        };
        let recording = vpc.flow_logs.iter().find(|log| {
            log.status == "ACTIVE" && matches!(log.traffic_type.as_str(), "ALL" | "REJECT")
        });
        verdicts.judge(
            &resource,
            recording.is_some(),
            || {
                let log = recording.expect("judged passing only with a recording log");
                format!(
                    "Flow log {} records {} traffic of the VPC.",
                    log.id, log.traffic_type
                )
            },
            || match vpc.flow_logs.as_slice() {
                [] => "The VPC itself has no flow log (subnet and interface logs do not count)."
                    .into(),
                logs => {
                    let seen: Vec<String> = logs
                        .iter()
                        .map(|l| format!("{} ({}, {})", l.id, l.status, l.traffic_type))
                        .collect();
                    format!(
                        "No active VPC flow log records rejected traffic: {}.",
                        seen.join(", ")
                    )
                }
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{FlowLog, Vpc};
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{vpc, Inventory};

    fn vpc(id: &str, logs: &[(&str, &str)]) -> Vpc {
        Vpc {
            id: id.into(),
            region: "us-east-1".into(),
            flow_logs: logs
                .iter()
                .enumerate()
                .map(|(i, (status, traffic))| FlowLog {
                    id: format!("fl-{i}"),
                    status: status.to_string(),
                    traffic_type: traffic.to_string(),
                })
                .collect(),
            ..Default::default()
        }
    }

    fn vpcs() -> Inventory {
        Inventory::from(vpc::Inventory {
            network_acls: Vec::new(),
            vpcs: vec![
                vpc("vpc-all", &[("ACTIVE", "ALL")]),
                vpc("vpc-reject", &[("ACTIVE", "REJECT")]),
                vpc("vpc-accept-only", &[("ACTIVE", "ACCEPT")]),
                vpc("vpc-failed", &[("FAILED", "ALL")]),
                vpc("vpc-none", &[]),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = [("vpc-all", Status::Pass), ("vpc-none", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "vpc.flow_logs_enabled",
                resource_id,
                expected,
                inventory: vpcs,
                region: None,
            })
            .into();
        cases.extend(super::super::network_acls::tests::cases());
        cases
    }

    #[test]
    fn only_an_active_vpc_log_of_rejected_traffic_counts() {
        let results = run(&vpcs());
        let status = |id| only(&results, "vpc.flow_logs_enabled", id).status;
        assert_eq!(status("vpc-reject"), Status::Pass);
        assert_eq!(status("vpc-accept-only"), Status::Fail);
        assert_eq!(status("vpc-failed"), Status::Fail);
        assert!(only(&results, "vpc.flow_logs_enabled", "vpc-none")
            .detail
            .contains("subnet and interface logs do not count"));
    }
}
