//! CodeBuild projects: no sign-in information in Bitbucket source URLs, no AWS credentials in
//! plaintext environment variables.

use super::{Project, SignIn};
use crate::model::Severity;
use crate::services::checks::{Check, CheckOptions, EventTrigger, Read, Resource, Verdicts};
use crate::services::{Inventory, Service};

pub(super) const CHECKS: &[&Check] = &[&SOURCE_URL_CREDENTIALS, &PLAINTEXT_AWS_CREDENTIALS];

/// What can create or change a project's sources and environment.
const PROJECT_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "codebuild.amazonaws.com",
    names: &["CreateProject", "UpdateProject", "DeleteProject"],
}];

const READS: &[Read] = &[
    Read::all("codebuild:ListProjects"),
    Read::all("codebuild:BatchGetProjects"),
];

/// The environment variables AWS's rule looks for.
const AWS_CREDENTIAL_VARIABLES: [&str; 2] = ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"];

/// FSBP CodeBuild.1, AWS Config rule `codebuild-project-source-repo-url-check` (no
/// parameters): "NON_COMPLIANT if the [Bitbucket source repository] URL contains any sign-in
/// information", primary and secondary sources alike. Projects without a Bitbucket source
/// are not in its scope (the rule once named GitHub too; its current text and the control
/// name Bitbucket only).
/// <https://docs.aws.amazon.com/config/latest/developerguide/codebuild-project-source-repo-url-check.html>
const SOURCE_URL_CREDENTIALS: Check = Check {
    id: "codebuild.source_url_credentials",
    service: Service::Codebuild,
    severity: Severity::Critical,
    resource_types: &[Project::RESOURCE_TYPE],
    title: "CodeBuild Bitbucket source URLs carry no sign-in information",
    rationale: "A user name and password or access token written into a source URL is readable by anyone who may describe the project, and appears in build logs: it opens the repository, and often every repository of that user.",
    remediation: "Connect CodeBuild to Bitbucket with OAuth or stored source credentials (aws codebuild import-source-credentials), set the source location to the plain repository URL (aws codebuild update-project --source ...), and revoke the exposed password or token.",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html#codebuild-1",
    fsbp: &["CodeBuild.1"],
    cis: &[],
    triggers: PROJECT_CHANGES,
    reads: READS,
    evaluate: source_url_credentials,
};

/// FSBP CodeBuild.2, AWS Config rule `codebuild-project-envvar-awscred-check` (no
/// parameters): a project fails when `AWS_ACCESS_KEY_ID` or `AWS_SECRET_ACCESS_KEY` is an
/// environment variable of type `PLAINTEXT` (AWS's Guard rule of the same name states the
/// type; a Parameter Store or Secrets Manager reference passes).
/// <https://docs.aws.amazon.com/config/latest/developerguide/codebuild-project-envvar-awscred-check.html>
const PLAINTEXT_AWS_CREDENTIALS: Check = Check {
    id: "codebuild.plaintext_aws_credentials",
    service: Service::Codebuild,
    severity: Severity::Critical,
    resource_types: &[Project::RESOURCE_TYPE],
    title: "CodeBuild projects hold no AWS credentials in plaintext environment variables",
    rationale: "A plaintext environment variable is shown to anyone who may read the project (codebuild:BatchGetProjects, the console) and to every build: an access key there is a long-lived credential handed to all of them. A build should act through its service role.",
    remediation: "Remove AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY from the project's environment (aws codebuild update-project --environment ...), give the project's service role the permissions instead, and deactivate the exposed key (aws iam update-access-key --status Inactive).",
    reference: "https://docs.aws.amazon.com/securityhub/latest/userguide/codebuild-controls.html#codebuild-2",
    fsbp: &["CodeBuild.2"],
    cis: &[],
    triggers: PROJECT_CHANGES,
    reads: READS,
    evaluate: plaintext_aws_credentials,
};

fn resource(project: &Project) -> Resource<'_> {
    Resource {
        resource_type: Project::RESOURCE_TYPE,
        id: &project.name,
        name: None,
        arn: Some(&project.arn),
        region: &project.region,
    }
}

fn source_url_credentials(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for project in &inventory.codebuild.projects {
        let bitbucket: Vec<_> = (project.sources.iter())
            .filter(|s| s.kind == "BITBUCKET")
            .collect();
        if bitbucket.is_empty() {
            continue;
        }
        let signed_in: Vec<String> = (bitbucket.iter())
            .filter(|s| s.sign_in != SignIn::None)
            .map(|s| {
                let what = match s.sign_in {
                    SignIn::UserAndSecret => "a user name and a password or token",
                    _ => "a user name or token",
                };
                format!("{} carries {what}", s.location)
            })
            .collect();
        verdicts.judge(
            &resource(project),
            signed_in.is_empty(),
            || {
                format!(
                    "{} Bitbucket source URL(s), none with sign-in information.",
                    bitbucket.len()
                )
            },
            || {
                format!(
                    "Sign-in information in a Bitbucket source URL: {}.",
                    signed_in.join("; ")
                )
            },
        );
    }
}

