//! GuardDuty: a detector in every audited region, and each protection plan on where the
//! detector is (FSBP GuardDuty.5–.11: AWS Config rules `guardduty-eks-protection-audit-enabled`,
//! `guardduty-lambda-protection-enabled`, `guardduty-eks-protection-runtime-enabled`,
//! `guardduty-malware-protection-enabled`, `guardduty-rds-protection-enabled`,
//! `guardduty-s3-protection-enabled`, `guardduty-runtime-monitoring-enabled`, no parameters;
//! <https://docs.aws.amazon.com/securityhub/latest/userguide/guardduty-controls.html>).
//! A region without an enabled detector is `guardduty.enabled`'s failure, not seven more.

use super::Detector;
use crate::model::Severity;
use crate::model::ACCOUNT_RESOURCE_TYPE;
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, Verdicts};
use crate::services::Inventory;
use crate::services::Service;

pub(super) const CHECKS: &[&Check] = &[
    &ENABLED,
    &EKS_AUDIT_LOGS,
    &LAMBDA_PROTECTION,
    &EKS_RUNTIME_MONITORING,
    &MALWARE_PROTECTION,
    &RDS_PROTECTION,
    &S3_PROTECTION,
    &RUNTIME_MONITORING,
];

/// What can create, suspend, resume or delete a region's detector.
const DETECTOR_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "guardduty.amazonaws.com",
    names: &["CreateDetector", "UpdateDetector", "DeleteDetector"],
}];

const ENABLED: Check = Check {
    id: "guardduty.enabled",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty is enabled in every audited region",
    rationale: "GuardDuty watches CloudTrail, DNS and flow logs for compromise; a region without \
                it is where an attacker mines or exfiltrates unseen.",
    remediation: "aws guardduty create-detector --enable in the region (or enable it for the \
                  organization from the delegated administrator).",
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/guardduty_settingup.html",
    fsbp: &["GuardDuty.1"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: &[
        Read::all("guardduty:ListDetectors"),
        Read::all("guardduty:GetDetector"),
    ],
    evaluate: enabled,
};

fn enabled(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for (region, detector) in &inventory.guardduty.detectors {
        verdicts.judge_account(
            region,
            detector.as_ref().is_some_and(Detector::is_enabled),
            || format!("The GuardDuty detector in {region} is enabled."),
            || match detector {
                None => format!("{region} has no GuardDuty detector."),
                Some(detector) => {
                    format!("The GuardDuty detector in {region} is {}.", detector.status)
                }
            },
        );
    }
}

/// A protection plan the detector's `Features` must have on: `feature` enabled, and with
/// `addon` its automated agent management (`EKS_ADDON_MANAGEMENT`) too.
struct Plan {
    name: &'static str,
    /// Either feature satisfies the plan (EKS Runtime Monitoring is now part of Runtime
    /// Monitoring).
    features: &'static [&'static str],
    addon: Option<&'static str>,
}

impl Plan {
    fn is_on(&self, detector: &Detector) -> bool {
        self.features.iter().any(|name| {
            detector.features.get(*name).is_some_and(|feature| {
                feature.enabled
                    && self
                        .addon
                        .is_none_or(|addon| feature.additional.get(addon) == Some(&true))
            })
        })
    }

    /// One verdict per region with an enabled detector.
    fn judge(&self, inventory: &Inventory, verdicts: &mut Verdicts) {
        for (region, detector) in &inventory.guardduty.detectors {
            let Some(detector) = detector.as_ref().filter(|d| d.is_enabled()) else {
                continue;
            };
            let with_agent = if self.addon.is_some() {
                " with automated agent management"
            } else {
                ""
            };
            verdicts.judge_account(
                region,
                self.is_on(detector),
                || {
                    format!(
                        "GuardDuty {}{with_agent} is enabled in {region}.",
                        self.name
                    )
                },
                || {
                    format!(
                        "GuardDuty {}{with_agent} is not enabled in {region}.",
                        self.name
                    )
                },
            );
        }
    }
}

const EKS_AUDIT_LOGS_PLAN: Plan = Plan {
    name: "EKS Audit Log Monitoring",
    features: &["EKS_AUDIT_LOGS"],
    addon: None,
};
const LAMBDA_PLAN: Plan = Plan {
    name: "Lambda Protection",
    features: &["LAMBDA_NETWORK_LOGS"],
    addon: None,
};
const EKS_RUNTIME_PLAN: Plan = Plan {
    name: "EKS Runtime Monitoring",
    features: &["EKS_RUNTIME_MONITORING", "RUNTIME_MONITORING"],
    addon: Some("EKS_ADDON_MANAGEMENT"),
};
const MALWARE_PLAN: Plan = Plan {
    name: "Malware Protection for EC2",
    features: &["EBS_MALWARE_PROTECTION"],
    addon: None,
};
const RDS_PLAN: Plan = Plan {
    name: "RDS Protection",
    features: &["RDS_LOGIN_EVENTS"],
    addon: None,
};
const S3_PLAN: Plan = Plan {
    name: "S3 Protection",
    features: &["S3_DATA_EVENTS"],
    addon: None,
};
const RUNTIME_PLAN: Plan = Plan {
    name: "Runtime Monitoring",
    features: &["RUNTIME_MONITORING"],
    addon: None,
};

