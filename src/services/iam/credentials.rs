//! IAM credentials and account settings: the root user, the password policy, and each user's
//! console MFA and key and password ages from the credential report.

use time::OffsetDateTime;

use super::{AccessKey, CredentialUser, PrincipalKind};
use crate::model::{Severity, ACCOUNT_RESOURCE_TYPE};
use crate::services::checks::CheckOptions;
use crate::services::checks::EventTrigger;
use crate::services::checks::Read;
use crate::services::checks::{enumerate, Check, Resource, Verdicts};
use crate::services::{Inventory, Service};

/// What can give the root user an MFA device or take it away.
const ROOT_MFA_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &["EnableMFADevice", "DeactivateMFADevice"],
}];

/// What can create or delete an access key (the root user's included).
const ROOT_KEY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &["CreateAccessKey", "DeleteAccessKey"],
}];

/// What can change the account's password policy.
const PASSWORD_POLICY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &["UpdateAccountPasswordPolicy", "DeleteAccountPasswordPolicy"],
}];

/// What can give a user a console password or an MFA device, or take either away.
const CONSOLE_MFA_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "CreateLoginProfile",
        "DeleteLoginProfile",
        "EnableMFADevice",
        "DeactivateMFADevice",
        "DeleteUser",
    ],
}];

/// What can create, activate, deactivate or delete a user's access key.
const ACCESS_KEY_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "CreateAccessKey",
        "UpdateAccessKey",
        "DeleteAccessKey",
        "DeleteUser",
    ],
}];

/// What can create, change, activate or remove a user's password or access key.
const CREDENTIAL_CHANGES: &[EventTrigger] = &[EventTrigger {
    source: "iam.amazonaws.com",
    names: &[
        "CreateAccessKey",
        "UpdateAccessKey",
        "DeleteAccessKey",
        "CreateLoginProfile",
        "UpdateLoginProfile",
        "DeleteLoginProfile",
        "DeleteUser",
    ],
}];

fn judge_account(
    verdicts: &mut Verdicts,
    setting: Option<bool>,
    pass: impl FnOnce() -> String,
    fail: impl FnOnce() -> String,
) {
    let Some(passed) = setting else { return };
    verdicts.judge_account("global", passed, pass, fail);
}

pub(super) const ROOT_MFA: Check = Check {
    id: "iam.root_mfa",
    service: Service::Iam,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "The root user has MFA",
    rationale: "The root user can do anything, including closing the account; a password alone \
                is one phishing mail away.",
    remediation: "Sign in as root and assign an MFA device (a hardware key or passkey for \
                  production accounts); or centralise root access with AWS Organizations and \
                  remove root credentials.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/enable-mfa-for-root.html",
    fsbp: &["IAM.6", "IAM.9"],
    cis: &["1.5", "1.6"],
    triggers: ROOT_MFA_CHANGES,
    // The device list tells a virtual device from a hardware one (IAM.6, CIS 1.6).
    reads: &[
        Read::all("iam:GetAccountSummary"),
        Read::all("iam:ListVirtualMFADevices"),
    ],
    evaluate: |inventory, _, verdicts| {
        let account = &inventory.iam.account;
        let Some(enabled) = account.root_mfa_enabled else {
            return;
        };
        let virtual_device = account.root_virtual_mfa;
        // FSBP IAM.6 (`root-account-hardware-mfa-enabled`) and CIS 1.6 ask for a hardware
        // device: a virtual one passes this check and IAM.9/CIS 1.5, not them.
        let mut facts = match (enabled, virtual_device) {
            (false, _) => vec!["no root mfa".to_string()],
            (true, Some(true)) => vec!["root mfa virtual".to_string()],
            (true, Some(false)) => vec!["root mfa hardware".to_string()],
            (true, None) => Vec::new(),
        };
        // CIS v7.0.0 2.5 passes a root user without a password (centralized root access).
        if !enabled && account.root_password_present == Some(false) {
            facts.push("root password absent".into());
        }
        verdicts.judge_account_with_facts(
            "global",
            enabled,
            || match virtual_device {
                Some(true) => {
                    "The root user has MFA, a virtual device (CIS 1.6 asks for hardware).".into()
                }
                Some(false) => "The root user has MFA, a hardware device or passkey.".into(),
                None => "The root user has MFA.".into(),
            },
            || "The root user has no MFA device (AccountMFAEnabled is 0).".into(),
            facts,
        );
    },
};

