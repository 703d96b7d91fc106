//! The continue/abort state machine. A conflict is left in a worktree under
//! the target directory, with the backport's progress in that worktree's
//! git directory (like git's own sequencer), so that `--continue` works
//! from a new shell, in the worktree or from the main checkout, and after
//! the process was killed.
//!
//! Phases, each written atomically (write, then rename):
//! - `preparing`: the worktree is being set to show the conflict; a run
//!   that finds this phase prepares it again.
//! - `conflict`: waiting for the user.
//! - `writing`: the result is built and the branch is about to be written;
//!   a run that finds the branch already at that result only cleans up.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
use serde::{Deserialize, Serialize};

use super::pick::{Picker, Stop, VersionMap};
use super::result::*;
use super::{Outcome, Run, Target, bump, finish, fix_paths, merge_forward, work_dir};
use crate::cli::{ConfigArgs, GlobalArgs};
use crate::config::Config;
use crate::context::{Checkout, Context, ContextOptions, Location};
use crate::git::{Oid, RefTip, Repo, remove_worktree, run_git_as, short};
use crate::release::LineSpec;
use crate::shell::Shell;

/// The file in a conflict worktree's git directory.
pub const STATE_FILE: &str = "security-release-backport.json";
const FORMAT: u32 = 1;

/// A target as the state records it.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SavedTarget {
    pub name: String,
    pub role: Option<String>,
    pub tip_name: String,
    pub tip: String,
    pub branch: String,
    /// `--onto TARGET=BRANCH`: (branch, its tip).
    pub handmade: Option<(String, String)>,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SavedPick {
    pub original: String,
    pub new: String,
    pub resolved: bool,
}

#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct SavedSkip {
    pub original: String,
    pub kind: String,
    pub why: String,
    #[serde(default = "certain")]
    pub certain: bool,
}

fn certain() -> bool {
    true
}

/// What the worktree's conflict is.
#[derive(Serialize, Deserialize, Clone, Debug)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SavedStep {
    /// Fix commit `index` picked onto `at`.
    Pick {
        at: String,
        index: usize,
        /// The commit `git cherry-pick` was given: the fix commit with the
        /// target's versions pinned.
        synthetic: String,
        files: Vec<String>,
        picked: Vec<SavedPick>,
        skipped: Vec<SavedSkip>,
    },
    /// The previous line's result `from` merged into `at` (the target's tip).
    Merge {
        at: String,
        from: String,
        from_branch: String,
        synthetic: String,
        files: Vec<String>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "phase", rename_all = "kebab-case")]
pub enum Phase {
    Preparing,
    Conflict,
    Writing { result: String },
}

/// A backport waiting in a worktree.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct State {
    pub format: u32,
    /// The main checkout (where the run started).
    pub main_workdir: PathBuf,
    pub ws_dir: String,
    pub fix_branch: String,
    pub base: String,
    pub head: String,
    pub strategy: String,
    pub force: bool,
    pub build: bool,
    pub align_deps: bool,
    /// Every target of the run, in order.
    pub targets: Vec<SavedTarget>,
    /// The one waiting here (index into `targets`).
    pub target: usize,
    /// Merge-forward: the targets still to do after this one.
    pub chain: Vec<usize>,
    pub step: SavedStep,
    pub phase: Phase,
    pub worktree: PathBuf,
    /// (crate, main's version, the target's) for bookkeeping commits.
    pub rewrite: Vec<(String, String, String)>,
}

/// A state found on disk.
pub struct Located {
    pub state: State,
    pub path: PathBuf,
}

/// What a conflict left in a worktree needs to know besides the pick.
pub struct Leave<'a> {
    pub target: &'a Target,
    pub chain: &'a [usize],
    pub rewrite: Option<&'a VersionMap>,
}

fn oid(s: &str) -> Result<Oid> {
    Oid::from_str(s).map_err(|_| anyhow!("backport state: `{s}` is not a commit id"))
}

