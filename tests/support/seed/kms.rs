//! KMS: a rotated key (it encrypts the trail) and one left unrotated.

use aws_config::SdkConfig;

use super::BoxError;

/// The two keys' ARNs: the rotated one first.
pub async fn seed(sdk: &SdkConfig) -> Result<Vec<String>, BoxError> {
    let kms = aws_sdk_kms::Client::new(sdk);
    let mut keys = Vec::new();
    for (description, rotate) in [("trail logs", true), ("legacy exports", false)] {
        let key = kms.create_key().description(description).send().await?;
        let id = key
            .key_metadata()
            .map(|k| k.key_id().to_string())
            .ok_or("no key id")?;
        if rotate {
            kms.enable_key_rotation().key_id(&id).send().await?;
        }
        keys.push(
            key.key_metadata()
                .and_then(|k| k.arn().map(str::to_string))
                .ok_or("no key arn")?,
        );
    }
    Ok(keys)
}
