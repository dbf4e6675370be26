//! The dependency tree keeps the build's price down (docs/adding-a-service.md): one version of
//! each AWS runtime crate and one HTTP/TLS stack, read from `Cargo.lock`.

use std::collections::BTreeMap;
use std::path::Path;

/// `Cargo.lock`'s packages: name to the versions locked.
fn locked_packages() -> BTreeMap<String, Vec<String>> {
    let lock = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.lock"))
        .expect("Cargo.lock");
    let lock: toml::Table = toml::from_str(&lock).expect("Cargo.lock is TOML");
    let mut packages: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for package in lock["package"].as_array().expect("[[package]]") {
        let field = |key: &str| package[key].as_str().expect("name and version").to_string();
        packages
            .entry(field("name"))
            .or_default()
            .push(field("version"));
    }
    packages
}

/// A new SDK crate is added with `cargo update` of the whole aws family: an older smithy
/// runtime beside the newer one would compile both.
#[test]
fn the_aws_runtime_crates_are_locked_at_one_version_each() {
    let duplicated: Vec<_> = locked_packages()
        .into_iter()
        .filter(|(name, versions)| {
            let family = name.starts_with("aws-")
                || [
                    "hyper",
                    "hyper-util",
                    "http",
                    "http-body",
                    "h2",
                    "rustls",
                    "tokio",
                ]
                .contains(&name.as_str());
            family && versions.len() > 1
        })
        .collect();
    assert!(
        duplicated.is_empty(),
        "run `cargo update` for the aws family; locked twice: {duplicated:?}"
    );
}

/// The SDK crates' default features bring a second HTTPS client (hyper 0.14 with rustls 0.21),
/// aws-lc-rs (a C build, beside ring) and SigV4a's elliptic curves: secaudit uses none of them
/// (`aws::https_client`), so every SDK crate is declared with `default-features = false`.
#[test]
fn one_https_client_is_built() {
    let packages = locked_packages();
    for unwanted in [
        "aws-lc-sys",
        "aws-lc-rs",
        "hyper-rustls@0.24",
        "hyper@0.14",
        "p256",
    ] {
        let (name, version) = unwanted.split_once('@').unwrap_or((unwanted, ""));
        let locked = packages.get(name).into_iter().flatten();
        let found: Vec<_> = locked.filter(|v| v.starts_with(version)).collect();
        assert!(
            found.is_empty(),
            "{name} {found:?} is in Cargo.lock: an SDK crate was added with its default \
             features (declare it with `default-features = false, features = [\"rt-tokio\"]`)"
        );
    }
    assert!(
        packages.contains_key("ring"),
        "the TLS provider: rustls on ring"
    );
}

/// Release builds are optimised for size, secaudit's own code included, and abort on a panic
/// (Cargo.toml says why): a crate given opt-level 3 would grow the Lambda's binary by its share
/// of a third.
#[test]
fn release_builds_optimise_for_size_and_abort_on_panic() {
    let manifest =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml"))
            .expect("Cargo.toml");
    let manifest: toml::Table = toml::from_str(&manifest).expect("Cargo.toml is TOML");
    let release = &manifest["profile"]["release"];
    assert_eq!(release["opt-level"].as_str(), Some("s"));
    assert_eq!(release["lto"].as_str(), Some("fat"));
    assert_eq!(release["panic"].as_str(), Some("abort"));
    let overridden: Vec<&String> = release["package"]
        .as_table()
        .expect("[profile.release.package]")
        .iter()
        .filter(|(_, settings)| settings.get("opt-level").is_some())
        .map(|(name, _)| name)
        .collect();
    assert!(
        overridden.is_empty(),
        "opt-level overridden for {overridden:?}"
    );
}