impl State {
    fn new(run: &Run, leave: &Leave, step: SavedStep, worktree: PathBuf) -> State {
        let cx = run.cx;
        let saved = |t: &Target| SavedTarget {
            name: t.name.clone(),
            role: t.role.clone(),
            tip_name: t.tip.name.clone(),
            tip: t.tip.commit.to_string(),
            branch: t.branch.clone(),
            handmade: t
                .handmade
                .as_ref()
                .map(|h| (h.name.clone(), h.commit.to_string())),
        };
        State {
            format: FORMAT,
            main_workdir: cx.repo.workdir().to_path_buf(),
            ws_dir: cx.ws_dir.clone(),
            fix_branch: cx.head.branch.clone().unwrap_or_default(),
            base: cx.base.commit.to_string(),
            head: cx.head.commit.to_string(),
            strategy: run.opts.strategy.name().to_string(),
            force: run.opts.force,
            build: run.opts.build,
            align_deps: run.opts.align_deps,
            targets: run.targets.iter().map(saved).collect(),
            target: run.index_of(leave.target),
            chain: leave.chain.to_vec(),
            step,
            phase: Phase::Preparing,
            worktree,
            rewrite: leave
                .rewrite
                .map(|m| {
                    m.iter()
                        .map(|(k, (a, b))| (k.clone(), a.to_string(), b.to_string()))
                        .collect()
                })
                .unwrap_or_default(),
        }
    }

    /// The targets of the run, as the command works with them.
    pub fn targets(&self) -> Result<Vec<Target>> {
        self.targets
            .iter()
            .map(|t| {
                Ok(Target {
                    name: t.name.clone(),
                    role: t.role.clone(),
                    tip: RefTip {
                        name: t.tip_name.clone(),
                        commit: oid(&t.tip)?,
                    },
                    branch: t.branch.clone(),
                    handmade: match &t.handmade {
                        Some((name, tip)) => Some(RefTip {
                            name: name.clone(),
                            commit: oid(tip)?,
                        }),
                        None => None,
                    },
                })
            })
            .collect()
    }

    pub fn target_name(&self) -> &str {
        self.targets
            .get(self.target)
            .map(|t| t.name.as_str())
            .unwrap_or("?")
    }

    fn rewrite_map(&self) -> Option<VersionMap> {
        let map: VersionMap = self
            .rewrite
            .iter()
            .filter_map(|(k, a, b)| {
                Some((
                    k.clone(),
                    (
                        semver::Version::parse(a).ok()?,
                        semver::Version::parse(b).ok()?,
                    ),
                ))
            })
            .collect();
        (!map.is_empty()).then_some(map)
    }

    fn files(&self) -> &[String] {
        match &self.step {
            SavedStep::Pick { files, .. } | SavedStep::Merge { files, .. } => files,
        }
    }
}

/// Writes the state into the worktree's git directory, atomically.
fn save(state: &State, git_dir: &Path) -> Result<()> {
    let path = git_dir.join(STATE_FILE);
    let tmp = git_dir.join(format!("{STATE_FILE}.tmp"));
    let text = serde_json::to_string_pretty(state).context("cannot encode the backport state")?;
    std::fs::write(&tmp, text).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("cannot write `{}`", path.display()))
}

fn load(path: &Path) -> Result<State> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read `{}`", path.display()))?;
    let state: State = serde_json::from_str(&text).with_context(|| {
        format!(
            "`{}` is not a backport state this tool wrote",
            path.display()
        )
    })?;
    if state.format != FORMAT {
        bail!(
            "`{}` was written by another version of cargo-security-release (format {}); \
             finish it with that version or run `backport --abort`",
            path.display(),
            state.format
        );
    }
    Ok(state)
}

fn saved_picks(out: &TargetResult) -> Vec<SavedPick> {
    out.picked
        .iter()
        .map(|p| SavedPick {
            original: p.original.id.to_string(),
            new: p.new.to_string(),
            resolved: p.resolved,
        })
        .collect()
}

fn saved_skips(out: &TargetResult) -> Vec<SavedSkip> {
    out.skipped
        .iter()
        .map(|s| SavedSkip {
            original: s.original.id.to_string(),
            kind: s.kind.clone(),
            why: s.why.clone(),
            certain: s.certain,
        })
        .collect()
}

