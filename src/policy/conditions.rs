//! What a condition clause says: whether it pins callers to fixed values (what makes a
//! resource policy not public), and whether it holds for request values the caller knows.

use super::public::{is_fixed, source_ips_are_narrow};
use super::{wildcard_matches, Condition};

impl Condition {
    /// The operator without its set qualifier (`ForAnyValue:StringEquals` → `StringEquals`).
    pub(super) fn base_operator(&self) -> &str {
        self.operator
            .split_once(':')
            .map_or(self.operator.as_str(), |(_, op)| op)
    }

    /// Whether this clause pins the callers to fixed values, by AWS's definition of a
    /// non-public policy (S3 User Guide, "The meaning of public"): a fixed principal, source
    /// ARN, VPC, VPC endpoint, owner, account, organization, KMS key, KMS caller account, `aws:userid` (a role's
    /// `AROLEID:*` included), access point (its name may be a wildcard, its account may not),
    /// or a set of `aws:SourceIp` ranges no broader together than a /8 (IPv4) or a /32 (IPv6),
    /// private RFC 1918 ranges aside.
    ///
    /// Only a positive operator pins: not a `...Not...` one; not `...IfExists` or
    /// `ForAllValues:`, which are true when the key is absent from the request; not `Null`,
    /// which only says whether a key is present. A value with a wildcard or an IAM policy
    /// variable (`${...}`) is not fixed.
    /// A fixed `aws:SourceAccount` (or the older `aws:SourceOwner`): what pins a service that
    /// acts for any account, since an S3 bucket's ARN names no account (Lambda Developer
    /// Guide, "Granting function access to AWS services": "use the source-account option").
    pub(super) fn pins_the_source_account(&self) -> bool {
        matches!(self.key.as_str(), "aws:sourceaccount" | "aws:sourceowner")
            && self.restricts_callers()
    }

    pub(super) fn restricts_callers(&self) -> bool {
        const FIXED_VALUE_KEYS: [&str; 14] = [
            "aws:sourcearn",
            "aws:sourcevpc",
            "aws:sourcevpce",
            "aws:sourceowner",
            "aws:sourceaccount",
            "aws:sourceorgid",
            "aws:principalorgid",
            "aws:principalaccount",
            "aws:principalarn",
            "aws:userid",
            "s3:x-amz-server-side-encryption-aws-kms-key-id",
            "s3:dataaccesspointaccount",
            "s3:dataaccesspointarn",
            // KMS's own account key: the caller's account (KMS Developer Guide,
            // "kms:CallerAccount"). `kms:ViaService` is not here: any account's principal can
            // call through a service.
            "kms:calleraccount",
        ];
        let operator = self.base_operator();
        let pins = !self.operator.starts_with("ForAllValues:")
            && !operator.contains("Not")
            && !operator.ends_with("IfExists")
            && operator != "Null"
            && !self.values.is_empty();
        if !pins {
            return false;
        }
        if self.key == "aws:sourceip" {
            return source_ips_are_narrow(&self.values);
        }
        FIXED_VALUE_KEYS.contains(&self.key.as_str())
            && self.values.iter().all(|value| is_fixed(&self.key, value))
    }
}

impl Condition {
    /// Whether the clause holds for a request in which `key` (lowercase) has `value`: `None`
    /// when the clause reads another key or an operator not judged here (a condition that
    /// cannot be judged from the account's data). String operators only, as the keys the
    /// callers know (`iam:PassedToService`) are strings; `IfExists` and the set qualifiers
    /// judge a present single value as the plain operator does (IAM User Guide, "Condition
    /// operators").
    pub fn holds_for(&self, key: &str, value: &str) -> Option<bool> {
        if self.key != key {
            return None;
        }
        let operator = self.base_operator();
        let operator = operator.strip_suffix("IfExists").unwrap_or(operator);
        let any = |matches: &dyn Fn(&str) -> bool| self.values.iter().any(|v| matches(v));
        match operator {
            "StringEquals" => Some(any(&|v| v == value)),
            "StringEqualsIgnoreCase" => Some(any(&|v| v.eq_ignore_ascii_case(value))),
            "StringLike" => Some(any(&|v| wildcard_matches(v, value))),
            "StringNotEquals" => Some(!any(&|v| v == value)),
            "StringNotEqualsIgnoreCase" => Some(!any(&|v| v.eq_ignore_ascii_case(value))),
            "StringNotLike" => Some(!any(&|v| wildcard_matches(v, value))),
            _ => None,
        }
    }
}
