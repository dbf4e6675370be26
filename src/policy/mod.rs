//! IAM policy documents, identity and resource (bucket) policies: decoding and the questions the
//! checks ask of them.
//!
//! IAM returns documents URL-encoded (RFC 3986) and the SDK does not decode them; some sources
//! (the AWS-managed policies of emulators, hand-written fixtures) give plain JSON. `Statement`,
//! `Action`, `NotAction`, `Resource`, `NotResource` and each principal and condition value may
//! be one value or a list. Condition values are kept only to reason about them: no detail ever
//! quotes one, so reports cannot leak them.

mod conditions;
mod patterns;
mod public;

use percent_encoding::percent_decode_str;

pub use patterns::covers_every_action;
use patterns::substitute_variables;
pub(crate) use patterns::wildcard_matches;
use patterns::wildcard_matches_ignoring_case;
use patterns::{covers_every_action_of, covers_every_resource};
pub use public::ResourcePolicy;
use serde_json::Value;

/// Why a document could not be understood. The document text itself is never included.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("policy document is not valid UTF-8 after URL-decoding")]
    NotUtf8,
    #[error("policy document is not valid JSON: {0}")]
    InvalidJson(String),
    #[error("policy document: {0}")]
    Invalid(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Effect {
    Allow,
    Deny,
}

/// `Action` or `NotAction` (exactly one is present in a valid statement).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actions {
    Action(Vec<String>),
    NotAction(Vec<String>),
}

/// `Resource` or `NotResource`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resources {
    Resource(Vec<String>),
    NotResource(Vec<String>),
}

/// The principals of a resource-policy statement: `"*"`, or `{"AWS": ..., "Service": ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PrincipalSet {
    /// `"Principal": "*"`.
    pub everyone: bool,
    /// (type, value): `("AWS", "arn:aws:iam::111122223333:root")`, `("Service", ...)`.
    pub entries: Vec<(String, String)>,
}

impl PrincipalSet {
    /// Anyone at all: `*`, `{"AWS": "*"}` (or in a list), the any-account root
    /// `arn:aws:iam::*:root`, or a web identity provider (`{"Federated":
    /// "cognito-identity.amazonaws.com"}`: anyone who signs in there; a SAML provider is an ARN
    /// of one account).
    pub fn includes_everyone(&self) -> bool {
        self.everyone
            || self.entries.iter().any(|(kind, value)| {
                (kind == "Federated" && !value.trim().starts_with("arn:"))
                    || kind == "AWS" && {
                        let value = value.trim();
                        value == "*"
                            || value
                                .strip_prefix("arn:")
                                .and_then(|rest| rest.split_once(":iam::*:root"))
                                .is_some_and(|(partition, tail)| {
                                    !partition.contains(':') && tail.is_empty()
                                })
                    }
            })
    }
}

/// `Principal` or `NotPrincipal`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principals {
    Principal(PrincipalSet),
    NotPrincipal(PrincipalSet),
}

/// One condition clause: `"StringEquals": {"aws:SourceVpce": ["vpce-1"]}` is operator
/// `StringEquals`, key `aws:sourcevpce` (condition keys are case-insensitive), values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    pub operator: String,
    pub key: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    pub sid: Option<String>,
    pub effect: Effect,
    pub actions: Actions,
    pub resources: Resources,
    /// Resource policies only; `None` in identity policies.
    pub principals: Option<Principals>,
    pub conditions: Vec<Condition>,
    /// Whether a `Condition` narrows the statement.
    pub has_condition: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PolicyDocument {
    pub statements: Vec<Statement>,
}

/// Largest document accepted; IAM's own limit is 10,240 characters for managed policies, so
/// anything far bigger is not an IAM document and is refused before JSON parsing.
const MAX_DOCUMENT_BYTES: usize = 1 << 20;