/// The worktree's name for a target.
fn worktree_name(target: &Target) -> String {
    format!("conflict-{}", target.branch.replace('/', "-"))
}

/// A worktree at `at` for the conflict, with the state in its git dir.
fn new_worktree(run: &Run, target: &Target, at: Oid) -> Result<(PathBuf, PathBuf)> {
    let wt = crate::git::TempWorktree::create(
        &run.cx.repo,
        &work_dir(run.cx),
        &worktree_name(target),
        at,
    )?;
    let path = wt.keep();
    let git_dir = Repo::open(&path)?.git_dir().to_path_buf();
    Ok((path, git_dir))
}

/// `--worktree`: leaves fix commit `index`'s conflicting pick in a
/// worktree (with the target's versions pinned, so only the real conflict
/// shows) and records the progress for `--continue`.
pub fn leave_pick_conflict(
    run: &Run,
    leave: &Leave,
    out: &TargetResult,
    index: usize,
    at: Oid,
    files: &[String],
    trees: (Oid, Oid),
) -> Result<PathBuf> {
    let (ancestor_tree, theirs_tree) = trees;
    let commit = &run.cx.fix[index];
    let synthetic = synthetic_pick(run, commit.id, &commit.message, ancestor_tree, theirs_tree)?;
    let (path, git_dir) = new_worktree(run, leave.target, at)?;
    let step = SavedStep::Pick {
        at: at.to_string(),
        index,
        synthetic: synthetic.to_string(),
        files: files.to_vec(),
        picked: saved_picks(out),
        skipped: saved_skips(out),
    };
    let mut state = State::new(run, leave, step, path.clone());
    prepare(run, &mut state, &git_dir)?;
    Ok(path)
}

fn state_files(state: &mut State, files: Vec<String>) {
    match &mut state.step {
        SavedStep::Pick { files: f, .. } | SavedStep::Merge { files: f, .. } => *f = files,
    }
}

/// The merge-forward counterpart of `leave_pick_conflict`.
pub fn leave_merge_conflict(
    run: &Run,
    leave: &Leave,
    at: Oid,
    from: Oid,
    from_branch: &str,
    theirs_tree: Oid,
    files: &[String],
) -> Result<PathBuf> {
    let repo = &run.cx.repo;
    // A commit whose parent is the previous result, so that `git merge`
    // finds the same merge base, and whose tree has the target's versions.
    let synthetic = repo.write_commit_with_parents(
        theirs_tree,
        &[from],
        None,
        run.committer,
        &merge_forward::merge_message(from_branch, &leave.target.name),
    )?;
    let (path, git_dir) = new_worktree(run, leave.target, at)?;
    let step = SavedStep::Merge {
        at: at.to_string(),
        from: from.to_string(),
        from_branch: from_branch.to_string(),
        synthetic: synthetic.to_string(),
        files: files.to_vec(),
    };
    let mut state = State::new(run, leave, step, path.clone());
    prepare(run, &mut state, &git_dir)?;
    Ok(path)
}

/// A commit that `git cherry-pick` turns into the pinned pick: its parent
/// has the pinned ancestor tree, it has the pinned tree, the original's
/// author and message (trailer included, so a manual
/// `git cherry-pick --continue` is right too).
fn synthetic_pick(
    run: &Run,
    original: Oid,
    message: &str,
    ancestor_tree: Oid,
    theirs_tree: Oid,
) -> Result<Oid> {
    let repo = &run.cx.repo;
    let parent = repo.write_commit_with_parents(
        ancestor_tree,
        &[],
        Some(original),
        run.committer,
        "security-release: the pinned parent of a conflicting pick\n",
    )?;
    let message = format!(
        "{}\n\n(cherry picked from commit {original})\n",
        message.trim_end()
    );
    repo.write_commit_with_parents(
        theirs_tree,
        &[parent],
        Some(original),
        run.committer,
        &message,
    )
}

