//! Systems Manager: a private document and one shared with every AWS account, public sharing
//! blocked in eu-west-1 only, and (given the EC2 seed's instances) one patch-compliant and one
//! non-compliant instance. moto 5.1.18 lacks the service settings and patch compliance APIs:
//! `tests/support/moto_server.py` (`ssm_settings_and_compliance`) answers them.

use aws_config::{Region, SdkConfig};
use aws_sdk_ssm::primitives::DateTime;
use aws_sdk_ssm::types::{
    ComplianceExecutionSummary, ComplianceItemEntry, ComplianceSeverity, ComplianceStatus,
    DocumentFormat, DocumentPermissionType, DocumentType, Tag,
};

use super::BoxError;

const RUNBOOK: &str = r#"{"schemaVersion":"2.2","description":"secaudit demo runbook","mainSteps":[{"action":"aws:runShellScript","name":"uptime","inputs":{"runCommand":["uptime"]}}]}"#;

const PUBLIC_SHARING_SETTING: &str = "/ssm/documents/console/public-sharing-permission";

/// `runbook-private` (shared with nobody) and `runbook-public` (shared with All); the
/// block-public-sharing setting turned on (`Disable`) in eu-west-1 and left at AWS's default
/// (`Enable`) in us-east-1.
pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let ssm = aws_sdk_ssm::Client::new(sdk);
    for (name, env, public) in [
        ("runbook-private", "prod", false),
        ("runbook-public", "dev", true),
    ] {
        ssm.create_document()
            .name(name)
            .content(RUNBOOK)
            .document_type(DocumentType::Command)
            .document_format(DocumentFormat::Json)
            .tags(Tag::builder().key("Environment").value(env).build()?)
            .send()
            .await?;
        if public {
            ssm.modify_document_permission()
                .name(name)
                .permission_type(DocumentPermissionType::Share)
                .account_ids_to_add("All")
                .send()
                .await?;
        }
    }
    let eu = aws_sdk_ssm::Client::from_conf(
        aws_sdk_ssm::config::Builder::from(sdk)
            .region(Region::new("eu-west-1"))
            .build(),
    );
    eu.update_service_setting()
        .setting_id(PUBLIC_SHARING_SETTING)
        .setting_value("Disable")
        .send()
        .await?;
    Ok(())
}

/// A patch scan result (compliance type `Patch`) for two instances of the EC2 seed, in the
/// SdkConfig's region: one compliant, one missing a critical and a high patch. Instances
/// without a result (the others) get no `ssm.patch_compliance` verdict.
pub async fn seed_patch_compliance(
    sdk: &SdkConfig,
    compliant_instance: &str,
    non_compliant_instance: &str,
) -> Result<(), BoxError> {
    let ssm = aws_sdk_ssm::Client::new(sdk);
    let patch = |id: &str, severity: ComplianceSeverity, status: ComplianceStatus| {
        ComplianceItemEntry::builder()
            .id(id)
            .title(format!("{id} security update"))
            .severity(severity)
            .status(status)
            .build()
    };
    let scans = [
        (
            compliant_instance,
            vec![patch(
                "KB5034441",
                ComplianceSeverity::Critical,
                ComplianceStatus::Compliant,
            )?],
        ),
        (
            non_compliant_instance,
            vec![
                patch(
                    "KB5034441",
                    ComplianceSeverity::Critical,
                    ComplianceStatus::NonCompliant,
                )?,
                patch(
                    "KB5034439",
                    ComplianceSeverity::High,
                    ComplianceStatus::NonCompliant,
                )?,
            ],
        ),
    ];
    for (instance, items) in scans {
        ssm.put_compliance_items()
            .resource_id(instance)
            .resource_type("ManagedInstance")
            .compliance_type("Patch")
            .execution_summary(
                ComplianceExecutionSummary::builder()
                    .execution_time(DateTime::from_secs(1_793_577_600))
                    .build()?,
            )
            .set_items(Some(items))
            .send()
            .await?;
    }
    Ok(())
}
