//! AWS Config, per region: the configuration recorders and their status.

use super::{ConfigRecorder, Inventory, RecordingScope};
use crate::aws::{regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_config);

/// The region's Config recorders and whether each is recording.
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_config::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
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
        .filter_map(|r| Some((r.name()?, r)))
        .map(|(name, recorder)| {
            let status = statuses.iter().find(|s| s.name() == Some(name));
            ConfigRecorder {
                name: name.to_string(),
                recording: status.is_some_and(|s| s.recording()),
                last_status: status
                    .and_then(|s| s.last_status())
                    .map_or(String::new(), |s| s.as_str().to_string()),
                scope: recorder.recording_group().map(scope).unwrap_or_default(),
                role_arn: recorder.role_arn().unwrap_or_default().to_string(),
            }
        })
        .collect();
    collection
        .inventory
        .recorders
        .insert(region.to_string(), found);
    collection
}

/// What a recording group records (Config API reference, `RecordingGroup`): the strategy says
/// which of its lists applies; without one, `allSupported` decides.
fn scope(group: &aws_sdk_config::types::RecordingGroup) -> RecordingScope {
    use aws_sdk_config::types::RecordingStrategyType;
    let names = |types: &[aws_sdk_config::types::ResourceType]| {
        types.iter().map(|t| t.as_str().to_string()).collect()
    };
    let strategy = group.recording_strategy().and_then(|s| s.use_only());
    match strategy {
        Some(RecordingStrategyType::ExclusionByResourceTypes) => RecordingScope::AllExcept(
            group
                .exclusion_by_resource_types()
                .map(|e| names(e.resource_types()))
                .unwrap_or_default(),
        ),
        Some(RecordingStrategyType::InclusionByResourceTypes) => {
            RecordingScope::Only(names(group.resource_types()))
        }
        _ if group.all_supported() => RecordingScope::AllSupported {
            global: group.include_global_resource_types(),
        },
        _ => RecordingScope::Only(names(group.resource_types())),
    }
}