impl PolicyDocument {
    /// Parses a document as IAM returns it: URL-encoded, or plain JSON.
    pub fn parse(raw: &str) -> Result<Self, PolicyError> {
        if raw.len() > MAX_DOCUMENT_BYTES {
            return Err(PolicyError::Invalid(format!(
                "larger than {MAX_DOCUMENT_BYTES} bytes"
            )));
        }
        let trimmed = raw.trim();
        // An encoded document starts with `%` (`%7B`). Decoding plain JSON would corrupt
        // literal `%` sequences inside it, so only decode what starts encoded.
        let decoded;
        let text = if !trimmed.starts_with('%') {
            trimmed
        } else {
            decoded = percent_decode_str(trimmed)
                .decode_utf8()
                .map_err(|_| PolicyError::NotUtf8)?;
            decoded.as_ref()
        };
        let value: Value = serde_json::from_str(text).map_err(|e| {
            // serde's message names line/column but never echoes the input.
            PolicyError::InvalidJson(e.to_string())
        })?;
        Self::from_value(&value)
    }

    fn from_value(value: &Value) -> Result<Self, PolicyError> {
        let object = value
            .as_object()
            .ok_or_else(|| invalid("the top level is not a JSON object"))?;
        let statements = match object.get("Statement") {
            None => return Err(invalid("it has no Statement")),
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .map(|(i, s)| Statement::from_value(s, i + 1))
                .collect::<Result<Vec<_>, _>>()?,
            Some(single @ Value::Object(_)) => vec![Statement::from_value(single, 1)?],
            Some(_) => return Err(invalid("Statement is neither an object nor a list")),
        };
        Ok(PolicyDocument { statements })
    }

    pub fn allow_statements(&self) -> impl Iterator<Item = &Statement> {
        self.statements.iter().filter(|s| s.effect == Effect::Allow)
    }

    /// The Allow statements anyone could use on a resource of `kind`: public by
    /// [`Statement::allows_public_access`], and not confined by a Deny that provably refuses
    /// every caller outside fixed values.
    pub fn public_statements(&self, kind: ResourcePolicy) -> Vec<&Statement> {
        let confining: Vec<&Statement> = self
            .statements
            .iter()
            .filter(|s| s.confines_every_caller())
            .collect();
        self.allow_statements()
            .filter(|allow| allow.allows_public_access(kind))
            .filter(|allow| {
                !confining
                    .iter()
                    .any(|deny| deny.covers_the_grant_of(allow, kind))
            })
            .collect()
    }

    /// Whether the policy as a whole refuses every plain-HTTP request to the bucket and to its
    /// objects: one Deny may cover both, or one each (`aws:SecureTransport` false, every S3
    /// action, everyone, no other condition).
    pub fn denies_insecure_transport(&self, bucket_arn: &str) -> bool {
        let (mut bucket, mut objects) = (false, false);
        for statement in &self.statements {
            let (b, o) = statement.insecure_transport_denied_on(bucket_arn);
            bucket |= b;
            objects |= o;
        }
        bucket && objects
    }
}

/// A condition's values as strings: one value or a list, of strings, numbers or booleans.
fn condition_values(value: &Value) -> Option<Vec<String>> {
    let one = |value: &Value| match value {
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    match value {
        Value::Array(items) => items.iter().map(one).collect(),
        other => one(other).map(|v| vec![v]),
    }
}

fn invalid(message: impl Into<String>) -> PolicyError {
    PolicyError::Invalid(message.into())
}

/// A JSON string or list of strings.
fn string_or_list(value: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match value {
        Value::String(s) => Ok(vec![s.clone()]),
        Value::Array(items) => items
            .iter()
            .map(|item| {
                item.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| invalid(format!("{what} contains a value that is not a string")))
            })
            .collect(),
        _ => Err(invalid(format!("{what} is neither a string nor a list"))),
    }
}

