//! `secaudit mutelist check FILE`.

use std::path::Path;
use std::process::ExitCode;

use crate::files::{print, read_mutelist};
use crate::Failure;

/// `secaudit mutelist check FILE`.
pub fn check(path: &Path) -> Result<ExitCode, Failure> {
    let mutelist = read_mutelist(path)?;
    let today = time::OffsetDateTime::now_utc().date();
    let expired: Vec<String> = mutelist
        .rules
        .iter()
        .filter(|rule| !rule.is_active(today))
        .map(|rule| {
            format!(
                "rule {} (line {}) expired {}",
                rule.index, rule.line, rule.expires
            )
        })
        .collect();
    print(|out| {
        writeln!(
            out,
            "{}: valid, {} rule(s)",
            mutelist.source,
            mutelist.rules.len()
        )?;
        for line in &expired {
            writeln!(out, "  {line}: it mutes nothing")?;
        }
        Ok(())
    })?;
    Ok(ExitCode::SUCCESS)
}
