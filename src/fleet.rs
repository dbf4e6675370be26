//! Several accounts, as the CLI (`--accounts`, `--organization`) and the Lambda (the
//! organization events) both audit them: the member role in each account, in the caller's
//! partition; the checks on what came back.

use crate::aws::Clients;
use crate::deliver::digest::{DigestSummary, Unaudited};
use crate::report::organization::OrganizationSummary;

/// The partition of an ARN (`aws`, `aws-cn`, `aws-us-gov`, ...), if it is one.
pub fn partition_of(arn: &str) -> Option<&str> {
    let mut parts = arn.split(':');
    match (parts.next(), parts.next()) {
        (Some("arn"), Some(partition)) if !partition.is_empty() => Some(partition),
        _ => None,
    }
}

/// The role to assume in `account_id`: in the caller's partition, since a role ARN of another
/// partition cannot be assumed (GovCloud and China callers are not in `aws`).
pub fn member_role_arn(partition: &str, account_id: &str, role_name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:role/{role_name}")
}

/// The partition the credentials of `clients` act in, from their caller identity; `aws` when
/// it cannot be read (assuming the member roles then fails, account by account, with the
/// reason).
pub async fn caller_partition(clients: &Clients) -> String {
    match clients.sts().get_caller_identity().send().await {
        Ok(identity) => identity
            .arn()
            .and_then(partition_of)
            .unwrap_or("aws")
            .to_string(),
        Err(error) => {
            tracing::warn!(%error, "caller identity unknown; member roles are assumed in partition aws");
            "aws".to_string()
        }
    }
}

/// An STS session name for a run: at most 64 of `[\w+=,.@-]`, whatever the run id is.
pub fn session_name(run: &str) -> String {
    let run: String = run
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "_+=,.@-".contains(*c))
        .take(54)
        .collect();
    format!("secaudit-{run}")
}

/// Clients acting in `account_id` through the member role.
pub async fn member_clients(
    base: &Clients,
    partition: &str,
    account_id: &str,
    role_name: &str,
    external_id: Option<&str>,
    session: &str,
) -> Clients {
    let role = member_role_arn(partition, account_id, role_name);
    base.for_account(&role, external_id, session).await
}

/// Refuses credentials that act in another account than the one asked for (a role name that
/// resolves to the caller's own account, a wrong trust).
pub fn ensure_member(expected: &str, actual: &str) -> Result<(), String> {
    if expected == actual {
        Ok(())
    } else {
        Err(format!("the role's credentials act in account {actual}"))
    }
}

/// What the organization digest says of the run as a whole, from its summary.
pub fn digest_summary(summary: &OrganizationSummary) -> DigestSummary<'_> {
    DigestSummary {
        run_id: &summary.run_id,
        score: summary.score.overall,
        summary: summary.summary,
        changes: summary.changes,
        accounts: summary.accounts.len(),
        unaudited: summary
            .unaudited()
            .map(|a| Unaudited {
                account_id: &a.account_id,
                name: &a.name,
                errors: &a.errors,
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_member_role_is_in_the_callers_partition() {
        for (caller, partition) in [
            ("arn:aws:iam::111111111111:user/auditor", "aws"),
            (
                "arn:aws-us-gov:sts::111111111111:assumed-role/audit/s",
                "aws-us-gov",
            ),
            ("arn:aws-cn:iam::111111111111:root", "aws-cn"),
        ] {
            assert_eq!(partition_of(caller), Some(partition));
            assert_eq!(
                member_role_arn(partition_of(caller).unwrap(), "222222222222", "SecAudit"),
                format!("arn:{partition}:iam::222222222222:role/SecAudit")
            );
        }
        for not_an_arn in [
            "",
            "arn",
            "arn::iam::1:root",
            "user/auditor",
            "aws:iam::1:root",
        ] {
            assert_eq!(partition_of(not_an_arn), None, "{not_an_arn}");
        }
    }

    #[test]
    fn session_names_keep_only_what_sts_accepts() {
        assert_eq!(session_name("0193a1b2"), "secaudit-0193a1b2");
        assert_eq!(
            session_name("run id/with:odd*chars"),
            "secaudit-runidwithoddchars"
        );
        // 9 + 54: within the 64 STS allows.
        assert_eq!(session_name(&"x".repeat(100)).len(), 63);
    }

    #[test]
    fn credentials_of_another_account_are_refused() {
        assert!(ensure_member("1", "1").is_ok());
        assert_eq!(
            ensure_member("1", "2").unwrap_err(),
            "the role's credentials act in account 2"
        );
    }
}
