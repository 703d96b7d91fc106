//! `Cargo.lock`: read its packages and update the entries of workspace
//! members, keeping every other byte as it was.

use anyhow::{Result, anyhow};
use toml_edit::{DocumentMut, Item, Value};

/// One `[[package]]` entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LockedPackage {
    pub name: String,
    pub version: String,
    /// `registry+…`, `sparse+…`, `git+…#sha`; `None` for path packages
    /// (workspace members and path dependencies).
    pub source: Option<String>,
    /// The `.crate`'s SHA-256 (registry packages).
    pub checksum: Option<String>,
    pub dependencies: Vec<String>,
}

impl LockedPackage {
    pub fn is_git(&self) -> bool {
        self.source
            .as_deref()
            .is_some_and(|s| s.starts_with("git+"))
    }
}

pub struct Lockfile {
    /// Repo-relative path, for messages.
    pub path: String,
    doc: DocumentMut,
    pub packages: Vec<LockedPackage>,
}

impl Lockfile {
    pub fn parse(text: &str, path: &str) -> Result<Lockfile> {
        let doc = text
            .parse::<DocumentMut>()
            .map_err(|e| anyhow!("failed to parse `{path}`\n{e}"))?;
        let packages = read_packages(&doc);
        Ok(Lockfile {
            path: path.to_string(),
            doc,
            packages,
        })
    }

    /// Path packages (no source) with this name.
    pub fn path_package(&self, name: &str) -> Option<&LockedPackage> {
        self.packages
            .iter()
            .find(|p| p.name == name && p.source.is_none())
    }

    /// Sets the version of the path package `name` and rewrites the
    /// `"name old"` references other entries use to disambiguate it.
    /// Returns false when there is no such entry.
    pub fn set_path_package_version(&mut self, name: &str, new: &str) -> bool {
        let Some(old) = self.path_package(name).map(|p| p.version.clone()) else {
            return false;
        };
        let Some(array) = self
            .doc
            .get_mut("package")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return false;
        };
        let old_ref = format!("{name} {old}");
        let new_ref = format!("{name} {new}");
        for table in array.iter_mut() {
            let is_target = table.get("name").and_then(Item::as_str) == Some(name)
                && table.get("source").is_none();
            if is_target && let Some(Item::Value(v)) = table.get_mut("version") {
                replace_str(v, new);
            }
            if let Some(deps) = table.get_mut("dependencies").and_then(Item::as_array_mut) {
                for v in deps.iter_mut() {
                    if v.as_str() == Some(old_ref.as_str()) {
                        replace_str(v, &new_ref);
                    }
                }
            }
        }
        self.packages = read_packages(&self.doc);
        true
    }

    /// Registry (or git) packages named `name`.
    pub fn external_packages(&self, name: &str) -> Vec<&LockedPackage> {
        self.packages
            .iter()
            .filter(|p| p.name == name && p.source.is_some())
            .collect()
    }

    /// The package a `dependencies` entry (`"name"`, `"name version"`,
    /// `"name version (source)"`) of this lockfile refers to.
    pub fn resolve_reference(&self, reference: &str) -> Option<&LockedPackage> {
        let mut parts = reference.splitn(3, ' ');
        let name = parts.next()?;
        let version = parts.next();
        let source = parts
            .next()
            .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
        let mut found = self.packages.iter().filter(|p| {
            p.name == name
                && version.is_none_or(|v| p.version == v)
                && source.is_none_or(|s| p.source.as_deref() == Some(s))
        });
        let first = found.next()?;
        found.next().is_none().then_some(first)
    }

    /// Replaces the entry of external package `name` at `old` with `new`'s
    /// version, checksum and `dependencies` (already written in this
    /// lockfile's terms), and rewrites the `"name old"` references other
    /// entries use. Returns false when there is no such entry.
    pub fn replace_external_package(
        &mut self,
        name: &str,
        old: &str,
        new: &LockedPackage,
        dependencies: &[String],
    ) -> bool {
        let Some(array) = self
            .doc
            .get_mut("package")
            .and_then(Item::as_array_of_tables_mut)
        else {
            return false;
        };
        let mut found = false;
        let old_ref = format!("{name} {old}");
        let new_ref = format!("{name} {}", new.version);
        for table in array.iter_mut() {
            let is_target = table.get("name").and_then(Item::as_str) == Some(name)
                && table.get("version").and_then(Item::as_str) == Some(old)
                && table.get("source").is_some();
            if is_target {
                found = true;
                if let Some(Item::Value(v)) = table.get_mut("version") {
                    replace_str(v, &new.version);
                }
                match (&new.checksum, table.get_mut("checksum")) {
                    (Some(sum), Some(Item::Value(v))) => replace_str(v, sum),
                    (Some(sum), _) => {
                        table.insert("checksum", toml_edit::value(sum.as_str()));
                    }
                    (None, _) => {
                        table.remove("checksum");
                    }
                }
                if dependencies.is_empty() {
                    table.remove("dependencies");
                } else {
                    // Cargo's own layout: one entry per line.
                    let mut deps = toml_edit::Array::new();
                    for d in dependencies {
                        let mut v = Value::from(d.as_str());
                        v.decor_mut().set_prefix("\n ");
                        deps.push_formatted(v);
                    }
                    deps.set_trailing_comma(true);
                    deps.set_trailing("\n");
                    table.insert("dependencies", toml_edit::value(deps));
                }
                continue;
            }
            if let Some(deps) = table.get_mut("dependencies").and_then(Item::as_array_mut) {
                for v in deps.iter_mut() {
                    let Some(text) = v.as_str() else { continue };
                    if text == old_ref || text.starts_with(&format!("{old_ref} (")) {
                        let rewritten = text.replacen(&old_ref, &new_ref, 1);
                        replace_str(v, &rewritten);
                    }
                }
            }
        }
        if found {
            self.packages = read_packages(&self.doc);
        }
        found
    }

    pub fn render(&self) -> String {
        self.doc.to_string()
    }
}

