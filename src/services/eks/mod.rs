//! EKS: clusters, with their API server endpoint access and Kubernetes version, and their
//! managed node groups' versions.

mod checks;
mod collect;
mod versions;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["eks"],
    permissions: &[
        "eks:ListClusters",
        "eks:DescribeCluster",
        "eks:ListNodegroups",
        "eks:DescribeNodegroup",
    ],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub clusters: Vec<Cluster>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.clusters.extend(other.clusters);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.clusters, in_environment, |c| Some(&c.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.clusters {
            found(&c.region, Cluster::RESOURCE_TYPE, &c.name, &c.tags);
        }
    }
}

/// An EKS cluster, as DescribeCluster describes it (tags included).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cluster {
    pub name: String,
    pub arn: String,
    pub region: String,
    /// The Kubernetes minor version (`1.31`); `None`: the description did not say.
    pub version: Option<String>,
    /// The API server endpoint's access; `None`: the description had no `resourcesVpcConfig`.
    pub endpoint: Option<EndpointAccess>,
    pub tags: Tags,
    /// Its managed node groups; `None`: they could not be listed (an error says why).
    pub nodegroups: Option<Vec<Nodegroup>>,
}

impl Cluster {
    pub const RESOURCE_TYPE: &'static str = "AWS::EKS::Cluster";
}

/// A managed node group, as DescribeNodegroup describes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Nodegroup {
    pub name: String,
    pub arn: String,
    /// The nodes' Kubernetes minor version; `None`: the description did not say.
    pub version: Option<String>,
}

impl Nodegroup {
    pub const RESOURCE_TYPE: &'static str = "AWS::EKS::Nodegroup";
}

/// Who can reach the Kubernetes API server endpoint
/// (https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EndpointAccess {
    /// `endpointPublicAccess`: the endpoint answers from the internet.
    pub public: bool,
    /// `endpointPrivateAccess`: the endpoint answers from within the VPC.
    pub private: bool,
    /// `publicAccessCidrs`: where the public endpoint answers from (AWS's default: 0.0.0.0/0).
    pub public_access_cidrs: Vec<String>,
}
