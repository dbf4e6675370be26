//! Turning SDK errors into report entries.

use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;

use crate::model::AuditError;

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

    /// A read's answer: `Some(value(output))`, or `None` after recording the error.
    pub fn read<O, E, T>(
        &self,
        result: Result<O, SdkError<E, HttpResponse>>,
        errors: &mut Vec<AuditError>,
        value: impl FnOnce(O) -> T,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        self.read_or(
            result,
            &[],
            || unreachable!("no code means not configured"),
            errors,
            value,
        )
    }

    /// A `Get*` read of a setting that may be absent: `Some(value(output))`; `Some(absent())`
    /// when AWS answers with one of the service's documented "not configured" error codes
    /// (S3's `NoSuchBucketPolicy`, IAM's `NoSuchEntity`, ...); otherwise `None` after
    /// recording the error, so an unreadable setting is never mistaken for a missing one.
    pub fn read_or<O, E, T>(
        &self,
        result: Result<O, SdkError<E, HttpResponse>>,
        not_configured: &[&str],
        absent: impl FnOnce() -> T,
        errors: &mut Vec<AuditError>,
        value: impl FnOnce(O) -> T,
    ) -> Option<T>
    where
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        match result {
            Ok(output) => Some(value(output)),
            Err(error) if code_of(&error).is_some_and(|code| not_configured.contains(&code)) => {
                Some(absent())
            }
            Err(error) => {
                errors.push(self.error(&error));
                None
            }
        }
    }

    pub fn entry(&self, code: String, message: String) -> AuditError {
        AuditError {
            service: self.service.to_string(),
            region: self.region.to_string(),
            operation: self.operation.to_string(),
            resource_id: self.resource.map(str::to_string),
            code,
            message,
            required_permission: required_permission(self.service, self.operation),
        }
    }
}

/// The IAM action an API operation needs. Mostly `service:Operation`; S3 names several
/// differently. `None` for steps that are not API calls (parsing, the deadline).
pub fn required_permission(service: &str, operation: &str) -> Option<String> {
    let action = match (service, operation) {
        (_, "ParsePolicyDocument" | "ParseBucketPolicy" | "Collect") | ("-", _) => return None,
        ("s3", "ListBuckets") => "s3:ListAllMyBuckets",
        ("s3", "HeadBucket") => "s3:ListBucket",
        ("s3", "GetBucketEncryption") => "s3:GetEncryptionConfiguration",
        ("s3", "GetPublicAccessBlock") => "s3:GetBucketPublicAccessBlock",
        ("s3", "ReadBaseline" | "ReadMutelist") => "s3:GetObject",
        ("s3control", "GetPublicAccessBlock") => "s3:GetAccountPublicAccessBlock",
        ("s3control", other) => return Some(format!("s3:{other}")),
        (service, operation) => return Some(format!("{service}:{operation}")),
    };
    Some(action.to_string())
}

/// The service's error code where there is one; otherwise what went wrong on the way.
/// Raw responses are never dumped into a message: they can be large and carry headers.
pub fn describe<E>(error: &SdkError<E, HttpResponse>) -> (String, String)
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
                .or_else(|| xml_element(service.raw(), "Message"))
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