pub(super) const ROOT_ACCESS_KEYS: Check = Check {
    id: "iam.root_access_keys",
    service: Service::Iam,
    severity: Severity::Critical,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "The root user has no access keys",
    rationale: "A root access key is a permanent credential with unlimited rights; an inactive \
                one is one API call from active again.",
    remediation: "Delete the root user's access keys (Security credentials page, signed in as \
                  root); use IAM roles instead.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_root-user_manage_delete-key.html",
    fsbp: &["IAM.4"],
    cis: &["1.4"],
    triggers: ROOT_KEY_CHANGES,
    reads: &[Read::all("iam:GetAccountSummary")],
    evaluate: |inventory, _, verdicts| {
        judge_account(
            verdicts,
            inventory
                .iam
                .account
                .root_access_keys_present
                .map(|present| !present),
            || "The root user has no access keys.".into(),
            || {
                "The root user has an access key (active or not: AccountAccessKeysPresent is 1)."
                    .into()
            },
        );
    },
};

pub(super) const PASSWORD_POLICY: Check = Check {
    id: "iam.password_policy",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[ACCOUNT_RESOURCE_TYPE],
    title: "The IAM password policy requires long, unrepeated passwords",
    rationale: "Console passwords of IAM users are guessed and reused; length and reuse \
                prevention are what CIS asks of the policy.",
    remediation: "aws iam update-account-password-policy --minimum-password-length 14 \
                  --password-reuse-prevention 24 (and keep your other requirements).",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_passwords_account-policy.html",
    fsbp: &["IAM.7"],
    cis: &["1.8", "1.9"],
    triggers: PASSWORD_POLICY_CHANGES,
    reads: &[Read::all("iam:GetAccountPasswordPolicy")],
    evaluate: password_policy,
};

fn password_policy(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    let Some(policy) = &inventory.iam.account.password_policy else {
        return;
    };
    let (length, reuse) = (
        options.min_password_length,
        options.min_password_reuse_prevention,
    );
    let mut problems = Vec::new();
    // What each requirement judges on its own terms: CIS 1.8 the length, 1.9 the reuse
    // prevention, FSBP IAM.7 the length and the four character classes.
    let mut facts = Vec::new();
    match policy {
        None => {
            problems.push("the account has no password policy".to_string());
            facts.push("no password policy".to_string());
        }
        Some(policy) => {
            let value = |v: Option<i32>| u32::try_from(v.unwrap_or(0)).unwrap_or(0);
            facts.push(format!("minimum length {}", value(policy.minimum_length)));
            facts.push(format!(
                "reuse prevention {}",
                value(policy.reuse_prevention)
            ));
            for (required, class) in [
                (policy.require_uppercase, "uppercase"),
                (policy.require_lowercase, "lowercase"),
                (policy.require_numbers, "numbers"),
                (policy.require_symbols, "symbols"),
            ] {
                if required {
                    facts.push(format!("requires {class}"));
                }
            }
            if value(policy.minimum_length) < length {
                problems.push(format!(
                    "the minimum length is {} (at least {length} required)",
                    value(policy.minimum_length)
                ));
            }
            if value(policy.reuse_prevention) < reuse {
                problems.push(format!(
                    "{} previous passwords are remembered (at least {reuse} required)",
                    value(policy.reuse_prevention)
                ));
            }
        }
    }
    verdicts.judge_account_with_facts(
        "global",
        problems.is_empty(),
        || {
            format!("The password policy requires at least {length} characters and remembers at least {reuse} passwords.")
        },
        || {
            let mut sentence = enumerate(&problems, 2);
            sentence[..1].make_ascii_uppercase();
            format!("{sentence}.")
        },
        facts,
    );
}

