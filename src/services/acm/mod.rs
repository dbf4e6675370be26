//! ACM: certificates (requested, private and imported) and their key algorithm.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["acm"],
    permissions: &["acm:ListCertificates", "acm:ListTagsForCertificate"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub certificates: Vec<Certificate>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.certificates.extend(other.certificates);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.certificates, in_environment, |c| c.tags.as_ref());
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for c in &self.certificates {
            if let Some(tags) = &c.tags {
                found(&c.region, Certificate::RESOURCE_TYPE, &c.id, tags);
            }
        }
    }
}

/// A certificate in ACM, as ListCertificates summarizes it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Certificate {
    /// The id at the end of the ARN (`certificate/<id>`).
    pub id: String,
    pub arn: String,
    pub region: String,
    pub domain_name: Option<String>,
    /// `RSA_2048`, `EC_prime256v1`, ...; `None` when the listing did not say.
    pub key_algorithm: Option<String>,
    /// `AMAZON_ISSUED`, `IMPORTED` or `PRIVATE`.
    pub kind: Option<String>,
    /// Only read when an environment filter or a mutelist rule on tags needs it.
    pub tags: Option<Tags>,
}

impl Certificate {
    pub const RESOURCE_TYPE: &'static str = "AWS::CertificateManager::Certificate";
}

/// The key of a certificate, from its ACM key algorithm name.
pub(crate) enum Key {
    Rsa(u32),
    EllipticCurve,
}

/// `RSA_2048`, `EC_prime256v1` as the API reference and the SDK spell them
/// (https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateSummary.html), or
/// `RSA-2048`, `EC-prime256v1` as DescribeCertificate answers; `None` for any other name (an
/// algorithm this release does not know, which the collector reports).
pub(crate) fn key_of(algorithm: &str) -> Option<Key> {
    let (family, rest) = algorithm.split_once(['_', '-'])?;
    match family {
        "RSA" => rest.parse().ok().map(Key::Rsa),
        "EC" if !rest.is_empty() => Some(Key::EllipticCurve),
        _ => None,
    }
}
