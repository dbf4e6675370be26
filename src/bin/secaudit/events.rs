//! `secaudit events`: the CloudTrail events the checks declare, as a table or as the
//! EventBridge pattern the deployment's rule uses.

use std::process::ExitCode;

use secaudit::render::text_table;
use secaudit::services::change_events::eventbridge_pattern;
use secaudit::services::checks::registry;

use crate::files::print;
use crate::Failure;

/// How `secaudit events` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum EventsFormat {
    /// Each event with the checks it re-checks
    Table,
    /// The EventBridge event pattern (the templates' rule)
    Eventbridge,
}

pub fn run(format: EventsFormat) -> Result<ExitCode, Failure> {
    let text = match format {
        EventsFormat::Eventbridge => {
            let mut json = serde_json::to_string_pretty(&eventbridge_pattern(registry()))
                .map_err(|e| Failure::Run(e.to_string()))?;
            json.push('\n');
            json
        }
        EventsFormat::Table => {
            let mut rows: std::collections::BTreeMap<(&str, &str), Vec<&str>> = Default::default();
            for check in registry() {
                for trigger in check.triggers {
                    for name in trigger.names {
                        rows.entry((trigger.source, name))
                            .or_default()
                            .push(check.id);
                    }
                }
            }
            let mut out = text_table(&["Event source", "Event name", "Checks"]);
            for ((source, name), checks) in rows {
                out.add_row(vec![
                    source.to_string(),
                    name.to_string(),
                    checks.join(", "),
                ]);
            }
            format!("{out}\n")
        }
    };
    print(|out| out.write_all(text.as_bytes()))?;
    Ok(ExitCode::SUCCESS)
}
