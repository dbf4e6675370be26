//! Expired server certificates stored in IAM: CIS AWS Foundations v3.0.0 1.19 (v7.0.0 2.17)
//! audits `ListServerCertificates` for an `Expiration` in the past. An expired certificate
//! serves nothing, and a load balancer still pointing at one breaks or is about to.

use super::ServerCertificate;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

const RESOURCE_TYPE: &str = "AWS::IAM::ServerCertificate";

/// What uploads, renames or deletes a server certificate.
const CERTIFICATE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "UploadServerCertificate",
        "UpdateServerCertificate",
        "DeleteServerCertificate",
    ],
}];

pub(super) const EXPIRED_SERVER_CERTIFICATES: Check = Check {
    id: "iam.expired_server_certificates",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[RESOURCE_TYPE],
    title: "No expired TLS certificate is stored in IAM",
    rationale: "An expired certificate can be attached to a load balancer or CloudFront by \
                mistake, where clients reject it (or are taught to click through warnings); \
                kept, it also hides which certificates are really in use.",
    remediation: "Replace it where it is used (preferably with an ACM certificate), then: aws \
                  iam delete-server-certificate --server-certificate-name <name>.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_server-certs.html",
    fsbp: &[],
    cis: &["1.19"],
    triggers: CERTIFICATE_CHANGES,
    reads: &[Read::all("iam:ListServerCertificates")],
    evaluate: expired_server_certificates,
};

fn expired_server_certificates(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let Some(certificates) = &inventory.iam.server_certificates else {
        return;
    };
    let now = verdicts.now();
    for ServerCertificate {
        name,
        arn,
        expiration,
    } in certificates
    {
        let resource = Resource {
            resource_type: RESOURCE_TYPE,
            id: name,
            name: None,
            arn: Some(arn),
            region: "global",
        };
        match expiration {
            Some(at) if *at <= now => verdicts.fail(
                &resource,
                format!("The certificate expired on {}.", at.date()),
            ),
            Some(at) => verdicts.pass(
                &resource,
                format!("The certificate expires on {}.", at.date()),
            ),
            None => verdicts.fail(
                &resource,
                "IAM gives the certificate no expiration date: it cannot be shown valid.".into(),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Status;
    use crate::services::checks::test_support::{Case, NOW};
    use crate::services::iam;

    pub fn cases() -> Vec<Case> {
        let certificates = || {
            let certificate = |name: &str, days: i64| ServerCertificate {
                name: name.into(),
                arn: format!("arn:aws:iam::123456789012:server-certificate/{name}"),
                expiration: Some(NOW + time::Duration::days(days)),
            };
            Inventory::from(iam::Inventory {
                server_certificates: Some(vec![certificate("current", 30), certificate("old", -1)]),
                ..Default::default()
            })
        };
        [("current", Status::Pass), ("old", Status::Fail)]
            .into_iter()
            .map(|(resource_id, expected)| Case {
                check: "iam.expired_server_certificates",
                resource_id,
                expected,
                inventory: certificates,
                region: None,
            })
            .collect()
    }
}
