//! The source layout keeps its promises: no import circle between the library's top-level
//! modules, and no file too long to read.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

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
    // Depth-first search for a path back to where it started.
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
    for module in imports.keys() {
        if let Some(path) = path_back(&imports, module, module, &mut BTreeSet::new()) {
            panic!("import circle: {module} -> {}", path.join(" -> "));
        }
    }
    assert!(imports.contains_key("services"), "{imports:?}");
}

#[test]
fn no_source_file_is_over_500_lines_of_code() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    let long: Vec<_> = files
        .iter()
        .map(|path| (code(path).len(), path.strip_prefix(&src).unwrap().display()))
        .filter(|(lines, _)| *lines > 500)
        .map(|(lines, path)| format!("{path}: {lines}"))
        .collect();
    assert!(long.is_empty(), "split these files: {long:?}");
}
