//! Redshift Serverless: a private and a public workgroup. moto 5.1.18 has no Redshift
//! Serverless backend; the test server answers CreateWorkgroup and ListWorkgroups itself
//! (`tests/support/moto_server.py`), without namespaces.

use aws_config::SdkConfig;
use aws_sdk_redshiftserverless::types::Tag;

use super::BoxError;

/// `bi-private` (prod) passes `redshiftserverless.not_public` and routes through its VPC;
/// `bi-public` (dev) fails both.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_redshiftserverless::Client::new(sdk);
    for (workgroup, public, env) in [("bi-private", false, "prod"), ("bi-public", true, "dev")] {
        client
            .create_workgroup()
            .workgroup_name(workgroup)
            .namespace_name("analytics")
            .publicly_accessible(public)
            .enhanced_vpc_routing(!public)
            .tags(Tag::builder().key("Environment").value(env).build()?)
            .send()
            .await?;
    }
    Ok(())
}
