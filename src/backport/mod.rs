//! The `backport` operation: for each target release line, the fix brought
//! onto it (cherry-picked in memory, adopted from a hand-made branch, or
//! merged forward from the previous line), one version-bump commit, a
//! `security-release/<target>` branch written only when all of it is built,
//! and a `cargo check` of what was written. Everything happens in git's
//! object database; the user's HEAD, index and work tree are never touched.
//! A conflict waits in a worktree for `--continue` (see `state`).

pub mod build;
pub mod bump;
pub mod counterpart;
pub mod external;
pub mod merge_forward;
pub mod pick;
pub mod result;
pub mod rows;
pub mod state;
pub mod versions;

use std::cell::OnceCell;
use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};

use crate::context::Context;
use crate::git::{CommitInfo, Committer, Oid, RefTip, Repo, short};
use crate::release::LineSpec;
use external::FixCode;
use pick::{Picker, Stop, VersionMap};
pub use result::*;

/// A release branch to backport onto.
#[derive(Clone, Debug)]
pub struct Target {
    /// The branch as the user named it: `stable`, `rust-1.71.0`.
    pub name: String,
    /// `stable`, `beta`, or `None` for an `--onto` branch.
    pub role: Option<String>,
    /// Where the target is now (the local branch, else `origin/<name>`).
    pub tip: RefTip,
    /// The branch this creates: `security-release/<name>`.
    pub branch: String,
    /// `--onto TARGET=BRANCH`: the fix written by hand on BRANCH.
    pub handmade: Option<RefTip>,
}

/// How the targets were chosen, and any note the report should carry.
pub struct Targets {
    pub targets: Vec<Target>,
    pub note: Option<String>,
}

/// How the fix reaches the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Strategy {
    /// Each target gets the fix's commits cherry-picked.
    CherryPick,
    /// The fix starts on the oldest target; each newer one merges the
    /// previous one's result.
    MergeForward,
}

impl Strategy {
    pub fn parse(s: &str) -> Option<Strategy> {
        match s {
            "cherry-pick" => Some(Strategy::CherryPick),
            "merge-forward" => Some(Strategy::MergeForward),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Strategy::CherryPick => "cherry-pick",
            Strategy::MergeForward => "merge-forward",
        }
    }
}

/// What the caller asked for.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    pub force: bool,
    pub dry_run: bool,
    pub worktree: bool,
    /// `cargo check` each written branch (`--no-build` turns it off).
    pub build: bool,
    /// Raise requirements on external crates the fix needs (`--no-align-deps`).
    pub align_deps: bool,
    pub strategy: Strategy,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            force: false,
            dry_run: false,
            worktree: false,
            build: true,
            align_deps: true,
            strategy: Strategy::CherryPick,
        }
    }
}

/// One `backport` run: the context, every target, who commits, and what
/// was asked.
pub struct Run<'a> {
    pub cx: &'a Context,
    pub targets: &'a [Target],
    pub committer: &'a Committer,
    pub opts: Options,
    fix_code: OnceCell<FixCode>,
}

impl<'a> Run<'a> {
    pub fn new(
        cx: &'a Context,
        targets: &'a [Target],
        committer: &'a Committer,
        opts: Options,
    ) -> Run<'a> {
        Run {
            cx,
            targets,
            committer,
            opts,
            fix_code: OnceCell::new(),
        }
    }

    /// The fix's Rust code, read once.
    pub fn fix_code(&self) -> Result<&FixCode> {
        if let Some(code) = self.fix_code.get() {
            return Ok(code);
        }
        let code = FixCode::read(self)?;
        Ok(self.fix_code.get_or_init(|| code))
    }

    pub(crate) fn index_of(&self, target: &Target) -> usize {
        self.targets
            .iter()
            .position(|t| t.name == target.name)
            .unwrap_or(0)
    }
}

/// A target's result, or why it could not be worked on at all.
pub enum Outcome {
    Done(Box<TargetResult>),
    Failed(Target, anyhow::Error),
}

impl Outcome {
    fn of(target: &Target, result: Result<TargetResult>) -> Outcome {
        match result {
            Ok(r) => Outcome::Done(Box::new(r)),
            Err(e) => Outcome::Failed(target.clone(), e),
        }
    }
}

