//! IAM: roles, users and groups with their policies from GetAccountAuthorizationDetails (a few
//! paginated calls for the whole account), plus one read per attached AWS-managed policy; the
//! account's settings and the credential report beside them ([`super::account`]).

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use aws_sdk_iam::types::{AttachedPolicy, EntityType, ManagedPolicyDetail, PolicyDetail};
use aws_sdk_iam::Client;
use futures::stream::{self, StreamExt};

use super::{CustomerPolicy, Inventory, PolicyAttachment, PolicySource, Principal, PrincipalKind};
use crate::aws::{each_page, tag_map, Call};
use crate::model::{AuditError, Tags};
use crate::policy::PolicyDocument;
use crate::services::{CollectContext, Collection};

const REGION: &str = "global";

/// The principals with their policies, the account's settings and the credential report,
/// read at once.
pub(crate) async fn collect(context: &CollectContext<'_>, _: &str) -> Collection<Inventory> {
    let client = context.clients.iam();
    let (mut principals, settings, credentials, certificates) = futures::join!(
        principals(client, context.concurrency.get()),
        super::account::account_settings(client, context.account_id),
        super::account::credential_report(client),
        super::account::server_certificates(client),
    );
    principals.merge(settings);
    principals.merge(credentials);
    principals.merge(certificates);
    principals
}

/// Documents by managed-policy ARN; `None` when unreadable (an error was recorded).
type ManagedDocuments = HashMap<String, Option<Arc<PolicyDocument>>>;

/// A principal's own policies: inline documents, and attached managed policies by (name, ARN).
/// A group's are also handed on to its members.
struct OwnPolicies {
    inline: Vec<(String, Option<Arc<PolicyDocument>>)>,
    attached: Vec<(String, String)>,
}

impl OwnPolicies {
    fn read(
        inline_policies: &[PolicyDetail],
        attached: &[AttachedPolicy],
        owner: &str,
        errors: &mut Vec<AuditError>,
    ) -> Self {
        OwnPolicies {
            inline: inline(inline_policies, owner, errors),
            attached: attached
                .iter()
                .filter_map(|p| Some((p.policy_name()?.to_string(), p.policy_arn()?.to_string())))
                .collect(),
        }
    }

    /// As they apply to a principal; managed documents come from `managed`.
    fn attachments<'a>(
        &'a self,
        managed: &'a ManagedDocuments,
        via_group: Option<&'a str>,
    ) -> impl Iterator<Item = PolicyAttachment> + 'a {
        let inline = self
            .inline
            .iter()
            .map(move |(name, document)| PolicyAttachment {
                name: name.clone(),
                source: PolicySource::Inline,
                via_group: via_group.map(str::to_string),
                document: document.clone(),
            });
        let attached = self
            .attached
            .iter()
            .map(move |(name, arn)| PolicyAttachment {
                name: name.clone(),
                source: PolicySource::Managed { arn: arn.clone() },
                via_group: via_group.map(str::to_string),
                document: managed.get(arn).cloned().flatten(),
            });
        inline.chain(attached)
    }
}

fn parse(
    raw: Option<&str>,
    policy: &str,
    errors: &mut Vec<AuditError>,
) -> Option<Arc<PolicyDocument>> {
    let call = Call::new("iam", REGION, "ParsePolicyDocument").on(policy);
    match raw.map(PolicyDocument::parse) {
        Some(Ok(document)) => Some(Arc::new(document)),
        Some(Err(error)) => {
            errors.push(call.entry("MalformedPolicyDocument".into(), error.to_string()));
            None
        }
        None => {
            errors.push(call.entry(
                "MissingPolicyDocument".into(),
                "IAM returned no document".into(),
            ));
            None
        }
    }
}

fn default_document(
    policy: &ManagedPolicyDetail,
    errors: &mut Vec<AuditError>,
) -> Option<Arc<PolicyDocument>> {
    let name = policy.arn().or(policy.policy_name()).unwrap_or_default();
    let default = policy
        .policy_version_list()
        .iter()
        .find(|v| v.is_default_version());
    parse(default.and_then(|v| v.document()), name, errors)
}

fn inline(
    policies: &[PolicyDetail],
    owner: &str,
    errors: &mut Vec<AuditError>,
) -> Vec<(String, Option<Arc<PolicyDocument>>)> {
    policies
        .iter()
        .map(|p| {
            let name = p.policy_name().unwrap_or_default().to_string();
            let document = parse(p.policy_document(), &format!("{owner}/{name}"), errors);
            (name, document)
        })
        .collect()
}

