//! What makes a condition value "fixed", by AWS's definition of a non-public policy (S3 User
//! Guide, "The meaning of public"): the parts of a condition that pin the callers.

/// The kind of resource a resource policy is attached to: what "anyone" means there differs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourcePolicy {
    S3Bucket,
    LambdaFunction,
    SnsTopic,
    SqsQueue,
    KmsKey,
}

impl ResourcePolicy {
    /// The IAM service prefix of the resource's actions.
    pub(super) fn action_prefix(self) -> &'static str {
        match self {
            ResourcePolicy::S3Bucket => "s3",
            ResourcePolicy::LambdaFunction => "lambda",
            ResourcePolicy::SnsTopic => "sns",
            ResourcePolicy::SqsQueue => "sqs",
            ResourcePolicy::KmsKey => "kms",
        }
    }

    /// Whether a grant to `service` (a service principal) without a pinning condition is
    /// public. Only Amazon S3 on a function: AWS Config's
    /// `lambda-function-public-access-prohibited` (Security Hub Lambda.1) counts a policy public
    /// when its principal is empty or a wildcard, "and also if a Lambda function is invoked
    /// from Amazon S3 and the policy doesn't include a condition to limit public access, such
    /// as AWS:SourceAccount": a bucket's name is no account, so any account's bucket of that
    /// name could invoke it. Other services (EventBridge, API Gateway …) act for the function's
    /// own account's rules and APIs; their grants are not public, whatever their `SourceArn`.
    pub(super) fn service_principal_is_public(self, service: &str) -> bool {
        matches!(self, ResourcePolicy::LambdaFunction)
            && service.eq_ignore_ascii_case("s3.amazonaws.com")
    }
}

/// A condition value with no wildcard and no policy variable; `aws:userid` may end in `:*`
/// after a fixed id (a role's sessions), and an access point ARN may wildcard the name.
pub(super) fn is_fixed(key: &str, value: &str) -> bool {
    let value = value.trim();
    let literal =
        |text: &str| !text.is_empty() && !text.contains(['*', '?']) && !text.contains("${");
    match key {
        "aws:userid" => literal(value.strip_suffix(":*").unwrap_or(value)),
        "s3:dataaccesspointarn" => match value.split_once(":accesspoint/") {
            Some((prefix, name)) => literal(prefix) && !name.contains("${"),
            None => literal(value),
        },
        _ => literal(value),
    }
}

/// Whether a set of `aws:SourceIp` ranges is narrow enough not to be public: together (their
/// union, not each alone) no more than a /8 of public IPv4 space and a /32 of IPv6. A value
/// that is not an address or a range is not narrow.
pub(super) fn source_ips_are_narrow(values: &[String]) -> bool {
    use ipnet::{IpNet, Ipv4Net, Ipv6Net};
    use std::net::IpAddr;
    let mut v4 = Vec::new();
    let mut v6 = Vec::new();
    for value in values {
        let value = value.trim();
        let net = value
            .parse::<IpNet>()
            .ok()
            .or_else(|| value.parse::<IpAddr>().ok().map(IpNet::from));
        match net {
            Some(IpNet::V4(net)) => v4.push(net.trunc()),
            Some(IpNet::V6(net)) => v6.push(net.trunc()),
            None => return false,
        }
    }
    let private: [Ipv4Net; 3] = [
        "10.0.0.0/8".parse().expect("a CIDR"),
        "172.16.0.0/12".parse().expect("a CIDR"),
        "192.168.0.0/16".parse().expect("a CIDR"),
    ];
    let size4 = |net: &Ipv4Net| 1u64 << (32 - u32::from(net.prefix_len()));
    // Aggregated ranges are disjoint, and two CIDRs are nested or disjoint.
    let public_v4: u64 = Ipv4Net::aggregate(&v4)
        .iter()
        .map(|net| {
            let private_inside: u64 = private
                .iter()
                .map(|p| {
                    if net.contains(p) {
                        size4(p)
                    } else if p.contains(net) {
                        size4(net)
                    } else {
                        0
                    }
                })
                .sum();
            size4(net) - private_inside
        })
        .sum();
    let v6_total: u128 = Ipv6Net::aggregate(&v6)
        .iter()
        .map(|net| {
            let bits = 128 - u32::from(net.prefix_len());
            if bits >= 128 {
                u128::MAX
            } else {
                1u128 << bits
            }
        })
        .fold(0u128, u128::saturating_add);
    public_v4 <= 1 << 24 && v6_total <= 1 << 96
}

