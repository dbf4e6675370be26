//! What to audit: services, regions, environment filter and check options.
//!
//! Every entry point (CLI flags, Lambda events) builds an [`AuditRequest`] through the parsers
//! here, so validation and its error messages exist once.

use std::collections::BTreeSet;

use crate::model::{Severity, Weights};
use crate::services::checks::{CheckOptions, PortRange};
use crate::services::{Service, UnknownService};

/// A problem with the caller's input: reported as a one-line message, never a panic.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RequestError {
    #[error("unknown service '{0}' (expected one of: {names})", names = Service::names())]
    UnknownService(String),
    #[error("no services given (expected one or more of: {names})", names = Service::names())]
    NoServices,
    #[error("invalid region '{0}' (expected a name like us-east-1)")]
    InvalidRegion(String),
    #[error("invalid tag key '{0}': {1}")]
    InvalidTagKey(String, &'static str),
    #[error("invalid environment value '{0}': {1}")]
    InvalidEnvironment(String, &'static str),
    #[error("invalid port range '{0}' (expected PORT or FROM-TO within 0-65535)")]
    InvalidPortRange(String),
    #[error("invalid severity '{0}' (expected one of: critical, high, medium, low)")]
    InvalidSeverity(String),
    #[error("invalid weight '{0}' (expected SEVERITY=NUMBER, e.g. critical=10)")]
    InvalidWeight(String),
    #[error("{0} must be at least {1}")]
    TooSmall(&'static str, u64),
    #[error("invalid account id '{0}' (expected 12 digits)")]
    InvalidAccountId(String),
    #[error("no account ids given")]
    NoAccounts,
    #[error("invalid support date '{0}' (expected VERSION=YYYY-MM-DD, e.g. 1.35=2027-03-27)")]
    InvalidSupportDate(String),
}

impl From<UnknownService> for RequestError {
    fn from(error: UnknownService) -> Self {
        RequestError::UnknownService(error.0)
    }
}

/// An AWS account id: exactly 12 digits.
pub fn validate_account_id(id: &str) -> Result<String, RequestError> {
    if id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit()) {
        Ok(id.to_string())
    } else {
        Err(RequestError::InvalidAccountId(id.to_string()))
    }
}

/// A comma-separated list of account ids (blanks around commas ignored); at least one.
pub fn parse_account_ids(list: &str) -> Result<Vec<String>, RequestError> {
    let ids = list
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(validate_account_id)
        .collect::<Result<Vec<_>, _>>()?;
    if ids.is_empty() {
        return Err(RequestError::NoAccounts);
    }
    Ok(ids)
}

/// Parses `ec2,rds` style lists (also accepts `all`).
pub fn parse_services<S: AsRef<str>>(items: &[S]) -> Result<BTreeSet<Service>, RequestError> {
    let mut services = BTreeSet::new();
    for item in items {
        for name in item.as_ref().split(',').filter(|s| !s.trim().is_empty()) {
            if name.trim().eq_ignore_ascii_case("all") {
                services.extend(Service::ALL);
            } else {
                services.insert(name.parse()?);
            }
        }
    }
    if services.is_empty() {
        return Err(RequestError::NoServices);
    }
    Ok(services)
}

/// Checks the shape of a region name (`us-east-1`, `us-gov-west-1`, `ap-southeast-2`, ...).
/// Whether the region exists for the account is the API's business; this only rejects typos
/// and hostile input before they reach an endpoint URL.
pub fn validate_region(region: &str) -> Result<String, RequestError> {
    let invalid = || RequestError::InvalidRegion(region.to_string());
    let parts: Vec<&str> = region.split('-').collect();
    let (last, rest) = parts.split_last().ok_or_else(invalid)?;
    let well_formed = region.len() <= 32
        && parts.len() >= 3
        && rest[0].len() == 2
        && rest
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase()))
        && !last.is_empty()
        && last.bytes().all(|b| b.is_ascii_digit());
    if well_formed {
        Ok(region.to_string())
    } else {
        Err(invalid())
    }
}

/// Which regions the regional services are audited in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum RegionSelection {
    /// The region from the standard chain (AWS_REGION, profile, instance metadata).
    #[default]
    Default,
    Listed(Vec<String>),
    /// Every region enabled for the account (EC2 DescribeRegions).
    AllEnabled,
}

impl RegionSelection {
    /// From a list of names, a comma-separated string, or the word `all`.
    pub fn parse<S: AsRef<str>>(items: &[S]) -> Result<Self, RequestError> {
        let mut regions: Vec<String> = Vec::new();
        for item in items {
            for name in item.as_ref().split(',').map(str::trim) {
                if name.is_empty() {
                    continue;
                }
                if name.eq_ignore_ascii_case("all") {
                    return Ok(RegionSelection::AllEnabled);
                }
                let region = validate_region(name)?;
                if !regions.contains(&region) {
                    regions.push(region);
                }
            }
        }
        Ok(if regions.is_empty() {
            RegionSelection::Default
        } else {
            RegionSelection::Listed(regions)
        })
    }
}

