//! Lambda: `orders-api` (python3.12; invocable by S3 only for the account's own bucket and by
//! one API Gateway route; a function URL that requires IAM) and `public-hook` (nodejs16.x,
//! deprecated; invocable by S3 for any account's bucket and by anyone; a function URL without
//! authentication, with the permission AWS adds for it). Both run
//! as the `lambda-exec` role created here. moto 5.1.18 lacks ListFunctionUrlConfigs:
//! `tests/support/moto_server.py` (`lambda_function_url_listing`) answers it.

use aws_config::SdkConfig;
use aws_sdk_lambda::primitives::Blob;
use aws_sdk_lambda::types::{FunctionCode, FunctionUrlAuthType, Runtime};

use super::BoxError;

const TRUST_LAMBDA: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

const ACCOUNT: &str = "123456789012";

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let iam = aws_sdk_iam::Client::new(sdk);
    let role = iam
        .create_role()
        .role_name("lambda-exec")
        .assume_role_policy_document(TRUST_LAMBDA)
        .tags(
            aws_sdk_iam::types::Tag::builder()
                .key("Environment")
                .value("prod")
                .build()?,
        )
        .send()
        .await?;
    let role_arn = role
        .role()
        .map(|r| r.arn().to_string())
        .ok_or("no role arn")?;

    let lambda = aws_sdk_lambda::Client::new(sdk);
    // (name, runtime, handler file, its code, environment)
    let functions = [
        (
            "orders-api",
            Runtime::Python312,
            "index.py",
            "def handler(event, context):\n    return {}\n",
            "prod",
        ),
        (
            "public-hook",
            Runtime::Nodejs16x,
            "index.js",
            "exports.handler = async () => ({});\n",
            "dev",
        ),
    ];
    for (name, runtime, file, code, env) in functions {
        lambda
            .create_function()
            .function_name(name)
            .runtime(runtime)
            .role(&role_arn)
            .handler("index.handler")
            .code(
                FunctionCode::builder()
                    .zip_file(Blob::new(stored_zip(file, code.as_bytes())))
                    .build(),
            )
            .tags("Environment", env)
            .send()
            .await?;
    }

    // orders-api: S3 may invoke it for one bucket of this account (pinned: passes).
    lambda
        .add_permission()
        .function_name("orders-api")
        .statement_id("s3-orders-uploads")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_account(ACCOUNT)
        .source_arn("arn:aws:s3:::acme-orders-uploads")
        .send()
        .await?;
    // orders-api behind an API Gateway route: the account's own API, whatever the wildcards
    // (still passes).
    lambda
        .add_permission()
        .function_name("orders-api")
        .statement_id("apigw-get-orders")
        .action("lambda:InvokeFunction")
        .principal("apigateway.amazonaws.com")
        .source_arn(format!(
            "arn:aws:execute-api:us-east-1:{ACCOUNT}:a1b2c3d4e5/*/GET/orders"
        ))
        .send()
        .await?;
    // public-hook: S3 may invoke it for any account's bucket of that name (no SourceAccount:
    // fails, as Lambda.1's rule says) …
    lambda
        .add_permission()
        .function_name("public-hook")
        .statement_id("s3-any-account")
        .action("lambda:InvokeFunction")
        .principal("s3.amazonaws.com")
        .source_arn("arn:aws:s3:::acme-hook-drops")
        .send()
        .await?;
    // … and anyone may invoke it (fails).
    lambda
        .add_permission()
        .function_name("public-hook")
        .statement_id("PublicInvoke")
        .action("lambda:InvokeFunction")
        .principal("*")
        .send()
        .await?;
    // The permission AWS adds for a URL with AuthType NONE (moto keeps FunctionUrlAuthType as a
    // statement field, not as a condition: the statement is public either way).
    lambda
        .add_permission()
        .function_name("public-hook")
        .statement_id("FunctionURLAllowPublicAccess")
        .action("lambda:InvokeFunctionUrl")
        .principal("*")
        .function_url_auth_type(FunctionUrlAuthType::None)
        .send()
        .await?;
    for (name, auth_type) in [
        ("orders-api", FunctionUrlAuthType::AwsIam),
        ("public-hook", FunctionUrlAuthType::None),
    ] {
        lambda
            .create_function_url_config()
            .function_name(name)
            .auth_type(auth_type)
            .send()
            .await?;
    }
    Ok(())
}

/// A .zip archive holding one file, stored (not compressed): the local header, the data, one
/// central directory entry and the end record (PKWARE APPNOTE 4.3), all little-endian.
pub fn stored_zip(name: &str, data: &[u8]) -> Vec<u8> {
    let crc = crc32(data);
    let size = data.len() as u32;
    let name_len = name.len() as u16;
    // 1980-01-01 00:00, the earliest DOS date.
    let (time, date) = (0u16, 0x21u16);
    let mut zip = Vec::new();
    let u16s = |zip: &mut Vec<u8>, values: &[u16]| {
        for v in values {
            zip.extend_from_slice(&v.to_le_bytes());
        }
    };
    let u32s = |zip: &mut Vec<u8>, values: &[u32]| {
        for v in values {
            zip.extend_from_slice(&v.to_le_bytes());
        }
    };
    // Local file header: version 2.0, no flags, method 0 (stored), no extra field.
    u32s(&mut zip, &[0x0403_4b50]);
    u16s(&mut zip, &[20, 0, 0, time, date]);
    u32s(&mut zip, &[crc, size, size]);
    u16s(&mut zip, &[name_len, 0]);
    zip.extend_from_slice(name.as_bytes());
    zip.extend_from_slice(data);
    let directory_offset = zip.len() as u32;
    // Central directory entry for the file at offset 0.
    u32s(&mut zip, &[0x0201_4b50]);
    u16s(&mut zip, &[20, 20, 0, 0, time, date]);
    u32s(&mut zip, &[crc, size, size]);
    // Name, extra and comment lengths, disk 0, internal attributes.
    u16s(&mut zip, &[name_len, 0, 0, 0, 0]);
    // External attributes, local header offset.
    u32s(&mut zip, &[0, 0]);
    zip.extend_from_slice(name.as_bytes());
    let directory_size = zip.len() as u32 - directory_offset;
    // End of central directory: disk 0, one entry, no comment.
    u32s(&mut zip, &[0x0605_4b50]);
    u16s(&mut zip, &[0, 0, 1, 1]);
    u32s(&mut zip, &[directory_size, directory_offset]);
    u16s(&mut zip, &[0]);
    zip
}

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as .zip archives use.
fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for byte in data {
        crc ^= u32::from(*byte);
        for _ in 0..8 {
            let mask = (crc & 1).wrapping_neg();
            crc = (crc >> 1) ^ (0xEDB8_8320 & mask);
        }
    }
    !crc
}