fn credential_user_resource(user: &CredentialUser) -> Resource<'_> {
    Resource {
        resource_type: PrincipalKind::User.resource_type(),
        id: &user.name,
        name: None,
        arn: Some(&user.arn),
        region: "global",
    }
}

/// Whole days from `since` to `now`.
fn days_since(now: OffsetDateTime, since: OffsetDateTime) -> i64 {
    (now - since).whole_days()
}

pub(super) const CONSOLE_USER_MFA: Check = Check {
    id: "iam.console_user_mfa",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[PrincipalKind::User.resource_type()],
    title: "IAM users with a console password have MFA",
    rationale: "A console password alone is phished, guessed or reused; MFA stops a stolen \
                password from being a stolen account.",
    remediation: "Assign an MFA device to the user (or remove the console password if the user \
                  does not sign in to the console).",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_mfa_enable.html",
    fsbp: &["IAM.5"],
    cis: &["1.10"],
    triggers: CONSOLE_MFA_CHANGES,
    reads: &[
        Read::all("iam:GenerateCredentialReport"),
        Read::all("iam:GetCredentialReport"),
    ],
    evaluate: |inventory, _, verdicts| {
        let Some(users) = &inventory.iam.credential_users else {
            return;
        };
        for user in users.iter().filter(|u| u.password_enabled) {
            verdicts.judge(
                &credential_user_resource(user),
                user.mfa_active,
                || "The user has a console password and an MFA device.".into(),
                || "The user has a console password and no MFA device.".into(),
            );
        }
    },
};

/// CIS AWS Foundations v3.0.0 1.13: "only one active access key available for any single IAM
/// user" (the credential report's `access_key_1_active` and `access_key_2_active`).
pub(super) const ONE_ACTIVE_KEY: Check = Check {
    id: "iam.one_active_key",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[PrincipalKind::User.resource_type()],
    title: "IAM users have at most one active access key",
    rationale: "A second active key doubles what can leak and hides which one a workload still \
                uses; the second slot is for a rotation, for as long as it takes.",
    remediation: "Find the key the workload no longer uses (last used date), deactivate it \
                  (aws iam update-access-key --status Inactive) and delete it.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html",
    fsbp: &[],
    cis: &["1.13"],
    triggers: ACCESS_KEY_CHANGES,
    reads: &[
        Read::all("iam:GenerateCredentialReport"),
        Read::all("iam:GetCredentialReport"),
    ],
    evaluate: |inventory, _, verdicts| {
        let Some(users) = &inventory.iam.credential_users else {
            return;
        };
        for user in users {
            let active = user.access_keys.iter().filter(|k| k.active).count();
            verdicts.judge(
                &credential_user_resource(user),
                active <= 1,
                || {
                    format!(
                        "{active} active access key{}.",
                        if active == 1 { "" } else { "s" }
                    )
                },
                || format!("{active} active access keys."),
            );
        }
    },
};

pub(super) const ACCESS_KEY_ROTATION: Check = Check {
    id: "iam.access_key_rotation",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[PrincipalKind::User.resource_type()],
    title: "Active IAM access keys are rotated",
    rationale: "The longer a key lives, the more places it has been copied to; old keys are how \
                leaked credentials stay useful.",
    remediation: "Create a new key, switch the workload to it, deactivate and delete the old \
                  one; better, replace long-lived keys with roles.",
    reference: "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_access-keys.html#rotating_access_keys_console",
    fsbp: &["IAM.3"],
    cis: &["1.14"],
    triggers: ACCESS_KEY_CHANGES,
    reads: &[Read::all("iam:GenerateCredentialReport"), Read::all("iam:GetCredentialReport")],
    evaluate: access_key_rotation,
};

