//! What a release changes, as policy: which dependents get their
//! requirements raised, which tracked files show a crate's version to
//! users, and which changelog a line keeps (learned from the files the
//! project's earlier releases actually touched).

use std::collections::BTreeSet;

use anyhow::Result;
use semver::Version;

use super::{ReleaseTag, Releases};
use crate::git::{Oid, Repo};
use crate::workspace::{self, FileSource, Workspace};

/// `raise-dependents`: whose requirements on a bumped crate are raised.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum RaiseDependents {
    /// Only dependents that ship in this release (a modified publishable
    /// crate, or one released with the line, like Cargo's root `cargo`).
    #[default]
    Released,
    /// Every publishable dependent, which then ships a point release too.
    All,
    /// None: requirements are left as they are.
    None,
}

impl RaiseDependents {
    pub fn parse(s: &str) -> Option<RaiseDependents> {
        match s {
            "released" => Some(RaiseDependents::Released),
            "all" => Some(RaiseDependents::All),
            "none" => Some(RaiseDependents::None),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            RaiseDependents::Released => "released",
            RaiseDependents::All => "all",
            RaiseDependents::None => "none",
        }
    }
}

/// File names that hold release notes.
pub const CHANGELOG_NAMES: [&str; 7] = [
    "CHANGELOG.md",
    "Changelog.md",
    "changelog.md",
    "CHANGES.md",
    "RELEASES.md",
    "HISTORY.md",
    "CHANGELOG",
];

pub fn is_changelog(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    CHANGELOG_NAMES.iter().any(|n| n.eq_ignore_ascii_case(file))
}

/// Files a line changes for its own release rather than for the code:
/// manifests (versions, requirements), lockfiles and changelogs. Backports
/// differ from the main commit in these more often than not.
pub fn is_release_file(path: &str) -> bool {
    let file = path.rsplit('/').next().unwrap_or(path);
    file == "Cargo.toml" || file == "Cargo.lock" || is_changelog(path)
}

/// What earlier releases say about the changelog of the line at `head`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChangelogHistory {
    /// These changelogs were touched by the releases between `tags`.
    Kept {
        files: Vec<String>,
        tags: Vec<String>,
    },
    /// The releases between `tags` touched no changelog: release notes
    /// live elsewhere (the main branch, a release page).
    NotKept { tags: Vec<String> },
    /// Fewer than two earlier releases to learn from.
    Unknown,
}

/// Learns the changelog policy from up to three pairs of consecutive
/// release tags (per crate, newest first) reachable from `head`: the tags
/// of `crates` (and crate-less tags) when there are any, else all.
pub fn changelog_history(
    releases: &Releases,
    repo: &Repo,
    head: Oid,
    crates: &[&str],
) -> Result<ChangelogHistory> {
    let reachable: Vec<&ReleaseTag> = releases
        .tags
        .iter()
        .filter(|t| repo.contains(head, t.commit).unwrap_or(false))
        .collect();
    // Pairs of the same crate's consecutive releases (crate-less tags pair
    // with each other).
    let mut pairs: Vec<(&ReleaseTag, &ReleaseTag)> = Vec::new();
    let mut groups: BTreeSet<Option<&str>> = reachable
        .iter()
        .map(|t| t.prefix_crate.as_deref())
        .collect();
    let relevant: BTreeSet<Option<&str>> = groups
        .iter()
        .copied()
        .filter(|g| g.is_none_or(|k| crates.contains(&k)))
        .collect();
    if !relevant.is_empty() {
        groups = relevant;
    }
    for group in groups {
        let of_group: Vec<&&ReleaseTag> = reachable
            .iter()
            .filter(|t| t.prefix_crate.as_deref() == group)
            .collect();
        for w in of_group.windows(2).take(3) {
            if w[0].commit != w[1].commit {
                pairs.push((w[0], w[1]));
            }
        }
    }
    // Newest releases decide; at most three pairs overall.
    pairs.sort_by_key(|p| std::cmp::Reverse(p.0.date));
    pairs.truncate(3);
    if pairs.is_empty() {
        return Ok(ChangelogHistory::Unknown);
    }
    let mut files: BTreeSet<String> = BTreeSet::new();
    let mut tags: Vec<String> = Vec::new();
    for (newer, older) in &pairs {
        tags.push(newer.name.clone());
        for path in repo.changed_paths(older.commit, newer.commit)? {
            if is_changelog(&path) {
                files.insert(path);
            }
        }
    }
    Ok(if files.is_empty() {
        ChangelogHistory::NotKept { tags }
    } else {
        ChangelogHistory::Kept {
            files: files.into_iter().collect(),
            tags,
        }
    })
}

/// A place in a tracked file that shows a crate's version for users to copy
/// (`mycrate = "1.18.3"`, `mycrate = { version = "1.18.3", … }`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionMention {
    pub file: String,
    /// 1-based.
    pub line: usize,
    pub krate: String,
    pub version: String,
}

