//! Lambda functions: no public resource policy, no unauthenticated function URL, a runtime
//! AWS still patches.

use super::runtimes::{support, Support, TABLE_AS_OF};
use super::Function;
use crate::model::Severity;
use crate::policy::{Principals, ResourcePolicy};
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, CheckOptions, Resource, Verdicts};
use crate::services::resource_policy::PublicPolicy;
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&POLICY_PUBLIC, &URL_PUBLIC, &SUPPORTED_RUNTIME];

// CloudTrail names some Lambda events after a versioned operation (`AddPermission20150331v2`),
// others, the function URL ones among them, after the API action itself; the names below are
// those of "Lambda management events in CloudTrail":
// <https://docs.aws.amazon.com/lambda/latest/dg/logging-using-cloudtrail.html>.

/// What can change a function's resource-based policy, or create or delete a function.
const POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "lambda.amazonaws.com",
    names: &[
        "AddPermission20150331v2",
        "RemovePermission20150331v2",
        "CreateFunction20150331",
        "DeleteFunction20150331",
    ],
}];

/// What can create, change or delete a function URL, or create or delete a function.
const URL_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "lambda.amazonaws.com",
    names: &[
        "CreateFunctionUrlConfig",
        "UpdateFunctionUrlConfig",
        "DeleteFunctionUrlConfig",
        "CreateFunction20150331",
        "DeleteFunction20150331",
    ],
}];

/// What can change a function's runtime, or create or delete a function.
const RUNTIME_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "lambda.amazonaws.com",
    names: &[
        "CreateFunction20150331",
        "UpdateFunctionConfiguration20150331v2",
        "DeleteFunction20150331",
    ],
}];

fn function_resource(function: &Function) -> Resource<'_> {
    Resource {
        resource_type: Function::RESOURCE_TYPE,
        id: &function.name,
        name: None,
        arn: Some(&function.arn),
        region: &function.region,
    }
}

const POLICY_PUBLIC: Check = Check {
    id: "lambda.policy_public",
    service: Service::Lambda,
    severity: Severity::Critical,
    resource_types: &[Function::RESOURCE_TYPE],
    title: "Lambda function policies do not grant public access",
    rationale: "A function policy that lets everyone (or Amazon S3 for any account's bucket) invoke or change the function lets anyone outside the account run its code with its execution role's permissions.",
    remediation: "Remove the statement (aws lambda remove-permission --function-name <function> --statement-id <sid>) and grant named accounts instead; for Amazon S3, add it again with --source-account.",
    reference: "https://docs.aws.amazon.com/lambda/latest/dg/access-control-resource-based.html",
    fsbp: &["Lambda.1"],
    cis: &[],
    triggers: POLICY_CHANGES,
    reads: &[Read::all("lambda:ListFunctions"), Read::each("lambda:GetPolicy")],
    evaluate: policy_public,
};

/// The function's own policy (see the module: aliases' policies are not read). A service
/// principal without `aws:SourceAccount` or `aws:SourceArn` counts as public, as in Security
/// Hub's Lambda.1 (https://docs.aws.amazon.com/securityhub/latest/userguide/lambda-controls.html#lambda-1):
/// any bucket or topic of any account could then invoke the function.
fn policy_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let judgement = PublicPolicy {
        kind: ResourcePolicy::LambdaFunction,
        noun: "function",
        policy_name: "resource-based policy",
        public_means: "everyone, or a service acting for any account,",
        grantee: "",
    };
    for function in &inventory.lambda.functions {
        let resource = function_resource(function);
        judgement.judge(verdicts, &resource, &function.policy, |public| {
            let mut notes = String::new();
            // The permission AWS adds for a function URL with AuthType NONE.
            if public.iter().any(|s| {
                s.conditions
                    .iter()
                    .any(|c| c.key == "lambda:functionurlauthtype")
            }) {
                notes.push_str(" It is the permission of a public function URL: anyone on the internet can invoke the function.");
            }
            let from_s3 = public.iter().any(|s| {
                matches!(&s.principals, Some(Principals::Principal(set))
                    if set.entries.iter().any(|(kind, _)| kind == "Service"))
            });
            if from_s3 {
                notes.push_str(" Amazon S3 without a fixed aws:SourceAccount (a bucket's ARN names no account) may invoke the function for any account's bucket of that name.");
            }
            notes
        });
    }
}