/// The targets: the release lines the release model chose (from flags,
/// the configuration, or a layout that says which lines are maintained),
/// in the order the strategy works on them. Undecided lines, a backport
/// prefix that would overwrite a release line, and a hand-made backport
/// that does not start from its line are errors.
pub fn select_targets(cx: &Context, strategy: Strategy) -> Result<Targets> {
    let repo = &cx.repo;
    let lines = cx.releases.lines(repo)?;
    if lines.is_empty() {
        bail!(
            "no release line to backport onto: {}\n\
             name the lines with --onto <branch> (repeatable), --stable/--beta, or \
             `branches = [\"…\"]` in [workspace.metadata.security-release]",
            cx.releases.note()
        );
    }
    let mut targets: Vec<Target> = Vec::new();
    for line in lines {
        let tip = line.tip.clone().ok_or_else(|| {
            anyhow!(
                "release line `{}` exists neither locally nor as `origin/{}`",
                line.name,
                line.name
            )
        })?;
        targets.push(Target {
            branch: format!("{}{}", cx.config.backport_prefix, line.name),
            name: line.name.clone(),
            role: line.role.clone(),
            tip,
            handmade: None,
        });
    }
    let main = cx.releases.main.clone();
    let main_name = main
        .as_ref()
        .map(|m| m.name.trim_start_matches("origin/").to_string());
    if strategy == Strategy::MergeForward {
        // `--onto` order decides when the lines were named; the main
        // branch, when named, is the last line merged into.
        let named: Vec<&str> = cx
            .config
            .branches
            .iter()
            .filter_map(|s| match s {
                LineSpec::Name(n) | LineSpec::Role { branch: n, .. } => Some(n.as_str()),
                LineSpec::Glob(_) => None,
            })
            .collect();
        if cx.config.branches_source.contains("command line") {
            targets.sort_by_key(|t| {
                named
                    .iter()
                    .position(|n| *n == t.name)
                    .unwrap_or(usize::MAX)
            });
        }
        if let (Some(main), Some(name)) = (&main, &main_name)
            && named.contains(&name.as_str())
        {
            targets.push(Target {
                branch: format!("{}{}", cx.config.backport_prefix, name),
                name: name.clone(),
                role: None,
                tip: main.clone(),
                handmade: None,
            });
        }
    }
    // The branches written must never be a line or the main branch.
    let mut protected: BTreeSet<String> = cx
        .releases
        .candidates
        .iter()
        .chain(cx.releases.evidence_lines())
        .map(|l| l.name.clone())
        .collect();
    protected.extend(targets.iter().map(|t| t.name.clone()));
    protected.extend(main_name.clone());
    protected.extend(cx.head.branch.clone());
    for t in &targets {
        if !Repo::is_valid_branch_name(&t.branch) {
            bail!(
                "--backport-prefix `{}` gives `{}`, which is not a valid branch name",
                cx.config.backport_prefix,
                t.branch
            );
        }
        if protected.contains(&t.branch) {
            bail!(
                "--backport-prefix `{}` would write `{}` for `{}`, which is a release line, the main \
                 branch or the fix branch itself; choose a prefix no such branch starts with \
                 (the default is `security-release/`)",
                cx.config.backport_prefix,
                t.branch,
                t.name
            );
        }
    }
    let tips: Vec<RefTip> = targets
        .iter()
        .map(|t| t.tip.clone())
        .chain(main.clone())
        .collect();
    for t in &mut targets {
        let Some(branch) = cx.config.hand_made.get(&t.name) else {
            continue;
        };
        let tip = repo.branch_tip(branch).ok_or_else(|| {
            anyhow!(
                "hand-made backport `{branch}` of `{}` exists neither locally nor as `origin/{branch}`",
                t.name
            )
        })?;
        if Some(branch.as_str()) == main_name.as_deref() || *branch == t.name {
            bail!(
                "hand-made backport of `{}` must be a branch of its own, not `{branch}`",
                t.name
            );
        }
        let others: Vec<RefTip> = tips
            .iter()
            .filter(|o| o.name != t.tip.name)
            .cloned()
            .collect();
        counterpart::validate(repo, &t.name, t.tip.commit, &tip, &others)?;
        t.handmade = Some(tip);
    }
    Ok(Targets {
        targets,
        note: Some(cx.releases.note()),
    })
}

/// Refuses fix ranges that cannot be cherry-picked one by one.
pub fn refuse_merges(fix: &[CommitInfo]) -> Result<()> {
    if let Some(m) = fix.iter().find(|c| c.parent_count > 1) {
        bail!(
            "the fix contains merge commit {} ({}): backport cherry-picks the fix's commits one by one and does not pick merges\n\
             rebase the fix onto BASE without merges (`git rebase <base>`), or pass --base to start after the merge",
            m.short_id(),
            m.summary
        );
    }
    Ok(())
}

/// Works on every target of the run, in its strategy's order.
pub fn run_all(run: &Run) -> Vec<Outcome> {
    match run.opts.strategy {
        Strategy::CherryPick => run
            .targets
            .iter()
            .map(|t| Outcome::of(t, one_target(run, t)))
            .collect(),
        Strategy::MergeForward => merge_forward::chain(run, run.targets, None),
    }
}

