//! Cherry-picking the fix's commits onto a target in memory: the merge of
//! each commit with the target's versions pinned, the commits the target
//! already has skipped, bookkeeping commits' changelog headings rewritten to
//! the versions the target ships, and, on a conflict, the likely missing
//! prerequisites ranked by how many of the conflicting lines they wrote.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context as _, Result, anyhow};
use semver::Version;

use super::result::{Conflict, ConflictKind, Picked, Prerequisite, Skipped, TargetResult};
use super::{Run, Target, versions};
use crate::context::Context;
use crate::git::{CommitInfo, Oid, Repo, TreeMerge};
use crate::presence::{self, Fix, Match};
use crate::release::policy::is_changelog;
use crate::release::{lockfiles, policy};
use crate::workspace::{self, AtCommit};

/// The crates whose main-branch version differs from what the target ships:
/// crate → (main's version, the target's).
pub type VersionMap = BTreeMap<String, (Version, Version)>;

/// Where a pick loop stopped.
pub enum Stop {
    /// Every remaining fix commit was picked or skipped.
    Done,
    /// Fix commit `index` conflicts on `at`; the pinned trees it was merged
    /// with are what a worktree needs to show the same conflict.
    Conflict {
        index: usize,
        at: Oid,
        files: Vec<String>,
        ancestor_tree: Oid,
        theirs_tree: Oid,
    },
}

/// What the pick loop needs besides the run: which fix commits the target
/// has, and which files carry versions the tool decides.
pub struct Picker<'a> {
    pub run: &'a Run<'a>,
    pub target: &'a Target,
    present: Vec<Option<Match>>,
    pins: Pins,
    /// Set on the second pass, once the plan says what the target ships.
    pub rewrite: Option<VersionMap>,
}

