//! Versions on a backport branch are this tool's decision, not the picked
//! commits': the version fields, the requirements on workspace members and
//! the member entries of `Cargo.lock`. Pinning them to the target's values
//! before a cherry-pick keeps main's own version bump out of the merge, and
//! the same walker raises requirements for the target's bump commit.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use semver::{Version, VersionReq};
use toml_edit::{DocumentMut, Item, TableLike, Value};

use crate::lockfile::Lockfile;
use crate::manifest::{raise_requirement, replace_str, requires_at_least};

const DEP_KINDS: [&str; 5] = [
    "dependencies",
    "dev-dependencies",
    "dev_dependencies",
    "build-dependencies",
    "build_dependencies",
];

/// Where a version string sits in a manifest, as a user would name it:
/// `package.version`, `workspace.dependencies.cargo-util`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Slot {
    table: String,
    key: String,
    /// The package the slot is about; empty for the manifest's own version.
    krate: String,
}

/// Calls `f` on every version string of the manifest's own version
/// (`package.version`, `workspace.package.version`) and of each requirement
/// on one of `crates` (plain strings, inline tables, `[dependencies.x]`,
/// renames, `target.*`, `[workspace.dependencies]`). `workspace = true`
/// entries carry no version and are skipped.
fn visit(
    doc: &mut DocumentMut,
    crates: Option<&BTreeSet<String>>,
    f: &mut dyn FnMut(&Slot, &mut Value),
) {
    let root = doc.as_table_mut();
    if let Some(Item::Value(v @ Value::String(_))) = root
        .get_mut("package")
        .and_then(Item::as_table_like_mut)
        .and_then(|p| p.get_mut("version"))
    {
        f(&own_slot("package"), v);
    }
    // `TableLike::get_mut` never inserts; `Item::get_mut` would leave an
    // empty `package = {}` under a `[workspace]` that has no such table.
    if let Some(ws) = root.get_mut("workspace").and_then(Item::as_table_like_mut) {
        if let Some(Item::Value(v @ Value::String(_))) = ws
            .get_mut("package")
            .and_then(Item::as_table_like_mut)
            .and_then(|p| p.get_mut("version"))
        {
            f(&own_slot("workspace.package"), v);
        }
        if let Some(t) = ws.get_mut("dependencies").and_then(Item::as_table_like_mut) {
            visit_deps(t, "workspace.dependencies", crates, f);
        }
    }
    for kind in DEP_KINDS {
        if let Some(t) = root.get_mut(kind).and_then(Item::as_table_like_mut) {
            visit_deps(t, kind, crates, f);
        }
    }
    if let Some(targets) = root.get_mut("target").and_then(Item::as_table_like_mut) {
        for (cfg, t) in targets.iter_mut() {
            let Some(t) = t.as_table_like_mut() else {
                continue;
            };
            for (kind, deps) in t.iter_mut() {
                if !DEP_KINDS.contains(&kind.get()) {
                    continue;
                }
                if let Some(deps) = deps.as_table_like_mut() {
                    let label = format!("target.'{}'.{}", cfg.get(), kind.get());
                    visit_deps(deps, &label, crates, f);
                }
            }
        }
    }
}

fn own_slot(table: &str) -> Slot {
    Slot {
        table: table.to_string(),
        key: "version".to_string(),
        krate: String::new(),
    }
}

fn visit_deps(
    table: &mut dyn TableLike,
    label: &str,
    crates: Option<&BTreeSet<String>>,
    f: &mut dyn FnMut(&Slot, &mut Value),
) {
    for (key, item) in table.iter_mut() {
        let real = item
            .get("package")
            .and_then(Item::as_str)
            .unwrap_or(key.get())
            .to_string();
        if crates.is_some_and(|c| !c.contains(&real)) {
            continue;
        }
        let slot = match item {
            Item::Value(v @ Value::String(_)) => Some(v),
            _ => item
                .as_table_like_mut()
                .and_then(|t| t.get_mut("version"))
                .and_then(|v| match v {
                    Item::Value(v @ Value::String(_)) => Some(v),
                    _ => None,
                }),
        };
        if let Some(v) = slot {
            let slot = Slot {
                table: label.to_string(),
                key: key.get().to_string(),
                krate: real,
            };
            f(&slot, v);
        }
    }
}

