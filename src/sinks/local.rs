//! The JSON report on stdout or in a local file.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::report::Report;

/// Streams the report as pretty JSON; no second copy of it is built in memory.
pub fn write_json(report: &Report, out: impl Write) -> io::Result<()> {
    // A large account's report is megabytes: 64 KiB writes make a tenth of the system calls of
    // the default 8 KiB.
    let mut out = BufWriter::with_capacity(64 * 1024, out);
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// Writes the report to `path` (replacing it) through a temporary file, so a reader never sees
/// half a report.
pub fn write_json_file(report: &Report, path: &Path) -> io::Result<()> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(".{}.tmp", file_name.to_string_lossy()));
    write_json(report, File::create(&temporary)?)?;
    std::fs::rename(&temporary, path)
}