/// The SDK's "no credentials found in chain" error (one line per provider, with Rust
/// details) as one line naming the places that were tried, for people who never heard of the
/// providers' type names. `None` for any other message.
pub fn explain_missing_credentials(message: &str) -> Option<String> {
    let (_, attempted) = message.split_once("no credentials found in chain. Attempted:")?;
    let tried: Vec<String> = attempted
        .lines()
        .filter_map(|line| line.trim().split_once(':'))
        .map(|(provider, detail)| {
            let place = match provider.trim() {
                "Environment" => "environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY)",
                "Profile" => {
                    "the shared config and credentials files (~/.aws/config, ~/.aws/credentials)"
                }
                "WebIdentityToken" => "web identity (AWS_WEB_IDENTITY_TOKEN_FILE)",
                "EcsContainer" => "ECS container credentials",
                "Ec2InstanceMetadata" if detail.contains("disabled") => {
                    "EC2 instance metadata (disabled)"
                }
                "Ec2InstanceMetadata" => "EC2 instance metadata",
                other => other,
            };
            place.to_string()
        })
        .collect();
    Some(format!(
        "no credentials found; tried {} (use --profile NAME or `aws sso login`, or export AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY)",
        tried.join(", ")
    ))
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

/// The error code of a service error: as the SDK parsed it, or else from the
/// `x-amzn-errortype` header or the body's `<Code>` element. Emulators answer some errors in
/// shapes the SDK does not read (moto: S3 Control without the error wrapper, IAM access denials
/// inside an extra `<Errors>`); a real denial must still read as one.
pub fn code_of<E: ProvideErrorMetadata>(error: &SdkError<E, HttpResponse>) -> Option<&str> {
    match error {
        SdkError::ServiceError(service) => service
            .err()
            .code()
            .or_else(|| {
                service
                    .raw()
                    .headers()
                    .get("x-amzn-errortype")
                    .map(|v| v.split(':').next().unwrap_or(v))
                    .filter(|v| !v.is_empty())
            })
            .or_else(|| xml_element(service.raw(), "Code")),
        _ => None,
    }
}

/// The text of the first `<name>` element of an XML error body, CDATA unwrapped.
fn xml_element<'a>(response: &'a HttpResponse, name: &str) -> Option<&'a str> {
    let body = std::str::from_utf8(response.body().bytes()?).ok()?;
    let start = body.find(&format!("<{name}>"))? + name.len() + 2;
    let end = start + body[start..].find(&format!("</{name}>"))?;
    let text = body[start..end].trim();
    let text = text
        .strip_prefix("<![CDATA[")
        .and_then(|t| t.strip_suffix("]]>"))
        .unwrap_or(text);
    (!text.is_empty()).then_some(text)
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

#[cfg(test)]
mod tests {
    use aws_sdk_s3::operation::get_bucket_policy::GetBucketPolicyError;

