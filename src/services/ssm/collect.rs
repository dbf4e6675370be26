//! Systems Manager, per region: the account's own documents and their sharing, the
//! block-public-sharing setting, and the patch compliance summaries of managed instances.

use aws_sdk_ssm::types::{
    ComplianceQueryOperatorType, ComplianceStringFilter, DocumentKeyValuesFilter,
    DocumentPermissionType, ResourceComplianceSummaryItem,
};
use aws_sdk_ssm::Client;
use futures::stream::{self, StreamExt};

use super::{Document, Inventory, PatchCompliance};
use crate::aws::{each_page, partition, regional_client, tag_map, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_ssm);

/// The setting that allows (`Enable`) or blocks (`Disable`) sharing documents publicly, by the
/// id GetServiceSetting takes
/// (https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_GetServiceSetting.html;
/// the values: https://docs.aws.amazon.com/securityhub/latest/userguide/ssm-controls.html#ssm-7).
const PUBLIC_SHARING_SETTING: &str = "/ssm/documents/console/public-sharing-permission";

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: Client = context.clients.client(region);
    let (mut collection, setting, compliance) = futures::join!(
        documents(&client, context, region),
        public_sharing(&client, region),
        patch_compliance(&client, context.account_id, region),
    );
    collection.merge(setting);
    collection.merge(compliance);
    collection
}

/// The documents the account owns (ListDocuments with `Owner=Self`, which also gives their
/// tags), then whom each is shared with, `concurrency` at a time. Under an environment filter,
/// documents outside it are not read further.
async fn documents(
    client: &Client,
    context: &CollectContext<'_>,
    region: &str,
) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let account = context.account_id;
    let mut listed = Vec::new();
    let pages = client
        .list_documents()
        .filters(
            DocumentKeyValuesFilter::builder()
                .key("Owner")
                .values("Self")
                .build(),
        )
        .max_results(50)
        .into_paginator()
        .send();
    let call = Call::new("ssm", region, "ListDocuments");
    each_page(pages, &call, &mut collection.errors, |page| {
        listed.extend(page.document_identifiers().iter().filter_map(|d| {
            let name = d.name()?;
            Some(Document {
                name: name.to_string(),
                arn: format!(
                    "arn:{}:ssm:{region}:{account}:document/{name}",
                    partition(region)
                ),
                region: region.to_string(),
                shared_with: None,
                tags: tag_map(d.tags(), |t| Some(t.key()), |t| Some(t.value())),
            })
        }));
    })
    .await;
    if let Some(in_environment) = context.in_environment {
        listed.retain(|d| in_environment(&d.tags));
    }
    let mut reads = stream::iter(listed)
        .map(|mut document| async move {
            let mut errors = Vec::new();
            document.shared_with = shared_with(client, &document.name, region, &mut errors).await;
            (document, errors)
        })
        .buffer_unordered(context.concurrency.get());
    while let Some((document, errors)) = reads.next().await {
        collection.inventory.documents.push(document);
        collection.errors.extend(errors);
    }
    collection
}

/// Every account a document is shared with (`All` when it is public). The answer is paged
/// (NextToken), though the SDK has no paginator for it; one page is the usual case.
async fn shared_with(
    client: &Client,
    name: &str,
    region: &str,
    errors: &mut Vec<AuditError>,
) -> Option<Vec<String>> {
    let call = Call::new("ssm", region, "DescribeDocumentPermission").on(name);
    let mut accounts = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let answer = client
            .describe_document_permission()
            .name(name)
            .permission_type(DocumentPermissionType::Share)
            .set_next_token(token.clone())
            .send()
            .await;
        let next = call.read(answer, errors, |o| {
            accounts.extend(o.account_ids().iter().cloned());
            o.next_token().filter(|t| !t.is_empty()).map(str::to_string)
        })?;
        // A repeated token would loop forever: what was read is all there is.
        if next.is_none() || next == token {
            return Some(accounts);
        }
        token = next;
    }
}

/// The region's block-public-sharing setting. The setting id is the path form listed in the
/// GetServiceSetting reference (the ARN form is not needed).
async fn public_sharing(client: &Client, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let answer = client
        .get_service_setting()
        .setting_id(PUBLIC_SHARING_SETTING)
        .send()
        .await;
    let call = Call::new("ssm", region, "GetServiceSetting").on(PUBLIC_SHARING_SETTING);
    let value = call.read(answer, &mut collection.errors, |o| {
        o.service_setting()
            .and_then(|s| s.setting_value())
            .map(str::to_string)
    });
    if let Some(Some(value)) = value {
        collection
            .inventory
            .public_sharing
            .insert(region.to_string(), value);
    }
    collection
}

