//! CloudFront distributions: a default root object, and no origin that points to an S3 bucket
//! that does not exist.

use super::{BucketState, Distribution};
use crate::model::Severity;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&DEFAULT_ROOT_OBJECT, &S3_ORIGIN_EXISTS];

/// What can create, reconfigure or delete a distribution (a staging distribution's copy and
/// promotion included).
const DISTRIBUTION_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "cloudfront.amazonaws.com",
    names: &[
        "CreateDistribution",
        "CreateDistributionWithTags",
        "CopyDistribution",
        "UpdateDistribution",
        "UpdateDistributionWithStagingConfig",
        "DeleteDistribution",
    ],
}];

/// What can change a distribution's origins, or whether this account's origin buckets exist.
const ORIGIN_CHANGES: &[EventTrigger] = &[
    EventTrigger {
        source: "cloudfront.amazonaws.com",
        names: &[
            "CreateDistribution",
            "CreateDistributionWithTags",
            "CopyDistribution",
            "UpdateDistribution",
            "UpdateDistributionWithStagingConfig",
            "DeleteDistribution",
        ],
    },
    EventTrigger {
        source: "s3.amazonaws.com",
        names: &["CreateBucket", "DeleteBucket"],
    },
];

fn resource(distribution: &Distribution) -> Resource<'_> {
    Resource {
        resource_type: Distribution::RESOURCE_TYPE,
        id: &distribution.id,
        name: Some(&distribution.domain_name),
        arn: Some(&distribution.arn),
        region: Distribution::REGION,
    }
}

const DEFAULT_ROOT_OBJECT: Check = Check {
    id: "cloudfront.default_root_object",
    service: Service::Cloudfront,
    severity: Severity::High,
    resource_types: &[Distribution::RESOURCE_TYPE],
    title: "CloudFront distributions have a default root object",
    rationale: "Without a default root object, a request for the distribution's root URL is passed to the origin as is, which may answer with a listing of its contents or an error that describes it.",
    remediation: "Upload the root object (for example index.html) to the origin and set it as the distribution's Default root object (console: General, Settings, Edit; API: DefaultRootObject in UpdateDistribution).",
    reference: "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/DefaultRootObject.html",
    fsbp: &["CloudFront.1"],
    cis: &[],
    triggers: DISTRIBUTION_CHANGES,
    reads: &[
        Read::all("cloudfront:ListDistributions"),
        Read::each("cloudfront:GetDistributionConfig"),
    ],
    evaluate: default_root_object,
};

fn default_root_object(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for distribution in &inventory.cloudfront.distributions {
        let Some(root) = &distribution.default_root_object else {
            continue;
        };
        verdicts.judge(
            &resource(distribution),
            root.is_some(),
            || {
                let root = root.as_deref().unwrap_or_default();
                format!("The default root object is {root}.")
            },
            || {
                format!(
                    "The distribution has no default root object: a request for https://{}/ goes to the origin, which may list its contents or answer with an error that describes it.",
                    distribution.domain_name
                )
            },
        );
    }
}

const S3_ORIGIN_EXISTS: Check = Check {
    id: "cloudfront.s3_origin_exists",
    service: Service::Cloudfront,
    severity: Severity::High,
    resource_types: &[Distribution::RESOURCE_TYPE],
    title: "CloudFront distributions do not point to S3 buckets that do not exist",
    rationale: "Bucket names are global: when an origin's bucket is deleted, anyone can create a bucket with that name in their own account and have the distribution serve their content to its viewers, under its domain names.",
    remediation: "Recreate the bucket in this account, or point the origin to an existing bucket (or remove the origin and its cache behaviors) and update the distribution.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/cloudfront-controls.html#cloudfront-12",
    fsbp: &["CloudFront.12"],
    cis: &[],
    triggers: ORIGIN_CHANGES,
    reads: &[
        Read::all("cloudfront:ListDistributions"),
        Read::all("s3:ListAllMyBuckets"),
        Read::all("s3:ListBucket"),
    ],
    evaluate: s3_origin_exists,
};

