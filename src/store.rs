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

    /// The object at `key` and its ETag, or `None` when there is no such key.
    async fn get_with_etag(&self, key: &str) -> Result<Option<(Vec<u8>, String)>, S3Failure> {
        match self
            .client
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .send()
            .await
        {
            Ok(output) => {
                let etag = output.e_tag().unwrap_or_default().to_string();
                let bytes = output
                    .body
                    .collect()
                    .await
                    .map_err(|e| ("ReadFailed".to_string(), e.to_string()))?;
                Ok(Some((bytes.into_bytes().to_vec(), etag)))
            }
            Err(error) => match describe_sdk_error(&error) {
                (code, _) if code == "NoSuchKey" => Ok(None),
                other => Err(other),
            },
        }
    }

    /// The account's `latest.json` and what was seen of it (its ETag, for a later conditional
    /// write): `None` on a first run (no such key). A report that does not parse, or is
    /// another account's, is `InvalidBaseline`.
    pub async fn read_baseline(
        &self,
        account_id: &str,
    ) -> Result<(Option<Report>, LatestSeen), S3Failure> {
        let key = latest_key(&self.prefix, account_id);
        let uri = self.uri(&key);
        match self.get_with_etag(&key).await? {
            None => Ok((None, LatestSeen::Absent)),
            Some((bytes, etag)) => read_account_report(&uri, account_id, &bytes)
                .map(|report| (Some(report), LatestSeen::Etag(etag)))
                .map_err(|e| ("InvalidBaseline".into(), e.to_string())),
        }
    }

    /// Replaces the account's `latest.json` with `update(current)` by a conditional write
    /// (If-Match the ETag read, If-None-Match when there was none), reading again and
    /// re-applying `update` on a lost race, so that two writers (a full run and an event
    /// batch, or two batches) never lose each other's results. `seen`: what the caller
    /// already read and the report to write if `latest.json` is still that, tried first
    /// without a read. Returns the report written, its ETag (for
    /// [`S3Store::put_latest_page`]) and how many writes it took.
    pub async fn update_latest(
        &self,
        account_id: &str,
        seen: Option<(LatestSeen, &Report)>,
        update: impl Fn(Option<Report>) -> Report,
    ) -> Result<LatestWritten, S3Failure> {
        let key = latest_key(&self.prefix, account_id);
        let uri = self.uri(&key);
        let mut guess = seen.map(|(seen, report)| (seen, report.clone()));
        for attempt in 1..=MAX_WRITE_ATTEMPTS {
            let (seen, report) = match guess.take() {
                Some(known) => known,
                None => match self.get_with_etag(&key).await? {
                    None => (LatestSeen::Absent, update(None)),
                    Some((bytes, etag)) => {
                        let current = read_account_report(&uri, account_id, &bytes)
                            .map_err(|e| ("InvalidBaseline".to_string(), e.to_string()))?;
                        (LatestSeen::Etag(etag), update(Some(current)))
                    }
                },
            };
            let body = serde_json::to_vec(&report)
                .map_err(|e| ("SerializationFailed".to_string(), e.to_string()))?;
            if let Some(etag) = self.put_if(&key, body.into(), &seen).await? {
                return Ok(LatestWritten {
                    report,
                    etag,
                    attempts: attempt,
                });
            }
        }
        Err((
            "PreconditionFailed".into(),
            format!("{uri} kept changing under {MAX_WRITE_ATTEMPTS} attempts to update it"),
        ))
    }

    /// Writes JSON at `key` only if it is still as `seen` (If-Match its ETag, or If-None-Match
    /// when there was none): `Some(the new ETag)`, or `None` when another writer came first.
    async fn put_if(
        &self,
        key: &str,
        body: bytes::Bytes,
        seen: &LatestSeen,
    ) -> Result<Option<Option<String>>, S3Failure> {
        let put = self.put_request(key, "application/json", body);
        let put = match seen {
            LatestSeen::Etag(etag) => put.if_match(etag),
            LatestSeen::Absent => put.if_none_match("*"),
        };
        match put.send().await {
            Ok(written) => Ok(Some(written.e_tag().map(str::to_string))),
            Err(error) => match describe_sdk_error(&error) {
                (code, _) if is_lost_race(&code) => Ok(None),
                other => Err(other),
            },
        }
    }

    /// `latest.html` for the report just written as `latest.json` (ETag `written`), skipped
    /// when a newer `latest.json` is already there: its writer writes its own page.
    pub async fn put_latest_page(
        &self,
        report: &Report,
        written: Option<&str>,
    ) -> Result<(), S3Failure> {
        let json_key = &latest_key(&self.prefix, &report.account_id);
        use crate::render::{html::HtmlRenderer, Render};
        let page = HtmlRenderer
            .render_to_vec(report)
            .map_err(|e| ("RenderFailed".to_string(), e.to_string()))?;
        let head = self
            .client
            .head_object()
            .bucket(&self.bucket)
            .key(json_key)
            .send()
            .await
            .map_err(|e| describe_sdk_error(&e))?;
        if written.is_some() && head.e_tag() != written {
            return Ok(());
        }
        let page_key = format!("{}.html", json_key.trim_end_matches(".json"));
        self.put(&page_key, HtmlRenderer.content_type(), page.into())
            .await
    }
}

/// What a run saw of a state object (`latest.json`, the history) when it read it: what a
/// conditional write of it expects to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LatestSeen {
    Absent,
    Etag(String),
}

/// Conditional writes retried this often before giving up.
const MAX_WRITE_ATTEMPTS: usize = 8;

/// What [`S3Store::update_latest`] wrote.
#[derive(Debug)]
pub struct LatestWritten {
    pub report: Report,
    pub etag: Option<String>,
    /// Conditional writes made: 1, plus one per race lost to another writer.
    pub attempts: usize,
}

/// S3's answers to a conditional write that lost to another writer.
fn is_lost_race(code: &str) -> bool {
    code == "PreconditionFailed" || code == "ConditionalRequestConflict"
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
    for _ in 0..MAX_WRITE_ATTEMPTS {
        let (history, seen) = match store.get_with_etag(&key).await {
            Ok(Some((bytes, etag))) => (
                History::parse(&uri, &bytes)
                    .map_err(|message| failure("InvalidHistory".into(), message))?,
                LatestSeen::Etag(etag),
            ),
            Ok(None) => (History::default(), LatestSeen::Absent),
            Err((code, message)) => return Err(failure(code, message)),
        };
        let history = history.with_run(report);
        match store.put_if(&key, history.to_json().into(), &seen).await {
            Ok(Some(_)) => return Ok(history),
            // Another run wrote in between: read again and add to what it wrote.
            Ok(None) => continue,
            Err((code, message)) => return Err(failure(code, message)),
        }
    }
    Err(failure(
        "PreconditionFailed".into(),
        format!("the history kept changing under {MAX_WRITE_ATTEMPTS} attempts to update it"),
    ))
}