/// The raw listing, before users are joined with their groups.
#[derive(Default)]
struct Listing {
    roles: Vec<aws_sdk_iam::types::RoleDetail>,
    users: Vec<aws_sdk_iam::types::UserDetail>,
    groups: Vec<aws_sdk_iam::types::GroupDetail>,
    local_policies: Vec<ManagedPolicyDetail>,
}

async fn principals(client: &Client, concurrency: usize) -> Collection<Inventory> {
    let mut collection = Collection::<Inventory>::default();
    let errors = &mut collection.errors;
    let mut listing = Listing::default();
    // AWS-managed policies are left out of the listing: there are over a thousand, and only
    // the few attached ones matter. They are read one by one below.
    let pages = client
        .get_account_authorization_details()
        .set_filter(Some(vec![
            EntityType::Role,
            EntityType::User,
            EntityType::Group,
            EntityType::LocalManagedPolicy,
        ]))
        .max_items(1000)
        .into_paginator()
        .send();
    each_page(
        pages,
        &Call::new("iam", REGION, "GetAccountAuthorizationDetails"),
        errors,
        |page| {
            listing
                .roles
                .extend(page.role_detail_list.unwrap_or_default());
            listing
                .users
                .extend(page.user_detail_list.unwrap_or_default());
            listing
                .groups
                .extend(page.group_detail_list.unwrap_or_default());
            listing
                .local_policies
                .extend(page.policies.unwrap_or_default());
        },
    )
    .await;

    let attached: BTreeSet<&str> = listing
        .roles
        .iter()
        .flat_map(|r| r.attached_managed_policies())
        .chain(
            listing
                .users
                .iter()
                .flat_map(|u| u.attached_managed_policies()),
        )
        .chain(
            listing
                .groups
                .iter()
                .flat_map(|g| g.attached_managed_policies()),
        )
        .filter_map(|p| p.policy_arn())
        .chain(
            (listing
                .roles
                .iter()
                .filter_map(|r| r.permissions_boundary()))
            .chain(
                listing
                    .users
                    .iter()
                    .filter_map(|u| u.permissions_boundary()),
            )
            .filter_map(|b| b.permissions_boundary_arn()),
        )
        .collect();
    // Every customer managed policy is judged on its own (attached or not); principals get
    // the attached ones' documents.
    collection.inventory.customer_policies = listing
        .local_policies
        .iter()
        .map(|p| {
            let arn = p.arn().unwrap_or_default();
            // The name is the ARN's last segment (after the path); the emulator omits PolicyName.
            let name = p
                .policy_name()
                .unwrap_or_else(|| arn.rsplit('/').next().unwrap_or_default());
            CustomerPolicy {
                name: name.to_string(),
                arn: arn.to_string(),
                document: default_document(p, errors),
                attachments: p.attachment_count().unwrap_or_default(),
                boundary_uses: p.permissions_boundary_usage_count().unwrap_or_default(),
                other_versions: p
                    .policy_version_list()
                    .iter()
                    .filter(|v| !v.is_default_version())
                    .map(|v| {
                        let id = v.version_id().unwrap_or_default().to_string();
                        let document = parse(v.document(), &format!("{arn}/{id}"), errors);
                        (id, document)
                    })
                    .collect(),
            }
        })
        .collect();
    let mut managed: ManagedDocuments = collection
        .inventory
        .customer_policies
        .iter()
        .filter(|p| attached.contains(p.arn.as_str()))
        .map(|p| (p.arn.clone(), p.document.clone()))
        .collect();
    let to_fetch: Vec<String> = attached
        .iter()
        .filter(|arn| !managed.contains_key(**arn))
        .map(|arn| arn.to_string())
        .collect();
    let mut fetched = stream::iter(to_fetch)
        .map(|arn| async move {
            let result = fetch_managed_policy(client, &arn).await;
            (arn, result)
        })
        .buffer_unordered(concurrency);
    while let Some((arn, result)) = fetched.next().await {
        let document = match result {
            Ok(raw) => parse(Some(&raw), &arn, errors),
            Err(error) => {
                errors.push(error);
                None
            }
        };
        managed.insert(arn, document);
    }

    let mut groups: HashMap<String, OwnPolicies> = HashMap::new();
    for group in &listing.groups {
        let name = group.group_name().unwrap_or_default();
        let own = OwnPolicies::read(
            group.group_policy_list(),
            group.attached_managed_policies(),
            name,
            errors,
        );
        collection.inventory.principals.push(Principal {
            kind: PrincipalKind::Group,
            name: name.to_string(),
            arn: group.arn().unwrap_or_default().to_string(),
            tags: None,
            policies: own.attachments(&managed, None).collect(),
            ..Principal::default()
        });
        groups.insert(name.to_string(), own);
    }

    for role in &listing.roles {
        let name = role.role_name().unwrap_or_default();
        let own = OwnPolicies::read(
            role.role_policy_list(),
            role.attached_managed_policies(),
            name,
            errors,
        );
        collection.inventory.principals.push(Principal {
            kind: PrincipalKind::Role,
            name: name.to_string(),
            arn: role.arn().unwrap_or_default().to_string(),
            tags: Some(tags(role.tags())),
            policies: own.attachments(&managed, None).collect(),
            instance_profiles: role
                .instance_profile_list()
                .iter()
                .map(|p| p.arn().to_string())
                .collect(),
            trust: parse(
                role.assume_role_policy_document(),
                &format!("{name}/trust"),
                errors,
            ),
            boundary: boundary(role.permissions_boundary(), &managed),
            groups: Vec::new(),
        });
    }

    for user in &listing.users {
        let name = user.user_name().unwrap_or_default();
        let own = OwnPolicies::read(
            user.user_policy_list(),
            user.attached_managed_policies(),
            name,
            errors,
        );
        let mut policies: Vec<PolicyAttachment> = own.attachments(&managed, None).collect();
        for group_name in user.group_list() {
            match groups.get(group_name) {
                Some(group) => policies.extend(group.attachments(&managed, Some(group_name))),
                // The group was not in the listing (an error cut it short): its policies are
                // unknown, so the user cannot pass.
                None => policies.push(PolicyAttachment {
                    name: format!("policies of group {group_name}"),
                    source: PolicySource::Inline,
                    via_group: Some(group_name.clone()),
                    document: None,
                }),
            }
        }
        collection.inventory.principals.push(Principal {
            kind: PrincipalKind::User,
            name: name.to_string(),
            arn: user.arn().unwrap_or_default().to_string(),
            tags: Some(tags(user.tags())),
            policies,
            boundary: boundary(user.permissions_boundary(), &managed),
            groups: user.group_list().to_vec(),
            ..Principal::default()
        });
    }
    collection
}

