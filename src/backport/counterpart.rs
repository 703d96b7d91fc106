//! `--onto TARGET=BRANCH`: the fix was written by hand for an old line, as
//! maintainers usually do (hyper 0.12.x, crossbeam-deque v0.7, wasmtime's
//! "[24.0.x] …" backports). Nothing is picked; each main-branch fix commit
//! is mapped to its counterpart on BRANCH: by the presence matchers
//! (`crate::presence`, which also compares patch-ids without manifest,
//! lockfile and changelog hunks), and for what they cannot match — a
//! rewrite by another author, on another day — by the share of its added
//! lines a commit of BRANCH keeps. A fix commit that changes only versions,
//! the lockfile or changelogs needs no counterpart.

use std::collections::BTreeSet;

use anyhow::{Result, bail};

use super::result::Counterpart;
use super::{Run, versions};
use crate::git::{CommitInfo, Oid, RefTip, Repo, diff_lines, short};
use crate::presence::{self, Fix};
use crate::release::bumps::is_version_bookkeeping;
use crate::release::policy::is_changelog;

/// Checks that `branch` is a backport made on the line whose tip is `tip`:
/// it has commits the line lacks, every one of them grows from the line,
/// and none is already on another line or the main branch (`others`: their
/// tips, with names). Returns the fork point and how many commits of the
/// line `branch` does not have.
pub fn validate(
    repo: &Repo,
    line: &str,
    tip: Oid,
    branch: &RefTip,
    others: &[RefTip],
) -> Result<(Oid, usize)> {
    let own = repo.commits_between(tip, branch.commit)?;
    if own.is_empty() {
        bail!(
            "hand-made backport `{}` of `{line}` has no commit that `{line}` lacks: \
             name the branch that holds the rewritten fix (`--onto {line}=<branch>`)",
            branch.name
        );
    }
    let ids: BTreeSet<Oid> = own.iter().map(|c| c.id).collect();
    for c in &own {
        for p in repo.parents(c.id)? {
            if !ids.contains(&p) && !repo.contains(tip, p)? {
                bail!(
                    "hand-made backport `{}` does not start from `{line}`: its commit {} ({}) \
                     grows from {}, which is not on `{line}` (was it branched from the main branch?)\n\
                     a hand-made backport must start from `{line}`'s tip or an ancestor of it",
                    branch.name,
                    c.short_id(),
                    c.summary,
                    short(p)
                );
            }
        }
    }
    for c in &own {
        if let Some(other) = others
            .iter()
            .find(|o| repo.contains(o.commit, c.id).unwrap_or(false))
        {
            bail!(
                "hand-made backport `{}` does not start from `{line}`: its commit {} ({}) is on `{}`\n\
                 a hand-made backport must start from `{line}`'s tip or an ancestor of it and hold only \
                 the rewritten fix (and what the line needs for it)",
                branch.name,
                c.short_id(),
                c.summary,
                other.name
            );
        }
    }
    let fork = repo.merge_base(tip, branch.commit)?;
    let behind = repo.commits_between(fork, tip)?.len();
    Ok((fork, behind))
}

/// The lines a change adds besides versions, lockfile and changelogs
/// (whitespace squeezed): what a rewrite of it keeps.
struct Content {
    added: BTreeSet<String>,
}

fn content(repo: &Repo, from: Oid, to: Oid) -> Result<Content> {
    let mut added = BTreeSet::new();
    for f in repo.changed_files(repo.tree_id(from)?, repo.tree_id(to)?)? {
        let name = f.path.rsplit('/').next().unwrap_or(&f.path);
        if name == "Cargo.lock" || is_changelog(&f.path) {
            continue;
        }
        let text = |b: &Option<Vec<u8>>| -> Vec<u8> {
            let raw = b.clone().unwrap_or_default();
            if name != "Cargo.toml" {
                return raw;
            }
            match String::from_utf8(raw.clone())
                .ok()
                .and_then(|t| versions::strip_versions(&t))
            {
                Some(t) => t.into_bytes(),
                None => raw,
            }
        };
        let (old, new) = (text(&f.old), text(&f.new));
        if old == new {
            continue;
        }
        for (origin, line) in diff_lines(&old, &new)? {
            let squeezed: String = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if origin == ' ' || squeezed.is_empty() {
                continue;
            }
            if origin == '+' && squeezed.chars().filter(|c| c.is_alphanumeric()).count() >= 3 {
                added.insert(squeezed);
            }
        }
    }
    Ok(Content { added })
}

