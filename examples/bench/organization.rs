//! The organization scenario: many small member accounts on one emulator, audited by one
//! `secaudit scan --organization` through a role.

use super::*;

/// One `secaudit scan --organization` over many member accounts.
pub(crate) struct OrganizationRun {
    pub(crate) accounts: usize,
    pub(crate) units: usize,
    pub(crate) seed_time: Duration,
    pub(crate) usage: Usage,
    /// API calls per account: least, mean, most.
    pub(crate) calls: (u64, f64, u64),
    pub(crate) complete: usize,
}

/// The organization scenario's emulator: `accounts` member accounts of `units` each.
pub(crate) fn seed_organization(
    accounts: usize,
    units: usize,
) -> Result<(MotoServer, Duration), String> {
    eprintln!(
        "== organization: {accounts} accounts × {units} units: starting moto and seeding ..."
    );
    let server = start_emulator();
    let clock = Instant::now();
    let management = server.sdk_config("us-east-1");
    support::block_on(async {
        let names: Vec<String> = (0..accounts).map(|i| format!("member-{i:03}")).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let members = support::create_member_accounts(&management, &names).await;
        for (id, name) in members.iter().zip(names) {
            let member = support::in_account(&management, id, MEMBER_ROLE).await;
            seed_units_with_buckets(&member, units, name)
                .await
                .map_err(|e| format!("seeding account {id}: {e}"))?;
        }
        Ok::<(), String>(())
    })?;
    let seed_time = clock.elapsed();
    eprintln!("   seeded in {:.1} s", seed_time.as_secs_f64());
    Ok((server, seed_time))
}

/// One `secaudit scan --organization` (the management account excluded) over the seeded
/// members, measured like an audit.
pub(crate) fn audit_organization(
    secaudit: &Path,
    server: &MotoServer,
    accounts: usize,
    units: usize,
    seed_time: Duration,
) -> Result<OrganizationRun, String> {
    eprintln!(
        "   auditing the organization with {} ...",
        secaudit.display()
    );
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let output = launched(secaudit, &server.endpoint, dir.path())?
        .args(["scan", "--region", "us-east-1", "--organization", "--quiet"])
        .args([
            "--exclude-accounts",
            "123456789012",
            "--role-name",
            MEMBER_ROLE,
        ])
        .arg("--output-dir")
        .arg(dir.path())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run the launcher: {e}"))?;
    let usage = Usage::parse(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| format!("the launcher failed: {:?}", output.status))?;
    if usage.status != 0 {
        return Err(format!(
            "secaudit --organization exited with status {}",
            usage.status
        ));
    }
    let read = |path: PathBuf| -> Result<serde_json::Value, String> {
        let text = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        serde_json::from_slice(&text).map_err(|e| format!("{}: {e}", path.display()))
    };
    let summary = read(dir.path().join("organization.json"))?;
    let entries = summary["accounts"].as_array().cloned().unwrap_or_default();
    if entries.len() != accounts {
        return Err(format!(
            "organization.json has {} accounts, not {accounts}",
            entries.len()
        ));
    }
    let mut calls = Vec::new();
    for entry in &entries {
        let id = entry["account_id"].as_str().unwrap_or_default();
        let report = read(dir.path().join(format!("{id}.json")))?;
        calls.push(report["api_calls"]["total"].as_u64().unwrap_or(0));
    }
    let complete = entries.iter().filter(|e| e["complete"] == true).count();
    for entry in entries.iter().filter(|e| e["complete"] != true) {
        eprintln!("   incomplete: {} {}", entry["account_id"], entry["errors"]);
    }
    eprintln!(
        "   wall {:.2} s, CPU {:.2} s, peak RSS {:.1} MB, {complete} of {accounts} complete",
        usage.wall.as_secs_f64(),
        usage.cpu().as_secs_f64(),
        usage.peak_rss_kb as f64 / 1024.0
    );
    Ok(OrganizationRun {
        accounts,
        units,
        seed_time,
        usage,
        calls: (
            calls.iter().copied().min().unwrap_or(0),
            calls.iter().sum::<u64>() as f64 / calls.len().max(1) as f64,
            calls.iter().copied().max().unwrap_or(0),
        ),
        complete,
    })
}
