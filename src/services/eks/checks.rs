//! EKS clusters: a private API server endpoint, and a Kubernetes version in standard support
//! for the control plane and for each managed node group.

use super::versions::{self, Source, Support};
use super::{Cluster, Nodegroup};
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &ENDPOINT_NOT_PUBLIC,
    &SUPPORTED_VERSION,
    &NODEGROUP_SUPPORTED_VERSION,
];

/// What can change a cluster's endpoint access, or create or delete one.
const ENDPOINT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "eks.amazonaws.com",
    names: &["CreateCluster", "UpdateClusterConfig", "DeleteCluster"],
}];

/// What can change a cluster's Kubernetes version, or create or delete one.
const VERSION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "eks.amazonaws.com",
    names: &["CreateCluster", "UpdateClusterVersion", "DeleteCluster"],
}];

const ENDPOINT_NOT_PUBLIC: Check = Check {
    id: "eks.endpoint_not_public",
    service: Service::Eks,
    severity: Severity::High,
    resource_types: &[Cluster::RESOURCE_TYPE],
    title: "EKS cluster endpoints are not publicly accessible",
    rationale: "A public Kubernetes API server endpoint can be reached from the internet: a leaked kubeconfig, a stolen token or an API server vulnerability is then exploitable from anywhere, and allowed CIDR ranges narrow this only as far as those ranges can be trusted.",
    remediation: "Turn on private access and turn off public access (aws eks update-cluster-config --name <cluster> --resources-vpc-config endpointPrivateAccess=true,endpointPublicAccess=false), and reach the API server from the VPC, over a VPN or through a bastion.",
    reference: "https://docs.aws.amazon.com/eks/latest/userguide/cluster-endpoint.html",
    fsbp: &["EKS.1"],
    cis: &[],
    triggers: ENDPOINT_CHANGES,
    reads: &[Read::all("eks:ListClusters"), Read::each("eks:DescribeCluster")],
    evaluate: endpoint_not_public,
};

const SUPPORTED_VERSION: Check = Check {
    id: "eks.supported_version",
    service: Service::Eks,
    severity: Severity::High,
    resource_types: &[Cluster::RESOURCE_TYPE],
    title: "EKS clusters run a Kubernetes version in standard support",
    rationale: "Past its end of standard support a Kubernetes version gets security fixes only under paid extended support, and after that none: EKS then upgrades the cluster on its own schedule, which can break workloads.",
    remediation: "Upgrade the control plane one minor version at a time (aws eks update-cluster-version --name <cluster> --kubernetes-version <next>), then the node groups and add-ons; check deprecated APIs before each step.",
    reference: "https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html",
    fsbp: &["EKS.2"],
    cis: &[],
    triggers: VERSION_CHANGES,
    reads: &[Read::all("eks:ListClusters"), Read::each("eks:DescribeCluster")],
    evaluate: supported_version,
};

/// What can change a node group's Kubernetes version, or create or delete one.
const NODEGROUP_VERSION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "eks.amazonaws.com",
    names: &[
        "CreateNodegroup",
        "UpdateNodegroupVersion",
        "DeleteNodegroup",
        "DeleteCluster",
    ],
}];

/// FSBP EKS.9, AWS Config rule `eks-nodegroup-supported-version-check`: a managed node group
/// fails on a Kubernetes version out of standard support (extended support included), by the
/// same calendar `eks.supported_version` uses (Security Hub sets `oldestVersionSupported`
/// from it). <https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-9>
const NODEGROUP_SUPPORTED_VERSION: Check = Check {
    id: "eks.nodegroup_supported_version",
    service: Service::Eks,
    severity: Severity::High,
    resource_types: &[Nodegroup::RESOURCE_TYPE],
    title: "EKS node groups run a Kubernetes version in standard support",
    rationale: "Nodes run the kubelet and container runtime of their version: past standard support they get security fixes only under paid extended support, and after that none.",
    remediation: "Upgrade the node group to the control plane's version (aws eks update-nodegroup-version --cluster-name <cluster> --nodegroup-name <group>), after the control plane.",
    reference: "https://docs.aws.amazon.com/eks/latest/userguide/update-managed-node-group.html",
    fsbp: &["EKS.9"],
    cis: &[],
    triggers: NODEGROUP_VERSION_CHANGES,
    reads: &[
        Read::all("eks:ListClusters"),
        Read::all("eks:ListNodegroups"),
        Read::each("eks:DescribeNodegroup"),
    ],
    evaluate: nodegroup_supported_version,
};