const PLAN_READS: &[Read] = &[
    Read::all("guardduty:ListDetectors"),
    Read::all("guardduty:GetDetector"),
];

const PLAN_REMEDIATION: &str = "aws guardduty update-detector --detector-id <id> --features \
                                Name=<feature>,Status=ENABLED in the region (or for the \
                                organization from the delegated administrator).";

const EKS_AUDIT_LOGS: Check = Check {
    id: "guardduty.eks_audit_logs",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty EKS Audit Log Monitoring is enabled",
    rationale: "Kubernetes audit logs show who did what in a cluster; without them GuardDuty \
                cannot see a compromised cluster being used.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/kubernetes-protection.html",
    fsbp: &["GuardDuty.5"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| EKS_AUDIT_LOGS_PLAN.judge(inventory, verdicts),
};

const LAMBDA_PROTECTION: Check = Check {
    id: "guardduty.lambda_protection",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty Lambda Protection is enabled",
    rationale: "Lambda network activity shows a function mining or calling out to an attacker; \
                without it GuardDuty does not watch functions.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/lambda-protection.html",
    fsbp: &["GuardDuty.6"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| LAMBDA_PLAN.judge(inventory, verdicts),
};

const EKS_RUNTIME_MONITORING: Check = Check {
    id: "guardduty.eks_runtime_monitoring",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty EKS Runtime Monitoring with automated agent management is enabled",
    rationale: "The runtime agent sees processes, files and connections inside EKS nodes and \
                pods; managed by GuardDuty, it reaches every new cluster without anyone \
                remembering to install it.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html",
    fsbp: &["GuardDuty.7"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| EKS_RUNTIME_PLAN.judge(inventory, verdicts),
};

const MALWARE_PROTECTION: Check = Check {
    id: "guardduty.malware_protection",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty Malware Protection for EC2 is enabled",
    rationale: "When GuardDuty suspects an instance or container, malware protection scans its \
                EBS volumes; without it the suspicion stays unconfirmed.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/malware-protection.html",
    fsbp: &["GuardDuty.8"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| MALWARE_PLAN.judge(inventory, verdicts),
};

const RDS_PROTECTION: Check = Check {
    id: "guardduty.rds_protection",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty RDS Protection is enabled",
    rationale: "RDS login activity shows brute force and logins from unusual places on Aurora \
                and RDS databases; without it GuardDuty does not watch them.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/rds-protection.html",
    fsbp: &["GuardDuty.9"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| RDS_PLAN.judge(inventory, verdicts),
};

const S3_PROTECTION: Check = Check {
    id: "guardduty.s3_protection",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty S3 Protection is enabled",
    rationale: "S3 data events show objects read, written or deleted in unusual ways (an \
                exfiltration, a ransom); without them GuardDuty does not watch the data.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/s3-protection.html",
    fsbp: &["GuardDuty.10"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| S3_PLAN.judge(inventory, verdicts),
};

const RUNTIME_MONITORING: Check = Check {
    id: "guardduty.runtime_monitoring",
    service: Service::Guardduty,
    severity: Severity::High,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "GuardDuty Runtime Monitoring is enabled",
    rationale: "Runtime Monitoring sees processes, files and connections on EC2, ECS and EKS \
                workloads, where a compromise runs.",
    remediation: PLAN_REMEDIATION,
    reference: "https://docs.aws.amazon.com/guardduty/latest/ug/runtime-monitoring.html",
    fsbp: &["GuardDuty.11"],
    cis: &[],
    triggers: DETECTOR_CHANGES,
    reads: PLAN_READS,
    evaluate: |inventory, _, verdicts| RUNTIME_PLAN.judge(inventory, verdicts),
};

#[cfg(test)]
pub(crate) mod tests {
    use crate::model::Status;
    use crate::services::checks::test_support::{run, Case};
    use crate::services::guardduty::{Detector, Feature};
    use crate::services::{guardduty, Inventory};

    const PLAN_CHECKS: [&str; 7] = [
        "guardduty.eks_audit_logs",
        "guardduty.lambda_protection",
        "guardduty.eks_runtime_monitoring",
        "guardduty.malware_protection",
        "guardduty.rds_protection",
        "guardduty.s3_protection",
        "guardduty.runtime_monitoring",
    ];

    /// A plan: its name, whether it is on, and its additional configuration.
    type PlanSetting<'a> = (&'a str, bool, &'a [(&'a str, bool)]);

    fn detector(status: &str, features: &[PlanSetting]) -> Option<Detector> {
        Some(Detector {
            status: status.into(),
            features: features
                .iter()
                .map(|(name, enabled, additional)| {
                    let feature = Feature {
                        enabled: *enabled,
                        additional: additional
                            .iter()
                            .map(|(name, on)| (name.to_string(), *on))
                            .collect(),
                    };
                    (name.to_string(), feature)
                })
                .collect(),
        })
    }

    /// eu-west-1: every plan on; us-west-2: suspended; eu-central-1: on, every plan off.
    fn regions() -> Inventory {
        let every_plan: &[PlanSetting] = &[
            ("EKS_AUDIT_LOGS", true, &[]),
            ("LAMBDA_NETWORK_LOGS", true, &[]),
            ("EBS_MALWARE_PROTECTION", true, &[]),
            ("RDS_LOGIN_EVENTS", true, &[]),
            ("S3_DATA_EVENTS", true, &[]),
            (
                "RUNTIME_MONITORING",
                true,
                &[
                    ("EKS_ADDON_MANAGEMENT", true),
                    ("ECS_FARGATE_AGENT_MANAGEMENT", false),
                ],
            ),
        ];
        let no_plan: &[PlanSetting] = &[
            ("EKS_AUDIT_LOGS", false, &[]),
            ("S3_DATA_EVENTS", false, &[]),
            (
                "RUNTIME_MONITORING",
                false,
                &[("EKS_ADDON_MANAGEMENT", true)],
            ),
        ];
        Inventory::from(guardduty::Inventory {
            detectors: [
                ("eu-west-1".to_string(), detector("ENABLED", every_plan)),
                ("us-east-1".to_string(), None),
                ("us-west-2".to_string(), detector("DISABLED", every_plan)),
                ("eu-central-1".to_string(), detector("ENABLED", no_plan)),
            ]
            .into(),
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases: Vec<Case> = [
            (Status::Pass, "eu-west-1"),
            (Status::Fail, "us-east-1"),
            (Status::Fail, "us-west-2"),
        ]
        .map(|(expected, region)| Case {
            check: "guardduty.enabled",
            resource_id: "123456789012",
            expected,
            inventory: regions,
            region: Some(region),
        })
        .into();
        for check in PLAN_CHECKS {
            for (expected, region) in [(Status::Pass, "eu-west-1"), (Status::Fail, "eu-central-1")]
            {
                cases.push(Case {
                    check,
                    resource_id: "123456789012",
                    expected,
                    inventory: regions,
                    region: Some(region),
                });
            }
        }
        cases
    }

    #[test]
    fn plans_are_judged_only_where_the_detector_is_on() {
        let results = run(&regions());
        for check in PLAN_CHECKS {
            let regions: Vec<&str> = results
                .iter()
                .filter(|r| r.check_id == check)
                .map(|r| r.region.as_str())
                .collect();
            assert_eq!(regions, ["eu-central-1", "eu-west-1"], "{check}");
        }
    }

    #[test]
    fn eks_runtime_monitoring_needs_its_agent_managed() {
        let judged = |features: &[PlanSetting]| {
            let results = run(&Inventory::from(guardduty::Inventory {
                detectors: [("eu-west-1".to_string(), detector("ENABLED", features))].into(),
            }));
            let status = |check: &str| {
                results
                    .iter()
                    .find(|r| r.check_id == check)
                    .map(|r| r.status)
                    .unwrap()
            };
            (
                status("guardduty.eks_runtime_monitoring"),
                status("guardduty.runtime_monitoring"),
            )
        };
        use Status::{Fail, Pass};
        // Runtime Monitoring without the EKS add-on managed: on, but not EKS's.
        assert_eq!(
            judged(&[(
                "RUNTIME_MONITORING",
                true,
                &[("EKS_ADDON_MANAGEMENT", false)]
            )]),
            (Fail, Pass)
        );
        // The older EKS Runtime Monitoring plan with its add-on managed.
        assert_eq!(
            judged(&[(
                "EKS_RUNTIME_MONITORING",
                true,
                &[("EKS_ADDON_MANAGEMENT", true)]
            )]),
            (Pass, Fail)
        );
        // A plan not listed at all is not on.
        assert_eq!(judged(&[]), (Fail, Fail));
    }
}