/// Sets the worktree to show the state's conflict: phase `preparing`
/// first, then the reset and the pick or merge, then `conflict`.
fn prepare(run: &Run, state: &mut State, git_dir: &Path) -> Result<()> {
    state.phase = Phase::Preparing;
    save(state, git_dir)?;
    let wt = state.worktree.clone();
    let _ = run_git_as(&wt, run.committer, &["cherry-pick", "--quit"]);
    let _ = run_git_as(&wt, run.committer, &["merge", "--abort"]);
    let (at, synthetic, is_merge) = match &state.step {
        SavedStep::Pick { at, synthetic, .. } => (at.clone(), synthetic.clone(), false),
        SavedStep::Merge { at, synthetic, .. } => (at.clone(), synthetic.clone(), true),
    };
    run_git_as(&wt, run.committer, &["reset", "--quiet", "--hard", &at])?;
    // Expected to stop on the conflict; the state it leaves is the point.
    let _ = if is_merge {
        run_git_as(
            &wt,
            run.committer,
            &["merge", "--no-ff", "--no-commit", "--quiet", &synthetic],
        )
    } else {
        run_git_as(&wt, run.committer, &["cherry-pick", &synthetic])
    };
    let unmerged = Repo::open(&wt)?.resolution()?.unmerged;
    if state.files().is_empty() {
        state_files(state, unmerged);
    }
    state.phase = Phase::Conflict;
    save(state, git_dir)
}

