//! `secaudit`: the command-line shell over the audit engine.
//!
//! Exit codes: 0 the audit finished; 1 it could not run at all; 2 bad usage or input;
//! 3 `--fail-on` found an open (unmuted) failed result at or above the given severity.

mod accounts;
mod checks;
mod compliance;
mod diff;
mod events;
mod files;
mod formats;
mod mutelist;
mod recheck;
mod render;
mod scan;

use std::io::{self, IsTerminal};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};
use secaudit::render::catalog::CatalogFormat;
use secaudit::render::Format;
use secaudit::request::RequestError;

use scan::ScanArgs;

/// The first commands a newcomer needs, shown with `--help` and with no arguments at all.
const EXAMPLES: &str = "\
Examples:
  secaudit scan --profile audit --region eu-west-1 --format table
  secaudit scan --all-regions --output report.json --fail-on critical
  secaudit checks";

#[derive(Parser)]
#[command(
    name = "secaudit",
    version,
    about = "Audit AWS accounts' security posture against AWS Security Hub FSBP and CIS AWS \
             Foundations checks (`secaudit checks` lists them)",
    after_help = EXAMPLES
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Audit the account the credentials belong to.
    Scan(Box<ScanArgs>),
    /// List the checks with their severity and Security Hub / CIS ids.
    Checks {
        #[arg(long, value_parser = formats::catalog(), default_value = "table")]
        format: CatalogFormat,
    },
    /// Compare two saved reports of one account: what is new, resolved, persisting, unverified.
    Diff {
        old: PathBuf,
        new: PathBuf,
        #[arg(long, value_parser = formats::report(), default_value = "table")]
        format: Format,
    },
    /// Print a saved report in another format.
    Render {
        report: PathBuf,
        #[arg(long, value_parser = formats::report(), default_value = "table")]
        format: Format,
        /// The account's history, for the HTML page's score trend (read, not changed).
        #[arg(long, value_name = "FILE")]
        history: Option<PathBuf>,
    },
    /// The CloudTrail events that re-check checks, as a table or as the EventBridge pattern.
    Events {
        #[arg(long, value_enum, default_value_t = events::EventsFormat::Table)]
        format: events::EventsFormat,
    },
    /// Re-read what CloudTrail events touched and merge the verdicts into a saved report.
    Recheck(Box<recheck::RecheckArgs>),
    /// A framework's every requirement judged from a saved report: pass, fail, not evaluated
    /// (could not read) or not covered (no check), with coverage.
    Compliance {
        #[arg(required_unless_present = "coverage")]
        report: Option<PathBuf>,
        /// `cis-aws-3.0` or `fsbp`.
        #[arg(long)]
        framework: String,
        /// Print what secaudit covers of the framework (Markdown, no report needed).
        #[arg(long, conflicts_with = "report")]
        coverage: bool,
        #[arg(long, value_enum, default_value_t = compliance::ComplianceFormat::Table)]
        format: compliance::ComplianceFormat,
    },
    /// Work with a mutelist (accepted risks).
    Mutelist {
        #[command(subcommand)]
        command: MutelistCommand,
    },
}

#[derive(Subcommand)]
enum MutelistCommand {
    /// Validate a mutelist without auditing: exit 0 when valid, 2 naming the line otherwise.
    Check { file: PathBuf },
}

/// The ways `secaudit` ends other than success, each with its exit code.
pub enum Failure {
    Usage(String),
    Run(String),
}

impl From<RequestError> for Failure {
    fn from(error: RequestError) -> Self {
        Failure::Usage(error.to_string())
    }
}

fn exit_with(result: Result<ExitCode, Failure>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(Failure::Usage(message)) => {
            eprintln!("secaudit: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Run(message)) => {
            eprintln!("secaudit: {message}");
            ExitCode::from(1)
        }
    }
}

fn main() -> ExitCode {
    if std::env::args_os().len() <= 1 {
        // No command is a request for help, not an error.
        let _ = Cli::command().print_help();
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) if !error.use_stderr() => {
            // --help and --version
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            // One line, not clap's usage dump: scripts and CI logs stay readable.
            let rendered = error.render().to_string();
            let first = rendered.lines().next().unwrap_or("invalid arguments");
            eprintln!(
                "secaudit: {} (see secaudit --help)",
                first.trim_start_matches("error: ")
            );
            return ExitCode::from(2);
        }
    };
    // Quiet by default: what goes wrong reaches the user as one `secaudit:` line; the SDK's
    // own warnings (credential providers tried one by one) are for SECAUDIT_LOG=debug.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("SECAUDIT_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("secaudit=error")),
        )
        .with_ansi(io::stderr().is_terminal())
        .with_writer(io::stderr)
        .init();

    match cli.command {
        Command::Checks { format } => exit_with(checks::run(format)),
        Command::Diff { old, new, format } => exit_with(diff::run(&old, &new, format)),
        Command::Render {
            report,
            format,
            history,
        } => exit_with(render::run(&report, format, history.as_deref())),
        Command::Mutelist {
            command: MutelistCommand::Check { file },
        } => exit_with(mutelist::check(&file)),
        Command::Events { format } => exit_with(events::run(format)),
        Command::Compliance {
            report,
            framework,
            coverage,
            format,
        } => exit_with(match report {
            Some(report) if !coverage => compliance::run(&report, &framework, format),
            _ => compliance::coverage(&framework),
        }),
        Command::Recheck(args) => match current_thread_runtime() {
            Ok(runtime) => exit_with(runtime.block_on(recheck::run(&args))),
            Err(code) => code,
        },
        Command::Scan(args) => {
            let runtime = match current_thread_runtime() {
                Ok(runtime) => runtime,
                Err(code) => return code,
            };
            exit_with(runtime.block_on(async {
                let prepared = scan::prepare(&args).await?;
                if args.several() {
                    accounts::run(&args, prepared).await
                } else {
                    scan::run(&args, prepared).await
                }
            }))
        }
    }
}

