//! The organization run on AWS Step Functions, as the function sees it. Three events:
//!
//! - `{"organization": "plan"}` lists the organization's ACTIVE accounts, writes them to
//!   `<prefix>/organization/runs/<run_id>/accounts.json` (the Distributed Map's item list: an
//!   S3 object has no payload limit, a state's input has 256 KB) and returns a [`Plan`].
//! - `{"account_id": "…"}` audits one member account through its role (see `LambdaApp`).
//! - `{"organization": "summarize", …}` reads the plan and the map's results (the
//!   `ResultWriter` manifest), then each account's report, and writes the organization summary.
//!
//! The types here are the payloads the state machine in `infra/template.yaml` passes between
//! its states; `tests/e2e/template_policy.py` and `tests/e2e/lambda_local.py` hold the template
//! to them.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::request::validate_account_id;

/// One item of the Distributed Map: an account to audit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountWork {
    pub account_id: String,
    #[serde(default)]
    pub name: String,
    /// The organization run's id, which names the member-role sessions.
    #[serde(default)]
    pub run_id: Option<String>,
}

/// What the plan answers; the map reads its items from `bucket`/`accounts_key`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Plan {
    pub run_id: String,
    pub started_at: String,
    pub bucket: String,
    pub accounts_key: String,
    pub account_count: usize,
}

/// An S3 object named by the state machine (`ResultWriterDetails`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct S3Object {
    #[serde(rename = "Bucket")]
    pub bucket: String,
    #[serde(rename = "Key")]
    pub key: String,
}

/// The account map's outcome: its results' manifest, or the error it failed with (caught).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct MapOutcome {
    #[serde(rename = "MapRunArn", default)]
    pub map_run_arn: Option<String>,
    #[serde(rename = "ResultWriterDetails", default)]
    pub results: Option<S3Object>,
    #[serde(rename = "Error", default)]
    pub error: Option<String>,
    #[serde(rename = "Cause", default)]
    pub cause: Option<String>,
}

/// `{"organization": "summarize", …}`: the plan's fields, the execution's name and the map's
/// outcome.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SummarizeRequest {
    #[allow(dead_code)]
    organization: String,
    pub run_id: String,
    pub started_at: String,
    pub bucket: String,
    pub accounts_key: String,
    #[serde(default)]
    pub account_count: Option<usize>,
    /// The Step Functions execution's name: the summary's key. Defaults to the run id.
    #[serde(default)]
    pub execution: Option<String>,
    pub map: MapOutcome,
}

/// `<prefix>/organization/runs/<run_id>/accounts.json`.
pub fn accounts_key(prefix: &str, run_id: &str) -> String {
    format!("{prefix}/organization/runs/{run_id}/accounts.json")
}

/// `<prefix>/organization/<YYYY>/<MM>/<DD>/<execution>.json` and `…/organization/latest.json`.
pub fn summary_keys(prefix: &str, started_at: &str, execution: &str) -> (String, String) {
    let date = started_at
        .get(..10)
        .unwrap_or("0000-00-00")
        .replace('-', "/");
    (
        format!("{prefix}/organization/{date}/{execution}.json"),
        format!("{prefix}/organization/latest.json"),
    )
}

/// What became of one account in the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountOutcome {
    /// Its worker answered; its report is at this URI.
    Reported(String),
    /// Its worker failed (after the state machine's retries): why.
    Failed(String),
}

/// `manifest.json`'s list of result files, by status.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    #[serde(rename = "ResultFiles", default)]
    pub result_files: HashMap<String, Vec<ResultFile>>,
}

#[derive(Debug, Deserialize)]
pub struct ResultFile {
    #[serde(rename = "Key")]
    pub key: String,
}

/// One child execution in a result file (`SUCCEEDED_0.json`, `FAILED_0.json`, …).
#[derive(Debug, Deserialize)]
struct ChildExecution {
    #[serde(rename = "Input")]
    input: String,
    #[serde(rename = "Output", default)]
    output: Option<String>,
    #[serde(rename = "Status", default)]
    status: String,
    #[serde(rename = "Error", default)]
    error: Option<String>,
    #[serde(rename = "Cause", default)]
    cause: Option<String>,
}

/// The worker's answer, as far as the summary needs it.
#[derive(Debug, Deserialize)]
struct WorkerAnswer {
    account_id: String,
    report_uri: String,
}

/// A failed Lambda task's cause is the function's error document; its message is what a
/// person wants to read.
fn readable_cause(cause: &str) -> String {
    serde_json::from_str::<serde_json::Value>(cause)
        .ok()
        .and_then(|v| v["errorMessage"].as_str().map(str::to_string))
        .unwrap_or_else(|| cause.to_string())
}

/// Reads one result file into `outcomes`, keyed by account id. A report URI outside
/// `report_root` (`s3://<bucket>/<prefix>/`) is refused: the summary only reads reports the
/// function itself wrote.
pub fn read_result_file(
    source: &str,
    bytes: &[u8],
    report_root: &str,
    outcomes: &mut HashMap<String, AccountOutcome>,
) -> Result<(), String> {
    let children: Vec<ChildExecution> =
        serde_json::from_slice(bytes).map_err(|e| format!("{source}: not a result file: {e}"))?;
    for child in children {
        let work: AccountWork = serde_json::from_str(&child.input)
            .map_err(|e| format!("{source}: an execution's input is not an account: {e}"))?;
        let answer = child
            .output
            .as_deref()
            .filter(|_| child.status == "SUCCEEDED")
            .map(serde_json::from_str::<WorkerAnswer>);
        let outcome = match answer {
            Some(Ok(answer))
                if answer.account_id == work.account_id
                    && answer.report_uri.starts_with(report_root) =>
            {
                AccountOutcome::Reported(answer.report_uri)
            }
            Some(Ok(answer)) => AccountOutcome::Failed(format!(
                "the worker answered for account {} with report {}",
                answer.account_id, answer.report_uri
            )),
            Some(Err(e)) => AccountOutcome::Failed(format!("unreadable worker answer: {e}")),
            None => AccountOutcome::Failed(format!(
                "{} ({}): {}",
                child.error.as_deref().unwrap_or("failed"),
                child.status,
                readable_cause(child.cause.as_deref().unwrap_or("no cause given"))
            )),
        };
        // A success wins over a failed attempt of the same account (a redriven map).
        if !matches!(
            outcomes.get(&work.account_id),
            Some(AccountOutcome::Reported(_))
        ) {
            outcomes.insert(work.account_id, outcome);
        }
    }
    Ok(())
}

