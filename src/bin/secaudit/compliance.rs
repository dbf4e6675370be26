//! `secaudit compliance REPORT --framework F [--format table|csv|json]`: a framework's every
//! requirement judged from a saved report.

use std::path::Path;
use std::process::ExitCode;

use secaudit::compliance::{evaluate, frameworks};
use secaudit::render::compliance::{render_coverage, render_csv, render_table};

use crate::files::{print, read_saved_report};
use crate::Failure;

/// How `secaudit compliance` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ComplianceFormat {
    /// Counts, coverage, and one row per requirement
    Table,
    /// One row per requirement and result, for spreadsheets
    Csv,
    /// The view as JSON
    Json,
}

pub fn run(path: &Path, framework: &str, format: ComplianceFormat) -> Result<ExitCode, Failure> {
    let framework = frameworks::find(framework).map_err(Failure::Usage)?;
    let report = read_saved_report(path)?;
    let view = evaluate(framework, report.evidence());
    let text = match format {
        ComplianceFormat::Table => render_table(&view),
        ComplianceFormat::Csv => render_csv(&view, &report),
        ComplianceFormat::Json => {
            serde_json::to_string_pretty(&view).map_err(|e| Failure::Run(e.to_string()))? + "\n"
        }
    };
    print(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}

/// `secaudit compliance --coverage --framework F`: the committed coverage table.
pub fn coverage(framework: &str) -> Result<ExitCode, Failure> {
    let framework = frameworks::find(framework).map_err(Failure::Usage)?;
    let text = render_coverage(framework);
    print(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