fn access_key_rotation(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    let Some(users) = &inventory.iam.credential_users else {
        return;
    };
    let limit = i64::from(options.max_access_key_age_days);
    let now = verdicts.now();
    for user in users {
        let active: Vec<&AccessKey> = user.access_keys.iter().filter(|k| k.active).collect();
        if active.is_empty() {
            continue;
        }
        let old: Vec<String> = active
            .iter()
            .filter_map(|key| {
                let age = key.last_rotated.map(|at| days_since(now, at));
                match age {
                    Some(days) if days <= limit => None,
                    Some(days) => Some(format!("key {} is {days} days old", key.slot)),
                    None => Some(format!("key {} has no creation date", key.slot)),
                }
            })
            .collect();
        // FSBP IAM.3 (`access-keys-rotated`, maxAccessKeyAge 90) and CIS 1.14 (90 days) judge
        // the ages themselves, whatever limit this run was given.
        let ages: Vec<Option<i64>> = active
            .iter()
            .map(|key| key.last_rotated.map(|at| days_since(now, at)))
            .collect();
        let facts = match ages.iter().copied().collect::<Option<Vec<i64>>>() {
            Some(days) => days
                .into_iter()
                .max()
                .map(|oldest| format!("oldest active key {oldest} days"))
                .into_iter()
                .collect(),
            None => vec!["active key without creation date".to_string()],
        };
        verdicts.judge_with_facts(
            &credential_user_resource(user),
            old.is_empty(),
            || format!("Every active access key is at most {limit} days old."),
            || {
                format!(
                    "Active access keys older than {limit} days: {}.",
                    enumerate(&old, 2)
                )
            },
            facts,
        );
    }
}

pub(super) const UNUSED_CREDENTIALS: Check = Check {
    id: "iam.unused_credentials",
    service: Service::Iam,
    severity: Severity::Medium,
    resource_types: &[PrincipalKind::User.resource_type()],
    title: "IAM users have no active credentials left unused",
    rationale: "A password or key nobody uses is nobody's to notice when someone else starts \
                using it.",
    remediation: "Remove the unused console password and deactivate (then delete) unused \
                  access keys.",
    reference:
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_credentials_finding-unused.html",
    fsbp: &["IAM.8"],
    cis: &["1.12"],
    triggers: CREDENTIAL_CHANGES,
    reads: &[
        Read::all("iam:GenerateCredentialReport"),
        Read::all("iam:GetCredentialReport"),
    ],
    evaluate: unused_credentials,
};

/// A credential counts from its last use, or, never used, from its creation: a new one gets
/// the same grace as a recently used one.
fn unused_credentials(inventory: &Inventory, options: &CheckOptions, verdicts: &mut Verdicts) {
    let Some(users) = &inventory.iam.credential_users else {
        return;
    };
    let limit = i64::from(options.max_unused_credential_days);
    let now = verdicts.now();
    for user in users {
        let mut credentials = Vec::new();
        if user.password_enabled {
            let since = user
                .password_last_used
                .or(user.password_last_changed)
                .or(user.created);
            credentials.push((
                "the console password".to_string(),
                user.password_last_used.is_some(),
                since,
            ));
        }
        for key in user.access_keys.iter().filter(|k| k.active) {
            credentials.push((
                format!("access key {}", key.slot),
                key.last_used.is_some(),
                key.last_used.or(key.last_rotated),
            ));
        }
        if credentials.is_empty() {
            continue;
        }
        // How long each credential went unused: FSBP IAM.8 judges 90 days, CIS 1.12 45.
        let facts: Vec<String> = (credentials.iter())
            .filter_map(|(_, _, since)| {
                since.map(|at| format!("unused {} days", days_since(now, at)))
            })
            .collect();
        let unused: Vec<String> = credentials
            .into_iter()
            .filter_map(|(what, used, since)| {
                let days = since.map(|at| days_since(now, at))?;
                (days > limit).then(|| {
                    if used {
                        format!("{what} was last used {days} days ago")
                    } else {
                        format!("{what} was never used in the {days} days since it was created")
                    }
                })
            })
            .collect();
        verdicts.judge_with_facts(
            &credential_user_resource(user),
            unused.is_empty(),
            || format!("Every active credential was used (or created) within {limit} days."),
            || {
                let mut sentence = enumerate(&unused, 3);
                sentence[..1].make_ascii_uppercase();
                format!("{sentence}.")
            },
            facts,
        );
    }
}
