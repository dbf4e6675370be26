//! CodeBuild: a clean project and a leaky one (moto 5.1.18 drops secondary sources, so both
//! judge their primary source).

use aws_config::SdkConfig;
use aws_sdk_codebuild::types::{
    ComputeType, EnvironmentType, EnvironmentVariable, EnvironmentVariableType, ProjectArtifacts,
    ProjectEnvironment, ProjectSource, SourceType, Tag,
};

use super::BoxError;

/// `build-app` (prod) passes both CodeBuild checks: a plain Bitbucket URL and its key from
/// Parameter Store. `build-legacy` (dev) fails both: a password in its URL and a plaintext
/// `AWS_SECRET_ACCESS_KEY` (placeholder values; the report must not repeat them).
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_codebuild::Client::new(sdk);
    let projects = [
        (
            "build-app",
            "prod",
            "https://bitbucket.org/acme/app.git",
            EnvironmentVariableType::ParameterStore,
            "/ci/deploy-key",
        ),
        (
            "build-legacy",
            "dev",
            "https://deploy:not-a-real-password@bitbucket.org/acme/legacy.git",
            EnvironmentVariableType::Plaintext,
            "not-a-real-secret",
        ),
    ];
    for (name, env, location, kind, value) in projects {
        let role = "arn:aws:iam::123456789012:role/codebuild-service";
        project(&client, name, location, kind, value, role)?
            .tags(Tag::builder().key("Environment").value(env).build())
            .send()
            .await?;
    }
    Ok(())
}

/// A project request building from a Bitbucket `location` in a standard Linux image, with an
/// `AWS_SECRET_ACCESS_KEY` variable of `kind` holding `value` (a placeholder or a parameter
/// name): what the CodeBuild checks judge. The demo and the synthetic account both seed it.
pub fn project(
    client: &aws_sdk_codebuild::Client,
    name: &str,
    location: &str,
    kind: EnvironmentVariableType,
    value: &str,
    service_role: &str,
) -> Result<
    aws_sdk_codebuild::operation::create_project::builders::CreateProjectFluentBuilder,
    BoxError,
> {
    let variable = EnvironmentVariable::builder()
        .name("AWS_SECRET_ACCESS_KEY")
        .value(value)
        .r#type(kind)
        .build()?;
    Ok(client
        .create_project()
        .name(name)
        .source(
            ProjectSource::builder()
                .r#type(SourceType::Bitbucket)
                .location(location)
                .build()?,
        )
        .artifacts(
            ProjectArtifacts::builder()
                .r#type(aws_sdk_codebuild::types::ArtifactsType::NoArtifacts)
                .build()?,
        )
        .environment(
            ProjectEnvironment::builder()
                .r#type(EnvironmentType::LinuxContainer)
                .image("aws/codebuild/standard:7.0")
                .compute_type(ComputeType::BuildGeneral1Small)
                .environment_variables(variable)
                .build()?,
        )
        .service_role(service_role))
}