    #[allow(clippy::result_large_err)] // the SDK's own error type, as a call returns it
    fn answer(code: &str) -> Result<&'static str, SdkError<GetBucketPolicyError, HttpResponse>> {
        let error = GetBucketPolicyError::generic(ErrorMetadata::builder().code(code).build());
        let raw = HttpResponse::new(403.try_into().unwrap(), SdkBody::empty());
        Err(SdkError::service_error(error, raw))
    }

    #[test]
    fn a_read_tells_not_configured_from_unreadable() {
        let call = Call::new("s3", "us-east-1", "GetBucketPolicy").on("logs");
        let mut errors = Vec::new();
        let read = |result, errors: &mut Vec<AuditError>| {
            call.read_or(result, &["NoSuchBucketPolicy"], || "none", errors, |o| o)
        };
        assert_eq!(read(Ok("policy"), &mut errors), Some("policy"));
        assert_eq!(
            read(answer("NoSuchBucketPolicy"), &mut errors),
            Some("none")
        );
        assert!(errors.is_empty());
        assert_eq!(read(answer("AccessDenied"), &mut errors), None);
        assert_eq!(errors.len(), 1);
        assert_eq!(errors[0].code, "AccessDenied");
        assert_eq!(errors[0].resource_id.as_deref(), Some("logs"));
        assert_eq!(
            errors[0].required_permission.as_deref(),
            Some("s3:GetBucketPolicy")
        );
        // Without "not configured" codes, every error is recorded.
        assert_eq!(
            call.read(answer("NoSuchBucketPolicy"), &mut errors, |o| o),
            None
        );
        assert_eq!(errors.len(), 2);
    }

    #[test]
    fn a_missing_credentials_chain_reads_as_one_line() {
        let sdk = "dispatch failure: other: the credential provider was not enabled: no credentials found in chain. Attempted:
  Environment: the credential provider was not enabled: environment variable not set
  Profile: the credential provider was not enabled
  WebIdentityToken: the credential provider was not enabled: $AWS_WEB_IDENTITY_TOKEN_FILE was not set
  EcsContainer: the credential provider was not enabled: ECS provider not configured
  Ec2InstanceMetadata: the credential provider was not enabled: IMDS disabled by AWS_EC2_METADATA_DISABLED env var set to `true`
";
        let line = explain_missing_credentials(sdk).unwrap();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.starts_with("no credentials found; tried environment variables (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY), the shared config and credentials files"), "{line}");
        assert!(
            line.contains("ECS container credentials, EC2 instance metadata (disabled) (use"),
            "{line}"
        );
        assert_eq!(
            explain_missing_credentials("ExpiredToken: the token expired"),
            None
        );
    }

    use super::*;
    use aws_sdk_s3::operation::get_bucket_versioning::GetBucketVersioningError;
    use aws_smithy_runtime_api::http::StatusCode;
    use aws_smithy_types::body::SdkBody;
    use aws_smithy_types::error::ErrorMetadata;

    fn service_error(
        status: u16,
        code: Option<&str>,
        header: Option<&str>,
    ) -> SdkError<GetBucketVersioningError, HttpResponse> {
        service_error_with_body(status, code, header, "")
    }

    fn service_error_with_body(
        status: u16,
        code: Option<&str>,
        header: Option<&str>,
        body: &'static str,
    ) -> SdkError<GetBucketVersioningError, HttpResponse> {
        let mut metadata = ErrorMetadata::builder();
        if let Some(code) = code {
            metadata = metadata
                .code(code)
                .message("User is not authorized to perform s3:GetBucketVersioning");
        }
        let mut raw = HttpResponse::new(StatusCode::try_from(status).unwrap(), SdkBody::from(body));
        if let Some(header) = header {
            raw.headers_mut()
                .insert("x-amzn-errortype", header.to_string());
        }
        SdkError::service_error(GetBucketVersioningError::generic(metadata.build()), raw)
    }

    #[test]
    fn service_errors_keep_code_message_and_place() {
        let call = Call::new("s3", "eu-west-1", "GetBucketVersioning").on("logs");
        let entry = call.error(&service_error(403, Some("AccessDenied"), None));
        assert_eq!(
            entry,
            AuditError {
                service: "s3".into(),
                region: "eu-west-1".into(),
                operation: "GetBucketVersioning".into(),
                resource_id: Some("logs".into()),
                code: "AccessDenied".into(),
                message: "User is not authorized to perform s3:GetBucketVersioning".into(),
                required_permission: Some("s3:GetBucketVersioning".into()),
            }
        );
    }

    #[test]
    fn permissions_are_named_as_iam_spells_them() {
        let cases = [
            (
                "s3",
                "GetBucketEncryption",
                Some("s3:GetEncryptionConfiguration"),
            ),
            (
                "s3",
                "GetPublicAccessBlock",
                Some("s3:GetBucketPublicAccessBlock"),
            ),
            (
                "s3control",
                "GetPublicAccessBlock",
                Some("s3:GetAccountPublicAccessBlock"),
            ),
            ("s3", "ListBuckets", Some("s3:ListAllMyBuckets")),
            (
                "iam",
                "GetAccountAuthorizationDetails",
                Some("iam:GetAccountAuthorizationDetails"),
            ),
            ("ec2", "DescribeInstances", Some("ec2:DescribeInstances")),
            ("iam", "ParsePolicyDocument", None),
            ("ec2", "Collect", None),
        ];
        for (service, operation, expected) in cases {
            assert_eq!(
                required_permission(service, operation).as_deref(),
                expected,
                "{operation}"
            );
        }
    }

    #[test]
    fn unparsed_errors_fall_back_to_the_error_type_header_then_the_status() {
        let from_header = service_error(
            404,
            None,
            Some("NoSuchPublicAccessBlockConfiguration:http://x"),
        );
        assert_eq!(
            code_of(&from_header),
            Some("NoSuchPublicAccessBlockConfiguration")
        );
        let bare = Call::new("s3", "us-east-1", "GetBucketVersioning")
            .error(&service_error(500, None, None));
        assert_eq!(bare.code, "HTTP500");
        assert_eq!(bare.message, "the service answered HTTP 500 (HTTP500)");
    }

    #[test]
    fn codes_and_messages_are_read_from_bodies_the_sdk_could_not_parse() {
        let body = "<ErrorResponse><Errors><Error><Code>AccessDenied</Code><Message><![CDATA[User: arn:aws:iam::1:user/a is not authorized to perform: iam:GetAccountAuthorizationDetails]]></Message></Error></Errors></ErrorResponse>";
        let entry = Call::new("iam", "global", "GetAccountAuthorizationDetails")
            .error(&service_error_with_body(403, None, None, body));
        assert_eq!(entry.code, "AccessDenied");
        assert!(entry.is_access_denied());
        assert_eq!(
            entry.message,
            "User: arn:aws:iam::1:user/a is not authorized to perform: iam:GetAccountAuthorizationDetails"
        );
    }

    #[test]
    fn error_chains_read_as_one_line_without_repeats() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("dispatch failure")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let error = Outer(std::io::Error::new(
            std::io::ErrorKind::ConnectionRefused,
            "Connection refused",
        ));
        assert_eq!(error_chain(&error), "dispatch failure: Connection refused");
    }
}