fn one_target(run: &Run, target: &Target) -> Result<TargetResult> {
    run.cx
        .shell
        .status("Backporting", format!("onto {}", target.name));
    match &target.handmade {
        Some(branch) => adopt(run, target, branch),
        None => cherry_pick(run, target, &[]),
    }
}

/// Cherry-picks the fix onto the target's tip and finishes it.
pub(crate) fn cherry_pick(run: &Run, target: &Target, chain: &[usize]) -> Result<TargetResult> {
    let tip = target.tip.commit;
    let mut picker = Picker::new(run, target, tip)?;
    let mut out = TargetResult::new(target, bump::policy_for(run, target), Method::CherryPick);
    let (mut current, mut stop) = picker.pick_from(tip, 0, &mut out)?;
    if picker.all_present() {
        out.branch = BranchOutcome::Unneeded;
        out.build =
            BuildOutcome::Skipped("nothing to build: the target already has the fix".into());
        return Ok(out);
    }
    // Second pass, once the plan says which versions this target ships:
    // bookkeeping commits (main's "Bump x to 0.3.1" left with a changelog
    // hunk) name those versions instead of main's.
    let planned = bump::plan(run, target, tip, current, &stop_paths(run, &stop)?)?;
    let map = version_map(run, &planned.shipped);
    if !map.is_empty() {
        let redo = out.picked.iter().any(|p| carries_only_changelogs(run, p));
        // Kept for the picks a `--continue` makes after a conflict, too.
        picker.rewrite = Some(map);
        if redo {
            out.picked.clear();
            out.skipped.clear();
            (current, stop) = picker.pick_from(tip, 0, &mut out)?;
        }
    }
    match stop {
        Stop::Done => {
            if out.picked.is_empty() {
                // Every pick was empty on this target.
                out.branch = BranchOutcome::Unneeded;
                out.build = BuildOutcome::Skipped("nothing to build: no change to apply".into());
                return Ok(out);
            }
            finish(run, target, out, tip, current, &mut |_| Ok(()))
        }
        Stop::Conflict {
            index,
            at,
            files,
            ancestor_tree,
            theirs_tree,
        } => {
            let mut conflict = picker.conflict(tip, index, files)?;
            out.plan = Some(bump::plan(run, target, tip, at, &fix_paths(run, index)?)?.plan);
            if run.opts.worktree && !run.opts.dry_run {
                let leave = state::Leave {
                    target,
                    chain,
                    rewrite: picker.rewrite.as_ref(),
                };
                conflict.worktree = Some(
                    state::leave_pick_conflict(
                        run,
                        &leave,
                        &out,
                        index,
                        at,
                        &conflict.files,
                        (ancestor_tree, theirs_tree),
                    )
                    .map_err(|e| format!("{e:#}")),
                );
            }
            out.conflict = Some(conflict);
            out.build =
                BuildOutcome::Skipped("not built: the backport stopped on a conflict".into());
            Ok(out)
        }
    }
}

/// Paths the fix commits from `index` on change (what a stopped target
/// still has to take).
fn fix_paths(run: &Run, index: usize) -> Result<Vec<String>> {
    let repo = &run.cx.repo;
    let mut out: Vec<String> = Vec::new();
    for c in &run.cx.fix[index..] {
        if let Some(parent) = repo.first_parent(c.id)? {
            for p in repo.changed_paths(parent, c.id)? {
                if !out.contains(&p) {
                    out.push(p);
                }
            }
        }
    }
    Ok(out)
}

fn stop_paths(run: &Run, stop: &Stop) -> Result<Vec<String>> {
    match stop {
        Stop::Done => Ok(Vec::new()),
        Stop::Conflict { index, .. } => fix_paths(run, *index),
    }
}

/// The crates whose main-branch version is not what the target ships.
fn version_map(
    run: &Run,
    shipped: &std::collections::BTreeMap<String, semver::Version>,
) -> VersionMap {
    run.cx
        .head_ws
        .members
        .iter()
        .filter_map(|m| {
            let to = shipped.get(&m.name)?;
            (*to != m.version).then(|| (m.name.clone(), (m.version.clone(), to.clone())))
        })
        .collect()
}

/// Did this pick change nothing but changelogs?
fn carries_only_changelogs(run: &Run, p: &Picked) -> bool {
    let repo = &run.cx.repo;
    let Ok(Some(parent)) = repo.first_parent(p.new) else {
        return false;
    };
    repo.changed_paths(parent, p.new).is_ok_and(|paths| {
        !paths.is_empty()
            && paths
                .iter()
                .all(|f| crate::release::policy::is_changelog(f))
    })
}

