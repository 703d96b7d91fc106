//! The `backport` operation: for each target release branch, the fix's
//! commits cherry-picked in memory, one version-bump commit, and a
//! `security-release/<target>` branch written only when all of it is built.
//! Everything happens in git's object database; the user's HEAD, index and
//! work tree are never touched.

pub mod versions;

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::PathBuf;

use anyhow::{Context as _, Result, anyhow, bail};
use semver::Version;
use toml_edit::DocumentMut;

use crate::context::{Context, detect_main_branch};
use crate::git::{CommitInfo, Committer, Oid, RefTip, TempWorktree, TreeMerge, run_git, short};
use crate::lockfile::Lockfile;
use crate::manifest;
use crate::presence::{self, Fix};
use crate::release::lockfiles;
use crate::release::policy::{self, RaiseDependents};
use crate::workspace::{self, AtCommit, DepKind, Workspace, exclude_match};
use versions::RequirementChange;

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
}

/// How the targets were chosen, and any note the report should carry.
pub struct Targets {
    pub targets: Vec<Target>,
    pub note: Option<String>,
}

/// The targets: the release lines the release model chose (from flags,
/// the configuration, or a layout that says which lines are maintained).
/// Undecided lines are an error that lists the candidates.
pub fn select_targets(cx: &Context) -> Result<Targets> {
    let lines = cx.releases.lines(&cx.repo)?;
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
        });
    }
    Ok(Targets {
        targets,
        note: Some(cx.releases.note()),
    })
}

/// What the caller asked for.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub force: bool,
    pub dry_run: bool,
    pub worktree: bool,
}

/// A fix commit recreated on the target.
#[derive(Clone, Debug)]
pub struct Picked {
    pub original: CommitInfo,
    pub new: Oid,
}

/// A fix commit not picked, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub original: CommitInfo,
    /// `trailer`, `patch-id`, `squashed`, `ancestor`, `empty`.
    pub kind: &'static str,
    pub why: String,
}

/// A cherry-pick that did not apply.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub commit: CommitInfo,
    pub files: Vec<String>,
    /// Commits on the main branch since the target diverged that touch the
    /// conflicting files and are not on the target: likely prerequisites.
    pub prerequisites: Vec<(CommitInfo, Vec<String>)>,
    /// The fix commits after the conflicting one, still to pick.
    pub remaining: Vec<CommitInfo>,
    /// `--worktree`: where the conflicted pick waits, or why it could not.
    pub worktree: Option<Result<PathBuf, String>>,
}

/// A crate's version on the target and what the bump decided.
#[derive(Clone, Debug)]
pub struct VersionDecision {
    pub krate: String,
    pub old: Version,
    /// `None`: keeps its version (see `why`).
    pub new: Option<Version>,
    pub why: String,
}

/// A planned version that already exists elsewhere.
#[derive(Clone, Debug)]
pub struct Collision {
    pub krate: String,
    pub version: Version,
    pub places: Vec<String>,
    pub next_free: Option<Version>,
}

/// An external package locked at different versions on main and the target.
#[derive(Clone, Debug)]
pub struct LockedDifference {
    pub name: String,
    pub main: Vec<String>,
    pub target: Vec<String>,
    /// Crates of the fix that depend on it directly.
    pub used_by: Vec<String>,
}

/// What happened to the backport branch.
#[derive(Clone, Debug)]
pub enum BranchOutcome {
    Created {
        replaced: Option<Oid>,
    },
    WouldCreate {
        replaces: Option<Oid>,
    },
    /// Refused or failed; nothing written.
    NotWritten(String),
    /// The target already has every fix commit: no branch needed.
    Unneeded,
    /// The target could not be built (conflict, collision).
    NotBuilt,
}