/// A permissions boundary with its document (read with the attached policies).
fn boundary(
    boundary: Option<&aws_sdk_iam::types::AttachedPermissionsBoundary>,
    managed: &ManagedDocuments,
) -> Option<PolicyAttachment> {
    let arn = boundary?.permissions_boundary_arn()?;
    Some(PolicyAttachment {
        name: arn.rsplit('/').next().unwrap_or(arn).to_string(),
        source: PolicySource::Managed {
            arn: arn.to_string(),
        },
        via_group: None,
        document: managed.get(arn).cloned().flatten(),
    })
}

fn tags(tags: &[aws_sdk_iam::types::Tag]) -> Tags {
    tag_map(tags, |t| Some(t.key()), |t| Some(t.value()))
}

/// The default version's document of a managed policy outside the listing.
async fn fetch_managed_policy(client: &Client, arn: &str) -> Result<String, AuditError> {
    let policy = client
        .get_policy()
        .policy_arn(arn)
        .send()
        .await
        .map_err(|e| Call::new("iam", REGION, "GetPolicy").on(arn).error(&e))?;
    let call = Call::new("iam", REGION, "GetPolicyVersion").on(arn);
    let version = policy
        .policy()
        .and_then(|p| p.default_version_id())
        .ok_or_else(|| {
            call.entry(
                "MissingDefaultVersion".into(),
                "GetPolicy named no default version".into(),
            )
        })?
        .to_string();
    let output = client
        .get_policy_version()
        .policy_arn(arn)
        .version_id(version)
        .send()
        .await
        .map_err(|e| call.error(&e))?;
    output
        .policy_version()
        .and_then(|v| v.document())
        .map(str::to_string)
        .ok_or_else(|| {
            call.entry(
                "MissingPolicyDocument".into(),
                "IAM returned no document".into(),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_documents_become_error_entries_not_panics() {
        let mut errors = Vec::new();
        assert!(parse(Some("%7B%22Statement%22%3A%5B"), "role/broken", &mut errors).is_none());
        assert!(parse(None, "role/empty", &mut errors).is_none());
        let encoded = "%7B%22Statement%22%3A%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22%2A%22%2C%22Resource%22%3A%22%2A%22%7D%7D";
        let document = parse(Some(encoded), "role/admin", &mut errors).expect("decoded");
        assert!(document.statements[0].allows_full_admin());
        let codes: Vec<_> = errors
            .iter()
            .map(|e| (e.code.as_str(), e.resource_id.as_deref(), e.region.as_str()))
            .collect();
        assert_eq!(
            codes,
            [
                ("MalformedPolicyDocument", Some("role/broken"), "global"),
                ("MissingPolicyDocument", Some("role/empty"), "global"),
            ]
        );
    }
}
