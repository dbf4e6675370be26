//! Auto Scaling launch configurations: IMDSv2 required, no public IP addresses.

use super::LaunchConfiguration;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &LAUNCH_CONFIGURATION_IMDSV2,
    &LAUNCH_CONFIGURATION_PUBLIC_IP,
];

/// Launch configurations are immutable: created or deleted, never changed.
const LAUNCH_CONFIGURATION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "autoscaling.amazonaws.com",
    names: &["CreateLaunchConfiguration", "DeleteLaunchConfiguration"],
}];

const READS: &[Read] = &[Read::all("autoscaling:DescribeLaunchConfigurations")];

/// FSBP AutoScaling.3, AWS Config rule `autoscaling-launchconfig-requires-imdsv2` (no
/// parameters): NON_COMPLIANT "if the Metadata version is not included in the launch
/// configuration or if both Metadata V1 and V2 are enabled", i.e. unless `HttpTokens` is
/// `required`. Unlike `ec2.imdsv2_required` (EC2.8's rule), a disabled endpoint does not pass:
/// the rule reads the token setting only.
/// <https://docs.aws.amazon.com/config/latest/developerguide/autoscaling-launchconfig-requires-imdsv2.html>
const LAUNCH_CONFIGURATION_IMDSV2: Check = Check {
    id: "autoscaling.launch_configuration_imdsv2",
    service: Service::Autoscaling,
    severity: Severity::High,
    resource_types: &[LaunchConfiguration::RESOURCE_TYPE],
    title: "Auto Scaling launch configurations require IMDSv2",
    rationale: "Every instance an Auto Scaling group starts from the launch configuration inherits its metadata options: with IMDSv1 allowed, a server-side request forgery in any application on them can read the instance role's credentials.",
    remediation: "Launch configurations cannot be changed: create one with --metadata-options HttpTokens=required,HttpEndpoint=enabled (or move the group to a launch template that requires IMDSv2), point the group at it, and delete the old one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-3",
    fsbp: &["AutoScaling.3"],
    cis: &[],
    triggers: LAUNCH_CONFIGURATION_CHANGES,
    reads: READS,
    evaluate: launch_configuration_imdsv2,
};

/// FSBP Autoscaling.5 (AWS spells this id with a lower-case s), AWS Config rule
/// `autoscaling-launch-config-public-ip-disabled` (no parameters): NON_COMPLIANT when
/// `AssociatePublicIpAddress` is true. Not set passes, as in the rule: the subnet's own
/// setting then decides.
/// <https://docs.aws.amazon.com/config/latest/developerguide/autoscaling-launch-config-public-ip-disabled.html>
const LAUNCH_CONFIGURATION_PUBLIC_IP: Check = Check {
    id: "autoscaling.launch_configuration_public_ip",
    service: Service::Autoscaling,
    severity: Severity::High,
    resource_types: &[LaunchConfiguration::RESOURCE_TYPE],
    title: "Auto Scaling launch configurations assign no public IP address",
    rationale: "Instances started with a public IP address are reachable from the internet wherever their security groups allow it; a group's instances rarely need it behind a load balancer.",
    remediation: "Create a launch configuration (or launch template) with --no-associate-public-ip-address, point the group at it, and delete the old one.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-5",
    fsbp: &["Autoscaling.5"],
    cis: &[],
    triggers: LAUNCH_CONFIGURATION_CHANGES,
    reads: READS,
    evaluate: launch_configuration_public_ip,
};

fn resource(configuration: &LaunchConfiguration) -> Resource<'_> {
    Resource {
        resource_type: LaunchConfiguration::RESOURCE_TYPE,
        id: &configuration.name,
        name: None,
        arn: Some(&configuration.arn),
        region: &configuration.region,
    }
}

fn launch_configuration_imdsv2(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for configuration in &inventory.autoscaling.launch_configurations {
        let tokens = configuration.http_tokens.as_deref();
        verdicts.judge(
            &resource(configuration),
            tokens == Some("required"),
            || "HttpTokens is required: instances accept IMDSv2 session-token requests only.".into(),
            || match (tokens, configuration.http_endpoint.as_deref()) {
                (None, _) => "No metadata options: instances accept IMDSv1 requests.".into(),
                (Some(tokens), Some("disabled")) => format!("HttpTokens is {tokens} (the endpoint is disabled, but AWS's rule asks for HttpTokens required)."),
                (Some(tokens), _) => format!("HttpTokens is {tokens}: instances accept IMDSv1 requests."),
            },
        );
    }
}

fn launch_configuration_public_ip(
    inventory: &Inventory,
    _: &CheckOptions,
    verdicts: &mut Verdicts,
) {
    for configuration in &inventory.autoscaling.launch_configurations {
        let associate = configuration.associate_public_ip_address;
        verdicts.judge(
            &resource(configuration),
            associate != Some(true),
            || match associate {
                Some(_) => "AssociatePublicIpAddress is false.".into(),
                None => {
                    "AssociatePublicIpAddress is not set (the subnet's setting decides).".into()
                }
            },
            || {
                "AssociatePublicIpAddress is true: every instance started gets a public IP address."
                    .into()
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::LaunchConfiguration;
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{autoscaling, Inventory};

    fn configuration(
        name: &str,
        public: Option<bool>,
        tokens: Option<&str>,
        endpoint: Option<&str>,
    ) -> LaunchConfiguration {
        LaunchConfiguration {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:autoscaling:us-east-1:123456789012:launchConfiguration:0000:launchConfigurationName/{name}"),
            associate_public_ip_address: public,
            http_tokens: tokens.map(str::to_string),
            http_endpoint: endpoint.map(str::to_string),
        }
    }

    fn configurations() -> Inventory {
        Inventory::from(autoscaling::Inventory {
            launch_configurations: vec![
                configuration("hardened", Some(false), Some("required"), Some("enabled")),
                configuration("defaults", None, None, None),
                configuration("public-v1", Some(true), Some("optional"), Some("enabled")),
                configuration("endpoint-off", None, Some("optional"), Some("disabled")),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let imds = "autoscaling.launch_configuration_imdsv2";
        let public_ip = "autoscaling.launch_configuration_public_ip";
        [
            (imds, "hardened", Status::Pass),
            (imds, "defaults", Status::Fail),
            (imds, "public-v1", Status::Fail),
            (imds, "endpoint-off", Status::Fail),
            (public_ip, "hardened", Status::Pass),
            (public_ip, "defaults", Status::Pass),
            (public_ip, "public-v1", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: configurations,
            region: None,
        })
        .into()
    }

    #[test]
    fn details_say_why_defaults_fail_and_unset_passes() {
        let results = run(&configurations());
        let imds = only(
            &results,
            "autoscaling.launch_configuration_imdsv2",
            "defaults",
        );
        assert!(
            imds.detail.contains("No metadata options"),
            "{}",
            imds.detail
        );
        let ip = only(
            &results,
            "autoscaling.launch_configuration_public_ip",
            "defaults",
        );
        assert!(ip.detail.contains("subnet's setting"), "{}", ip.detail);
    }
}