/// Everything done (or planned) for one target.
pub struct TargetResult {
    pub target: Target,
    pub picked: Vec<Picked>,
    pub skipped: Vec<Skipped>,
    pub conflict: Option<Conflict>,
    pub versions: Vec<VersionDecision>,
    pub collisions: Vec<Collision>,
    /// (manifest, change)
    pub requirements: Vec<(String, RequirementChange)>,
    /// (lockfile, crate, old, new) entries of every tracked Cargo.lock.
    pub lock_updates: Vec<(String, String, String, String)>,
    /// (file, crate, old, new): version strings in docs updated.
    pub doc_updates: Vec<(String, String, String, String)>,
    pub bump_commit: Option<Oid>,
    /// The commit the branch points (or would point) at.
    pub result: Option<Oid>,
    pub branch: BranchOutcome,
    pub locked: Option<Vec<LockedDifference>>,
    pub policy: String,
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

/// Builds one target: picks, bump, and (unless a dry run) the branch.
pub fn backport(
    cx: &Context,
    target: &Target,
    all_targets: &[Target],
    committer: &Committer,
    opts: Options,
) -> Result<TargetResult> {
    let repo = &cx.repo;
    let tip = target.tip.commit;
    let policy = bump_policy(cx, target);
    let mut out = TargetResult {
        target: target.clone(),
        picked: Vec::new(),
        skipped: Vec::new(),
        conflict: None,
        versions: Vec::new(),
        collisions: Vec::new(),
        requirements: Vec::new(),
        lock_updates: Vec::new(),
        doc_updates: Vec::new(),
        bump_commit: None,
        result: None,
        branch: BranchOutcome::NotBuilt,
        locked: None,
        policy: policy.clone(),
    };

    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &cx.fix,
    };
    let present = presence::find_on(repo, &fix, tip).with_context(|| {
        format!(
            "cannot tell which fix commits `{}` already has",
            target.name
        )
    })?;
    // Workspace members by name, for telling requirements on members from
    // requirements on external packages.
    let members: BTreeSet<String> = cx
        .head_ws
        .members
        .iter()
        .chain(cx.base_ws.iter().flat_map(|w| &w.members))
        .map(|m| m.name.clone())
        .collect();
    // The files whose versions are decided per target: the workspace's
    // manifests (not, say, test fixtures that happen to be manifests) and
    // its Cargo.lock.
    let mut pinned_files: BTreeSet<String> = cx
        .head_ws
        .manifests
        .iter()
        .chain(cx.base_ws.iter().flat_map(|w| &w.manifests))
        .map(|(path, _)| path.clone())
        .collect();
    pinned_files.insert(workspace::join(&cx.ws_dir, "Cargo.lock"));
    // Second workspaces' lockfiles and the files that show versions to
    // users (READMEs) carry versions too, decided per target the same way.
    pinned_files.extend(lockfiles::other_lockfiles(
        repo,
        &cx.ws_dir,
        cx.head.commit,
    )?);
    let work = crate::workspace::WorkTree {
        root: repo.workdir().to_path_buf(),
    };
    let doc_files: BTreeSet<String> =
        policy::version_files(&cx.head_ws, cx.config.version_files.as_deref(), &work)
            .into_iter()
            .collect();
    pinned_files.extend(doc_files.iter().cloned());

