//! DMS: a private and a public replication instance.

use aws_config::SdkConfig;
use aws_sdk_databasemigration::types::Tag;

use super::BoxError;

/// `migrate-private` (prod) passes `dms.replication_instance_not_public`; `migrate-public`
/// (dev) fails it.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_databasemigration::Client::new(sdk);
    for (id, public, env) in [
        ("migrate-private", false, "prod"),
        ("migrate-public", true, "dev"),
    ] {
        client
            .create_replication_instance()
            .replication_instance_identifier(id)
            .replication_instance_class("dms.t3.micro")
            .publicly_accessible(public)
            .tags(Tag::builder().key("Environment").value(env).build())
            .send()
            .await?;
    }
    Ok(())
}