impl<'a> Picker<'a> {
    pub fn new(run: &'a Run<'a>, target: &'a Target, tip: Oid) -> Result<Picker<'a>> {
        let cx = run.cx;
        let fix = Fix {
            base: cx.base.commit,
            head: cx.head.commit,
            commits: &cx.fix,
        };
        let present = presence::find_on(&cx.repo, &fix, tip).with_context(|| {
            format!(
                "cannot tell which fix commits `{}` already has",
                target.name
            )
        })?;
        Ok(Picker {
            run,
            target,
            present,
            pins: Pins::new(run)?,
            rewrite: None,
        })
    }

    /// Does the target already have every fix commit?
    pub fn all_present(&self) -> bool {
        self.present.iter().all(Option::is_some)
    }

    /// Picks fix commits `from..` onto `start`, recording picks and skips
    /// in `out`; returns the commit built and where it stopped.
    pub fn pick_from(
        &self,
        start: Oid,
        from: usize,
        out: &mut TargetResult,
    ) -> Result<(Oid, Stop)> {
        let cx = self.run.cx;
        let repo = &cx.repo;
        let mut current = start;
        for (i, commit) in cx.fix.iter().enumerate().skip(from) {
            if let Some(m) = &self.present[i] {
                out.skipped.push(Skipped {
                    original: commit.clone(),
                    kind: m.kind().to_string(),
                    why: format!("already on `{}`: {}", self.target.name, m.describe()),
                    certain: m.is_certain(),
                });
                continue;
            }
            let (ancestor, theirs) = self.pinned_pair(commit, current)?;
            let ours = repo.tree_id(current)?;
            match repo.merge_trees(ancestor, ours, theirs)? {
                TreeMerge::Clean(tree) if tree == ours => out.skipped.push(Skipped {
                    original: commit.clone(),
                    kind: "empty".to_string(),
                    certain: true,
                    why: format!(
                        "nothing left to apply on `{}`: its only changes are version numbers, \
                         which are set per target, or are already there",
                        self.target.name
                    ),
                }),
                TreeMerge::Clean(tree) => {
                    let picked = self.commit_pick(commit, current, ours, tree, false)?;
                    current = picked.new;
                    out.picked.push(picked);
                }
                // main's release commit adds its entry to a changelog whose
                // entries differ on this line (h2's "v0.4.4" on 0.3.x).
                TreeMerge::Conflicts(files)
                    if let Some((tree, placed)) =
                        place_changelog_entries(repo, ancestor, ours, theirs, &files)? =>
                {
                    let mut picked = self.commit_pick(commit, current, ours, tree, false)?;
                    picked.placed = placed;
                    current = picked.new;
                    out.picked.push(picked);
                }
                TreeMerge::Conflicts(files) => {
                    return Ok((
                        current,
                        Stop::Conflict {
                            index: i,
                            at: current,
                            files,
                            ancestor_tree: ancestor,
                            theirs_tree: theirs,
                        },
                    ));
                }
            }
        }
        Ok((current, Stop::Done))
    }

    /// The commit's parent and its own tree, with versions pinned to what
    /// `current` has.
    pub fn pinned_pair(&self, commit: &CommitInfo, current: Oid) -> Result<(Oid, Oid)> {
        let cx = self.run.cx;
        let repo = &cx.repo;
        let parent = repo.first_parent(commit.id)?.ok_or_else(|| {
            anyhow!(
                "fix commit {} has no parent to diff against",
                commit.short_id()
            )
        })?;
        // A file the commit leaves alone merges as ours whatever its
        // versions say, so only the files it touches need pinning.
        let to_pin = self.pins.touched(repo, parent, commit.id)?;
        Ok((
            self.pins.tree(cx, parent, current, &to_pin)?,
            self.pins.tree(cx, commit.id, current, &to_pin)?,
        ))
    }

    /// Writes the pick of `commit` with `tree` onto `parent`: author kept,
    /// the `-x` trailer added, and a bookkeeping commit's versions
    /// rewritten on the second pass.
    pub fn commit_pick(
        &self,
        commit: &CommitInfo,
        parent: Oid,
        ours: Oid,
        tree: Oid,
        resolved: bool,
    ) -> Result<Picked> {
        let repo = &self.run.cx.repo;
        let mut message = commit.message.trim_end().to_string();
        let mut tree = tree;
        let mut rewrites = Vec::new();
        let mut unmapped = Vec::new();
        let mut new_subject = None;
        if let Some(map) = &self.rewrite
            && let Some(b) = bookkeeping(repo, ours, tree)?
        {
            let mut edits = Vec::new();
            for (path, old, new) in b {
                let (text, done, left) = rewrite_added_versions(&old, &new, map);
                rewrites.extend(done.into_iter().map(|(f, t)| (path.clone(), f, t)));
                unmapped.extend(left);
                if text != new {
                    edits.push((path, text.into_bytes()));
                }
            }
            if !edits.is_empty() {
                tree = repo.tree_with_files(tree, &edits)?;
                let (subject, _, _) = rewrite_versions_in_line(&commit.summary, map);
                if subject != commit.summary {
                    new_subject = Some(subject.clone());
                }
                let body = message
                    .split_once('\n')
                    .map(|(_, b)| b.to_string())
                    .unwrap_or_default();
                let shipped: Vec<String> = map
                    .iter()
                    .filter(|(_, (main, _))| {
                        rewrites.iter().any(|(_, f, _)| *f == main.to_string())
                    })
                    .map(|(k, (main, to))| format!("{k} {to} (main: {main})"))
                    .collect();
                message = format!(
                    "{subject}\n{body}\n\nVersions rewritten for `{}`, which ships {}.",
                    self.target.name,
                    shipped.join(", ")
                );
            }
        }
        unmapped.sort();
        unmapped.dedup();
        let message = format!(
            "{}\n\n(cherry picked from commit {})\n",
            message.trim_end(),
            commit.id
        );
        let new = repo.write_commit(tree, parent, Some(commit.id), self.run.committer, &message)?;
        Ok(Picked {
            original: commit.clone(),
            new,
            resolved,
            rewrites,
            unmapped,
            placed: Vec::new(),
            subject: new_subject,
        })
    }

    /// The conflict record for a stop, with prerequisites ranked.
    pub fn conflict(&self, tip: Oid, index: usize, files: Vec<String>) -> Result<Conflict> {
        let cx = self.run.cx;
        let commit = &cx.fix[index];
        Ok(Conflict {
            kind: ConflictKind::Pick(commit.clone()),
            prerequisites: prerequisites(self.run, tip, commit, &files)?,
            files,
            remaining: cx.fix[index + 1..].to_vec(),
            worktree: None,
        })
    }
}

/// What is decided per target and so held at the target's values during
/// a pick or merge: versions and member requirements in the workspace's
/// manifests (not, say, test fixtures that happen to be manifests), member
/// entries of every tracked lockfile, and version strings in the files that
/// show versions to users (READMEs, `html_root_url`).
pub struct Pins {
    files: BTreeSet<String>,
    /// Workspace members by name (at HEAD and BASE), for telling
    /// requirements on members from requirements on external packages.
    members: BTreeSet<String>,
    doc_files: BTreeSet<String>,
}

impl Pins {
    pub fn new(run: &Run) -> Result<Pins> {
        let cx = run.cx;
        let repo = &cx.repo;
        let members: BTreeSet<String> = cx.member_names();
        let mut files: BTreeSet<String> = cx
            .head_ws
            .manifests
            .iter()
            .chain(cx.base_ws.iter().flat_map(|w| &w.manifests))
            .map(|(path, _)| path.clone())
            .collect();
        files.insert(workspace::join(&cx.ws_dir, "Cargo.lock"));
        files.extend(lockfiles::other_lockfiles(
            repo,
            &cx.ws_dir,
            cx.head.commit,
        )?);
        // The fix's HEAD as committed (`--continue` may run long after the
        // work tree moved on).
        let head = AtCommit {
            tree: repo.tree_at(cx.head.commit)?,
            label: "the fix's HEAD".to_string(),
        };
        let doc_files: BTreeSet<String> =
            policy::version_files(&cx.head_ws, cx.config.version_files.as_deref(), &head)
                .into_iter()
                .collect();
        files.extend(doc_files.iter().cloned());
        Ok(Pins {
            files,
            members,
            doc_files,
        })
    }

