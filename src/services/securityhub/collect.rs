//! Security Hub, per region: one DescribeHub.

use super::Inventory;
use crate::aws::{regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_securityhub);

/// DescribeHub's answer where Security Hub is not enabled: `InvalidAccessException`
/// ("Account ... is not subscribed to AWS Security Hub"; DescribeHub API reference, Errors).
const NOT_ENABLED: &[&str] = &["InvalidAccessException"];

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_securityhub::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let answer = client.describe_hub().send().await;
    let call = Call::new("securityhub", region, "DescribeHub");
    let hub = call.read_or(
        answer,
        NOT_ENABLED,
        || None,
        &mut collection.errors,
        |o| Some(o.hub_arn().unwrap_or_default().to_string()),
    );
    if let Some(hub) = hub {
        collection.inventory.hubs.insert(region.to_string(), hub);
    }
    collection
}
