//! IAM: principals with and without wildcards, administrators, credentials, and the instance
//! profile that makes an instance's role an administrator.

use aws_config::SdkConfig;

use super::{BoxError, Seeded, ADMIN_ARN, TRUST_EC2};

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    use aws_sdk_iam::types::Tag;
    let iam = aws_sdk_iam::Client::new(sdk);
    let env_tag = |env: &str| Tag::builder().key("Environment").value(env).build();

    // Roles: (name, environment, AWS-managed policy, inline policy)
    let roles = [
        ("deploy-admin", "prod", Some(ADMIN_ARN), None),
        (
            "app-reader",
            "prod",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::acme-customer-data","arn:aws:s3:::acme-customer-data/*"]}]}"#,
            ),
        ),
        (
            "power-user",
            "dev",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","NotAction":["iam:*","organizations:*"],"Resource":"*"}}"#,
            ),
        ),
        // Administrator access written as a glob: every action of every service.
        (
            "break-glass",
            "dev",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*:*","Resource":"*"}}"#,
            ),
        ),
        (
            "guarded",
            "prod",
            None,
            Some(
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"false"}}},{"Effect":"Allow","Action":"sqs:SendMessage","Resource":"arn:aws:sqs:us-east-1:123456789012:jobs"}]}"#,
            ),
        ),
    ];
    for (name, env, managed, inline) in roles {
        iam.create_role()
            .role_name(name)
            .assume_role_policy_document(TRUST_EC2)
            .tags(env_tag(env)?)
            .send()
            .await?;
        if let Some(arn) = managed {
            iam.attach_role_policy()
                .role_name(name)
                .policy_arn(arn)
                .send()
                .await?;
        }
        if let Some(document) = inline {
            iam.put_role_policy()
                .role_name(name)
                .policy_name(format!("{name}-policy"))
                .policy_document(document)
                .send()
                .await?;
        }
    }

    // A group whose AdministratorAccess reaches its member.
    iam.create_group().group_name("admins").send().await?;
    iam.attach_group_policy()
        .group_name("admins")
        .policy_arn(ADMIN_ARN)
        .send()
        .await?;
    iam.create_group().group_name("readers").send().await?;
    iam.put_group_policy()
        .group_name("readers")
        .policy_name("read-reports")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::acme.reports.eu/*"}]}"#)
        .send()
        .await?;

    // A customer managed policy shared by a user (read once, whatever the attachments).
    let s3_full = iam
        .create_policy()
        .policy_name("s3-full-access")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#)
        .send()
        .await?;
    let s3_full_arn = s3_full
        .policy()
        .and_then(|p| p.arn())
        .ok_or("no policy arn")?
        .to_string();

    // Unattached, yet FSBP IAM.1 judges it: attaching it later makes an administrator.
    iam.create_policy()
        .policy_name("legacy-admin")
        .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
        .send()
        .await?;

    for (name, env, group) in [
        ("alice", "prod", Some("admins")),
        ("bob", "dev", None),
        ("carol", "prod", Some("readers")),
    ] {
        iam.create_user()
            .user_name(name)
            .tags(env_tag(env)?)
            .send()
            .await?;
        if let Some(group) = group {
            iam.add_user_to_group()
                .group_name(group)
                .user_name(name)
                .send()
                .await?;
        }
    }
    iam.attach_user_policy()
        .user_name("bob")
        .policy_arn(&s3_full_arn)
        .send()
        .await?;

    escalation_paths(&iam).await?;

    // A role for AWS Support cases (CIS 1.17); dave with two active access keys (CIS 1.13).
    iam.create_role()
        .role_name("support")
        .assume_role_policy_document(TRUST_EC2)
        .send()
        .await?;
    iam.attach_role_policy()
        .role_name("support")
        .policy_arn("arn:aws:iam::aws:policy/AWSSupportAccess")
        .send()
        .await?;
    for _ in 0..2 {
        iam.create_access_key().user_name("dave").send().await?;
    }

    // Console passwords: alice with an MFA device, bob without (moto accepts any codes).
    for name in ["alice", "bob"] {
        iam.create_login_profile()
            .user_name(name)
            .password("Demo-password-2026!")
            .send()
            .await?;
    }
    let device = iam
        .create_virtual_mfa_device()
        .virtual_mfa_device_name("alice-phone")
        .send()
        .await?;
    let serial = device
        .virtual_mfa_device()
        .map(|d| d.serial_number().to_string())
        .ok_or("no MFA device")?;
    iam.enable_mfa_device()
        .user_name("alice")
        .serial_number(serial)
        .authentication_code1("123456")
        .authentication_code2("654321")
        .send()
        .await?;
    Ok(())
}

/// legacy-app's instance profile holds deploy-admin: whoever gets its credentials is an
/// administrator.
pub async fn seed_instance_profile(sdk: &SdkConfig, seeded: &Seeded) -> Result<(), BoxError> {
    let iam = aws_sdk_iam::Client::new(sdk);
    iam.create_instance_profile()
        .instance_profile_name("legacy-app")
        .send()
        .await?;
    iam.add_role_to_instance_profile()
        .instance_profile_name("legacy-app")
        .role_name("deploy-admin")
        .send()
        .await?;
    aws_sdk_ec2::Client::new(sdk)
        .associate_iam_instance_profile()
        .instance_id(&seeded.instances["legacy-app"])
        .iam_instance_profile(
            aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                .name("legacy-app")
                .build(),
        )
        .send()
        .await?;
    Ok(())
}

/// Privilege escalation: ci-deployer may pass an administrator role to Lambda and run it;
/// erin may bring back an administrator version of her own policy; the bounded-builder role
/// may attach any policy to itself but a permissions boundary caps it (moto 5.1.18 keeps
/// boundaries of roles only); dave may only make his own keys.
async fn escalation_paths(iam: &aws_sdk_iam::Client) -> Result<(), BoxError> {
    const ACCOUNT: &str = "123456789012";
    iam.create_role()
        .role_name("ops-admin")
        .assume_role_policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#)
        .send()
        .await?;
    iam.attach_role_policy()
        .role_name("ops-admin")
        .policy_arn(ADMIN_ARN)
        .send()
        .await?;
    let inline = |user: &'static str, name: &'static str, document: String| {
        iam.put_user_policy()
            .user_name(user)
            .policy_name(name)
            .policy_document(document)
            .send()
    };
    for user in ["ci-deployer", "erin", "dave"] {
        iam.create_user().user_name(user).send().await?;
    }
    inline(
        "ci-deployer",
        "deploy",
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"iam:PassRole","Resource":"arn:aws:iam::{ACCOUNT}:role/ops-admin"}},{{"Effect":"Allow","Action":["lambda:CreateFunction","lambda:InvokeFunction"],"Resource":"arn:aws:lambda:*:{ACCOUNT}:function:deploy-*"}}]}}"#),
    )
    .await?;
    inline(
        "dave",
        "self-service",
        format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":["iam:CreateAccessKey","iam:UpdateLoginProfile"],"Resource":"arn:aws:iam::{ACCOUNT}:user/${{aws:username}}"}}}}"#),
    )
    .await?;
    // erin's policy: v1 allowed everything, v2 (the default) only its own versions.
    let tools = iam
        .create_policy()
        .policy_name("team-tools")
        .policy_document(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#)
        .send()
        .await?;
    let tools_arn = tools
        .policy()
        .and_then(|p| p.arn())
        .ok_or("no policy arn")?
        .to_string();
    iam.create_policy_version()
        .policy_arn(&tools_arn)
        .policy_document(format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"iam:SetDefaultPolicyVersion","Resource":"{tools_arn}"}}}}"#))
        .set_as_default(true)
        .send()
        .await?;
    iam.attach_user_policy()
        .user_name("erin")
        .policy_arn(&tools_arn)
        .send()
        .await?;
    let s3_only = iam
        .create_policy()
        .policy_name("s3-only-boundary")
        .policy_document(r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":["s3:*","iam:AttachUserPolicy"],"Resource":"*"}}"#)
        .send()
        .await?;
    iam.create_role()
        .role_name("bounded-builder")
        .assume_role_policy_document(TRUST_EC2)
        .permissions_boundary(
            s3_only
                .policy()
                .and_then(|p| p.arn())
                .ok_or("no policy arn")?,
        )
        .send()
        .await?;
    iam.put_role_policy()
        .role_name("bounded-builder")
        .policy_name("self-admin")
        .policy_document(format!(r#"{{"Version":"2012-10-17","Statement":{{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::{ACCOUNT}:role/bounded-builder"}}}}"#))
        .send()
        .await?;
    Ok(())
}
