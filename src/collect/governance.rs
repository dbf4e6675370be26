//! Account guardrails, per region: CloudTrail trails (with status and event selectors), KMS
//! customer keys (with rotation status), the GuardDuty detector, Config recorders.

use futures::stream::{self, StreamExt};

use super::errors::each_page;
use super::{Call, Collection};
use crate::inventory::{ConfigRecorder, KmsKey, Trail};

/// Trails homed in `region`, with whether each is logging and what its selectors record.
pub(super) async fn trails(client: aws_sdk_cloudtrail::Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let call = Call::new("cloudtrail", region, "DescribeTrails");
    let listed = match client
        .describe_trails()
        .include_shadow_trails(false)
        .send()
        .await
    {
        Ok(output) => output.trail_list.unwrap_or_default(),
        Err(error) => {
            collection.errors.push(call.error(&error));
            return collection;
        }
    };
    collection.inventory.trail_regions.push(region.to_string());
    for trail in listed {
        let (Some(name), Some(arn)) = (trail.name(), trail.trail_arn()) else {
            continue;
        };
        let (status, selectors) = futures::join!(
            client.get_trail_status().name(arn).send(),
            client.get_event_selectors().trail_name(arn).send(),
        );
        let logging = match status {
            Ok(output) => output.is_logging(),
            Err(error) => {
                let call = Call::new("cloudtrail", region, "GetTrailStatus").on(name);
                collection.errors.push(call.error(&error));
                None
            }
        };
        let all_management_events = match selectors {
            Ok(output) => Some(records_all_management_events(&output)),
            Err(error) => {
                let call = Call::new("cloudtrail", region, "GetEventSelectors").on(name);
                collection.errors.push(call.error(&error));
                None
            }
        };
        collection.inventory.trails.push(Trail {
            name: name.to_string(),
            arn: arn.to_string(),
            region: trail.home_region().unwrap_or(region).to_string(),
            multi_region: trail.is_multi_region_trail().unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
            kms_key_id: trail.kms_key_id().map(str::to_string),
            logging,
            all_management_events,
        });
    }
    collection
}

/// Whether basic or advanced selectors record every read and write management event, with no
/// event source excluded.
fn records_all_management_events(
    output: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> bool {
    use aws_sdk_cloudtrail::types::ReadWriteType;
    let basic = output.event_selectors().iter().any(|selector| {
        selector.include_management_events().unwrap_or(true)
            && selector.read_write_type() == Some(&ReadWriteType::All)
            && selector.exclude_management_event_sources().is_empty()
    });
    let advanced = output.advanced_event_selectors().iter().any(|selector| {
        let fields = selector.field_selectors();
        let management = fields
            .iter()
            .any(|f| f.field() == "eventCategory" && f.equals().iter().any(|v| v == "Management"));
        // Any condition on readOnly or eventSource narrows what is recorded.
        let narrowed = fields
            .iter()
            .any(|f| matches!(f.field(), "readOnly" | "eventSource"));
        management && !narrowed
    });
    basic || advanced
}

/// Customer-managed symmetric keys of origin AWS_KMS that are enabled, with their rotation
/// status: a listing, then a description per key and a rotation read per eligible key,
/// `concurrency` at a time.
pub(super) async fn kms_keys(
    client: aws_sdk_kms::Client,
    region: &str,
    concurrency: usize,
) -> Collection {
    let mut collection = Collection::default();
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
        .buffer_unordered(concurrency.max(1));
    while let Some((key, error)) = reads.next().await {
        collection.inventory.kms_keys.extend(key);
        collection.errors.extend(error);
    }
    collection
}

/// The region's GuardDuty detector and its status (a region has at most one).
pub(super) async fn guardduty(client: aws_sdk_guardduty::Client, region: &str) -> Collection {
    let mut collection = Collection::default();
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
        .guardduty
        .insert(region.to_string(), status);
    collection
}

/// The region's Config recorders and whether each is recording.
pub(super) async fn config_recorders(client: aws_sdk_config::Client, region: &str) -> Collection {
    let mut collection = Collection::default();
    let (recorders, statuses) = futures::join!(
        client.describe_configuration_recorders().send(),
        client.describe_configuration_recorder_status().send(),
    );
    let recorders = match recorders {
        Ok(output) => output.configuration_recorders.unwrap_or_default(),
        Err(error) => {
            let call = Call::new("config", region, "DescribeConfigurationRecorders");
            collection.errors.push(call.error(&error));
            return collection;
        }
    };
    let statuses = match statuses {
        Ok(output) => output.configuration_recorders_status.unwrap_or_default(),
        Err(error) => {
            let call = Call::new("config", region, "DescribeConfigurationRecorderStatus");
            collection.errors.push(call.error(&error));
            return collection;
        }
    };
    let found = recorders
        .iter()
        .filter_map(|r| r.name())
        .map(|name| {
            let status = statuses.iter().find(|s| s.name() == Some(name));
            ConfigRecorder {
                name: name.to_string(),
                recording: status.is_some_and(|s| s.recording()),
                last_status: status
                    .and_then(|s| s.last_status())
                    .map_or(String::new(), |s| s.as_str().to_string()),
            }
        })
        .collect();
    collection
        .inventory
        .config_recorders
        .insert(region.to_string(), found);
    collection
}