    let mut current = tip;
    for (i, (commit, found)) in cx.fix.iter().zip(present).enumerate() {
        if let Some(m) = found {
            out.skipped.push(Skipped {
                original: commit.clone(),
                kind: m.kind(),
                why: format!("already on `{}`: {}", target.name, m.describe()),
            });
            continue;
        }
        let parent = repo.first_parent(commit.id)?.ok_or_else(|| {
            anyhow!(
                "fix commit {} has no parent to diff against",
                commit.short_id()
            )
        })?;
        let ours = repo.tree_id(current)?;
        // A file the commit leaves alone merges as ours whatever its
        // versions say, so only the files it touches need pinning.
        let touched = repo.changed_paths(parent, commit.id)?;
        let to_pin: Vec<String> = touched
            .into_iter()
            .filter(|f| pinned_files.contains(f))
            .collect();
        let ancestor = pinned_tree(cx, parent, current, &to_pin, &members, &doc_files)?;
        let theirs = pinned_tree(cx, commit.id, current, &to_pin, &members, &doc_files)?;
        match repo.merge_trees(ancestor, ours, theirs)? {
            TreeMerge::Clean(tree) if tree == ours => out.skipped.push(Skipped {
                original: commit.clone(),
                kind: "empty",
                why: format!(
                    "nothing left to apply on `{}`: its only changes are version numbers, \
                     which are set per target, or are already there",
                    target.name
                ),
            }),
            TreeMerge::Clean(tree) => {
                let message = format!(
                    "{}\n\n(cherry picked from commit {})\n",
                    commit.message.trim_end(),
                    commit.id
                );
                let new = repo.write_commit(tree, current, Some(commit.id), committer, &message)?;
                out.picked.push(Picked {
                    original: commit.clone(),
                    new,
                });
                current = new;
            }
            TreeMerge::Conflicts(files) => {
                let prerequisites = prerequisites(cx, tip, &files)?;
                let worktree = (opts.worktree && !opts.dry_run).then(|| {
                    materialise_conflict(cx, target, current, commit).map_err(|e| format!("{e:#}"))
                });
                out.conflict = Some(Conflict {
                    commit: commit.clone(),
                    files,
                    prerequisites,
                    remaining: cx.fix[i + 1..].to_vec(),
                    worktree,
                });
                return Ok(out);
            }
        }
    }
    if out.picked.is_empty() {
        out.branch = BranchOutcome::Unneeded;
        return Ok(out);
    }

    bump(
        cx,
        target,
        all_targets,
        committer,
        &policy,
        tip,
        &mut current,
        &mut out,
    )?;
    out.locked = locked_differences(cx, current).ok();
    if !out.collisions.is_empty() {
        return Ok(out);
    }
    out.result = Some(current);
    out.branch = write_branch(cx, target, current, opts);
    Ok(out)
}

/// `bump` policy for a target: by role, by branch name, `*`, default patch.
fn bump_policy(cx: &Context, target: &Target) -> String {
    let bump = &cx.config.bump;
    target
        .role
        .as_ref()
        .and_then(|r| bump.get(r))
        .or_else(|| bump.get(&target.name))
        .or_else(|| bump.get("*"))
        .cloned()
        .unwrap_or_else(|| "patch".to_string())
}

/// The tree of `commit` with version fields, member requirements and
/// member lock entries set to what `reference` has: the merge then carries
/// everything a commit changes except main's versions.
fn pinned_tree(
    cx: &Context,
    commit: Oid,
    reference: Oid,
    files: &[String],
    members: &BTreeSet<String>,
    doc_files: &BTreeSet<String>,
) -> Result<Oid> {
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
            versions::pin_lockfile(&text, &want, members)
        } else if doc_files.contains(path) {
            let mut text = text;
            let mut changed = false;
            for name in members {
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
            versions::pin_manifest(&text, &want, members)
        };
        if let Some(p) = pinned {
            edits.push((path.clone(), p.into_bytes()));
        }
    }
    repo.tree_with_files(repo.tree_id(commit)?, &edits)
}

/// Commits on the main branch between the target's divergence and BASE that
/// touch `files` and are not on the target (ancestry, trailer, patch-id).
fn prerequisites(
    cx: &Context,
    tip: Oid,
    files: &[String],
) -> Result<Vec<(CommitInfo, Vec<String>)>> {
    let repo = &cx.repo;
    let since = repo.merge_base(tip, cx.base.commit)?;
    let mut touching: Vec<(CommitInfo, Vec<String>)> = Vec::new();
    for c in repo.commits_between(since, cx.base.commit)? {
        if c.parent_count > 1 {
            continue;
        }
        let Some(parent) = repo.first_parent(c.id)? else {
            continue;
        };
        let hit: Vec<String> = repo
            .changed_paths(parent, c.id)?
            .into_iter()
            .filter(|p| files.contains(p))
            .collect();
        if !hit.is_empty() {
            touching.push((c, hit));
        }
    }
    if touching.is_empty() {
        return Ok(touching);
    }
    let commits: Vec<CommitInfo> = touching.iter().map(|(c, _)| c.clone()).collect();
    let fix = Fix {
        base: since,
        head: cx.base.commit,
        commits: &commits,
    };
    let present = presence::find_on(repo, &fix, tip)?;
    Ok(touching
        .into_iter()
        .zip(present)
        .filter(|(_, p)| p.is_none())
        .map(|(t, _)| t)
        .collect())
}

