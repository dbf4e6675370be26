//! When each Kubernetes minor version leaves standard support on EKS: a dated table, which the
//! `eks_standard_support_end` option overrides or extends.

use std::collections::BTreeMap;

use time::macros::date;
use time::Date;

/// A Kubernetes minor version as `(major, minor)`, ordered as versions are (1.9 < 1.10).
pub(super) type Version = (u32, u32);

/// The end of standard support of each version, as of 2026-12-02, from the release calendar
/// at https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html: a version is
/// in standard support for 14 months from its EKS release, then in extended support (billed
/// extra) for 12 more. Support ends on the date itself. 1.35 and 1.36 come from secondary
/// sources (an AWS samples page, endoflife.date) and follow the 14-month rule. Versions released
/// later are given with `eks_standard_support_end` (`--eks-support-end 1.37=2027-12-02`).
const STANDARD_SUPPORT_END: &[(Version, Date)] = &[
    ((1, 23), date!(2023 - 10 - 11)),
    ((1, 24), date!(2024 - 01 - 31)),
    ((1, 25), date!(2024 - 05 - 01)),
    ((1, 26), date!(2024 - 06 - 11)),
    ((1, 27), date!(2024 - 07 - 24)),
    ((1, 28), date!(2024 - 11 - 26)),
    ((1, 29), date!(2025 - 03 - 23)),
    ((1, 30), date!(2025 - 07 - 23)),
    ((1, 31), date!(2025 - 11 - 26)),
    ((1, 32), date!(2026 - 03 - 23)),
    ((1, 33), date!(2026 - 07 - 29)),
    ((1, 34), date!(2026 - 12 - 02)),
    ((1, 35), date!(2027 - 03 - 27)),
    ((1, 36), date!(2027 - 08 - 02)),
];

/// `1.31` (or `1.31.2`) as `(1, 31)`; `None` for anything else.
pub(super) fn parse(version: &str) -> Option<Version> {
    let mut parts = version.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}

/// Where a known end date comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Source {
    Table,
    Options,
}

/// What is known of a version's end of standard support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Support {
    /// Standard support ends on this day.
    Ends(Date, Source),
    /// Newer than every version with a known date. EKS releases minor versions in order, each
    /// with 14 months of standard support, so this one's support lasts at least until
    /// `newest`'s ends.
    Newer {
        newest: Version,
        until_at_least: Date,
    },
    /// Older than every version with a known date: its support ended by `oldest`'s end.
    Older { oldest: Version, ended_by: Date },
    /// Not a `major.minor` version, or one between known versions without a date of its own.
    Unknown,
}

/// The support of `version`, by the built-in table with `overrides` applied over it.
pub(super) fn support(version: &str, overrides: &[(String, Date)]) -> Support {
    let mut known: BTreeMap<Version, (Date, Source)> = STANDARD_SUPPORT_END
        .iter()
        .map(|(version, end)| (*version, (*end, Source::Table)))
        .collect();
    for (version, end) in overrides {
        if let Some(version) = parse(version) {
            known.insert(version, (*end, Source::Options));
        }
    }
    let Some(version) = parse(version) else {
        return Support::Unknown;
    };
    if let Some((end, source)) = known.get(&version) {
        return Support::Ends(*end, *source);
    }
    match (known.first_key_value(), known.last_key_value()) {
        (_, Some((newest, (end, _)))) if version > *newest => Support::Newer {
            newest: *newest,
            until_at_least: *end,
        },
        (Some((oldest, (end, _))), _) if version < *oldest => Support::Older {
            oldest: *oldest,
            ended_by: *end,
        },
        _ => Support::Unknown,
    }
}

/// `(1, 31)` as `1.31`.
pub(super) fn display((major, minor): Version) -> String {
    format!("{major}.{minor}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse_and_order_numerically() {
        assert_eq!(parse("1.31"), Some((1, 31)));
        assert_eq!(parse(" 1.31.2 "), Some((1, 31)));
        assert_eq!(parse("1"), None);
        assert_eq!(parse("latest"), None);
        assert!(parse("1.9") < parse("1.10"));
    }

    #[test]
    fn the_table_is_ordered_and_dates_grow_with_versions() {
        for pair in STANDARD_SUPPORT_END.windows(2) {
            assert!(pair[0].0 < pair[1].0, "{:?}", pair[1].0);
            assert!(pair[0].1 < pair[1].1, "{:?}", pair[1].0);
        }
    }

    #[test]
    fn options_override_and_extend_the_table() {
        let overrides = vec![
            ("1.24".to_string(), date!(2030 - 01 - 01)),
            ("1.37".to_string(), date!(2027 - 12 - 02)),
            ("junk".to_string(), date!(2030 - 01 - 01)),
        ];
        assert_eq!(
            support("1.24", &overrides),
            Support::Ends(date!(2030 - 01 - 01), Source::Options)
        );
        assert_eq!(
            support("1.30", &overrides),
            Support::Ends(date!(2025 - 07 - 23), Source::Table)
        );
        assert_eq!(
            support("1.38", &overrides),
            Support::Newer {
                newest: (1, 37),
                until_at_least: date!(2027 - 12 - 02)
            }
        );
        assert_eq!(
            support("1.19", &[]),
            Support::Older {
                oldest: (1, 23),
                ended_by: date!(2023 - 10 - 11)
            }
        );
        assert_eq!(support("junk", &overrides), Support::Unknown);
        assert_eq!(display((1, 37)), "1.37");
    }
}
