//! Which commits are a release's own bookkeeping — the versions of
//! workspace members, their requirements on each other, the lockfile
//! entries of members, changelogs — rather than part of a fix. Each line
//! makes its own bump, so such a commit is not looked for on other lines.
//! A commit that adds or raises an external dependency is never
//! bookkeeping: that raise can be the fix itself (a fix by a new `cap-std`).

use std::collections::BTreeSet;

use anyhow::Result;
use toml_edit::{DocumentMut, Item, Value};

use super::policy::is_changelog;
use crate::git::{Oid, Repo};
use crate::lockfile::Lockfile;

/// Does this (non-merge) commit only change versions of `members`, their
/// requirements on each other, their lockfile entries and changelogs?
/// Merges are never bookkeeping: what they bring is judged commit by commit.
pub fn is_version_bookkeeping(
    repo: &Repo,
    commit: Oid,
    members: &BTreeSet<String>,
) -> Result<bool> {
    let Some(parent) = repo.first_parent(commit)? else {
        return Ok(false);
    };
    if repo.commit_info(commit)?.parent_count != 1 {
        return Ok(false);
    }
    let paths = repo.changed_paths(parent, commit)?;
    if paths.is_empty() {
        return Ok(false);
    }
    let (old, new) = (repo.tree_at(parent)?, repo.tree_at(commit)?);
    for path in &paths {
        if is_changelog(path) {
            continue;
        }
        let file = path.rsplit('/').next().unwrap_or(path);
        let read = |tree: &crate::git::CommitTree<'_>| -> Result<String> {
            Ok(tree
                .read(path)?
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default())
        };
        let (before, after) = (read(&old)?, read(&new)?);
        let same = match file {
            "Cargo.toml" => same_but_member_versions(&before, &after, members),
            "Cargo.lock" => same_external_packages(&before, &after, path),
            _ => false,
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Two manifests equal once the package version and the `version` of
/// every requirement on a member are left out. An unparsable side is
/// "different" (the commit then counts as code, which is the safe side).
pub fn same_but_member_versions(before: &str, after: &str, members: &BTreeSet<String>) -> bool {
    let canon = |text: &str| -> Option<String> {
        if text.is_empty() {
            return Some(String::new());
        }
        let mut doc: DocumentMut = text.parse().ok()?;
        strip_member_versions(&mut doc, members);
        Some(canonical(doc.as_item()))
    };
    match (canon(before), canon(after)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

fn strip_member_versions(doc: &mut DocumentMut, members: &BTreeSet<String>) {
    if let Some(p) = doc.get_mut("package").and_then(Item::as_table_like_mut) {
        p.remove("version");
    }
    if let Some(ws) = doc.get_mut("workspace").and_then(Item::as_table_like_mut) {
        if let Some(p) = ws.get_mut("package").and_then(Item::as_table_like_mut) {
            p.remove("version");
        }
        if let Some(d) = ws.get_mut("dependencies").and_then(Item::as_table_like_mut) {
            strip_requirements(d, members);
        }
    }
    const KINDS: [&str; 5] = [
        "dependencies",
        "dev-dependencies",
        "dev_dependencies",
        "build-dependencies",
        "build_dependencies",
    ];
    for kind in KINDS {
        if let Some(d) = doc.get_mut(kind).and_then(Item::as_table_like_mut) {
            strip_requirements(d, members);
        }
    }
    if let Some(targets) = doc.get_mut("target").and_then(Item::as_table_like_mut) {
        for (_, target) in targets.iter_mut() {
            let Some(target) = target.as_table_like_mut() else {
                continue;
            };
            for kind in KINDS {
                if let Some(d) = target.get_mut(kind).and_then(Item::as_table_like_mut) {
                    strip_requirements(d, members);
                }
            }
        }
    }
}

fn strip_requirements(table: &mut dyn toml_edit::TableLike, members: &BTreeSet<String>) {
    for (key, item) in table.iter_mut() {
        let real = item
            .get("package")
            .and_then(Item::as_str)
            .unwrap_or(key.get())
            .to_string();
        if !members.contains(&real) {
            continue;
        }
        if item.is_str() {
            *item = Item::Value(Value::from(""));
        } else if let Some(t) = item.as_table_like_mut() {
            t.remove("version");
        }
    }
}

/// A formatting-independent rendering of a TOML item: keys sorted, decor
/// and quoting left out.
fn canonical(item: &Item) -> String {
    match item {
        Item::None => String::new(),
        Item::Value(v) => canonical_value(v),
        Item::Table(t) => canonical_table(t.iter()),
        Item::ArrayOfTables(a) => {
            let parts: Vec<String> = a.iter().map(|t| canonical_table(t.iter())).collect();
            format!("[{}]", parts.join(","))
        }
    }
}

fn canonical_table<'a>(entries: impl Iterator<Item = (&'a str, &'a Item)>) -> String {
    let mut parts: Vec<String> = entries
        .map(|(k, v)| format!("{k:?}={}", canonical(v)))
        .collect();
    parts.sort();
    format!("{{{}}}", parts.join(","))
}

fn canonical_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("{:?}", s.value()),
        Value::Array(a) => {
            let parts: Vec<String> = a.iter().map(canonical_value).collect();
            format!("[{}]", parts.join(","))
        }
        Value::InlineTable(t) => {
            let mut parts: Vec<String> = t
                .iter()
                .map(|(k, v)| format!("{k:?}={}", canonical_value(v)))
                .collect();
            parts.sort();
            format!("{{{}}}", parts.join(","))
        }
        other => {
            let mut v = other.clone();
            v.decor_mut().clear();
            v.to_string()
        }
    }
}

/// Two lockfiles lock the same external packages (members may differ).
fn same_external_packages(before: &str, after: &str, path: &str) -> bool {
    let external = |text: &str| -> Option<BTreeSet<(String, String, String)>> {
        if text.is_empty() {
            return Some(BTreeSet::new());
        }
        let lock = Lockfile::parse(text, path).ok()?;
        Some(
            lock.packages
                .iter()
                .filter_map(|p| {
                    p.source
                        .as_ref()
                        .map(|s| (p.name.clone(), p.version.clone(), s.clone()))
                })
                .collect(),
        )
    };
    match (external(before), external(after)) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_versions_are_bookkeeping_external_requirements_are_not() {
        let members: BTreeSet<String> = ["cargo", "cargo-util"].map(String::from).into();
        let before = r#"[package]
name = "cargo"
version = "0.73.0"

[dependencies]
cargo-util = { path = "crates/cargo-util", version = "0.2.3" }
itoa = "1.0.9"
"#;
        let bumped = before
            .replace("0.73.0", "0.73.1")
            .replace("\"0.2.3\"", "\"0.2.6\"");
        assert!(same_but_member_versions(before, &bumped, &members));
        let raised = before.replace("1.0.9", "1.0.19");
        assert!(!same_but_member_versions(before, &raised, &members));
        let reformatted = before.replace("itoa = \"1.0.9\"", "itoa = '1.0.9'   # pinned");
        assert!(same_but_member_versions(before, &reformatted, &members));
    }
}