/// Only resources tagged `tag_key` = `value` (value compared case-insensitively) are evaluated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentFilter {
    pub tag_key: String,
    pub value: String,
}

pub const DEFAULT_ENVIRONMENT_TAG_KEY: &str = "Environment";

impl EnvironmentFilter {
    pub fn new(tag_key: &str, value: &str) -> Result<Self, RequestError> {
        // Limits and characters of AWS tags (https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html).
        fn tag_chars_ok(s: &str) -> bool {
            s.chars()
                .all(|c| c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c))
        }
        if tag_key.trim().is_empty() {
            return Err(RequestError::InvalidTagKey(tag_key.into(), "it is empty"));
        }
        if tag_key.chars().count() > 128 {
            return Err(RequestError::InvalidTagKey(
                tag_key.into(),
                "longer than 128 characters",
            ));
        }
        if !tag_chars_ok(tag_key) {
            return Err(RequestError::InvalidTagKey(
                tag_key.into(),
                "only letters, digits, spaces and _ . : / = + - @ are allowed",
            ));
        }
        if value.trim().is_empty() {
            return Err(RequestError::InvalidEnvironment(
                value.into(),
                "it is empty",
            ));
        }
        if value.chars().count() > 256 {
            return Err(RequestError::InvalidEnvironment(
                value.into(),
                "longer than 256 characters",
            ));
        }
        if !tag_chars_ok(value) {
            return Err(RequestError::InvalidEnvironment(
                value.into(),
                "only letters, digits, spaces and _ . : / = + - @ are allowed",
            ));
        }
        Ok(EnvironmentFilter {
            tag_key: tag_key.to_string(),
            value: value.to_string(),
        })
    }

    /// Whether a resource with these tags is in the environment.
    pub fn matches<'a>(&self, tags: impl IntoIterator<Item = (&'a String, &'a String)>) -> bool {
        tags.into_iter()
            .any(|(k, v)| *k == self.tag_key && v.trim().eq_ignore_ascii_case(self.value.trim()))
    }
}

/// Parses `22,3389,8000-8080`.
pub fn parse_port_ranges(list: &str) -> Result<Vec<PortRange>, RequestError> {
    let mut ranges = Vec::new();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let invalid = || RequestError::InvalidPortRange(item.to_string());
        let range = match item.split_once('-') {
            Some((from, to)) => PortRange::new(
                from.trim().parse().map_err(|_| invalid())?,
                to.trim().parse().map_err(|_| invalid())?,
            ),
            None => PortRange::single(item.parse().map_err(|_| invalid())?),
        };
        if range.from > range.to {
            return Err(invalid());
        }
        ranges.push(range);
    }
    if ranges.is_empty() {
        return Err(RequestError::InvalidPortRange(list.to_string()));
    }
    Ok(ranges)
}

/// Upper bound on concurrent per-resource API calls (per-bucket S3 calls, managed policy reads).
pub const DEFAULT_CONCURRENCY: usize = 16;

/// One audit: what to look at and how to judge it.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditRequest {
    pub services: BTreeSet<Service>,
    pub regions: RegionSelection,
    pub environment: Option<EnvironmentFilter>,
    pub options: CheckOptions,
    pub concurrency: usize,
    /// Keep every resource's tags for the assessment (mutelist rules on tags); S3 then reads
    /// bucket tags, one call per bucket.
    pub read_tags: bool,
}

impl Default for AuditRequest {
    fn default() -> Self {
        AuditRequest {
            services: Service::ALL.into_iter().collect(),
            regions: RegionSelection::Default,
            environment: None,
            options: CheckOptions::default(),
            concurrency: DEFAULT_CONCURRENCY,
            read_tags: false,
        }
    }
}

/// Parses `critical`, `HIGH`, ...
pub fn parse_severity(s: &str) -> Result<Severity, RequestError> {
    match s.trim().to_ascii_lowercase().as_str() {
        "critical" => Ok(Severity::Critical),
        "high" => Ok(Severity::High),
        "medium" => Ok(Severity::Medium),
        "low" => Ok(Severity::Low),
        _ => Err(RequestError::InvalidSeverity(s.to_string())),
    }
}

/// Parses `critical=10,high=5` into the default weights with those overrides.
pub fn parse_weights(list: &str) -> Result<Weights, RequestError> {
    let mut weights = Weights::default();
    for item in list.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let invalid = || RequestError::InvalidWeight(item.to_string());
        let (name, value) = item.split_once('=').ok_or_else(invalid)?;
        let severity = parse_severity(name).map_err(|_| invalid())?;
        let value: f64 = value.trim().parse().map_err(|_| invalid())?;
        if !value.is_finite() || value < 0.0 {
            return Err(invalid());
        }
        weights.set(severity, value);
    }
    Ok(weights)
}

