//! Inspector, per region: one BatchGetAccountStatus for the audited account.

use super::{Inventory, Scanning};
use crate::aws::{regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_inspector2);

pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_inspector2::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let answer = client
        .batch_get_account_status()
        .account_ids(context.account_id)
        .send()
        .await;
    let call = Call::new("inspector2", region, "BatchGetAccountStatus");
    let scanning = call.read(answer, &mut collection.errors, |o| {
        let account = o
            .accounts()
            .iter()
            .find(|a| a.account_id() == context.account_id)?;
        let resources = account.resource_state()?;
        let status = |state: Option<&aws_sdk_inspector2::types::State>| {
            state.map(|s| s.status().as_str().to_string())
        };
        Some(Scanning {
            ec2: status(resources.ec2()),
            ecr: status(resources.ecr()),
            lambda: status(resources.lambda()),
            lambda_code: status(resources.lambda_code()),
        })
    });
    if let Some(scanning) = scanning.flatten() {
        collection
            .inventory
            .scanning
            .insert(region.to_string(), scanning);
    }
    collection
}
