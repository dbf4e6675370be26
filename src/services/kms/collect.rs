//! KMS, per region: the customer managed keys, each with its state, rotation status (where
//! rotation applies) and key policy.

use futures::stream::{self, StreamExt};

use super::{Inventory, KmsKey};
use crate::aws::{each_page, regional_client, Call};
use crate::model::AuditError;
use crate::services::resource_policy::parse_resource_policy;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_kms);

/// A listing, then per key a description and, for customer managed keys, the key policy and
/// (where rotation applies) the rotation status, `concurrency` keys at a time.
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
        .map(|id| read_key(client, region, id))
        .buffer_unordered(concurrency);
    while let Some((key, errors)) = reads.next().await {
        collection.inventory.keys.extend(key);
        collection.errors.extend(errors);
    }
    collection
}

async fn read_key(
    client: &aws_sdk_kms::Client,
    region: &str,
    id: String,
) -> (Option<KmsKey>, Vec<AuditError>) {
    use aws_sdk_kms::types::{KeyManagerType, KeySpec, KeyState, OriginType};
    let mut errors = Vec::new();
    let described = match client.describe_key().key_id(&id).send().await {
        Ok(output) => output.key_metadata,
        Err(error) => {
            errors.push(
                Call::new("kms", region, "DescribeKey")
                    .on(&id)
                    .error(&error),
            );
            return (None, errors);
        }
    };
    let Some(key) = described else {
        return (None, errors);
    };
    if key.key_manager() != Some(&KeyManagerType::Customer) {
        return (None, errors);
    }
    let rotation_applies = key.key_spec() == Some(&KeySpec::SymmetricDefault)
        && key.origin() == Some(&OriginType::AwsKms)
        && key.key_state() == Some(&KeyState::Enabled);
    let rotation = async {
        if !rotation_applies {
            return Ok(None);
        }
        client
            .get_key_rotation_status()
            .key_id(&id)
            .send()
            .await
            .map(|output| Some(output.key_rotation_enabled()))
            .map_err(|error| {
                Call::new("kms", region, "GetKeyRotationStatus")
                    .on(&id)
                    .error(&error)
            })
    };
    // "default" is the only name a key policy has (and the emulator wants it said).
    let policy = client
        .get_key_policy()
        .key_id(&id)
        .policy_name("default")
        .send();
    let (rotation, policy) = futures::join!(rotation, policy);
    let rotation_enabled = rotation.unwrap_or_else(|error| {
        errors.push(error);
        None
    });
    let call = Call::new("kms", region, "GetKeyPolicy").on(&id);
    let policy = match policy {
        Ok(output) => parse_resource_policy(output.policy, call, &mut errors),
        Err(error) => {
            errors.push(call.error(&error));
            None
        }
    };
    let key = KmsKey {
        arn: key.arn().unwrap_or_default().to_string(),
        region: region.to_string(),
        state: key
            .key_state()
            .map(|state| state.as_str().to_string())
            .unwrap_or_default(),
        deletion_date: key.deletion_date().map(|date| date.to_string()),
        rotation_applies,
        rotation_enabled,
        policy,
        id,
    };
    (Some(key), errors)
}
