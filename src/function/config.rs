//! The Lambda's configuration, from its environment variables, checked once at cold start.

use crate::deliver::alert::AlertOn;
use crate::model::Severity;
use crate::request::{
    parse_account_ids, parse_port_ranges, parse_services, parse_severity, parse_support_dates,
    AuditRequest, EnvironmentFilter, RegionSelection, DEFAULT_CONCURRENCY,
    DEFAULT_ENVIRONMENT_TAG_KEY,
};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration: {variable}: {problem}")]
pub struct ConfigError {
    pub variable: &'static str,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LambdaConfig {
    pub report_bucket: String,
    /// Key prefix without leading or trailing slashes.
    pub report_prefix: String,
    /// SSE-KMS key for reports; without it the bucket's default encryption applies.
    pub report_kms_key_id: Option<String>,
    pub alert_topic_arn: String,
    pub alert_min_severity: Severity,
    /// Alert on findings new since `latest.json`, or on every open finding.
    pub alert_on: AlertOn,
    /// `SECAUDIT_ALERT_ON_RESOLVED=true`: an event batch that resolved findings says so in a
    /// short follow-up.
    pub alert_on_resolved: bool,
    /// `SECAUDIT_COMPLIANCE`: framework ids (`cis-aws-3.0,fsbp`) whose views each report
    /// carries, with `<account>/compliance/<framework>.csv` beside it.
    pub compliance: Vec<String>,
    /// `(bucket, key)` of the mutelist, read at every invocation so an edit applies next run.
    pub mutelist: Option<(String, String)>,
    pub environment_tag_key: String,
    /// The audit a scheduled event runs; on-demand requests start from it.
    pub defaults: AuditRequest,
    /// Time kept back from the invocation deadline to write the report and send the alert.
    pub reserve_seconds: u64,
    /// Attempts per API call (standard retry mode with backoff).
    pub max_attempts: u32,
    /// Longest wait between two attempts.
    pub max_backoff_seconds: u64,
    /// Set in an organization deployment: how the function reaches member accounts.
    pub organization: Option<OrganizationConfig>,
}

/// The organization deployment's settings: the role in each member account, and the accounts
/// the plan leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrganizationConfig {
    /// `SECAUDIT_MEMBER_ROLE_NAME`: audited as `arn:aws:iam::<account>:role/<name>`.
    pub member_role_name: String,
    /// `SECAUDIT_MEMBER_EXTERNAL_ID`, when the member roles require one.
    pub external_id: Option<String>,
    /// `SECAUDIT_EXCLUDE_ACCOUNTS`, comma-separated.
    pub excluded_accounts: Vec<String>,
}

fn error(variable: &'static str, problem: impl ToString) -> ConfigError {
    ConfigError {
        variable,
        problem: problem.to_string(),
    }
}

/// `s3://bucket/key` → `(bucket, key)`.
pub(crate) fn parse_s3_uri(uri: &str) -> Option<(String, String)> {
    let (bucket, key) = uri.strip_prefix("s3://")?.split_once('/')?;
    (!key.is_empty()).then(|| (bucket.to_string(), key.to_string()))
}

/// An S3 bucket name, by the rules for new buckets.
fn valid_bucket_name(name: &str) -> bool {
    (3..=63).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
        && name.as_bytes()[0].is_ascii_alphanumeric()
        && name.as_bytes()[name.len() - 1].is_ascii_alphanumeric()
}

