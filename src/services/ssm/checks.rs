//! Systems Manager: no public documents, public sharing blocked in every audited region, and
//! managed instances compliant with their patch baseline.

use super::{Document, PatchCompliance};
use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &DOCUMENTS_NOT_PUBLIC,
    &BLOCK_PUBLIC_SHARING,
    &PATCH_COMPLIANCE,
];

/// What can share or unshare a document, or create or delete one.
const DOCUMENT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ssm.amazonaws.com",
    names: &[
        "CreateDocument",
        "ModifyDocumentPermission",
        "DeleteDocument",
    ],
}];

/// What can change a region's public sharing setting for documents.
const SHARING_SETTING_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ssm.amazonaws.com",
    names: &["UpdateServiceSetting", "ResetServiceSetting"],
}];

/// What can record an instance's patch compliance.
const COMPLIANCE_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "ssm.amazonaws.com",
    names: &["PutComplianceItems"],
}];

const DOCUMENTS_NOT_PUBLIC: Check = Check {
    id: "ssm.documents_not_public",
    service: Service::Ssm,
    severity: Severity::Critical,
    resource_types: &[Document::RESOURCE_TYPE],
    title: "SSM documents owned by the account are not public",
    rationale: "Every AWS account can read and run a public document: its steps, parameters and defaults show how the account's systems are built and administered, and sometimes names or secrets that were never meant to leave it.",
    remediation: "aws ssm modify-document-permission --name <document> --permission-type Share --account-ids-to-remove All (share it with named accounts instead where it must be shared).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-4",
    fsbp: &["SSM.4"],
    cis: &[],
    triggers: DOCUMENT_CHANGES,
    reads: &[Read::all("ssm:ListDocuments"), Read::each("ssm:DescribeDocumentPermission")],
    evaluate: documents_not_public,
};

fn documents_not_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for document in &inventory.ssm.documents {
        let (Some(public), Some(shared_with)) = (document.is_public(), &document.shared_with)
        else {
            continue;
        };
        let resource = Resource {
            resource_type: Document::RESOURCE_TYPE,
            id: &document.name,
            name: None,
            arn: Some(&document.arn),
            region: &document.region,
        };
        verdicts.judge(
            &resource,
            !public,
            || match shared_with.len() {
                0 => "The document is not shared.".to_string(),
                1 => format!(
                    "The document is shared with one account ({}), not publicly.",
                    shared_with[0]
                ),
                n => format!("The document is shared with {n} named accounts, not publicly."),
            },
            || "The document is shared with All: every AWS account can read and run it.".into(),
        );
    }
}

const BLOCK_PUBLIC_SHARING: Check = Check {
    id: "ssm.block_public_sharing",
    service: Service::Ssm,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Block public sharing of SSM documents is on in every audited region",
    rationale: "While public sharing is allowed, one mistaken share publishes a document, its steps and its parameters to every AWS account; blocking it in the region makes that impossible.",
    remediation: "aws ssm update-service-setting --setting-id /ssm/documents/console/public-sharing-permission --setting-value Disable --region <region>",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-7",
    fsbp: &["SSM.7"],
    cis: &[],
    triggers: SHARING_SETTING_CHANGES,
    reads: &[Read::all("ssm:GetServiceSetting")],
    evaluate: block_public_sharing,
};

/// `Disable` (public sharing disabled) passes; `Enable` or anything else fails; a region whose
/// setting could not be read has no entry and gets no result.
fn block_public_sharing(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, value) in &inventory.ssm.public_sharing {
        verdicts.judge_account(
            region,
            value.eq_ignore_ascii_case("Disable"),
            || format!("Public sharing of SSM documents is blocked in {region}."),
            || format!("Public sharing of SSM documents is allowed in {region} (public-sharing-permission is {value}): any document can be shared with every AWS account."),
        );
    }
}

const PATCH_COMPLIANCE: Check = Check {
    id: "ssm.patch_compliance",
    service: Service::Ssm,
    severity: Severity::High,
    resource_types: &[PatchCompliance::RESOURCE_TYPE],
    title: "EC2 instances managed by Systems Manager are compliant with their patch baseline",
    rationale: "A patch that the baseline approves but the instance lacks is a vulnerability with a public fix, which attackers scan for and exploit soonest.",
    remediation: "Install the missing patches (Patch Manager: Patch now, or the AWS-RunPatchBaseline document with Operation=Install), and schedule patching in a maintenance window or patch policy.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-2",
    fsbp: &["SSM.2"],
    cis: &[],
    triggers: COMPLIANCE_CHANGES,
    reads: &[Read::all("ssm:ListResourceComplianceSummaries")],
    evaluate: patch_compliance,
};