/// Distributions without an S3 origin (custom origins, S3 website endpoints) get no result:
/// the check does not apply to them. One missing bucket is enough to fail; a pass needs every
/// S3 origin's bucket to be known to exist.
fn s3_origin_exists(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for distribution in &inventory.cloudfront.distributions {
        let origins = &distribution.s3_origins;
        if origins.is_empty() {
            continue;
        }
        let missing: Vec<String> = origins
            .iter()
            .filter(|o| o.bucket_state == Some(BucketState::Missing))
            .map(|o| format!("{} (origin {})", o.bucket, o.id))
            .collect();
        let unknown = origins.iter().any(|o| o.bucket_state.is_none());
        if missing.is_empty() && unknown {
            continue;
        }
        verdicts.judge(
            &resource(distribution),
            missing.is_empty(),
            || {
                let existing: Vec<String> = origins
                    .iter()
                    .map(|o| match o.bucket_state {
                        Some(BucketState::InAccount) => format!("{} (this account)", o.bucket),
                        _ => format!("{} (exists, not listed in this account)", o.bucket),
                    })
                    .collect();
                format!(
                    "Every S3 origin names an existing bucket: {}.",
                    enumerate(&existing, 5)
                )
            },
            || {
                let (noun, verb) = match missing.len() {
                    1 => ("bucket", "does"),
                    _ => ("buckets", "do"),
                };
                format!(
                    "The origin {noun} {} {verb} not exist: anyone can create a bucket with that name and serve their content to this distribution's viewers.",
                    enumerate(&missing, 5)
                )
            },
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{BucketState, Distribution, S3Origin};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{cloudfront, Inventory};

    fn origin(bucket: &str, state: Option<BucketState>) -> S3Origin {
        S3Origin {
            id: format!("{bucket}-origin"),
            domain_name: format!("{bucket}.s3.amazonaws.com"),
            bucket: bucket.into(),
            bucket_region: None,
            bucket_state: state,
        }
    }

    fn distribution(
        id: &str,
        root: Option<Option<&str>>,
        s3_origins: Vec<S3Origin>,
    ) -> Distribution {
        Distribution {
            id: id.into(),
            arn: format!("arn:aws:cloudfront::123456789012:distribution/{id}"),
            domain_name: format!("{}.cloudfront.net", id.to_ascii_lowercase()),
            default_root_object: root.map(|r| r.map(str::to_string)),
            s3_origins,
            tags: None,
        }
    }

    fn distributions() -> Inventory {
        use super::super::BucketState::{Exists, InAccount, Missing};
        Inventory::from(cloudfront::Inventory {
            distributions: vec![
                distribution(
                    "ESITE",
                    Some(Some("index.html")),
                    vec![origin("acme-site", Some(InAccount))],
                ),
                distribution(
                    "ELEGACY",
                    Some(None),
                    vec![origin("missing-bucket-legacy", Some(Missing))],
                ),
                distribution("EUNREAD", None, vec![]),
                distribution(
                    "EPARTNER",
                    Some(Some("index.html")),
                    vec![
                        origin("acme-site", Some(InAccount)),
                        origin("partner-media", Some(Exists)),
                    ],
                ),
                distribution(
                    "EHALF",
                    Some(Some("index.html")),
                    vec![
                        origin("acme-site", Some(InAccount)),
                        origin("unreadable", None),
                    ],
                ),
                distribution(
                    "EDANGLING",
                    Some(Some("index.html")),
                    vec![
                        origin("unreadable", None),
                        origin("gone-1", Some(Missing)),
                        origin("gone-2", Some(Missing)),
                    ],
                ),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let case = |check, resource_id, expected| Case {
            check,
            resource_id,
            expected,
            inventory: distributions,
            region: None,
        };
        vec![
            case("cloudfront.default_root_object", "ESITE", Status::Pass),
            case("cloudfront.default_root_object", "ELEGACY", Status::Fail),
            case("cloudfront.s3_origin_exists", "ESITE", Status::Pass),
            case("cloudfront.s3_origin_exists", "EPARTNER", Status::Pass),
            case("cloudfront.s3_origin_exists", "ELEGACY", Status::Fail),
            case("cloudfront.s3_origin_exists", "EDANGLING", Status::Fail),
        ]
    }

    #[test]
    fn an_unreadable_configuration_gives_no_root_object_verdict() {
        none(
            &run(&distributions()),
            "cloudfront.default_root_object",
            "EUNREAD",
        );
    }

    #[test]
    fn results_are_global_and_name_the_domain() {
        let results = run(&distributions());
        let result = only(&results, "cloudfront.default_root_object", "ELEGACY");
        assert_eq!(result.region, "global");
        assert_eq!(
            result.resource_name.as_deref(),
            Some("elegacy.cloudfront.net")
        );
        assert!(
            result.detail.contains("https://elegacy.cloudfront.net/"),
            "{}",
            result.detail
        );
    }

    /// Custom origins and S3 website endpoints are not collected as S3 origins: a distribution
    /// with none of the others is outside the check.
    #[test]
    fn a_distribution_without_s3_origins_gets_no_origin_verdict() {
        none(
            &run(&distributions()),
            "cloudfront.s3_origin_exists",
            "EUNREAD",
        );
    }

    #[test]
    fn a_bucket_that_could_not_be_looked_up_prevents_a_pass_but_not_a_failure() {
        let results = run(&distributions());
        none(&results, "cloudfront.s3_origin_exists", "EHALF");
        let dangling = only(&results, "cloudfront.s3_origin_exists", "EDANGLING");
        assert_eq!(dangling.status, Status::Fail);
        assert!(
            dangling
                .detail
                .starts_with("The origin buckets gone-1 (origin gone-1-origin) and gone-2"),
            "{}",
            dangling.detail
        );
    }

    #[test]
    fn a_bucket_of_another_account_passes_and_says_so() {
        let results = run(&distributions());
        let partner = only(&results, "cloudfront.s3_origin_exists", "EPARTNER");
        assert_eq!(partner.status, Status::Pass);
        assert!(
            partner
                .detail
                .contains("partner-media (exists, not listed in this account)"),
            "{}",
            partner.detail
        );
    }
}
