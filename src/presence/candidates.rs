//! The commits on a line that could carry the fix (those made since the
//! line and the fix diverged), with what the matchers compare: trailers,
//! patch-ids with and without release-file hunks, authorship, and the
//! lines each change adds and removes.

use std::cell::RefCell;
use std::collections::HashMap;

use anyhow::Result;

use super::{AUTHOR_DATE_TOLERANCE, Fix, cherry_picked_from};
use crate::git::{CommitInfo, FileChange, Oid, Repo};
use crate::release::policy::is_release_file;

/// Paths whose hunks count as code (not manifests, lockfiles, changelogs).
pub(super) fn is_code(path: &str) -> bool {
    !is_release_file(path)
}

/// One commit's change, as the matchers see it.
pub(super) struct Change {
    /// A merge: compared by its first-parent diff.
    pub merge: bool,
    pub full: Option<Oid>,
    /// `None` when it changes only release files.
    pub code: Option<Oid>,
}

impl Change {
    pub fn of_commit(repo: &Repo, c: &CommitInfo) -> Result<Change> {
        let (from, to) = repo.change_trees(c.id)?;
        // An empty change has the patch-id of every other empty change:
        // it identifies nothing.
        if from == Some(to) {
            return Ok(Change {
                merge: c.parent_count > 1,
                full: None,
                code: None,
            });
        }
        Ok(Change {
            merge: c.parent_count > 1,
            full: Some(repo.patch_id_of_trees(from, to)?),
            code: repo.patch_id_of_trees_where(from, to, &is_code)?,
        })
    }
}

struct Candidate {
    info: CommitInfo,
    trailers: Vec<String>,
    full: Option<Oid>,
    code: Option<Oid>,
}

pub(super) struct Candidates {
    list: Vec<Candidate>,
    code_ids: bool,
    /// Code line changes per candidate, computed on demand.
    lines: RefCell<HashMap<Oid, Vec<FileChange>>>,
}

impl Candidates {
    /// `merge-base(tip, head)..tip` (or `base..tip` when they share no
    /// history), newest last.
    pub fn collect(repo: &Repo, fix: &Fix<'_>, tip: Oid) -> Result<Candidates> {
        let since = repo.merge_base(tip, fix.head).unwrap_or(fix.base);
        let mut list = Vec::new();
        for info in repo.commits_between(since, tip)? {
            let (from, to) = repo.change_trees(info.id)?;
            // An empty change (a `-s ours` merge, say) is compared by its
            // trailer only.
            let full = if from == Some(to) {
                None
            } else {
                Some(repo.patch_id_of_trees(from, to)?)
            };
            list.push(Candidate {
                trailers: cherry_picked_from(&info.message),
                full,
                code: None,
                info,
            });
        }
        Ok(Candidates {
            list,
            code_ids: false,
            lines: RefCell::new(HashMap::new()),
        })
    }

    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    pub fn compute_code_ids(&mut self, repo: &Repo) -> Result<()> {
        if self.code_ids {
            return Ok(());
        }
        for c in self.list.iter_mut().filter(|c| c.full.is_some()) {
            let (from, to) = repo.change_trees(c.info.id)?;
            c.code = repo.patch_id_of_trees_where(from, to, &is_code)?;
        }
        self.code_ids = true;
        Ok(())
    }

    /// A candidate whose trailer names `fix_commit` (at least 7 digits).
    pub fn named_by_trailer(&self, fix_commit: Oid) -> Option<Oid> {
        let full = fix_commit.to_string();
        self.list
            .iter()
            .find(|c| {
                c.trailers
                    .iter()
                    .any(|n| n.len() >= 7 && full.starts_with(n.as_str()))
            })
            .map(|c| c.info.id)
    }

    fn singles(&self) -> impl Iterator<Item = &Candidate> {
        self.list.iter().filter(|c| c.info.parent_count <= 1)
    }

    pub fn single_with_full(&self, id: Oid) -> Option<Oid> {
        self.singles()
            .find(|c| c.full == Some(id))
            .map(|c| c.info.id)
    }

    pub fn single_with_code(&self, id: Oid) -> Option<Oid> {
        self.singles()
            .find(|c| c.code == Some(id))
            .map(|c| c.info.id)
    }