/// Where worktrees for `--worktree` and `--verify` go: `security-release/`
/// under cargo's target dir (`CARGO_TARGET_DIR`, else `<workspace>/target`),
/// which is ignored and never part of the user's work.
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

/// `--worktree`: a worktree under the target dir at the last built commit,
/// with the conflicting cherry-pick left in progress for the user.
fn materialise_conflict(
    cx: &Context,
    target: &Target,
    at: Oid,
    commit: &CommitInfo,
) -> Result<PathBuf> {
    let dir = work_dir(cx);
    let name = format!("conflict-{}", target.branch.replace('/', "-"));
    let wt = TempWorktree::create(&cx.repo, &dir, &name, at)?;
    // Expected to stop on the conflict; the state it leaves is the point.
    let _ = run_git(&wt.path, &["cherry-pick", "-x", &commit.id.to_string()]);
    let path = wt.keep();
    if !path.join(".git").exists() {
        bail!("the worktree at `{}` was not created", path.display());
    }
    Ok(path)
}

/// The version-bump commit: every modified publishable crate whose version
/// on the target was released gets a patch bump; requirements on it are
/// raised, and a dependent whose manifest changed counts as modified.
#[allow(clippy::too_many_arguments)]
fn bump(
    cx: &Context,
    target: &Target,
    all_targets: &[Target],
    committer: &Committer,
    policy: &str,
    tip: Oid,
    current: &mut Oid,
    out: &mut TargetResult,
) -> Result<()> {
    let repo = &cx.repo;
    let tree = repo.tree_at(*current)?;
    let ws = Workspace::load(
        &AtCommit {
            tree: repo.tree_at(*current)?,
            label: format!("backport of `{}`", target.name),
        },
        &cx.ws_dir,
    )?;
    // Crates whose shipped files the picks changed, in workspace order.
    let changed_paths = repo.changed_paths(tip, *current)?;
    let mut modified: Vec<String> = Vec::new();
    for m in &ws.members {
        let touched = changed_paths.iter().any(|p| {
            ws.owner_of(p).is_some_and(|o| o.name == m.name) && {
                let rel = p
                    .strip_prefix(&m.dir)
                    .map(|r| r.trim_start_matches('/'))
                    .unwrap_or(p);
                !m.exclude.iter().any(|e| exclude_match(e, rel))
            }
        });
        if touched {
            modified.push(m.name.clone());
        }
    }

    // The workspace reader already parsed every manifest; edit those.
    let mut docs: BTreeMap<String, DocumentMut> = ws.manifests.iter().cloned().collect();
    let originals: BTreeMap<String, String> = docs
        .iter()
        .map(|(p, d)| (p.clone(), d.to_string()))
        .collect();

    let mut final_versions: BTreeMap<String, Version> = ws
        .members
        .iter()
        .map(|m| (m.name.clone(), m.version.clone()))
        .collect();
    let raise = cx.config.raise_dependents;
    let mut bumped: BTreeMap<String, (Version, Version)> = BTreeMap::new();
    let mut queue: VecDeque<(String, String)> = modified
        .iter()
        .map(|n| (n.clone(), "changed by the fix".to_string()))
        .collect();
    // Cargo ships with every point release of a Rust line.
    if cx.releases.is_cargo() && !modified.iter().any(|m| m == "cargo") && !modified.is_empty() {
        queue.push_back((
            "cargo".to_string(),
            "Cargo's root package ships with every point release of the line".to_string(),
        ));
    }
    // The crates that ship in this release: only their manifests get
    // raised requirements (`raise-dependents = "released"`).
    let mut shipping: BTreeSet<String> = queue.iter().map(|(n, _)| n.clone()).collect();
    let mut seen: BTreeSet<String> = shipping.clone();
    while let Some((name, reason)) = queue.pop_front() {
        let Some(member) = ws.member(&name) else {
            continue;
        };
        let old = member.version.clone();
        let keep = |why: String| VersionDecision {
            krate: name.clone(),
            old: old.clone(),
            new: None,
            why,
        };
        if bumped.contains_key(&name) {
            continue;
        }
        if !member.publish {
            out.versions
                .push(keep(format!("{reason}; not published (`publish = false`)")));
            continue;
        }
        if policy == "none" {
            out.versions
                .push(keep(format!("{reason}; `bump = \"none\"` for this target")));
            continue;
        }
        let Some(evidence) = cx.released(&name, &old)? else {
            out.versions.push(keep(format!(
                "{reason}; {old} is unreleased (no release tag, registry entry or other release line has it), \
                 so the fix ships in {old}"
            )));
            continue;
        };
        let new = crate::release::next_version(&old);
        let places = exists_elsewhere(cx, target, all_targets, &name, &new)?;
        if !places.is_empty() {
            let mut next_free = None;
            let mut candidate = crate::release::next_version(&new);
            for _ in 0..20 {
                if exists_elsewhere(cx, target, all_targets, &name, &candidate)?.is_empty() {
                    next_free = Some(candidate);
                    break;
                }
                candidate = crate::release::next_version(&candidate);
            }
            out.collisions.push(Collision {
                krate: name.clone(),
                version: new,
                places,
                next_free,
            });
            continue;
        }
        out.versions.push(VersionDecision {
            krate: name.clone(),
            old: old.clone(),
            new: Some(new.clone()),
            why: format!("{reason}; {old} was released ({evidence})"),
        });
        let own = if member.version_inherited {
            ws.root_manifest.clone()
        } else {
            member.manifest.clone()
        };
        if let Some(doc) = docs.get_mut(&own) {
            manifest::set_version(doc, member.version_inherited, &new);
        }
        // `version.workspace = true`: every member inheriting it moves too.
        let moved: Vec<&str> = if member.version_inherited {
            ws.members
                .iter()
                .filter(|m| m.version_inherited)
                .map(|m| m.name.as_str())
                .collect()
        } else {
            vec![name.as_str()]
        };
        for krate in moved {
            if krate != name {
                seen.insert(krate.to_string());
                shipping.insert(krate.to_string());
                out.versions.push(VersionDecision {
                    krate: krate.to_string(),
                    old: old.clone(),
                    new: Some(new.clone()),
                    why: format!("shares `workspace.package.version` with {name}"),
                });
            }
            bumped.insert(krate.to_string(), (old.clone(), new.clone()));
            final_versions.insert(krate.to_string(), new.clone());
            if raise == RaiseDependents::None {
                continue;
            }
            for (path, doc) in docs.iter_mut() {
                let owner = ws.members.iter().find(|m| &m.manifest == path);
                let raise_here = match (raise, owner) {
                    (_, Some(m)) if !m.publish => false,
                    (RaiseDependents::All, _) => true,
                    (_, Some(m)) => shipping.contains(&m.name),
                    // `[workspace.dependencies]`: raised when a shipping
                    // member inherits the requirement.
                    (_, None) => ws.members.iter().any(|m| {
                        shipping.contains(&m.name)
                            && m.publish
                            && m.deps
                                .iter()
                                .any(|d| d.inherited && d.name == krate && d.kind != DepKind::Dev)
                    }),
                };
                if !raise_here {
                    continue;
                }
                let changes = versions::raise_requirements(doc, krate, &new);
                if changes.is_empty() {
                    continue;
                }
                out.requirements
                    .extend(changes.into_iter().map(|c| (path.clone(), c)));
                // `all`: the dependent now ships a changed manifest, so it
                // is released too.
                if raise == RaiseDependents::All
                    && let Some(dependent) = owner
                    && seen.insert(dependent.name.clone())
                {
                    shipping.insert(dependent.name.clone());
                    queue.push_back((
                        dependent.name.clone(),
                        format!("its manifest requires {krate} {new}"),
                    ));
                }
            }
        }
    }
    if !out.collisions.is_empty() {
        return Ok(());
    }
    // Picked commits may carry main's requirements on versions this target
    // does not have.
    for (path, doc) in docs.iter_mut() {
        let changes = versions::align_requirements(doc, &final_versions);
        out.requirements
            .extend(changes.into_iter().map(|c| (path.clone(), c)));
    }

    let mut edits: Vec<(String, Vec<u8>)> = Vec::new();
    for (path, doc) in &docs {
        let text = doc.to_string();
        if originals.get(path) != Some(&text) {
            edits.push((path.clone(), text.into_bytes()));
        }
    }
    // Every tracked lockfile: the workspace's own and second workspaces'
    // (`fuzz/Cargo.lock`), whose path entries of bumped members follow.
    // Only those entries change; the file's format stays as it is.
    let mut lock_paths = vec![workspace::join(&cx.ws_dir, "Cargo.lock")];
    lock_paths.extend(lockfiles::other_lockfiles(repo, &cx.ws_dir, *current)?);
    for lock_path in lock_paths {
        if bumped.is_empty() {
            break;
        }
        let Some(bytes) = tree.read(&lock_path)? else {
            continue;
        };
        let text = String::from_utf8(bytes)
            .map_err(|_| anyhow!("`{lock_path}` on `{}` is not valid UTF-8", target.name))?;
        let mut lock = Lockfile::parse(&text, &lock_path)?;
        for (name, (_, new)) in &bumped {
            if let Some(old) = lock.path_package(name).map(|p| p.version.clone())
                && lock.set_path_package_version(name, &new.to_string())
            {
                out.lock_updates
                    .push((lock_path.clone(), name.clone(), old, new.to_string()));
            }
        }
        let rendered = lock.render();
        if rendered != text {
            edits.push((lock_path, rendered.into_bytes()));
        }
    }
    // Version strings that users copy (READMEs, doc examples).
    for file in policy::version_files(
        &ws,
        cx.config.version_files.as_deref(),
        &AtCommit {
            tree: repo.tree_at(*current)?,
            label: format!("backport of `{}`", target.name),
        },
    ) {
        let Some(bytes) = tree.read(&file)? else {
            continue;
        };
        let Ok(mut text) = String::from_utf8(bytes) else {
            continue;
        };
        let mut changed = false;
        for (name, (old, new)) in &bumped {
            if let Some(t) = policy::rewrite_version_mentions(&text, name, old, new) {
                text = t;
                changed = true;
                out.doc_updates.push((
                    file.clone(),
                    name.clone(),
                    old.to_string(),
                    new.to_string(),
                ));
            }
        }
        if changed {
            edits.push((file, text.into_bytes()));
        }
    }
    if edits.is_empty() {
        return Ok(());
    }
    let new_tree = repo.tree_with_files(repo.tree_id(*current)?, &edits)?;
    let message = bump_message(target, &bumped);
    let commit = repo.write_commit(new_tree, *current, None, committer, &message)?;
    out.bump_commit = Some(commit);
    *current = commit;
    Ok(())
}