/// A rewritten commit counts as the counterpart when it keeps at least
/// this share of the fix commit's added lines.
const REWRITTEN_SHARE: f64 = 0.5;

/// Maps each fix commit to its counterpart on the hand-made branch.
pub fn map(run: &Run, line: &str, fork: Oid, branch: &RefTip) -> Result<Vec<Counterpart>> {
    let cx = run.cx;
    let repo = &cx.repo;
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &cx.fix,
    };
    let present = presence::find_on(repo, &fix, branch.commit)?;
    let candidates: Vec<(CommitInfo, Content)> = repo
        .commits_between(fork, branch.commit)?
        .into_iter()
        .filter(|c| c.parent_count <= 1)
        .map(|c| {
            let parent = repo.first_parent(c.id)?.unwrap_or(fork);
            let content = content(repo, parent, c.id)?;
            Ok((c, content))
        })
        .collect::<Result<_>>()?;
    let whole_branch = content(repo, fork, branch.commit)?;
    let members: BTreeSet<String> = cx.member_names();
    let mut out = Vec::new();
    for (commit, found) in cx.fix.iter().zip(present) {
        let counterpart = |on: Option<Oid>, kind: &str, why: String| Counterpart {
            original: commit.clone(),
            on,
            kind: kind.to_string(),
            why,
            certain: true,
        };
        if let Some(m) = found {
            // Naming BRANCH as the line's backport confirms the matches
            // presence leaves to a human (a rewrite, a combined backport),
            // as a declared mapping does.
            out.push(counterpart(
                m.carriers(commit.id).first().copied(),
                m.kind(),
                format!("on `{}` {}", branch.name, m.describe()),
            ));
            continue;
        }
        // The release model's own test: main's bump commit needs no
        // counterpart, a commit raising an external dependency does.
        if is_version_bookkeeping(repo, commit.id, &members)? {
            out.push(counterpart(
                None,
                "bookkeeping",
                "only versions, lockfile or changelog: not required (the bump commit sets this line's)"
                    .to_string(),
            ));
            continue;
        }
        let parent = repo.first_parent(commit.id)?.unwrap_or(cx.base.commit);
        let mine = content(repo, parent, commit.id)?;
        let share = |k: &Content| -> f64 {
            if mine.added.is_empty() {
                return 0.0;
            }
            mine.added.intersection(&k.added).count() as f64 / mine.added.len() as f64
        };
        let best = candidates
            .iter()
            .map(|(c, k)| (c, share(k)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        match best {
            Some((c, s)) if s >= REWRITTEN_SHARE => out.push(counterpart(
                Some(c.id),
                "similar",
                format!(
                    "{} ({}) keeps {:.0}% of its added lines",
                    c.short_id(),
                    c.summary,
                    s * 100.0
                ),
            )),
            _ if share(&whole_branch) >= REWRITTEN_SHARE => out.push(counterpart(
                Some(branch.commit),
                "similar",
                format!(
                    "`{}` as a whole keeps {:.0}% of its added lines",
                    branch.name,
                    share(&whole_branch) * 100.0
                ),
            )),
            _ => out.push(counterpart(
                None,
                "missing",
                format!(
                    "no commit of `{}` (since it left `{line}`) makes this change or keeps half of its added lines",
                    branch.name
                ),
            )),
        }
    }
    Ok(out)
}