const URL_PUBLIC: Check = Check {
    id: "lambda.url_public",
    service: Service::Lambda,
    severity: Severity::High,
    resource_types: &[Function::RESOURCE_TYPE],
    title: "Lambda function URLs require IAM authentication",
    rationale: "A function URL with AuthType NONE is an HTTPS endpoint anyone on the internet can call without signing the request: only the function's own code stands between the caller and its execution role.",
    remediation: "Set AuthType AWS_IAM (aws lambda update-function-url-config --function-name <function> --auth-type AWS_IAM) or delete the URL; serve a public API through API Gateway or CloudFront with authentication and throttling.",
    reference: "https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html",
    fsbp: &[],
    cis: &[],
    triggers: URL_CHANGES,
    reads: &[Read::all("lambda:ListFunctions"), Read::each("lambda:ListFunctionUrlConfigs")],
    evaluate: url_public,
};

/// Every URL of the function and of its aliases (ListFunctionUrlConfigs lists both).
fn url_public(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for function in &inventory.lambda.functions {
        let Some(urls) = &function.urls else {
            continue;
        };
        let open: Vec<String> = urls
            .iter()
            .filter(|u| u.auth_type == "NONE")
            .map(|u| u.url.clone())
            .collect();
        let resource = function_resource(function);
        if urls.is_empty() {
            verdicts.pass(&resource, "The function has no function URL.".into());
        } else if open.is_empty() {
            let count = urls.len();
            verdicts.pass(
                &resource,
                if count == 1 {
                    format!(
                        "The function URL {} requires IAM authentication (AuthType AWS_IAM).",
                        urls[0].url
                    )
                } else {
                    format!(
                        "All {count} function URLs require IAM authentication (AuthType AWS_IAM)."
                    )
                },
            );
        } else {
            let (noun, pronoun) = if open.len() == 1 {
                ("URL", "it")
            } else {
                ("URLs", "them")
            };
            verdicts.fail(
                &resource,
                format!(
                    "AuthType is NONE on the function {noun} {}; anyone on the internet can invoke the function through {pronoun}.",
                    enumerate(&open, 3)
                ),
            );
        }
    }
}

const SUPPORTED_RUNTIME: Check = Check {
    id: "lambda.supported_runtime",
    service: Service::Lambda,
    severity: Severity::Medium,
    resource_types: &[Function::RESOURCE_TYPE],
    title: "Lambda functions use a supported runtime",
    rationale: "From a runtime's deprecation date on, AWS no longer applies security patches to it and functions on it lose technical support, and later the ability to be created or updated.",
    remediation: "Move the function to a supported runtime of its language (aws lambda update-function-configuration --function-name <function> --runtime <runtime>) after testing the code on it.",
    reference: "https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html",
    fsbp: &["Lambda.2"],
    cis: &[],
    triggers: RUNTIME_CHANGES,
    reads: &[Read::all("lambda:ListFunctions")],
    evaluate: supported_runtime,
};