fn nodegroup_supported_version(
    inventory: &Inventory,
    options: &CheckOptions,
    verdicts: &mut Verdicts,
) {
    for cluster in &inventory.eks.clusters {
        for group in cluster.nodegroups.iter().flatten() {
            let Some(version) = group.version.as_deref() else {
                continue;
            };
            let id = format!("{}/{}", cluster.name, group.name);
            let resource = Resource {
                resource_type: Nodegroup::RESOURCE_TYPE,
                id: &id,
                name: Some(&group.name),
                arn: Some(&group.arn),
                region: &cluster.region,
            };
            judge_version(verdicts, &resource, version, options);
        }
    }
}

fn resource(cluster: &Cluster) -> Resource<'_> {
    Resource {
        resource_type: Cluster::RESOURCE_TYPE,
        id: &cluster.name,
        name: None,
        arn: Some(&cluster.arn),
        region: &cluster.region,
    }
}

/// FSBP EKS.1 fails any public endpoint, restricted by `publicAccessCidrs` or not
/// (https://docs.aws.amazon.com/securityhub/latest/userguide/eks-controls.html#eks-1). A
/// cluster described without `resourcesVpcConfig` gets no result.
fn endpoint_not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.eks.clusters {
        let Some(endpoint) = &cluster.endpoint else {
            continue;
        };
        let resource = resource(cluster);
        if !endpoint.public {
            verdicts.pass(
                &resource,
                "The API server endpoint is private (endpointPublicAccess is false): it answers only from within the VPC.".into(),
            );
            continue;
        }
        let cidrs = &endpoint.public_access_cidrs;
        let open = cidrs.is_empty() || cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0");
        let detail = if open {
            "The API server endpoint is public and answers from anywhere on the internet (publicAccessCidrs allows 0.0.0.0/0).".to_string()
        } else {
            format!(
                "The API server endpoint is public, restricted to {}; a public endpoint fails whatever CIDR ranges it is limited to.",
                enumerate(cidrs, 5)
            )
        };
        verdicts.fail(&resource, detail);
    }
}

/// Passes a version whose standard support ends after the scan's day (on the end date itself,
/// support is over). A version newer than every version with a known date passes while the
/// newest known version is still in standard support: released after it, it is supported at
/// least as long. Any other version without a date (not `major.minor`, a gap in the dates)
/// fails: it cannot be shown to be supported. A cluster without a version gets no result.
fn supported_version(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    for cluster in &inventory.eks.clusters {
        let Some(version) = cluster.version.as_deref() else {
            continue;
        };
        judge_version(verdicts, &resource(cluster), version, options);
    }
}