    /// Any candidate (merges by their first-parent diff) with this patch-id.
    pub fn any_with_full(&self, id: Oid) -> Option<(Oid, bool)> {
        self.list
            .iter()
            .find(|c| c.full == Some(id))
            .map(|c| (c.info.id, c.info.parent_count > 1))
    }

    pub fn any_with_code(&self, id: Oid) -> Option<(Oid, bool)> {
        self.list
            .iter()
            .find(|c| c.code == Some(id))
            .map(|c| (c.info.id, c.info.parent_count > 1))
    }

    /// A candidate whose code change adds and removes every line that
    /// `fix_commit`'s code change does (in the same files), and the code
    /// files it changes besides. A fix commit without code lines matches
    /// nothing: containing "nothing" says nothing.
    pub fn containing(
        &self,
        repo: &Repo,
        fix_commit: Oid,
    ) -> Result<Option<(Oid, bool, Vec<String>)>> {
        let Some(parent) = repo.first_parent(fix_commit)? else {
            return Ok(None);
        };
        let own = code_lines(repo, parent, fix_commit)?;
        if own
            .iter()
            .all(|f| f.added.is_empty() && f.removed.is_empty())
        {
            return Ok(None);
        }
        for c in self.list.iter().filter(|c| c.full.is_some()) {
            let Some(from) = repo.first_parent(c.info.id)? else {
                continue;
            };
            let theirs = {
                let mut memo = self.lines.borrow_mut();
                if let std::collections::hash_map::Entry::Vacant(slot) = memo.entry(c.info.id) {
                    slot.insert(code_lines(repo, from, c.info.id)?);
                }
                memo.get(&c.info.id).cloned().unwrap_or_default()
            };
            if own.iter().all(|f| {
                theirs.iter().any(|t| {
                    t.path == f.path
                        && contains_all(&t.added, &f.added)
                        && contains_all(&t.removed, &f.removed)
                })
            }) {
                let extra: Vec<String> = theirs
                    .iter()
                    .filter(|t| !own.iter().any(|f| f.path == t.path))
                    .map(|t| t.path.clone())
                    .collect();
                return Ok(Some((c.info.id, c.info.parent_count > 1, extra)));
            }
        }
        Ok(None)
    }

    /// A non-merge candidate by the same author (name), with the same
    /// subject and an author date at most `AUTHOR_DATE_TOLERANCE` seconds
    /// away (the closest one), and that distance.
    pub fn same_authorship(&self, repo: &Repo, commit: &CommitInfo) -> Result<Option<(Oid, i64)>> {
        let own = repo.authorship(commit.id)?;
        let mut best: Option<(Oid, i64)> = None;
        for c in self.singles().filter(|c| c.full.is_some()) {
            if c.info.summary != commit.summary {
                continue;
            }
            let theirs = repo.authorship(c.info.id)?;
            let skew = (theirs.time - own.time).abs();
            if theirs.name == own.name
                && skew <= AUTHOR_DATE_TOLERANCE
                && best.is_none_or(|(_, s)| skew < s)
            {
                best = Some((c.info.id, skew));
            }
        }
        Ok(best)
    }
}

/// The code files' line changes of `from..to`.
fn code_lines(repo: &Repo, from: Oid, to: Oid) -> Result<Vec<FileChange>> {
    Ok(repo
        .line_changes(from, to)?
        .into_iter()
        .filter(|f| is_code(&f.path))
        .collect())
}

/// Does `have` contain every line of `want` (as a multiset)?
fn contains_all(have: &[(u32, String)], want: &[(u32, String)]) -> bool {
    let mut pool: HashMap<&str, usize> = HashMap::new();
    for (_, l) in have {
        *pool.entry(l.as_str()).or_default() += 1;
    }
    want.iter().all(|(_, l)| match pool.get_mut(l.as_str()) {
        Some(n) if *n > 0 => {
            *n -= 1;
            true
        }
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::contains_all;

    #[test]
    fn containment_counts_repeated_lines() {
        let lines =
            |l: &[&str]| -> Vec<(u32, String)> { l.iter().map(|s| (0, s.to_string())).collect() };
        let have = lines(&["}", "if x {", "}"]);
        assert!(contains_all(&have, &lines(&["}", "}"])));
        assert!(!contains_all(&have, &lines(&["}", "}", "}"])));
        assert!(!contains_all(&have, &lines(&["return;"])));
        assert!(contains_all(&have, &[]));
    }
}
