//! Test support: a moto emulator per test process, SDK configuration for it, and seeding.
#![allow(dead_code)] // each test binary uses a different part

pub mod alerts;
pub mod fault_proxy;
pub mod fault_server;
pub mod seed;
pub mod storm;
pub mod synthetic;

use std::io::{BufRead, BufReader};
use std::net::TcpStream;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::{Credentials, SharedCredentialsProvider};

/// A moto server on 127.0.0.1, alive as long as this value (and, failing that, this process).
pub struct MotoServer {
    child: Child,
    pub endpoint: String,
}

impl MotoServer {
    /// Starts moto from the project's virtualenv (`make test` creates it), or from the Python
    /// named by `SECAUDIT_MOTO_PYTHON`. Panics when it cannot: integration tests never skip.
    pub fn start() -> MotoServer {
        Self::start_with_env(&[])
    }

    /// [`MotoServer::start`] with extra server settings, e.g. `INITIAL_NO_AUTH_ACTION_COUNT`.
    pub fn start_with_env(env: &[(&str, &str)]) -> MotoServer {
        let python = std::env::var("SECAUDIT_MOTO_PYTHON")
            .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").into());
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/support/moto_server.py");
        let mut child = Command::new(&python)
            .arg(script)
            .envs(env.iter().copied())
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!("cannot start the moto emulator with {python}: {e}; run `make test`, which installs it")
            });
        let mut line = String::new();
        BufReader::new(child.stdout.take().expect("piped stdout"))
            .read_line(&mut line)
            .expect("read the emulator's port");
        let port: u16 = line.trim().parse().unwrap_or_else(|_| {
            panic!(
                "the moto emulator did not start (is moto installed for {python}? run `make test`)"
            )
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(
                Instant::now() < deadline,
                "moto did not listen on port {port} within 30 s"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
        MotoServer {
            child,
            endpoint: format!("http://127.0.0.1:{port}"),
        }
    }

    /// SDK configuration for the emulator, with fixed test credentials.
    pub fn sdk_config(&self, region: &str) -> SdkConfig {
        sdk_config(&self.endpoint, region)
    }
}

pub fn sdk_config(endpoint: &str, region: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(region.to_string()))
        .credentials_provider(SharedCredentialsProvider::new(Credentials::new(
            "testing", "testing", None, None, "test",
        )))
        .endpoint_url(endpoint)
        .http_client(secaudit::aws::https_client())
        .build()
}

impl Drop for MotoServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs a future on a runtime of its own (tests share seeded worlds across test threads).
/// Credentials acting in `account` through `role` (moto lets any AssumeRole succeed, and its
/// credentials then act in that account).
pub async fn in_account(sdk: &SdkConfig, account: &str, role: &str) -> SdkConfig {
    let sdk = &secaudit::aws::with_http_clock_and_sleep(sdk);
    let provider =
        aws_config::sts::AssumeRoleProvider::builder(format!("arn:aws:iam::{account}:role/{role}"))
            .session_name("seed")
            .configure(sdk)
            .build()
            .await;
    sdk.to_builder()
        .credentials_provider(aws_sdk_sts::config::SharedCredentialsProvider::new(
            provider,
        ))
        .build()
}

/// An organization on the emulator: the caller's account manages it, and one member account is
/// created per name. Returns the members' ids, in the order of `names`.
pub async fn create_member_accounts(sdk: &SdkConfig, names: &[&str]) -> Vec<String> {
    let organizations = aws_sdk_organizations::Client::new(sdk);
    organizations
        .create_organization()
        .send()
        .await
        .expect("CreateOrganization");
    let mut members = Vec::new();
    for name in names {
        let created = organizations
            .create_account()
            .account_name(*name)
            .email(format!("{name}@example.com"))
            .send()
            .await
            .expect("CreateAccount");
        members.push(
            created
                .create_account_status()
                .and_then(|s| s.account_id())
                .expect("an account id")
                .to_string(),
        );
    }
    members
}

pub fn block_on<F: std::future::Future>(future: F) -> F::Output {
    // On the heap, as the Lambda runtime and tokio's spawn keep a handler's future: a test's
    // whole scenario (seeding, nights, re-checks) in one unoptimised future outgrows a test
    // thread's 2 MiB stack when pinned on it.
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(Box::pin(future))
}

/// One account's audit through the library's pipeline with the default assessment (default
/// weights, nothing muted, no baseline, no compliance views).
pub async fn audit_with_defaults(
    clients: &secaudit::aws::Clients,
    request: &secaudit::request::AuditRequest,
) -> Result<secaudit::report::Report, secaudit::audit::AccountAuditError> {
    let assessment = secaudit::assess::AssessContext::default();
    let audit = secaudit::AccountAudit {
        clients,
        request,
        assessment: &assessment,
        expected_account: None,
        collect_until: None,
    };
    secaudit::audit_account(&audit, secaudit::audit::no_baseline).await
}
