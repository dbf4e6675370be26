//! Render a finished report into bytes. A renderer does not know where its bytes go
//! ([`crate::deliver`] ships them).
//!
//! One file per output behind the one [`Render`] trait: [`json`], [`table`], [`ocsf`], [`html`].

pub mod catalog;
pub mod compliance;
pub mod html;
mod html_compliance;
pub mod json;
pub mod ocsf;
pub mod table;

use std::io::{self, Write};

use crate::report::Report;

/// Turns a report into bytes of one format.
pub trait Render: Sync {
    /// The MIME type of the output, for stores that keep one (S3).
    fn content_type(&self) -> &'static str;
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()>;

    /// The rendered report in memory (for uploads).
    fn render_to_vec(&self, report: &Report) -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        self.render(report, &mut bytes)?;
        Ok(bytes)
    }
}

/// The formats a report renders to (and the CLI's `--format` values, with these help texts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// The JSON report (schema version 1)
    Json,
    /// A table for people
    Table,
    /// OCSF Detection Findings, one JSON object a line
    Ocsf,
    /// One self-contained HTML page
    Html,
}

impl Format {
    pub fn renderer(self) -> &'static dyn Render {
        match self {
            Format::Json => &json::JsonRenderer,
            Format::Table => &table::TableRenderer,
            Format::Ocsf => &ocsf::OcsfRenderer,
            Format::Html => &html::HtmlRenderer,
        }
    }
}
