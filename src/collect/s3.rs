//! S3: the bucket list (global), per-bucket configuration through a client of the bucket's own
//! region, and the account-level public access block through S3 Control.

use std::sync::Arc;

use futures::stream::{self, StreamExt};

use super::errors::{code_of, each_page};
use super::{tag_map, Call, Clients, Collection};
use crate::inventory::{
    partition, Bucket, BucketAcl, BucketEncryption, PublicAccessBlock, Tags, Versioning,
};
use crate::model::AuditError;
use crate::policy::PolicyDocument;
use crate::request::EnvironmentFilter;

/// A listed bucket, with its region when the listing gave it.
struct Listed {
    name: String,
    region: Option<String>,
}

pub(super) async fn buckets(
    clients: &Clients,
    account: &str,
    environment: Option<&EnvironmentFilter>,
    read_tags: bool,
    concurrency: usize,
) -> Collection {
    let home = clients.home_region().unwrap_or("us-east-1").to_string();
    let (account_block, listing) = futures::join!(
        account_public_access_block(clients, account, &home),
        list_buckets(clients, &home)
    );
    let mut collection = Collection::default();
    match account_block {
        Ok(block) => collection.inventory.account_public_access_block = Some(block),
        Err(error) => collection.errors.push(error),
    }
    let (listed, errors) = listing;
    collection.errors.extend(errors);

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
            )
        })
        .buffer_unordered(concurrency.max(1));
    while let Some((bucket, errors)) = per_bucket.next().await {
        collection.inventory.buckets.extend(bucket);
        collection.errors.extend(errors);
    }
    collection
}

async fn account_public_access_block(
    clients: &Clients,
    account: &str,
    region: &str,
) -> Result<PublicAccessBlock, AuditError> {
    let call = Call::new("s3control", region, "GetPublicAccessBlock");
    match clients
        .s3control()
        .get_public_access_block()
        .account_id(account)
        .send()
        .await
    {
        Ok(output) => Ok(output
            .public_access_block_configuration()
            .map(|c| {
                PublicAccessBlock::from_settings([
                    c.block_public_acls(),
                    c.ignore_public_acls(),
                    c.block_public_policy(),
                    c.restrict_public_buckets(),
                ])
            })
            .unwrap_or_default()),
        Err(error) if code_of(&error) == Some("NoSuchPublicAccessBlockConfiguration") => {
            Ok(PublicAccessBlock::default())
        }
        Err(error) => Err(call.error(&error)),
    }
}

