//! OpenSearch Service: OpenSearch and legacy Elasticsearch domains (both through the OpenSearch
//! API), whether they sit in a VPC and whether fine-grained access control is on.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["es"],
    permissions: &["es:ListDomainNames", "es:DescribeDomains", "es:ListTags"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    /// The domains DescribeDomains described (a domain whose batch failed is absent; the error
    /// is in the report).
    pub domains: Vec<Domain>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.domains.extend(other.domains);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.domains, in_environment, |d| d.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for d in &self.domains {
            if let Some(tags) = &d.tags {
                found(&d.region, Domain::RESOURCE_TYPE, &d.name, tags);
            }
        }
    }
}

/// An OpenSearch Service domain, OpenSearch or Elasticsearch.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Domain {
    /// The domain name (the resource id in results).
    pub name: String,
    pub region: String,
    pub arn: String,
    /// `OpenSearch` or `Elasticsearch` (ListDomainNames).
    pub engine_type: Option<String>,
    /// `OpenSearch_2.11`, `Elasticsearch_7.10`, ...
    pub engine_version: Option<String>,
    /// `VPCOptions`: `None` when the domain has a public endpoint.
    pub vpc: Option<VpcPlacement>,
    /// The public endpoint (`Endpoint`), for the evidence.
    pub endpoint: Option<String>,
    /// `AdvancedSecurityOptions.Enabled`: fine-grained access control.
    pub fine_grained_access: bool,
    /// Only read when an environment filter or a mutelist rule on tags needs it (a call per
    /// domain); `None` otherwise or when the read failed.
    pub tags: Option<Tags>,
}

impl Domain {
    pub const RESOURCE_TYPE: &'static str = "AWS::OpenSearchService::Domain";

    /// In a VPC: `VPCOptions` name a VPC or subnets.
    pub fn in_vpc(&self) -> bool {
        self.vpc
            .as_ref()
            .is_some_and(|v| v.vpc_id.is_some() || !v.subnet_ids.is_empty())
    }

    /// "OpenSearch_2.11" or "Elasticsearch", for details.
    pub fn engine(&self) -> &str {
        self.engine_version
            .as_deref()
            .or(self.engine_type.as_deref())
            .unwrap_or("unknown engine")
    }
}

/// A VPC domain's placement (`VPCOptions`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VpcPlacement {
    pub vpc_id: Option<String>,
    pub subnet_ids: Vec<String>,
}
