//! ACM certificates: RSA keys of at least 2,048 bits.

use super::Certificate;
use super::{key_of, Key};
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&RSA_KEY_LENGTH];

/// What can add a certificate, replace an imported one's key, or delete one.
const CERTIFICATE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "acm.amazonaws.com",
    names: &[
        "RequestCertificate",
        "ImportCertificate",
        "DeleteCertificate",
    ],
}];

const RSA_KEY_LENGTH: Check = Check {
    id: "acm.rsa_key_length",
    service: Service::Acm,
    severity: Severity::High,
    resource_types: &[Certificate::RESOURCE_TYPE],
    title: "RSA certificates in ACM use keys of at least 2,048 bits",
    rationale: "A 1,024-bit RSA key is within reach of a well-funded attacker and is refused by current browsers and TLS libraries: whoever factors it can impersonate every name on the certificate.",
    remediation: "Issue a replacement with an RSA key of 2,048 bits or more (or an ECDSA key), import or request it in ACM, move the load balancers, distributions and APIs that use the old certificate to it, then delete the old one.",
    reference: "https://docs.aws.amazon.com/acm/latest/userguide/acm-certificate.html#algorithms",
    fsbp: &["ACM.2"],
    cis: &[],
    triggers: CERTIFICATE_CHANGES,
    reads: &[Read::all("acm:ListCertificates")],
    evaluate: rsa_key_length,
};

/// Requested and imported certificates alike. Elliptic-curve keys pass: the requirement is on
/// RSA key length. A certificate whose key algorithm is missing or unknown gets no result.
fn rsa_key_length(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for certificate in &inventory.acm.certificates {
        let Some(algorithm) = certificate.key_algorithm.as_deref() else {
            continue;
        };
        let Some(key) = key_of(algorithm) else {
            continue;
        };
        let resource = Resource {
            resource_type: Certificate::RESOURCE_TYPE,
            id: &certificate.id,
            name: certificate.domain_name.as_deref(),
            arn: Some(&certificate.arn),
            region: &certificate.region,
        };
        let kind = match certificate.kind.as_deref() {
            Some("IMPORTED") => "imported certificate",
            Some("PRIVATE") => "private certificate",
            Some("AMAZON_ISSUED") => "ACM-issued certificate",
            _ => "certificate",
        };
        match key {
            Key::Rsa(bits) => verdicts.judge(
                &resource,
                bits >= 2048,
                || format!("The {kind} has a {bits}-bit RSA key ({algorithm})."),
                || format!("The {kind} has a {bits}-bit RSA key ({algorithm}), below the 2,048 bits required."),
            ),
            Key::EllipticCurve => verdicts.pass(
                &resource,
                format!("The {kind} has an elliptic-curve key ({algorithm}), not an RSA key."),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Certificate;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{acm, Inventory};

    fn certificate(id: &str, algorithm: Option<&str>, kind: &str) -> Certificate {
        Certificate {
            id: id.into(),
            arn: format!("arn:aws:acm:us-east-1:123456789012:certificate/{id}"),
            region: "us-east-1".into(),
            domain_name: Some(format!("{id}.example.com")),
            key_algorithm: algorithm.map(str::to_string),
            kind: Some(kind.into()),
            tags: None,
        }
    }

    fn certificates() -> Inventory {
        Inventory::from(acm::Inventory {
            certificates: vec![
                certificate("issued-2048", Some("RSA_2048"), "AMAZON_ISSUED"),
                certificate("imported-1024", Some("RSA_1024"), "IMPORTED"),
                certificate("imported-3072", Some("RSA_3072"), "IMPORTED"),
                certificate("imported-4096", Some("RSA_4096"), "IMPORTED"),
                certificate("issued-ec", Some("EC_prime256v1"), "AMAZON_ISSUED"),
                certificate("imported-ec", Some("EC_secp521r1"), "IMPORTED"),
                certificate("private-1024", Some("RSA_1024"), "PRIVATE"),
                certificate("no-algorithm", None, "IMPORTED"),
                certificate("future-algorithm", Some("ML_DSA_65"), "IMPORTED"),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("issued-2048", Status::Pass),
            ("imported-3072", Status::Pass),
            ("imported-4096", Status::Pass),
            ("imported-1024", Status::Fail),
            ("private-1024", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: "acm.rsa_key_length",
            resource_id,
            expected,
            inventory: certificates,
            region: None,
        })
        .into()
    }

    #[test]
    fn elliptic_curve_keys_pass_requested_or_imported() {
        let results = run(&certificates());
        for id in ["issued-ec", "imported-ec"] {
            let result = only(&results, "acm.rsa_key_length", id);
            assert_eq!(result.status, Status::Pass, "{id}");
            assert!(
                result.detail.contains("elliptic-curve"),
                "{}",
                result.detail
            );
        }
    }

    #[test]
    fn an_imported_1024_bit_key_fails_with_the_evidence() {
        let results = run(&certificates());
        let result = only(&results, "acm.rsa_key_length", "imported-1024");
        assert_eq!(
            result.detail,
            "The imported certificate has a 1024-bit RSA key (RSA_1024), below the 2,048 bits required."
        );
        assert_eq!(
            result.resource_name.as_deref(),
            Some("imported-1024.example.com")
        );
    }

    /// DescribeCertificate answers `RSA-2048` and `EC-prime256v1` where the API reference and
    /// the SDK's enum spell `RSA_2048` (aws-controllers-k8s/community#2394): both are judged.
    #[test]
    fn both_spellings_of_the_key_algorithm_are_judged() {
        let results = run(&Inventory::from(acm::Inventory {
            certificates: vec![
                certificate("dash-1024", Some("RSA-1024"), "IMPORTED"),
                certificate("dash-2048", Some("RSA-2048"), "IMPORTED"),
                certificate("dash-ec", Some("EC-prime256v1"), "IMPORTED"),
            ],
        }));
        let status = |id| only(&results, "acm.rsa_key_length", id).status;
        assert_eq!(status("dash-1024"), Status::Fail);
        assert_eq!(status("dash-2048"), Status::Pass);
        assert_eq!(status("dash-ec"), Status::Pass);
    }

    #[test]
    fn a_missing_or_unknown_key_algorithm_gives_no_verdict() {
        let results = run(&certificates());
        none(&results, "acm.rsa_key_length", "no-algorithm");
        none(&results, "acm.rsa_key_length", "future-algorithm");
    }
}
