//! CloudTrail, per region: the trails it lists, shadow trails included, each with status and
//! event selectors read once, in the trail's home region.

use super::{Inventory, Trail};
use crate::aws::{regional_client, Call};
use crate::services::{CollectContext, Collection};

regional_client!(aws_sdk_cloudtrail);

/// The trails `region` lists, with whether each is logging and what its selectors record.
///
/// Shadow trails are included: without them a member account does not see its organization
/// trail, nor any account a multi-region trail homed in a region outside the audit
/// (DescribeTrails, `includeShadowTrails`). Each trail is judged once: by the collector of its
/// home region when that region is audited, otherwise by the first audited region's, which
/// reads its status through the home region (a shadow trail's status needs its ARN there).
pub(crate) async fn collect(context: &CollectContext<'_>, region: &str) -> Collection<Inventory> {
    let client: aws_sdk_cloudtrail::Client = context.clients.client(region);
    let mut collection = Collection::<Inventory>::default();
    let call = Call::new("cloudtrail", region, "DescribeTrails");
    let listed = match client
        .describe_trails()
        .include_shadow_trails(true)
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
    let first_audited = context.regions.iter().min().map(String::as_str);
    for trail in listed {
        let (Some(name), Some(arn)) = (trail.name(), trail.trail_arn()) else {
            continue;
        };
        let home = trail.home_region().unwrap_or(region);
        let judged_here = home == region
            || (!context.regions.iter().any(|r| r == home) && first_audited == Some(region));
        if !judged_here {
            continue;
        }
        let client: aws_sdk_cloudtrail::Client = context.clients.client(home);
        let (status, selectors) = futures::join!(
            client.get_trail_status().name(arn).send(),
            client.get_event_selectors().trail_name(arn).send(),
        );
        let logging = match status {
            Ok(output) => output.is_logging(),
            Err(error) => {
                let call = Call::new("cloudtrail", home, "GetTrailStatus").on(name);
                collection.errors.push(call.error(&error));
                None
            }
        };
        let all_management_events = match selectors {
            Ok(output) => Some(records_all_management_events(&output)),
            Err(error) => {
                let call = Call::new("cloudtrail", home, "GetEventSelectors").on(name);
                collection.errors.push(call.error(&error));
                None
            }
        };
        collection.inventory.trails.push(Trail {
            name: name.to_string(),
            arn: arn.to_string(),
            region: home.to_string(),
            multi_region: trail.is_multi_region_trail().unwrap_or(false),
            organization: trail.is_organization_trail().unwrap_or(false),
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
