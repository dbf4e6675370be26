//! ECR private repositories: images are scanned for vulnerabilities, on push or continuously.

use super::Repository;
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&IMAGE_SCANNING];

/// What can change a repository's scan-on-push setting or the registry's scanning rules, or
/// create or delete a repository.
const SCANNING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ecr.amazonaws.com",
    names: &[
        "CreateRepository",
        "DeleteRepository",
        "PutImageScanningConfiguration",
        "PutRegistryScanningConfiguration",
    ],
}];

const IMAGE_SCANNING: Check = Check {
    id: "ecr.image_scanning",
    service: Service::Ecr,
    severity: Severity::High,
    resource_types: &[Repository::RESOURCE_TYPE],
    title: "ECR private repositories scan images for vulnerabilities",
    rationale: "Images that are never scanned carry the known vulnerabilities of their operating system packages and libraries, unnoticed, into every task and pod that runs them.",
    remediation: "Configure scanning at the registry level: aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules 'scanFrequency=CONTINUOUS_SCAN,repositoryFilters=[{filter=*,filterType=WILDCARD}]' (or --scan-type BASIC with scanFrequency=SCAN_ON_PUSH).",
    reference: "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
    fsbp: &["ECR.1"],
    cis: &[],
    triggers: SCANNING_CHANGES,
    reads: &[
        Read::all("ecr:DescribeRepositories"),
        Read::each("ecr:BatchGetRepositoryScanningConfiguration"),
    ],
    evaluate: image_scanning,
};

/// ECR.1's rule, `ecr-private-image-scanning-enabled`: "NON_COMPLIANT if the private Amazon ECR
/// repository's scan frequency is not on scan on push or continuous scan"
/// (https://docs.aws.amazon.com/config/latest/developerguide/ecr-private-image-scanning-enabled.html).
/// The frequency is the one AWS resolves for the repository (BatchGetRepositoryScanningConfiguration):
/// once the registry has scanning filters they decide, whatever the repository's own deprecated
/// scanOnPush says, and under enhanced scanning a repository no filter selects is not scanned.
/// Only an answer without a frequency falls back to scanOnPush. A repository whose scanning
/// could not be read gets no verdict.
fn image_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for repository in &inventory.ecr.repositories {
        let Some(scanning) = &repository.scanning else {
            continue;
        };
        let resource = Resource {
            resource_type: Repository::RESOURCE_TYPE,
            id: &repository.name,
            name: None,
            arn: Some(&repository.arn),
            region: &repository.region,
        };
        let by = match scanning.applied_filters.as_slice() {
            [] => String::new(),
            filters => format!(" (the registry's filter '{}')", filters.join("', '")),
        };
        match scanning.frequency.as_deref() {
            Some("CONTINUOUS_SCAN") => verdicts.pass(
                &resource,
                format!("Images are scanned continuously{by}."),
            ),
            Some("SCAN_ON_PUSH") => {
                verdicts.pass(&resource, format!("Images are scanned on push{by}."))
            }
            Some(_) => verdicts.fail(
                &resource,
                "The repository's scan frequency is MANUAL: no registry scanning filter selects it, so images are scanned only when someone asks (a registry with filters overrides the repository's own deprecated scanOnPush).".into(),
            ),
            None if scanning.scan_on_push => verdicts.pass(
                &resource,
                "The repository's scanOnPush is true (AWS named no scan frequency).".into(),
            ),
            None => verdicts.fail(
                &resource,
                "Images are not scanned on push: the repository's scanOnPush is false and AWS named no scan frequency.".into(),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Repository, Scanning};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{ecr, Inventory};

    const CHECK: &str = "ecr.image_scanning";

    fn repository(name: &str, scanning: Option<(Option<&str>, bool, &[&str])>) -> Repository {
        Repository {
            name: name.into(),
            arn: format!("arn:aws:ecr:us-east-1:123456789012:repository/{name}"),
            region: "us-east-1".into(),
            scanning: scanning.map(|(frequency, scan_on_push, filters)| Scanning {
                frequency: frequency.map(str::to_string),
                scan_on_push,
                applied_filters: filters.iter().map(|f| f.to_string()).collect(),
            }),
            tags: None,
        }
    }

    /// The effective settings as AWS answers them: `app`'s own scanOnPush is true but the
    /// registry's filters leave it MANUAL.
    fn repositories() -> Inventory {
        Inventory::from(ecr::Inventory {
            repositories: vec![
                repository("prod-api", Some((Some("SCAN_ON_PUSH"), false, &["prod-*"]))),
                repository(
                    "team/api",
                    Some((Some("CONTINUOUS_SCAN"), false, &["team/*"])),
                ),
                repository("old-style", Some((Some("SCAN_ON_PUSH"), true, &[]))),
                repository("app", Some((Some("MANUAL"), true, &[]))),
                repository("legacy", Some((Some("MANUAL"), false, &[]))),
                repository("no-frequency-on", Some((None, true, &[]))),
                repository("no-frequency-off", Some((None, false, &[]))),
                repository("unread", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("prod-api", Status::Pass),
            ("team/api", Status::Pass),
            ("old-style", Status::Pass),
            ("app", Status::Fail),
            ("legacy", Status::Fail),
            ("no-frequency-on", Status::Pass),
            ("no-frequency-off", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: CHECK,
            resource_id,
            expected,
            inventory: repositories,
            region: None,
        })
        .into()
    }

    #[test]
    fn the_deciding_setting_is_named() {
        let results = run(&repositories());
        let detail = |id| only(&results, CHECK, id).detail.clone();
        assert!(detail("prod-api").contains("on push (the registry's filter 'prod-*')"));
        assert!(detail("team/api").contains("continuously"));
        // The registry's filters override the repository's own scanOnPush.
        assert!(detail("app").contains("MANUAL"));
    }

    #[test]
    fn unread_scanning_gives_no_verdict() {
        none(&run(&repositories()), CHECK, "unread");
    }
}
