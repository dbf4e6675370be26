//! S3: the bucket list (global), per-bucket configuration through a client of the bucket's own
//! region, and the account-level public access block through S3 Control.

use futures::stream::{self, StreamExt};

use super::{
    AccessPoint, Bucket, BucketAcl, BucketEncryption, Inventory, MultiRegionAccessPoint,
    PublicAccessBlock, Versioning,
};
use crate::aws::{each_page, partition, tag_map, Call, Clients};
use crate::model::{AuditError, Tags};
use crate::services::resource_policy::parse_resource_policy;
use crate::services::{CollectContext, Collection, InEnvironment};

/// A listed bucket, with its region when the listing gave it.
struct Listed {
    name: String,
    region: Option<String>,
}

pub(crate) async fn collect(context: &CollectContext<'_>, _: &str) -> Collection<Inventory> {
    let clients = context.clients;
    let account = context.account_id;
    let environment = context.in_environment;
    let (read_tags, concurrency) = (context.read_tags, context.concurrency.get());
    let home = clients.home_region().unwrap_or("us-east-1").to_string();
    // A re-check (`only`) reads buckets; access points are no bucket event's.
    let points = async {
        match context.only {
            None => {
                let (mut points, global) = futures::join!(
                    access_points(context),
                    multi_region_access_points(context, &home)
                );
                points.merge(global);
                points
            }
            Some(_) => Collection::default(),
        }
    };
    let (account_block, listing, points) = futures::join!(
        account_public_access_block(clients, account, &home),
        list_buckets(clients, &home),
        points,
    );
    let mut collection = points;
    match account_block {
        Ok(block) => collection.inventory.account_public_access_block = Some(block),
        Err(error) => collection.errors.push(error),
    }
    let (mut listed, errors) = listing;
    collection.errors.extend(errors);
    // A re-check reads the buckets named (one listing tells a deleted bucket, and gives the
    // region) and the account's block, which every bucket's verdict depends on.
    if let Some(only) = context.only {
        listed.retain(|bucket| only.contains(&bucket.name));
    }

    let account_ignores_acls = collection
        .inventory
        .account_public_access_block
        .is_some_and(|b| b.ignore_public_acls);
    let mut per_bucket = stream::iter(listed)
        .map(|bucket| {
            inspect_bucket(
                clients,
                bucket,
                environment,
                read_tags,
                account_ignores_acls,
                context.only.is_some(),
            )
        })
        .buffer_unordered(concurrency);
    while let Some((bucket, errors)) = per_bucket.next().await {
        collection.inventory.buckets.extend(bucket);
        collection.errors.extend(errors);
    }
    collection
}

/// The four settings of a GetPublicAccessBlock answer; S3 (a bucket's) and S3 Control (the
/// account's) have distinct types with the same accessors. No configuration: all off.
macro_rules! public_access_block {
    ($output:expr) => {
        $output
            .public_access_block_configuration()
            .map(|c| {
                PublicAccessBlock::from_settings([
                    c.block_public_acls(),
                    c.ignore_public_acls(),
                    c.block_public_policy(),
                    c.restrict_public_buckets(),
                ])
            })
            .unwrap_or_default()
    };
}

/// The access points of every audited region: a listing per region, then GetAccessPoint for
/// each (the listing does not give its public access block). A region whose listing failed
/// has none (an error says so); an access point whose description failed has no block.
async fn access_points(context: &CollectContext<'_>) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let account = context.account_id;
    for region in context.regions {
        let client: aws_sdk_s3control::Client = context.clients.client(region);
        let mut listed = Vec::new();
        let pages = client
            .list_access_points()
            .account_id(account)
            .max_results(1000)
            .into_paginator()
            .send();
        let call = Call::new("s3control", region, "ListAccessPoints");
        let before = collection.errors.len();
        // An access point lives in its bucket's region: one whose ARN names another region is
        // listed there (the emulator lists every region's everywhere).
        each_page(pages, &call, &mut collection.errors, |page| {
            listed.extend(
                page.access_point_list
                    .unwrap_or_default()
                    .into_iter()
                    .filter(|point| {
                        point
                            .access_point_arn()
                            .and_then(|arn| arn.split(':').nth(3))
                            .is_none_or(|home| home == region)
                    }),
            )
        })
        .await;
        if collection.errors.len() > before {
            continue;
        }
        let client = &client;
        let mut described = stream::iter(listed)
            .map(|point| async move {
                let name = point.name().to_string();
                let answer = client
                    .get_access_point()
                    .account_id(account)
                    .name(&name)
                    .send()
                    .await;
                let mut errors = Vec::new();
                let block = Call::new("s3control", region, "GetAccessPoint")
                    .on(&name)
                    .read(answer, &mut errors, |o| public_access_block!(o));
                let found = AccessPoint {
                    arn: point.access_point_arn().unwrap_or_default().to_string(),
                    region: region.to_string(),
                    bucket: point.bucket().to_string(),
                    public_access_block: block,
                    name,
                };
                (found, errors)
            })
            .buffer_unordered(context.concurrency.get());
        while let Some((point, errors)) = described.next().await {
            collection.inventory.access_points.push(point);
            collection.errors.extend(errors);
        }
    }
    collection
}