/// The files scanned for version strings: `version-files` when configured,
/// else each README in the workspace root and in every publishable
/// member's directory, and each member's `src/lib.rs` (doc examples).
pub fn version_files(
    ws: &Workspace,
    configured: Option<&[String]>,
    src: &dyn FileSource,
) -> Vec<String> {
    if let Some(files) = configured {
        return files
            .iter()
            .map(|f| workspace::join(&ws.root_dir, f))
            .collect();
    }
    let mut dirs: Vec<String> = vec![ws.root_dir.clone()];
    for m in ws.members.iter().filter(|m| m.publish) {
        if !dirs.contains(&m.dir) {
            dirs.push(m.dir.clone());
        }
    }
    let mut out = Vec::new();
    for dir in &dirs {
        for name in ["README.md", "README", "README.markdown", "src/lib.rs"] {
            let path = workspace::join(dir, name);
            if src.exists(&path) && !out.contains(&path) {
                out.push(path);
            }
        }
    }
    out
}

/// Every mention of `krate` at exactly `version` in `text`.
pub fn find_version_mentions(
    file: &str,
    text: &str,
    krate: &str,
    version: &Version,
) -> Vec<VersionMention> {
    let wanted = version.to_string();
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if mentioned_version(line, krate).is_some_and(|v| v == wanted) {
            out.push(VersionMention {
                file: file.to_string(),
                line: i + 1,
                krate: krate.to_string(),
                version: wanted.clone(),
            });
        }
    }
    out
}

/// Rewrites `krate`'s version `old` to `new` in mentions; `None` when
/// nothing changed.
pub fn rewrite_version_mentions(
    text: &str,
    krate: &str,
    old: &Version,
    new: &Version,
) -> Option<String> {
    let (old, new) = (old.to_string(), new.to_string());
    let mut changed = false;
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        match mentioned_version_span(line, krate) {
            Some((start, end)) if line[start..end] == *old => {
                out.push_str(&line[..start]);
                out.push_str(&new);
                out.push_str(&line[end..]);
                changed = true;
            }
            _ => out.push_str(line),
        }
    }
    changed.then_some(out)
}

fn mentioned_version(line: &str, krate: &str) -> Option<String> {
    mentioned_version_span(line, krate).map(|(s, e)| line[s..e].to_string())
}

/// The byte span of the full `X.Y.Z` version given to `krate` on this line
/// (`krate = "=1.2.3"`, `krate = { version = "1.2.3" }`); partial
/// requirements (`"1"`, `"1.2"`) are not versions a reader copies.
fn mentioned_version_span(line: &str, krate: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(pos) = line[from..].find(krate) {
        let start = from + pos;
        let end = start + krate.len();
        from = end;
        let before = line[..start].chars().next_back();
        if before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            continue;
        }
        // `https://docs.rs/<krate>/<version>` (hyper's `html_root_url`).
        if line[..start].ends_with("docs.rs/")
            && let Some(after) = line[end..].strip_prefix('/')
        {
            let len = after
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-' || c == '+'))
                .unwrap_or(after.len());
            let s = end + 1;
            if Version::parse(&after[..len]).is_ok() {
                return Some((s, s + len));
            }
            continue;
        }
        let rest = line[end..].trim_start();
        let Some(rest) = rest.strip_prefix('=') else {
            continue;
        };
        let rest_start = line.len() - rest.len();
        let value = rest.trim_start();
        let value_start = line.len() - value.len();
        let string_at = if value.starts_with('"') {
            value_start
        } else if value.starts_with('{') {
            let Some(k) = value.find("version") else {
                continue;
            };
            let after = &value[k + "version".len()..];
            let after = after.trim_start().strip_prefix('=')?.trim_start();
            line.len() - after.len()
        } else {
            let _ = rest_start;
            continue;
        };
        let quoted = line[string_at..].strip_prefix('"')?;
        let close = quoted.find('"')?;
        let mut s = string_at + 1;
        let body = &line[s..s + close];
        let trimmed = body.trim_start_matches(['=', '^', '~']);
        s += body.len() - trimmed.len();
        if Version::parse(trimmed).is_ok() {
            return Some((s, s + trimmed.len()));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_and_rewrites_version_strings() {
        let v = |s: &str| Version::parse(s).unwrap();
        let text = "```toml\n[dependencies]\nmycrate = { version = \"1.18.3\", features = [\"full\"] }\nmycrate-macros = \"1.18.3\"\nmycrate = \"1.18\"\n```\nmycrate = \"=1.18.3\"\n";
        let found = find_version_mentions("README.md", text, "mycrate", &v("1.18.3"));
        assert_eq!(found.iter().map(|m| m.line).collect::<Vec<_>>(), [3, 7]);
        let out = rewrite_version_mentions(text, "mycrate", &v("1.18.3"), &v("1.18.4")).unwrap();
        assert!(out.contains("mycrate = { version = \"1.18.4\", features"));
        assert!(out.contains("mycrate-macros = \"1.18.3\""));
        assert!(out.contains("mycrate = \"=1.18.4\""));
        assert!(out.contains("mycrate = \"1.18\"\n"));
        assert!(rewrite_version_mentions(text, "other", &v("1.18.3"), &v("1.18.4")).is_none());
        let root = "#![doc(html_root_url = \"https://docs.rs/hyper/0.12.35\")]\n";
        assert_eq!(
            rewrite_version_mentions(root, "hyper", &v("0.12.35"), &v("0.12.36")).unwrap(),
            "#![doc(html_root_url = \"https://docs.rs/hyper/0.12.36\")]\n"
        );
    }
}
