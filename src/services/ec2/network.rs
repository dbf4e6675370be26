//! EC2 resources that decide what reaches the network: transit gateways accepting other
//! accounts' VPCs, and launch templates giving instances public addresses.

use super::{LaunchTemplate, TransitGateway};
use crate::model::Severity;
use crate::services::checks::Verdicts;
use crate::services::checks::{enumerate, Check, CheckOptions, EventTrigger, Read, Resource};
use crate::services::{Inventory, Service};

/// What can change a transit gateway's options, or create or delete one.
const TRANSIT_GATEWAY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "CreateTransitGateway",
        "ModifyTransitGateway",
        "DeleteTransitGateway",
    ],
}];

/// FSBP EC2.23, AWS Config rule `ec2-transit-gateway-auto-vpc-attach-disabled` (no
/// parameters): a transit gateway whose `AutoAcceptSharedAttachments` is `enable` fails.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-23>
pub(super) const TRANSIT_GATEWAY_AUTO_ACCEPT: Check = Check {
    id: "ec2.transit_gateway_auto_accept",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: &[TransitGateway::RESOURCE_TYPE],
    title: "Transit gateways do not accept shared VPC attachments automatically",
    rationale: "With auto-accept on, any account the gateway is shared with attaches its VPCs \
                to the gateway's network without anyone approving it.",
    remediation: "aws ec2 modify-transit-gateway --transit-gateway-id <id> --options \
                  AutoAcceptSharedAttachments=disable; accept attachments one by one.",
    reference: "https://docs.aws.amazon.com/vpc/latest/tgw/tgw-transit-gateways.html",
    fsbp: &["EC2.23"],
    cis: &[],
    triggers: TRANSIT_GATEWAY_CHANGES,
    reads: &[Read::all("ec2:DescribeTransitGateways")],
    evaluate: transit_gateway_auto_accept,
};

fn transit_gateway_auto_accept(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for gateway in &inventory.ec2.transit_gateways {
        // Unsaid (never in practice): no verdict rather than a guess.
        let Some(setting) = gateway.auto_accept_shared_attachments.as_deref() else {
            continue;
        };
        let resource = Resource {
            resource_type: TransitGateway::RESOURCE_TYPE,
            id: &gateway.id,
            name: None,
            arn: Some(&gateway.arn),
            region: &gateway.region,
        };
        verdicts.judge(
            &resource,
            setting != "enable",
            || "Shared VPC attachments wait to be accepted (AutoAcceptSharedAttachments is disable).".into(),
            || "Shared VPC attachments are accepted automatically (AutoAcceptSharedAttachments is enable).".into(),
        );
    }
}

/// What can change a launch template's default version, or create or delete one.
const LAUNCH_TEMPLATE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ec2.amazonaws.com",
    names: &[
        "CreateLaunchTemplate",
        "CreateLaunchTemplateVersion",
        "ModifyLaunchTemplate",
        "DeleteLaunchTemplate",
    ],
}];

/// FSBP EC2.25, AWS Config rule `ec2-launch-template-public-ip-disabled` (no parameters): the
/// default version of a launch template fails when one of its network interfaces has
/// `AssociatePublicIpAddress` true; other versions are not judged.
/// <https://docs.aws.amazon.com/config/latest/developerguide/ec2-launch-template-public-ip-disabled.html>
pub(super) const LAUNCH_TEMPLATE_PUBLIC_IP: Check = Check {
    id: "ec2.launch_template_public_ip",
    service: Service::Ec2,
    severity: Severity::High,
    resource_types: &[LaunchTemplate::RESOURCE_TYPE],
    title: "Launch templates do not assign public IP addresses",
    rationale: "Every instance launched from the template (by hand, an Auto Scaling group or a \
                fleet) gets a public address, reachable from the internet as far as its \
                security groups allow.",
    remediation: "Create a version without AssociatePublicIpAddress (aws ec2 \
                  create-launch-template-version) and make it the default (aws ec2 \
                  modify-launch-template --default-version).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/ec2-controls.html#ec2-25",
    fsbp: &["EC2.25"],
    cis: &[],
    triggers: LAUNCH_TEMPLATE_CHANGES,
    reads: &[
        Read::all("ec2:DescribeLaunchTemplates"),
        Read::each("ec2:DescribeLaunchTemplateVersions"),
    ],
    evaluate: launch_template_public_ip,
};

fn launch_template_public_ip(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for template in &inventory.ec2.launch_templates {
        let Some(public) = &template.public_ip_interfaces else {
            continue;
        };
        let resource = Resource {
            resource_type: LaunchTemplate::RESOURCE_TYPE,
            id: &template.id,
            name: Some(&template.name),
            arn: Some(&template.arn),
            region: &template.region,
        };
        let version = template.default_version.map_or_else(
            || "the default version".to_string(),
            |v| format!("default version {v}"),
        );
        verdicts.judge(
            &resource,
            public.is_empty(),
            || format!("No network interface of {version} asks for a public IP address."),
            || {
                let devices: Vec<String> = public.iter().map(|d| format!("device {d}")).collect();
                format!(
                    "{} assigns a public IP address (AssociatePublicIpAddress on {}).",
                    capitalized(&version),
                    enumerate(&devices, 3)
                )
            },
        );
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::ec2;

    fn network() -> Inventory {
        let gateway = |id: &str, setting: &str| TransitGateway {
            id: id.into(),
            region: "us-east-1".into(),
            auto_accept_shared_attachments: Some(setting.into()),
            ..Default::default()
        };
        let template = |id: &str, version: Option<i64>, public: Option<Vec<i32>>| LaunchTemplate {
            id: id.into(),
            region: "us-east-1".into(),
            default_version: version,
            public_ip_interfaces: public,
            ..Default::default()
        };
        Inventory::from(ec2::Inventory {
            transit_gateways: vec![
                gateway("tgw-approving", "disable"),
                gateway("tgw-open", "enable"),
            ],
            launch_templates: vec![
                template("lt-private", Some(2), Some(vec![])),
                template("lt-public", Some(1), Some(vec![0, 1])),
                template("lt-unread", None, None),
            ],
            ..Default::default()
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            (
                "ec2.transit_gateway_auto_accept",
                "tgw-approving",
                Status::Pass,
            ),
            ("ec2.transit_gateway_auto_accept", "tgw-open", Status::Fail),
            ("ec2.launch_template_public_ip", "lt-private", Status::Pass),
            ("ec2.launch_template_public_ip", "lt-public", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: network,
            region: None,
        })
        .into()
    }

    #[test]
    fn launch_templates_name_the_interfaces_and_unread_ones_get_no_verdict() {
        let results = run(&network());
        assert_eq!(
            only(&results, "ec2.launch_template_public_ip", "lt-public").detail,
            "Default version 1 assigns a public IP address (AssociatePublicIpAddress on device 0 \
             and device 1)."
        );
        none(&results, "ec2.launch_template_public_ip", "lt-unread");
    }
}
