//! Render a finished report into bytes. A renderer does not know where its bytes go
//! ([`crate::deliver`] ships them).
//!
//! One file per output behind the one [`Render`] trait: [`json`], [`table`], [`ocsf`], [`html`];
//! the helpers several outputs share live here, so the outputs never import each other.

pub mod catalog;
pub mod compliance;
pub mod html;
mod html_compliance;
pub mod json;
pub mod ocsf;
pub mod table;

use std::io::{self, Write};

use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};

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

/// The formats a report renders to (the CLI's `--format` values, with [`Format::help`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Table,
    Ocsf,
    Html,
}

impl Format {
    pub const ALL: [Format; 4] = [Format::Json, Format::Table, Format::Ocsf, Format::Html];

    /// Its name on the command line and in configuration.
    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Table => "table",
            Format::Ocsf => "ocsf",
            Format::Html => "html",
        }
    }

    pub fn help(self) -> &'static str {
        match self {
            Format::Json => "The JSON report (schema version 1)",
            Format::Table => "A table for people",
            Format::Ocsf => "OCSF Detection Findings, one JSON object a line",
            Format::Html => "One self-contained HTML page",
        }
    }

    pub fn renderer(self) -> &'static dyn Render {
        match self {
            Format::Json => &json::JsonRenderer,
            Format::Table => &table::TableRenderer,
            Format::Ocsf => &ocsf::OcsfRenderer,
            Format::Html => &html::HtmlRenderer,
        }
    }
}

impl std::str::FromStr for Format {
    type Err = String;
    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|format| format.name() == name)
            .ok_or_else(|| format!("unknown format '{name}'"))
    }
}

/// A terminal table in the one style every text output uses (report, catalog, compliance).
pub fn text_table(header: &[&str]) -> Table {
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic)
        .set_width(140)
        .set_header(header.to_vec());
    table
}

/// `EC2::Instance` for `AWS::EC2::Instance`; `Account` for the service-less `AWS::::Account`:
/// the prefix is the same on every row.
pub(crate) fn short_type(resource_type: &str) -> &str {
    resource_type
        .strip_prefix("AWS::")
        .map_or(resource_type, |rest| rest.trim_start_matches(':'))
}

/// The `id` of a finding's row and the fragment linking to it: the one place both come from.
/// Result ids hold `/`, `:` and whatever resource names hold, so every byte outside
/// `[A-Za-z0-9-]` (`_` too, the escape) becomes `_` and two hex digits: distinct ids stay
/// distinct, where replacing them all with `_` would let two rows share an id.
pub(crate) fn anchor(result_id: &str) -> String {
    let mut id = String::from("r-");
    for byte in result_id.bytes() {
        if byte.is_ascii_alphanumeric() || byte == b'-' {
            id.push(byte as char);
        } else {
            id.push_str(&format!("_{byte:02x}"));
        }
    }
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anchors_are_valid_fragments_and_keep_ids_apart() {
        let id = anchor("s3.versioning/1/us-east-1/AWS::S3::Bucket/a_b");
        assert!(id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_ne!(anchor("role/a.b"), anchor("role/a@b"));
        assert_ne!(anchor("role/a_2eb"), anchor("role/a.b"));
    }
}
