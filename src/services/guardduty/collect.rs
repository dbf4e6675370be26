//! GuardDuty, per region: the detector, its status and its protection plans.

use super::{Detector, Feature, Inventory};
use crate::aws::{regional_client, Call};
use crate::model::AuditError;
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_guardduty);

/// The region's GuardDuty detector and its status (a region has at most one).
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_guardduty::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    if let Some(detector) = detector(&client, region, &mut collection.errors).await {
        let detectors = &mut collection.inventory.detectors;
        detectors.insert(region.to_string(), detector);
    }
    collection
}

/// `Some(None)`: the region has no detector. `None`: it could not be read (an error entry
/// says why), and the region gets no verdict.
async fn detector(
    client: &aws_sdk_guardduty::Client,
    region: &str,
    errors: &mut Vec<AuditError>,
) -> Option<Option<Detector>> {
    let listed = client.list_detectors().send().await;
    let detectors =
        Call::new("guardduty", region, "ListDetectors").read(listed, errors, |output| {
            output.detector_ids.unwrap_or_default()
        })?;
    let Some(id) = detectors.first() else {
        return Some(None);
    };
    let detector = client.get_detector().detector_id(id).send().await;
    Call::new("guardduty", region, "GetDetector")
        .on(id)
        .read(detector, errors, |output| {
            let enabled = |status: Option<&aws_sdk_guardduty::types::FeatureStatus>| {
                status.is_some_and(|s| s.as_str() == "ENABLED")
            };
            let features = output
                .features()
                .iter()
                .filter_map(|feature| {
                    let additional = feature
                        .additional_configuration()
                        .iter()
                        .filter_map(|c| Some((c.name()?.as_str().to_string(), enabled(c.status()))))
                        .collect();
                    let plan = Feature {
                        enabled: enabled(feature.status()),
                        additional,
                    };
                    Some((feature.name()?.as_str().to_string(), plan))
                })
                .collect();
            Detector {
                status: output
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                features,
            }
        })
        .map(Some)
}
