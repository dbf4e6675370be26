//! The mutelist: accepted risks, one `[[rule]]` each, in TOML.
//!
//! A rule matches a failed result when every list it has matches: `checks` (globs over check
//! ids), `resources` (globs over the resource id or its ARN), and the optional `accounts`,
//! `regions` and `tags` (tag key → glob over the value; all must match). Globs match the whole
//! string (`*`, `?`, `[abc]`): the rule `logs` mutes the bucket `logs`, not `ci-logs-replica`.
//! A rule needs a `reason` and an `expires` date; from that day on it mutes nothing. Unknown
//! keys, duplicate keys, a missing reason, a bad date or a bad glob are errors naming the file,
//! line and field: a broken file never mutes anything by accident.

use std::collections::BTreeMap;
use std::fmt;

use glob::Pattern;
use serde::Deserialize;
use time::Date;

use crate::model::{CheckResult, Mute};
use crate::report::{MutelistSummary, RuleRef};

/// Why a mutelist was refused: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin}:{line}: {field}{message}")]
pub struct MutelistError {
    /// The file or URI.
    pub origin: String,
    pub line: usize,
    /// `rule 2, expires: ` style prefix, or empty when the problem is not in one field.
    pub field: String,
    pub message: String,
}

/// A glob over whole strings.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Glob(Pattern);

impl Glob {
    fn matches(&self, text: &str) -> bool {
        self.0.matches(text)
    }
}

/// One accepted risk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// 1-based position in the file, as people count rules.
    pub index: usize,
    pub line: usize,
    checks: Vec<Glob>,
    resources: Vec<Glob>,
    accounts: Option<Vec<Glob>>,
    regions: Option<Vec<Glob>>,
    tags: Option<BTreeMap<String, Glob>>,
    pub reason: String,
    pub owner: Option<String>,
    pub expires: Date,
    /// The rule also hides the exposures its muted results are steps of.
    pub exposures: bool,
}

impl Rule {
    /// Whether the rule is in force on `today` (it mutes nothing from its expiry day on).
    pub fn is_active(&self, today: Date) -> bool {
        today < self.expires
    }

    pub fn uses_tags(&self) -> bool {
        self.tags.is_some()
    }

    /// Whether the rule covers this result of `account_id`. A tag condition never matches a
    /// resource whose tags are unknown: what cannot be verified is not muted.
    pub fn matches(
        &self,
        result: &CheckResult,
        account_id: &str,
        tags: Option<&BTreeMap<String, String>>,
    ) -> bool {
        let any = |globs: &[Glob], text: &str| globs.iter().any(|g| g.matches(text));
        any(&self.checks, &result.check_id)
            && (any(&self.resources, &result.resource_id)
                || result
                    .resource_arn
                    .as_deref()
                    .is_some_and(|arn| any(&self.resources, arn)))
            && self.accounts.as_ref().is_none_or(|a| any(a, account_id))
            && self.regions.as_ref().is_none_or(|r| any(r, &result.region))
            && self.tags.as_ref().is_none_or(|wanted| {
                tags.is_some_and(|tags| {
                    wanted
                        .iter()
                        .all(|(key, glob)| tags.get(key).is_some_and(|v| glob.matches(v)))
                })
            })
    }

    fn mute(&self) -> Mute {
        Mute {
            rule: self.index,
            reason: self.reason.clone(),
            owner: self.owner.clone(),
            expires: self.expires.to_string(),
            exposures: self.exposures,
        }
    }
}

/// A parsed, validated mutelist.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mutelist {
    /// Where it came from (a path or an `s3://` URI), for the report and error messages.
    pub source: String,
    pub rules: Vec<Rule>,
}

