//! KMS: a rotated key (it encrypts the trail), one left unrotated, one whose key policy lets
//! any account decrypt, and one scheduled for deletion.

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
    kms.create_key()
        .description("partner exchange")
        .policy(PUBLIC_DECRYPT)
        .send()
        .await?;
    let retired = kms.create_key().description("retired").send().await?;
    kms.schedule_key_deletion()
        .key_id(
            retired
                .key_metadata()
                .map(|k| k.key_id())
                .ok_or("no key id")?,
        )
        .pending_window_in_days(7)
        .send()
        .await?;
    Ok(keys)
}

/// The account may administer the key; anyone may decrypt with it.
const PUBLIC_DECRYPT: &str = r#"{"Version":"2012-10-17","Statement":[{"Sid":"admin","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"kms:*","Resource":"*"},{"Sid":"anyone-decrypts","Effect":"Allow","Principal":{"AWS":"*"},"Action":"kms:Decrypt","Resource":"*"}]}"#;
