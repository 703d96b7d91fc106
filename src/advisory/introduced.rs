//! Where the flaw came in: the commit `--introduced REV` names, or the one
//! proposed by blaming, at BASE, the lines the fix removed or changed (the
//! oldest such commit), and the first release tag that contains it, which
//! gives `unaffected = ["< VERSION"]`. An inferred answer is only a proposal.

use anyhow::{Context as _, Result};

use super::{Introduced, IntroducedHow, functions};
use crate::context::ChangedCrate;
use crate::git::{Oid, Repo};
use crate::release::ReleaseTag;

/// `--introduced REV` (or `advisory.introduced`); `how` says which, for messages.
pub fn given(repo: &Repo, rev: &str, how: &str, tags: &[ReleaseTag]) -> Result<Introduced> {
    let commit = repo
        .resolve(rev)
        .with_context(|| format!("invalid {how}"))?;
    describe(repo, commit, IntroducedHow::Given(how.to_string()), tags)
}

/// Proposes the introducing commit from blame; `None` when the fix changed
/// no line that existed at BASE in the crate's sources (it only added files).
pub fn infer(
    repo: &Repo,
    base: Oid,
    head: Oid,
    krate: &ChangedCrate,
    tags: &[ReleaseTag],
) -> Result<Option<Introduced>> {
    let files = functions::source_files(krate);
    let changes = repo.diff_hunks(base, head, &files)?;
    // The lines the fix removed or changed; only a fix that removes nothing
    // falls back to the code it was written into (the lines around each
    // insertion), which may be older than the flaw.
    let removes = changes
        .iter()
        .any(|c| c.hunks.iter().any(|h| !h.removed.is_empty()));
    let mut blamed: Vec<Oid> = Vec::new();
    let mut line_count = 0;
    for change in &changes {
        let Some(path) = &change.old_path else {
            continue;
        };
        let mut lines: Vec<u32> = Vec::new();
        for hunk in &change.hunks {
            if removes {
                lines.extend(&hunk.removed);
            } else {
                lines.push(hunk.old_start.max(1));
                lines.push(hunk.old_start + 1);
            }
        }
        lines.sort_unstable();
        lines.dedup();
        for (_, commit) in repo.blame_lines(base, path, &lines)? {
            line_count += 1;
            blamed.push(commit);
        }
    }
    blamed.sort();
    blamed.dedup();
    let mut dated = Vec::new();
    for c in &blamed {
        dated.push((*c, repo.commit_time(*c)?));
    }
    let Some(oldest) = oldest(repo, &dated)? else {
        return Ok(None);
    };
    let how = IntroducedHow::Inferred {
        lines: line_count,
        commits: blamed.len(),
        around_insertions: !removes,
    };
    describe(repo, oldest, how, tags).map(Some)
}

/// The oldest commit: the earliest commit time; of two at the same time,
/// the ancestor.
fn oldest(repo: &Repo, dated: &[(Oid, i64)]) -> Result<Option<Oid>> {
    let mut best: Option<(Oid, i64)> = None;
    for &(c, t) in dated {
        best = match best {
            None => Some((c, t)),
            Some((_, bt)) if t < bt => Some((c, t)),
            Some((b, bt)) if t == bt && repo.contains(b, c)? && b != c => Some((c, t)),
            keep => keep,
        };
    }
    Ok(best.map(|(c, _)| c))
}

fn describe(
    repo: &Repo,
    commit: Oid,
    how: IntroducedHow,
    tags: &[ReleaseTag],
) -> Result<Introduced> {
    let info = repo.commit_info(commit)?;
    let mut first_release = None;
    for tag in tags {
        if repo.contains(tag.commit, commit)? {
            first_release = Some(tag);
            break;
        }
    }
    let in_earliest_release = match (first_release, tags.first()) {
        (Some(f), Some(earliest)) => f.version == earliest.version,
        _ => false,
    };
    Ok(Introduced {
        commit: commit.to_string(),
        summary: info.summary,
        how,
        first_release: first_release.map(|t| (t.name.clone(), t.version.clone())),
        in_earliest_release,
    })
}
