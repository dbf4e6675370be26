//! Account guardrails: CloudTrail trails, KMS keys, GuardDuty detectors, Config recorders.

/// A CloudTrail trail homed in an audited region.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Trail {
    pub name: String,
    pub arn: String,
    /// The trail's home region.
    pub region: String,
    pub multi_region: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    /// GetTrailStatus `IsLogging`; `None`: unreadable.
    pub logging: Option<bool>,
    /// Whether the selectors record every read and write management event from every source;
    /// `None`: unreadable.
    pub all_management_events: Option<bool>,
}

impl Trail {
    pub const RESOURCE_TYPE: &'static str = "AWS::CloudTrail::Trail";
}

/// A customer-managed, enabled, symmetric KMS key of origin AWS_KMS: the keys that can and
/// should rotate (AWS-managed, asymmetric, HMAC, imported and CloudHSM keys are out of scope).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KmsKey {
    pub id: String,
    pub arn: String,
    pub region: String,
    /// `None`: the rotation status could not be read.
    pub rotation_enabled: Option<bool>,
}

impl KmsKey {
    pub const RESOURCE_TYPE: &'static str = "AWS::KMS::Key";
}

/// An AWS Config configuration recorder and its status.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConfigRecorder {
    pub name: String,
    pub recording: bool,
    /// `SUCCESS`, `PENDING`, `FAILURE` or empty.
    pub last_status: String,
}
