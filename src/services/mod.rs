//! Every audited AWS service, one folder each: its inventory types (`mod.rs`), its collector
//! (`collect.rs`, the only code of the service that calls AWS) and its checks (`checks.rs`,
//! pure functions with their unit cases). The [`services!`] list below registers them: the
//! [`Service`] enum, the combined [`Inventory`], the check registry and the collectors' dispatch
//! all derive from it.

use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::num::NonZeroUsize;

use futures::future::BoxFuture;
use futures::stream::{self, StreamExt};
use futures::FutureExt;
use serde::{Deserialize, Serialize};

pub mod change_events;
pub mod checks;
pub(crate) mod resource_policy;

// The service folders, declared here in plain sight (rustfmt formats only modules it can see;
// inside `services!` it would skip them) and registered in the list at the end of the file.
pub mod accessanalyzer;
pub mod acm;
pub mod appsync;
pub mod autoscaling;
pub mod cloudfront;
pub mod cloudtrail;
pub mod codebuild;
pub mod config;
pub mod dms;
pub mod ec2;
pub mod ecr;
pub mod ecs;
pub mod efs;
pub mod eks;
pub mod elasticache;
pub mod elasticbeanstalk;
pub mod emr;
pub mod guardduty;
pub mod iam;
pub mod inspector;
pub mod kms;
pub mod lambda;
pub mod macie;
pub mod msk;
pub mod opensearch;
pub mod rds;
pub mod redshift;
pub mod redshiftserverless;
pub mod s3;
pub mod sagemaker;
pub mod securityhub;
pub mod sg;
pub mod sns;
pub mod sqs;
pub mod ssm;
pub mod vpc;

use crate::aws::Clients;
use crate::model::{resource_key, AuditError, Tags};
use checks::Check;

/// What a service declares about itself, beside its name (its folder's name).
#[derive(Debug)]
pub struct ServiceSpec {
    /// Collected per audited region; `false`: once per account (IAM, the S3 bucket list).
    pub regional: bool,
    /// The AWS APIs (SDK service names in error entries) its collector calls: a failure that
    /// is no API call (a deadline cut) names the service or one of them, and hides its
    /// findings in the region; an API call's failure hides only the checks reading it
    /// ([`Check::reads`]).
    pub apis: &'static [&'static str],
    /// The IAM actions its collector needs (documented, and named in `secaudit checks`).
    pub permissions: &'static [&'static str],
    pub checks: &'static [&'static Check],
    /// The resources of this service an event touched (ids its collector can read alone,
    /// through [`CollectContext::only`]); `None`, or no id: the event is re-checked by reading
    /// the whole service in its region.
    pub touched: Option<fn(&change_events::ApiEvent) -> Vec<String>>,
    /// A verdict depends on every audited region's data (Config's recording of global
    /// resources, CloudTrail's multi-region trail): an event re-reads it in all of them.
    pub spans_regions: bool,
}

/// Whether a resource with these tags is in the audited environment (`--environment`).
pub type InEnvironment<'a> = &'a (dyn Fn(&Tags) -> bool + Sync);

/// What a service collector reads with: the clients, the audited account, and what of the
/// request collectors need.
pub struct CollectContext<'a> {
    pub clients: &'a Clients,
    pub account_id: &'a str,
    /// Every audited region (a regional collector may need to know what the others cover).
    pub regions: &'a [String],
    /// `Some` under an environment filter: a collector may skip reading what is outside it.
    pub in_environment: Option<InEnvironment<'a>>,
    /// Keep every resource's tags (mutelist rules on tags), even where they cost a call.
    pub read_tags: bool,
    /// Upper bound on concurrent per-resource calls (the request's, checked once).
    pub concurrency: NonZeroUsize,
    /// A re-check's scope: only these resources (ids the service's `touched` named) are read,
    /// beside the account-level settings their verdicts depend on. `None`: everything.
    pub only: Option<&'a BTreeSet<String>>,
}

impl CollectContext<'_> {
    /// Whether tags that cost a call per resource are worth reading: for an environment
    /// filter (they decide whether the rest is read) or for mutelist rules on tags.
    pub fn reads_tags(&self) -> bool {
        self.in_environment.is_some() || self.read_tags
    }

    /// Whether the environment filter leaves out a resource with these tags (`None`: unread,
    /// which cannot show it belongs to the environment).
    pub fn outside_environment(&self, tags: Option<&Tags>) -> bool {
        self.in_environment
            .is_some_and(|in_environment| !tags.is_some_and(in_environment))
    }

    /// The second half of a collector that lists, then reads each resource: `read` reads one
    /// (its tags first where [`reads_tags`](Self::reads_tags), then its settings) and gives it
    /// back, or `None` when [`outside_environment`](Self::outside_environment) leaves it out;
    /// `concurrency` reads run at once. The resources kept, and every read's errors.
    pub(crate) async fn read_each<T, F, R>(
        &self,
        listed: Vec<T>,
        read: F,
    ) -> (Vec<T>, Vec<AuditError>)
    where
        F: FnMut(T) -> R,
        R: Future<Output = (Option<T>, Vec<AuditError>)>,
    {
        let (mut kept, mut errors) = (Vec::with_capacity(listed.len()), Vec::new());
        let mut reads = stream::iter(listed)
            .map(read)
            .buffer_unordered(self.concurrency.get());
        while let Some((item, item_errors)) = reads.next().await {
            kept.extend(item);
            errors.extend(item_errors);
        }
        (kept, errors)
    }
}

