//! The run's state in S3: what a run reads back (the baseline `latest.json`, the mutelist) and
//! the history it updates with conditional writes, so two runs at once never lose an entry.
//! Reports themselves are delivered ([`crate::deliver::s3`]); this is what the next run relies on.

use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::ServerSideEncryption;

use crate::assess::mutelist::Mutelist;
use crate::aws::describe_sdk_error;
use crate::report::history::History;
use crate::report::{read_account_report, Report};

/// A failed S3 call, as `(code, message)`: the caller names the action and the destination.
pub type S3Failure = (String, String);

/// Where a deployment keeps its reports and state: a bucket, a key prefix, and the KMS key
/// its writes use (SSE-S3 when none).
#[derive(Debug, Clone)]
pub struct S3Store {
    pub client: aws_sdk_s3::Client,
    pub bucket: String,
    pub prefix: String,
    pub kms_key_id: Option<String>,
}

/// `<prefix>/<account>/latest.json`: the latest configured-scope report, the next baseline.
pub fn latest_key(prefix: &str, account_id: &str) -> String {
    format!("{}/{account_id}/latest.json", prefix.trim_matches('/'))
}

/// `<prefix>/<account>/history.json`: the account's runs, for the trend.
pub fn history_key(prefix: &str, account_id: &str) -> String {
    format!("{}/{account_id}/history.json", prefix.trim_matches('/'))
}

/// The object at `bucket`/`key`, or `None` when there is no such key. Any other failure
/// (access denied, throttling after retries) is `(code, message)`: only a missing key means
/// "nothing there".
pub async fn get_object(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Option<Vec<u8>>, S3Failure> {
    match client.get_object().bucket(bucket).key(key).send().await {
        Ok(output) => output
            .body
            .collect()
            .await
            .map(|data| Some(data.into_bytes().to_vec()))
            .map_err(|e| ("ReadFailed".to_string(), e.to_string())),
        Err(error) => match describe_sdk_error(&error) {
            (code, _) if code == "NoSuchKey" => Ok(None),
            other => Err(other),
        },
    }
}

/// The mutelist at `bucket`/`key` (`uri` names it in errors); a missing object is an error,
/// since a configured mutelist that is not there must be said, not ignored.
pub async fn read_mutelist(
    client: &aws_sdk_s3::Client,
    bucket: &str,
    key: &str,
) -> Result<Mutelist, S3Failure> {
    let uri = format!("s3://{bucket}/{key}");
    let text = match get_object(client, bucket, key).await {
        Ok(Some(bytes)) => String::from_utf8(bytes)
            .map_err(|_| ("InvalidMutelist".to_string(), "not UTF-8 text".to_string())),
        Ok(None) => Err(("NoSuchKey".into(), "the mutelist does not exist".into())),
        Err(failure) => Err(failure),
    };
    text.and_then(|text| {
        Mutelist::parse(&uri, &text).map_err(|e| ("InvalidMutelist".to_string(), e.to_string()))
    })
}

impl S3Store {
    pub fn uri(&self, key: &str) -> String {
        format!("s3://{}/{key}", self.bucket)
    }

    /// Writes `key`, with the store's KMS key if any.
    pub async fn put(
        &self,
        key: &str,
        content_type: &str,
        body: bytes::Bytes,
    ) -> Result<(), S3Failure> {
        self.put_request(key, content_type, body)
            .send()
            .await
            .map(|_| ())
            .map_err(|e| describe_sdk_error(&e))
    }

    fn put_request(
        &self,
        key: &str,
        content_type: &str,
        body: bytes::Bytes,
    ) -> aws_sdk_s3::operation::put_object::builders::PutObjectFluentBuilder {
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .body(ByteStream::from(body));
        match &self.kms_key_id {
            Some(key_id) => put
                .server_side_encryption(ServerSideEncryption::AwsKms)
                .ssekms_key_id(key_id),
            None => put,
        }
    }

    /// The account's `latest.json`: `Ok(None)` on a first run (no such key). A report that
    /// does not parse, or is another account's, is `InvalidBaseline`.
    pub async fn read_baseline(&self, account_id: &str) -> Result<Option<Report>, S3Failure> {
        let key = latest_key(&self.prefix, account_id);
        let uri = self.uri(&key);
        match get_object(&self.client, &self.bucket, &key).await? {
            None => Ok(None),
            Some(bytes) => read_account_report(&uri, account_id, &bytes)
                .map(Some)
                .map_err(|e| ("InvalidBaseline".into(), e.to_string())),
        }
    }
}

/// The history could not be updated: where, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("updating the history failed ({code}) at {uri}: {message}")]
pub struct HistoryError {
    pub uri: String,
    pub code: String,
    pub message: String,
}

/// Adds the report's run to the history object with a conditional write (If-Match the ETag
/// read, or If-None-Match when there was none), retried on a lost race: two runs at once never
/// lose an entry. Returns the history written.
pub async fn update_history(store: &S3Store, report: &Report) -> Result<History, HistoryError> {
    let key = history_key(&store.prefix, &report.account_id);
    let uri = store.uri(&key);
    let failure = |code: String, message: String| HistoryError {
        uri: uri.clone(),
        code,
        message,
    };
    for _ in 0..5 {
        let read = store
            .client
            .get_object()
            .bucket(&store.bucket)
            .key(&key)
            .send()
            .await;
        let (history, etag) = match read {
            Ok(output) => {
                let etag = output.e_tag().map(str::to_string);
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| failure("ReadFailed".into(), e.to_string()))?
                    .into_bytes();
                let history = History::parse(&uri, &bytes)
                    .map_err(|message| failure("InvalidHistory".into(), message))?;
                (history, etag)
            }
            Err(error) => match describe_sdk_error(&error) {
                (code, _) if code == "NoSuchKey" => (History::default(), None),
                (code, message) => return Err(failure(code, message)),
            },
        };
        let history = history.with_run(report);
        let put = store.put_request(&key, "application/json", history.to_json().into());
        let put = match &etag {
            Some(etag) => put.if_match(etag),
            None => put.if_none_match("*"),
        };
        match put.send().await {
            Ok(_) => return Ok(history),
            Err(error) => match describe_sdk_error(&error) {
                // Another run wrote in between: read again and add to what it wrote.
                (code, _)
                    if code == "PreconditionFailed" || code == "ConditionalRequestConflict" =>
                {
                    continue
                }
                (code, message) => return Err(failure(code, message)),
            },
        }
    }
    Err(failure(
        "PreconditionFailed".into(),
        "the history kept changing under five attempts to update it".into(),
    ))
}
