//! What the CLI writes over several runs and for other readers: baselines and gates, mutelists,
//! OCSF, history, compliance views, and the committed generated references.

use super::*;

#[test]
fn baseline_diff_and_new_only_gate() {
    let dir = tempfile::tempdir().unwrap();
    let monday = dir.path().join("monday.json");
    let tuesday = dir.path().join("tuesday.json");
    let path = |p: &std::path::Path| p.to_str().unwrap().to_string();
    let first = scan(&["--output", &path(&monday)]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));

    let second = scan(&["--baseline", &path(&monday), "--output", &path(&tuesday)]);
    assert_eq!(second.status.code(), Some(0), "{}", stderr(&second));
    let old: Value = serde_json::from_str(&std::fs::read_to_string(&monday).unwrap()).unwrap();
    let new: Value = serde_json::from_str(&std::fs::read_to_string(&tuesday).unwrap()).unwrap();
    assert_eq!(new["baseline"]["run_id"], old["run_id"]);
    let changes = &new["changes"];
    assert_eq!(changes["new"].as_array().unwrap().len(), 0, "{changes}");
    assert_eq!(changes["resolved"].as_array().unwrap().len(), 0);
    assert!(changes["persisting"].as_array().unwrap().len() > 5);
    // first_seen comes from the first run.
    let failed = new["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["status"] == "fail")
        .unwrap();
    assert_eq!(failed["first_seen"], old["started_at"]);

    // Nothing new: a --new-only gate passes where the plain gate fails.
    let gate = |extra: &[&str]| {
        let mut args = vec![
            "--baseline",
            monday.to_str().unwrap(),
            "--fail-on",
            "critical",
        ];
        args.extend_from_slice(extra);
        scan(&args).status.code()
    };
    assert_eq!(gate(&["--new-only"]), Some(0));
    assert_eq!(gate(&[]), Some(3));

    let diff = secaudit(
        &["diff", &path(&monday), &path(&tuesday), "--format", "json"],
        None,
    );
    assert_eq!(diff.status.code(), Some(0), "{}", stderr(&diff));
    let document: Value = serde_json::from_slice(&diff.stdout).unwrap();
    assert_eq!(
        document["changes"]["persisting"],
        new["changes"]["persisting"]
    );
    let table = secaudit(&["diff", &path(&monday), &path(&tuesday)], None);
    assert!(String::from_utf8_lossy(&table.stdout).contains("0 new, 0 resolved"));

    // A baseline of another account is refused, naming the file.
    let mut other = old.clone();
    other["account_id"] = "999999999999".into();
    let elsewhere = dir.path().join("elsewhere.json");
    std::fs::write(&elsewhere, other.to_string()).unwrap();
    let refused = scan(&["--baseline", &path(&elsewhere)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(
        stderr(&refused).contains(
            "elsewhere.json: a report of account 999999999999, not of account 123456789012"
        ),
        "{}",
        stderr(&refused)
    );
    let garbage = dir.path().join("garbage.json");
    std::fs::write(&garbage, "{").unwrap();
    let refused = scan(&["--baseline", &path(&garbage)]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("garbage.json: not a secaudit report"));
}

#[test]
fn a_mutelist_mutes_gates_and_scores_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mutes = dir.path().join("mutes.toml");
    std::fs::write(
        &mutes,
        "[[rule]]\nchecks = [\"*\"]\nresources = [\"*\"]\nreason = \"lab account\"\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let mutes = mutes.to_str().unwrap();
    let checked = secaudit(&["mutelist", "check", mutes], None);
    assert_eq!(checked.status.code(), Some(0), "{}", stderr(&checked));
    assert!(String::from_utf8_lossy(&checked.stdout).contains("valid, 1 rule(s)"));

    let output = scan(&["--mutelist", mutes, "--fail-on", "critical"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["summary"]["failed"], 0);
    assert!(report["summary"]["muted"].as_u64().unwrap() > 5);
    assert_eq!(report["score"]["overall"], 100.0);
    assert_eq!(report["mutelist"]["rules"], 1);

    let broken = dir.path().join("broken.toml");
    std::fs::write(
        &broken,
        "[[rule]]\nchecks = [\"*\"]\nresources = [\"*\"]\nexpires = \"2999-01-01\"\n",
    )
    .unwrap();
    let broken = broken.to_str().unwrap();
    for args in [
        vec!["mutelist", "check", broken],
        vec!["scan", "--region", "us-east-1", "--mutelist", broken],
    ] {
        let output = secaudit(&args, Some(&emulator().endpoint));
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert_eq!(
            stderr(&output).trim_end(),
            format!(
                "secaudit: {broken}:1: rule 1, reason: missing: every accepted risk needs a reason"
            )
        );
    }
}

/// `--format ocsf`: one Detection Finding per result, valid for the OCSF model package.
#[test]
fn ocsf_output_validates_against_the_ocsf_schema_models() {
    use std::io::Write as _;
    let output = scan(&["--format", "ocsf"]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let text = String::from_utf8(output.stdout).unwrap();
    let json = scan(&[]);
    let report: Value = serde_json::from_slice(&json.stdout).unwrap();
    // One finding per result, and one per exposure (whose related findings are its steps).
    let exposures = report["exposures"].as_array().unwrap().len();
    assert!(exposures >= 2, "{report}");
    assert_eq!(
        text.lines().count(),
        report["results"].as_array().unwrap().len() + exposures
    );
    let exposure_ids: Vec<&str> = report["exposures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap())
        .collect();
    let exposure_findings = text
        .lines()
        .map(|line| serde_json::from_str::<Value>(line).unwrap())
        .filter(|f| exposure_ids.contains(&f["finding_info"]["uid"].as_str().unwrap_or("")))
        .count();
    assert_eq!(exposure_findings, exposures);
    let python = std::env::var("SECAUDIT_MOTO_PYTHON")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/.venv/bin/python").into());
    let mut validator = Command::new(python)
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/e2e/ocsf_validate.py"
        ))
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("run the OCSF validator (make test installs it)");
    validator
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let verdict = validator.wait_with_output().unwrap();
    let said = String::from_utf8_lossy(&verdict.stdout);
    assert!(verdict.status.success(), "{said}");
    assert!(said.contains("findings valid"), "{said}");
}

/// `--history`: each run is added to the file, and the HTML page draws the trend from it.
#[test]
fn history_grows_run_by_run_and_the_page_draws_the_trend() {
    let dir = tempfile::tempdir().unwrap();
    let history = dir.path().join("history.json");
    let report = dir.path().join("report.json");
    let history_arg = history.to_str().unwrap();
    for _ in 0..2 {
        let output = scan(&[
            "--services",
            "s3",
            "--history",
            history_arg,
            "--output",
            report.to_str().unwrap(),
        ]);
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    }
    let runs: Value = serde_json::from_str(&std::fs::read_to_string(&history).unwrap()).unwrap();
    assert_eq!(runs["runs"].as_array().unwrap().len(), 2, "{runs}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    assert_eq!(saved["trend"].as_array().unwrap().len(), 2);
    let page = secaudit(
        &[
            "render",
            report.to_str().unwrap(),
            "--format",
            "html",
            "--history",
            history_arg,
        ],
        None,
    );
    assert_eq!(page.status.code(), Some(0), "{}", stderr(&page));
    let html = String::from_utf8(page.stdout).unwrap();
    assert!(html.contains("<svg id=\"trend\""), "no trend chart");
    let points = html
        .split("points=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap();
    assert_eq!(points.split(' ').count(), 2, "{points}");
    // A broken history is refused before any AWS call.
    std::fs::write(&history, "{").unwrap();
    let refused = scan(&["--history", history_arg]);
    assert_eq!(refused.status.code(), Some(2));
    assert!(stderr(&refused).contains("not a secaudit history"));
}

/// docs/checks.md is `secaudit checks --format markdown`, committed: it must follow the registry.
#[test]
fn the_committed_check_reference_is_current() {
    let output = secaudit(&["checks", "--format", "markdown"], None);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    let generated = String::from_utf8(output.stdout).expect("UTF-8");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/checks.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "docs/checks.md is stale: run `make generate`"
    );
}

/// `secaudit compliance`: every requirement of a framework once, in each format; a framework
/// it does not know is a usage error.
#[test]
fn compliance_views_list_every_requirement_once_in_each_format() {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("report.json");
    let path = report.to_str().unwrap();
    let run = scan(&["--output", path]);
    assert_eq!(run.status.code(), Some(0), "{}", stderr(&run));

    let view = |framework: &str, format: &str| {
        let output = secaudit(
            &[
                "compliance",
                path,
                "--framework",
                framework,
                "--format",
                format,
            ],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        String::from_utf8(output.stdout).unwrap()
    };
    for (framework, count) in [("cis-aws-3.0", 62), ("cis-aws-7.0", 70), ("fsbp", 363)] {
        let json: Value = serde_json::from_str(&view(framework, "json")).unwrap();
        let requirements = json["requirements"].as_array().unwrap();
        assert_eq!(requirements.len(), count, "{framework}");
        let counts = &json["counts"];
        let sum: u64 = ["pass", "fail", "not_evaluated", "not_covered"]
            .iter()
            .map(|k| counts[k].as_u64().unwrap())
            .sum();
        assert_eq!(sum, count as u64);

        // CSV: a header, then every requirement at least once, each row ten fields.
        let csv = view(framework, "csv");
        let mut lines = csv.lines();
        assert_eq!(
            lines.next(),
            Some("framework,requirement id,title,status,check ids,resource,region,result id,muted,reason")
        );
        let ids: std::collections::BTreeSet<String> = lines
            .map(|line| line.split(',').nth(1).unwrap().to_string())
            .collect();
        assert_eq!(ids.len(), count, "{framework}");

        assert!(view(framework, "table").contains("Coverage: "));
    }
    // CIS 5.2 (0.0.0.0/0) fails on the demo's ssh-open group; 5.3 (::/0) on rdp-ipv6.
    let cis: Value = serde_json::from_str(&view("cis-aws-3.0", "json")).unwrap();
    let status = |id: &str| {
        cis["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("5.2"), "fail");
    assert_eq!(status("5.3"), "fail");
    assert_eq!(status("1.1"), "not_covered");
    // v7.0.0 renumbers them 6.3 and 6.4; 3.3.1 (EFS) fails on the demo's unencrypted `scratch`.
    let v7: Value = serde_json::from_str(&view("cis-aws-7.0", "json")).unwrap();
    let requirement = |id: &str| {
        v7["requirements"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(requirement("6.3")["status"], "fail");
    assert_eq!(requirement("6.4")["status"], "fail");
    assert_eq!(requirement("3.3.1")["status"], "fail");

    let unknown = secaudit(&["compliance", path, "--framework", "pci"], None);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(
        stderr(&unknown).contains("unknown framework 'pci'"),
        "{}",
        stderr(&unknown)
    );
}

/// docs/coverage-<framework>.md is `secaudit compliance --coverage`, committed: a check that
/// maps to a requirement changes it, or this fails.
#[test]
fn the_committed_coverage_tables_are_current() {
    for framework in ["cis-aws-3.0", "cis-aws-7.0", "fsbp"] {
        let output = secaudit(
            &["compliance", "--coverage", "--framework", framework],
            None,
        );
        assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
        let generated = String::from_utf8(output.stdout).expect("UTF-8");
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join(format!("docs/coverage-{framework}.md"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == generated,
            "docs/coverage-{framework}.md is stale: run `make generate`"
        );
    }
}
