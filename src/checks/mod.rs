//! Checks: pure functions from the inventory to pass/fail results. No I/O.

pub mod catalog;
mod ec2;
mod iam;
mod rds;
mod s3;
mod sg;

pub use catalog::{Check, CATALOG};

use std::borrow::Cow;

use crate::inventory::Inventory;
use crate::report::{CheckResult, Status};
use crate::request::CheckOptions;

/// The resource a result is about.
pub(crate) struct Resource<'a> {
    pub resource_type: &'static str,
    pub id: &'a str,
    pub arn: Option<&'a str>,
    /// The resource's region, or `global`.
    pub region: &'a str,
}

/// Builds results for one account.
pub(crate) struct Verdicts<'a> {
    account_id: &'a str,
    results: Vec<CheckResult>,
}

impl Verdicts<'_> {
    pub fn record(&mut self, check: &Check, resource: &Resource, status: Status, detail: String) {
        self.results.push(CheckResult {
            id: format!(
                "{}/{}/{}/{}/{}",
                check.id, self.account_id, resource.region, resource.resource_type, resource.id
            ),
            check_id: Cow::Borrowed(check.id),
            service: Cow::Borrowed(check.service.as_str()),
            severity: check.severity,
            status,
            resource_type: Cow::Borrowed(resource.resource_type),
            resource_id: resource.id.to_string(),
            resource_arn: resource.arn.filter(|a| !a.is_empty()).map(str::to_string),
            region: resource.region.to_string(),
            title: Cow::Borrowed(check.title),
            detail,
            remediation: Cow::Borrowed(check.remediation),
            reference: Cow::Borrowed(check.reference),
        });
    }

    pub fn pass(&mut self, check: &Check, resource: &Resource, detail: String) {
        self.record(check, resource, Status::Pass, detail);
    }

    pub fn fail(&mut self, check: &Check, resource: &Resource, detail: String) {
        self.record(check, resource, Status::Fail, detail);
    }

    /// Pass or fail on a condition, with the detail for each case.
    pub fn judge(
        &mut self,
        check: &Check,
        resource: &Resource,
        passed: bool,
        pass_detail: impl FnOnce() -> String,
        fail_detail: impl FnOnce() -> String,
    ) {
        if passed {
            self.pass(check, resource, pass_detail());
        } else {
            self.fail(check, resource, fail_detail());
        }
    }
}

/// Runs every check over the inventory. Results are sorted by check, region and resource so
/// that reports of the same account diff cleanly.
pub fn evaluate(
    inventory: &Inventory,
    account_id: &str,
    options: &CheckOptions,
) -> Vec<CheckResult> {
    let mut verdicts = Verdicts {
        account_id,
        results: Vec::new(),
    };
    ec2::evaluate(inventory, &mut verdicts);
    rds::evaluate(inventory, options, &mut verdicts);
    s3::evaluate(inventory, &mut verdicts);
    iam::evaluate(inventory, &mut verdicts);
    sg::evaluate(inventory, options, &mut verdicts);
    // The catalog position is looked up once per result, not once per comparison: with 13,000
    // results, scanning the catalog in every comparison was 40% of the checks' instructions.
    let mut ordered: Vec<(Option<usize>, CheckResult)> = verdicts
        .results
        .into_iter()
        .map(|result| {
            let position = CATALOG.iter().position(|c| c.id == result.check_id);
            (position, result)
        })
        .collect();
    ordered.sort_by(|(a_position, a), (b_position, b)| {
        (a_position, &a.region, &a.resource_id).cmp(&(b_position, &b.region, &b.resource_id))
    });
    ordered.into_iter().map(|(_, result)| result).collect()
}

/// "a, b and 2 more": evidence lists in details stay one readable sentence.
pub(crate) fn enumerate(items: &[String], shown: usize) -> String {
    let listed = &items[..items.len().min(shown)];
    let mut text = match listed {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if items.len() <= shown => format!("{} and {last}", init.join(", ")),
        _ => listed.join(", "),
    };
    if items.len() > shown {
        text.push_str(&format!(" and {} more", items.len() - shown));
    }
    text
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use crate::report::CheckResult;

    pub fn run(inventory: &Inventory) -> Vec<CheckResult> {
        evaluate(inventory, "123456789012", &CheckOptions::default())
    }

    /// The one result of `check_id` for `resource_id`; panics if there is not exactly one.
    pub fn only<'a>(
        results: &'a [CheckResult],
        check_id: &str,
        resource_id: &str,
    ) -> &'a CheckResult {
        let found: Vec<_> = results
            .iter()
            .filter(|r| r.check_id == check_id && r.resource_id == resource_id)
            .collect();
        assert_eq!(found.len(), 1, "{check_id} on {resource_id}: {results:#?}");
        found[0]
    }

    pub fn none(results: &[CheckResult], check_id: &str, resource_id: &str) {
        assert!(
            !results
                .iter()
                .any(|r| r.check_id == check_id && r.resource_id == resource_id),
            "expected no {check_id} result for {resource_id}"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enumerate_keeps_lists_short() {
        let items: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        assert_eq!(enumerate(&items[..1], 3), "a");
        assert_eq!(enumerate(&items[..3], 3), "a, b and c");
        assert_eq!(enumerate(&items, 2), "a, b and 2 more");
    }

    #[test]
    fn result_ids_are_stable_and_distinguish_resource_types() {
        let inventory = Inventory::default();
        assert!(evaluate(&inventory, "1", &CheckOptions::default()).is_empty());
        let mut verdicts = Verdicts {
            account_id: "123456789012",
            results: vec![],
        };
        let role = Resource {
            resource_type: "AWS::IAM::Role",
            id: "deploy",
            arn: None,
            region: "global",
        };
        verdicts.pass(&catalog::IAM_ADMIN_ACCESS, &role, "x".into());
        assert_eq!(
            verdicts.results[0].id,
            "iam.admin_access/123456789012/global/AWS::IAM::Role/deploy"
        );
    }
}
