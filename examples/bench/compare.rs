//! `bench --compare EARLIER`: this build beside an earlier one, measured in the same run on the
//! same seeded accounts, so a before-and-after figure is not the machine's drift.

use std::fmt::Write as _;

use super::{seconds, OrganizationRun, Size};

/// The comparison section: CPU (median and range) and peak RSS of both builds.
pub(super) fn render_comparison(
    out: &mut String,
    sizes: &[Size],
    organization: Option<&OrganizationRun>,
    organization_earlier: Option<&OrganizationRun>,
) {
    let _ = writeln!(out, "\n## Compared with an earlier build (`--compare`)\n");
    let _ = writeln!(
        out,
        "The same seeded accounts audited by both builds in this run, their direct runs \
         interleaved.\n"
    );
    let _ = writeln!(
        out,
        "| scenario | CPU, this build | CPU, earlier build | peak RSS, this build | peak RSS, earlier build |"
    );
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    let megabytes = |kb: u64| format!("{:.1} MB", kb as f64 / 1024.0);
    for size in sizes {
        let Some((cpu, (low, high), peak)) = size.compared else {
            continue;
        };
        let _ = writeln!(
            out,
            "| {} units | {} ({}–{}) | {} ({}–{}) | {} | {} |",
            size.units,
            seconds(size.direct.cpu),
            seconds(size.cpu_range.0),
            seconds(size.cpu_range.1),
            seconds(cpu),
            seconds(low),
            seconds(high),
            megabytes(size.direct.peak_rss_kb),
            megabytes(peak),
        );
    }
    if let (Some(now), Some(earlier)) = (organization, organization_earlier) {
        let _ = writeln!(
            out,
            "| organization of {} × {} units | {} | {} | {} | {} |",
            now.accounts,
            now.units,
            seconds(now.usage.cpu()),
            seconds(earlier.usage.cpu()),
            megabytes(now.usage.peak_rss_kb),
            megabytes(earlier.usage.peak_rss_kb),
        );
    }
}
