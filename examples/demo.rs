//! `make demo`: starts a local AWS emulator, seeds a small account with good and bad
//! resources, audits it with the `secaudit` binary, and stops the emulator.
//!
//! Usage: demo PATH-TO-SECAUDIT [REPORT-PATH]

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(secaudit) = args.next() else {
        eprintln!("usage: demo PATH-TO-SECAUDIT [REPORT-PATH]");
        return ExitCode::from(2);
    };
    let report = args.next().unwrap_or_else(|| "demo-report.json".into());

    eprintln!("Starting the moto AWS emulator on 127.0.0.1 ...");
    let server = support::MotoServer::start();
    eprintln!("Seeding a demo account (EC2, EBS, security groups, RDS, S3, IAM) ...");
    if let Err(error) = support::block_on(support::seed::seed_demo_account(
        &server.sdk_config("us-east-1"),
    )) {
        eprintln!("seeding the emulator failed: {error}");
        return ExitCode::from(1);
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
            eprintln!("\nThe full JSON report is in {report}.");
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