/// The planned accounts (`accounts.json`), each id checked.
pub fn read_planned_accounts(source: &str, bytes: &[u8]) -> Result<Vec<AccountWork>, String> {
    let accounts: Vec<AccountWork> =
        serde_json::from_slice(bytes).map_err(|e| format!("{source}: not an account list: {e}"))?;
    for account in &accounts {
        validate_account_id(&account.account_id).map_err(|e| format!("{source}: {e}"))?;
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ROOT: &str = "s3://audits/reports/";

    fn child(account: &str, status: &str, output: Option<serde_json::Value>) -> serde_json::Value {
        let mut child = json!({
            "ExecutionArn": format!("arn:aws:states:us-east-1:1:execution:sm/AuditAccounts:{account}"),
            "Input": json!({"account_id": account, "name": "n", "run_id": "r"}).to_string(),
            "InputDetails": {"Included": true},
            "Name": account,
            "Status": status,
        });
        match output {
            Some(output) => child["Output"] = json!(output.to_string()),
            None => {
                child["Error"] = json!("AccountUnreachable");
                child["Cause"] = json!(json!({
                    "errorType": "AccountUnreachable",
                    "errorMessage": "AccessDenied: not authorized to perform sts:AssumeRole"
                })
                .to_string());
            }
        }
        child
    }

    #[test]
    fn result_files_give_each_account_its_report_or_its_error() {
        let succeeded = json!([
            child(
                "111111111111",
                "SUCCEEDED",
                Some(
                    json!({"account_id": "111111111111", "report_uri": "s3://audits/reports/111111111111/2026/11/27/a.json", "score": 50.0})
                )
            ),
            child(
                "222222222222",
                "SUCCEEDED",
                Some(json!({"account_id": "222222222222", "report_uri": "s3://elsewhere/x.json"}))
            ),
        ]);
        let failed = json!([child("333333333333", "FAILED", None)]);
        let mut outcomes = HashMap::new();
        read_result_file("S", succeeded.to_string().as_bytes(), ROOT, &mut outcomes).unwrap();
        read_result_file("F", failed.to_string().as_bytes(), ROOT, &mut outcomes).unwrap();
        assert_eq!(
            outcomes["111111111111"],
            AccountOutcome::Reported("s3://audits/reports/111111111111/2026/11/27/a.json".into())
        );
        assert!(
            matches!(&outcomes["222222222222"], AccountOutcome::Failed(why) if why.contains("s3://elsewhere/x.json"))
        );
        assert_eq!(
            outcomes["333333333333"],
            AccountOutcome::Failed(
                "AccountUnreachable (FAILED): AccessDenied: not authorized to perform sts:AssumeRole"
                    .into()
            )
        );
        // A later failed attempt does not undo a success.
        let retried = json!([child("111111111111", "FAILED", None)]);
        read_result_file("F2", retried.to_string().as_bytes(), ROOT, &mut outcomes).unwrap();
        assert!(matches!(
            outcomes["111111111111"],
            AccountOutcome::Reported(_)
        ));
        let error = read_result_file("bad.json", b"{}", ROOT, &mut outcomes).unwrap_err();
        assert!(error.starts_with("bad.json: not a result file"), "{error}");
    }

    #[test]
    fn planned_accounts_are_checked_and_keys_are_dated() {
        let accounts =
            read_planned_accounts("plan", br#"[{"account_id":"111111111111","name":"prod"}]"#)
                .unwrap();
        assert_eq!(accounts[0].name, "prod");
        let error = read_planned_accounts("plan", br#"[{"account_id":"1"}]"#).unwrap_err();
        assert!(error.contains("invalid account id '1'"), "{error}");
        assert_eq!(
            summary_keys("reports", "2026-11-27T02:00:00Z", "nightly-1"),
            (
                "reports/organization/2026/11/27/nightly-1.json".into(),
                "reports/organization/latest.json".into()
            )
        );
    }

    #[test]
    fn the_summarize_event_takes_either_map_outcome() {
        let base = json!({
            "organization": "summarize", "run_id": "r", "started_at": "2026-11-27T02:00:00Z",
            "bucket": "audits", "accounts_key": "reports/organization/runs/r/accounts.json",
            "account_count": 3, "execution": "e",
        });
        let mut done = base.clone();
        done["map"] = json!({"MapRunArn": "arn:m", "ResultWriterDetails": {"Bucket": "audits", "Key": "k/manifest.json"}});
        let request: SummarizeRequest = serde_json::from_value(done).unwrap();
        assert_eq!(request.map.results.unwrap().key, "k/manifest.json");
        let mut failed = base;
        failed["map"] =
            json!({"Error": "States.ExceedToleratedFailureThreshold", "Cause": "too many"});
        let request: SummarizeRequest = serde_json::from_value(failed).unwrap();
        assert_eq!(
            request.map.error.as_deref(),
            Some("States.ExceedToleratedFailureThreshold")
        );
        assert!(request.map.results.is_none());
    }
}