/// Where AWS serves the Multi-Region Access Points' control plane: "This request must be
/// routed to the US West (Oregon) Region" (ListMultiRegionAccessPoints API reference).
const MULTI_REGION_CONTROL: &str = "us-west-2";

/// The account's Multi-Region Access Points: one paginated listing, which carries their block
/// public access settings. Only the `aws` partition has them.
async fn multi_region_access_points(
    context: &CollectContext<'_>,
    home: &str,
) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let partition = partition(home);
    if partition != "aws" {
        return collection;
    }
    let account = context.account_id;
    let client: aws_sdk_s3control::Client = context.clients.client(MULTI_REGION_CONTROL);
    // MaxResults: at most 100 (API reference).
    let pages = client
        .list_multi_region_access_points()
        .account_id(account)
        .max_results(100)
        .into_paginator()
        .send();
    let call = Call::new(
        "s3control",
        MULTI_REGION_CONTROL,
        "ListMultiRegionAccessPoints",
    );
    let points = &mut collection.inventory.multi_region_access_points;
    each_page(pages, &call, &mut collection.errors, |page| {
        points.extend(page.access_points().iter().filter_map(|p| {
            let alias = p.alias().unwrap_or_default();
            Some(MultiRegionAccessPoint {
                name: p.name()?.to_string(),
                arn: format!("arn:{partition}:s3::{account}:accesspoint/{alias}"),
                public_access_block: p.public_access_block().map(|c| {
                    PublicAccessBlock::from_settings([
                        c.block_public_acls(),
                        c.ignore_public_acls(),
                        c.block_public_policy(),
                        c.restrict_public_buckets(),
                    ])
                }),
            })
        }));
    })
    .await;
    collection
}

async fn account_public_access_block(
    clients: &Clients,
    account: &str,
    region: &str,
) -> Result<PublicAccessBlock, AuditError> {
    let call = Call::new("s3control", region, "GetPublicAccessBlock");
    let answer = clients
        .s3control()
        .get_public_access_block()
        .account_id(account)
        .send()
        .await;
    let mut errors = Vec::new();
    let block = call.read_or(
        answer,
        &[NO_BLOCK],
        PublicAccessBlock::default,
        &mut errors,
        |o| public_access_block!(o),
    );
    block.ok_or_else(|| errors.remove(0))
}

/// The "not configured" answer of both public access block reads (bucket and account).
const NO_BLOCK: &str = "NoSuchPublicAccessBlockConfiguration";

async fn list_buckets(clients: &Clients, region: &str) -> (Vec<Listed>, Vec<AuditError>) {
    let call = Call::new("s3", region, "ListBuckets");
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    // Asking for pages makes S3 include each bucket's region, saving a call per bucket.
    let pages = clients
        .client::<aws_sdk_s3::Client>(region)
        .list_buckets()
        .max_buckets(10_000)
        .into_paginator()
        .send();
    each_page(pages, &call, &mut errors, |page| {
        listed.extend(page.buckets().iter().filter_map(|b| {
            Some(Listed {
                name: b.name()?.to_string(),
                region: b
                    .bucket_region()
                    .filter(|r| !r.is_empty())
                    .map(str::to_string),
            })
        }));
    })
    .await;
    (listed, errors)
}

/// Maps a location constraint to a region: none/empty is us-east-1, `EU` is eu-west-1.
fn region_of_location(constraint: Option<&str>) -> String {
    match constraint.map(str::trim) {
        None | Some("") | Some("US") => "us-east-1".to_string(),
        Some("EU") => "eu-west-1".to_string(),
        Some(region) => region.to_string(),
    }
}