/// One verdict on `version`, a cluster's or a node group's, as [`supported_version`] says.
fn judge_version(
    verdicts: &mut Verdicts,
    resource: &Resource,
    version: &str,
    options: &CheckOptions,
) {
    let today = verdicts.now().date();
    let overrides = &options.eks_standard_support_end;
    let unknown = || {
        format!(
            "Kubernetes {version} has no known end of standard support (it is neither in secaudit's table nor in the configured dates), so it cannot be shown to be supported; give its date with --eks-support-end {version}=YYYY-MM-DD (SECAUDIT_EKS_SUPPORT_END in Lambda)."
        )
    };
    match versions::support(version, overrides) {
        Support::Ends(end, source) => {
            let from = match source {
                Source::Table => "the EKS release calendar",
                Source::Options => "the configured support dates",
            };
            verdicts.judge(
                resource,
                today < end,
                || format!("Kubernetes {version} is in standard support until {end} ({from})."),
                || format!("Kubernetes {version} left standard support on {end} ({from}): it is on paid extended support or past it."),
            );
        }
        Support::Newer {
            newest,
            until_at_least,
        } => {
            let newest = versions::display(newest);
            verdicts.judge(
                resource,
                today < until_at_least,
                || format!("Kubernetes {version} is newer than {newest}, the newest version with a known date, which is in standard support until {until_at_least}: released after it, {version} is supported at least as long."),
                || format!("Kubernetes {version} is newer than every version with a known date, and the newest of them, {newest}, left standard support on {until_at_least}: the dates are out of date, so {version} cannot be shown to be supported; give its date with --eks-support-end {version}=YYYY-MM-DD (SECAUDIT_EKS_SUPPORT_END in Lambda)."),
            );
        }
        Support::Older { oldest, ended_by } if today >= ended_by => {
            let oldest = versions::display(oldest);
            verdicts.fail(
                resource,
                format!("Kubernetes {version} is older than {oldest}, whose standard support ended on {ended_by}: {version} left standard support before that."),
            );
        }
        Support::Older { .. } | Support::Unknown => verdicts.fail(resource, unknown()),
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use time::macros::date;

    use super::super::{Cluster, EndpointAccess, Nodegroup};
    use crate::model::{CheckResult, Status};
    use crate::services::checks::test_support::{none, only, run, Case, NOW};
    use crate::services::checks::{evaluate, CheckOptions};
    use crate::services::{eks, Inventory};

    const VERSION: &str = "eks.supported_version";
    const ENDPOINT: &str = "eks.endpoint_not_public";
    const NODEGROUP_VERSION: &str = "eks.nodegroup_supported_version";

    fn cluster(name: &str, version: Option<&str>, endpoint: Option<EndpointAccess>) -> Cluster {
        Cluster {
            name: name.into(),
            arn: format!("arn:aws:eks:us-east-1:123456789012:cluster/{name}"),
            region: "us-east-1".into(),
            version: version.map(str::to_string),
            endpoint,
            ..Default::default()
        }
    }

    fn nodegroup(name: &str, version: Option<&str>) -> Nodegroup {
        Nodegroup {
            name: name.into(),
            arn: format!("arn:aws:eks:us-east-1:123456789012:nodegroup/internal/{name}/1"),
            version: version.map(str::to_string),
        }
    }

    fn access(public: bool, cidrs: &[&str]) -> Option<EndpointAccess> {
        Some(EndpointAccess {
            public,
            private: !public,
            public_access_cidrs: cidrs.iter().map(|c| c.to_string()).collect(),
        })
    }

    /// As of the tests' clock (2026-11-27): 1.34 is in standard support until 2026-12-02.
    fn clusters() -> Inventory {
        Inventory::from(eks::Inventory {
            clusters: vec![
                Cluster {
                    nodegroups: Some(vec![
                        nodegroup("current", Some("1.34")),
                        nodegroup("stale", Some("1.29")),
                        nodegroup("undescribed", None),
                    ]),
                    ..cluster("internal", Some("1.34"), access(false, &[]))
                },
                cluster("platform", Some("1.24"), access(true, &["203.0.113.0/24"])),
                cluster("open", Some("1.33"), access(true, &["0.0.0.0/0"])),
                cluster("future", Some("1.40"), None),
                cluster("ancient", Some("1.19"), None),
                cluster("odd", Some("latest"), None),
                cluster("undescribed", None, None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            (ENDPOINT, "internal", Status::Pass),
            (ENDPOINT, "platform", Status::Fail),
            (ENDPOINT, "open", Status::Fail),
            (VERSION, "internal", Status::Pass),
            (VERSION, "platform", Status::Fail),
            (VERSION, "open", Status::Fail),
            (NODEGROUP_VERSION, "internal/current", Status::Pass),
            (NODEGROUP_VERSION, "internal/stale", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: clusters,
            region: None,
        })
        .into()
    }

    fn with_dates(dates: &[(&str, time::Date)]) -> Vec<CheckResult> {
        let options = CheckOptions {
            eks_standard_support_end: dates.iter().map(|(v, d)| (v.to_string(), *d)).collect(),
            ..CheckOptions::default()
        };
        evaluate(&clusters(), "123456789012", &options, NOW)
    }

    #[test]
    fn a_public_endpoint_restricted_to_cidrs_still_fails_and_names_them() {
        let results = run(&clusters());
        let result = only(&results, ENDPOINT, "platform");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("203.0.113.0/24"),
            "{}",
            result.detail
        );
        let open = only(&results, ENDPOINT, "open");
        assert!(open.detail.contains("anywhere"), "{}", open.detail);
        none(&results, ENDPOINT, "future");
    }

    #[test]
    fn support_ends_on_the_end_date_itself() {
        let results = with_dates(&[("1.34", date!(2026 - 11 - 27))]);
        let result = only(&results, VERSION, "internal");
        assert_eq!(result.status, Status::Fail, "{}", result.detail);
        assert!(result.detail.contains("configured"), "{}", result.detail);
        let results = with_dates(&[("1.34", date!(2026 - 11 - 28))]);
        assert_eq!(only(&results, VERSION, "internal").status, Status::Pass);
    }

    #[test]
    fn configured_dates_override_and_extend_the_table() {
        // Extending: 1.40 now has a date of its own.
        let results = with_dates(&[("1.40", date!(2026 - 12 - 31))]);
        let result = only(&results, VERSION, "future");
        assert_eq!(result.status, Status::Pass);
        assert!(
            result.detail.contains("until 2026-12-31"),
            "{}",
            result.detail
        );
        // Overriding: 1.24 given a later date passes.
        let results = with_dates(&[("1.24", date!(2027 - 01 - 01))]);
        assert_eq!(only(&results, VERSION, "platform").status, Status::Pass);
    }

    #[test]
    fn a_version_newer_than_the_table_passes_while_the_newest_known_one_is_supported() {
        let results = run(&clusters());
        let result = only(&results, VERSION, "future");
        assert_eq!(result.status, Status::Pass, "{}", result.detail);
        assert!(
            result.detail.contains("newer than 1.36"),
            "{}",
            result.detail
        );
        // Once the newest known version is out of standard support, the table is stale.
        let results = with_dates(&[("1.36", date!(2026 - 11 - 01))]);
        let result = only(&results, VERSION, "future");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("cannot be shown"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn older_and_unknown_versions_fail_and_a_missing_version_gets_no_result() {
        let results = run(&clusters());
        let ancient = only(&results, VERSION, "ancient");
        assert_eq!(ancient.status, Status::Fail);
        assert!(
            ancient.detail.contains("older than 1.23"),
            "{}",
            ancient.detail
        );
        let odd = only(&results, VERSION, "odd");
        assert_eq!(odd.status, Status::Fail);
        assert!(odd.detail.contains("cannot be shown"), "{}", odd.detail);
        none(&results, VERSION, "undescribed");
        assert_eq!(
            only(&results, VERSION, "platform").detail,
            "Kubernetes 1.24 left standard support on 2024-01-31 (the EKS release calendar): it is on paid extended support or past it."
        );
    }

    #[test]
    fn node_groups_are_judged_by_the_same_calendar_and_an_unlisted_cluster_s_are_not() {
        let results = run(&clusters());
        let group = only(&results, NODEGROUP_VERSION, "internal/stale");
        assert_eq!(group.resource_name.as_deref(), Some("stale"));
        assert!(group
            .detail
            .starts_with("Kubernetes 1.29 left standard support on "));
        none(&results, NODEGROUP_VERSION, "internal/undescribed");
        // `platform`'s node groups could not be listed (`None`): no verdict on any.
        assert!(!results
            .iter()
            .any(|r| r.check_id == NODEGROUP_VERSION && r.resource_id.starts_with("platform/")));
    }
}
