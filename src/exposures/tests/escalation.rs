use super::*;

/// A role that is not an administrator but can become one in a few calls is the same reach:
/// the exposure is critical and its last step names the path.
#[test]
fn a_reachable_instance_whose_role_can_escalate_reaches_an_administrator() {
    let attach_self = r#"{"Statement":[{"Effect":"Allow","Action":"iam:AttachRolePolicy","Resource":"arn:aws:iam::123456789012:role/app"}]}"#;
    let inventory = account(
        vec![SecurityGroup::opening("sg-ssh", 22, "0.0.0.0/0")],
        vec![instance("i-1", true, &["sg-ssh"], "optional", "enabled")],
        vec![role("app", attach_self)],
    );
    let found = exposures_of(&inventory);
    assert_eq!(found.len(), 1, "{found:#?}");
    let exposure = &found[0];
    assert_eq!(exposure.severity, Severity::Critical);
    let reach = exposure.steps.last().unwrap();
    assert_eq!(
        (reach.check_id.as_str(), reach.role),
        ("iam.privilege_escalation", StepRole::Reach)
    );
    assert!(
        reach
            .contributes
            .contains("iam:AttachRolePolicy on role/app"),
        "{}",
        reach.contributes
    );
    assert!(exposure
        .title
        .ends_with("its role app can become an administrator."));
}
