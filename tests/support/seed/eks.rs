//! EKS: `platform`, with a public endpoint restricted to 203.0.113.0/24 and Kubernetes 1.24
//! (fails both EKS checks), and `internal`, with a private endpoint and Kubernetes 1.35 (passes
//! both until 1.35 leaves standard support on 2027-03-27); `internal`'s node groups `workers`
//! on 1.35 and `legacy` on 1.29 (EKS.9: pass and fail).

use aws_config::SdkConfig;
use aws_sdk_eks::types::VpcConfigRequest;

use super::BoxError;

/// moto checks only the form of the role ARN; the role is not created.
const CLUSTER_ROLE: &str = "arn:aws:iam::123456789012:role/eks-cluster";

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let subnets = default_subnets(sdk).await?;
    let eks = aws_sdk_eks::Client::new(sdk);
    // (name, version, public endpoint, allowed CIDRs, environment)
    let clusters: [(&str, &str, bool, &[&str], &str); 2] = [
        ("platform", "1.24", true, &["203.0.113.0/24"], "prod"),
        ("internal", "1.35", false, &[], "dev"),
    ];
    for (name, version, public, cidrs, env) in clusters {
        let mut vpc = VpcConfigRequest::builder()
            .endpoint_public_access(public)
            .endpoint_private_access(!public);
        for subnet in &subnets {
            vpc = vpc.subnet_ids(subnet);
        }
        for cidr in cidrs {
            vpc = vpc.public_access_cidrs(*cidr);
        }
        eks.create_cluster()
            .name(name)
            .version(version)
            .role_arn(CLUSTER_ROLE)
            .resources_vpc_config(vpc.build())
            .tags("Environment", env)
            .send()
            .await?;
    }
    for (group, version) in [("workers", "1.35"), ("legacy", "1.29")] {
        eks.create_nodegroup()
            .cluster_name("internal")
            .nodegroup_name(group)
            .version(version)
            .node_role(NODE_ROLE)
            .set_subnets(Some(subnets.clone()))
            .send()
            .await?;
    }
    Ok(())
}

/// As the cluster role: only its form is checked.
const NODE_ROLE: &str = "arn:aws:iam::123456789012:role/eks-nodes";

/// Two subnets of the default VPC (EKS asks for subnets in two availability zones).
async fn default_subnets(sdk: &SdkConfig) -> Result<Vec<String>, BoxError> {
    Ok(super::default_vpc(sdk)
        .await?
        .subnets
        .into_iter()
        .take(2)
        .collect())
}
