//! "Is this fix on that line?", answered the ways real backports happen.
//! Seven matchers, strongest first; the first that matches a fix commit
//! says how it is there: ancestry (also through merges), a `(cherry picked
//! from commit …)` trailer, the per-commit patch-id, the patch-id without
//! `Cargo.toml`/`Cargo.lock`/changelog hunks, a squash (one commit, or one
//! merge's first-parent diff, equal to the whole fix), "rewritten" (same
//! author, author date and subject), and a declared mapping
//! (`--backport LINE=RANGE`). Used by `backport` to skip what a target
//! already has, and by `verify-published`'s `branches` and `superproject`
//! rows. Nothing else decides presence.

mod candidates;
mod compare;
mod declared;

use anyhow::Result;

pub use compare::{ChangeComparison, FileStat};
pub use declared::Declaration;

use crate::git::{CommitInfo, Oid, Repo, short};
use candidates::{Candidates, Change};

/// Author dates of a rewritten commit may differ from the original's by
/// this many seconds (GitHub's private-fork merges were seen 1 s apart).
pub const AUTHOR_DATE_TOLERANCE: i64 = 2;

/// How a fix commit was found on a line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Match {
    /// 1. The commit itself is reachable from the line (also through
    ///    merges, as on lines that merge forward).
    Ancestor,
    /// 2. A commit whose message says `(cherry picked from commit <id>)`.
    Trailer(Oid),
    /// 3. A commit with the same `git patch-id --stable`.
    PatchId(Oid),
    /// 4. A commit with the same patch-id once `Cargo.toml`, `Cargo.lock`
    ///    and changelog hunks are left out (a backport that also raised a
    ///    dependency, or carries the line's release notes).
    CodePatchId(Oid),
    /// 5. One commit, or one merge's first-parent diff, equal to the whole
    ///    fix (or to the run of fix commits not found otherwise).
    Squashed {
        on: Oid,
        merge: bool,
        /// Equal only without manifest, lockfile and changelog hunks.
        code_only: bool,
    },
    /// 5'. One commit (or merge) whose change contains every line this fix
    ///    commit adds and removes, and changes more: a combined backport of
    ///    several fixes. Only a human can tell the rest is harmless.
    SquashedWithin {
        on: Oid,
        merge: bool,
        /// Code files it changes that this fix commit does not.
        extra_files: Vec<String>,
    },
    /// 6. A commit with the same author, author date (within
    ///    `AUTHOR_DATE_TOLERANCE`) and subject, but other content: a
    ///    cherry-pick whose conflicts were resolved by hand.
    Rewritten {
        on: Oid,
        /// Seconds between the two author dates.
        skew: i64,
        comparison: ChangeComparison,
    },
    /// 7. A declared mapping (`--backport LINE=RANGE`, `backports` in the
    ///    configuration) for a fix rewritten beyond recognition.
    Declared { commits: Vec<Oid>, spec: String },
}