/// Finds the backport waiting for `--continue`/`--abort`: the one of the
/// worktree `cwd` is in, else the one for the target `--onto` names, else
/// the only one there is.
pub fn find(cwd: &Path, onto: &[String]) -> Result<Located> {
    let repo = Repo::discover(cwd)?;
    let own = repo.git_dir().join(STATE_FILE);
    let names = |s: &State| -> bool {
        onto.is_empty()
            || onto.iter().any(|o| {
                let o = o.split_once('=').map(|(t, _)| t).unwrap_or(o);
                o == s.target_name() || s.targets.get(s.target).is_some_and(|t| t.branch == o)
            })
    };
    if own.is_file() {
        let state = load(&own)?;
        if names(&state) {
            return Ok(Located { state, path: own });
        }
    }
    let mut found = Vec::new();
    let dir = repo.common_dir().join("worktrees");
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let path = e.path().join(STATE_FILE);
            if path.is_file() {
                let state = load(&path)?;
                if names(&state) {
                    found.push(Located { state, path });
                }
            }
        }
    }
    match found.len() {
        0 if onto.is_empty() => bail!(
            "no backport is waiting for --continue or --abort in `{}`\n\
             a conflict is left for you with `backport --worktree`",
            repo.workdir().display()
        ),
        0 => bail!(
            "no backport onto {} is waiting for --continue or --abort",
            onto.iter()
                .map(|o| format!("`{o}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        1 => Ok(found.remove(0)),
        _ => bail!(
            "several backports are waiting: {}\nname one with --onto TARGET (or run in its worktree)",
            found
                .iter()
                .map(|l| format!(
                    "`{}` in `{}`",
                    l.state.target_name(),
                    l.state.worktree.display()
                ))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The context of the backport being continued: the fix as recorded (its
/// HEAD may have moved since), the configuration at that HEAD, and the
/// targets of the run as the release lines.
pub fn context(
    state: &State,
    global: &GlobalArgs,
    flags: &ConfigArgs,
    shell: Shell,
) -> Result<Context> {
    let location = Location {
        cwd: state.main_workdir.join(&state.ws_dir),
        manifest_path: None,
    };
    let checkout = Checkout::locate(&location).with_context(|| {
        format!(
            "the checkout the backport started in (`{}`) is gone",
            state.main_workdir.display()
        )
    })?;
    let head = oid(&state.head)?;
    let text = checkout
        .repo
        .tree_at(head)?
        .read(&checkout.root_manifest)?
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| {
            anyhow!(
                "no `{}` at the fix's HEAD {}",
                checkout.root_manifest,
                short(head)
            )
        })?;
    let doc: toml_edit::DocumentMut = text.parse().map_err(|e| {
        anyhow!(
            "failed to parse `{}` at {}\n{e}",
            checkout.root_manifest,
            short(head)
        )
    })?;
    let mut config = Config::from_manifest(&doc, &checkout.root_manifest)?;
    config.apply_flags(flags, global.offline);
    config.index_timeout = global.timeout;
    config.branches = state
        .targets
        .iter()
        .map(|t| match &t.role {
            Some(role) => LineSpec::Role {
                role: role.clone(),
                branch: t.name.clone(),
            },
            None => LineSpec::Name(t.name.clone()),
        })
        .collect();
    config.branches_source = "by the backport being continued".to_string();
    let opts = ContextOptions {
        base: Some(state.base.clone()),
        head: Some((head, state.fix_branch.clone())),
        base_how: Some(format!(
            "BASE of the backport being continued ({})",
            short(oid(&state.base)?)
        )),
        ..ContextOptions::default()
    };
    Context::build(checkout, config, &opts, shell)
}

/// `--abort`: removes the worktree and its state; writes nothing.
pub fn abort(located: &Located) -> Result<()> {
    remove_worktree(&located.state.main_workdir, &located.state.worktree)
}

/// `--continue`: commits the resolution, goes on with the remaining picks
/// (stopping the same way at the next conflict), the bump, the branch and
/// its build, removes the worktree, and (merge-forward) goes on with the
/// rest of the chain.
pub fn resume(run: &Run, located: &Located) -> Result<Vec<Outcome>> {
    let mut state = located.state.clone();
    let git_dir = located
        .path
        .parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| {
            anyhow!(
                "backport state `{}` has no directory",
                located.path.display()
            )
        })?;
    let target = run
        .targets
        .get(state.target)
        .cloned()
        .ok_or_else(|| anyhow!("backport state names no target"))?;
    let repo = &run.cx.repo;
    run.cx.shell.status(
        "Continuing",
        format!("onto {} from `{}`", target.name, state.worktree.display()),
    );
    if !state.worktree.join(".git").exists() {
        bail!(
            "the worktree `{}` of the backport onto `{}` is gone; run `backport --abort` and start again",
            state.worktree.display(),
            target.name
        );
    }
    if state.phase == Phase::Preparing {
        prepare(run, &mut state, &git_dir)?;
        return Ok(vec![Outcome::Done(Box::new(waiting_again(
            run, &target, &state,
        )?))]);
    }
    if let Phase::Writing { result } = &state.phase
        && repo.local_branch(&target.branch).map(|b| b.commit) == Some(oid(result)?)
    {
        // Killed after the branch was written: only the cleanup is left.
        let result = oid(result)?;
        let mut out =
            TargetResult::new(&target, bump::policy_for(run, &target), Method::CherryPick);
        out.result = Some(result);
        out.branch = BranchOutcome::Created { replaced: None };
        out.build = if run.opts.build {
            super::build::check(run, &target, result)
        } else {
            BuildOutcome::Skipped("skipped by --no-build".into())
        };
        remove_worktree(&state.main_workdir, &state.worktree)?;
        return Ok(then_chain(run, &state, out));
    }
    let wt = Repo::open(&state.worktree)?;
    let tree = resolved_tree(&wt, &state, repo)?;
    // The state as found: a run killed while writing resolves the same
    // conflict again.
    let found = state.clone();
    let found_dir = git_dir.clone();
    let mut before_write = move |result: Oid| -> Result<()> {
        let mut s = found.clone();
        s.phase = Phase::Writing {
            result: result.to_string(),
        };
        save(&s, &found_dir)
    };
    let out = match state.step.clone() {
        SavedStep::Pick {
            at,
            index,
            picked,
            skipped,
            ..
        } => {
            let saved = (oid(&at)?, index, picked, skipped);
            match resume_pick(
                run,
                &target,
                &mut state,
                &git_dir,
                tree,
                saved,
                &mut before_write,
            )? {
                Resumed::Done(out) => out,
                Resumed::Waiting(out) => return Ok(vec![Outcome::Done(Box::new(out))]),
            }
        }
        SavedStep::Merge {
            at,
            from,
            from_branch,
            ..
        } => {
            let (at, from) = (oid(&at)?, oid(&from)?);
            let merge = repo.write_commit_with_parents(
                tree,
                &[at, from],
                None,
                run.committer,
                &merge_forward::merge_message(&from_branch, &target.name),
            )?;
            let out = TargetResult::new(
                &target,
                bump::policy_for(run, &target),
                Method::Merge(MergeStep {
                    from_branch,
                    from,
                    commit: Some(merge),
                    chain: run.targets.iter().map(|t| t.name.clone()).collect(),
                    waiting_for: None,
                }),
            );
            finish(run, &target, out, at, merge, &mut before_write)?
        }
    };
    if matches!(out.branch, BranchOutcome::Created { .. }) {
        remove_worktree(&state.main_workdir, &state.worktree)?;
    }
    let mut out = out;
    if let Some(now) = repo.branch_tip(&target.name)
        && now.commit != target.tip.commit
    {
        out.tip_moved = Some(now.commit);
    }
    Ok(then_chain(run, &state, out))
}

/// Where a resumed pick sequence ended.
enum Resumed {
    Done(TargetResult),
    /// Stopped at another conflict, now waiting in the same worktree.
    Waiting(TargetResult),
}

/// `--continue` of a pick: the resolution committed as the pick of fix
/// commit `index`, then the remaining picks and the bump (or the next
/// conflict, prepared in the same worktree).
fn resume_pick(
    run: &Run,
    target: &Target,
    state: &mut State,
    git_dir: &Path,
    tree: Oid,
    saved: (Oid, usize, Vec<SavedPick>, Vec<SavedSkip>),
    before_write: &mut dyn FnMut(Oid) -> Result<()>,
) -> Result<Resumed> {
    let repo = &run.cx.repo;
    let (at, index, picked, skipped) = saved;
    let tip = target.tip.commit;
    let mut picker = Picker::new(run, target, tip)?;
    picker.rewrite = state.rewrite_map();
    let mut out = TargetResult::new(target, bump::policy_for(run, target), Method::CherryPick);
    for p in picked {
        out.picked.push(Picked {
            original: repo.commit_info(oid(&p.original)?)?,
            new: oid(&p.new)?,
            resolved: p.resolved,
            rewrites: Vec::new(),
            unmapped: Vec::new(),
            placed: Vec::new(),
            subject: None,
        });
    }
    for s in skipped {
        out.skipped.push(Skipped {
            original: repo.commit_info(oid(&s.original)?)?,
            kind: s.kind,
            why: s.why,
            certain: s.certain,
        });
    }
    let commit = run
        .cx
        .fix
        .get(index)
        .cloned()
        .ok_or_else(|| anyhow!("backport state: fix commit #{index} is not part of the fix"))?;
    let ours = repo.tree_id(at)?;
    let mut current = at;
    if tree == ours {
        out.skipped.push(Skipped {
            original: commit.clone(),
            kind: "resolved-empty".to_string(),
            certain: true,
            why: format!(
                "its conflict was resolved to no change on `{}`",
                target.name
            ),
        });
    } else {
        let mut pick = picker.commit_pick(&commit, at, ours, tree, true)?;
        pick.resolved = true;
        current = pick.new;
        out.picked.push(pick);
    }
    let (current, stop) = picker.pick_from(current, index + 1, &mut out)?;
    match stop {
        Stop::Done => Ok(Resumed::Done(finish(
            run,
            target,
            out,
            tip,
            current,
            before_write,
        )?)),
        Stop::Conflict {
            index,
            at,
            files,
            ancestor_tree,
            theirs_tree,
        } => {
            // The next conflict waits in the same worktree.
            let mut conflict = picker.conflict(tip, index, files.clone())?;
            out.plan = Some(bump::plan(run, target, tip, at, &fix_paths(run, index)?)?.plan);
            let next = &run.cx.fix[index];
            let synthetic =
                synthetic_pick(run, next.id, &next.message, ancestor_tree, theirs_tree)?;
            state.step = SavedStep::Pick {
                at: at.to_string(),
                index,
                synthetic: synthetic.to_string(),
                files,
                picked: saved_picks(&out),
                skipped: saved_skips(&out),
            };
            prepare(run, state, git_dir)?;
            conflict.worktree = Some(Ok(state.worktree.clone()));
            out.conflict = Some(conflict);
            out.build =
                BuildOutcome::Skipped("not built: the backport stopped on another conflict".into());
            Ok(Resumed::Waiting(out))
        }
    }
}

/// The tree the user's resolution holds, after checking that no conflict
/// is left: committed on top of the conflict, or staged in the index.
fn resolved_tree(wt: &Repo, state: &State, repo: &Repo) -> Result<Oid> {
    let res = wt.resolution()?;
    let at = match &state.step {
        SavedStep::Pick { at, .. } | SavedStep::Merge { at, .. } => oid(at)?,
    };
    let dir = state.worktree.display();
    if !res.unmerged.is_empty() {
        bail!(
            "the conflict in `{dir}` is not resolved: {} still unmerged\n\
             resolve, `git add` the files, and run `cargo security-release backport --continue` again",
            res.unmerged
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if !res.unstaged.is_empty() {
        bail!(
            "`{dir}` has changes that are not staged: {}\n\
             `git add` what belongs to the resolution (or `git checkout -- <file>` to drop it), then run --continue again",
            res.unstaged
                .iter()
                .map(|f| format!("`{f}`"))
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    let tree = if res.head != at {
        // The user committed (`git cherry-pick --continue`): take that.
        if !repo.contains(res.head, at)? {
            bail!(
                "the worktree `{dir}` is at {}, which does not grow from {} where the conflict was left; \
                 reset it there (`git reset --hard {}`) or run `backport --abort`",
                short(res.head),
                short(at),
                short(at)
            );
        }
        repo.tree_id(res.head)?
    } else {
        res.index_tree
            .ok_or_else(|| anyhow!("the index of `{dir}` has no tree"))?
    };
    let mut marked = Vec::new();
    for f in state.files() {
        let Some(bytes) = repo.read_in_tree(tree, f)? else {
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        if text
            .lines()
            .any(|l| l.starts_with("<<<<<<< ") || l.starts_with(">>>>>>> "))
        {
            marked.push(format!("`{f}`"));
        }
    }
    if !marked.is_empty() {
        bail!(
            "conflict markers are left in {} (in `{dir}`): resolve them, `git add`, and run --continue again",
            marked.join(", ")
        );
    }
    Ok(tree)
}

/// A `preparing` state found by `--continue`: the worktree is set up again
/// and the conflict reported as before.
fn waiting_again(run: &Run, target: &Target, state: &State) -> Result<TargetResult> {
    let mut out = TargetResult::new(target, bump::policy_for(run, target), Method::CherryPick);
    let files = state.files().to_vec();
    let kind = match &state.step {
        SavedStep::Pick { index, .. } => {
            ConflictKind::Pick(run.cx.fix.get(*index).cloned().ok_or_else(|| {
                anyhow!("backport state: fix commit #{index} is not part of the fix")
            })?)
        }
        SavedStep::Merge {
            from, from_branch, ..
        } => ConflictKind::Merge {
            from_branch: from_branch.clone(),
            from: oid(from)?,
        },
    };
    out.conflict = Some(Conflict {
        kind,
        files,
        prerequisites: Vec::new(),
        remaining: Vec::new(),
        worktree: Some(Ok(state.worktree.clone())),
    });
    out.build = BuildOutcome::Skipped("not built: the backport waits on a conflict".into());
    Ok(out)
}

/// Merge-forward: after a completed target, the rest of the chain.
fn then_chain(run: &Run, state: &State, out: TargetResult) -> Vec<Outcome> {
    let next: Vec<Target> = state
        .chain
        .iter()
        .filter_map(|i| run.targets.get(*i).cloned())
        .collect();
    let start = match (out.complete(), out.result) {
        (true, Some(r)) => Some((r, out.target.branch.clone())),
        _ => None,
    };
    let mut all = vec![Outcome::Done(Box::new(out))];
    if !next.is_empty()
        && let Some(start) = start
    {
        all.extend(merge_forward::chain(run, &next, Some(start)));
    }
    all
}