#[cfg(test)]
mod tests {
    use super::super::PolicyDocument;
    use super::ResourcePolicy;
    use proptest::prelude::*;

    /// Whether a bucket policy with this one Allow-to-everyone statement is public.
    fn public_with(condition: &str) -> bool {
        let text = format!(
            r#"{{"Statement":[{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{condition}}}]}}"#
        );
        is_public(&text)
    }

    fn is_public(text: &str) -> bool {
        !PolicyDocument::parse(text)
            .unwrap()
            .public_statements(ResourcePolicy::S3Bucket)
            .is_empty()
    }

    #[test]
    fn keys_aws_lists_as_non_public_pin_the_callers() {
        for condition in [
            r#"{"StringEquals":{"s3:DataAccessPointAccount":"111122223333"}}"#,
            r#"{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:111122223333:accesspoint/*"}}"#,
            r#"{"StringEquals":{"aws:SourceOwner":"111122223333"}}"#,
            r#"{"StringLike":{"aws:userid":"AROAEXAMPLEID:*"}}"#,
            r#"{"StringEquals":{"aws:SourceVpce":["vpce-1","vpce-2"]}}"#,
            r#"{"StringEquals":{"aws:PrincipalOrgID":"o-abc123"}}"#,
            r#"{"StringEquals":{"s3:x-amz-server-side-encryption-aws-kms-key-id":"arn:aws:kms:us-east-1:111122223333:key/k"}}"#,
        ] {
            assert!(!public_with(condition), "{condition}");
        }
    }

    #[test]
    fn values_aws_calls_public_do_not_pin() {
        for condition in [
            // The access point's account is a wildcard.
            r#"{"ArnLike":{"s3:DataAccessPointArn":"arn:aws:s3:us-east-1:*:accesspoint/*"}}"#,
            r#"{"StringLike":{"aws:userid":"*"}}"#,
            r#"{"StringEquals":{"aws:SourceAccount":"${aws:PrincipalAccount}"}}"#,
            r#"{"StringLike":{"aws:PrincipalOrgID":"o-*"}}"#,
            // Operators that pin nothing.
            r#"{"Null":{"aws:SourceVpce":"false"}}"#,
            r#"{"ForAllValues:StringEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            r#"{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#,
            r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            // A key that says nothing of the caller.
            r#"{"Bool":{"aws:SecureTransport":"true"}}"#,
        ] {
            assert!(public_with(condition), "{condition}");
        }
    }

