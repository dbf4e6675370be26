//! SNS topics: no access policy open to everyone.

use super::Topic;
use crate::model::Severity;
use crate::policy::ResourcePolicy;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::resource_policy::PublicPolicy;
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&POLICY_PUBLIC];

/// What can change a topic's access policy, or create or delete a topic.
const POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "sns.amazonaws.com",
    names: &[
        "CreateTopic",
        "SetTopicAttributes",
        "AddPermission",
        "RemovePermission",
        "DeleteTopic",
    ],
}];

const POLICY_PUBLIC: Check = Check {
    id: "sns.policy_public",
    service: Service::Sns,
    severity: Severity::Critical,
    resource_types: &[Topic::RESOURCE_TYPE],
    title: "SNS topic policies do not grant public access",
    rationale: "A topic policy that allows everyone without a condition that pins the caller lets anyone publish to the topic (forged events for every subscriber), subscribe to read its messages, or change the topic.",
    remediation: "Grant named accounts or services instead of \"*\", or pin the callers with a fixed aws:SourceOwner, aws:SourceAccount, aws:SourceArn or aws:PrincipalOrgID condition (aws sns set-topic-attributes --attribute-name Policy).",
    reference: "https://docs.aws.amazon.com/sns/latest/dg/sns-security-best-practices.html",
    fsbp: &["SNS.4"],
    cis: &[],
    triggers: POLICY_CHANGES,
    reads: &[Read::all("sns:ListTopics"), Read::each("sns:GetTopicAttributes")],
    evaluate: policy_public,
};

/// The default policy AWS gives a topic allows `{"AWS": "*"}` only under `AWS:SourceOwner` =
/// the owner account (https://docs.aws.amazon.com/sns/latest/dg/sns-access-policy-use-cases.html):
/// it pins the caller, so it is not public. Service principals are not public for a topic
/// (unlike a function): Security Hub's SNS.4 judges principals `*` only
/// (https://docs.aws.amazon.com/securityhub/latest/userguide/sns-controls.html#sns-4).
fn policy_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let judgement = PublicPolicy {
        kind: ResourcePolicy::SnsTopic,
        noun: "topic",
        policy_name: "access policy",
        public_means: "everyone",
        grantee: " to anyone",
    };
    for topic in &inventory.sns.topics {
        let resource = Resource {
            resource_type: Topic::RESOURCE_TYPE,
            id: &topic.name,
            name: None,
            arn: Some(&topic.arn),
            region: &topic.region,
        };
        judgement.judge(verdicts, &resource, &topic.policy, |_| String::new());
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::Topic;
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{sns, Inventory};

    /// The policy AWS gives a new topic (as GetTopicAttributes returns it).
    const DEFAULT_POLICY: &str = r#"{"Version":"2008-10-17","Id":"__default_policy_ID","Statement":[{"Sid":"__default_statement_ID","Effect":"Allow","Principal":{"AWS":"*"},"Action":["SNS:GetTopicAttributes","SNS:SetTopicAttributes","SNS:AddPermission","SNS:RemovePermission","SNS:DeleteTopic","SNS:Subscribe","SNS:ListSubscriptionsByTopic","SNS:Publish"],"Resource":"arn:aws:sns:us-east-1:123456789012:alerts","Condition":{"StringEquals":{"AWS:SourceOwner":"123456789012"}}}]}"#;
    const PUBLIC_PUBLISH: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"PublicPublish","Effect":"Allow","Principal":{"AWS":"*"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:public-events"}]}"#;
    /// A service may publish, for any account's resources: not public for a topic.
    const SERVICE_PUBLISH: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"Events","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"sns:Publish","Resource":"arn:aws:sns:us-east-1:123456789012:t"}]}"#;

    fn topic(name: &str, policy: Option<&str>) -> Topic {
        Topic {
            name: name.into(),
            arn: format!("arn:aws:sns:us-east-1:123456789012:{name}"),
            region: "us-east-1".into(),
            policy: Some(policy.map(|text| Arc::new(PolicyDocument::parse(text).unwrap()))),
            tags: None,
        }
    }

    fn topics() -> Inventory {
        Inventory::from(sns::Inventory {
            topics: vec![
                topic("alerts", Some(DEFAULT_POLICY)),
                topic("public-events", Some(PUBLIC_PUBLISH)),
                topic("service-events", Some(SERVICE_PUBLISH)),
                topic("bare", None),
                Topic {
                    policy: None,
                    ..topic("unreadable", None)
                },
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("alerts", Status::Pass), ("public-events", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "sns.policy_public",
                resource_id,
                expected,
                inventory: topics,
                region: None,
            })
            .into()
    }

    #[test]
    fn the_default_topic_policy_is_not_public() {
        let results = run(&topics());
        let result = only(&results, "sns.policy_public", "alerts");
        assert_eq!(result.status, Status::Pass, "{}", result.detail);
    }

    #[test]
    fn an_open_statement_is_named_in_the_detail() {
        let results = run(&topics());
        let result = only(&results, "sns.policy_public", "public-events");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result
                .detail
                .contains("statement \"PublicPublish\" grants sns:Publish to AWS principal *"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn service_principals_and_missing_policies_pass_unreadable_ones_give_no_verdict() {
        let results = run(&topics());
        assert_eq!(
            only(&results, "sns.policy_public", "service-events").status,
            Status::Pass
        );
        assert_eq!(
            only(&results, "sns.policy_public", "bare").status,
            Status::Pass
        );
        none(&results, "sns.policy_public", "unreadable");
    }
}
