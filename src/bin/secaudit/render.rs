//! `secaudit render REPORT --format F`.

use std::path::Path;
use std::process::ExitCode;

use secaudit::render::Format;

use crate::files::{print, read_history, read_saved_report};
use crate::Failure;

/// `secaudit render REPORT --format F`.
pub fn run(path: &Path, format: Format, history: Option<&Path>) -> Result<ExitCode, Failure> {
    let mut report = read_saved_report(path)?;
    if let Some(history) = history {
        report.trend = read_history(history)?.with_run(&report).trend();
    }
    print(|out| format.renderer().render(&report, out))?;
    Ok(ExitCode::SUCCESS)
}
