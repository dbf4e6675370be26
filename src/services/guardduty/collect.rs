//! GuardDuty, per region: the detector and its status.

use super::Inventory;
use crate::aws::{regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_guardduty);

/// The region's GuardDuty detector and its status (a region has at most one).
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_guardduty::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let detectors = match client.list_detectors().send().await {
        Ok(output) => output.detector_ids.unwrap_or_default(),
        Err(error) => {
            let call = Call::new("guardduty", region, "ListDetectors");
            collection.errors.push(call.error(&error));
            return collection;
        }
    };
    let status = match detectors.first() {
        None => None,
        Some(id) => match client.get_detector().detector_id(id).send().await {
            Ok(output) => Some(
                output
                    .status()
                    .map_or(String::new(), |s| s.as_str().to_string()),
            ),
            Err(error) => {
                let call = Call::new("guardduty", region, "GetDetector").on(id);
                collection.errors.push(call.error(&error));
                return collection;
            }
        },
    };
    collection
        .inventory
        .detectors
        .insert(region.to_string(), status);
    collection
}