fn replace_str(v: &mut Value, s: &str) {
    let decor = v.decor().clone();
    *v = Value::from(s);
    *v.decor_mut() = decor;
}

fn read_packages(doc: &DocumentMut) -> Vec<LockedPackage> {
    let Some(array) = doc.get("package").and_then(Item::as_array_of_tables) else {
        return Vec::new();
    };
    array
        .iter()
        .map(|t| {
            let get = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
            LockedPackage {
                name: get("name").unwrap_or_default(),
                version: get("version").unwrap_or_default(),
                source: get("source"),
                checksum: get("checksum"),
                dependencies: t
                    .get("dependencies")
                    .and_then(Item::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOCK: &str = r#"# This file is automatically @generated by Cargo.
# It is not intended for manual editing.
version = 4

[[package]]
name = "app"
version = "0.1.0"
dependencies = [
 "util 0.2.3",
]

[[package]]
name = "util"
version = "0.2.3"

[[package]]
name = "util"
version = "0.1.0"
source = "registry+https://github.com/rust-lang/crates.io-index"
checksum = "aa"
"#;

    #[test]
    fn bumps_member_and_disambiguated_references() {
        let mut lock = Lockfile::parse(LOCK, "Cargo.lock").unwrap();
        assert!(lock.set_path_package_version("util", "0.2.4"));
        let text = lock.render();
        assert!(text.contains("name = \"util\"\nversion = \"0.2.4\""));
        assert!(text.contains("\"util 0.2.4\","));
        assert!(text.contains("version = \"0.1.0\"\nsource"));
        assert_eq!(lock.path_package("util").unwrap().version, "0.2.4");
        assert!(!lock.set_path_package_version("missing", "1.0.0"));
    }
}
