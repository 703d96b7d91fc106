//! Format-preserving reads and edits of `Cargo.toml` and `.cargo/config.toml`
//! with toml_edit: versions, dependency requirements, `[patch]`/`[replace]`
//! tables. Comments, spacing and inline-table layout survive every edit.

use semver::Version;
use toml_edit::{DocumentMut, Item, Value};

/// An entry of a `[patch.<source>]` or `[replace]` table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchEntry {
    /// `patch.crates-io`, `patch."https://github.com/x/y"`, `replace`.
    pub table: String,
    pub key: String,
    /// The entry's value, on one line (`git = "…", branch = "fix"`).
    pub spec: String,
}

/// `[patch.*]` and `[replace]` entries of a manifest or cargo config file.
pub fn patch_entries(doc: &DocumentMut) -> Vec<PatchEntry> {
    let mut out = Vec::new();
    if let Some(patch) = doc.get("patch").and_then(Item::as_table_like) {
        for (source, table) in patch.iter() {
            let label = if source
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            {
                format!("patch.{source}")
            } else {
                format!("patch.\"{source}\"")
            };
            for (key, spec) in table.as_table_like().into_iter().flat_map(|t| t.iter()) {
                out.push(PatchEntry {
                    table: label.clone(),
                    key: key.to_string(),
                    spec: one_line(spec),
                });
            }
        }
    }
    if let Some(replace) = doc.get("replace").and_then(Item::as_table_like) {
        for (key, spec) in replace.iter() {
            out.push(PatchEntry {
                table: "replace".to_string(),
                key: key.to_string(),
                spec: one_line(spec),
            });
        }
    }
    out
}

