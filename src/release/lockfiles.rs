//! The lockfiles a release must keep right: every tracked `Cargo.lock` in
//! the repository (the workspace's own and second workspaces such as
//! `fuzz/`), none when the project does not track one, and the format
//! version (`version = 3`/`4`) each is written in.

use anyhow::Result;

use crate::git::{Oid, Repo};
use crate::workspace;

/// How the workspace's own `Cargo.lock` is kept on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Tracking {
    /// Committed at the revision.
    Tracked,
    /// Not committed, and `.gitignore` says so: the project does not track it.
    Ignored,
    /// Never committed on this line (and not ignored either).
    NeverCommitted,
    /// Committed at BASE, gone at the revision: the fix deleted it.
    Deleted,
}

/// The tracking of `<ws_dir>/Cargo.lock` at `commit`, with `base` telling a
/// deletion from a project that never tracked it.
pub fn tracking(repo: &Repo, ws_dir: &str, commit: Oid, base: Option<Oid>) -> Result<Tracking> {
    let path = workspace::join(ws_dir, "Cargo.lock");
    if repo.tree_at(commit)?.exists(&path) {
        return Ok(Tracking::Tracked);
    }
    if let Some(base) = base
        && repo.tree_at(base)?.exists(&path)
    {
        return Ok(Tracking::Deleted);
    }
    if repo.is_ignored(&path) {
        return Ok(Tracking::Ignored);
    }
    Ok(Tracking::NeverCommitted)
}

/// Every tracked `Cargo.lock` at `commit` other than the workspace's own:
/// the lockfiles of second workspaces (`fuzz/Cargo.lock`, …).
pub fn other_lockfiles(repo: &Repo, ws_dir: &str, commit: Oid) -> Result<Vec<String>> {
    let own = workspace::join(ws_dir, "Cargo.lock");
    Ok(repo
        .files_named(commit, "Cargo.lock")?
        .into_iter()
        .filter(|p| *p != own && !p.split('/').any(|seg| seg == "target"))
        .collect())
}

/// The `version = N` of a lockfile; `None` for the oldest format, which
/// has no such line.
pub fn format_version(text: &str) -> Option<i64> {
    let doc: toml_edit::DocumentMut = text.parse().ok()?;
    doc.get("version").and_then(|v| v.as_integer())
}

/// The format the `cargo` on PATH writes when it rewrites a lockfile
/// (cargo ≥ 1.83 writes 4).
pub const CURRENT_CARGO_FORMAT: i64 = 4;

#[cfg(test)]
mod tests {
    #[test]
    fn reads_the_format() {
        assert_eq!(
            super::format_version("version = 3\n\n[[package]]\nname = \"a\"\n"),
            Some(3)
        );
        assert_eq!(super::format_version("[[package]]\nname = \"a\"\n"), None);
    }
}