    /// The pinned files `from..to` changes: only those need pinning, since a
    /// file a commit leaves alone merges as ours whatever it says.
    pub fn touched(&self, repo: &Repo, from: Oid, to: Oid) -> Result<Vec<String>> {
        Ok(repo
            .changed_paths(from, to)?
            .into_iter()
            .filter(|f| self.files.contains(f))
            .collect())
    }

    /// The tree of `commit` with `files` set to what `reference` has in the
    /// pinned places: the merge then carries everything a commit changes
    /// except main's versions.
    pub fn tree(&self, cx: &Context, commit: Oid, reference: Oid, files: &[String]) -> Result<Oid> {
        let repo = &cx.repo;
        let at = repo.tree_at(commit)?;
        let wanted = repo.tree_at(reference)?;
        let mut edits = Vec::new();
        for path in files {
            let (Some(text), Some(want)) = (at.read(path)?, wanted.read(path)?) else {
                continue;
            };
            let (Ok(text), Ok(want)) = (String::from_utf8(text), String::from_utf8(want)) else {
                continue;
            };
            let pinned = if path.ends_with("Cargo.lock") {
                versions::pin_lockfile(&text, &want, &self.members)
            } else if self.doc_files.contains(path) {
                let mut text = text;
                let mut changed = false;
                for name in &self.members {
                    if let (Some(have), Some(want)) = (
                        cx.version_at(commit, name)?,
                        cx.version_at(reference, name)?,
                    ) && have != want
                        && let Some(t) = policy::rewrite_version_mentions(&text, name, &have, &want)
                    {
                        text = t;
                        changed = true;
                    }
                }
                changed.then_some(text)
            } else {
                versions::pin_manifest(&text, &want, &self.members)
            };
            if let Some(p) = pinned {
                edits.push((path.clone(), p.into_bytes()));
            }
        }
        repo.tree_with_files(repo.tree_id(commit)?, &edits)
    }
}

/// A conflict confined to changelogs, where in each the pick inserts one
/// block of lines and removes none (a new release entry), is resolved by
/// placing that block in the target's changelog where main put it: after
/// the same leading lines (a `# Changelog` header, an `## Unreleased`
/// heading), or at the very top when main put it there. Returns the merged
/// tree and the files placed; `None` when any conflict is something else.
fn place_changelog_entries(
    repo: &Repo,
    ancestor: Oid,
    ours: Oid,
    theirs: Oid,
    files: &[String],
) -> Result<Option<(Oid, Vec<String>)>> {
    if files.is_empty() || !files.iter().all(|f| is_changelog(f)) {
        return Ok(None);
    }
    let read = |tree: Oid, path: &str| -> Result<Option<String>> {
        Ok(repo
            .read_in_tree(tree, path)?
            .and_then(|b| String::from_utf8(b).ok()))
    };
    let mut ancestor_edits = Vec::new();
    let mut theirs_edits = Vec::new();
    for path in files {
        let (Some(base), Some(mine), Some(main)) = (
            read(ancestor, path)?,
            read(ours, path)?,
            read(theirs, path)?,
        ) else {
            return Ok(None);
        };
        let a: Vec<&str> = base.split_inclusive('\n').collect();
        let b: Vec<&str> = main.split_inclusive('\n').collect();
        let (prefix, suffix) = common_ends(&a, &b);
        // Pure insertion: everything of `base` is kept around the block.
        if prefix + suffix != a.len() || b.len() <= a.len() {
            return Ok(None);
        }
        let block = &b[prefix..b.len() - suffix];
        let ours_lines: Vec<&str> = mine.split_inclusive('\n').collect();
        if ours_lines.len() < prefix || ours_lines[..prefix] != a[..prefix] {
            return Ok(None);
        }
        let mut placed: String = ours_lines[..prefix].concat();
        placed.push_str(&block.concat());
        placed.push_str(&ours_lines[prefix..].concat());
        ancestor_edits.push((path.clone(), mine.into_bytes()));
        theirs_edits.push((path.clone(), placed.into_bytes()));
    }
    let ancestor = repo.tree_with_files(ancestor, &ancestor_edits)?;
    let theirs = repo.tree_with_files(theirs, &theirs_edits)?;
    match repo.merge_trees(ancestor, ours, theirs)? {
        TreeMerge::Clean(tree) => Ok(Some((tree, files.to_vec()))),
        TreeMerge::Conflicts(_) => Ok(None),
    }
}

/// When a pick changes nothing but changelogs, each such file's text before
/// and after; `None` for a pick that changes anything else.
fn bookkeeping(repo: &Repo, ours: Oid, tree: Oid) -> Result<Option<Vec<(String, String, String)>>> {
    let files = repo.changed_files(ours, tree)?;
    if files.is_empty() || !files.iter().all(|f| is_changelog(&f.path)) {
        return Ok(None);
    }
    let mut out = Vec::new();
    for f in files {
        let (Some(old), Some(new)) = (f.old, f.new) else {
            return Ok(None);
        };
        let (Ok(old), Ok(new)) = (String::from_utf8(old), String::from_utf8(new)) else {
            return Ok(None);
        };
        out.push((f.path, old, new));
    }
    Ok(Some(out))
}

/// How many lines `a` and `b` share at their start, and then at their end
/// (the rest of each is what changed between them).
fn common_ends(a: &[&str], b: &[&str]) -> (usize, usize) {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    (prefix, suffix)
}

/// `new` with main's versions rewritten to the target's in the lines it
/// adds to `old` (the block between their common first and last lines).
/// Returns the text, the rewrites made, and main versions left unmapped.
fn rewrite_added_versions(
    old: &str,
    new: &str,
    map: &VersionMap,
) -> (String, Vec<(String, String)>, Vec<String>) {
    let a: Vec<&str> = old.split_inclusive('\n').collect();
    let b: Vec<&str> = new.split_inclusive('\n').collect();
    let (prefix, suffix) = common_ends(&a, &b);
    let mut out = String::new();
    let mut done = Vec::new();
    let mut left = Vec::new();
    for (i, line) in b.iter().enumerate() {
        if i < prefix || i >= b.len() - suffix {
            out.push_str(line);
            continue;
        }
        let (text, d, l) = rewrite_versions_in_line(line, map);
        out.push_str(&text);
        done.extend(d);
        left.extend(l);
    }
    (out, done, left)
}

/// Rewrites version tokens of `line` that are a crate's main-branch
/// version: to that crate's version on the target, when one crate has it
/// (or the line names one of the crates that do); otherwise left and
/// reported.
pub fn rewrite_versions_in_line(
    line: &str,
    map: &VersionMap,
) -> (String, Vec<(String, String)>, Vec<String>) {
    let mut out = String::new();
    let mut done = Vec::new();
    let mut left = Vec::new();
    let mut rest = line;
    while let Some((start, end)) = next_version_token(rest) {
        let token = &rest[start..end];
        out.push_str(&rest[..start]);
        let owners: Vec<(&String, &(Version, Version))> = map
            .iter()
            .filter(|(_, (main, _))| main.to_string() == token)
            .collect();
        let chosen = match owners.as_slice() {
            [] => None,
            [one] => Some(one.1),
            many => {
                let named: Vec<_> = many
                    .iter()
                    .filter(|(k, _)| line.contains(k.as_str()))
                    .collect();
                match named.as_slice() {
                    [one] => Some(one.1),
                    _ => None,
                }
            }
        };
        match (chosen, owners.is_empty()) {
            (Some((main, to)), _) => {
                out.push_str(&to.to_string());
                done.push((main.to_string(), to.to_string()));
            }
            (None, false) => {
                out.push_str(token);
                left.push(token.to_string());
            }
            (None, true) => out.push_str(token),
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    (out, done, left)
}

/// The next `X.Y.Z[-pre]` token not inside a longer number.
fn next_version_token(s: &str) -> Option<(usize, usize)> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // `v0.4.4` counts (a release commit's subject), `dev0.4.4` does not.
        let after_v = i >= 1
            && bytes[i - 1] == b'v'
            && (i == 1 || !(bytes[i - 2].is_ascii_alphanumeric() || bytes[i - 2] == b'.'));
        let starts = bytes[i].is_ascii_digit()
            && (i == 0
                || after_v
                || !(bytes[i - 1].is_ascii_alphanumeric() || bytes[i - 1] == b'.'));
        if starts {
            let mut j = i;
            while j < bytes.len()
                && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'.' || bytes[j] == b'-')
            {
                j += 1;
            }
            let mut token = &s[i..j];
            while token.ends_with(['.', '-']) {
                token = &token[..token.len() - 1];
            }
            if Version::parse(token).is_ok() {
                return Some((i, i + token.len()));
            }
            i = j.max(i + 1);
        } else {
            i += 1;
        }
    }
    None
}