/// One thread: the audit waits on the network; with the multi-threaded runtime a profile
/// showed a fifth of the CPU spent waking worker threads to pass I/O around.
fn current_thread_runtime() -> Result<tokio::runtime::Runtime, ExitCode> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|error| {
            eprintln!("secaudit: cannot start the async runtime: {error}");
            ExitCode::from(1)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Cli, clap::Error> {
        Cli::try_parse_from(std::iter::once("secaudit").chain(args.iter().copied()))
    }

    fn scan_args(args: &[&str]) -> ScanArgs {
        let mut all = vec!["scan"];
        all.extend_from_slice(args);
        match parse(&all).map(|cli| cli.command) {
            Ok(Command::Scan(args)) => *args,
            Ok(_) => panic!("not a scan"),
            Err(error) => panic!("{error}"),
        }
    }

    fn usage_message(result: Result<impl Sized, Failure>) -> String {
        match result {
            Err(Failure::Usage(message)) => message,
            Err(Failure::Run(message)) => panic!("a run failure, not usage: {message}"),
            Ok(_) => panic!("accepted"),
        }
    }

    #[test]
    fn the_command_line_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn formats_parse_from_the_one_format_enum() {
        assert_eq!(scan_args(&[]).format, Format::Json);
        assert_eq!(scan_args(&["--format", "ocsf"]).format, Format::Ocsf);
        assert_eq!(scan_args(&["--format", "html"]).format, Format::Html);
        assert!(parse(&["scan", "--format", "xml"]).is_err());
        match parse(&["render", "r.json"]).map(|cli| cli.command) {
            Ok(Command::Render { format, .. }) => assert_eq!(format, Format::Table),
            _ => panic!("render parses with the table default"),
        }
    }

    #[test]
    fn the_catalog_has_its_own_formats_and_keeps_the_old_ones_as_json() {
        let format = |args: &[&str]| match parse(args).map(|cli| cli.command) {
            Ok(Command::Checks { format }) => format,
            _ => panic!("{args:?}"),
        };
        assert_eq!(format(&["checks"]), CatalogFormat::Table);
        assert_eq!(
            format(&["checks", "--format", "markdown"]),
            CatalogFormat::Markdown
        );
        assert_eq!(format(&["checks", "--format", "ocsf"]), CatalogFormat::Json);
        assert_eq!(format(&["checks", "--format", "html"]), CatalogFormat::Json);
        assert!(parse(&["checks", "--format", "csv"]).is_err());
    }

    #[test]
    fn flags_that_need_or_exclude_others_are_refused() {
        for args in [
            &["scan", "--new-only"][..],
            &["scan", "--region", "eu-west-1", "--all-regions"],
            &["scan", "--exclude-accounts", "111111111111"],
            &["scan", "--accounts", "111111111111", "--organization"],
            &["diff", "old.json"],
            &["mutelist", "check"],
        ] {
            assert!(parse(args).is_err(), "{args:?} accepted");
        }
        assert!(parse(&["scan", "--fail-on", "high", "--new-only"]).is_ok());
    }

    #[test]
    fn values_clap_accepts_are_still_validated() {
        let message = usage_message(scan_args(&["--concurrency", "0"]).request());
        assert!(message.contains("--concurrency"), "{message}");
        let message = usage_message(scan_args(&["--services", "ec2,nope"]).request());
        assert!(message.contains("nope"), "{message}");
        let args = scan_args(&["--endpoint-url", "localhost:5000"]);
        let request = args.request().ok().unwrap();
        let message = usage_message(args.connection(&request));
        assert!(
            message.starts_with("invalid endpoint URL 'localhost:5000'"),
            "{message}"
        );
        let args = scan_args(&["--max-attempts", "0"]);
        let request = args.request().ok().unwrap();
        assert!(usage_message(args.connection(&request)).contains("--max-attempts"));
        let message = usage_message(scan_args(&["--weights", "critical=x"]).assessment());
        assert!(message.contains("critical"), "{message}");
    }

    #[test]
    fn json_with_output_is_written_once() {
        assert_eq!(scan_args(&[]).deliveries().len(), 1);
        assert_eq!(scan_args(&["--output", "r.json"]).deliveries().len(), 1);
        let both = scan_args(&["--output", "r.json", "--format", "table"]);
        assert_eq!(both.deliveries().len(), 2);
    }
}