/// What a collector brings back: its inventory and the errors met on the way.
#[derive(Debug, Default)]
pub struct Collection<I = Inventory> {
    pub inventory: I,
    pub errors: Vec<AuditError>,
}

/// A service's share of the inventory.
pub trait ServiceInventory: Default {
    /// Adds another fragment of the same service (another region, another listing).
    fn merge(&mut self, other: Self);

    /// Keeps only resources whose tags are in the environment. Resources whose tags are
    /// unknown or that cannot carry tags are left out: they cannot be shown to belong to the
    /// environment. Account settings belong to no environment.
    fn retain_environment(&mut self, in_environment: InEnvironment);

    /// Calls `found(region, resource type, resource id, tags)` for every resource whose tags
    /// were read.
    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags));
}

/// Registers every service (each folder declared above): `Variant => folder`, in report order. The folder's name is the
/// service's name in check ids, `--services` and reports.
macro_rules! services {
    ($($variant:ident => $module:ident),+ $(,)?) => {
        /// An audited service.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum Service {
            $($variant),+
        }

        impl Service {
            pub const ALL: [Service; [$(stringify!($module)),+].len()] = [$(Service::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Service::$variant => stringify!($module)),+
                }
            }

            pub fn spec(self) -> &'static ServiceSpec {
                match self {
                    $(Service::$variant => &$module::SERVICE),+
                }
            }

            /// Collects this service in `region` (`global` for an account-wide service).
            pub(crate) fn collect<'a>(
                self,
                context: &'a CollectContext<'a>,
                region: &'a str,
            ) -> BoxFuture<'a, Collection> {
                match self {
                    $(Service::$variant => async move {
                        let found = $module::collect(context, region).await;
                        Collection {
                            inventory: found.inventory.into(),
                            errors: found.errors,
                        }
                    }
                    .boxed()),+
                }
            }
        }

        /// Everything one audit collected: each service's own inventory.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Inventory {
            $(pub $module: $module::Inventory,)+
            /// The services this run read; `None`: not recorded (an inventory built by hand).
            pub collected: Option<std::collections::BTreeSet<Service>>,
        }

        impl ServiceInventory for Inventory {
            fn merge(&mut self, other: Inventory) {
                $(self.$module.merge(other.$module);)+
                if let Some(services) = other.collected {
                    self.collected.get_or_insert_default().extend(services);
                }
            }

            fn retain_environment(&mut self, in_environment: InEnvironment) {
                $(self.$module.retain_environment(in_environment);)+
            }

            fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
                $(self.$module.each_tagged(found);)+
            }
        }

        $(impl From<$module::Inventory> for Inventory {
            /// An inventory of this one service (unit tests build them by hand).
            fn from(inventory: $module::Inventory) -> Self {
                Inventory { $module: inventory, ..Inventory::default() }
            }
        })+

        /// Every service's unit cases.
        #[cfg(test)]
        pub(crate) fn all_cases() -> Vec<crate::services::checks::test_support::Case> {
            [$($module::cases()),+].into_iter().flatten().collect()
        }
    };
}

services! {
    Ec2 => ec2,
    Rds => rds,
    S3 => s3,
    Iam => iam,
    Sg => sg,
    Vpc => vpc,
    Cloudtrail => cloudtrail,
    Kms => kms,
    Guardduty => guardduty,
    Config => config,
    Lambda => lambda,
    Eks => eks,
    Ecs => ecs,
    Ecr => ecr,
    Sns => sns,
    Sqs => sqs,
    Opensearch => opensearch,
    Redshift => redshift,
    Redshiftserverless => redshiftserverless,
    Elasticache => elasticache,
    Cloudfront => cloudfront,
    Acm => acm,
    Ssm => ssm,
    Codebuild => codebuild,
    Dms => dms,
    Emr => emr,
    Msk => msk,
    Autoscaling => autoscaling,
    Inspector => inspector,
    Sagemaker => sagemaker,
    Appsync => appsync,
    Elasticbeanstalk => elasticbeanstalk,
    Macie => macie,
    Efs => efs,
    Accessanalyzer => accessanalyzer,
    Securityhub => securityhub,
}