/// Judged against the scan's clock with the dated table of `runtimes.rs`. A container image has
/// no runtime identifier (its runtime is whatever the image holds): no verdict. An identifier
/// that is not in the table passes, saying so: the table lists every identifier AWS had
/// published when it was written, so an unknown one is a newer release, years from its
/// deprecation; failing it would flag every function on a new runtime until secaudit is
/// updated, and staying silent would hide the function from the check.
fn supported_runtime(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    let today = verdicts.now().date();
    for function in &inventory.lambda.functions {
        if function.image {
            continue;
        }
        let Some(runtime) = &function.runtime else {
            continue;
        };
        let resource = function_resource(function);
        match support(runtime, today) {
            Support::Deprecated(date) => verdicts.fail(
                &resource,
                format!("The runtime {runtime} is deprecated since {date}: AWS no longer applies security patches to it."),
            ),
            Support::Until(date) => verdicts.pass(
                &resource,
                format!("The runtime {runtime} is supported; AWS deprecates it on {date}."),
            ),
            Support::NoDateAnnounced => verdicts.pass(
                &resource,
                format!("The runtime {runtime} is supported; AWS has announced no deprecation date for it."),
            ),
            Support::Unknown => verdicts.pass(
                &resource,
                format!("The runtime {runtime} is not in secaudit's runtime table (as of {TABLE_AS_OF}), which lists every runtime AWS had published: it is a newer one, with no deprecation date announced then."),
            ),
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Arc;

    use super::super::{Function, FunctionUrl};
    use crate::model::Status;
    use crate::policy::PolicyDocument;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{lambda, Inventory};

    const ARN: &str = "arn:aws:lambda:us-east-1:123456789012:function:";

    /// A policy document of these statements on the function.
    fn policy(statements: &str) -> Option<Option<Arc<PolicyDocument>>> {
        let text =
            format!(r#"{{"Version":"2012-10-17","Id":"default","Statement":[{statements}]}}"#);
        Some(Some(Arc::new(PolicyDocument::parse(&text).unwrap())))
    }

    fn function(name: &str) -> Function {
        Function {
            name: name.into(),
            arn: format!("{ARN}{name}"),
            region: "us-east-1".into(),
            runtime: Some("python3.12".into()),
            role: "arn:aws:iam::123456789012:role/fn".into(),
            policy: Some(None),
            urls: Some(Vec::new()),
            ..Default::default()
        }
    }

    fn url(auth_type: &str, id: &str) -> FunctionUrl {
        FunctionUrl {
            url: format!("https://{id}.lambda-url.us-east-1.on.aws/"),
            function_arn: format!("{ARN}{id}"),
            auth_type: auth_type.into(),
        }
    }

    const PUBLIC_INVOKE: &str = r#"{"Sid":"PublicInvoke","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}"#;
    const S3_PINNED: &str = r#"{"Sid":"s3invoke","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Condition":{"StringEquals":{"AWS:SourceAccount":"123456789012"}}}"#;
    const S3_ANY_ACCOUNT: &str = r#"{"Sid":"s3invoke","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}"#;
    /// What AWS adds for a function URL with AuthType NONE
    /// (https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html).
    const URL_PERMISSION: &str = r#"{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}"#;

    fn functions() -> Inventory {
        Inventory::from(lambda::Inventory {
            functions: vec![
                Function {
                    policy: policy(S3_PINNED),
                    urls: Some(vec![url("AWS_IAM", "orders-api")]),
                    ..function("orders-api")
                },
                Function {
                    runtime: Some("nodejs16.x".into()),
                    policy: policy(PUBLIC_INVOKE),
                    urls: Some(vec![url("NONE", "public-hook")]),
                    ..function("public-hook")
                },
                Function {
                    runtime: None,
                    image: true,
                    policy: None,
                    urls: None,
                    ..function("container")
                },
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        let mut cases = Vec::new();
        for check in [
            "lambda.policy_public",
            "lambda.url_public",
            "lambda.supported_runtime",
        ] {
            for (resource_id, expected) in
                [("orders-api", Status::Pass), ("public-hook", Status::Fail)]
            {
                cases.push(Case {
                    check,
                    resource_id,
                    expected,
                    inventory: functions,
                    region: None,
                });
            }
        }
        cases
    }

    fn with(function: Function) -> Vec<crate::model::CheckResult> {
        run(&Inventory::from(lambda::Inventory {
            functions: vec![function],
        }))
    }

    #[test]
    fn every_public_principal_form_fails() {
        for principal in [
            r#""*""#,
            r#"{"AWS":"*"}"#,
            r#"{"AWS":["arn:aws:iam::111122223333:root","*"]}"#,
        ] {
            let statement = PUBLIC_INVOKE.replace(r#""*""#, principal);
            let results = with(Function {
                policy: policy(&statement),
                ..function("f")
            });
            let result = only(&results, "lambda.policy_public", "f");
            assert_eq!(result.status, Status::Fail, "{principal}");
            assert!(
                result.detail.contains("statement \"PublicInvoke\""),
                "{}",
                result.detail
            );
        }
    }

    /// What API Gateway and EventBridge add: the function's own account's APIs and rules,
    /// whatever the wildcards in the `SourceArn` (AWS Config's Lambda.1 rule judges only the
    /// principal, and S3 as the one service case).
    const API_GATEWAY: &str = r#"{"Sid":"apigw","Effect":"Allow","Principal":{"Service":"apigateway.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:execute-api:us-east-1:123456789012:abc123/*/GET/orders"}}}"#;
    const EVENTBRIDGE: &str = r#"{"Sid":"rule","Effect":"Allow","Principal":{"Service":"events.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}"#;

    #[test]
    fn other_services_than_s3_are_not_the_public() {
        for statement in [API_GATEWAY, EVENTBRIDGE] {
            let results = with(Function {
                policy: policy(statement),
                ..function("f")
            });
            let result = only(&results, "lambda.policy_public", "f");
            assert_eq!(result.status, Status::Pass, "{statement}");
        }
        // S3 beside them still fails.
        let both = format!("{},{}", &EVENTBRIDGE, &S3_ANY_ACCOUNT);
        let results = with(Function {
            policy: policy(&both),
            ..function("f")
        });
        let result = only(&results, "lambda.policy_public", "f");
        assert_eq!(result.status, Status::Fail);
        assert!(
            !result.detail.contains("events.amazonaws.com"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn a_service_principal_passes_only_when_pinned_to_the_account() {
        let results = with(Function {
            policy: policy(S3_ANY_ACCOUNT),
            ..function("f")
        });
        let result = only(&results, "lambda.policy_public", "f");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("service s3.amazonaws.com"),
            "{}",
            result.detail
        );
        assert!(
            result.detail.contains("aws:SourceAccount"),
            "{}",
            result.detail
        );
        let results = with(Function {
            policy: policy(S3_PINNED),
            ..function("f")
        });
        assert_eq!(
            only(&results, "lambda.policy_public", "f").status,
            Status::Pass
        );
        // A bucket's ARN names no account: SourceArn alone does not pin S3.
        let by_bucket_name = S3_ANY_ACCOUNT.replace(
            r#""Resource":"arn:aws:lambda:us-east-1:123456789012:function:f"}"#,
            r#""Resource":"arn:aws:lambda:us-east-1:123456789012:function:f","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::uploads"}}}"#,
        );
        assert!(by_bucket_name.contains("SourceArn"));
        let results = with(Function {
            policy: policy(&by_bucket_name),
            ..function("f")
        });
        assert_eq!(
            only(&results, "lambda.policy_public", "f").status,
            Status::Fail
        );
    }

    #[test]
    fn the_permission_of_a_public_function_url_fails() {
        let results = with(Function {
            policy: policy(URL_PERMISSION),
            ..function("f")
        });
        let result = only(&results, "lambda.policy_public", "f");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("\"FunctionURLAllowPublicAccess\""),
            "{}",
            result.detail
        );
        assert!(
            result.detail.contains("public function URL"),
            "{}",
            result.detail
        );
    }

    #[test]
    fn no_policy_passes_and_an_unreadable_one_gives_no_verdict() {
        let results = with(function("f"));
        let result = only(&results, "lambda.policy_public", "f");
        assert_eq!(result.status, Status::Pass);
        assert_eq!(result.detail, "The function has no resource-based policy.");
        // Unreadable (AccessDenied) and unparseable policies are both `None`.
        let results = with(Function {
            policy: None,
            ..function("f")
        });
        none(&results, "lambda.policy_public", "f");
    }

    #[test]
    fn function_urls_fail_only_without_authentication() {
        let results = with(function("f"));
        let result = only(&results, "lambda.url_public", "f");
        assert_eq!(
            (result.status, result.detail.as_str()),
            (Status::Pass, "The function has no function URL.")
        );
        // The function's URL requires IAM, its alias's does not.
        let results = with(Function {
            urls: Some(vec![url("AWS_IAM", "f"), url("NONE", "f:live")]),
            ..function("f")
        });
        let result = only(&results, "lambda.url_public", "f");
        assert_eq!(result.status, Status::Fail);
        assert!(
            result.detail.contains("https://f:live.lambda-url"),
            "{}",
            result.detail
        );
        assert!(
            !result.detail.contains("https://f.lambda-url"),
            "{}",
            result.detail
        );
        let results = with(Function {
            urls: None,
            ..function("f")
        });
        none(&results, "lambda.url_public", "f");
    }

    #[test]
    fn runtimes_are_judged_against_the_scan_clock() {
        // The tests' clock is 2026-11-27: dotnet8 was deprecated on 2026-11-10.
        let on = |runtime: &str| {
            let results = with(Function {
                runtime: Some(runtime.into()),
                ..function("f")
            });
            only(&results, "lambda.supported_runtime", "f").clone()
        };
        let deprecated = on("dotnet8");
        assert_eq!(deprecated.status, Status::Fail);
        assert!(
            deprecated.detail.contains("2026-11-10"),
            "{}",
            deprecated.detail
        );
        let supported = on("python3.12");
        assert_eq!(supported.status, Status::Pass);
        assert!(
            supported.detail.contains("2028-10-31"),
            "{}",
            supported.detail
        );
        assert_eq!(on("python3.15").status, Status::Pass);
        let unknown = on("nodejs28.x");
        assert_eq!(unknown.status, Status::Pass);
        assert!(
            unknown.detail.contains("not in secaudit's runtime table"),
            "{}",
            unknown.detail
        );
    }

    #[test]
    fn a_container_image_function_gets_no_runtime_verdict() {
        let results = run(&functions());
        none(&results, "lambda.supported_runtime", "container");
        none(&results, "lambda.policy_public", "container");
        none(&results, "lambda.url_public", "container");
    }
}