impl Statement {
    fn from_value(value: &Value, position: usize) -> Result<Self, PolicyError> {
        let at = |message: &str| invalid(format!("statement {position}: {message}"));
        let object = value.as_object().ok_or_else(|| at("is not an object"))?;
        let effect = match object.get("Effect").and_then(Value::as_str) {
            Some("Allow") => Effect::Allow,
            Some("Deny") => Effect::Deny,
            Some(_) => return Err(at("Effect is neither Allow nor Deny")),
            None => return Err(at("has no Effect")),
        };
        let field = |name: &str| -> Result<Option<Vec<String>>, PolicyError> {
            object
                .get(name)
                .map(|v| string_or_list(v, &format!("statement {position}: {name}")))
                .transpose()
        };
        let actions = match (field("Action")?, field("NotAction")?) {
            (Some(list), None) => Actions::Action(list),
            (None, Some(list)) => Actions::NotAction(list),
            (Some(_), Some(_)) => return Err(at("has both Action and NotAction")),
            (None, None) => return Err(at("has neither Action nor NotAction")),
        };
        let resources = match (field("Resource")?, field("NotResource")?) {
            (Some(list), None) => Resources::Resource(list),
            (None, Some(list)) => Resources::NotResource(list),
            (Some(_), Some(_)) => return Err(at("has both Resource and NotResource")),
            // A role's trust policy names no resource: the role is its resource (IAM User
            // Guide, "IAM JSON policy elements: Resource").
            (None, None)
                if object.contains_key("Principal") || object.contains_key("NotPrincipal") =>
            {
                Resources::Resource(vec!["*".into()])
            }
            (None, None) => return Err(at("has neither Resource nor NotResource")),
        };
        let sid = object
            .get("Sid")
            .and_then(Value::as_str)
            .map(str::to_string);
        let principal_set = |value: &Value, what: &str| -> Result<PrincipalSet, PolicyError> {
            match value {
                Value::String(s) if s.trim() == "*" => Ok(PrincipalSet {
                    everyone: true,
                    entries: Vec::new(),
                }),
                Value::Object(map) => {
                    let mut entries = Vec::new();
                    for (kind, values) in map {
                        for value in
                            string_or_list(values, &format!("statement {position}: {what}"))?
                        {
                            entries.push((kind.clone(), value));
                        }
                    }
                    Ok(PrincipalSet {
                        everyone: false,
                        entries,
                    })
                }
                _ => Err(at(&format!("{what} is neither \"*\" nor an object"))),
            }
        };
        let principals = match (object.get("Principal"), object.get("NotPrincipal")) {
            (Some(p), None) => Some(Principals::Principal(principal_set(p, "Principal")?)),
            (None, Some(p)) => Some(Principals::NotPrincipal(principal_set(p, "NotPrincipal")?)),
            (Some(_), Some(_)) => return Err(at("has both Principal and NotPrincipal")),
            (None, None) => None,
        };
        let mut conditions = Vec::new();
        match object.get("Condition") {
            None | Some(Value::Null) => {}
            Some(Value::Object(operators)) => {
                for (operator, clauses) in operators {
                    let clauses = clauses
                        .as_object()
                        .ok_or_else(|| at("a Condition operator does not hold an object"))?;
                    for (key, values) in clauses {
                        conditions.push(Condition {
                            operator: operator.clone(),
                            key: key.to_ascii_lowercase(),
                            values: condition_values(values).ok_or_else(|| {
                                at("a Condition value is not a string, number or boolean")
                            })?,
                        });
                    }
                }
            }
            Some(_) => return Err(at("Condition is not an object")),
        }
        Ok(Statement {
            sid,
            effect,
            actions,
            resources,
            principals,
            has_condition: !conditions.is_empty(),
            conditions,
        })
    }

    /// An Allow that anyone can use: a public principal (or `NotPrincipal`, which allows
    /// everyone not listed) and no condition that restricts the callers to a concrete set.
    pub fn allows_public_access(&self, kind: ResourcePolicy) -> bool {
        if !self.is_allow() {
            return false;
        }
        let unpinned = || !self.conditions.iter().any(Condition::restricts_callers);
        match &self.principals {
            Some(Principals::Principal(set)) => {
                (set.includes_everyone() && unpinned())
                    || set.entries.iter().any(|(principal, value)| {
                        principal == "Service" && kind.service_principal_is_public(value)
                    }) && !self
                        .conditions
                        .iter()
                        .any(Condition::pins_the_source_account)
            }
            Some(Principals::NotPrincipal(_)) => unpinned(),
            None => false,
        }
    }

