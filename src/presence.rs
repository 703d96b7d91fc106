//! "Is this fix on that branch?", answered the ways real backports happen:
//! by ancestry, by a `(cherry picked from commit …)` trailer, by per-commit
//! patch-id (a cherry-pick without `-x`), or by the patch-id of the whole fix
//! range (a squashed backport). Used by `backport` to skip commits a target
//! already has and by `verify-published` to confirm the fix landed.

use std::collections::HashMap;

use anyhow::Result;

use crate::git::{CommitInfo, Oid, Repo, short};

/// How a fix commit was found on a branch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// The commit itself is reachable from the branch.
    Ancestor,
    /// A commit whose message says `(cherry picked from commit <id>)`.
    Trailer(Oid),
    /// A commit with the same `git patch-id --stable`.
    PatchId(Oid),
    /// A commit whose change equals the whole fix range squashed.
    Squashed(Oid),
}

impl Match {
    /// "by trailer in 1a2b3c4": for report details.
    pub fn describe(&self) -> String {
        match self {
            Match::Ancestor => "the commit itself".to_string(),
            Match::Trailer(c) => format!("by cherry-pick trailer in {}", short(*c)),
            Match::PatchId(c) => format!("by patch-id in {}", short(*c)),
            Match::Squashed(c) => format!("as part of squashed {}", short(*c)),
        }
    }

    /// The matcher's name, stable for JSON consumers.
    pub fn kind(&self) -> &'static str {
        match self {
            Match::Ancestor => "ancestor",
            Match::Trailer(_) => "trailer",
            Match::PatchId(_) => "patch-id",
            Match::Squashed(_) => "squashed",
        }
    }
}

/// The fix as a whole: its commits and the range they span.
pub struct Fix<'a> {
    pub base: Oid,
    pub head: Oid,
    pub commits: &'a [CommitInfo],
}

/// For each fix commit (in order), how it is present on `tip`, or `None`.
///
/// Candidates are the commits on `tip` that the fix's history does not
/// have (`merge-base(tip, head)..tip`), so a long-lived release branch costs
/// only the commits made on it since it diverged.
pub fn find_on(repo: &Repo, fix: &Fix<'_>, tip: Oid) -> Result<Vec<Option<Match>>> {
    let mut out: Vec<Option<Match>> = Vec::with_capacity(fix.commits.len());
    for c in fix.commits {
        out.push(repo.contains(tip, c.id)?.then_some(Match::Ancestor));
    }
    if out.iter().all(Option::is_some) {
        return Ok(out);
    }
    let since = match repo.merge_base(tip, fix.head) {
        Ok(b) => b,
        Err(_) => fix.base,
    };
    let candidates: Vec<CommitInfo> = repo
        .commits_between(since, tip)?
        .into_iter()
        .filter(|c| c.parent_count <= 1)
        .collect();
    if candidates.is_empty() {
        return Ok(out);
    }
    let trailers: Vec<(Oid, Vec<String>)> = candidates
        .iter()
        .map(|c| (c.id, cherry_picked_from(&c.message)))
        .collect();
    let mut by_patch_id: HashMap<Oid, Oid> = HashMap::new();
    for c in &candidates {
        by_patch_id.entry(repo.patch_id(c.id)?).or_insert(c.id);
    }
    // A squash of the commits asked about (first's parent → last), or of the
    // whole range when those commits leave out some of it (the main branch's
    // own version bump, say).
    let squashed = match (fix.commits.first(), fix.commits.last()) {
        (Some(first), Some(last)) if fix.commits.len() > 1 => {
            let spans = [
                (repo.parent_of(first.id).ok(), last.id),
                (Some(fix.base), fix.head),
            ];
            let mut hit = None;
            for (from, to) in spans {
                let from = from.map(|c| repo.tree_id(c)).transpose()?;
                let id = repo.patch_id_of_trees(from, repo.tree_id(to)?)?;
                if let Some(on) = by_patch_id.get(&id) {
                    hit = Some(*on);
                    break;
                }
            }
            hit
        }
        _ => None,
    };
    for (slot, commit) in out.iter_mut().zip(fix.commits) {
        if slot.is_some() {
            continue;
        }
        let full = commit.id.to_string();
        if let Some((on, _)) = trailers.iter().find(|(_, named)| {
            named
                .iter()
                .any(|n| n.len() >= 7 && full.starts_with(n.as_str()))
        }) {
            *slot = Some(Match::Trailer(*on));
        } else if commit.parent_count <= 1
            && let Some(on) = by_patch_id.get(&repo.patch_id(commit.id)?)
        {
            *slot = Some(Match::PatchId(*on));
        } else if let Some(on) = squashed {
            *slot = Some(Match::Squashed(on));
        }
    }
    Ok(out)
}

/// The commit ids named by `(cherry picked from commit <id>)` lines.
pub fn cherry_picked_from(message: &str) -> Vec<String> {
    message
        .lines()
        .filter_map(|l| {
            let rest = l.trim().strip_prefix("(cherry picked from commit ")?;
            let id = rest.trim_end_matches(')').trim();
            id.chars()
                .all(|c| c.is_ascii_hexdigit())
                .then(|| id.to_ascii_lowercase())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn reads_trailers() {
        let msg = "Fix it\n\nbody\n\n(cherry picked from commit 0123456789abcdef0123456789abcdef01234567)\n";
        assert_eq!(
            super::cherry_picked_from(msg),
            ["0123456789abcdef0123456789abcdef01234567"]
        );
        assert!(super::cherry_picked_from("(cherry picked from commit zz)").is_empty());
    }
}