/// `--onto TARGET=BRANCH`: maps the fix onto the hand-made branch and puts
/// the bump commit on top of it.
pub(crate) fn adopt(run: &Run, target: &Target, branch: &RefTip) -> Result<TargetResult> {
    let repo = &run.cx.repo;
    let (fork, behind) = counterpart::validate(repo, &target.name, target.tip.commit, branch, &[])?;
    let counterparts = counterpart::map(run, &target.name, fork, branch)?;
    let out = TargetResult::new(
        target,
        bump::policy_for(run, target),
        Method::HandMade(HandMade {
            branch: branch.clone(),
            fork,
            behind,
            counterparts,
        }),
    );
    finish(run, target, out, fork, branch.commit, &mut |_| Ok(()))
}

/// The rest of a built target: the bump commit on `current`, the branch,
/// and its build. `before_write` runs with the result just before the
/// branch is written (`--continue` records it, for kill safety).
pub fn finish(
    run: &Run,
    target: &Target,
    mut out: TargetResult,
    tip: Oid,
    current: Oid,
    before_write: &mut dyn FnMut(Oid) -> Result<()>,
) -> Result<TargetResult> {
    let planned = bump::plan(run, target, tip, current, &[])?;
    if !planned.plan.collisions.is_empty() {
        out.plan = Some(planned.plan);
        out.build = BuildOutcome::Skipped("not built: the planned version already exists".into());
        return Ok(out);
    }
    out.bump_commit = bump::commit(run, target, current, &planned)?;
    out.plan = Some(planned.plan);
    let result = out.bump_commit.unwrap_or(current);
    out.result = Some(result);
    if !run.opts.dry_run {
        before_write(result)?;
    }
    out.branch = write_branch(run, target, result);
    out.build = match (&out.branch, run.opts.build) {
        (BranchOutcome::Created { .. }, true) => build::check(run, target, result),
        (BranchOutcome::Created { .. }, false) => {
            BuildOutcome::Skipped("skipped by --no-build".into())
        }
        (BranchOutcome::WouldCreate { .. }, _) => {
            BuildOutcome::Skipped("dry run: nothing was written to build".into())
        }
        _ => BuildOutcome::Skipped("not built: the branch was not written".into()),
    };
    Ok(out)
}

/// Where worktrees for `--worktree`, `--verify` and the build go:
/// `security-release/` under cargo's target dir (`CARGO_TARGET_DIR`, else
/// `<workspace>/target`), which is ignored and never part of the user's work.
pub fn work_dir(cx: &Context) -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .filter(|d| !d.is_empty())
        .map(PathBuf::from)
        .map(|d| {
            if d.is_absolute() {
                d
            } else {
                cx.workspace_root.join(d)
            }
        })
        .unwrap_or_else(|| cx.workspace_root.join("target"));
    target.join("security-release")
}

/// Writes `security-release/<target>` (or says what a real run would do).
fn write_branch(run: &Run, target: &Target, result: Oid) -> BranchOutcome {
    let cx = run.cx;
    let existing = cx.repo.local_branch(&target.branch).map(|b| b.commit);
    if existing.is_some() && !run.opts.force {
        return BranchOutcome::NotWritten(format!(
            "branch `{}` already exists (at {}); pass --force to replace it",
            target.branch,
            existing.map(short).unwrap_or_default()
        ));
    }
    if run.opts.dry_run {
        return BranchOutcome::WouldCreate { replaces: existing };
    }
    match cx.repo.checked_out_at(&target.branch) {
        Ok(Some(path)) => {
            return BranchOutcome::NotWritten(format!(
                "branch `{}` is checked out in `{}`; moving it would leave that work tree dirty",
                target.branch,
                path.display()
            ));
        }
        Ok(None) => {}
        Err(e) => return BranchOutcome::NotWritten(format!("{e:#}")),
    }
    test_pause();
    let log = format!("security-release: backport onto {}", target.name);
    match cx.repo.write_branch(&target.branch, result, existing, &log) {
        Ok(()) => BranchOutcome::Created { replaced: existing },
        Err(e) => BranchOutcome::NotWritten(format!("{e:#}")),
    }
}

/// Lets the tests kill the process while refs are about to be written; the
/// variable is not meant for anything else.
fn test_pause() {
    if let Some(ms) = std::env::var_os("CARGO_SECURITY_RELEASE_TEST_PAUSE_BEFORE_REF_MS")
        .and_then(|v| v.to_str().and_then(|s| s.parse::<u64>().ok()))
    {
        eprintln!("test pause: about to write a branch");
        std::thread::sleep(std::time::Duration::from_millis(ms));
    }
}