    /// A Deny, for everyone, whose only condition is the negation of a pinning one
    /// (`StringNotEquals aws:SourceVpce vpce-1`, `NotIpAddress aws:SourceIp 203.0.113.0/24`):
    /// every caller outside those fixed values is refused, whether the key is in the request
    /// or not (a negated operator is true for a request without the key).
    fn confines_every_caller(&self) -> bool {
        let everyone =
            matches!(&self.principals, Some(Principals::Principal(set)) if set.includes_everyone());
        let negated_pin = matches!(self.conditions.as_slice(), [only] if {
            let positive = only.base_operator().replacen("Not", "", 1);
            only.base_operator().contains("Not")
                && !only.operator.contains(':')
                && Condition {
                    operator: positive.trim_end_matches("IfExists").to_string(),
                    ..only.clone()
                }
                .restricts_callers()
        });
        self.effect == Effect::Deny && everyone && negated_pin
    }

    /// Whether this Deny covers every action and resource `allow` grants: every S3 action (or
    /// every action), on resources that include each of the Allow's.
    fn covers_the_grant_of(&self, allow: &Statement, kind: ResourcePolicy) -> bool {
        let actions = matches!(&self.actions, Actions::Action(list)
            if list.iter().any(|a| covers_every_action_of(a, kind.action_prefix())));
        let resources = match (&self.resources, &allow.resources) {
            (Resources::Resource(denied), Resources::Resource(allowed)) => {
                allowed.iter().all(|granted| {
                    denied
                        .iter()
                        .any(|pattern| wildcard_matches(pattern, granted))
                })
            }
            _ => false,
        };
        actions && resources
    }

    /// Whether the statement's actions include S3's reads of objects or listings
    /// (`s3:GetObject`, `s3:ListBucket`), named or by a wildcard: what FSBP S3.2's rule
    /// (`s3-bucket-public-read-prohibited`) calls public read.
    pub fn grants_reads(&self) -> bool {
        match &self.actions {
            Actions::NotAction(_) => true,
            Actions::Action(list) => list.iter().any(|action| {
                let action = action.trim().to_ascii_lowercase();
                ["s3:getobject", "s3:listbucket"]
                    .iter()
                    .any(|read| wildcard_matches(&action, read))
            }),
        }
    }

    /// Whether the statement's actions include more than reads (`s3:Get*`, `s3:List*`).
    pub fn grants_writes(&self) -> bool {
        match &self.actions {
            Actions::NotAction(_) => true,
            Actions::Action(list) => list.iter().any(|action| {
                let action = action.trim().to_ascii_lowercase();
                !(action.starts_with("s3:get") || action.starts_with("s3:list"))
            }),
        }
    }

    /// Which of the bucket's two resources (the bucket itself, and its objects) this Deny
    /// refuses for every S3 action, for everyone, whenever the request is not over TLS — and
    /// under no other condition, which would narrow it. `(bucket, objects)`.
    fn insecure_transport_denied_on(&self, bucket_arn: &str) -> (bool, bool) {
        let everyone =
            matches!(&self.principals, Some(Principals::Principal(set)) if set.includes_everyone());
        let every_action = matches!(&self.actions, Actions::Action(list)
            if list.iter().any(|a| covers_every_action_of(a, "s3")));
        let insecure_only = matches!(self.conditions.as_slice(), [only]
            if only.key == "aws:securetransport"
                && matches!(only.base_operator(), "Bool" | "BoolIfExists")
                && only.values.len() == 1
                && only.values[0].trim().eq_ignore_ascii_case("false"));
        if !(self.effect == Effect::Deny && everyone && every_action && insecure_only) {
            return (false, false);
        }
        let covers = |arn: &str| match &self.resources {
            Resources::Resource(list) => list.iter().any(|pattern| wildcard_matches(pattern, arn)),
            Resources::NotResource(_) => false,
        };
        (covers(bucket_arn), covers(&format!("{bucket_arn}/*")))
    }

    fn is_allow(&self) -> bool {
        self.effect == Effect::Allow
    }