/// Parses `1.35=2027-03-27,1.36=2027-08-02`: end-of-support dates by version.
pub fn parse_support_dates(list: &str) -> Result<Vec<(String, time::Date)>, RequestError> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    list.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|item| {
            let invalid = || RequestError::InvalidSupportDate(item.to_string());
            let (version, date) = item.split_once('=').ok_or_else(invalid)?;
            let version = version.trim();
            if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
                return Err(invalid());
            }
            let date = time::Date::parse(date.trim(), &format).map_err(|_| invalid())?;
            Ok((version.to_string(), date))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn support_dates_parse_and_reject_what_is_not_a_version_and_a_date() {
        let dates = parse_support_dates("1.35=2027-03-27, 1.36=2027-08-02").unwrap();
        assert_eq!(dates[1].0, "1.36");
        assert_eq!(dates[1].1, time::macros::date!(2027 - 08 - 02));
        for bad in ["1.35", "v1.35=2027-03-27", "1.35=2027-13-01", "=2027-01-01"] {
            assert_eq!(
                parse_support_dates(bad),
                Err(RequestError::InvalidSupportDate(bad.into()))
            );
        }
    }

    #[test]
    fn services_parse_lists_and_reject_unknown_names() {
        let services = parse_services(&["ec2,S3", " iam "]).unwrap();
        assert_eq!(
            services.into_iter().collect::<Vec<_>>(),
            vec![Service::Ec2, Service::S3, Service::Iam]
        );
        assert_eq!(parse_services(&["all"]).unwrap().len(), Service::ALL.len());
        assert_eq!(
            parse_services(&["ec2,dynamodb"]),
            Err(RequestError::UnknownService("dynamodb".into()))
        );
        assert_eq!(parse_services(&[","]), Err(RequestError::NoServices));
    }

    #[test]
    fn region_names_are_validated() {
        for ok in [
            "us-east-1",
            "eu-west-3",
            "us-gov-west-1",
            "ap-southeast-2",
            "cn-north-1",
        ] {
            assert_eq!(validate_region(ok), Ok(ok.to_string()), "{ok}");
        }
        for bad in [
            "",
            "us-east",
            "US-EAST-1",
            "useast1",
            "us-east-1a",
            "us-east-1/../x",
            "u-east-1",
            "us--1",
            "127.0.0.1",
        ] {
            assert!(validate_region(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn region_selection_deduplicates_and_understands_all() {
        assert_eq!(
            RegionSelection::parse(&["eu-west-1,us-east-1", "eu-west-1"]).unwrap(),
            RegionSelection::Listed(vec!["eu-west-1".into(), "us-east-1".into()])
        );
        assert_eq!(
            RegionSelection::parse(&["all"]).unwrap(),
            RegionSelection::AllEnabled
        );
        assert_eq!(
            RegionSelection::parse::<&str>(&[]).unwrap(),
            RegionSelection::Default
        );
        assert!(RegionSelection::parse(&["eu-west-1,moon-1"]).is_err());
    }

    #[test]
    fn environment_filter_matches_value_case_insensitively_but_key_exactly() {
        let filter = EnvironmentFilter::new("Environment", "prod").unwrap();
        let tags = |k: &str, v: &str| vec![(k.to_string(), v.to_string())];
        let matches = |t: Vec<(String, String)>| filter.matches(t.iter().map(|(k, v)| (k, v)));
        assert!(matches(tags("Environment", "PROD")));
        assert!(matches(tags("Environment", "prod ")));
        assert!(!matches(tags("environment", "prod")));
        assert!(!matches(tags("Environment", "production")));
        assert!(!matches(vec![]));
        assert!(EnvironmentFilter::new("", "prod").is_err());
        assert!(EnvironmentFilter::new("Env", "").is_err());
        assert!(EnvironmentFilter::new("Env{}", "prod").is_err());
        assert!(EnvironmentFilter::new(&"k".repeat(129), "prod").is_err());
    }

    #[test]
    fn port_ranges_parse_and_reject_nonsense() {
        assert_eq!(
            parse_port_ranges("22, 8000-8080").unwrap(),
            vec![PortRange::single(22), PortRange::new(8000, 8080)]
        );
        for bad in ["", "70000", "10-5", "ssh", "1-2-3"] {
            assert!(parse_port_ranges(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn weights_parse_overrides() {
        let weights = parse_weights("critical=20, low=0").unwrap();
        assert_eq!(weights.get(Severity::Critical), 20.0);
        assert_eq!(weights.get(Severity::High), 5.0);
        assert_eq!(weights.get(Severity::Low), 0.0);
        for bad in ["critical", "urgent=1", "high=-1", "high=NaN"] {
            assert!(parse_weights(bad).is_err(), "{bad}");
        }
    }
}
