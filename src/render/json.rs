//! The report as JSON: schema version 1 of the design, pretty-printed.

use std::io::{self, BufWriter, Write};

use super::Render;
use crate::report::Report;

pub struct JsonRenderer;

impl Render for JsonRenderer {
    fn content_type(&self) -> &'static str {
        "application/json"
    }

    /// Streams the report; no second copy of it is built in memory.
    fn render(&self, report: &Report, out: &mut dyn Write) -> io::Result<()> {
        // A large account's report is megabytes: 64 KiB writes make a tenth of the system
        // calls of the default 8 KiB.
        let mut out = BufWriter::with_capacity(64 * 1024, out);
        serde_json::to_writer_pretty(&mut out, report)?;
        out.write_all(b"\n")?;
        out.flush()
    }
}
