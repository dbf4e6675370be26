//! SQS queues: no access policy open to everyone.

use super::Queue;
use crate::model::Severity;
use crate::policy::ResourcePolicy;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{Check, CheckOptions, Resource, Verdicts};
use crate::services::resource_policy::PublicPolicy;
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&POLICY_PUBLIC];

/// What can change a queue's access policy, or create or delete a queue.
const POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "sqs.amazonaws.com",
    names: &[
        "CreateQueue",
        "SetQueueAttributes",
        "AddPermission",
        "RemovePermission",
        "DeleteQueue",
    ],
}];

const POLICY_PUBLIC: Check = Check {
    id: "sqs.policy_public",
    service: Service::Sqs,
    severity: Severity::Critical,
    resource_types: &[Queue::RESOURCE_TYPE],
    title: "SQS queue policies do not grant public access",
    rationale: "A queue policy that allows everyone without a condition that pins the caller lets anyone send messages the consumers will trust, read and delete the queue's messages, or change the queue.",
    remediation: "Grant named accounts or services instead of \"*\", or pin the callers with a fixed aws:SourceArn, aws:SourceAccount or aws:PrincipalOrgID condition (aws sqs set-queue-attributes --attributes Policy=...).",
    reference: "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-security-best-practices.html",
    fsbp: &["SQS.3"],
    cis: &[],
    triggers: POLICY_CHANGES,
    reads: &[Read::all("sqs:ListQueues"), Read::each("sqs:GetQueueAttributes")],
    evaluate: policy_public,
};

/// A queue without a policy is usable only by its own account's principals. Service principals
/// are not public for a queue (https://docs.aws.amazon.com/securityhub/latest/userguide/sqs-controls.html#sqs-3
/// judges principals `*`).
fn policy_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let judgement = PublicPolicy {
        kind: ResourcePolicy::SqsQueue,
        noun: "queue",
        policy_name: "access policy",
        public_means: "everyone",
        grantee: " to anyone",
    };
    for queue in &inventory.sqs.queues {
        let resource = Resource {
            resource_type: Queue::RESOURCE_TYPE,
            id: &queue.name,
            name: None,
            arn: Some(&queue.arn),
            region: &queue.region,
        };
        judgement.judge(verdicts, &resource, &queue.policy, |_| String::new());
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::Queue;
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{sqs, Inventory};

    const PUBLIC_SEND: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":["sqs:SendMessage","sqs:ReceiveMessage"],"Resource":"arn:aws:sqs:us-east-1:123456789012:public-jobs"}]}"#;
    /// The policy SNS subscriptions need: any principal, but only for one topic's messages.
    const FROM_TOPIC: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"FromTopic","Effect":"Allow","Principal":{"Service":"sns.amazonaws.com"},"Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:fanout","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:alerts"}}},{"Sid":"AnyoneFromTopic","Effect":"Allow","Principal":"*","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:fanout","Condition":{"ArnEquals":{"aws:SourceArn":"arn:aws:sns:us-east-1:123456789012:alerts"}}}]}"#;

    fn queue(name: &str, policy: Option<&str>) -> Queue {
        Queue {
            name: name.into(),
            url: format!("https://sqs.us-east-1.amazonaws.com/123456789012/{name}"),
            arn: format!("arn:aws:sqs:us-east-1:123456789012:{name}"),
            region: "us-east-1".into(),
            policy: Some(policy.map(|text| Arc::new(PolicyDocument::parse(text).unwrap()))),
            tags: None,
        }
    }

    fn queues() -> Inventory {
        Inventory::from(sqs::Inventory {
            queues: vec![
                queue("jobs", None),
                queue("public-jobs", Some(PUBLIC_SEND)),
                queue("fanout", Some(FROM_TOPIC)),
                Queue {
                    policy: None,
                    ..queue("unreadable", None)
                },
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [("jobs", Status::Pass), ("public-jobs", Status::Fail)]
            .map(|(resource_id, expected)| Case {
                check: "sqs.policy_public",
                resource_id,
                expected,
                inventory: queues,
                region: None,
            })
            .into()
    }

    #[test]
    fn a_statement_without_sid_is_named_by_its_position() {
        let results = run(&queues());
        let result = only(&results, "sqs.policy_public", "public-jobs");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains(
                "statement 1 grants sqs:SendMessage and sqs:ReceiveMessage to everyone (\"*\")"
            ),
            "{}",
            result.detail
        );
    }

    #[test]
    fn a_grant_pinned_to_one_topic_passes_and_an_unreadable_policy_gives_no_verdict() {
        let results = run(&queues());
        let result = only(&results, "sqs.policy_public", "fanout");
        assert_eq!(result.status, Status::Pass, "{}", result.detail);
        assert_eq!(
            only(&results, "sqs.policy_public", "jobs").detail,
            "The queue has no access policy."
        );
        none(&results, "sqs.policy_public", "unreadable");
    }
}
