//! OpenSearch Service domains (OpenSearch and Elasticsearch): in a VPC, fine-grained access
//! control on.

use super::Domain;
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&NOT_PUBLIC, &FINE_GRAINED_ACCESS];

/// What can create, reconfigure or delete a domain, through the OpenSearch or the older
/// Elasticsearch configuration API (both recorded under `es.amazonaws.com`).
const DOMAIN_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "es.amazonaws.com",
    names: &[
        "CreateDomain",
        "UpdateDomainConfig",
        "DeleteDomain",
        "CreateElasticsearchDomain",
        "UpdateElasticsearchDomainConfig",
        "DeleteElasticsearchDomain",
    ],
}];

fn resource(domain: &Domain) -> Resource<'_> {
    Resource {
        resource_type: Domain::RESOURCE_TYPE,
        id: &domain.name,
        name: None,
        arn: Some(&domain.arn),
        region: &domain.region,
    }
}

const NOT_PUBLIC: Check = Check {
    id: "opensearch.not_public",
    service: Service::Opensearch,
    severity: Severity::Critical,
    resource_types: &[Domain::RESOURCE_TYPE],
    title: "OpenSearch and Elasticsearch domains are in a VPC",
    rationale: "A domain outside a VPC has a public endpoint: only its access policy stands between the internet and the indexes, and one permissive statement exposes them all.",
    remediation: "The network is chosen at creation: create a domain with VPC access (--vpc-options SubnetIds=...,SecurityGroupIds=...), restore a snapshot into it, and switch the clients over.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/opensearch-controls.html#opensearch-2",
    // Opensearch.2 judges OpenSearch domains, ES.2 Elasticsearch ones (AWS writes the ids so).
    fsbp: &["Opensearch.2", "ES.2"],
    cis: &[],
    triggers: DOMAIN_CHANGES,
    reads: &[Read::all("es:ListDomainNames"), Read::all("es:DescribeDomains")],
    evaluate: not_public,
};

/// The Config rules behind both controls (opensearch-in-vpc-only, elasticsearch-in-vpc-only)
/// fail a domain whose endpoint is public, that is, one without VPC options:
/// https://docs.aws.amazon.com/config/latest/developerguide/opensearch-in-vpc-only.html
fn not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for domain in &inventory.opensearch.domains {
        let engine = domain.engine();
        verdicts.judge(
            &resource(domain),
            domain.in_vpc(),
            || {
                let placement = match domain.vpc.as_ref().and_then(|v| v.vpc_id.as_deref()) {
                    Some(vpc) => format!("VPC {vpc}"),
                    None => "a VPC".to_string(),
                };
                format!("The domain ({engine}) is in {placement}: it has no public endpoint.")
            },
            || match &domain.endpoint {
                Some(endpoint) => format!("The domain ({engine}) is not in a VPC (no VPCOptions): its endpoint {endpoint} is public."),
                None => format!("The domain ({engine}) is not in a VPC (no VPCOptions): its endpoint is public."),
            },
        );
    }
}

const FINE_GRAINED_ACCESS: Check = Check {
    id: "opensearch.fine_grained_access",
    service: Service::Opensearch,
    severity: Severity::High,
    resource_types: &[Domain::RESOURCE_TYPE],
    title: "OpenSearch domains have fine-grained access control",
    rationale: "Without fine-grained access control, whoever the access policy lets in can read and write every index; with it, roles limit access per index, document and field, and users must authenticate.",
    remediation: "Enable fine-grained access control (aws opensearch update-domain-config --advanced-security-options Enabled=true,... with a master user or IAM ARN); it needs HTTPS, node-to-node and at-rest encryption, and Elasticsearch 6.7 or later.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/opensearch-controls.html#opensearch-7",
    fsbp: &["Opensearch.7"],
    cis: &[],
    triggers: DOMAIN_CHANGES,
    reads: &[Read::all("es:ListDomainNames"), Read::all("es:DescribeDomains")],
    evaluate: fine_grained_access,
};