async fn inspect_bucket(
    clients: &Clients,
    listed: Listed,
    environment: Option<InEnvironment<'_>>,
    read_tags: bool,
    account_ignores_acls: bool,
    acl_at_once: bool,
) -> (Option<Bucket>, Vec<AuditError>) {
    let home = clients.home_region().unwrap_or("us-east-1").to_string();
    let name = listed.name.as_str();
    let mut errors = Vec::new();
    let region = match listed.region {
        Some(region) => region,
        None => {
            let call = Call::new("s3", &home, "GetBucketLocation").on(name);
            let answer = clients
                .client::<aws_sdk_s3::Client>(&home)
                .get_bucket_location()
                .bucket(name)
                .send()
                .await;
            let location = call.read(answer, &mut errors, |o| {
                region_of_location(o.location_constraint().map(|c| c.as_str()))
            });
            match location {
                Some(region) => region,
                None => return (None, errors),
            }
        }
    };
    let client: aws_sdk_s3::Client = clients.client(&region);
    let call = |operation| Call::new("s3", &region, operation).on(name);

    // Tags cost a call per bucket: read only for an environment filter (where they decide
    // whether the rest is worth reading) or for mutelist rules on tags.
    let tags = if environment.is_some() || read_tags {
        let answer = client.get_bucket_tagging().bucket(name).send().await;
        let tags = call("GetBucketTagging").read_or(
            answer,
            &["NoSuchTagSet"],
            Tags::new,
            &mut errors,
            |o| tag_map(o.tag_set(), |t| Some(t.key()), |t| Some(t.value())),
        );
        if let Some(in_environment) = environment {
            if !tags.as_ref().is_some_and(in_environment) {
                return (None, errors);
            }
        }
        tags
    } else {
        None
    };

    // A re-check reads the ACL beside the rest, even where a block makes it moot: one call
    // more, one round trip less before the alert.
    let (encryption, versioning, block, policy, logging, early_acl) = futures::join!(
        client.get_bucket_encryption().bucket(name).send(),
        client.get_bucket_versioning().bucket(name).send(),
        client.get_public_access_block().bucket(name).send(),
        client.get_bucket_policy().bucket(name).send(),
        client.get_bucket_logging().bucket(name).send(),
        async {
            match acl_at_once {
                true => Some(client.get_bucket_acl().bucket(name).send().await),
                false => None,
            }
        },
    );
    // GetBucketPolicyStatus would answer "public or not" by AWS's own rules, but says nothing
    // of TLS, conditions or read versus write (and moto answers it empty): parse the policy.
    let policy = call("GetBucketPolicy")
        .read_or(
            policy,
            &["NoSuchBucketPolicy"],
            || None,
            &mut errors,
            |o| Some(o.policy().unwrap_or_default().to_string()),
        )
        .and_then(|text| parse_resource_policy(text, call("ParseBucketPolicy"), &mut errors));
    let logging = call("GetBucketLogging").read(logging, &mut errors, |o| {
        o.logging_enabled().map(|l| l.target_bucket().to_string())
    });
    // AWS applies SSE-S3 to every new bucket since 2023, but an older bucket (or an emulator)
    // may still answer "not configured": that is no default encryption.
    let encryption = call("GetBucketEncryption").read_or(
        encryption,
        &["ServerSideEncryptionConfigurationNotFoundError"],
        BucketEncryption::default,
        &mut errors,
        |o| BucketEncryption {
            algorithms: o
                .server_side_encryption_configuration()
                .map(|c| c.rules())
                .unwrap_or_default()
                .iter()
                .filter_map(|rule| rule.apply_server_side_encryption_by_default())
                .map(|default| default.sse_algorithm().as_str().to_string())
                .collect(),
        },
    );
    let versioning = call("GetBucketVersioning").read(versioning, &mut errors, |o| {
        match o.status().map(|s| s.as_str()) {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => Versioning::NeverEnabled,
        }
    });
    let public_access_block = call("GetPublicAccessBlock").read_or(
        block,
        &[NO_BLOCK],
        PublicAccessBlock::default,
        &mut errors,
        |o| public_access_block!(o),
    );
    // Public ACL grants matter only where IgnorePublicAcls is not in force; then the ACL is read.
    let acls_ignored =
        account_ignores_acls || public_access_block.is_some_and(|b| b.ignore_public_acls);
    let acl = if acls_ignored {
        Some(BucketAcl::Ignored)
    } else {
        let answer = match early_acl {
            Some(answer) => answer,
            None => client.get_bucket_acl().bucket(name).send().await,
        };
        call("GetBucketAcl").read(answer, &mut errors, |o| {
            BucketAcl::PublicGrants(
                o.grants()
                    .iter()
                    .filter_map(|grant| {
                        let uri = grant.grantee()?.uri()?;
                        let group = match uri.rsplit('/').next()? {
                            group @ ("AllUsers" | "AuthenticatedUsers") => group,
                            _ => return None,
                        };
                        let permission = grant.permission().map_or("?", |p| p.as_str());
                        Some(format!("{group} {permission}"))
                    })
                    .collect(),
            )
        })
    };
    let bucket = Bucket {
        name: name.to_string(),
        arn: format!("arn:{}:s3:::{name}", partition(&region)),
        region,
        encryption,
        versioning,
        public_access_block,
        policy,
        acl,
        logging,
        tags,
    };
    (Some(bucket), errors)
}

/// The bucket an event touched: CloudTrail's `bucketName` request parameter (every bucket
/// operation has it; the account-level block has none, so its change re-reads all of S3).
pub(crate) fn touched(event: &crate::services::change_events::ApiEvent) -> Vec<String> {
    event
        .parameter(&["bucketName"])
        .map(|name| vec![name.to_string()])
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::region_of_location;

    #[test]
    fn location_constraints_map_to_regions() {
        assert_eq!(region_of_location(None), "us-east-1");
        assert_eq!(region_of_location(Some("")), "us-east-1");
        assert_eq!(region_of_location(Some("EU")), "eu-west-1");
        assert_eq!(region_of_location(Some("eu-central-1")), "eu-central-1");
    }
}
