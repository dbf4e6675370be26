//! ACM: a requested RSA_2048 certificate (passes acm.rsa_key_length) and an imported
//! certificate with a 1024-bit RSA key (fails).

use std::collections::HashMap;

use aws_config::SdkConfig;
use aws_sdk_acm::primitives::Blob;
use aws_sdk_acm::types::{Filters, KeyAlgorithm, Tag, ValidationMethod};

use super::BoxError;

/// A THROWAWAY self-signed test certificate for `legacy.example.com` with a 1024-bit RSA key,
/// valid 2020-01-01 to 2095-01-01 (moto refuses certificates outside their validity period).
/// Generated once for these tests with Python's `cryptography`; it secures nothing.
const LEGACY_CERTIFICATE: &str = "-----BEGIN CERTIFICATE-----
MIIB9DCCAV2gAwIBAgIUKWc7q5PWVJlWeeVhnXMgOFE/D/4wDQYJKoZIhvcNAQEL
BQAwHTEbMBkGA1UEAwwSbGVnYWN5LmV4YW1wbGUuY29tMCAXDTIwMDEwMTAwMDAw
MFoYDzIwOTUwMTAxMDAwMDAwWjAdMRswGQYDVQQDDBJsZWdhY3kuZXhhbXBsZS5j
b20wgZ8wDQYJKoZIhvcNAQEBBQADgY0AMIGJAoGBAM51Yff1OLjqBD9igGrawCd2
zjhejz7OIFq72Rg7qZfkihLBX9oehPDJoiMR3bOSk7+Cq1EX+B9OVMwhj5MNYcXw
KU7soAVDoOIQSGtZWwBzujsHYO4xyQANdTDoxOc756b4z9LbQ1IxlXEEqbeJKvFd
11Uzv91Fla4VQ+qwhhzLAgMBAAGjLzAtMB0GA1UdEQQWMBSCEmxlZ2FjeS5leGFt
cGxlLmNvbTAMBgNVHRMBAf8EAjAAMA0GCSqGSIb3DQEBCwUAA4GBAMLedSYOrxgn
WtLG/FE8Cz4uF9EUm+irT7AAERiyI3zz+agB/hA/4l6A1te82RtVOZ0MA98FPOU6
z3HmWIzZlAhC7FYsJjeW0M0q2N2AB3CbMFFtqSQw+wQVeHLSJl8hdVVo1//OV27E
mYWUWKvRn8OCgw9QJkCpucp8RlCK5DzT
-----END CERTIFICATE-----
";

/// The private key of [`LEGACY_CERTIFICATE`]: a throwaway test key, used nowhere else.
const LEGACY_PRIVATE_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIICdgIBADANBgkqhkiG9w0BAQEFAASCAmAwggJcAgEAAoGBAM51Yff1OLjqBD9i
gGrawCd2zjhejz7OIFq72Rg7qZfkihLBX9oehPDJoiMR3bOSk7+Cq1EX+B9OVMwh
j5MNYcXwKU7soAVDoOIQSGtZWwBzujsHYO4xyQANdTDoxOc756b4z9LbQ1IxlXEE
qbeJKvFd11Uzv91Fla4VQ+qwhhzLAgMBAAECgYAT8bz8EiFfo6OzZ9WV/PnRFiYH
xgK6g3kWqsznDWRtuvMnqqySyp33ENNr5d7v6PoC5yGbnOAoTg3dBmTzRLisFOsw
RUlfMZAT/39VDl/6+3nqQPdjwFSFb6bzdXhgwg29MukL2Q3EkyRXLtiEjddsEAYi
GMfvFaPj2YIxKlDraQJBAPVWt1q8dPPditEmq6QcTiFDU9y1Hv2SVCkyn9DdYcBZ
YDmRnN0TiftFvj40Uq4G28XaOgWQC7DJbUUH+qQ0Ck8CQQDXbiQ6MqMTlVerCsJE
bVhfxaSIdN5MQw3mwFvIIX9RpN6t2HvcuKHh7Mdj2O5dOXA7ql6M2JqQrKckBAco
LXLFAkEAosSdcP2HOiPJbWmShpag30Cj6tHfdawXWh3UGeZGbC7fwFHzGFlWOfbT
eMGN+Rdjx6g4xmgC2Y9Jh3r7tuUv0QJABo35WDP2NkBS/IdFReO1zqQqz2QO528a
2yx7Hmm2f/tuMwflLOAJPOCBaI5PIlL/ETGr0sk8Wq6GH1hoB1bqqQJAeKBd+q14
y7vGHk+HK2mIQfvwRqXprT306FI9OdyvAlJhrlROBT+wK7IcrnzPK+HTNiT5qYSJ
FrGJr4bukysC7Q==
-----END PRIVATE KEY-----
";

pub const REQUESTED_DOMAIN: &str = "www.acme.example";
pub const IMPORTED_DOMAIN: &str = "legacy.example.com";

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let acm = aws_sdk_acm::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();
    acm.request_certificate()
        .domain_name(REQUESTED_DOMAIN)
        .validation_method(ValidationMethod::Dns)
        .key_algorithm(KeyAlgorithm::Rsa2048)
        .tags(env_tag("prod")?)
        .send()
        .await?;
    acm.import_certificate()
        .certificate(Blob::new(LEGACY_CERTIFICATE))
        .private_key(Blob::new(LEGACY_PRIVATE_KEY))
        .tags(env_tag("dev")?)
        .send()
        .await?;
    Ok(())
}

/// The certificate ids (the end of their ARNs, the audit's resource ids) the emulator chose, by
/// domain name (`REQUESTED_DOMAIN`, `IMPORTED_DOMAIN`).
pub async fn certificate_ids(sdk: &SdkConfig) -> Result<HashMap<String, String>, BoxError> {
    let every_key_type: Vec<KeyAlgorithm> = KeyAlgorithm::values()
        .iter()
        .map(|k| KeyAlgorithm::from(*k))
        .collect();
    let listed = aws_sdk_acm::Client::new(sdk)
        .list_certificates()
        .includes(
            Filters::builder()
                .set_key_types(Some(every_key_type))
                .build(),
        )
        .send()
        .await?;
    Ok(listed
        .certificate_summary_list()
        .iter()
        .filter_map(|c| {
            let arn = c.certificate_arn()?;
            let id = arn.rsplit('/').next()?;
            Some((c.domain_name()?.to_string(), id.to_string()))
        })
        .collect())
}