impl Mutelist {
    /// Parses and validates `text`; `source` names it in errors.
    pub fn parse(source: &str, text: &str) -> Result<Mutelist, MutelistError> {
        let error = |offset: usize, field: String, message: String| MutelistError {
            origin: source.to_string(),
            line: text[..offset.min(text.len())].matches('\n').count() + 1,
            field,
            message,
        };
        let file: RawFile = toml::from_str(text).map_err(|e| {
            let offset = e.span().map_or(0, |span| span.start);
            error(offset, String::new(), e.message().trim().to_string())
        })?;
        let mut rules = Vec::new();
        for (position, raw) in file.rule.into_iter().enumerate() {
            let index = position + 1;
            let rule_start = raw.span().start;
            let raw = raw.into_inner();
            let field = |name: &str| format!("rule {index}, {name}: ");
            let globs = |name: &str, list: &toml::Spanned<Vec<String>>| {
                if list.get_ref().is_empty() {
                    return Err(error(
                        list.span().start,
                        field(name),
                        "must list at least one pattern".into(),
                    ));
                }
                list.get_ref()
                    .iter()
                    .map(|pattern| {
                        Pattern::new(pattern).map(Glob).map_err(|e| {
                            error(
                                list.span().start,
                                field(name),
                                format!("bad glob '{pattern}': {}", e.msg),
                            )
                        })
                    })
                    .collect::<Result<Vec<_>, _>>()
            };
            let reason = match &raw.reason {
                Some(reason) if !reason.get_ref().trim().is_empty() => {
                    reason.get_ref().trim().to_string()
                }
                Some(reason) => {
                    return Err(error(
                        reason.span().start,
                        field("reason"),
                        "must say why the risk is accepted".into(),
                    ))
                }
                None => {
                    return Err(error(
                        rule_start,
                        field("reason"),
                        "missing: every accepted risk needs a reason".into(),
                    ))
                }
            };
            let expires = match &raw.expires {
                Some(expires) => parse_date(expires.get_ref())
                    .map_err(|message| error(expires.span().start, field("expires"), message))?,
                None => {
                    return Err(error(
                        rule_start,
                        field("expires"),
                        "missing: every accepted risk needs an expiry date (YYYY-MM-DD)".into(),
                    ))
                }
            };
            let tags = match &raw.tags {
                Some(tags) => Some(
                    tags.get_ref()
                        .iter()
                        .map(|(key, pattern)| {
                            Pattern::new(pattern)
                                .map(|p| (key.clone(), Glob(p)))
                                .map_err(|e| {
                                    error(
                                        tags.span().start,
                                        field("tags"),
                                        format!("bad glob '{pattern}' for tag {key}: {}", e.msg),
                                    )
                                })
                        })
                        .collect::<Result<BTreeMap<_, _>, _>>()?,
                ),
                None => None,
            };
            rules.push(Rule {
                index,
                line: text[..rule_start.min(text.len())].matches('\n').count() + 1,
                checks: globs("checks", &raw.checks)?,
                resources: globs("resources", &raw.resources)?,
                accounts: raw
                    .accounts
                    .as_ref()
                    .map(|a| globs("accounts", a))
                    .transpose()?,
                regions: raw
                    .regions
                    .as_ref()
                    .map(|r| globs("regions", r))
                    .transpose()?,
                tags,
                reason,
                owner: raw.owner.filter(|o| !o.trim().is_empty()),
                expires,
                exposures: raw.exposures,
            });
        }
        Ok(Mutelist {
            source: source.to_string(),
            rules,
        })
    }

    /// Whether any rule needs resource tags (S3 then reads bucket tags).
    pub fn uses_tags(&self) -> bool {
        self.rules.iter().any(Rule::uses_tags)
    }

    /// Mutes the failed results the rules in force on `today` cover (the first matching rule
    /// is named). Passed results are never muted.
    pub fn apply<'a>(
        &self,
        results: &mut [CheckResult],
        account_id: &str,
        today: Date,
        tags: impl Fn(&CheckResult) -> Option<&'a BTreeMap<String, String>>,
    ) -> MutelistSummary {
        let active: Vec<&Rule> = self.rules.iter().filter(|r| r.is_active(today)).collect();
        let mut used = vec![false; self.rules.len()];
        for result in results.iter_mut().filter(|r| r.is_failed()) {
            let resource_tags = tags(result);
            if let Some(rule) = active
                .iter()
                .find(|rule| rule.matches(result, account_id, resource_tags))
            {
                used[rule.index - 1] = true;
                result.muted = Some(Box::new(rule.mute()));
            }
        }
        let reference = |rule: &Rule| RuleRef {
            rule: rule.index,
            reason: rule.reason.clone(),
            owner: rule.owner.clone(),
            expires: rule.expires.to_string(),
        };
        MutelistSummary {
            source: self.source.clone(),
            rules: self.rules.len(),
            expired_rules: self
                .rules
                .iter()
                .filter(|r| !r.is_active(today))
                .map(reference)
                .collect(),
            unused_rules: self
                .rules
                .iter()
                .filter(|r| r.is_active(today) && !used[r.index - 1])
                .map(reference)
                .collect(),
        }
    }
}