    /// An Allow of every action on every resource, however written: `Action` `*`, `*:*` (IAM
    /// matches service and action as globs), on `Resource` `*` or `arn:*`.
    pub fn allows_full_admin(&self) -> bool {
        self.is_allow()
            && matches!(&self.actions, Actions::Action(list) if list.iter().any(|a| covers_every_action(a)))
            && matches!(&self.resources, Resources::Resource(list) if list.iter().any(|r| covers_every_resource(r)))
    }

    /// The wildcard action grants of an Allow: `*`, `<service>:*`, or `NotAction` (which allows
    /// everything not listed). Empty for Deny statements and for specific actions.
    pub fn wildcard_actions(&self) -> Vec<String> {
        if !self.is_allow() {
            return Vec::new();
        }
        let every_action_of_a_service = |pattern: &str| {
            let pattern = pattern.trim();
            covers_every_action(pattern)
                || pattern.split_once(':').is_some_and(|(_, action)| {
                    !action.is_empty() && action.chars().all(|c| c == '*')
                })
        };
        match &self.actions {
            // A NotAction that itself excludes every action allows nothing.
            Actions::NotAction(list) if list.iter().any(|a| covers_every_action(a)) => Vec::new(),
            Actions::NotAction(_) => vec!["NotAction".to_string()],
            Actions::Action(list) => list
                .iter()
                .filter(|a| every_action_of_a_service(a))
                .cloned()
                .collect(),
        }
    }

    /// Whether this Allow grants `action` on every resource (`Resource` `*` or `NotResource`).
    /// `action` is one action (`iam:PassRole`) or every action of a service (`s3:*`); names
    /// match case-insensitively, as IAM matches them.
    pub fn allows_on_every_resource(&self, action: &str) -> bool {
        self.is_allow() && self.wildcard_resource().is_some() && self.covers_action(action)
    }

    /// Whether this Deny refuses `action` on every resource, unconditionally.
    pub fn denies_on_every_resource(&self, action: &str) -> bool {
        self.effect == Effect::Deny
            && !self.has_condition
            && matches!(&self.resources, Resources::Resource(list) if list.iter().any(|r| covers_every_resource(r)))
            && self.covers_action(action)
    }

    /// Whether the statement's `Action` (or `NotAction`) takes in `action` (`svc:*`: every
    /// action of the service).
    pub fn covers_action(&self, action: &str) -> bool {
        let action = action.trim();
        let matches = |pattern: &String| match action.strip_suffix(":*") {
            Some(service) => covers_every_action_of(pattern, service),
            None => wildcard_matches_ignoring_case(pattern, action),
        };
        match &self.actions {
            Actions::Action(list) => list.iter().any(matches),
            Actions::NotAction(list) => !list.iter().any(matches),
        }
    }

    /// Whether `Resource` names every resource (`*`, `arn:*`), whatever the effect.
    pub fn names_every_resource(&self) -> bool {
        matches!(&self.resources, Resources::Resource(list) if list.iter().any(|r| covers_every_resource(r)))
    }

    /// Whether `Resource` (or `NotResource`) takes in `arn`. Policy variables are replaced by
    /// `variables` (lowercase names: `("aws:username", "alice")`); a pattern with any other
    /// variable matches nothing, as its value is not known.
    pub fn covers_resource(&self, arn: &str, variables: &[(&str, &str)]) -> bool {
        let matches = |pattern: &String| {
            substitute_variables(pattern, variables)
                .is_some_and(|pattern| wildcard_matches(&pattern, arn))
        };
        match &self.resources {
            Resources::Resource(list) => list.iter().any(matches),
            Resources::NotResource(list) => !list.iter().any(matches),
        }
    }

    /// The resources `Resource` names, when each is one fixed ARN (after `variables`): `None`
    /// for a wildcard, `NotResource` or an unknown variable. Lets a caller look its targets up
    /// instead of matching every candidate.
    pub fn fixed_resources(&self, variables: &[(&str, &str)]) -> Option<Vec<String>> {
        let Resources::Resource(list) = &self.resources else {
            return None;
        };
        list.iter()
            .map(|pattern| {
                let pattern = substitute_variables(pattern.trim(), variables)?;
                (!pattern.contains(['*', '?'])).then(|| pattern.into_owned())
            })
            .collect()
    }