fn plaintext_aws_credentials(inventory: &Inventory, _: &CheckOptions, verdicts: &mut Verdicts) {
    for project in &inventory.codebuild.projects {
        let plaintext: Vec<&str> = (project.environment_variables.iter())
            .filter(|v| {
                v.kind == "PLAINTEXT" && AWS_CREDENTIAL_VARIABLES.contains(&v.name.as_str())
            })
            .map(|v| v.name.as_str())
            .collect();
        verdicts.judge(
            &resource(project),
            plaintext.is_empty(),
            || "No AWS_ACCESS_KEY_ID or AWS_SECRET_ACCESS_KEY in plaintext environment variables.".into(),
            || format!("Plaintext environment variable(s) {} hold AWS credentials (values not copied here).", plaintext.join(", ")),
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::super::{EnvironmentVariable, Project, SignIn, Source};
    use crate::model::Status;
    use crate::services::checks::test_support::{none, only, run, Case};
    use crate::services::{codebuild, Inventory};

    fn source(kind: &str, location: &str) -> Source {
        let (sign_in, location) = SignIn::redact(location);
        Source {
            kind: kind.into(),
            location,
            sign_in,
        }
    }

    fn variable(name: &str, kind: &str) -> EnvironmentVariable {
        EnvironmentVariable {
            name: name.into(),
            kind: kind.into(),
        }
    }

    fn project(name: &str, sources: Vec<Source>, variables: Vec<EnvironmentVariable>) -> Project {
        Project {
            name: name.into(),
            region: "us-east-1".into(),
            arn: format!("arn:aws:codebuild:us-east-1:123456789012:project/{name}"),
            sources,
            environment_variables: variables,
            tags: Default::default(),
        }
    }

    fn projects() -> Inventory {
        Inventory::from(codebuild::Inventory {
            projects: vec![
                project(
                    "clean",
                    vec![source("BITBUCKET", "https://bitbucket.org/acme/app.git")],
                    vec![
                        variable("AWS_ACCESS_KEY_ID", "PARAMETER_STORE"),
                        variable("AWS_SECRET_ACCESS_KEY", "SECRETS_MANAGER"),
                        variable("STAGE", "PLAINTEXT"),
                    ],
                ),
                project(
                    "password-in-url",
                    vec![source(
                        "BITBUCKET",
                        "https://alice:s3cret@bitbucket.org/acme/app.git",
                    )],
                    vec![variable("AWS_ACCESS_KEY_ID", "PLAINTEXT")],
                ),
                // A secondary source with a token as the user; the primary is clean.
                project(
                    "token-in-secondary",
                    vec![
                        source(
                            "CODECOMMIT",
                            "https://git-codecommit.us-east-1.amazonaws.com/v1/repos/app",
                        ),
                        source(
                            "BITBUCKET",
                            "https://x-token-auth:tok@bitbucket.org/acme/lib.git",
                        ),
                    ],
                    vec![variable("AWS_SECRET_ACCESS_KEY", "PLAINTEXT")],
                ),
                project(
                    "user-only",
                    vec![source(
                        "BITBUCKET",
                        "https://alice@bitbucket.org/acme/app.git",
                    )],
                    vec![],
                ),
                // Out of the rule's scope: not Bitbucket.
                project(
                    "github-with-password",
                    vec![source("GITHUB", "https://bob:pw@github.com/acme/app.git")],
                    vec![],
                ),
            ],
        })
    }

    pub fn cases() -> Vec<Case> {
        [
            ("codebuild.source_url_credentials", "clean", Status::Pass),
            (
                "codebuild.source_url_credentials",
                "password-in-url",
                Status::Fail,
            ),
            (
                "codebuild.source_url_credentials",
                "token-in-secondary",
                Status::Fail,
            ),
            (
                "codebuild.source_url_credentials",
                "user-only",
                Status::Fail,
            ),
            ("codebuild.plaintext_aws_credentials", "clean", Status::Pass),
            (
                "codebuild.plaintext_aws_credentials",
                "user-only",
                Status::Pass,
            ),
            (
                "codebuild.plaintext_aws_credentials",
                "password-in-url",
                Status::Fail,
            ),
            (
                "codebuild.plaintext_aws_credentials",
                "token-in-secondary",
                Status::Fail,
            ),
        ]
        .map(|(check, resource_id, expected)| Case {
            check,
            resource_id,
            expected,
            inventory: projects,
            region: None,
        })
        .into()
    }

    #[test]
    fn only_bitbucket_sources_are_in_scope_and_no_secret_reaches_the_report() {
        let results = run(&projects());
        none(
            &results,
            "codebuild.source_url_credentials",
            "github-with-password",
        );
        let failed = only(
            &results,
            "codebuild.source_url_credentials",
            "password-in-url",
        );
        assert!(
            failed
                .detail
                .contains("https://***@bitbucket.org/acme/app.git"),
            "{}",
            failed.detail
        );
        assert!(!failed.detail.contains("s3cret") && !failed.detail.contains("alice"));
        let secondary = only(
            &results,
            "codebuild.source_url_credentials",
            "token-in-secondary",
        );
        assert!(!secondary.detail.contains("tok@"), "{}", secondary.detail);
    }

    #[test]
    fn sign_in_information_is_read_from_the_authority_only() {
        let redact = |url| SignIn::redact(url);
        assert_eq!(redact("https://bitbucket.org/a/b.git").0, SignIn::None);
        // An `@` in the path is no sign-in.
        assert_eq!(redact("https://bitbucket.org/a/b@v2").0, SignIn::None);
        assert_eq!(
            redact("https://u:p@bitbucket.org/a").0,
            SignIn::UserAndSecret
        );
        // A password holding `@`: the last `@` of the authority ends the user information.
        assert_eq!(
            redact("https://u:p@ss@bitbucket.org/a"),
            (SignIn::UserAndSecret, "https://***@bitbucket.org/a".into())
        );
        assert_eq!(redact("no url").0, SignIn::None);
    }
}
