//! Turning SDK errors into report entries.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::display::DisplayErrorContext;
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
fn describe<E>(error: &SdkError<E, HttpResponse>) -> (String, String)
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let context = || DisplayErrorContext(error).to_string();
    match error {
        SdkError::ServiceError(service) => {
            let status = service.raw().status().as_u16();
            let code = service
                .err()
                .code()
                .map(str::to_string)
                .unwrap_or_else(|| format!("HTTP{status}"));
            let message = service
                .err()
                .message()
                .map(str::to_string)
                .unwrap_or_else(context);
            (code, message)
        }
        SdkError::TimeoutError(_) => ("Timeout".into(), context()),
        SdkError::DispatchFailure(_) => ("ConnectionFailed".into(), context()),
        SdkError::ResponseError(_) => ("InvalidResponse".into(), context()),
        _ => ("RequestFailed".into(), context()),
    }
}

/// The error code of a service error, for "not configured" answers that are data, not failures.
pub fn code_of<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service.err().code(),
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
