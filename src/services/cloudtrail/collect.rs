//! CloudTrail, per region: the trails it lists, shadow trails included, each with status and
//! event selectors read once, in the trail's home region.

use super::{Inventory, S3ObjectEvents, Trail};
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
        let (all_management_events, s3_object_events) = match selectors {
            Ok(output) => (
                Some(records_all_management_events(&output)),
                Some(s3_object_events(&output)),
            ),
            Err(error) => {
                let call = Call::new("cloudtrail", home, "GetEventSelectors").on(name);
                collection.errors.push(call.error(&error));
                (None, None)
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
            s3_bucket: trail.s3_bucket_name().map(str::to_string),
            logging,
            all_management_events,
            s3_object_events,
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

/// Which object-level data events of all S3 buckets the selectors record (CloudTrail User
/// Guide, "Logging data events"): a basic selector's `AWS::S3::Object` data resource with the
/// prefix `arn:<partition>:s3` (or `…:s3:::`), read, write or both by its `ReadWriteType`; or an
/// advanced selector of `eventCategory` `Data` and `resources.type` `AWS::S3::Object`, read or
/// write by `readOnly`, with no other field narrowing it (a bucket's ARN, an event name).
fn s3_object_events(
    output: &aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput,
) -> S3ObjectEvents {
    use aws_sdk_cloudtrail::types::ReadWriteType;
    let every_bucket = |value: &str| {
        let value = value.trim_end_matches(":::");
        value.starts_with("arn:") && value.ends_with(":s3") && value.matches(':').count() == 2
    };
    let mut events = S3ObjectEvents::default();
    for selector in output.event_selectors() {
        let all_objects = selector.data_resources().iter().any(|resource| {
            resource.r#type() == Some("AWS::S3::Object")
                && resource.values().iter().any(|v| every_bucket(v))
        });
        if all_objects {
            let kind = selector.read_write_type().unwrap_or(&ReadWriteType::All);
            events.read |= matches!(kind, ReadWriteType::All | ReadWriteType::ReadOnly);
            events.write |= matches!(kind, ReadWriteType::All | ReadWriteType::WriteOnly);
        }
    }
    for selector in output.advanced_event_selectors() {
        let fields = selector.field_selectors();
        let equals = |field: &str, value: &str| {
            fields
                .iter()
                .any(|f| f.field() == field && f.equals().iter().any(|v| v == value))
        };
        if !equals("eventCategory", "Data") || !equals("resources.type", "AWS::S3::Object") {
            continue;
        }
        let narrowed = fields.iter().any(|f| match f.field() {
            "eventCategory" | "resources.type" => false,
            "readOnly" => f.equals().len() != 1,
            "resources.ARN" => {
                !f.starts_with().iter().all(|v| every_bucket(v)) || f.starts_with().is_empty()
            }
            _ => true,
        });
        if narrowed {
            continue;
        }
        let read_only = fields.iter().find(|f| f.field() == "readOnly");
        let only = read_only
            .and_then(|f| f.equals().first())
            .map(String::as_str);
        events.read |= only != Some("false");
        events.write |= only != Some("true");
    }
    events
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_cloudtrail::operation::get_event_selectors::GetEventSelectorsOutput;
    use aws_sdk_cloudtrail::types::{
        AdvancedEventSelector, AdvancedFieldSelector, DataResource, EventSelector, ReadWriteType,
    };

    fn field(name: &str, equals: &[&str], starts_with: &[&str]) -> AdvancedFieldSelector {
        let mut field = AdvancedFieldSelector::builder().field(name);
        for value in equals {
            field = field.equals(*value);
        }
        for value in starts_with {
            field = field.starts_with(*value);
        }
        field.build().unwrap()
    }

    fn advanced(fields: Vec<AdvancedFieldSelector>) -> S3ObjectEvents {
        let selector = AdvancedEventSelector::builder()
            .set_field_selectors(Some(fields))
            .build()
            .unwrap();
        s3_object_events(
            &GetEventSelectorsOutput::builder()
                .advanced_event_selectors(selector)
                .build(),
        )
    }

    #[test]
    fn s3_object_events_of_every_bucket_from_basic_and_advanced_selectors() {
        let basic = |kind: ReadWriteType, value: &str| {
            let selector = EventSelector::builder()
                .read_write_type(kind)
                .data_resources(
                    DataResource::builder()
                        .r#type("AWS::S3::Object")
                        .values(value)
                        .build(),
                )
                .build();
            s3_object_events(
                &GetEventSelectorsOutput::builder()
                    .event_selectors(selector)
                    .build(),
            )
        };
        let both = S3ObjectEvents {
            read: true,
            write: true,
        };
        let write = S3ObjectEvents {
            read: false,
            write: true,
        };
        assert_eq!(basic(ReadWriteType::All, "arn:aws:s3"), both);
        assert_eq!(basic(ReadWriteType::WriteOnly, "arn:aws:s3:::"), write);
        // One bucket is not every bucket.
        assert_eq!(
            basic(ReadWriteType::All, "arn:aws:s3:::logs/"),
            S3ObjectEvents::default()
        );
        let data = || field("eventCategory", &["Data"], &[]);
        let objects = || field("resources.type", &["AWS::S3::Object"], &[]);
        assert_eq!(advanced(vec![data(), objects()]), both);
        assert_eq!(
            advanced(vec![data(), objects(), field("readOnly", &["false"], &[])]),
            write
        );
        assert_eq!(
            advanced(vec![
                data(),
                objects(),
                field("resources.ARN", &[], &["arn:aws:s3:::"])
            ]),
            both
        );
        for narrowing in [
            field("resources.ARN", &[], &["arn:aws:s3:::logs/"]),
            field("eventName", &["PutObject"], &[]),
        ] {
            assert_eq!(
                advanced(vec![data(), objects(), narrowing]),
                S3ObjectEvents::default()
            );
        }
    }
}
