//! The source layout keeps its promises: no import circle between the library's top-level
//! modules, no file too long to read, and every file formatted.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn rust_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            found.push(path);
        }
    }
}

/// A file's code before its unit tests, without comment lines.
fn code(path: &Path) -> Vec<String> {
    fs::read_to_string(path)
        .unwrap()
        .lines()
        .take_while(|line| !line.starts_with("#[cfg(test)]"))
        .filter(|line| !line.trim_start().starts_with("//"))
        .map(str::to_string)
        .collect()
}

fn library_files() -> Vec<(String, PathBuf)> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files
        .into_iter()
        .filter_map(|path| {
            let relative = path.strip_prefix(&src).unwrap().to_str()?.to_string();
            let top = relative
                .split('/')
                .next()?
                .trim_end_matches(".rs")
                .to_string();
            (top != "bin" && top != "lib").then_some((top, path))
        })
        .collect()
}

/// Depth-first search for a path of imports back to where it started.
fn path_back(
    imports: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in imports.get(from)? {
        if next == to {
            return Some(vec![next.clone()]);
        }
        if seen.insert(next.clone()) {
            if let Some(mut path) = path_back(imports, next, to, seen) {
                path.insert(0, next.clone());
                return Some(path);
            }
        }
    }
    None
}

#[test]
fn top_level_modules_import_each_other_without_a_circle() {
    let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (module, path) in library_files() {
        for line in code(&path) {
            for (at, _) in line.match_indices("crate::") {
                let name: String = line[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() && name != module {
                    imports.entry(module.clone()).or_default().insert(name);
                }
            }
        }
    }
    for module in imports.keys() {
        if let Some(path) = path_back(&imports, module, module, &mut BTreeSet::new()) {
            panic!("import circle: {module} -> {}", path.join(" -> "));
        }
    }
    assert!(imports.contains_key("services"), "{imports:?}");
}

#[test]
fn no_source_file_is_over_500_lines_of_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["src", "tests", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    let long: Vec<_> = files
        .iter()
        .map(|path| (code(path).len(), path.strip_prefix(root).unwrap().display()))
        .filter(|(lines, _)| *lines > 500)
        .map(|(lines, path)| format!("{path}: {lines}"))
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}

/// `cargo fmt` formats only the modules it can see: one declared inside a macro (as the service
/// folders once were) is skipped, and `make lint` stays green while it drifts.
#[test]
fn every_rust_file_is_seen_by_the_formatter_and_formatted() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let output = Command::new(cargo)
        .args(["fmt", "--all", "--", "--check", "--verbose"])
        .current_dir(root)
        .output()
        .expect("cargo fmt runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let seen: BTreeSet<PathBuf> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("Formatting "))
        .filter_map(|path| fs::canonicalize(path.trim()).ok())
        .collect();
    let mut files = Vec::new();
    for dir in ["src", "tests", "examples"] {
        rust_files(&root.join(dir), &mut files);
    }
    let unseen: Vec<_> = files
        .iter()
        .filter(|path| !seen.contains(&fs::canonicalize(path).unwrap()))
        .map(|path| path.strip_prefix(root).unwrap().display().to_string())
        .collect();
    assert!(
        unseen.is_empty(),
        "cargo fmt never reaches these files (declare their modules outside macros): {unseen:?}"
    );
    assert!(
        output.status.success(),
        "run `cargo fmt --all`:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The first path segments a `use`-style path names after `prefix` in `code`: `super::a` and
/// `super::{a, b::c}` both count (`a`, then `a` and `b`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let identifier = |text: &str| -> String {
        text.trim_start()
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let mut names = BTreeSet::new();
    for (at, _) in code.match_indices(prefix) {
        let before = code[..at].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let rest = &code[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let (mut depth, mut item_start) = (0, 0);
            for (i, c) in group.char_indices() {
                match c {
                    '{' => depth += 1,
                    '}' if depth == 0 => {
                        names.insert(identifier(&group[item_start..i]));
                        break;
                    }
                    '}' => depth -= 1,
                    ',' if depth == 0 => {
                        names.insert(identifier(&group[item_start..i]));
                        item_start = i + 1;
                    }
                    _ => {}
                }
            }
        } else {
            names.insert(identifier(rest));
        }
    }
    names.remove("");
    names
}

/// Circles between the files (and sub-folders) of one module: `render/compliance.rs` importing
/// `render/table.rs` and back. Children may use their parent (`mod.rs`, which owns what they
/// share) and the parent its children; siblings depend one way.
#[test]
fn files_of_one_module_import_each_other_without_a_circle() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut dirs = vec![root.clone()];
    let mut i = 0;
    while i < dirs.len() {
        for entry in fs::read_dir(&dirs[i]).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            }
        }
        i += 1;
    }
    let mut circles = Vec::new();
    let mut modules_checked = 0;
    for dir in dirs.iter().skip(1) {
        let relative = dir
            .strip_prefix(&root)
            .unwrap()
            .to_str()
            .unwrap()
            .to_string();
        // A binary's folder is its crate root; elsewhere the folder is a module of the library.
        let module_path = if relative.starts_with("bin/") {
            "crate::".to_string()
        } else {
            format!("crate::{}::", relative.replace('/', "::"))
        };
        let mut siblings: BTreeMap<String, String> = BTreeMap::new();
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_str().unwrap().to_string();
            let mut files = Vec::new();
            if path.is_dir() {
                rust_files(&path, &mut files);
            } else if path.extension().is_some_and(|e| e == "rs")
                && !["mod", "main", "lib"].contains(&stem.as_str())
            {
                files.push(path.clone());
            }
            let text: Vec<String> = files.iter().flat_map(|file| code(file)).collect();
            if !files.is_empty() {
                siblings.insert(stem, text.join("\n"));
            }
        }
        modules_checked += 1;
        let mut imports: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, text) in &siblings {
            let mut named = names_after(text, &module_path);
            named.extend(names_after(text, "super::"));
            let edges = named
                .into_iter()
                .filter(|other| other != name && siblings.contains_key(other));
            imports.entry(name.clone()).or_default().extend(edges);
        }
        for name in imports.keys() {
            if let Some(path) = path_back(&imports, name, name, &mut BTreeSet::new()) {
                circles.push(format!("{relative}: {name} -> {}", path.join(" -> ")));
            }
        }
    }
    assert!(modules_checked > 20, "{modules_checked} folders seen");
    assert!(
        circles.is_empty(),
        "files importing each other: {circles:?}"
    );
}