fn bump_message(target: &Target, bumped: &BTreeMap<String, (Version, Version)>) -> String {
    let mut msg = match bumped.iter().next() {
        None => "Align requirements on workspace members\n\n".to_string(),
        Some((name, (_, new))) if bumped.len() == 1 => {
            format!("Bump {name} to {new} for the security release\n\n")
        }
        Some(_) => "Bump versions for the security release\n\n".to_string(),
    };
    if bumped.is_empty() {
        msg.push_str(&format!(
            "The picked commits require versions of workspace members that\n\
             `{}` does not have; the requirements now match its versions.\n",
            target.name
        ));
        return msg;
    }
    msg.push_str(&format!(
        "Point releases on `{}`, so that its users get the fix without\n\
         taking a newer release line:\n\n",
        target.name
    ));
    for (name, (old, new)) in bumped {
        msg.push_str(&format!("- {name} {old} -> {new}\n"));
    }
    msg
}

/// Where `name@version` already exists besides the target: the registry,
/// release tags, the other release lines and targets, and the main branch
/// (a leftover local work branch claims no version).
fn exists_elsewhere(
    cx: &Context,
    target: &Target,
    all_targets: &[Target],
    name: &str,
    version: &Version,
) -> Result<Vec<String>> {
    let mut places = Vec::new();
    if let Some(evidence) =
        cx.releases
            .released(&cx.repo, name, version, &[target.name.as_str()])?
    {
        places.push(evidence.to_string());
    }
    let mut branches: Vec<RefTip> = all_targets
        .iter()
        .filter(|t| t.name != target.name)
        .map(|t| t.tip.clone())
        .collect();
    branches.extend(detect_main_branch(&cx.repo).or_else(|| cx.releases.main.clone()));
    let mut checked: BTreeSet<String> = BTreeSet::new();
    for b in branches {
        if !checked.insert(b.name.clone()) {
            continue;
        }
        if cx.version_at(b.commit, name)?.as_ref() == Some(version) {
            places.push(format!("branch `{}`", b.name));
        }
    }
    Ok(places)
}

