//! `--strategy merge-forward`: the fix starts on the oldest target and each
//! newer target gets a merge of the previous target's result, with its own
//! versions pinned (so only code conflicts), then its own bump. A merge
//! conflict waits in a worktree like a pick's; the targets after it wait
//! for it, with their plans shown.

use anyhow::Result;

use super::result::*;
use super::{Outcome, Run, Target, adopt, bump, cherry_pick, finish, pick, state};
use crate::git::{Oid, TreeMerge};
use crate::presence::{self, Fix};

/// Merge-forward over `targets` (oldest first): the first gets the fix (its
/// branch already starts there, or cherry-picks), each next one a merge of
/// the previous result and its own bump. `start` is the result to merge
/// from when the chain resumes in the middle.
pub fn chain(run: &Run, targets: &[Target], start: Option<(Oid, String)>) -> Vec<Outcome> {
    let names: Vec<String> = run.targets.iter().map(|t| t.name.clone()).collect();
    let mut prev = start;
    let mut blocked: Option<String> = None;
    let mut out = Vec::new();
    for (k, t) in targets.iter().enumerate() {
        let rest: Vec<usize> = targets[k + 1..].iter().map(|r| run.index_of(r)).collect();
        let result = match (&blocked, &prev, &t.handmade) {
            (Some(b), _, _) => waiting(run, t, b, &names),
            (None, _, Some(branch)) => {
                run.cx
                    .shell
                    .status("Backporting", format!("onto {} (hand-made)", t.name));
                adopt(run, t, branch)
            }
            (None, None, None) => first_line(run, t, &rest),
            (None, Some((from, from_branch)), None) => {
                merge_into(run, t, *from, from_branch, &names, &rest)
            }
        };
        match &result {
            Ok(r) if r.complete() => {
                if let Some(res) = r.result {
                    prev = Some((res, t.branch.clone()));
                }
            }
            Ok(r) if matches!(r.branch, BranchOutcome::Unneeded) => {}
            _ if blocked.is_none() => blocked = Some(t.name.clone()),
            _ => {}
        }
        out.push(Outcome::of(t, result));
    }
    out
}

/// The oldest line of a merge-forward chain: when the fix branch grows
/// from its tip, the fix commits themselves; otherwise a cherry-pick.
fn first_line(run: &Run, target: &Target, rest: &[usize]) -> Result<TargetResult> {
    let cx = run.cx;
    cx.shell
        .status("Backporting", format!("onto {}", target.name));
    if !cx.repo.contains(cx.head.commit, target.tip.commit)? {
        // After `--continue`, the chain goes on from this line.
        return cherry_pick(run, target, rest);
    }
    let mut out = TargetResult::new(target, bump::policy_for(run, target), Method::CherryPick);
    for c in &cx.fix {
        out.picked.push(Picked {
            original: c.clone(),
            new: c.id,
            resolved: false,
            rewrites: Vec::new(),
            unmapped: Vec::new(),
            placed: Vec::new(),
            subject: None,
        });
    }
    finish(
        run,
        target,
        out,
        target.tip.commit,
        cx.head.commit,
        &mut |_| Ok(()),
    )
}

/// A target of the chain after one that was not built: its plan, against
/// its tip with the fix's changes, and nothing else.
fn waiting(run: &Run, target: &Target, blocked_by: &str, chain: &[String]) -> Result<TargetResult> {
    let cx = run.cx;
    let mut out = TargetResult::new(
        target,
        bump::policy_for(run, target),
        Method::Merge(MergeStep {
            from_branch: String::new(),
            from: target.tip.commit,
            commit: None,
            chain: chain.to_vec(),
            waiting_for: Some(blocked_by.to_string()),
        }),
    );
    let paths = cx.repo.changed_paths(cx.base.commit, cx.head.commit)?;
    out.plan = Some(bump::plan(run, target, target.tip.commit, target.tip.commit, &paths)?.plan);
    out.build = BuildOutcome::Skipped(format!("not built: waiting for `{blocked_by}`"));
    Ok(out)
}

/// The merge of the previous line's result into `target`, versions pinned
/// to the target's, then its bump.
fn merge_into(
    run: &Run,
    target: &Target,
    from: Oid,
    from_branch: &str,
    chain: &[String],
    rest: &[usize],
) -> Result<TargetResult> {
    let cx = run.cx;
    let repo = &cx.repo;
    let tip = target.tip.commit;
    cx.shell
        .status("Merging", format!("{from_branch} into {}", target.name));
    let mut out = TargetResult::new(
        target,
        bump::policy_for(run, target),
        Method::Merge(MergeStep {
            from_branch: from_branch.to_string(),
            from,
            commit: None,
            chain: chain.to_vec(),
            waiting_for: None,
        }),
    );
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &cx.fix,
    };
    if repo.contains(tip, from)?
        || presence::find_on(repo, &fix, tip)?
            .iter()
            .all(Option::is_some)
    {
        out.branch = BranchOutcome::Unneeded;
        out.build =
            BuildOutcome::Skipped("nothing to build: the target already has the fix".into());
        return Ok(out);
    }
    let (ancestor, theirs) = merge_inputs(run, tip, from)?;
    let ours = repo.tree_id(tip)?;
    match repo.merge_trees(ancestor, ours, theirs)? {
        TreeMerge::Clean(tree) => {
            let merge = repo.write_commit_with_parents(
                tree,
                &[tip, from],
                None,
                run.committer,
                &merge_message(from_branch, &target.name),
            )?;
            if let Method::Merge(m) = &mut out.method {
                m.commit = Some(merge);
            }
            finish(run, target, out, tip, merge, &mut |_| Ok(()))
        }
        TreeMerge::Conflicts(files) => {
            let base = repo.merge_base(tip, from)?;
            out.plan =
                Some(bump::plan(run, target, tip, tip, &repo.changed_paths(base, from)?)?.plan);
            let mut conflict = Conflict {
                kind: ConflictKind::Merge {
                    from_branch: from_branch.to_string(),
                    from,
                },
                files,
                prerequisites: Vec::new(),
                remaining: Vec::new(),
                worktree: None,
            };
            if run.opts.worktree && !run.opts.dry_run {
                let leave = state::Leave {
                    target,
                    chain: rest,
                    rewrite: None,
                };
                conflict.worktree = Some(
                    state::leave_merge_conflict(
                        run,
                        &leave,
                        tip,
                        from,
                        from_branch,
                        theirs,
                        &conflict.files,
                    )
                    .map_err(|e| format!("{e:#}")),
                );
            }
            out.conflict = Some(conflict);
            out.build = BuildOutcome::Skipped("not built: the merge stopped on a conflict".into());
            Ok(out)
        }
    }
}

/// The ancestor and "theirs" trees of a merge-forward merge, with the
/// previous line's versions pinned to the target's.
pub fn merge_inputs(run: &Run, tip: Oid, from: Oid) -> Result<(Oid, Oid)> {
    let cx = run.cx;
    let base = cx.repo.merge_base(tip, from)?;
    let pins = pick::Pins::new(run)?;
    let files = pins.touched(&cx.repo, base, from)?;
    Ok((
        pins.tree(cx, base, tip, &files)?,
        pins.tree(cx, from, tip, &files)?,
    ))
}

pub fn merge_message(from_branch: &str, into: &str) -> String {
    format!(
        "Merge {from_branch} into {into}\n\n\
         Merge-forward of the security fix: `{into}` takes the older line's\n\
         fix; its own versions stay and its bump commit follows.\n"
    )
}
