//! `secaudit checks`: the check catalog.

use std::process::ExitCode;

use secaudit::render::catalog::CatalogFormat;
use secaudit::services::checks::registry;

use crate::files::print;
use crate::Failure;

/// `secaudit checks [--format F]`.
pub fn run(format: CatalogFormat) -> Result<ExitCode, Failure> {
    print(|out| out.write_all(format.render(registry()).as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