/// External packages whose locked versions differ between the main branch
/// and the backport (a clean pick may still rely on the newer one).
fn locked_differences(cx: &Context, result: Oid) -> Result<Vec<LockedDifference>> {
    let repo = &cx.repo;
    let lock_path = workspace::join(&cx.ws_dir, "Cargo.lock");
    let main = cx
        .config
        .main_branch
        .as_deref()
        .and_then(|m| repo.branch_tip(m))
        .map(|t| t.commit)
        .unwrap_or(cx.head.commit);
    let read = |commit: Oid| -> Result<Option<Lockfile>> {
        let Some(bytes) = repo.tree_at(commit)?.read(&lock_path)? else {
            return Ok(None);
        };
        let text = String::from_utf8(bytes).map_err(|_| anyhow!("`{lock_path}` is not UTF-8"))?;
        Ok(Some(Lockfile::parse(&text, &lock_path)?))
    };
    let (Some(main_lock), Some(target_lock)) = (read(main)?, read(result)?) else {
        bail!("no `{lock_path}` to compare");
    };
    let external = |lock: &Lockfile| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for p in lock.packages.iter().filter(|p| p.source.is_some()) {
            m.entry(p.name.clone())
                .or_default()
                .insert(p.version.clone());
        }
        m
    };
    let (a, b) = (external(&main_lock), external(&target_lock));
    let names: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    let mut out = Vec::new();
    for name in names {
        let (va, vb) = (a.get(name), b.get(name));
        if va == vb {
            continue;
        }
        let used_by = cx
            .changed
            .iter()
            .filter(|c| {
                cx.head_ws
                    .member(&c.name)
                    .is_some_and(|m| m.deps.iter().any(|d| &d.name == name))
            })
            .map(|c| c.name.clone())
            .collect();
        out.push(LockedDifference {
            name: name.clone(),
            main: va.map(|s| s.iter().cloned().collect()).unwrap_or_default(),
            target: vb.map(|s| s.iter().cloned().collect()).unwrap_or_default(),
            used_by,
        });
    }
    Ok(out)
}

/// Writes `security-release/<target>` (or says what a real run would do).
fn write_branch(cx: &Context, target: &Target, result: Oid, opts: Options) -> BranchOutcome {
    let existing = cx.repo.local_branch(&target.branch).map(|b| b.commit);
    if existing.is_some() && !opts.force {
        return BranchOutcome::NotWritten(format!(
            "branch `{}` already exists (at {}); pass --force to replace it",
            target.branch,
            existing.map(short).unwrap_or_default()
        ));
    }
    if opts.dry_run {
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
