//! EFS: an encrypted and an unencrypted file system.

use aws_config::SdkConfig;
use aws_sdk_efs::types::Tag;

use super::BoxError;

/// `shared-home` (prod) passes `efs.encrypted`; `scratch` (dev) fails it.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let client = aws_sdk_efs::Client::new(sdk);
    for (name, encrypted, env) in [("shared-home", true, "prod"), ("scratch", false, "dev")] {
        client
            .create_file_system()
            .creation_token(name)
            .encrypted(encrypted)
            .tags(Tag::builder().key("Name").value(name).build()?)
            .tags(Tag::builder().key("Environment").value(env).build()?)
            .send()
            .await?;
    }
    Ok(())
}