/// Instances without patch data have no summary and get no result; other statuses (such as
/// `UNSPECIFIED_DATA`) get none either.
fn patch_compliance(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for summary in &inventory.ssm.patch_compliance {
        let compliant = match summary.status.as_str() {
            "COMPLIANT" => true,
            "NON_COMPLIANT" => false,
            _ => continue,
        };
        let resource = Resource {
            resource_type: PatchCompliance::RESOURCE_TYPE,
            id: &summary.instance_id,
            name: None,
            arn: Some(&summary.arn),
            region: &summary.region,
        };
        verdicts.judge(
            &resource,
            compliant,
            || "The instance is compliant with its patch baseline.".into(),
            || {
                let counts: Vec<String> = summary
                    .non_compliant
                    .iter()
                    .map(|(severity, count)| format!("{count} {}", severity.to_ascii_lowercase()))
                    .collect();
                match counts.as_slice() {
                    [] => "The instance is not compliant with its patch baseline.".into(),
                    _ => format!(
                        "The instance is not compliant with its patch baseline: missing or failed patches by severity: {}.",
                        enumerate(&counts, 6)
                    ),
                }
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{Document, PatchCompliance};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{ssm, Inventory};

    fn document(name: &str, shared_with: Option<&[&str]>) -> Document {
        Document {
            name: name.into(),
            arn: format!("arn:aws:ssm:us-east-1:123456789012:document/{name}"),
            region: "us-east-1".into(),
            shared_with: shared_with.map(|s| s.iter().map(|a| a.to_string()).collect()),
            tags: Default::default(),
        }
    }

    fn compliance(id: &str, status: &str, non_compliant: &[(&str, i32)]) -> PatchCompliance {
        PatchCompliance {
            instance_id: id.into(),
            arn: format!("arn:aws:ec2:us-east-1:123456789012:instance/{id}"),
            region: "us-east-1".into(),
            status: status.into(),
            non_compliant: non_compliant
                .iter()
                .map(|(s, n)| (s.to_string(), *n))
                .collect(),
        }
    }

    fn account() -> Inventory {
        Inventory::from(ssm::Inventory {
            documents: vec![
                document("runbook-private", Some(&[])),
                document("runbook-partners", Some(&["111122223333"])),
                document("runbook-public", Some(&["All"])),
                document("runbook-public-lower", Some(&["111122223333", "all"])),
                document("runbook-unreadable", None),
            ],
            public_sharing: [
                ("eu-west-1".to_string(), "Disable".to_string()),
                ("us-east-1".to_string(), "Enable".to_string()),
            ]
            .into(),
            patch_compliance: vec![
                compliance("i-0patched", "COMPLIANT", &[]),
                compliance("i-0behind", "NON_COMPLIANT", &[("CRITICAL", 2), ("LOW", 1)]),
                compliance("i-0nocounts", "NON_COMPLIANT", &[]),
                compliance("i-0odd", "UNSPECIFIED_DATA", &[]),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let case = |check, resource_id, expected, region| Case {
            check,
            resource_id,
            expected,
            inventory: account,
            region,
        };
        vec![
            case(
                "ssm.documents_not_public",
                "runbook-private",
                Status::Pass,
                None,
            ),
            case(
                "ssm.documents_not_public",
                "runbook-partners",
                Status::Pass,
                None,
            ),
            case(
                "ssm.documents_not_public",
                "runbook-public",
                Status::Fail,
                None,
            ),
            case(
                "ssm.documents_not_public",
                "runbook-public-lower",
                Status::Fail,
                None,
            ),
            case(
                "ssm.block_public_sharing",
                "123456789012",
                Status::Pass,
                Some("eu-west-1"),
            ),
            case(
                "ssm.block_public_sharing",
                "123456789012",
                Status::Fail,
                Some("us-east-1"),
            ),
            case("ssm.patch_compliance", "i-0patched", Status::Pass, None),
            case("ssm.patch_compliance", "i-0behind", Status::Fail, None),
            case("ssm.patch_compliance", "i-0nocounts", Status::Fail, None),
        ]
    }

    #[test]
    fn an_unreadable_sharing_gives_no_verdict() {
        none(
            &run(&account()),
            "ssm.documents_not_public",
            "runbook-unreadable",
        );
    }

    #[test]
    fn the_sharing_setting_is_judged_once_per_readable_region() {
        let results = run(&account());
        let judged: Vec<&str> = results
            .iter()
            .filter(|r| r.check_id == "ssm.block_public_sharing")
            .map(|r| r.region.as_str())
            .collect();
        assert_eq!(judged, ["eu-west-1", "us-east-1"]);
        let allowed = results
            .iter()
            .find(|r| r.check_id == "ssm.block_public_sharing" && r.region == "us-east-1")
            .unwrap();
        assert_eq!(allowed.resource_type, "AWS::::Account");
        assert!(
            allowed
                .detail
                .contains("public-sharing-permission is Enable"),
            "{}",
            allowed.detail
        );
    }

    #[test]
    fn a_non_compliant_instance_shows_its_counts_by_severity() {
        let results = run(&account());
        let behind = only(&results, "ssm.patch_compliance", "i-0behind");
        assert!(
            behind
                .detail
                .ends_with("by severity: 2 critical and 1 low."),
            "{}",
            behind.detail
        );
        assert_eq!(behind.resource_type, "AWS::EC2::Instance");
    }

    #[test]
    fn an_unknown_compliance_status_gives_no_verdict() {
        none(&run(&account()), "ssm.patch_compliance", "i-0odd");
    }
}
