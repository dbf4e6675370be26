//! KMS, per region: the customer keys that should rotate, with their rotation status.

use futures::stream::{self, StreamExt};

use super::{Inventory, KmsKey};
use crate::aws::{each_page, regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_kms);

/// Customer-managed symmetric keys of origin AWS_KMS that are enabled, with their rotation
/// status: a listing, then a description per key and a rotation read per eligible key,
/// `concurrency` at a time.
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_kms::Client = context.clients.client(region);
    let concurrency = context.concurrency.get();
    let mut collection = Collection::<Inventory>::default();
    let mut ids = Vec::new();
    let pages = client.list_keys().limit(1000).into_paginator().send();
    each_page(
        pages,
        &Call::new("kms", region, "ListKeys"),
        &mut collection.errors,
        |page| {
            ids.extend(
                page.keys()
                    .iter()
                    .filter_map(|k| k.key_id().map(str::to_string)),
            )
        },
    )
    .await;
    let client = &client;
    let mut reads = stream::iter(ids)
        .map(|id| async move {
            use aws_sdk_kms::types::{KeyManagerType, KeySpec, KeyState, OriginType};
            let described = match client.describe_key().key_id(&id).send().await {
                Ok(output) => output.key_metadata,
                Err(error) => {
                    let call = Call::new("kms", region, "DescribeKey").on(&id);
                    return (None, Some(call.error(&error)));
                }
            };
            let Some(key) = described else {
                return (None, None);
            };
            let eligible = key.key_manager() == Some(&KeyManagerType::Customer)
                && key.key_spec() == Some(&KeySpec::SymmetricDefault)
                && key.origin() == Some(&OriginType::AwsKms)
                && key.key_state() == Some(&KeyState::Enabled);
            if !eligible {
                return (None, None);
            }
            let (rotation, error) = match client.get_key_rotation_status().key_id(&id).send().await
            {
                Ok(output) => (Some(output.key_rotation_enabled()), None),
                Err(error) => {
                    let call = Call::new("kms", region, "GetKeyRotationStatus").on(&id);
                    (None, Some(call.error(&error)))
                }
            };
            let key = KmsKey {
                arn: key.arn().unwrap_or_default().to_string(),
                id,
                region: region.to_string(),
                rotation_enabled: rotation,
            };
            (Some(key), error)
        })
        .buffer_unordered(concurrency);
    while let Some((key, error)) = reads.next().await {
        collection.inventory.keys.extend(key);
        collection.errors.extend(error);
    }
    collection
}
