//! EC2 Auto Scaling: what launch configurations give the instances they start (IMDSv2, public
//! addresses).

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["autoscaling"],
    permissions: &["autoscaling:DescribeLaunchConfigurations"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub launch_configurations: Vec<LaunchConfiguration>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.launch_configurations
            .extend(other.launch_configurations);
    }

    /// Launch configurations carry no tags: none is in a tagged environment.
    fn retain_environment(&mut self, _: InEnvironment) {
        self.launch_configurations.clear();
    }

    fn each_tagged(&self, _: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {}
}

/// A launch configuration as DescribeLaunchConfigurations reports it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LaunchConfiguration {
    /// The name (the resource id in results).
    pub name: String,
    pub region: String,
    pub arn: String,
    /// `AssociatePublicIpAddress`; `None` when not set (the subnet's setting decides).
    pub associate_public_ip_address: Option<bool>,
    /// `MetadataOptions.HttpTokens` (`required` or `optional`); `None` when the launch
    /// configuration sets no metadata options.
    pub http_tokens: Option<String>,
    /// `MetadataOptions.HttpEndpoint` (`enabled` or `disabled`).
    pub http_endpoint: Option<String>,
}

impl LaunchConfiguration {
    pub const RESOURCE_TYPE: &'static str = "AWS::AutoScaling::LaunchConfiguration";
}