/// Contributor pages quote compiled code: every fenced block whose first line is
/// `// file: PATH` must appear, line for line, in PATH, so the page cannot drift from the code
/// the build compiles and the tests run.
#[test]
fn contributor_pages_quote_compiled_code() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (mut quoted, mut stale) = (0, Vec::new());
    for page in ["docs/adding-a-service.md", "docs/adding-a-check.md"] {
        let text = fs::read_to_string(root.join(page)).unwrap();
        let mut lines = text.lines();
        while let Some(line) = lines.next() {
            let fence = line.trim_start();
            if !fence.starts_with("```rust") {
                continue;
            }
            let indent = line.len() - fence.len();
            let block: Vec<&str> = lines
                .by_ref()
                .take_while(|l| !l.trim_start().starts_with("```"))
                .map(|l| l.get(indent..).unwrap_or(""))
                .collect();
            let Some(path) = block.first().and_then(|l| l.strip_prefix("// file: ")) else {
                continue;
            };
            quoted += 1;
            let file = fs::read_to_string(root.join(path)).unwrap_or_default();
            if !file.contains(&block[1..].join("\n")) {
                stale.push(format!("{page}: the block quoting {path}"));
            }
        }
    }
    assert!(quoted >= 6, "{quoted} quoted blocks");
    assert!(stale.is_empty(), "quote the files again: {stale:?}");
}

/// The command-line parser is the binary's: the library's types name their values (`Format`
/// has `ALL`, `name`, `help`) and the binary turns them into clap's choices.
#[test]
fn the_library_does_not_use_the_command_line_parser() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let using: Vec<_> = files
        .iter()
        .filter(|path| !path.strip_prefix(&src).unwrap().starts_with("bin"))
        .filter(|path| code(path).iter().any(|line| line.contains("clap::")))
        .map(|path| path.display().to_string())
        .collect();
    assert!(using.is_empty(), "clap in the library: {using:?}");
}