impl LambdaConfig {
    /// Reads the `SECAUDIT_*` variables through `var` (the process environment in production).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let get = |name: &str| {
            var(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let report_bucket = get("SECAUDIT_REPORT_BUCKET").ok_or_else(|| {
            error(
                "SECAUDIT_REPORT_BUCKET",
                "is required (the bucket reports are written to)",
            )
        })?;
        if !valid_bucket_name(&report_bucket) {
            return Err(error(
                "SECAUDIT_REPORT_BUCKET",
                format!("'{report_bucket}' is not a valid bucket name"),
            ));
        }
        let report_prefix = get("SECAUDIT_REPORT_PREFIX")
            .unwrap_or_else(|| "reports".into())
            .trim_matches('/')
            .to_string();
        if report_prefix.is_empty()
            || report_prefix.contains("//")
            || report_prefix.chars().any(char::is_control)
        {
            return Err(error(
                "SECAUDIT_REPORT_PREFIX",
                "must be a non-empty key prefix such as 'reports'",
            ));
        }
        let alert_topic_arn = get("SECAUDIT_ALERT_TOPIC_ARN").ok_or_else(|| {
            error(
                "SECAUDIT_ALERT_TOPIC_ARN",
                "is required (the SNS topic alerts go to)",
            )
        })?;
        let arn_parts: Vec<&str> = alert_topic_arn.split(':').collect();
        if arn_parts.len() != 6
            || arn_parts[0] != "arn"
            || arn_parts[2] != "sns"
            || arn_parts[5].is_empty()
        {
            return Err(error(
                "SECAUDIT_ALERT_TOPIC_ARN",
                format!("'{alert_topic_arn}' is not an SNS topic ARN"),
            ));
        }
        let alert_min_severity = match get("SECAUDIT_ALERT_MIN_SEVERITY") {
            Some(value) => {
                parse_severity(&value).map_err(|e| error("SECAUDIT_ALERT_MIN_SEVERITY", e))?
            }
            None => Severity::Critical,
        };
        let alert_on = match get("SECAUDIT_ALERT_ON").as_deref() {
            None | Some("new") => AlertOn::New,
            Some("all") => AlertOn::All,
            Some(other) => {
                return Err(error(
                    "SECAUDIT_ALERT_ON",
                    format!("'{other}' is not one of: new, all"),
                ))
            }
        };
        let alert_on_resolved = match get("SECAUDIT_ALERT_ON_RESOLVED").as_deref() {
            None | Some("false") => false,
            Some("true") => true,
            Some(other) => {
                return Err(error(
                    "SECAUDIT_ALERT_ON_RESOLVED",
                    format!("'{other}' is not one of: true, false"),
                ))
            }
        };
        let mut compliance = Vec::new();
        for id in get("SECAUDIT_COMPLIANCE")
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|id| !id.is_empty())
        {
            crate::compliance::frameworks::find(id)
                .map_err(|problem| error("SECAUDIT_COMPLIANCE", problem))?;
            if !compliance.iter().any(|known| known == id) {
                compliance.push(id.to_string());
            }
        }
        let mutelist = match get("SECAUDIT_MUTELIST_URI") {
            None => None,
            Some(uri) => Some(
                parse_s3_uri(&uri)
                    .filter(|(bucket, _)| valid_bucket_name(bucket))
                    .ok_or_else(|| {
                        error(
                            "SECAUDIT_MUTELIST_URI",
                            format!("'{uri}' is not an s3://bucket/key URI"),
                        )
                    })?,
            ),
        };
        let environment_tag_key = get("SECAUDIT_ENVIRONMENT_TAG_KEY")
            .unwrap_or_else(|| DEFAULT_ENVIRONMENT_TAG_KEY.into());