async fn list_buckets(clients: &Clients, region: &str) -> (Vec<Listed>, Vec<AuditError>) {
    let call = Call::new("s3", region, "ListBuckets");
    let mut listed = Vec::new();
    let mut errors = Vec::new();
    // Asking for pages makes S3 include each bucket's region, saving a call per bucket.
    let pages = clients
        .s3(region)
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
    environment: Option<&EnvironmentFilter>,
    read_tags: bool,
    account_ignores_acls: bool,
) -> (Option<Bucket>, Vec<AuditError>) {
    let home = clients.home_region().unwrap_or("us-east-1").to_string();
    let name = listed.name.as_str();
    let mut errors = Vec::new();
    let region = match listed.region {
        Some(region) => region,
        None => {
            let call = Call::new("s3", &home, "GetBucketLocation").on(name);
            match clients
                .s3(&home)
                .get_bucket_location()
                .bucket(name)
                .send()
                .await
            {
                Ok(output) => region_of_location(output.location_constraint().map(|c| c.as_str())),
                Err(error) => {
                    errors.push(call.error(&error));
                    return (None, errors);
                }
            }
        }
    };
    let client = clients.s3(&region);
    let call = |operation| Call::new("s3", &region, operation).on(name);

    // Tags cost a call per bucket: read only for an environment filter (where they decide
    // whether the rest is worth reading) or for mutelist rules on tags.
    let tags = if environment.is_some() || read_tags {
        let tags = match client.get_bucket_tagging().bucket(name).send().await {
            Ok(output) => Some(tag_map(
                output.tag_set(),
                |t| Some(t.key()),
                |t| Some(t.value()),
            )),
            Err(error) if code_of(&error) == Some("NoSuchTagSet") => Some(Tags::new()),
            Err(error) => {
                errors.push(call("GetBucketTagging").error(&error));
                None
            }
        };
        if let Some(filter) = environment {
            if !tags.as_ref().is_some_and(|t| filter.matches(t)) {
                return (None, errors);
            }
        }
        tags
    } else {
        None
    };

    let (encryption, versioning, block, policy, logging) = futures::join!(
        client.get_bucket_encryption().bucket(name).send(),
        client.get_bucket_versioning().bucket(name).send(),
        client.get_public_access_block().bucket(name).send(),
        client.get_bucket_policy().bucket(name).send(),
        client.get_bucket_logging().bucket(name).send(),
    );
    // GetBucketPolicyStatus would answer "public or not" by AWS's own rules, but says nothing
    // of TLS, conditions or read versus write (and moto answers it empty): parse the policy.
    let policy = match policy {
        Ok(output) => match PolicyDocument::parse(output.policy().unwrap_or_default()) {
            Ok(document) => Some(Some(Arc::new(document))),
            Err(problem) => {
                errors.push(
                    call("ParseBucketPolicy")
                        .entry("MalformedPolicyDocument".into(), problem.to_string()),
                );
                None
            }
        },
        Err(error) if code_of(&error) == Some("NoSuchBucketPolicy") => Some(None),
        Err(error) => {
            errors.push(call("GetBucketPolicy").error(&error));
            None
        }
    };
    let logging = match logging {
        Ok(output) => Some(
            output
                .logging_enabled()
                .map(|l| l.target_bucket().to_string()),
        ),
        Err(error) => {
            errors.push(call("GetBucketLogging").error(&error));
            None
        }
    };
    let encryption = match encryption {
        Ok(output) => Some(BucketEncryption {
            algorithms: output
                .server_side_encryption_configuration()
                .map(|c| c.rules())
                .unwrap_or_default()
                .iter()
                .filter_map(|rule| rule.apply_server_side_encryption_by_default())
                .map(|default| default.sse_algorithm().as_str().to_string())
                .collect(),
        }),
        Err(error) if code_of(&error) == Some("ServerSideEncryptionConfigurationNotFoundError") => {
            Some(BucketEncryption::default())
        }
        Err(error) => {
            errors.push(call("GetBucketEncryption").error(&error));
            None
        }
    };
    let versioning = match versioning {
        Ok(output) => Some(match output.status().map(|s| s.as_str()) {
            Some("Enabled") => Versioning::Enabled,
            Some("Suspended") => Versioning::Suspended,
            _ => Versioning::NeverEnabled,
        }),
        Err(error) => {
            errors.push(call("GetBucketVersioning").error(&error));
            None
        }
    };
    let public_access_block = match block {
        Ok(output) => Some(
            output
                .public_access_block_configuration()
                .map(|c| {
                    PublicAccessBlock::from_settings([
                        c.block_public_acls(),
                        c.ignore_public_acls(),
                        c.block_public_policy(),
                        c.restrict_public_buckets(),
                    ])
                })
                .unwrap_or_default(),
        ),
        Err(error) if code_of(&error) == Some("NoSuchPublicAccessBlockConfiguration") => {
            Some(PublicAccessBlock::default())
        }
        Err(error) => {
            errors.push(call("GetPublicAccessBlock").error(&error));
            None
        }
    };
    // Public ACL grants matter only where IgnorePublicAcls is not in force; then the ACL is read.
    let acls_ignored =
        account_ignores_acls || public_access_block.is_some_and(|b| b.ignore_public_acls);
    let acl = if acls_ignored {
        Some(BucketAcl::Ignored)
    } else {
        match client.get_bucket_acl().bucket(name).send().await {
            Ok(output) => Some(BucketAcl::PublicGrants(
                output
                    .grants()
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
            )),
            Err(error) => {
                errors.push(call("GetBucketAcl").error(&error));
                None
            }
        }
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
