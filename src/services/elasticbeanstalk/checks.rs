//! Elastic Beanstalk environments: managed platform updates on, instance logs streamed to
//! CloudWatch Logs.

use super::Environment;
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&MANAGED_UPDATES, &LOGS_TO_CLOUDWATCH];

/// What creates an environment or changes its option settings.
const ENVIRONMENT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "elasticbeanstalk.amazonaws.com",
    names: &[
        "CreateEnvironment",
        "UpdateEnvironment",
        "TerminateEnvironment",
    ],
}];

const READS: &[Read] = &[
    Read::all("elasticbeanstalk:DescribeEnvironments"),
    Read::each("elasticbeanstalk:DescribeConfigurationSettings"),
];

/// FSBP ElasticBeanstalk.2, AWS Config rule `elastic-beanstalk-managed-updates-enabled`
/// (Security Hub sets no `UpdateLevel`): COMPLIANT when `ManagedActionsEnabled`
/// (`aws:elasticbeanstalk:managedactions`) is true, any update level.
/// <https://docs.aws.amazon.com/config/latest/developerguide/elastic-beanstalk-managed-updates-enabled.html>
const MANAGED_UPDATES: Check = Check {
    id: "elasticbeanstalk.managed_updates",
    service: Service::Elasticbeanstalk,
    severity: Severity::High,
    resource_types: &[Environment::RESOURCE_TYPE],
    title: "Elastic Beanstalk environments apply managed platform updates",
    rationale: "Without managed updates the environment keeps the platform version it was created with, and with it every operating system and runtime vulnerability fixed since, until someone updates it by hand.",
    remediation: "aws elasticbeanstalk update-environment --environment-name <name> --option-settings Namespace=aws:elasticbeanstalk:managedactions,OptionName=ManagedActionsEnabled,Value=true Namespace=aws:elasticbeanstalk:managedactions,OptionName=PreferredStartTime,Value=Sun:02:00 Namespace=aws:elasticbeanstalk:managedactions:platformupdate,OptionName=UpdateLevel,Value=minor (enhanced health reporting is required).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticbeanstalk-controls.html#elasticbeanstalk-2",
    fsbp: &["ElasticBeanstalk.2"],
    cis: &[],
    triggers: ENVIRONMENT_CHANGES,
    reads: READS,
    evaluate: managed_updates,
};

/// FSBP ElasticBeanstalk.3, AWS Config rule `elastic-beanstalk-logs-to-cloudwatch` (Security
/// Hub sets no `RetentionInDays`): NON_COMPLIANT when `StreamLogs`
/// (`aws:elasticbeanstalk:cloudwatch:logs`, default false) is false.
/// <https://docs.aws.amazon.com/config/latest/developerguide/elastic-beanstalk-logs-to-cloudwatch.html>
const LOGS_TO_CLOUDWATCH: Check = Check {
    id: "elasticbeanstalk.logs_to_cloudwatch",
    service: Service::Elasticbeanstalk,
    severity: Severity::High,
    resource_types: &[Environment::RESOURCE_TYPE],
    title: "Elastic Beanstalk environments stream instance logs to CloudWatch Logs",
    rationale: "Instance logs that stay on the instances disappear when Auto Scaling replaces them, often exactly the instance an incident needs; streamed logs outlive it and can be searched and alarmed on.",
    remediation: "aws elasticbeanstalk update-environment --environment-name <name> --option-settings Namespace=aws:elasticbeanstalk:cloudwatch:logs,OptionName=StreamLogs,Value=true (and RetentionInDays as your policy asks).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticbeanstalk-controls.html#elasticbeanstalk-3",
    fsbp: &["ElasticBeanstalk.3"],
    cis: &[],
    triggers: ENVIRONMENT_CHANGES,
    reads: READS,
    evaluate: logs_to_cloudwatch,
};

fn resource(environment: &Environment) -> Resource<'_> {
    Resource {
        resource_type: Environment::RESOURCE_TYPE,
        id: &environment.name,
        name: None,
        arn: Some(&environment.arn),
        region: &environment.region,
    }
}

/// Judges a boolean option that must be `true`; not named in the settings counts as its
/// default, `false`.
fn judge_option(
    inventory: &Inventory,
    verdicts: &mut Verdicts,
    (namespace, option): (&str, &str),
    what: &str,
) {
    for environment in &inventory.elasticbeanstalk.environments {
        if environment.options.is_none() {
            continue;
        }
        let value = environment.option(namespace, option);
        verdicts.judge(
            &resource(environment),
            value.is_some_and(|v| v.eq_ignore_ascii_case("true")),
            || format!("{option} is true: {what}."),
            || match value {
                Some(value) => format!("{option} ({namespace}) is {value}."),
                None => format!("{option} ({namespace}) is not set: it defaults to false."),
            },
        );
    }
}

fn managed_updates(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let option = (
        "aws:elasticbeanstalk:managedactions",
        "ManagedActionsEnabled",
    );
    judge_option(
        inventory,
        verdicts,
        option,
        "platform updates are applied in the maintenance window",
    );
}

fn logs_to_cloudwatch(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let option = ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs");
    judge_option(
        inventory,
        verdicts,
        option,
        "instance logs are streamed to CloudWatch Logs",
    );
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::Environment;
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{elasticbeanstalk, Inventory};

    fn environment(name: &str, options: Option<&[(&str, &str, &str)]>) -> Environment {
        Environment {
            name: name.into(),
            application: "shop".into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:elasticbeanstalk:us-east-1:123456789012:environment/shop/{name}"),
            options: options.map(|o| {
                o.iter()
                    .map(|(ns, name, value)| {
                        ((ns.to_string(), name.to_string()), value.to_string())
                    })
                    .collect()
            }),
            tags: None,
        }
    }

    fn environments() -> Inventory {
        Inventory::from(elasticbeanstalk::Inventory {
            environments: vec![
                environment(
                    "shop-prod",
                    Some(&[
                        (
                            "aws:elasticbeanstalk:managedactions",
                            "ManagedActionsEnabled",
                            "true",
                        ),
                        ("aws:elasticbeanstalk:cloudwatch:logs", "StreamLogs", "true"),
                    ]),
                ),
                environment(
                    "shop-dev",
                    Some(&[(
                        "aws:elasticbeanstalk:managedactions",
                        "ManagedActionsEnabled",
                        "false",
                    )]),
                ),
                environment("shop-unread", None),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let updates = "elasticbeanstalk.managed_updates";
        let logs = "elasticbeanstalk.logs_to_cloudwatch";
        [
            (updates, "shop-prod", Status::Pass),
            (updates, "shop-dev", Status::Fail),
            (logs, "shop-prod", Status::Pass),
            (logs, "shop-dev", Status::Fail),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: environments,
            region: None,
        })
        .into()
    }

    #[test]
    fn unset_means_the_default_and_unread_means_no_verdict() {
        let results = run(&environments());
        let logs = only(&results, "elasticbeanstalk.logs_to_cloudwatch", "shop-dev");
        assert!(
            logs.detail.contains("not set: it defaults to false"),
            "{}",
            logs.detail
        );
        none(&results, "elasticbeanstalk.managed_updates", "shop-unread");
    }
}
