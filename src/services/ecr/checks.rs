//! ECR private repositories: images are scanned for vulnerabilities, by the registry's
//! scanning rules or the repository's own scan-on-push setting.

use super::{RegistryScanning, Repository};
use crate::model::Severity;
use crate::policy::wildcard_matches;
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
        Read::all("ecr:GetRegistryScanningConfiguration"),
    ],
    evaluate: image_scanning,
};

/// Whether a registry filter selects a repository: a filter without `*` matches every name
/// that contains it; one with `*` matches whole names, each `*` standing for any characters
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html).
fn filter_matches(filter: &str, repository: &str) -> bool {
    if filter.contains('*') {
        wildcard_matches(filter, repository)
    } else {
        repository.contains(filter)
    }
}

/// The first filter of a rule of this frequency that selects the repository.
fn matching<'a>(
    registry: &'a RegistryScanning,
    frequency: &str,
    repository: &str,
) -> Option<&'a str> {
    registry
        .rules
        .iter()
        .filter(|rule| rule.frequency == frequency)
        .flat_map(|rule| rule.filters.iter())
        .find(|filter| filter_matches(filter, repository))
        .map(String::as_str)
}

/// By the registry's configuration first
/// (https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning-filters.html):
/// under enhanced scanning, a repository that no filter matches has scanning disabled, and
/// its own scanOnPush does not apply (continuous scanning wins over scan on push where both
/// match); under basic scanning, a scan-on-push filter scans images on push, and once the
/// registry has filters a repository they do not match is scanned manually, whatever its own
/// deprecated scanOnPush says (a rule without scan on push "sets the MANUAL scan frequency",
/// PutRegistryScanningConfiguration); only a registry without filters leaves it to the
/// repository's scanOnPush. Where the registry's configuration could not be read there is no
/// verdict: enhanced scanning could disable even a scanOnPush repository's scans.
fn image_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for repository in &inventory.ecr.repositories {
        let Some(registry) = inventory.ecr.registry_scanning.get(&repository.region) else {
            continue;
        };
        let resource = Resource {
            resource_type: Repository::RESOURCE_TYPE,
            id: &repository.name,
            name: None,
            arn: Some(&repository.arn),
            region: &repository.region,
        };
        let name = repository.name.as_str();
        if registry.scan_type == "ENHANCED" {
            if let Some(filter) = matching(registry, "CONTINUOUS_SCAN", name) {
                verdicts.pass(
                    &resource,
                    format!("Enhanced scanning (Amazon Inspector) scans the repository continuously: the registry's filter '{filter}' matches it."),
                );
            } else if let Some(filter) = matching(registry, "SCAN_ON_PUSH", name) {
                verdicts.pass(
                    &resource,
                    format!("Enhanced scanning (Amazon Inspector) scans images on push: the registry's filter '{filter}' matches the repository."),
                );
            } else {
                verdicts.fail(
                    &resource,
                    "The registry uses enhanced scanning and none of its filters matches the repository, so its images are not scanned (under enhanced scanning the repository's own scanOnPush does not apply).".into(),
                );
            }
        } else if let Some(filter) = matching(registry, "SCAN_ON_PUSH", name) {
            verdicts.pass(
                &resource,
                format!("Basic scanning scans images on push: the registry's scan-on-push filter '{filter}' matches the repository."),
            );
        } else if repository.scan_on_push && registry.rules.is_empty() {
            verdicts.pass(
                &resource,
                "The repository's scanOnPush is true and the registry has no scanning filters: basic scanning scans its images on push.".into(),
            );
        } else if repository.scan_on_push {
            verdicts.fail(
                &resource,
                "No scan-on-push filter of the registry (basic scanning) matches the repository, so it is scanned manually only, whatever its own deprecated scanOnPush says.".into(),
            );
        } else {
            verdicts.fail(
                &resource,
                "Images are not scanned on push: the repository's scanOnPush is false and no scan-on-push filter of the registry (basic scanning) matches it.".into(),
            );
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{RegistryScanning, Repository, ScanningRule};
    use super::filter_matches;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{ecr, Inventory};

    const CHECK: &str = "ecr.image_scanning";

    fn repository(name: &str, region: &str, scan_on_push: bool) -> Repository {
        Repository {
            name: name.into(),
            arn: format!("arn:aws:ecr:{region}:123456789012:repository/{name}"),
            region: region.into(),
            scan_on_push,
            tags: None,
        }
    }

    fn rule(frequency: &str, filters: &[&str]) -> ScanningRule {
        ScanningRule {
            frequency: frequency.into(),
            filters: filters.iter().map(|f| f.to_string()).collect(),
        }
    }

    /// us-east-1: basic scanning with a scan-on-push filter; us-west-2: basic scanning without
    /// filters; eu-west-1: enhanced scanning of some repositories; ap-south-1: the registry
    /// configuration could not be read.
    fn registries() -> Inventory {
        Inventory::from(ecr::Inventory {
            repositories: vec![
                repository("app", "us-east-1", true),
                repository("legacy", "us-east-1", false),
                repository("prod-api", "us-east-1", false),
                repository("team/api", "eu-west-1", false),
                repository("billing-worker", "eu-west-1", false),
                repository("tools", "eu-west-1", true),
                repository("unknown-on", "ap-south-1", true),
                repository("unknown-off", "ap-south-1", false),
                repository("old-style", "us-west-2", true),
                repository("old-style-off", "us-west-2", false),
            ],
            registry_scanning: [
                (
                    "us-east-1".to_string(),
                    RegistryScanning {
                        scan_type: "BASIC".into(),
                        rules: vec![rule("SCAN_ON_PUSH", &["prod-*"])],
                    },
                ),
                (
                    "us-west-2".to_string(),
                    RegistryScanning {
                        scan_type: "BASIC".into(),
                        rules: vec![],
                    },
                ),
                (
                    "eu-west-1".to_string(),
                    RegistryScanning {
                        scan_type: "ENHANCED".into(),
                        rules: vec![
                            rule("SCAN_ON_PUSH", &["team/*", "billing"]),
                            rule("CONTINUOUS_SCAN", &["team/*"]),
                        ],
                    },
                ),
            ]
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("old-style", Status::Pass),
            ("old-style-off", Status::Fail),
            ("app", Status::Fail),
            ("prod-api", Status::Pass),
            ("team/api", Status::Pass),
            ("billing-worker", Status::Pass),
            ("legacy", Status::Fail),
            ("tools", Status::Fail),
        ]
        .map(|(resource_id, expected)| Case {
            check: CHECK,
            resource_id,
            expected,
            inventory: registries,
            region: None,
        })
        .into()
    }

    #[test]
    fn filters_match_as_the_ecr_documentation_table_says() {
        let names = [
            "prod",
            "repo-prod",
            "prod-repo",
            "repo-prod-repo",
            "prodrepo",
        ];
        let table = [
            ("prod", [true, true, true, true, true]),
            ("*prod", [true, true, false, false, false]),
            ("prod*", [true, false, true, false, true]),
            ("*prod*", [true, true, true, true, true]),
            ("prod*repo", [false, false, true, false, true]),
        ];
        for (filter, expected) in table {
            for (name, matches) in names.iter().zip(expected) {
                assert_eq!(filter_matches(filter, name), matches, "{filter} on {name}");
            }
        }
    }

    #[test]
    fn the_deciding_setting_is_named() {
        let results = run(&registries());
        let detail = |id| only(&results, CHECK, id).detail.clone();
        assert!(detail("old-style").contains("repository's scanOnPush is true"));
        // The registry's basic filters override the repository's own scanOnPush.
        assert!(detail("app").contains("whatever its own deprecated scanOnPush says"));
        assert!(detail("prod-api").contains("filter 'prod-*'"));
        // Continuous scanning wins over scan on push where both match.
        assert!(detail("team/api").contains("continuously"));
        assert!(detail("billing-worker").contains("on push"));
    }

    #[test]
    fn enhanced_scanning_ignores_the_repository_setting() {
        let results = run(&registries());
        let tools = only(&results, CHECK, "tools");
        assert_eq!(tools.status, Status::Fail);
        assert!(
            tools.detail.contains("enhanced scanning"),
            "{}",
            tools.detail
        );
    }

    #[test]
    fn an_unreadable_registry_configuration_gives_no_verdict() {
        let results = run(&registries());
        none(&results, CHECK, "unknown-on");
        none(&results, CHECK, "unknown-off");
    }
}