/// Commits on the main branch between the target's divergence and BASE that
/// touch the conflicting files and are not on the target (ancestry,
/// trailer, patch-id), ranked by how many of the lines the conflicting
/// pick needs they added.
fn prerequisites(
    run: &Run,
    tip: Oid,
    commit: &CommitInfo,
    files: &[String],
) -> Result<Vec<Prerequisite>> {
    let cx = run.cx;
    let repo = &cx.repo;
    let since = repo.merge_base(tip, cx.base.commit)?;
    // The lines the pick needs on the target: what it removes and the
    // context around its changes, in the conflicting files.
    let mut needed: BTreeSet<String> = BTreeSet::new();
    if let Some(parent) = repo.first_parent(commit.id)? {
        for change in repo.line_changes(parent, commit.id)? {
            if !files.contains(&change.path) {
                continue;
            }
            let lines = change
                .removed
                .iter()
                .map(|(_, t)| t.clone())
                .chain(change.context.iter().cloned());
            needed.extend(
                lines
                    .map(|l| l.trim().to_string())
                    .filter(|l| significant(l)),
            );
        }
    }
    let mut touching: Vec<Prerequisite> = Vec::new();
    for c in repo.commits_between(since, cx.base.commit)? {
        if c.parent_count > 1 {
            continue;
        }
        let Some(parent) = repo.first_parent(c.id)? else {
            continue;
        };
        let changes = repo.line_changes(parent, c.id)?;
        let hit: Vec<String> = changes
            .iter()
            .filter(|ch| files.contains(&ch.path))
            .map(|ch| ch.path.clone())
            .collect();
        if hit.is_empty() {
            continue;
        }
        let overlap = changes
            .iter()
            .filter(|ch| files.contains(&ch.path))
            .flat_map(|ch| &ch.added)
            .filter(|(_, t)| needed.contains(t.trim()))
            .count();
        touching.push(Prerequisite {
            commit: c,
            files: hit,
            overlap,
        });
    }
    if touching.is_empty() {
        return Ok(touching);
    }
    let commits: Vec<CommitInfo> = touching.iter().map(|p| p.commit.clone()).collect();
    let fix = Fix {
        base: since,
        head: cx.base.commit,
        commits: &commits,
    };
    let present = presence::find_on(repo, &fix, tip)?;
    let mut out: Vec<Prerequisite> = touching
        .into_iter()
        .zip(present)
        .filter(|(_, p)| p.is_none())
        .map(|(t, _)| t)
        .collect();
    // Most overlap first; among equals the newest (the last to touch the
    // lines) first.
    let order: BTreeMap<Oid, usize> = out
        .iter()
        .enumerate()
        .map(|(i, p)| (p.commit.id, i))
        .collect();
    out.sort_by_key(|p| {
        (
            std::cmp::Reverse(p.overlap),
            std::cmp::Reverse(order[&p.commit.id]),
        )
    });
    Ok(out)
}

