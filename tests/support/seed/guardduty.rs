//! GuardDuty: a detector in the seeded region (the other audited region has none), with S3
//! Protection and Runtime Monitoring (its EKS agent managed) on and EKS Audit Log Monitoring
//! off; the other plans are not configured.

use aws_config::SdkConfig;
use aws_sdk_guardduty::types::{
    DetectorAdditionalConfiguration, DetectorFeature, DetectorFeatureConfiguration,
    FeatureAdditionalConfiguration, FeatureStatus,
};

use super::BoxError;

pub async fn seed(sdk: &SdkConfig) -> Result<(), BoxError> {
    let plan = |name: DetectorFeature, on: bool| {
        let status = if on {
            FeatureStatus::Enabled
        } else {
            FeatureStatus::Disabled
        };
        DetectorFeatureConfiguration::builder()
            .name(name)
            .status(status)
    };
    let managed_eks_agent = DetectorAdditionalConfiguration::builder()
        .name(FeatureAdditionalConfiguration::EksAddonManagement)
        .status(FeatureStatus::Enabled)
        .build();
    aws_sdk_guardduty::Client::new(sdk)
        .create_detector()
        .enable(true)
        .features(plan(DetectorFeature::S3DataEvents, true).build())
        .features(plan(DetectorFeature::EksAuditLogs, false).build())
        .features(
            plan(DetectorFeature::RuntimeMonitoring, true)
                .additional_configuration(managed_eks_agent)
                .build(),
        )
        .send()
        .await?;
    Ok(())
}
