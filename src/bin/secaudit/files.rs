//! Reading the CLI's input files and writing its outputs, each failure a [`Failure`].

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use secaudit::assess::mutelist::Mutelist;
use secaudit::deliver::file::write_stdout;
use secaudit::report::history::History;
use secaudit::report::{read_report, Report};

use crate::Failure;

/// Writes to stdout; a reader that closed it early is a quiet end (see [`write_stdout`]).
pub fn print(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), Failure> {
    write_stdout(write).map_err(|e| Failure::Run(format!("cannot write: {e}")))
}

pub fn read_file(path: &Path) -> Result<Vec<u8>, Failure> {
    std::fs::read(path).map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))
}

pub fn read_saved_report(path: &Path) -> Result<Report, Failure> {
    read_report(&path.display().to_string(), &read_file(path)?)
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// A history file; a missing one is an empty history (the first run).
pub fn read_history(path: &Path) -> Result<History, Failure> {
    match std::fs::read(path) {
        Ok(bytes) => History::parse(&path.display().to_string(), &bytes).map_err(Failure::Usage),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(History::default()),
        Err(e) => Err(Failure::Usage(format!(
            "cannot read {}: {e}",
            path.display()
        ))),
    }
}

/// Replaces `path` through a temporary file, so a reader never sees half of it.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    let mut temporary = path.as_os_str().to_owned();
    temporary.push(".tmp");
    let temporary = PathBuf::from(temporary);
    std::fs::write(&temporary, bytes)
        .and_then(|()| std::fs::rename(&temporary, path))
        .map_err(|e| Failure::Run(format!("cannot write {}: {e}", path.display())))
}

pub fn read_mutelist(path: &Path) -> Result<Mutelist, Failure> {
    let bytes = read_file(path)?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Usage(format!("{}: not UTF-8 text", path.display())))?;
    Mutelist::parse(&path.display().to_string(), &text).map_err(|e| Failure::Usage(e.to_string()))
}