/// A line worth matching: not blank, not a lone brace or comment marker.
fn significant(line: &str) -> bool {
    line.chars().filter(|c| c.is_alphanumeric()).count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map() -> VersionMap {
        let v = |s: &str| Version::parse(s).unwrap();
        BTreeMap::from([
            ("cargo-util".to_string(), (v("0.3.1"), v("0.2.4"))),
            ("cargo".to_string(), (v("0.75.0"), v("0.73.1"))),
        ])
    }

    #[test]
    fn rewrites_only_the_added_block() {
        let old = "# Changelog\n\n## cargo-util 0.2.3\n";
        let new = "# Changelog\n\n## cargo-util 0.3.1\n\n- Refuse `..` (GHSA-x).\n\n## cargo-util 0.2.3\n";
        let (text, done, left) = rewrite_added_versions(old, new, &map());
        assert!(text.contains("## cargo-util 0.2.4\n"), "{text}");
        assert!(text.contains("## cargo-util 0.2.3\n"), "{text}");
        assert_eq!(done, [("0.3.1".to_string(), "0.2.4".to_string())]);
        assert!(left.is_empty());
    }

    #[test]
    fn version_tokens_are_whole() {
        let (line, done, _) =
            rewrite_versions_in_line("Bump cargo-util to 0.3.1 (not 10.3.1)", &map());
        assert_eq!(line, "Bump cargo-util to 0.2.4 (not 10.3.1)");
        assert_eq!(done.len(), 1);
        // h2's release commits are subjected `v0.4.4`; `dev0.3.1` is a word.
        let (line, _, _) = rewrite_versions_in_line("v0.3.1 (dev0.3.1)", &map());
        assert_eq!(line, "v0.2.4 (dev0.3.1)");
    }
}