    #[test]
    fn source_ip_ranges_are_judged_on_their_union() {
        let ip = |ranges: &str| format!(r#"{{"IpAddress":{{"aws:SourceIp":{ranges}}}}}"#);
        for narrow in [
            r#""203.0.113.0/24""#,
            r#""203.0.113.7""#,
            r#""11.0.0.0/8""#,
            // Private ranges do not count: 10/8 and 11/8 together are one /8 of public space.
            r#"["10.0.0.0/8","11.0.0.0/8"]"#,
            r#""10.0.0.0/7""#,
            r#""2001:db8::/32""#,
        ] {
            assert!(!public_with(&ip(narrow)), "{narrow}");
        }
        for broad in [
            r#""0.0.0.0/0""#,
            r#""12.0.0.0/7""#,
            // Two /8s: each alone is narrow enough, together they are not.
            r#"["11.0.0.0/8","12.0.0.0/8"]"#,
            r#""::/0""#,
            r#""2001:db8::/31""#,
            r#""not-an-address""#,
        ] {
            assert!(public_with(&ip(broad)), "{broad}");
        }
    }

    #[test]
    fn a_web_identity_principal_is_public_a_saml_provider_is_not() {
        let with = |principal: &str| {
            is_public(&format!(
                r#"{{"Statement":{{"Effect":"Allow","Principal":{principal},"Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}}}"#
            ))
        };
        assert!(with(r#"{"Federated":"cognito-identity.amazonaws.com"}"#));
        assert!(with(r#"{"Federated":"accounts.google.com"}"#));
        assert!(!with(
            r#"{"Federated":"arn:aws:iam::111122223333:saml-provider/corp"}"#
        ));
        assert!(!with(r#"{"AWS":"arn:aws:iam::111122223333:root"}"#));
    }

    #[test]
    fn a_deny_outside_fixed_values_confines_an_allow_to_everyone() {
        let with_deny = |deny_condition: &str, deny_resource: &str| {
            is_public(&format!(
                r#"{{"Statement":[
                    {{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}},
                    {{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":{deny_resource},"Condition":{deny_condition}}}]}}"#
            ))
        };
        let bucket = r#"["arn:aws:s3:::b","arn:aws:s3:::b/*"]"#;
        // Every caller not from the endpoint, or not from the range, is refused.
        assert!(!with_deny(
            r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            bucket
        ));
        assert!(!with_deny(
            r#"{"NotIpAddress":{"aws:SourceIp":"203.0.113.0/24"}}"#,
            r#""*""#
        ));
        assert!(!with_deny(
            r#"{"StringNotEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}"#,
            bucket
        ));
        // Not every caller outside fixed values: a broad range, a wildcard, a pinning
        // Deny (it refuses the endpoint's callers, the rest stay public), another resource.
        assert!(with_deny(
            r#"{"NotIpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#,
            bucket
        ));
        assert!(with_deny(
            r#"{"StringNotLike":{"aws:SourceVpce":"vpce-*"}}"#,
            bucket
        ));
        assert!(with_deny(
            r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            bucket
        ));
        assert!(with_deny(
            r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#,
            r#""arn:aws:s3:::other/*""#
        ));
    }

    fn cidr(a: u8, b: u8, prefix: u8) -> String {
        format!("{a}.{b}.0.0/{prefix}")
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 256,
            rng_seed: proptest::test_runner::RngSeed::Fixed(0x5ec_a0d1),
            ..ProptestConfig::default()
        })]

        /// Narrowing a range (a longer prefix) never makes a policy more public.
        #[test]
        fn a_narrower_source_ip_is_never_more_public(
            ranges in proptest::collection::vec((any::<u8>(), any::<u8>(), 0u8..=24), 1..4),
            which in 0usize..4,
            longer in 1u8..8,
        ) {
            let list = |ranges: &[(u8, u8, u8)]| {
                let items: Vec<String> =
                    ranges.iter().map(|(a, b, p)| format!("\"{}\"", cidr(*a, *b, *p))).collect();
                format!(r#"{{"IpAddress":{{"aws:SourceIp":[{}]}}}}"#, items.join(","))
            };
            let before = public_with(&list(&ranges));
            let mut narrowed = ranges.clone();
            let i = which % narrowed.len();
            narrowed[i].2 = (narrowed[i].2 + longer).min(32);
            prop_assert!(before || !public_with(&list(&narrowed)));
        }

        /// Adding a Deny statement, of any shape, never makes a policy more public.
        #[test]
        fn a_deny_never_makes_a_policy_more_public(
            principal in prop_oneof![Just(r#""*""#), Just(r#"{"AWS":"arn:aws:iam::1:root"}"#)],
            condition in prop_oneof![
                Just(r#"{}"#),
                Just(r#"{"StringNotEquals":{"aws:SourceVpce":"vpce-1"}}"#),
                Just(r#"{"IpAddress":{"aws:SourceIp":"0.0.0.0/0"}}"#),
            ],
            allow_condition in prop_oneof![
                Just(r#"{}"#),
                Just(r#"{"StringEquals":{"aws:SourceVpce":"vpce-1"}}"#),
            ],
        ) {
            let allow = format!(
                r#"{{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"*","Condition":{allow_condition}}}"#
            );
            let deny = format!(
                r#"{{"Effect":"Deny","Principal":{principal},"Action":"s3:*","Resource":"*","Condition":{condition}}}"#
            );
            let alone = is_public(&format!(r#"{{"Statement":[{allow}]}}"#));
            let with_deny = is_public(&format!(r#"{{"Statement":[{allow},{deny}]}}"#));
            prop_assert!(alone || !with_deny);
        }
    }
}