/// The `paths = [...]` overrides of a cargo config file.
pub fn path_overrides(doc: &DocumentMut) -> Vec<String> {
    doc.get("paths")
        .and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

fn one_line(item: &Item) -> String {
    match item.as_table_like() {
        Some(t) => t
            .iter()
            .map(|(k, v)| format!("{k} = {}", v.to_string().trim()))
            .collect::<Vec<_>>()
            .join(", "),
        None => item.to_string().trim().to_string(),
    }
}

/// Replaces a string value, keeping its comments and spacing.
pub(crate) fn replace_str(v: &mut Value, s: &str) {
    let decor = v.decor().clone();
    *v = Value::from(s);
    *v.decor_mut() = decor;
}

/// Sets `package.version` (or `workspace.package.version` when `workspace`
/// is true). Returns whether a string version was found and changed.
pub fn set_version(doc: &mut DocumentMut, workspace: bool, new: &Version) -> bool {
    // Looked up through `TableLike`, which never inserts missing tables.
    let table = if workspace {
        doc.get_mut("workspace")
            .and_then(Item::as_table_like_mut)
            .and_then(|w| w.get_mut("package"))
    } else {
        doc.get_mut("package")
    };
    match table
        .and_then(Item::as_table_like_mut)
        .and_then(|t| t.get_mut("version"))
    {
        Some(Item::Value(v @ Value::String(_))) => {
            replace_str(v, &new.to_string());
            true
        }
        _ => false,
    }
}

/// `req` raised so that it requires at least `new`, keeping its operator:
/// `"0.2.3"` → `"0.2.4"`, `"=0.2.3"` → `"=0.2.4"`, `"~0.2"` → `"~0.2.4"`,
/// `">=0.2.3, <0.3"` → `">=0.2.4, <0.3"`. `None` when `req` has no
/// single lower bound to move (then the caller writes `new` plainly).
pub fn raise_requirement(req: &str, new: &Version) -> Option<String> {
    let parts: Vec<&str> = req.split(',').map(str::trim).collect();
    let mut raised = Vec::new();
    let mut moved = false;
    for part in parts {
        let (op, _rest) = split_op(part);
        match op {
            "" | "^" | "=" | "~" | ">=" => {
                if moved {
                    return None;
                }
                moved = true;
                raised.push(format!("{op}{new}"));
            }
            _ => raised.push(part.to_string()),
        }
    }
    moved.then(|| raised.join(", "))
}

fn split_op(part: &str) -> (&str, &str) {
    for op in [">=", "<=", "=", "^", "~", ">", "<"] {
        if let Some(rest) = part.strip_prefix(op) {
            return (op, rest.trim());
        }
    }
    ("", part)
}

/// The lowest version `req` admits (`"0.1"` → 0.1.0, `">=1.2, <2"` →
/// 1.2.0); `None` when it does not parse or has no lower bound (`*`).
pub fn lower_bound(req: &str) -> Option<Version> {
    req_lower_bound(&semver::VersionReq::parse(req).ok()?)
}

/// The lowest version a parsed requirement admits.
pub fn req_lower_bound(req: &semver::VersionReq) -> Option<Version> {
    use semver::Op;
    let mut low: Option<Version> = None;
    for c in &req.comparators {
        let v = Version::new(c.major, c.minor.unwrap_or(0), c.patch.unwrap_or(0));
        let bound = match c.op {
            Op::Exact | Op::Caret | Op::Tilde | Op::GreaterEq | Op::Wildcard => v,
            Op::Greater => crate::release::next_version(&v),
            _ => continue,
        };
        if low.as_ref().is_none_or(|l| bound > *l) {
            low = Some(bound);
        }
    }
    low
}

/// Does `req` admit `new` and nothing below it in `new`'s release line?
/// (i.e. is it already raised to `new`.)
pub fn requires_at_least(req: &str, new: &Version) -> bool {
    let Ok(parsed) = semver::VersionReq::parse(req) else {
        return false;
    };
    if !parsed.matches(new) {
        return false;
    }
    let below = previous_version(new);
    below.is_none_or(|b| !parsed.matches(&b))
}

/// The version just below `v` in the same line (0.2.4 → 0.2.3), if any.
pub fn previous_version(v: &Version) -> Option<Version> {
    if v.patch > 0 {
        Some(Version::new(v.major, v.minor, v.patch - 1))
    } else if v.minor > 0 {
        Some(Version::new(v.major, v.minor - 1, u64::MAX))
    } else if v.major > 0 {
        Some(Version::new(v.major - 1, u64::MAX, u64::MAX))
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn raising_keeps_operators() {
        assert_eq!(raise_requirement("0.2.3", &v("0.2.4")).unwrap(), "0.2.4");
        assert_eq!(
            raise_requirement("=0.2.14", &v("0.2.15")).unwrap(),
            "=0.2.15"
        );
        assert_eq!(raise_requirement("~0.2", &v("0.2.4")).unwrap(), "~0.2.4");
        assert_eq!(
            raise_requirement(">=0.2.3, <0.3", &v("0.2.4")).unwrap(),
            ">=0.2.4, <0.3"
        );
    }

    #[test]
    fn edits_keep_layout_and_comments() {
        let mut doc: DocumentMut = r#"[package]
name = "app"
version = "0.71.0" # released with Rust 1.71

[dependencies]
util = { path = "crates/util", version = "=0.2.3" } # pinned
other = "1"

[dependencies.util2]
package = "util"
path = "crates/util"
version = "0.2"
"#
        .parse()
        .unwrap();
        assert!(set_version(&mut doc, false, &v("0.71.1")));
        let text = doc.to_string();
        assert!(text.contains("version = \"0.71.1\" # released with Rust 1.71"));
        assert!(text.contains("util = { path = \"crates/util\", version = \"=0.2.3\" } # pinned"));
        assert!(text.contains("other = \"1\""));
    }

    #[test]
    fn lower_bounds() {
        assert_eq!(lower_bound("0.1"), Some(v("0.1.0")));
        assert_eq!(lower_bound("=1.0.11"), Some(v("1.0.11")));
        assert_eq!(lower_bound(">=1.2, <2"), Some(v("1.2.0")));
        assert_eq!(lower_bound("*"), None);
        assert_eq!(lower_bound("not a req"), None);
    }

    #[test]
    fn finds_patches() {
        let doc: DocumentMut = r#"[patch.crates-io]
util = { git = "https://github.com/x/util-private", branch = "fix" }
[patch."https://github.com/a/b"]
b = { path = "../b" }
[replace]
"foo:0.1.0" = { path = "foo" }
"#
        .parse()
        .unwrap();
        let p = patch_entries(&doc);
        assert_eq!(p.len(), 3);
        assert_eq!(p[0].table, "patch.crates-io");
        assert_eq!(p[0].key, "util");
        assert!(p[0].spec.contains("util-private"));
        assert_eq!(p[1].table, "patch.\"https://github.com/a/b\"");
        assert_eq!(p[2].table, "replace");
    }
}
