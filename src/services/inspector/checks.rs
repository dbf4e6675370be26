//! Amazon Inspector: EC2, ECR, Lambda standard and Lambda code scanning active in every
//! audited region (FSBP Inspector.1–.4, one AWS Config rule each, no parameters).

use super::Scanning;
use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[
    &EC2_SCANNING,
    &ECR_SCANNING,
    &LAMBDA_CODE_SCANNING,
    &LAMBDA_STANDARD_SCANNING,
];

/// What turns a scan type on or off for the account.
const ACTIVATION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "inspector2.amazonaws.com",
    names: &["Enable", "Disable"],
}];

const READS: &[Read] = &[Read::all("inspector2:BatchGetAccountStatus")];

/// One scan type: its name in details, and where the account's status of it is.
struct ScanType {
    name: &'static str,
    status: fn(&Scanning) -> Option<&String>,
}

/// Judges `scan` in every region read: only `ENABLED` passes (`ENABLING` is not yet
/// scanning; `SUSPENDED` and `DISABLED` are not).
fn judge(inventory: &Inventory, scan: ScanType, verdicts: &mut Verdicts) {
    for (region, scanning) in &inventory.inspector.scanning {
        let Some(status) = (scan.status)(scanning) else {
            continue;
        };
        verdicts.judge_account(
            region,
            status == "ENABLED",
            || {
                format!(
                    "Amazon Inspector {} scanning is ENABLED in {region}.",
                    scan.name
                )
            },
            || {
                format!(
                    "Amazon Inspector {} scanning is {status} in {region}.",
                    scan.name
                )
            },
        );
    }
}

/// FSBP Inspector.1, AWS Config rule `inspector-ec2-scan-enabled` (no parameters): NON_COMPLIANT unless EC2
/// scanning is activated for the account in the region.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-1>
const EC2_SCANNING: Check = Check {
    id: "inspector.ec2_scanning",
    service: Service::Inspector,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Amazon Inspector scans EC2 instances in every region",
    rationale: "Without EC2 scanning nobody is told when an instance runs a package with a known, exploitable vulnerability or is reachable on a port it should not be.",
    remediation: "aws inspector2 enable --resource-types EC2 in each region, or from the delegated administrator for every member account.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-1",
    fsbp: &["Inspector.1"],
    cis: &[],
    triggers: ACTIVATION_CHANGES,
    reads: READS,
    evaluate: ec2_scanning,
};

fn ec2_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let scan = ScanType {
        name: "EC2",
        status: |s| s.ec2.as_ref(),
    };
    judge(inventory, scan, verdicts);
}

/// FSBP Inspector.2, AWS Config rule `inspector-ecr-scan-enabled` (no parameters): NON_COMPLIANT unless ECR
/// scanning is activated for the account in the region.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-2>
const ECR_SCANNING: Check = Check {
    id: "inspector.ecr_scanning",
    service: Service::Inspector,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Amazon Inspector scans ECR container images in every region",
    rationale: "Without ECR scanning, images with known vulnerabilities are pushed and deployed unseen; ECR's basic scanning covers the operating system only.",
    remediation: "aws inspector2 enable --resource-types ECR in each region, or from the delegated administrator for every member account.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-2",
    fsbp: &["Inspector.2"],
    cis: &[],
    triggers: ACTIVATION_CHANGES,
    reads: READS,
    evaluate: ecr_scanning,
};

fn ecr_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let scan = ScanType {
        name: "ECR",
        status: |s| s.ecr.as_ref(),
    };
    judge(inventory, scan, verdicts);
}

