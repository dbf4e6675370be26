//! Lambda's runtime identifiers and their deprecation dates: the day AWS stops applying security
//! patches to the runtime ("Deprecation date" in the tables of
//! https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html; the policy:
//! https://docs.aws.amazon.com/lambda/latest/dg/runtime-support-policy.html).

use time::macros::date;
use time::Date;

/// The day the table was last checked against AWS's page. A runtime released after it is not
/// in the table.
pub(super) const TABLE_AS_OF: &str = "2026-12-02";

/// As of 2026-12-02: every runtime identifier a .zip function can carry, deprecated and
/// supported, with its deprecation date; `None` where AWS has announced none. Container-only
/// releases (`dotnet5.0`, `dotnet7`, `dotnet9`) are left out: an image function has no
/// runtime identifier. Dates that AWS moved are the newest: the Amazon Linux 2 based runtimes
/// (`java8.al2`, `java11`, `java17`, `python3.10`, `python3.11`, `provided.al2`) were extended
/// past Amazon Linux 2's end of life.
pub(super) const RUNTIMES: &[(&str, Option<Date>)] = &[
    ("nodejs", Some(date!(2016 - 08 - 30))),
    ("nodejs4.3", Some(date!(2020 - 03 - 05))),
    ("nodejs4.3-edge", Some(date!(2020 - 03 - 05))),
    ("nodejs6.10", Some(date!(2019 - 08 - 12))),
    ("nodejs8.10", Some(date!(2020 - 03 - 06))),
    ("nodejs10.x", Some(date!(2021 - 07 - 30))),
    ("nodejs12.x", Some(date!(2023 - 03 - 31))),
    ("nodejs14.x", Some(date!(2023 - 12 - 04))),
    ("nodejs16.x", Some(date!(2024 - 06 - 12))),
    ("nodejs18.x", Some(date!(2025 - 09 - 01))),
    ("nodejs20.x", Some(date!(2026 - 04 - 30))),
    ("nodejs22.x", Some(date!(2027 - 04 - 30))),
    ("nodejs24.x", Some(date!(2028 - 04 - 30))),
    // In the Lambda API's runtime list (aws-sdk-lambda 1.156), not yet dated on the page.
    ("nodejs26.x", None),
    ("python2.7", Some(date!(2021 - 07 - 15))),
    ("python3.6", Some(date!(2022 - 07 - 18))),
    ("python3.7", Some(date!(2023 - 12 - 04))),
    ("python3.8", Some(date!(2024 - 10 - 14))),
    ("python3.9", Some(date!(2025 - 12 - 15))),
    ("python3.10", Some(date!(2026 - 10 - 31))),
    ("python3.11", Some(date!(2027 - 06 - 30))),
    ("python3.12", Some(date!(2028 - 10 - 31))),
    ("python3.13", Some(date!(2029 - 06 - 30))),
    ("python3.14", Some(date!(2029 - 06 - 30))),
    // In the Lambda API's runtime list, not yet dated on the page.
    ("python3.15", None),
    ("java8", Some(date!(2024 - 01 - 08))),
    ("java8.al2", Some(date!(2027 - 06 - 30))),
    ("java11", Some(date!(2027 - 06 - 30))),
    ("java17", Some(date!(2027 - 06 - 30))),
    ("java21", Some(date!(2029 - 06 - 30))),
    ("java25", Some(date!(2029 - 06 - 30))),
    // The Amazon Linux 2023 builds of the older Java versions: no date confirmed on the page.
    ("java8.al2023", None),
    ("java11.al2023", None),
    ("java17.al2023", None),
    ("dotnetcore1.0", Some(date!(2019 - 06 - 27))),
    ("dotnetcore2.0", Some(date!(2019 - 05 - 30))),
    ("dotnetcore2.1", Some(date!(2022 - 01 - 05))),
    ("dotnetcore3.1", Some(date!(2023 - 04 - 03))),
    ("dotnet6", Some(date!(2024 - 12 - 20))),
    ("dotnet8", Some(date!(2026 - 11 - 10))),
    ("dotnet10", Some(date!(2028 - 11 - 14))),
    ("ruby2.5", Some(date!(2021 - 07 - 30))),
    ("ruby2.7", Some(date!(2023 - 12 - 07))),
    ("ruby3.2", Some(date!(2026 - 03 - 31))),
    ("ruby3.3", Some(date!(2027 - 03 - 31))),
    ("ruby3.4", Some(date!(2028 - 03 - 31))),
    ("ruby4.0", Some(date!(2029 - 03 - 31))),
    ("go1.x", Some(date!(2024 - 01 - 08))),
    ("provided", Some(date!(2024 - 01 - 08))),
    ("provided.al2", Some(date!(2026 - 07 - 31))),
    ("provided.al2023", Some(date!(2029 - 06 - 30))),
];

/// What the table says of a runtime identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Support {
    /// Deprecated since this date (on or before the day judged).
    Deprecated(Date),
    /// Supported; AWS deprecates it on this date.
    Until(Date),
    /// Supported; AWS has announced no deprecation date.
    NoDateAnnounced,
    /// Not in the table: released after it was written (the table holds every identifier AWS
    /// had published, so an unknown one is newer than all of them).
    Unknown,
}

/// The support of `runtime` on `today`: deprecated from its deprecation date on.
pub(super) fn support(runtime: &str, today: Date) -> Support {
    match RUNTIMES.iter().find(|(id, _)| *id == runtime.trim()) {
        None => Support::Unknown,
        Some((_, None)) => Support::NoDateAnnounced,
        Some((_, Some(date))) if *date <= today => Support::Deprecated(*date),
        Some((_, Some(date))) => Support::Until(*date),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_runtime_is_deprecated_from_its_date_on() {
        let day = date!(2024 - 06 - 12);
        assert_eq!(
            support("nodejs16.x", day.previous_day().unwrap()),
            Support::Until(day)
        );
        assert_eq!(support("nodejs16.x", day), Support::Deprecated(day));
        assert_eq!(
            support("nodejs16.x", day.next_day().unwrap()),
            Support::Deprecated(day)
        );
    }

    #[test]
    fn undated_and_unknown_runtimes_are_told_apart() {
        let today = date!(2026 - 12 - 02);
        assert_eq!(support("python3.15", today), Support::NoDateAnnounced);
        assert_eq!(support("cobol85", today), Support::Unknown);
    }

    #[test]
    fn identifiers_are_unique_and_cover_the_sdk_enum() {
        let mut ids: Vec<&str> = RUNTIMES.iter().map(|(id, _)| *id).collect();
        ids.sort_unstable();
        let count = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), count, "duplicate runtime ids");
        for runtime in aws_sdk_lambda::types::Runtime::values() {
            assert!(
                RUNTIMES.iter().any(|(id, _)| id == runtime),
                "{runtime} is in the Lambda API but not in the runtime table"
            );
        }
    }
}
