//! Property tests: the policy parser and the security-group evaluation never panic, whatever
//! they are given, and keep their invariants.

use proptest::prelude::*;
use secaudit::model::Status;
use secaudit::policy::PolicyDocument;
use secaudit::services::checks::evaluate;
use secaudit::services::checks::CheckOptions;
use secaudit::services::sg::{self, IngressRule, SecurityGroup};
use secaudit::services::Inventory;
use serde_json::{json, Value};

/// Arbitrary JSON, a few levels deep, with policy-ish keys to reach deeper code paths.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        "[ -~]{0,12}".prop_map(Value::from),
        prop_oneof![
            Just("*"),
            Just("Allow"),
            Just("Deny"),
            Just("s3:*"),
            Just("ünï©ødé ✓")
        ]
        .prop_map(Value::from),
    ];
    leaf.prop_recursive(4, 64, 6, |inner| {
        let key = prop_oneof![
            Just("Statement".to_string()),
            Just("Effect".to_string()),
            Just("Action".to_string()),
            Just("NotAction".to_string()),
            Just("Resource".to_string()),
            Just("NotResource".to_string()),
            Just("Condition".to_string()),
            "[a-zA-Z]{1,8}",
        ];
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::btree_map(key, inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

proptest! {
    // A fixed seed keeps CI deterministic; PROPTEST_CASES=100000 explores further locally.
    #![proptest_config(ProptestConfig {
        cases: 512,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x5ec_a0d1),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_text_parses_or_fails_cleanly(text in "\\PC{0,200}") {
        let _ = PolicyDocument::parse(&text);
        let _ = PolicyDocument::parse(&encode(&text));
    }

    #[test]
    fn any_json_parses_or_fails_cleanly_and_encoding_changes_nothing(value in json_value()) {
        let text = value.to_string();
        let plain = PolicyDocument::parse(&text);
        let encoded = PolicyDocument::parse(&encode(&text));
        prop_assert_eq!(plain, encoded);
    }

    #[test]
    fn well_formed_statements_always_parse(
        effect in prop_oneof![Just("Allow"), Just("Deny")],
        actions in prop::collection::vec(prop_oneof![Just("*".to_string()), "[a-z0-9]{1,6}:[A-Za-z*]{1,8}"], 1..4),
        resources in prop::collection::vec(prop_oneof![Just("*".to_string()), "arn:aws:s3:::[a-z]{3,8}"], 1..3),
        not_action in any::<bool>(),
    ) {
        let action_key = if not_action { "NotAction" } else { "Action" };
        let document = json!({"Statement": {"Effect": effect, action_key: actions, "Resource": resources}});
        let parsed = PolicyDocument::parse(&document.to_string()).expect("valid document");
        let statement = &parsed.statements[0];
        // Deny never grants; an admin grant is always also a wildcard-action grant.
        if effect == "Deny" {
            prop_assert!(!statement.allows_full_admin() && statement.wildcard_actions().is_empty());
        }
        if statement.allows_full_admin() {
            prop_assert!(!statement.wildcard_actions().is_empty());
            prop_assert_eq!(statement.wildcard_resource(), Some("*"));
        }
    }

    #[test]
    fn security_group_verdicts_are_total_and_consistent(
        rules in prop::collection::vec(
            (
                prop_oneof![Just("tcp"), Just("udp"), Just("-1"), Just("icmp"), Just("6"), Just("17"), Just("50"), Just("TCP"), Just("")],
                prop::option::of(-5i32..70000),
                prop::option::of(-5i32..70000),
                prop::collection::vec(
                    prop_oneof![Just("0.0.0.0/0"), Just("::/0"), Just("10.0.0.0/8"), Just("2001:db8::/32"), Just("not a cidr"), Just("0.0.0.0/1")],
                    0..3,
                ),
            ),
            0..6,
        )
    ) {
        let ingress: Vec<IngressRule> = rules
            .into_iter()
            .map(|(protocol, from, to, cidrs)| IngressRule {
                protocol: protocol.to_string(),
                from_port: from,
                to_port: to,
                cidrs: cidrs.into_iter().map(str::to_string).collect(),
                ..IngressRule::default()
            })
            .collect();
        let world = ingress.iter().any(|r| r.cidrs.iter().any(|c| c == "0.0.0.0/0" || c == "::/0"));
        let inventory = Inventory::from(sg::Inventory { security_groups: vec![SecurityGroup {
                id: "sg-1".into(),
                name: "g".into(),
                vpc_id: None,
                region: "us-east-1".into(),
                arn: String::new(),
                ingress,
                ..SecurityGroup::default()
            }] });
        let results = evaluate(&inventory, "123456789012", &CheckOptions::default(), time::OffsetDateTime::UNIX_EPOCH);
        // sg.unauthorized_world_ports judges only groups open to the world (EC2.18's scope).
        prop_assert_eq!(results.len(), if world { 3 } else { 2 });
        let status = |id: &str| results.iter().find(|r| r.check_id == id).unwrap().status;
        // Every port open to the world includes every high-risk and an unauthorized port.
        if status("sg.all_ports_open") == Status::Fail {
            prop_assert_eq!(status("sg.high_risk_ports"), Status::Fail);
            prop_assert_eq!(status("sg.unauthorized_world_ports"), Status::Fail);
        }
        // A high-risk port is never an authorized one (80 and 443 are not high-risk).
        if status("sg.high_risk_ports") == Status::Fail {
            prop_assert_eq!(status("sg.unauthorized_world_ports"), Status::Fail);
        }
        // Nothing open to the world, nothing to fail.
        if !world {
            prop_assert_eq!(status("sg.high_risk_ports"), Status::Pass);
            prop_assert_eq!(status("sg.all_ports_open"), Status::Pass);
        }
    }
}