/// `text` (a manifest) with its own version and its requirements on
/// `members` set to what `reference` has in the same places. `None` when
/// nothing differs or either side does not parse (the merge then sees the
/// file as it is).
pub fn pin_manifest(text: &str, reference: &str, members: &BTreeSet<String>) -> Option<String> {
    let mut doc: DocumentMut = text.parse().ok()?;
    let mut reference: DocumentMut = reference.parse().ok()?;
    let mut wanted: HashMap<Slot, String> = HashMap::new();
    visit(&mut reference, Some(members), &mut |slot, v| {
        if let Some(s) = v.as_str() {
            wanted.insert(slot.clone(), s.to_string());
        }
    });
    let mut changed = false;
    visit(&mut doc, Some(members), &mut |slot, v| {
        if let Some(want) = wanted.get(slot)
            && v.as_str() != Some(want.as_str())
        {
            replace_str(v, want);
            changed = true;
        }
    });
    changed.then(|| doc.to_string())
}

/// `text` (a `Cargo.lock`) with the entries of `members` at the versions
/// `reference` locks them at.
pub fn pin_lockfile(text: &str, reference: &str, members: &BTreeSet<String>) -> Option<String> {
    let mut lock = Lockfile::parse(text, "Cargo.lock").ok()?;
    let reference = Lockfile::parse(reference, "Cargo.lock").ok()?;
    let mut changed = false;
    for name in members {
        let (Some(want), Some(have)) = (reference.path_package(name), lock.path_package(name))
        else {
            continue;
        };
        if want.version != have.version {
            let want = want.version.clone();
            changed |= lock.set_path_package_version(name, &want);
        }
    }
    changed.then(|| lock.render())
}

/// `text` (a manifest) with every version string, its own and every
/// dependency's requirement, replaced by `*`: what is left is what a change
/// means besides versions. `None` when it does not parse.
pub fn strip_versions(text: &str) -> Option<String> {
    let mut doc: DocumentMut = text.parse().ok()?;
    visit(&mut doc, None, &mut |_, v| replace_str(v, "*"));
    Some(doc.to_string())
}

/// A requirement rewritten in a manifest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequirementChange {
    /// `workspace.dependencies`, `dependencies`, `target.'cfg(unix)'.dependencies`.
    pub table: String,
    pub key: String,
    pub krate: String,
    pub old: String,
    pub new: String,
}

/// Raises every requirement on `krate` that still admits a version below
/// `new`, keeping the operator (`=0.2.14` → `=0.2.15`) and the formatting.
pub fn raise_requirements(
    doc: &mut DocumentMut,
    krate: &str,
    new: &Version,
) -> Vec<RequirementChange> {
    let crates = BTreeSet::from([krate.to_string()]);
    let mut out = Vec::new();
    visit(doc, Some(&crates), &mut |slot, v| {
        // Dev-dependencies never reach consumers: they keep their requirement.
        if slot.krate.is_empty()
            || slot.table.contains("dev-dependencies")
            || slot.table.contains("dev_dependencies")
        {
            return;
        }
        let Some(old) = v.as_str().map(str::to_string) else {
            return;
        };
        if requires_at_least(&old, new) {
            return;
        }
        let raised = raise_requirement(&old, new).unwrap_or_else(|| new.to_string());
        replace_str(v, &raised);
        out.push(RequirementChange {
            table: slot.table.clone(),
            key: slot.key.clone(),
            krate: slot.krate.clone(),
            old,
            new: raised,
        });
    });
    out
}

/// Sets the requirement of the dependency declared as `key` in `table`
/// (`workspace.dependencies`, `dependencies`, …) on `krate`, keeping its
/// layout; returns the old requirement, or `None` when there is no such
/// declaration with a version.
pub fn set_requirement(
    doc: &mut DocumentMut,
    table: &str,
    key: &str,
    krate: &str,
    new: &str,
) -> Option<String> {
    let crates = BTreeSet::from([krate.to_string()]);
    let mut old = None;
    visit(doc, Some(&crates), &mut |slot, v| {
        if old.is_none() && slot.table == table && slot.key == key {
            old = v.as_str().map(str::to_string);
            replace_str(v, new);
        }
    });
    old
}

