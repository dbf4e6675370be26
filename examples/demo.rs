//! `make demo`: starts a local AWS emulator, seeds a small account with good and bad
//! resources, audits it with the `secaudit` binary, then makes one change (RDP opened to the
//! world on a new group) and re-checks it from its CloudTrail event with `secaudit recheck`,
//! and stops the emulator.
//! `make emulator` (`demo --serve`): seeds the same account and keeps it running for trying
//! `secaudit` by hand, until Ctrl-C or SIGTERM (then it stops the emulator).
//!
//! Usage: demo PATH-TO-SECAUDIT [REPORT-PATH] | demo --serve

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::{Command, ExitCode};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

static INTERRUPTED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_signal(_: libc::c_int) {
    // Only an atomic store: the one thing a signal handler may safely do here.
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Blocks until Ctrl-C (SIGINT) or SIGTERM. Both are handled explicitly: a background job
/// (`make emulator &`, `nohup make test &`) starts with SIGINT ignored, so relying on its
/// default action would serve forever.
fn wait_for_interrupt() {
    let handler = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: installs a handler that only stores to an atomic.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
    while !INTERRUPTED.load(Ordering::SeqCst) {
        std::thread::sleep(Duration::from_millis(100));
    }
}

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
        wait_for_interrupt();
        eprintln!("Stopping the emulator ...");
        drop(server);
        return ExitCode::SUCCESS;
    }
    let command = [
        "scan",
        "--region",
        "us-east-1",
        "--region",
        "eu-west-1",
        "--format",
        "table",
        "--compliance",
        "cis-aws-3.0",
        "--compliance",
        "fsbp",
        "--output",
        &report,
    ];
    eprintln!("Running: secaudit {}\n", command.join(" "));
    let run = |args: &[&str]| {
        Command::new(&secaudit)
            .args(args)
            .env("AWS_ENDPOINT_URL", &server.endpoint)
            .env("AWS_ACCESS_KEY_ID", "testing")
            .env("AWS_SECRET_ACCESS_KEY", "testing")
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .status()
    };
    let status = run(&command);
    if matches!(&status, Ok(status) if status.success()) {
        if let Err(error) = recheck_a_change(&server, &report, &run) {
            eprintln!("the re-check step failed: {error}");
            return ExitCode::from(1);
        }
    }
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
            // The CIS view requirement by requirement, as an auditor reads it.
            eprintln!("\nRunning: secaudit compliance {report} --framework cis-aws-3.0\n");
            let cis = Command::new(&secaudit)
                .args(["compliance", &report, "--framework", "cis-aws-3.0"])
                .status();
            if !matches!(&cis, Ok(status) if status.success()) {
                eprintln!("secaudit compliance failed");
                return ExitCode::from(1);
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

/// A change after the audit, and its CloudTrail event re-checked against the saved report:
/// what the event-driven re-check does within seconds in a deployment (docs/events.md).
fn recheck_a_change(
    server: &support::MotoServer,
    report: &str,
    run: &dyn Fn(&[&str]) -> std::io::Result<std::process::ExitStatus>,
) -> Result<(), String> {
    use aws_sdk_ec2::types::{IpPermission, IpRange};
    let sdk = server.sdk_config("us-east-1");
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let group = support::block_on(async {
        let group = ec2
            .create_security_group()
            .group_name("demo-jump-host")
            .description("opened after the audit")
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        let id = group.group_id().unwrap_or_default().to_string();
        let rdp = IpPermission::builder()
            .ip_protocol("tcp")
            .from_port(3389)
            .to_port(3389)
            .ip_ranges(IpRange::builder().cidr_ip("0.0.0.0/0").build())
            .build();
        ec2.authorize_security_group_ingress()
            .group_id(&id)
            .ip_permissions(rdp)
            .send()
            .await
            .map_err(|e| format!("{e:?}"))?;
        Ok::<_, String>(id)
    })?;
    // What CloudTrail records of that call (trimmed to the fields the re-check reads).
    let event = serde_json::json!({
        "eventSource": "ec2.amazonaws.com", "eventName": "AuthorizeSecurityGroupIngress",
        "awsRegion": "us-east-1", "eventTime": "2026-12-02T09:00:00Z",
        "recipientAccountId": "123456789012", "sourceIPAddress": "203.0.113.9",
        "userIdentity": {"arn": "arn:aws:iam::123456789012:user/dev"},
        "requestParameters": {"groupId": group, "ipPermissions": {"items": [{"ipProtocol": "tcp",
            "fromPort": 3389, "toPort": 3389, "ipRanges": {"items": [{"cidrIp": "0.0.0.0/0"}]}}]}},
    });
    let stem = report.strip_suffix(".json").unwrap_or(report);
    let (event_path, merged) = (
        format!("{stem}-event.json"),
        format!("{stem}-rechecked.json"),
    );
    std::fs::write(&event_path, event.to_string()).map_err(|e| format!("{event_path}: {e}"))?;
    let command = [
        "recheck",
        "--event",
        &event_path,
        "--report",
        report,
        "--output",
        &merged,
    ];
    eprintln!(
        "\nThen someone opens RDP to the world on a new group ({group}). Its CloudTrail event, \
         re-checked against the report:\nRunning: secaudit {}\n",
        command.join(" ")
    );
    match run(&command) {
        Ok(status) if status.success() => {
            eprintln!("The merged report is in {merged}.");
            Ok(())
        }
        Ok(status) => Err(format!("secaudit recheck exited with {status}")),
        Err(error) => Err(error.to_string()),
    }
}