        let mut defaults = AuditRequest::default();
        if let Some(services) = get("SECAUDIT_SERVICES") {
            defaults.services =
                parse_services(&[services]).map_err(|e| error("SECAUDIT_SERVICES", e))?;
        }
        if let Some(regions) = get("SECAUDIT_REGIONS") {
            defaults.regions =
                RegionSelection::parse(&[regions]).map_err(|e| error("SECAUDIT_REGIONS", e))?;
        }
        if let Some(environment) = get("SECAUDIT_ENVIRONMENT") {
            defaults.environment = Some(
                EnvironmentFilter::new(&environment_tag_key, &environment)
                    .map_err(|e| error("SECAUDIT_ENVIRONMENT", e))?,
            );
        }
        let number = |name: &'static str, default: u64, min: u64| -> Result<u64, ConfigError> {
            match get(name) {
                None => Ok(default),
                Some(value) => match value.parse::<u64>() {
                    Ok(n) if n >= min => Ok(n),
                    _ => Err(error(
                        name,
                        format!("'{value}' is not a whole number of at least {min}"),
                    )),
                },
            }
        };
        defaults.options.min_backup_retention_days =
            u32::try_from(number("SECAUDIT_BACKUP_RETENTION_DAYS", 7, 0)?)
                .map_err(|_| error("SECAUDIT_BACKUP_RETENTION_DAYS", "is too large"))?;
        if let Some(list) = get("SECAUDIT_AUTHORIZED_WORLD_PORTS") {
            defaults.options.authorized_world_ports = parse_port_ranges(&list)
                .map_err(|e| error("SECAUDIT_AUTHORIZED_WORLD_PORTS", e.to_string()))?;
        }
        if let Some(list) = get("SECAUDIT_EKS_SUPPORT_END") {
            defaults.options.eks_standard_support_end = parse_support_dates(&list)
                .map_err(|e| error("SECAUDIT_EKS_SUPPORT_END", e.to_string()))?;
        }
        defaults.concurrency = usize::try_from(number(
            "SECAUDIT_CONCURRENCY",
            DEFAULT_CONCURRENCY as u64,
            1,
        )?)
        .map_err(|_| error("SECAUDIT_CONCURRENCY", "is too large"))?;
        let organization = match get("SECAUDIT_MEMBER_ROLE_NAME") {
            None => None,
            Some(name) => {
                // IAM role names: 1-64 of letters, digits and +=,.@_- (a path is not accepted here).
                if name.len() > 64
                    || !name
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+=,.@_-".contains(c))
                {
                    return Err(error(
                        "SECAUDIT_MEMBER_ROLE_NAME",
                        format!("'{name}' is not an IAM role name"),
                    ));
                }
                Some(OrganizationConfig {
                    member_role_name: name,
                    external_id: get("SECAUDIT_MEMBER_EXTERNAL_ID"),
                    excluded_accounts: match get("SECAUDIT_EXCLUDE_ACCOUNTS") {
                        None => Vec::new(),
                        Some(list) => parse_account_ids(&list)
                            .map_err(|e| error("SECAUDIT_EXCLUDE_ACCOUNTS", e))?,
                    },
                })
            }
        };
        Ok(LambdaConfig {
            organization,
            report_bucket,
            report_prefix,
            report_kms_key_id: get("SECAUDIT_REPORT_KMS_KEY_ID"),
            alert_topic_arn,
            alert_min_severity,
            alert_on,
            alert_on_resolved,
            compliance,
            mutelist,
            environment_tag_key,
            defaults,
            reserve_seconds: number("SECAUDIT_DEADLINE_RESERVE_SECONDS", 10, 1)?,
            max_attempts: u32::try_from(number(
                "SECAUDIT_MAX_ATTEMPTS",
                u64::from(crate::aws::ConnectionSettings::default().max_attempts),
                1,
            )?)
            .map_err(|_| error("SECAUDIT_MAX_ATTEMPTS", "is too large"))?,
            max_backoff_seconds: number("SECAUDIT_MAX_BACKOFF_SECONDS", 20, 1)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::services::checks::PortRange;
    use crate::services::Service;
    use std::collections::HashMap;

    const TOPIC: &str = "arn:aws:sns:us-east-1:123456789012:secaudit-alerts";

    fn config(pairs: &[(&str, &str)]) -> Result<LambdaConfig, ConfigError> {
        let vars: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        LambdaConfig::from_env(|name| vars.get(name).cloned())
    }

    #[test]
    fn the_two_required_settings_give_the_documented_defaults() {
        let config = config(&[
            ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
            ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
        ])
        .unwrap();
        assert_eq!(config.report_prefix, "reports");
        assert_eq!(config.alert_min_severity, Severity::Critical);
        assert_eq!(config.defaults, AuditRequest::default());
        assert_eq!(config.report_kms_key_id, None);
        assert_eq!(config.alert_on, AlertOn::New);
        assert_eq!(config.mutelist, None);
        assert_eq!(config.organization, None);
    }

    #[test]
    fn compliance_frameworks_are_named_and_checked() {
        let with = |value: &str| {
            config(&[
                ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                ("SECAUDIT_COMPLIANCE", value),
            ])
        };
        assert_eq!(with("").unwrap().compliance, Vec::<String>::new());
        assert_eq!(
            with("cis-aws-3.0, fsbp,fsbp").unwrap().compliance,
            ["cis-aws-3.0", "fsbp"]
        );
        let bad = with("cis-aws-3.0,pci").unwrap_err().to_string();
        assert!(
            bad.contains("SECAUDIT_COMPLIANCE") && bad.contains("'pci'"),
            "{bad}"
        );
    }

    #[test]
    fn an_organization_deployment_names_the_member_role() {
        let config = config(&[
            ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
            ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
            ("SECAUDIT_MEMBER_ROLE_NAME", "SecAuditRole"),
            ("SECAUDIT_MEMBER_EXTERNAL_ID", "acme-7"),
            ("SECAUDIT_EXCLUDE_ACCOUNTS", "111111111111, 222222222222"),
        ])
        .unwrap();
        assert_eq!(
            config.organization,
            Some(OrganizationConfig {
                member_role_name: "SecAuditRole".into(),
                external_id: Some("acme-7".into()),
                excluded_accounts: vec!["111111111111".into(), "222222222222".into()],
            })
        );
    }

    #[test]
    fn optional_settings_are_applied() {
        let config = config(&[
            ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
            ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
            ("SECAUDIT_REPORT_PREFIX", "/audits/nightly/"),
            ("SECAUDIT_ALERT_MIN_SEVERITY", "High"),
            ("SECAUDIT_REGIONS", "eu-west-1, eu-central-1"),
            ("SECAUDIT_SERVICES", "s3,iam"),
            ("SECAUDIT_ENVIRONMENT", "prod"),
            ("SECAUDIT_ENVIRONMENT_TAG_KEY", "Stage"),
            ("SECAUDIT_BACKUP_RETENTION_DAYS", "14"),
            ("SECAUDIT_AUTHORIZED_WORLD_PORTS", "443,8443-8444"),
            ("SECAUDIT_CONCURRENCY", "32"),
            ("SECAUDIT_MAX_ATTEMPTS", "12"),
            ("SECAUDIT_ALERT_ON", "all"),
            (
                "SECAUDIT_MUTELIST_URI",
                "s3://acme-config/secaudit/mutes.toml",
            ),
        ])
        .unwrap();
        assert_eq!(config.alert_on, AlertOn::All);
        assert_eq!(
            config.mutelist,
            Some(("acme-config".into(), "secaudit/mutes.toml".into()))
        );
        assert_eq!(config.report_prefix, "audits/nightly");
        assert_eq!(config.alert_min_severity, Severity::High);
        assert_eq!(
            config.defaults.regions,
            RegionSelection::Listed(vec!["eu-west-1".into(), "eu-central-1".into()])
        );
        assert_eq!(
            config.defaults.services.into_iter().collect::<Vec<_>>(),
            [Service::S3, Service::Iam]
        );
        let environment = config.defaults.environment.unwrap();
        assert_eq!(
            (environment.tag_key.as_str(), environment.value.as_str()),
            ("Stage", "prod")
        );
        assert_eq!(config.defaults.options.min_backup_retention_days, 14);
        assert_eq!(
            config.defaults.options.authorized_world_ports,
            [PortRange::single(443), PortRange::new(8443, 8444)]
        );
        assert_eq!(config.defaults.concurrency, 32);
        assert_eq!(config.max_attempts, 12);
    }

    #[test]
    fn missing_or_malformed_settings_name_the_variable() {
        let mut cases: Vec<(Vec<(&str, &str)>, &str)> = vec![
            (
                vec![("SECAUDIT_ALERT_TOPIC_ARN", TOPIC)],
                "SECAUDIT_REPORT_BUCKET",
            ),
            (
                vec![("SECAUDIT_REPORT_BUCKET", "acme-secaudit")],
                "SECAUDIT_ALERT_TOPIC_ARN",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "Bad_Bucket"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                ],
                "SECAUDIT_REPORT_BUCKET",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", "arn:aws:sqs:us-east-1:1:q"),
                ],
                "SECAUDIT_ALERT_TOPIC_ARN",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_ALERT_MIN_SEVERITY", "urgent"),
                ],
                "SECAUDIT_ALERT_MIN_SEVERITY",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_REGIONS", "eu-west-1,atlantis"),
                ],
                "SECAUDIT_REGIONS",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_AUTHORIZED_WORLD_PORTS", "443,https"),
                ],
                "SECAUDIT_AUTHORIZED_WORLD_PORTS",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_SERVICES", "ec2,dynamodb"),
                ],
                "SECAUDIT_SERVICES",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_CONCURRENCY", "0"),
                ],
                "SECAUDIT_CONCURRENCY",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_ALERT_ON", "some"),
                ],
                "SECAUDIT_ALERT_ON",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_MUTELIST_URI", "https://example.com/mutes.toml"),
                ],
                "SECAUDIT_MUTELIST_URI",
            ),
            (
                vec![
                    ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                    ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                    ("SECAUDIT_REPORT_PREFIX", "/"),
                ],
                "SECAUDIT_REPORT_PREFIX",
            ),
        ];
        for (variable, value) in [
            ("SECAUDIT_EKS_SUPPORT_END", "1.36"),
            ("SECAUDIT_MEMBER_ROLE_NAME", "role/SecAuditRole"),
            ("SECAUDIT_EXCLUDE_ACCOUNTS", "1111"),
        ] {
            let mut pairs = vec![
                ("SECAUDIT_REPORT_BUCKET", "acme-secaudit"),
                ("SECAUDIT_ALERT_TOPIC_ARN", TOPIC),
                ("SECAUDIT_MEMBER_ROLE_NAME", "SecAuditRole"),
            ];
            pairs.retain(|(name, _)| *name != variable);
            pairs.push((variable, value));
            cases.push((pairs, variable));
        }
        for (pairs, variable) in cases {
            let error = config(&pairs).expect_err(variable);
            assert_eq!(error.variable, variable, "{error}");
            assert!(error
                .to_string()
                .starts_with(&format!("configuration: {variable}: ")));
        }
    }
}