/// Makes every requirement on a member admit that member's version (a
/// picked commit may carry main's requirement on a version the target does
/// not have). Requirements already satisfied are left alone.
pub fn align_requirements(
    doc: &mut DocumentMut,
    versions: &BTreeMap<String, Version>,
) -> Vec<RequirementChange> {
    let crates: BTreeSet<String> = versions.keys().cloned().collect();
    let mut out = Vec::new();
    visit(doc, Some(&crates), &mut |slot, v| {
        let Some(version) = versions.get(&slot.krate) else {
            return;
        };
        let Some(old) = v.as_str().map(str::to_string) else {
            return;
        };
        if VersionReq::parse(&old).is_ok_and(|r| r.matches(version)) {
            return;
        }
        let fixed = raise_requirement(&old, version).unwrap_or_else(|| version.to_string());
        replace_str(v, &fixed);
        out.push(RequirementChange {
            table: slot.table.clone(),
            key: slot.key.clone(),
            krate: slot.krate.clone(),
            old,
            new: fixed,
        });
    });
    out
}

/// The next patch version (pre-release and build metadata dropped).
pub fn next_patch(v: &Version) -> Version {
    Version::new(v.major, v.minor, v.patch + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> BTreeSet<String> {
        ["cargo-util", "cargo"]
            .iter()
            .map(|s| s.to_string())
            .collect()
    }

    #[test]
    fn pins_versions_and_member_requirements_only() {
        let main = r#"[workspace.dependencies]
cargo-util = { version = "0.3.1", path = "crates/cargo-util" } # keep
serde = "1.0.200"

[package]
name = "cargo"
version = "0.75.0"
"#;
        let stable = r#"[workspace.dependencies]
cargo-util = { version = "0.2.3", path = "crates/cargo-util" }
serde = "1.0.100"

[package]
name = "cargo"
version = "0.73.0"
"#;
        let pinned = pin_manifest(main, stable, &members()).unwrap();
        assert!(
            pinned.contains(
                "cargo-util = { version = \"0.2.3\", path = \"crates/cargo-util\" } # keep"
            )
        );
        assert!(pinned.contains("serde = \"1.0.200\""), "{pinned}");
        assert!(pinned.contains("version = \"0.73.0\""));
        assert!(pin_manifest(stable, stable, &members()).is_none());
    }

    #[test]
    fn no_stray_tables_without_workspace_package() {
        let text =
            "[workspace]\nmembers = [\"a\"]\n\n[package]\nname = \"h2\"\nversion = \"0.3.26\"\n";
        let mut doc: DocumentMut = text.parse().unwrap();
        let changes = raise_requirements(&mut doc, "h2", &Version::new(0, 3, 27));
        assert!(changes.is_empty());
        assert_eq!(doc.to_string(), text);
        assert!(pin_manifest(text, text, &members()).is_none());
        assert!(!crate::manifest::set_version(
            &mut doc,
            true,
            &Version::new(1, 0, 0)
        ));
        assert_eq!(doc.to_string(), text);
    }

    #[test]
    fn raises_keep_operator_and_comments() {
        let mut doc: DocumentMut = r#"[workspace.dependencies]
cargo-util = "=0.2.14"
other = { path = "x", version = "0.2.14", package = "cargo-util" } # inline, kept
"#
        .parse()
        .unwrap();
        let changes = raise_requirements(&mut doc, "cargo-util", &Version::new(0, 2, 15));
        assert_eq!(changes.len(), 2);
        let text = doc.to_string();
        assert!(text.contains("cargo-util = \"=0.2.15\"\n"), "{text}");
        assert!(text.contains(
            "other = { path = \"x\", version = \"0.2.15\", package = \"cargo-util\" } # inline, kept"
        ));
    }
}