    /// The resource wildcards of an Allow: `Resource: "*"` or `NotResource`.
    pub fn wildcard_resource(&self) -> Option<&'static str> {
        if !self.is_allow() {
            return None;
        }
        match &self.resources {
            Resources::NotResource(_) => Some("NotResource"),
            Resources::Resource(list) if list.iter().any(|r| covers_every_resource(r)) => Some("*"),
            Resources::Resource(_) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADMIN_ENCODED: &str = "%7B%22Version%22%3A%20%222012-10-17%22%2C%20%22Statement%22%3A%20%5B%7B%22Effect%22%3A%20%22Allow%22%2C%20%22Action%22%3A%20%22%2A%22%2C%20%22Resource%22%3A%20%22%2A%22%7D%5D%7D";

    fn parse(json: &str) -> PolicyDocument {
        PolicyDocument::parse(json).unwrap_or_else(|e| panic!("{e}: {json}"))
    }

    #[test]
    fn url_encoded_and_plain_documents_parse_the_same() {
        let encoded = PolicyDocument::parse(ADMIN_ENCODED).unwrap();
        let plain = parse(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#,
        );
        assert_eq!(encoded, plain);
        assert!(encoded.statements[0].allows_full_admin());
    }

    #[test]
    fn plain_json_with_percent_signs_is_not_decoded() {
        let doc = parse(
            r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/100%25"}}"#,
        );
        assert_eq!(
            doc.statements[0].resources,
            Resources::Resource(vec!["arn:aws:s3:::b/100%25".into()])
        );
    }

    #[test]
    fn single_statement_object_and_string_or_list_values() {
        let doc = parse(
            r#"{"Statement":{"Effect":"Allow","Action":["s3:GetObject","ec2:*"],"Resource":"*"}}"#,
        );
        let statement = &doc.statements[0];
        assert_eq!(statement.wildcard_actions(), vec!["ec2:*".to_string()]);
        assert_eq!(statement.wildcard_resource(), Some("*"));
        assert!(!statement.allows_full_admin());
    }

    #[test]
    fn not_action_and_not_resource_count_as_wildcards_but_not_admin() {
        let doc = parse(
            r#"{"Statement":[{"Effect":"Allow","NotAction":"iam:*","NotResource":"arn:aws:s3:::x"}]}"#,
        );
        let statement = &doc.statements[0];
        assert_eq!(statement.wildcard_actions(), vec!["NotAction".to_string()]);
        assert_eq!(statement.wildcard_resource(), Some("NotResource"));
        assert!(!statement.allows_full_admin());
    }

    #[test]
    fn deny_statements_never_grant() {
        let doc = parse(r#"{"Statement":[{"Effect":"Deny","Action":"*","Resource":"*"}]}"#);
        let statement = &doc.statements[0];
        assert!(!statement.allows_full_admin());
        assert!(statement.wildcard_actions().is_empty());
        assert_eq!(statement.wildcard_resource(), None);
        assert_eq!(doc.allow_statements().count(), 0);
    }

    #[test]
    fn admin_needs_both_wildcards_in_one_allow() {
        let doc = parse(
            r#"{"Statement":[
                {"Effect":"Allow","Action":"*","Resource":"arn:aws:s3:::bucket"},
                {"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
        );
        assert!(!doc.statements.iter().any(Statement::allows_full_admin));
        let listed = parse(
            r#"{"Statement":[{"Effect":"Allow","Action":["s3:GetObject","*"],"Resource":["arn:aws:s3:::b","*"],"Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}]}"#,
        );
        assert!(listed.statements[0].allows_full_admin());
        assert!(listed.statements[0].has_condition);
    }

    /// IAM matches the service prefix and the action name as globs: `*:*` is `*`.
    #[test]
    fn every_action_is_decided_by_glob_semantics() {
        for every in ["*", "*:*", "**", "**:*", " *:** "] {
            assert!(covers_every_action(every), "{every}");
            let doc = parse(&format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"{}","Resource":"*"}}}}"#,
                every.trim()
            ));
            assert!(doc.statements[0].allows_full_admin(), "{every}");
            assert_eq!(
                doc.statements[0].wildcard_actions(),
                vec![every.trim().to_string()]
            );
        }
        for some in ["s3:*", "*:Get*", "iam:*", "*:", ":*", "?:*", "s3:Get*", ""] {
            assert!(!covers_every_action(some), "{some}");
        }
        // Every resource, however written.
        for resource in ["*", "arn:*", "arn:*:*:*:*:*"] {
            let doc = parse(&format!(
                r#"{{"Statement":{{"Effect":"Allow","Action":"*:*","Resource":"{resource}"}}}}"#
            ));
            assert!(doc.statements[0].allows_full_admin(), "{resource}");
            assert_eq!(
                doc.statements[0].wildcard_resource(),
                Some("*"),
                "{resource}"
            );
        }
        let bucket_only = parse(
            r#"{"Statement":{"Effect":"Allow","Action":"*:*","Resource":"arn:aws:s3:::b/*"}}"#,
        );
        assert!(!bucket_only.statements[0].allows_full_admin());
        // A NotAction of every action allows nothing; of one service, everything else.
        let nothing = parse(r#"{"Statement":{"Effect":"Allow","NotAction":"*:*","Resource":"*"}}"#);
        assert!(nothing.statements[0].wildcard_actions().is_empty());
        let all_but_iam =
            parse(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#);
        assert_eq!(
            all_but_iam.statements[0].wildcard_actions(),
            vec!["NotAction"]
        );
    }

    #[test]
    fn partial_wildcards_are_not_service_wildcards() {
        let doc = parse(
            r#"{"Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"arn:aws:s3:::b/*"}]}"#,
        );
        assert!(doc.statements[0].wildcard_actions().is_empty());
        assert_eq!(doc.statements[0].wildcard_resource(), None);
    }

    #[test]
    fn malformed_documents_are_errors() {
        let cases = [
            ("", "not valid JSON"),
            ("%7B%22Statement", "not valid JSON"),
            ("%FF%FE", "UTF-8"),
            (r#"["%AA"]"#, "not a JSON object"),
            ("[]", "not a JSON object"),
            (r#"{"Version":"2012-10-17"}"#, "no Statement"),
            (r#"{"Statement":"x"}"#, "neither an object"),
            (r#"{"Statement":[1]}"#, "not an object"),
            (
                r#"{"Statement":[{"Action":"*","Resource":"*"}]}"#,
                "no Effect",
            ),
            (
                r#"{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}"#,
                "Effect",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Resource":"*"}]}"#,
                "neither Action",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*","NotAction":"x","Resource":"*"}]}"#,
                "both Action",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#,
                "neither Resource",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":7,"Resource":"*"}]}"#,
                "neither a string",
            ),
            (
                r#"{"Statement":[{"Effect":"Allow","Action":["s3:*",null],"Resource":"*"}]}"#,
                "not a string",
            ),
        ];
        for (raw, expected) in cases {
            let error = PolicyDocument::parse(raw).expect_err(raw).to_string();
            assert!(error.contains(expected), "{raw}: {error}");
        }
    }

    #[test]
    fn errors_do_not_echo_the_document() {
        let secret = r#"{"Statement":[{"Effect":"Allow","Action":"*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-secret"}}}]}"#;
        let error = PolicyDocument::parse(secret).unwrap_err().to_string();
        assert!(!error.contains("vpce-secret"), "{error}");
    }

    #[test]
    fn huge_documents_are_refused() {
        let huge = format!(r#"{{"Statement":[],"Pad":"{}"}}"#, "x".repeat(2 << 20));
        assert!(PolicyDocument::parse(&huge).is_err());
    }

    #[test]
    fn unicode_in_values_is_kept() {
        let doc = parse(
            r#"{"Statement":[{"Sid":"Zugriff für Ärzte ✓","Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bücket/*"}]}"#,
        );
        assert_eq!(
            doc.statements[0].sid.as_deref(),
            Some("Zugriff für Ärzte ✓")
        );
    }
}
