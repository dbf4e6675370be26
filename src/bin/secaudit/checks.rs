//! `secaudit checks`: the check catalog.

use std::process::ExitCode;

use secaudit::render::{table, Format};
use secaudit::services::checks::registry;

use crate::files::print;
use crate::Failure;

/// `secaudit checks [--format F]`.
pub fn run(format: Format) -> Result<ExitCode, Failure> {
    print(|out| match format {
        Format::Table => out.write_all(table::render_catalog(registry()).as_bytes()),
        Format::Json | Format::Ocsf | Format::Html => {
            serde_json::to_writer_pretty(&mut *out, &registry().collect::<Vec<_>>())?;
            out.write_all(b"\n")
        }
    })?;
    Ok(ExitCode::SUCCESS)
}
