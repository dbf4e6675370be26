//! A rendered report on stdout or in a local file.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use futures::future::BoxFuture;

use super::{Delivered, Delivery, DeliveryError};
use crate::render::Format;
use crate::report::Report;

/// Where on this machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Stdout,
    /// Replaced through a temporary file, so a reader never sees half a report.
    File(PathBuf),
}

pub struct FileDelivery {
    pub target: Target,
    pub format: Format,
}

impl FileDelivery {
    pub fn new(target: Target, format: Format) -> Self {
        FileDelivery { target, format }
    }

    fn destination(&self) -> String {
        match &self.target {
            Target::Stdout => "stdout".into(),
            Target::File(path) => path.display().to_string(),
        }
    }

    fn write(&self, report: &Report) -> io::Result<()> {
        let renderer = self.format.renderer();
        match &self.target {
            Target::Stdout => write_stdout(|out| renderer.render(report, out)),
            Target::File(path) => {
                let temporary = temporary_path(path)?;
                renderer.render(report, &mut File::create(&temporary)?)?;
                std::fs::rename(&temporary, path)
            }
        }
    }
}

/// Writes to stdout, flushed. A reader that closed it early (`secaudit render r.json | head`)
/// has had all it wanted: a broken pipe is a quiet end, not an error.
pub fn write_stdout(write: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> io::Result<()> {
    let mut out = io::stdout().lock();
    match write(&mut out).and_then(|()| out.flush()) {
        Err(error) if error.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other,
    }
}

fn temporary_path(path: &Path) -> io::Result<PathBuf> {
    let file_name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "the path names no file"))?;
    let mut temporary = path.to_path_buf();
    temporary.set_file_name(format!(".{}.tmp", file_name.to_string_lossy()));
    Ok(temporary)
}

impl Delivery for FileDelivery {
    fn deliver<'a>(
        &'a self,
        report: &'a Report,
        _report_uri: &'a str,
    ) -> BoxFuture<'a, Result<Delivered, DeliveryError>> {
        Box::pin(async move {
            self.write(report).map_err(|error| DeliveryError {
                action: "writing the report",
                destination: self.destination(),
                code: format!("{:?}", error.kind()),
                message: error.to_string(),
            })?;
            Ok(Delivered {
                destination: self.destination(),
                ..Delivered::default()
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unwritable_file_names_its_path() {
        let report: Report =
            serde_json::from_value(crate::report::tests::minimal_report()).unwrap();
        let delivery = FileDelivery::new(
            Target::File(PathBuf::from("/nonexistent-directory/report.json")),
            Format::Json,
        );
        let error = futures::executor::block_on(delivery.deliver(&report, "")).unwrap_err();
        assert_eq!(error.action, "writing the report");
        assert_eq!(error.destination, "/nonexistent-directory/report.json");
        assert_eq!(error.code, "NotFound");
        assert!(error.to_string().starts_with(
            "writing the report failed (NotFound) at /nonexistent-directory/report.json"
        ));
    }
}
