use super::catalog::{EC2_EBS_ENCRYPTED, EC2_IMDSV2_REQUIRED, EC2_NO_PUBLIC_IP};
use super::{Resource, Verdicts};
use crate::inventory::Inventory;

pub(super) fn evaluate(inventory: &Inventory, verdicts: &mut Verdicts) {
    for instance in &inventory.instances {
        let resource = Resource {
            resource_type: "AWS::EC2::Instance",
            id: &instance.id,
            arn: Some(&instance.arn),
            region: &instance.region,
        };
        match (
            instance.http_endpoint.as_deref(),
            instance.http_tokens.as_deref(),
        ) {
            (Some("disabled"), _) => verdicts.pass(
                &EC2_IMDSV2_REQUIRED,
                &resource,
                "The instance metadata endpoint is disabled, so IMDSv1 cannot be used.".into(),
            ),
            (_, Some("required")) => verdicts.pass(
                &EC2_IMDSV2_REQUIRED,
                &resource,
                "HttpTokens is required: only IMDSv2 session-token requests are accepted.".into(),
            ),
            (_, Some(tokens)) => verdicts.fail(
                &EC2_IMDSV2_REQUIRED,
                &resource,
                format!(
                    "HttpTokens is {tokens}: IMDSv1 requests are accepted ({} instance).",
                    instance.state
                ),
            ),
            (_, None) => verdicts.fail(
                &EC2_IMDSV2_REQUIRED,
                &resource,
                "No metadata options were reported, so IMDSv1 cannot be ruled out.".into(),
            ),
        }
        verdicts.judge(
            &EC2_NO_PUBLIC_IP,
            &resource,
            instance.public_ips.is_empty(),
            || "The instance has no public IPv4 address.".into(),
            || match instance.public_ips.as_slice() {
                [one] => format!("The instance has public IPv4 address {one}."),
                many => format!(
                    "The instance has public IPv4 addresses {}.",
                    many.join(", ")
                ),
            },
        );
    }
    for volume in &inventory.volumes {
        let resource = Resource {
            resource_type: "AWS::EC2::Volume",
            id: &volume.id,
            arn: Some(&volume.arn),
            region: &volume.region,
        };
        let attachment = if volume.attached_instances.is_empty() {
            "not attached".to_string()
        } else {
            format!("attached to {}", volume.attached_instances.join(", "))
        };
        verdicts.judge(
            &EC2_EBS_ENCRYPTED,
            &resource,
            volume.encrypted,
            || match &volume.kms_key_id {
                Some(key) => format!(
                    "The volume is encrypted with KMS key {key} ({}, {attachment}).",
                    volume.state
                ),
                None => format!("The volume is encrypted ({}, {attachment}).", volume.state),
            },
            || {
                format!(
                    "The volume is not encrypted ({}, {attachment}).",
                    volume.state
                )
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::checks::test_support::{only, run};
    use crate::inventory::{Instance, Inventory, Volume};
    use crate::report::Status;

    fn instance(
        id: &str,
        endpoint: Option<&str>,
        tokens: Option<&str>,
        ip: Option<&str>,
    ) -> Instance {
        Instance {
            id: id.into(),
            region: "eu-west-1".into(),
            arn: format!("arn:aws:ec2:eu-west-1:123456789012:instance/{id}"),
            state: "stopped".into(),
            http_tokens: tokens.map(Into::into),
            http_endpoint: endpoint.map(Into::into),
            public_ips: ip.into_iter().map(Into::into).collect(),
            tags: Default::default(),
        }
    }

    #[test]
    fn imdsv2_passes_when_required_or_endpoint_disabled() {
        let inventory = Inventory {
            instances: vec![
                instance("i-required", Some("enabled"), Some("required"), None),
                instance("i-optional", Some("enabled"), Some("optional"), None),
                instance("i-disabled", Some("disabled"), Some("optional"), None),
                instance("i-unknown", None, None, None),
            ],
            ..Default::default()
        };
        let results = run(&inventory);
        let status = |id| only(&results, "ec2.imdsv2_required", id).status;
        assert_eq!(status("i-required"), Status::Pass);
        assert_eq!(status("i-disabled"), Status::Pass);
        assert_eq!(status("i-unknown"), Status::Fail);
        let optional = only(&results, "ec2.imdsv2_required", "i-optional");
        assert_eq!(optional.status, Status::Fail);
        assert!(optional
            .detail
            .starts_with("HttpTokens is optional: IMDSv1 requests are accepted"));
        assert!(optional.detail.contains("stopped"));
    }

    #[test]
    fn public_ip_fails_and_names_the_address() {
        let inventory = Inventory {
            instances: vec![
                instance(
                    "i-public",
                    Some("enabled"),
                    Some("required"),
                    Some("54.1.2.3"),
                ),
                instance("i-private", Some("enabled"), Some("required"), None),
            ],
            ..Default::default()
        };
        let results = run(&inventory);
        let public = only(&results, "ec2.no_public_ip", "i-public");
        assert_eq!(public.status, Status::Fail);
        assert!(public.detail.contains("54.1.2.3"));
        assert_eq!(
            only(&results, "ec2.no_public_ip", "i-private").status,
            Status::Pass
        );
    }

    #[test]
    fn a_public_address_on_a_secondary_interface_fails_too() {
        let mut multi = instance("i-multi", Some("enabled"), Some("required"), None);
        multi.public_ips = vec!["3.3.3.3".into(), "18.1.1.1".into()];
        let results = run(&Inventory {
            instances: vec![multi],
            ..Default::default()
        });
        let result = only(&results, "ec2.no_public_ip", "i-multi");
        assert_eq!(result.status, Status::Fail);
        assert_eq!(
            result.detail,
            "The instance has public IPv4 addresses 3.3.3.3, 18.1.1.1."
        );
    }

    #[test]
    fn every_volume_is_judged_attached_or_not() {
        let volume = |id: &str, encrypted, attached: &[&str]| Volume {
            id: id.into(),
            region: "eu-west-1".into(),
            arn: String::new(),
            encrypted,
            kms_key_id: encrypted.then(|| "alias/aws/ebs".to_string()),
            state: if attached.is_empty() {
                "available"
            } else {
                "in-use"
            }
            .into(),
            attached_instances: attached.iter().map(|s| s.to_string()).collect(),
            tags: Default::default(),
        };
        let inventory = Inventory {
            volumes: vec![
                volume("vol-enc", true, &["i-1"]),
                volume("vol-plain", false, &["i-1"]),
                volume("vol-loose", false, &[]),
            ],
            ..Default::default()
        };
        let results = run(&inventory);
        assert_eq!(
            only(&results, "ec2.ebs_encrypted", "vol-enc").status,
            Status::Pass
        );
        let plain = only(&results, "ec2.ebs_encrypted", "vol-plain");
        assert_eq!(plain.status, Status::Fail);
        assert!(plain.detail.contains("attached to i-1"));
        assert_eq!(
            only(&results, "ec2.ebs_encrypted", "vol-loose").status,
            Status::Fail
        );
        assert!(only(&results, "ec2.ebs_encrypted", "vol-loose")
            .resource_arn
            .is_none());
    }
}
