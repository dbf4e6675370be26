//! `make demo`: starts a local AWS emulator, seeds a small account with good and bad
//! resources, audits it with the `secaudit` binary, and stops the emulator.
//! `make emulator` (`demo --serve`): seeds the same account and keeps it running for trying
//! `secaudit` by hand, until Ctrl-C (the emulator ends with this process: its stdin closes).
//!
//! Usage: demo PATH-TO-SECAUDIT [REPORT-PATH] | demo --serve

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(secaudit) = args.next() else {
        eprintln!("usage: demo PATH-TO-SECAUDIT [REPORT-PATH]");
        return ExitCode::from(2);
    };
    let serve = secaudit == "--serve";
    let report = args.next().unwrap_or_else(|| "demo-report.json".into());

    eprintln!("Starting the moto AWS emulator on 127.0.0.1 ...");
    let server = support::MotoServer::start();
    eprintln!(
        "Seeding a demo account (EC2, RDS, S3, IAM, Lambda, containers, data stores, edge) ..."
    );
    if let Err(error) = support::block_on(support::seed::seed_demo_account(
        &server.sdk_config("us-east-1"),
    )) {
        // The SDK's own Display says only "service error": show the causes too.
        let mut message = error.to_string();
        let mut cause = error.source();
        while let Some(inner) = cause {
            message.push_str(&format!(": {inner}"));
            cause = inner.source();
        }
        eprintln!("seeding the emulator failed: {message}");
        return ExitCode::from(1);
    }
    if serve {
        println!(
            "The demo account (123456789012) is served at {endpoint}. In another shell:\n\n\
             export AWS_ENDPOINT_URL={endpoint} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing \\\n\
             \x20      AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true\n\
             secaudit scan --format table\n\
             secaudit scan --region us-east-1 --region eu-west-1 --services s3,sg --fail-on critical\n\n\
             Press Ctrl-C to stop.",
            endpoint = server.endpoint
        );
        loop {
            std::thread::park();
        }
    }
    let command = [
        "scan",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--format",
        "table",
        "--output",
        &report,
    ];
    eprintln!("Running: secaudit {}\n", command.join(" "));
    let status = Command::new(&secaudit)
        .args(command)
        .env("AWS_ENDPOINT_URL", &server.endpoint)
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .status();
    drop(server);
    match status {
        Ok(status) if status.success() => {
            // The same report for people: one self-contained page.
            let html = report
                .strip_suffix(".json")
                .map_or_else(|| format!("{report}.html"), |stem| format!("{stem}.html"));
            let page = Command::new(&secaudit)
                .args(["render", &report, "--format", "html"])
                .output();
            match page {
                Ok(page) if page.status.success() => {
                    if let Err(error) = std::fs::write(&html, page.stdout) {
                        eprintln!("cannot write {html}: {error}");
                        return ExitCode::from(1);
                    }
                }
                _ => {
                    eprintln!("secaudit render --format html failed");
                    return ExitCode::from(1);
                }
            }
            eprintln!("\nThe full JSON report is in {report}; open {html} in a browser.");
            ExitCode::SUCCESS
        }
        Ok(status) => {
            eprintln!("secaudit exited with {status}");
            ExitCode::from(1)
        }
        Err(error) => {
            eprintln!("cannot run {secaudit}: {error}");
            ExitCode::from(1)
        }
    }
}
