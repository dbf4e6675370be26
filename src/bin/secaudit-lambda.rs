//! `secaudit-lambda`: the Lambda shell over the audit engine. Configuration and clients are
//! built once at cold start; a bad configuration stops the function before its first event.

use std::time::SystemTime;

use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use secaudit::aws::ConnectionSettings;
use secaudit::function::config::LambdaConfig;
use secaudit::function::{LambdaApp, Response};
use serde_json::Value;

/// The invocation deadline as a tokio instant. A deadline that has already passed when the
/// invocation starts cannot be real (local runtime emulators send a relative timeout where the
/// Runtime API specifies epoch milliseconds): the run then has no cut-off, and says so.
fn deadline_of(deadline: SystemTime) -> Option<tokio::time::Instant> {
    match deadline.duration_since(SystemTime::now()) {
        Ok(remaining) if !remaining.is_zero() => Some(tokio::time::Instant::now() + remaining),
        _ => {
            tracing::warn!(
                ?deadline,
                "the runtime's invocation deadline has already passed; running without a cut-off"
            );
            None
        }
    }
}

// One thread, as in the CLI: the audit waits on the network, cross-thread wake-ups cost CPU,
// and a 128–256 MB function has a fraction of one vCPU anyway.
#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Error> {
    // Honours AWS_LAMBDA_LOG_LEVEL and AWS_LAMBDA_LOG_FORMAT (JSON) set by the Lambda service.
    lambda_runtime::tracing::init_default_subscriber();
    let config = LambdaConfig::from_env(|name| std::env::var(name).ok()).inspect_err(|e| {
        tracing::error!(%e, "invalid configuration");
    })?;
    let settings = ConnectionSettings {
        max_attempts: config.max_attempts,
        max_backoff: std::time::Duration::from_secs(config.max_backoff_seconds),
        ..ConnectionSettings::default()
    };
    let sdk = secaudit::aws::load_sdk_config(&settings).await;
    let app = LambdaApp::new(config, sdk);
    let app = &app;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<Value>| async move {
        let deadline = deadline_of(event.context.deadline());
        let response: Result<Response, Diagnostic> =
            app.handle(event.payload, deadline).await.map_err(|e| {
                tracing::error!(error = %e, error_type = e.error_type(), "invocation failed");
                Diagnostic {
                    error_type: e.error_type().to_string(),
                    error_message: e.to_string(),
                }
            });
        response
    }))
    .await
}
