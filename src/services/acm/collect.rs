//! ACM, per region: every certificate with its key algorithm, from one paginated listing.

use aws_sdk_acm::types::{CertificateSummary, Filters, KeyAlgorithm};
use futures::stream::{self, StreamExt};

use super::{key_of, Certificate, Inventory};
use crate::aws::{each_page, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_acm);

/// ListCertificates gives each certificate's `KeyAlgorithm`
/// (https://docs.aws.amazon.com/acm/latest/APIReference/API_CertificateSummary.html), but by
/// default lists only RSA_1024 and RSA_2048 certificates
/// (https://docs.aws.amazon.com/acm/latest/APIReference/API_Filters.html, `keyTypes`): the
/// listing asks for every key type the SDK knows, so that RSA_3072/4096 and EC certificates
/// are listed too. Tags cost a call per certificate and are read only for an environment
/// filter or mutelist rules on tags.
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_acm::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let every_key_type: Vec<KeyAlgorithm> = KeyAlgorithm::values()
        .iter()
        .map(|name| KeyAlgorithm::from(*name))
        .collect();
    let pages = client
        .list_certificates()
        .includes(
            Filters::builder()
                .set_key_types(Some(every_key_type))
                .build(),
        )
        .max_items(1000)
        .into_paginator()
        .send();
    let mut certificates = Vec::new();
    let call = Call::new("acm", region, "ListCertificates");
    each_page(pages, &call, &mut collection.errors, |page| {
        certificates.extend(
            page.certificate_summary_list()
                .iter()
                .filter_map(|summary| listed_certificate(summary, region)),
        );
    })
    .await;
    collection
        .errors
        .extend(unrecognized_key_algorithms(&certificates, &call));

    if context.reads_tags() {
        let client = &client;
        let mut reads = stream::iter(certificates)
            .map(|mut certificate| async move {
                let mut errors = Vec::new();
                let answer = client
                    .list_tags_for_certificate()
                    .certificate_arn(&certificate.arn)
                    .send()
                    .await;
                let call = Call::new("acm", region, "ListTagsForCertificate");
                certificate.tags = call.on(&certificate.id).read(answer, &mut errors, |o| {
                    tag_map(o.tags(), |t| Some(t.key()), |t| t.value())
                });
                (certificate, errors)
            })
            .buffer_unordered(context.concurrency.get());
        while let Some((certificate, errors)) = reads.next().await {
            collection.inventory.certificates.push(certificate);
            collection.errors.extend(errors);
        }
    } else {
        collection.inventory.certificates = certificates;
    }
    collection
}

/// A key algorithm no release of secaudit knew (a new one AWS added) is never dropped silently:
/// the certificate gets no verdict, and the report says which and why.
fn unrecognized_key_algorithms(certificates: &[Certificate], call: &Call) -> Vec<AuditError> {
    certificates
        .iter()
        .filter_map(|certificate| {
            let algorithm = certificate.key_algorithm.as_deref()?;
            key_of(algorithm).is_none().then(|| {
                call.on(&certificate.id).entry(
                    "UnrecognizedValue".into(),
                    format!(
                        "key algorithm {algorithm:?} is none this release knows (RSA_<bits>, EC_<curve>): no verdict on the certificate's key"
                    ),
                )
            })
        })
        .collect()
}

fn listed_certificate(summary: &CertificateSummary, region: &str) -> Option<Certificate> {
    let arn = summary.certificate_arn()?;
    let id = arn.rsplit('/').next().unwrap_or(arn);
    Some(Certificate {
        id: id.to_string(),
        arn: arn.to_string(),
        region: region.to_string(),
        domain_name: summary.domain_name().map(str::to_string),
        key_algorithm: summary.key_algorithm().map(|k| k.as_str().to_string()),
        kind: summary.r#type().map(|t| t.as_str().to_string()),
        tags: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_algorithm_this_release_does_not_know_is_reported_not_dropped() {
        let certificate = |id: &str, algorithm: &str| Certificate {
            id: id.into(),
            key_algorithm: Some(algorithm.into()),
            ..Default::default()
        };
        let call = Call::new("acm", "us-east-1", "ListCertificates");
        let errors = unrecognized_key_algorithms(
            &[
                certificate("known", "RSA_2048"),
                certificate("dashed", "RSA-2048"),
                certificate("future", "ML_DSA_65"),
            ],
            &call,
        );
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].resource_id.as_deref(), Some("future"));
        assert_eq!(errors[0].code, "UnrecognizedValue");
        assert!(
            errors[0].message.contains("ML_DSA_65"),
            "{}",
            errors[0].message
        );
    }
}