impl Service {
    /// IAM and the S3 bucket list are account-wide; the others are collected per region.
    pub fn is_regional(self) -> bool {
        self.spec().regional
    }

    /// `ec2, rds, ...`: the names, for help texts and error messages.
    pub fn names() -> String {
        Service::ALL.map(Service::as_str).join(", ")
    }
}

impl std::fmt::Display for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A service name that is not registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service '{0}' (expected one of: {names})", names = Service::names())]
pub struct UnknownService(pub String);

impl std::str::FromStr for Service {
    type Err = UnknownService;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim().to_ascii_lowercase();
        Service::ALL
            .into_iter()
            .find(|service| service.as_str() == name)
            .ok_or_else(|| UnknownService(s.trim().to_string()))
    }
}

impl<I: ServiceInventory> Collection<I> {
    pub(crate) fn merge(&mut self, other: Collection<I>) {
        self.inventory.merge(other.inventory);
        self.errors.extend(other.errors);
    }
}

impl Inventory {
    /// Whether this run read `service` (an inventory built by hand counts as having read all).
    pub fn was_read(&self, service: Service) -> bool {
        self.collected
            .as_ref()
            .is_none_or(|services| services.contains(&service))
    }

    /// Every resource's known tags by [`resource_key`], for mutelist rules on tags. Resources
    /// whose tags were not read (buckets without a tag read, IAM groups) are absent.
    pub fn tags_by_resource(&self) -> HashMap<String, Tags> {
        let mut tags = HashMap::new();
        self.each_tagged(&mut |region, resource_type, id, found| {
            tags.insert(resource_key(region, resource_type, id), found.clone());
        });
        tags
    }
}

/// Keeps the items whose tags are in the environment (for
/// [`ServiceInventory::retain_environment`]); unknown tags are not.
pub(crate) fn retain_tagged<T>(
    items: &mut Vec<T>,
    in_environment: InEnvironment,
    tags: impl Fn(&T) -> Option<&Tags>,
) {
    items.retain(|item| tags(item).is_some_and(in_environment));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn environment_filter_keeps_only_tagged_resources() {
        let volume = |id: &str, t: Tags| ec2::Volume {
            id: id.into(),
            tags: t,
            ..Default::default()
        };
        let principal = |name: &str, kind, t: Option<Tags>| iam::Principal {
            kind,
            name: name.into(),
            tags: t,
            ..Default::default()
        };
        let bucket = |name: &str, t: Option<Tags>| s3::Bucket {
            name: name.into(),
            tags: t,
            ..Default::default()
        };
        let mut inventory = Inventory::default();
        inventory.ec2.volumes = vec![
            volume("vol-prod", tags(&[("Environment", "Prod")])),
            volume("vol-dev", tags(&[("Environment", "dev")])),
            volume("vol-none", tags(&[])),
        ];
        inventory.ec2.ebs_encryption_by_default = [("us-east-1".to_string(), false)].into();
        inventory.iam.principals = vec![
            principal(
                "role-prod",
                iam::PrincipalKind::Role,
                Some(tags(&[("Environment", "prod")])),
            ),
            principal("group", iam::PrincipalKind::Group, None),
        ];
        inventory.s3.buckets = vec![
            bucket("b-prod", Some(tags(&[("Environment", "prod")]))),
            bucket("b-unknown", None),
        ];
        let filter = crate::request::EnvironmentFilter::new("Environment", "prod").unwrap();
        inventory.retain_environment(&|tags| filter.matches(tags));
        let ids: Vec<_> = inventory
            .ec2
            .volumes
            .iter()
            .map(|v| v.id.as_str())
            .collect();
        assert_eq!(ids, ["vol-prod"]);
        let names: Vec<_> = inventory
            .iam
            .principals
            .iter()
            .map(|p| p.name.as_str())
            .collect();
        assert_eq!(names, ["role-prod"]);
        let buckets: Vec<_> = inventory
            .s3
            .buckets
            .iter()
            .map(|b| b.name.as_str())
            .collect();
        assert_eq!(buckets, ["b-prod"]);
        // Account settings belong to no environment.
        assert!(inventory.ec2.ebs_encryption_by_default.is_empty());
        let tagged = inventory.tags_by_resource();
        assert_eq!(tagged.len(), 3, "{tagged:?}");
        assert!(tagged.contains_key(&resource_key("global", "AWS::IAM::Role", "role-prod")));
    }

    #[test]
    fn every_service_is_named_by_its_folder_and_serializes_so() {
        for service in Service::ALL {
            assert_eq!(
                serde_json::to_value(service).unwrap(),
                serde_json::json!(service.as_str())
            );
            assert_eq!(service.as_str().parse::<Service>(), Ok(service));
            for check in service.spec().checks {
                assert_eq!(check.service, service, "{}", check.id);
            }
        }
    }
}