/// FSBP Inspector.3, AWS Config rule `inspector-lambda-code-scan-enabled` (no parameters): NON_COMPLIANT unless Lambda code
/// scanning is activated for the account in the region.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-3>
const LAMBDA_CODE_SCANNING: Check = Check {
    id: "inspector.lambda_code_scanning",
    service: Service::Inspector,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Amazon Inspector scans Lambda function code in every region",
    rationale: "Lambda code scanning finds injection flaws, leaked credentials and weak cryptography in the functions' own code, which package scanning does not read.",
    remediation: "aws inspector2 enable --resource-types LAMBDA LAMBDA_CODE in each region (code scanning needs standard scanning), or from the delegated administrator for every member account.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-3",
    fsbp: &["Inspector.3"],
    cis: &[],
    triggers: ACTIVATION_CHANGES,
    reads: READS,
    evaluate: lambda_code_scanning,
};

fn lambda_code_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let scan = ScanType {
        name: "Lambda code",
        status: |s| s.lambda_code.as_ref(),
    };
    judge(inventory, scan, verdicts);
}

/// FSBP Inspector.4, AWS Config rule `inspector-lambda-standard-scan-enabled` (no parameters): NON_COMPLIANT unless Lambda standard
/// scanning is activated for the account in the region.
/// <https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-4>
const LAMBDA_STANDARD_SCANNING: Check = Check {
    id: "inspector.lambda_standard_scanning",
    service: Service::Inspector,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "Amazon Inspector scans Lambda functions' packages in every region",
    rationale: "Lambda standard scanning reports functions and layers that bundle packages with known vulnerabilities; without it they run unseen.",
    remediation: "aws inspector2 enable --resource-types LAMBDA in each region, or from the delegated administrator for every member account.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/inspector-controls.html#inspector-4",
    fsbp: &["Inspector.4"],
    cis: &[],
    triggers: ACTIVATION_CHANGES,
    reads: READS,
    evaluate: lambda_standard_scanning,
};

fn lambda_standard_scanning(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let scan = ScanType {
        name: "Lambda standard",
        status: |s| s.lambda.as_ref(),
    };
    judge(inventory, scan, verdicts);
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Scanning;
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::{inspector, Inventory};

    fn status(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    /// us-east-1 scans everything; eu-west-1 was never activated; ap-south-1 is half-way.
    fn inventory() -> Inventory {
        Inventory::from(inspector::Inventory {
            scanning: [
                (
                    "us-east-1",
                    Scanning {
                        ec2: status("ENABLED"),
                        ecr: status("ENABLED"),
                        lambda: status("ENABLED"),
                        lambda_code: status("ENABLED"),
                    },
                ),
                (
                    "eu-west-1",
                    Scanning {
                        ec2: status("DISABLED"),
                        ecr: status("DISABLED"),
                        lambda: status("DISABLED"),
                        lambda_code: status("DISABLED"),
                    },
                ),
                (
                    "ap-south-1",
                    Scanning {
                        ec2: status("ENABLING"),
                        ecr: status("SUSPENDED"),
                        lambda: None,
                        lambda_code: status("ENABLED"),
                    },
                ),
            ]
            .map(|(region, scanning)| (region.to_string(), scanning))
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases = Vec::new();
        for check in [
            "inspector.ec2_scanning",
            "inspector.ecr_scanning",
            "inspector.lambda_code_scanning",
            "inspector.lambda_standard_scanning",
        ] {
            for (region, expected) in [("us-east-1", Status::Pass), ("eu-west-1", Status::Fail)] {
                cases.push(Case {
                    check,
                    resource_id: "123456789012",
                    expected,
                    inventory,
                    region: Some(region),
                });
            }
        }
        cases
    }

    #[test]
    fn only_enabled_passes_and_an_unnamed_scan_type_gets_no_verdict() {
        let results = run(&inventory());
        let in_region = |check: &str| {
            results
                .iter()
                .filter(|r| r.check_id == check && r.region == "ap-south-1")
                .map(|r| r.status)
                .collect::<Vec<_>>()
        };
        assert_eq!(in_region("inspector.ec2_scanning"), [Status::Fail]);
        assert_eq!(in_region("inspector.ecr_scanning"), [Status::Fail]);
        assert_eq!(in_region("inspector.lambda_code_scanning"), [Status::Pass]);
        assert!(in_region("inspector.lambda_standard_scanning").is_empty());
    }
}
