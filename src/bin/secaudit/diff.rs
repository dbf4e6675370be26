//! `secaudit diff OLD NEW`.

use std::path::Path;
use std::process::ExitCode;

use secaudit::assess::compare_reports;
use secaudit::render::{table, Format};

use crate::files::{print, read_saved_report};
use crate::Failure;

/// `secaudit diff OLD NEW`: no AWS call.
pub fn run(old: &Path, new: &Path, format: Format) -> Result<ExitCode, Failure> {
    let (old_report, new_report) = (read_saved_report(old)?, read_saved_report(new)?);
    old_report
        .ensure_account(&old.display().to_string(), &new_report.account_id)
        .map_err(|e| Failure::Usage(e.to_string()))?;
    if matches!(format, Format::Ocsf | Format::Html) {
        return Err(Failure::Usage(
            "diff prints a table or JSON; OCSF and HTML are for reports (scan, render)".into(),
        ));
    }
    let changes = compare_reports(&old_report, &new_report);
    print(|out| match format {
        Format::Table | Format::Ocsf | Format::Html => {
            out.write_all(table::render_changes(&old_report, &new_report, &changes).as_bytes())
        }
        Format::Json => {
            let document = serde_json::json!({
                "account_id": new_report.account_id,
                "old": {"run_id": old_report.run_id, "finished_at": old_report.finished_at},
                "new": {"run_id": new_report.run_id, "finished_at": new_report.finished_at},
                "changes": changes,
            });
            serde_json::to_writer_pretty(&mut *out, &document)?;
            out.write_all(b"\n")
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
