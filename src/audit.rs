//! One account's audit, end to end: the pipeline the CLI (one account or several) and the
//! deployed function all run. Clients, request and assessment in; the assessed report, with
//! its compliance views, out. Where the report goes is the caller's ([`crate::deliver`]).
//!
//! ```text
//! request ─► scan (collect ─► checks ─► exposures) ─► baseline ─► assess (mutes, diff,
//!            the credentials' account is named here    of that     score, summary, views)
//!                                                      account     ─► report
//! ```

use std::future::Future;

use crate::assess::{assess, AssessContext};
use crate::aws::Clients;
use crate::model::AuditError;
use crate::report::{Report, ReportReadError};
use crate::request::AuditRequest;
use crate::scan::{scan, AuditRunError};

/// What one account's audit reads with, and what it must find.
pub struct AccountAudit<'a> {
    /// Credentials of the audited account (a member's: through its role).
    pub clients: &'a Clients,
    pub request: &'a AuditRequest,
    /// Weights, mutelist, frameworks and the problems met preparing them (its baseline is the
    /// one [`audit_account`] is given for the scanned account).
    pub assessment: &'a AssessContext,
    /// The account the credentials must act in (a member reached through its role).
    pub expected_account: Option<&'a str>,
    /// Collection still running then is abandoned (the Lambda's deadline, less its reserve).
    pub collect_until: Option<tokio::time::Instant>,
}

/// Why an account's previous report is not used.
#[derive(Debug)]
pub enum BaselineProblem {
    /// It could not be read: an error entry of the report, which then compares with nothing
    /// (and so resolves nothing) while the audit goes on.
    Unreadable(Box<AuditError>),
    /// It is not this account's report: a wrong file, which stops the audit.
    OtherAccount(ReportReadError),
}

/// Why an account could not be audited (errors inside a run are the report's `errors`).
#[derive(Debug, thiserror::Error)]
pub enum AccountAuditError {
    #[error(transparent)]
    Run(#[from] AuditRunError),
    /// The member role's credentials act in another account than the one asked for.
    #[error("the role's credentials act in account {actual}")]
    WrongAccount { expected: String, actual: String },
    #[error(transparent)]
    Baseline(ReportReadError),
}

/// Audits one account: scans it, asks `baseline` for the scanned account's previous report
/// (the scan names the account), and assesses the scan. Event re-checks newer than this run's
/// reading keep their verdicts.
pub async fn audit_account<B, F>(
    audit: &AccountAudit<'_>,
    baseline: B,
) -> Result<Report, AccountAuditError>
where
    B: FnOnce(String) -> F,
    F: Future<Output = Result<Option<Report>, BaselineProblem>>,
{
    let request = AuditRequest {
        // Mutelist rules on tags need every resource's tags, even where they cost a call.
        read_tags: audit.request.read_tags
            || audit
                .assessment
                .mutelist
                .as_ref()
                .is_some_and(|m| m.uses_tags()),
        ..audit.request.clone()
    };
    let scan = scan(audit.clients, &request, audit.collect_until).await?;
    if let Some(expected) = audit.expected_account {
        if crate::fleet::ensure_member(expected, &scan.account_id).is_err() {
            return Err(AccountAuditError::WrongAccount {
                expected: expected.to_string(),
                actual: scan.account_id,
            });
        }
    }
    let mut context = audit.assessment.clone();
    context.baseline = match baseline(scan.account_id.clone()).await {
        Ok(found) => found,
        Err(BaselineProblem::Unreadable(entry)) => {
            context.problems.push(*entry);
            None
        }
        Err(BaselineProblem::OtherAccount(error)) => {
            return Err(AccountAuditError::Baseline(error))
        }
    };
    let mut report = assess(scan, &context);
    // Event batches that re-read while this run was reading keep their newer verdicts.
    if let Some(baseline) = &context.baseline {
        crate::recheck::keep_newer_rechecks(&mut report, baseline);
    }
    Ok(report)
}

/// No previous report: a first run, or none asked for.
pub async fn no_baseline(_account: String) -> Result<Option<Report>, BaselineProblem> {
    Ok(None)
}
