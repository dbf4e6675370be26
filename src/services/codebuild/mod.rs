//! CodeBuild: credentials in projects' source URLs and environment variables.

mod checks;
mod collect;

#[cfg(test)]
pub(crate) use checks::tests::cases;
pub(crate) use collect::collect;

use super::{retain_tagged, InEnvironment, ServiceInventory, ServiceSpec};
use crate::model::Tags;

pub const SERVICE: ServiceSpec = ServiceSpec {
    regional: true,
    apis: &["codebuild"],
    permissions: &["codebuild:ListProjects", "codebuild:BatchGetProjects"],
    checks: checks::CHECKS,
    touched: None,
    spans_regions: false,
};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inventory {
    pub projects: Vec<Project>,
}

impl ServiceInventory for Inventory {
    fn merge(&mut self, other: Self) {
        self.projects.extend(other.projects);
    }

    fn retain_environment(&mut self, in_environment: InEnvironment) {
        retain_tagged(&mut self.projects, in_environment, |p| Some(&p.tags));
    }

    fn each_tagged(&self, found: &mut dyn FnMut(&str, &'static str, &str, &Tags)) {
        for p in &self.projects {
            found(&p.region, Project::RESOURCE_TYPE, &p.name, &p.tags);
        }
    }
}

/// A build project as BatchGetProjects describes it: only what the checks judge. Secret
/// values are never kept: a source URL is kept with its sign-in information redacted, and an
/// environment variable by name and type.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Project {
    pub name: String,
    pub region: String,
    pub arn: String,
    /// The primary source first, then the secondary sources.
    pub sources: Vec<Source>,
    pub environment_variables: Vec<EnvironmentVariable>,
    /// BatchGetProjects carries them: no extra read.
    pub tags: Tags,
}

impl Project {
    pub const RESOURCE_TYPE: &'static str = "AWS::CodeBuild::Project";
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    /// `BITBUCKET`, `GITHUB`, `CODECOMMIT`, `S3` … as AWS writes it.
    pub kind: String,
    /// The location with any sign-in information replaced by `***` (see [`SignIn`]).
    pub location: String,
    /// What sign-in information the location's URL carries.
    pub sign_in: SignIn,
}

/// Sign-in information in a URL's authority (`https://user:secret@host/...`, RFC 3986 §3.2.1).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum SignIn {
    #[default]
    None,
    /// `user@`: a user name or a token alone (Bitbucket's `x-token-auth:<token>@` is the next).
    User,
    /// `user:secret@`: a user name and a password or access token.
    UserAndSecret,
}

impl SignIn {
    /// Splits the sign-in information out of `location`: what it was, and the location with
    /// it redacted (the report never carries a secret).
    pub fn redact(location: &str) -> (SignIn, String) {
        let Some((scheme, rest)) = location.split_once("://") else {
            return (SignIn::None, location.to_string());
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        let Some((user_info, host)) = authority.rsplit_once('@') else {
            return (SignIn::None, location.to_string());
        };
        let sign_in = if user_info.contains(':') {
            SignIn::UserAndSecret
        } else {
            SignIn::User
        };
        (sign_in, format!("{scheme}://***@{host}{path}"))
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvironmentVariable {
    pub name: String,
    /// `PLAINTEXT`, `PARAMETER_STORE` or `SECRETS_MANAGER`; AWS's default is `PLAINTEXT`.
    pub kind: String,
}
