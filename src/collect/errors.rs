//! Turning SDK errors into report entries.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::report::AuditError;

/// Where an API call was made, for its error entry.
#[derive(Debug, Clone, Copy)]
pub struct Call<'a> {
    pub service: &'a str,
    pub region: &'a str,
    pub operation: &'a str,
    pub resource: Option<&'a str>,
}

impl<'a> Call<'a> {
    pub fn new(service: &'a str, region: &'a str, operation: &'a str) -> Self {
        Call {
            service,
            region,
            operation,
            resource: None,
        }
    }

    pub fn on(self, resource: &'a str) -> Self {
        Call {
            resource: Some(resource),
            ..self
        }
    }

    pub fn error<E>(&self, error: &SdkError<E, HttpResponse>) -> AuditError
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let (code, message) = describe(error);
        self.entry(code, message)
    }

    pub fn entry(&self, code: String, message: String) -> AuditError {
        AuditError {
            service: self.service.to_string(),
            region: self.region.to_string(),
            operation: self.operation.to_string(),
            resource_id: self.resource.map(str::to_string),
            code,
            message,
        }
    }
}

/// The service's error code where there is one; otherwise what went wrong on the way.
/// Raw responses are never dumped into a message: they can be large and carry headers.
fn describe<E>(error: &SdkError<E, HttpResponse>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let context = || error_chain(error);
    match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = code_of(error)
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP{status}"));
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or_else(|| format!("the service answered HTTP {status} ({code})"));
            (code, message)
        }
        SdkError::TimeoutError(_) => ("Timeout".into(), context()),
        SdkError::DispatchFailure(dispatch) => {
            let message = context();
            let code = if dispatch.is_io() {
                "ConnectionFailed"
            } else if dispatch.is_timeout() {
                "Timeout"
            } else if message.contains("credential") {
                // Signing could not start: no credentials in the chain, or they failed to load.
                "CredentialsUnavailable"
            } else {
                "DispatchFailed"
            };
            (code.into(), message)
        }
        SdkError::ResponseError(_) => ("InvalidResponse".into(), context()),
        _ => ("RequestFailed".into(), context()),
    }
}

/// An error and its causes, by their Display texts: "dispatch failure: io error: ...: Connection
/// refused". (The SDK's own context formatter also appends a Debug dump.)
pub fn error_chain(error: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![error.to_string()];
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        // Wrappers often repeat their cause's text; keep each piece once.
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        source = cause.source();
    }
    parts.join(": ")
}

/// The error code of a service error: from the body, or else from the `x-amzn-errortype`
/// header (some emulators answer S3 Control errors in a body shape the SDK cannot read).
pub fn code_of<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service.err().code().or_else(|| {
            service
                .raw()
                .headers()
                .get("x-amzn-errortype")
                .map(|v| v.split(':').next().unwrap_or(v))
                .filter(|v| !v.is_empty())
        }),
        _ => None,
    }
}

/// Feeds every page of a listing to `on_page`. An error ends the listing: it is recorded, and
/// the pages already seen are kept (their resources are real; the report is then incomplete).
pub async fn each_page<T, E>(
    mut pages: aws_smithy_async::future::pagination_stream::PaginationStream<
        Result<T, SdkError<E, HttpResponse>>,
    >,
    call: &Call<'_>,
    errors: &mut Vec<AuditError>,
    mut on_page: impl FnMut(T),
) where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    while let Some(page) = pages.next().await {
        match page {
            Ok(page) => on_page(page),
            Err(error) => {
                errors.push(call.error(&error));
                return;
            }
        }
    }
}