impl Match {
    /// "by trailer in 1a2b3c4": for report details.
    pub fn describe(&self) -> String {
        match self {
            Match::Ancestor => "the commit itself".to_string(),
            Match::Trailer(c) => format!("by cherry-pick trailer in {}", short(*c)),
            Match::PatchId(c) => format!("by patch-id in {}", short(*c)),
            Match::CodePatchId(c) => format!(
                "by patch-id without Cargo.toml, Cargo.lock and changelog hunks in {}",
                short(*c)
            ),
            Match::Squashed {
                on,
                merge,
                code_only,
            } => {
                let what = if *merge {
                    format!("merge {}, whose first-parent diff", short(*on))
                } else {
                    short(*on)
                };
                let without = if *code_only {
                    " without Cargo.toml, Cargo.lock and changelog hunks"
                } else {
                    ""
                };
                format!("as part of squashed {what} (equal to the whole fix{without})")
            }
            Match::SquashedWithin {
                on,
                merge,
                extra_files,
            } => {
                let what = if *merge {
                    format!("merge {}'s first-parent diff", short(*on))
                } else {
                    short(*on)
                };
                let more = if extra_files.is_empty() {
                    "more lines in the same files".to_string()
                } else {
                    format!("also {}", extra_files.join(", "))
                };
                format!(
                    "inside {what}, which adds and removes every line of this commit and changes {more}: \
                     a combined backport? confirm by hand"
                )
            }
            Match::Rewritten {
                on,
                skew,
                comparison,
            } => {
                let date = match skew {
                    0 => "author date".to_string(),
                    s => format!(
                        "author date ({s} s apart, within the {AUTHOR_DATE_TOLERANCE} s tolerance)"
                    ),
                };
                format!(
                    "rewritten as {}: same author, {date} and subject, other content ({}); confirm by hand",
                    short(*on),
                    comparison.describe()
                )
            }
            Match::Declared { commits, spec } => format!(
                "declared by {spec} ({})",
                commits
                    .iter()
                    .map(|c| short(*c))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
    }

    /// The matcher's name, stable for JSON consumers.
    pub fn kind(&self) -> &'static str {
        match self {
            Match::Ancestor => "ancestor",
            Match::Trailer(_) => "trailer",
            Match::PatchId(_) => "patch-id",
            Match::CodePatchId(_) => "code-patch-id",
            Match::Squashed { .. } => "squashed",
            Match::SquashedWithin { .. } => "squashed-within",
            Match::Rewritten { .. } => "rewritten",
            Match::Declared { .. } => "declared",
        }
    }

    /// False for the matches a human should confirm (a row shows them as
    /// `warn`): a combined squash, a rewritten commit.
    pub fn is_certain(&self) -> bool {
        !matches!(self, Match::SquashedWithin { .. } | Match::Rewritten { .. })
    }

    /// The commits on the line that bring `fix_commit` there.
    pub fn carriers(&self, fix_commit: Oid) -> Vec<Oid> {
        match self {
            Match::Ancestor => vec![fix_commit],
            Match::Trailer(c) | Match::PatchId(c) | Match::CodePatchId(c) => vec![*c],
            Match::Squashed { on, .. }
            | Match::SquashedWithin { on, .. }
            | Match::Rewritten { on, .. } => vec![*on],
            Match::Declared { commits, .. } => commits.clone(),
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
/// No declared mapping applies (see `find`).
pub fn find_on(repo: &Repo, fix: &Fix<'_>, tip: Oid) -> Result<Vec<Option<Match>>> {
    find(repo, fix, tip, None)
}

/// For each fix commit (in order), how it is present on `tip`, or `None`,
/// with `declared` (when all of its commits are on `tip`) as the last
/// matcher and as the confirmation the warning-level matches ask for.
///
/// Candidates are the commits on `tip` that the fix's history does not
/// have (`merge-base(tip, head)..tip`), so a long-lived release branch costs
/// only the commits made on it since it diverged.
pub fn find(
    repo: &Repo,
    fix: &Fix<'_>,
    tip: Oid,
    declared: Option<&Declaration>,
) -> Result<Vec<Option<Match>>> {
    let mut out: Vec<Option<Match>> = Vec::with_capacity(fix.commits.len());
    // 1. ancestry
    for c in fix.commits {
        out.push(repo.contains(tip, c.id)?.then_some(Match::Ancestor));
    }
    if out.iter().all(Option::is_some) {
        return Ok(out);
    }
    let mut cands = Candidates::collect(repo, fix, tip)?;
    let fix_changes: Vec<Change> = fix
        .commits
        .iter()
        .map(|c| Change::of_commit(repo, c))
        .collect::<Result<_>>()?;

    if !cands.is_empty() {
        // 2. trailer
        for (slot, commit) in out.iter_mut().zip(fix.commits) {
            if slot.is_none()
                && let Some(on) = cands.named_by_trailer(commit.id)
            {
                *slot = Some(Match::Trailer(on));
            }
        }
        // 3. per-commit patch-id
        fill(&mut out, |i| {
            let own = fix_changes[i].full.filter(|_| !fix_changes[i].merge)?;
            cands.single_with_full(own).map(Match::PatchId)
        });
        // 4. patch-id without manifest, lockfile and changelog hunks
        if out.iter().any(Option::is_none) {
            cands.compute_code_ids(repo)?;
            fill(&mut out, |i| {
                let own = fix_changes[i].code.filter(|_| !fix_changes[i].merge)?;
                cands.single_with_code(own).map(Match::CodePatchId)
            });
        }
        // 5. a squash equal to the whole fix, or to the commits not found
        if out.iter().any(Option::is_none) {
            squash(repo, fix, &mut out, &cands)?;
        }
        // 5'. a combined squash containing a fix commit's lines
        if out.iter().any(Option::is_none) {
            for (i, slot) in out.iter_mut().enumerate() {
                if slot.is_some() || fix_changes[i].merge {
                    continue;
                }
                if let Some((on, merge, extra_files)) = cands.containing(repo, fix.commits[i].id)? {
                    *slot = Some(Match::SquashedWithin {
                        on,
                        merge,
                        extra_files,
                    });
                }
            }
        }
        // 6. rewritten: same author, author date and subject
        if out.iter().any(Option::is_none) {
            for (i, slot) in out.iter_mut().enumerate() {
                if slot.is_some() || fix_changes[i].merge {
                    continue;
                }
                let commit = &fix.commits[i];
                if let Some((on, skew)) = cands.same_authorship(repo, commit)? {
                    let comparison = ChangeComparison::of(repo, commit.id, on)?;
                    *slot = Some(Match::Rewritten {
                        on,
                        skew,
                        comparison,
                    });
                }
            }
        }
    }
    // 7. a declared mapping: the last resort, and the human confirmation
    // that warning-level matches ask for.
    if let Some(d) = declared
        && d.not_on(repo, tip)?.is_empty()
    {
        for slot in out.iter_mut() {
            if slot.as_ref().is_none_or(|m| !m.is_certain()) {
                *slot = Some(Match::Declared {
                    commits: d.commits.clone(),
                    spec: d.spec.clone(),
                });
            }
        }
    }
    Ok(out)
}

/// Fills the empty slots with what `matcher` finds for that fix commit.
fn fill(out: &mut [Option<Match>], mut matcher: impl FnMut(usize) -> Option<Match>) {
    for (i, slot) in out.iter_mut().enumerate() {
        if slot.is_none() {
            *slot = matcher(i);
        }
    }
}

/// Matcher 5: a candidate (one commit, or a merge's first-parent diff)
/// whose change equals, with or without manifest/lockfile/changelog hunks,
/// one of: a run of consecutive fix commits not found otherwise, the span
/// of all the fix commits asked about, or the whole range BASE..HEAD.
fn squash(repo: &Repo, fix: &Fix<'_>, out: &mut [Option<Match>], cands: &Candidates) -> Result<()> {
    // (indices it covers, from tree, to tree)
    let mut targets: Vec<(Vec<usize>, Option<Oid>, Oid)> = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    let mut runs: Vec<Vec<usize>> = Vec::new();
    for (i, slot) in out.iter().enumerate() {
        if slot.is_none() && fix.commits[i].parent_count <= 1 {
            run.push(i);
        } else if !run.is_empty() {
            runs.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        runs.push(run);
    }
    for r in runs {
        let (Some(&first), Some(&last)) = (r.first(), r.last()) else {
            continue;
        };
        let from = repo.change_trees(fix.commits[first].id)?.0;
        let to = repo.tree_id(fix.commits[last].id)?;
        targets.push((r, from, to));
    }
    let all: Vec<usize> = (0..out.len()).collect();
    if let (Some(first), Some(last)) = (fix.commits.first(), fix.commits.last()) {
        let from = repo.change_trees(first.id)?.0;
        targets.push((all.clone(), from, repo.tree_id(last.id)?));
    }
    targets.push((all, Some(repo.tree_id(fix.base)?), repo.tree_id(fix.head)?));

    for (covers, from, to) in targets {
        if from == Some(to) || covers.iter().all(|i| out[*i].is_some()) {
            continue;
        }
        let full = repo.patch_id_of_trees(from, to)?;
        let code = repo.patch_id_of_trees_where(from, to, &candidates::is_code)?;
        let hit = cands
            .any_with_full(full)
            .map(|(on, merge)| (on, merge, false))
            .or_else(|| {
                code.and_then(|c| cands.any_with_code(c))
                    .map(|(on, merge)| (on, merge, true))
            });
        if let Some((on, merge, code_only)) = hit {
            for i in covers {
                if out[i].is_none() {
                    out[i] = Some(Match::Squashed {
                        on,
                        merge,
                        code_only,
                    });
                }
            }
        }
    }
    Ok(())
}

/// Commits on `tip` (since it diverged from the fix) whose cherry-pick
/// trailer names a commit this repository does not have, with that name:
/// a backport made from a private fork's commit (wasmtime's 2026-07
/// backports named one), which no matcher can tie to the fix by trailer.
pub fn foreign_trailers(repo: &Repo, fix: &Fix<'_>, tip: Oid) -> Result<Vec<(Oid, String)>> {
    let since = repo.merge_base(tip, fix.head).unwrap_or(fix.base);
    let mut out = Vec::new();
    for c in repo.commits_between(since, tip)? {
        for named in cherry_picked_from(&c.message) {
            let known = match Oid::from_str(&named) {
                Ok(id) if named.len() == 40 => repo.has_commit(id),
                _ => repo.resolve(&named).is_ok(),
            };
            if !known {
                out.push((c.id, named));
            }
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
        // Inside a squash's body, as a bullet.
        let squash = "Backports\n\n* Fix\n  (cherry picked from commit 4afa5455ad92)\n";
        assert_eq!(super::cherry_picked_from(squash), ["4afa5455ad92"]);
    }
}