impl fmt::Display for Mutelist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {} rule(s)", self.source, self.rules.len())
    }
}

/// `2027-06-30`, quoted or as a TOML date.
fn parse_date(value: &toml::Value) -> Result<Date, String> {
    let text = match value {
        toml::Value::String(text) => text.trim().to_string(),
        toml::Value::Datetime(datetime) if datetime.time.is_none() => datetime.to_string(),
        other => return Err(format!("expected a date YYYY-MM-DD, found {other}")),
    };
    Date::parse(
        &text,
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .map_err(|_| format!("'{text}' is not a date YYYY-MM-DD"))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    rule: Vec<toml::Spanned<RawRule>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    checks: toml::Spanned<Vec<String>>,
    resources: toml::Spanned<Vec<String>>,
    #[serde(default)]
    accounts: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    regions: Option<toml::Spanned<Vec<String>>>,
    #[serde(default)]
    tags: Option<toml::Spanned<BTreeMap<String, String>>>,
    #[serde(default)]
    reason: Option<toml::Spanned<String>>,
    #[serde(default)]
    owner: Option<String>,
    #[serde(default)]
    expires: Option<toml::Spanned<toml::Value>>,
    #[serde(default)]
    exposures: bool,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status};
    use time::macros::date;

    fn result(check_id: &'static str, resource_id: &str, arn: Option<&str>) -> CheckResult {
        CheckResult {
            id: format!("{check_id}/111111111111/eu-west-1/AWS::S3::Bucket/{resource_id}"),
            resource_arn: arn.map(str::to_string),
            region: "eu-west-1".into(),
            ..CheckResult::example(check_id, resource_id, Severity::Medium, Status::Fail)
        }
    }

    const RULES: &str = r#"
[[rule]]
checks    = ["s3.versioning"]
resources = ["logs", "arn:aws:s3:::archive-*"]
accounts  = ["111111111111"]
regions   = ["eu-*"]
reason    = "write-once access logs"
owner     = "platform"
expires   = "2027-06-30"

[[rule]]
checks    = ["s3.*"]
resources = ["*"]
tags      = { team = "data*" }
reason    = "the data team's sandbox"
expires   = 2028-01-01
"#;

    fn parse(text: &str) -> Result<Mutelist, MutelistError> {
        Mutelist::parse("mutes.toml", text)
    }

    #[test]
    fn globs_match_whole_strings_ids_or_arns_and_every_condition() {
        let list = parse(RULES).unwrap();
        let rule = &list.rules[0];
        let today = date!(2027 - 01 - 15);
        assert!(rule.is_active(today));
        let matches = |r: &CheckResult| rule.matches(r, "111111111111", None);
        assert!(matches(&result("s3.versioning", "logs", None)));
        // Anchored: `logs` is not a substring match.
        assert!(!matches(&result("s3.versioning", "ci-logs-replica", None)));
        assert!(!matches(&result("s3.versioning", "logs-2", None)));
        // By ARN.
        assert!(matches(&result(
            "s3.versioning",
            "archive-2024",
            Some("arn:aws:s3:::archive-2024")
        )));
        // Another check, account or region: no.
        assert!(!matches(&result("s3.default_encryption", "logs", None)));
        assert!(!rule.matches(&result("s3.versioning", "logs", None), "222222222222", None));
        let mut elsewhere = result("s3.versioning", "logs", None);
        elsewhere.region = "us-east-1".into();
        assert!(!matches(&elsewhere));
    }

    #[test]
    fn tag_conditions_need_known_matching_tags() {
        let list = parse(RULES).unwrap();
        let rule = &list.rules[1];
        let data: BTreeMap<String, String> = [("team".to_string(), "data-eng".to_string())].into();
        let web: BTreeMap<String, String> = [("team".to_string(), "web".to_string())].into();
        let bucket = result("s3.versioning", "scratch", None);
        assert!(rule.matches(&bucket, "1", Some(&data)));
        assert!(!rule.matches(&bucket, "1", Some(&web)));
        assert!(!rule.matches(&bucket, "1", Some(&BTreeMap::new())));
        // Unknown tags are never assumed to match.
        assert!(!rule.matches(&bucket, "1", None));
    }

    #[test]
    fn a_rule_mutes_up_to_the_day_before_it_expires() {
        let list = parse(RULES).unwrap();
        let mut results = vec![result("s3.versioning", "logs", None)];
        let on = |day: Date, results: &mut Vec<CheckResult>| {
            results[0].muted = None;
            list.apply(results, "111111111111", day, |_| None)
        };
        let summary = on(date!(2027 - 06 - 29), &mut results);
        let muted = results[0]
            .muted
            .as_ref()
            .expect("muted the day before expiry");
        assert_eq!((muted.rule, muted.expires.as_str()), (1, "2027-06-30"));
        assert_eq!(muted.owner.as_deref(), Some("platform"));
        assert_eq!(results[0].status, Status::Fail);
        assert!(summary.expired_rules.is_empty());
        assert_eq!(
            summary
                .unused_rules
                .iter()
                .map(|r| r.rule)
                .collect::<Vec<_>>(),
            [2]
        );

        let summary = on(date!(2027 - 06 - 30), &mut results);
        assert_eq!(results[0].muted, None, "expired on its expiry day");
        assert_eq!(
            summary
                .expired_rules
                .iter()
                .map(|r| r.rule)
                .collect::<Vec<_>>(),
            [1]
        );
        assert_eq!(
            summary
                .unused_rules
                .iter()
                .map(|r| r.rule)
                .collect::<Vec<_>>(),
            [2]
        );
    }

    #[test]
    fn passed_results_are_never_muted() {
        let list = parse(RULES).unwrap();
        let mut results = vec![result("s3.versioning", "logs", None)];
        results[0].status = Status::Pass;
        list.apply(&mut results, "111111111111", date!(2027 - 01 - 01), |_| {
            None
        });
        assert_eq!(results[0].muted, None);
    }

    #[test]
    fn errors_name_the_file_line_and_field() {
        let error = |text: &str| parse(text).unwrap_err().to_string();
        let rule = |extra: &str| {
            format!(
                "# accepted risks\n[[rule]]\nchecks = [\"s3.*\"]\nresources = [\"logs\"]\n{extra}"
            )
        };
        assert_eq!(
            error(&rule("expires = \"2027-01-01\"\n")),
            "mutes.toml:2: rule 1, reason: missing: every accepted risk needs a reason"
        );
        assert_eq!(
            error(&rule("reason = \"  \"\nexpires = \"2027-01-01\"\n")),
            "mutes.toml:5: rule 1, reason: must say why the risk is accepted"
        );
        assert_eq!(
            error(&rule("reason = \"x\"\nexpires = \"2027-02-30\"\n")),
            "mutes.toml:6: rule 1, expires: '2027-02-30' is not a date YYYY-MM-DD"
        );
        assert_eq!(
            error(&rule("reason = \"x\"\n")),
            "mutes.toml:2: rule 1, expires: missing: every accepted risk needs an expiry date (YYYY-MM-DD)"
        );
        let duplicate = error(&rule(
            "reason = \"x\"\nexpires = \"2027-01-01\"\nreason = \"y\"\n",
        ));
        assert!(
            duplicate.starts_with("mutes.toml:7: ") && duplicate.contains("duplicate key"),
            "{duplicate}"
        );
        let unknown = error(&rule(
            "reason = \"x\"\nexpires = \"2027-01-01\"\nowners = \"y\"\n",
        ));
        assert!(
            unknown.starts_with("mutes.toml:") && unknown.contains("unknown field `owners`"),
            "{unknown}"
        );
        let bad_glob = error(
            &rule("reason = \"x\"\nexpires = \"2027-01-01\"\n")
                .replace("[\"logs\"]", "[\"logs[\"]"),
        );
        assert!(
            bad_glob.starts_with("mutes.toml:4: rule 1, resources: bad glob 'logs['"),
            "{bad_glob}"
        );
        let empty =
            error(&rule("reason = \"x\"\nexpires = \"2027-01-01\"\n").replace("[\"s3.*\"]", "[]"));
        assert!(
            empty.starts_with("mutes.toml:3: rule 1, checks: must list"),
            "{empty}"
        );
        // Not TOML at all.
        assert!(error("[[rule]\n").starts_with("mutes.toml:1: "));
    }

    #[test]
    fn an_empty_file_has_no_rules() {
        assert!(parse("# nothing accepted yet\n").unwrap().rules.is_empty());
    }
}