/// One summary per resource with patch data (ListResourceComplianceSummaries, compliance type
/// `Patch`; https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_ListResourceComplianceSummaries.html).
/// An instance that never reported a patch scan has none.
async fn patch_compliance(client: &Client, account: &str, region: &str) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let mut summaries = Vec::new();
    let pages = client
        .list_resource_compliance_summaries()
        .filters(
            ComplianceStringFilter::builder()
                .key("ComplianceType")
                .values("Patch")
                .r#type(ComplianceQueryOperatorType::Equal)
                .build(),
        )
        .max_results(50)
        .into_paginator()
        .send();
    let call = Call::new("ssm", region, "ListResourceComplianceSummaries");
    each_page(pages, &call, &mut collection.errors, |page| {
        summaries.extend(
            page.resource_compliance_summary_items()
                .iter()
                .filter_map(|item| compliance_of(item, account, region)),
        );
    })
    .await;
    collection.inventory.patch_compliance = summaries;
    collection
}

/// A managed EC2 instance's patch summary. Hybrid nodes (`mi-...`) are not EC2 instances and
/// are left out, as are statuses other than COMPLIANT and NON_COMPLIANT.
fn compliance_of(
    item: &ResourceComplianceSummaryItem,
    account: &str,
    region: &str,
) -> Option<PatchCompliance> {
    if item.compliance_type() != Some("Patch") || item.resource_type() != Some("ManagedInstance") {
        return None;
    }
    let id = item.resource_id().filter(|id| id.starts_with("i-"))?;
    let status = item.status()?.as_str();
    let non_compliant: Vec<(String, i32)> = item
        .non_compliant_summary()
        .and_then(|s| s.severity_summary())
        .map(|s| {
            [
                ("CRITICAL", s.critical_count()),
                ("HIGH", s.high_count()),
                ("MEDIUM", s.medium_count()),
                ("LOW", s.low_count()),
                ("INFORMATIONAL", s.informational_count()),
                ("UNSPECIFIED", s.unspecified_count()),
            ]
            .into_iter()
            .filter(|(_, count)| *count > 0)
            .map(|(severity, count)| (severity.to_string(), count))
            .collect()
        })
        .unwrap_or_default();
    Some(PatchCompliance {
        instance_id: id.to_string(),
        arn: format!(
            "arn:{}:ec2:{region}:{account}:instance/{id}",
            partition(region)
        ),
        region: region.to_string(),
        status: status.to_string(),
        non_compliant,
    })
}

#[cfg(test)]
mod tests {
    use aws_sdk_ssm::types::{
        ComplianceStatus, NonCompliantSummary, ResourceComplianceSummaryItem, SeveritySummary,
    };

    use super::compliance_of;

    fn item(
        id: &str,
        resource_type: &str,
        status: ComplianceStatus,
    ) -> ResourceComplianceSummaryItem {
        ResourceComplianceSummaryItem::builder()
            .compliance_type("Patch")
            .resource_type(resource_type)
            .resource_id(id)
            .status(status)
            .non_compliant_summary(
                NonCompliantSummary::builder()
                    .non_compliant_count(3)
                    .severity_summary(
                        SeveritySummary::builder()
                            .critical_count(1)
                            .high_count(2)
                            .build(),
                    )
                    .build(),
            )
            .build()
    }

    #[test]
    fn ec2_instances_keep_their_non_compliant_counts_by_severity() {
        let summary = compliance_of(
            &item("i-0abc", "ManagedInstance", ComplianceStatus::NonCompliant),
            "123456789012",
            "eu-west-1",
        )
        .unwrap();
        assert_eq!(summary.status, "NON_COMPLIANT");
        assert_eq!(
            summary.non_compliant,
            [("CRITICAL".to_string(), 1), ("HIGH".to_string(), 2)]
        );
        assert_eq!(
            summary.arn,
            "arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc"
        );
    }

    #[test]
    fn hybrid_nodes_are_not_ec2_instances() {
        let hybrid = item("mi-0abc", "ManagedInstance", ComplianceStatus::Compliant);
        assert_eq!(compliance_of(&hybrid, "123456789012", "eu-west-1"), None);
    }
}