/// opensearch-access-control-enabled fails a domain whose AdvancedSecurityOptions are not
/// enabled:
/// https://docs.aws.amazon.com/config/latest/developerguide/opensearch-access-control-enabled.html
fn fine_grained_access(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for domain in &inventory.opensearch.domains {
        let engine = domain.engine();
        verdicts.judge(
            &resource(domain),
            domain.fine_grained_access,
            || format!("Fine-grained access control is enabled on the domain ({engine})."),
            || format!("Fine-grained access control is off on the domain ({engine}): AdvancedSecurityOptions.Enabled is not true, so the access policy alone decides who reads and writes every index."),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Domain, VpcPlacement};
    use crate::model::Status;
    use crate::services::checks::test_support::{only, run, Case};
    use crate::services::{opensearch, Inventory};

    fn domain(name: &str, vpc: Option<VpcPlacement>, fine_grained: bool) -> Domain {
        Domain {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:es:us-east-1:123456789012:domain/{name}"),
            engine_type: Some("OpenSearch".into()),
            engine_version: Some("OpenSearch_2.11".into()),
            endpoint: vpc
                .is_none()
                .then(|| format!("search-{name}-abc.us-east-1.es.amazonaws.com")),
            vpc,
            fine_grained_access: fine_grained,
            tags: None,
        }
    }

    fn placement(vpc: Option<&str>, subnets: &[&str]) -> Option<VpcPlacement> {
        Some(VpcPlacement {
            vpc_id: vpc.map(str::to_string),
            subnet_ids: subnets.iter().map(|s| s.to_string()).collect(),
        })
    }

    fn domains() -> Inventory {
        Inventory::from(opensearch::Inventory {
            domains: vec![
                domain("search", placement(Some("vpc-1"), &["subnet-1"]), true),
                domain("logs-public", None, false),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases = Vec::new();
        for check in ["opensearch.not_public", "opensearch.fine_grained_access"] {
            for (resource_id, expected) in [("search", Status::Pass), ("logs-public", Status::Fail)]
            {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: domains,
                    region: None,
                });
            }
        }
        cases
    }

    #[test]
    fn a_public_domain_fails_naming_its_endpoint_and_engine() {
        let results = run(&domains());
        assert_eq!(
            only(&results, "opensearch.not_public", "logs-public").detail,
            "The domain (OpenSearch_2.11) is not in a VPC (no VPCOptions): its endpoint search-logs-public-abc.us-east-1.es.amazonaws.com is public."
        );
        assert_eq!(
            only(&results, "opensearch.not_public", "search").detail,
            "The domain (OpenSearch_2.11) is in VPC vpc-1: it has no public endpoint."
        );
    }

    #[test]
    fn subnets_without_a_vpc_id_are_a_vpc_and_empty_options_are_not() {
        // The emulator reports VPC domains with subnets and groups but no VPC id.
        let legacy = Domain {
            engine_type: Some("Elasticsearch".into()),
            engine_version: Some("Elasticsearch_7.10".into()),
            ..domain("legacy-es", placement(None, &["subnet-1"]), false)
        };
        let results = run(&Inventory::from(opensearch::Inventory {
            domains: vec![legacy, domain("empty-options", placement(None, &[]), true)],
        }));
        let legacy = only(&results, "opensearch.not_public", "legacy-es");
        assert_eq!(legacy.status, Status::Pass);
        assert_eq!(
            legacy.detail,
            "The domain (Elasticsearch_7.10) is in a VPC: it has no public endpoint."
        );
        assert!(
            only(&results, "opensearch.fine_grained_access", "legacy-es")
                .detail
                .contains("(Elasticsearch_7.10)")
        );
        assert_eq!(
            only(&results, "opensearch.not_public", "empty-options").status,
            Status::Fail
        );
    }
}
