//! The version-bump commit of a target: every modified publishable crate
//! whose version on the target was released gets a point release over the
//! target's version, requirements on it are raised where they ship, the
//! lockfiles follow, docs show the new versions, and the external packages
//! the fix needs are aligned. The plan is computed apart from the commit,
//! so that a target stopped by a conflict still shows what it will ship.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use anyhow::{Result, anyhow};
use semver::Version;
use toml_edit::DocumentMut;

use super::result::{BumpPlan, Collision, VersionDecision};
use super::{Run, Target, external, versions};
use crate::context::detect_main_branch;
use crate::git::{Oid, RefTip};
use crate::lockfile::Lockfile;
use crate::manifest;
use crate::release::lockfiles;
use crate::release::policy::{self, RaiseDependents};
use crate::workspace::{self, AtCommit, DepKind, Workspace, exclude_match};

/// A bump plan with the file edits that carry it out.
pub struct Planned {
    pub plan: BumpPlan,
    pub edits: Vec<(String, Vec<u8>)>,
    pub bumped: BTreeMap<String, (Version, Version)>,
    /// The version each member ships on the target after the bump.
    pub shipped: BTreeMap<String, Version>,
}

/// `bump` policy for a target: by role, by branch name, `*`, default patch.
pub fn policy_for(run: &Run, target: &Target) -> String {
    let bump = &run.cx.config.bump;
    target
        .role
        .as_ref()
        .and_then(|r| bump.get(r))
        .or_else(|| bump.get(&target.name))
        .or_else(|| bump.get("*"))
        .cloned()
        .unwrap_or_else(|| "patch".to_string())
}

/// The crates of `ws` that own one of `paths` (outside `package.exclude`),
/// in workspace order.
fn modified_crates(ws: &Workspace, paths: &[String]) -> Vec<String> {
    let mut modified: Vec<String> = Vec::new();
    for m in &ws.members {
        let touched = paths.iter().any(|p| {
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
    modified
}

/// Plans the bump of `target` on top of `current` (built from `tip`):
/// the crates changed in `tip..current`, plus those owning `extra_paths`
/// (the picks a conflict stopped before).
pub fn plan(
    run: &Run,
    target: &Target,
    tip: Oid,
    current: Oid,
    extra_paths: &[String],
) -> Result<Planned> {
    let cx = run.cx;
    let policy = policy_for(run, target);
    let policy = policy.as_str();
    let all_targets = run.targets;
    let repo = &cx.repo;
    let tree = repo.tree_at(current)?;
    let ws = Workspace::load(
        &AtCommit {
            tree: repo.tree_at(current)?,
            label: format!("backport of `{}`", target.name),
        },
        &cx.ws_dir,
    )?;
    let mut changed_paths = repo.changed_paths(tip, current)?;
    for p in extra_paths {
        if !changed_paths.contains(p) {
            changed_paths.push(p.clone());
        }
    }
    let modified = modified_crates(&ws, &changed_paths);
    let mut out = BumpPlan::default();
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
        let Some(evidence) = released(run, target, &name, &old)? else {
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
        return Ok(Planned {
            plan: out,
            edits: Vec::new(),
            bumped,
            shipped: final_versions,
        });
    }
    // Picked commits may carry main's requirements on versions this target
    // does not have.
    for (path, doc) in docs.iter_mut() {
        let changes = versions::align_requirements(doc, &final_versions);
        out.requirements
            .extend(changes.into_iter().map(|c| (path.clone(), c)));
    }
    // External packages the fix needs at main's version.
    let mut needs = external::align_requirements(run, target, &ws, &mut docs)?;

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
    let own_lock = workspace::join(&cx.ws_dir, "Cargo.lock");
    let mut lock_paths = vec![own_lock.clone()];
    lock_paths.extend(lockfiles::other_lockfiles(repo, &cx.ws_dir, current)?);
    let mut target_lock: Option<String> = None;
    for lock_path in lock_paths {
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
        if lock_path == own_lock {
            external::align_lock(run, &mut lock, &mut needs)?;
        }
        let rendered = lock.render();
        if lock_path == own_lock {
            target_lock = Some(rendered.clone());
        }
        if rendered != text {
            edits.push((lock_path, rendered.into_bytes()));
        }
    }
    external::lock_untracked(&mut needs);
    out.external = external::compare(run, target, needs, target_lock.as_deref());
    // Version strings that users copy (READMEs, doc examples).
    for file in policy::version_files(
        &ws,
        cx.config.version_files.as_deref(),
        &AtCommit {
            tree: repo.tree_at(current)?,
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
    Ok(Planned {
        plan: out,
        edits,
        bumped,
        shipped: final_versions,
    })
}

/// Writes the bump commit on `current`; `None` when the plan changes no
/// file (or a collision leaves nothing to write).
pub fn commit(run: &Run, target: &Target, current: Oid, planned: &Planned) -> Result<Option<Oid>> {
    let repo = &run.cx.repo;
    if planned.edits.is_empty() || !planned.plan.collisions.is_empty() {
        return Ok(None);
    }
    let old_tree = repo.tree_id(current)?;
    let new_tree = repo.tree_with_files(old_tree, &planned.edits)?;
    if new_tree == old_tree {
        return Ok(None);
    }
    let message = bump_message(target, &planned.bumped, &planned.plan);
    Ok(Some(repo.write_commit(
        new_tree,
        current,
        None,
        run.committer,
        &message,
    )?))
}

/// The bump commit's message: exactly the changes it makes.
fn bump_message(
    target: &Target,
    bumped: &BTreeMap<String, (Version, Version)>,
    plan: &BumpPlan,
) -> String {
    let aligned: Vec<String> = plan
        .external
        .needs
        .iter()
        .filter_map(|n| {
            let new = n.aligned_req.as_ref()?;
            let lock = match &n.lock {
                Some(super::result::LockAlignment::Updated { old, new, .. }) => {
                    format!(", locked {old} -> {new}")
                }
                _ => String::new(),
            };
            Some(format!(
                "- {} requirement \"{}\" -> \"{new}\" ({}){lock}\n",
                n.package, n.target_req, n.manifest
            ))
        })
        .collect();
    let mut msg = match (bumped.iter().next(), aligned.is_empty()) {
        (None, false) => "Align dependencies the security fix needs\n\n".to_string(),
        (None, true) => "Align requirements on workspace members\n\n".to_string(),
        (Some((name, (_, new))), _) if bumped.len() == 1 => {
            format!("Bump {name} to {new} for the security release\n\n")
        }
        (Some(_), _) => "Bump versions for the security release\n\n".to_string(),
    };
    if bumped.is_empty() && aligned.is_empty() {
        msg.push_str(&format!(
            "The picked commits require versions of workspace members that\n\
             `{}` does not have; the requirements now match its versions.\n",
            target.name
        ));
        return msg;
    }
    if !bumped.is_empty() {
        msg.push_str(&format!(
            "Point releases on `{}`, so that its users get the fix without\n\
             taking a newer release line:\n\n",
            target.name
        ));
        for (name, (old, new)) in bumped {
            msg.push_str(&format!("- {name} {old} -> {new}\n"));
        }
    }
    if !aligned.is_empty() {
        if !bumped.is_empty() {
            msg.push('\n');
        }
        msg.push_str(&format!(
            "The fix uses external crates at the versions the main branch\n\
             requires, which `{}` did not:\n\n",
            target.name
        ));
        for line in aligned {
            msg.push_str(&line);
        }
    }
    msg
}

/// Was `name@version` released? Release tags, the registry, and release
/// lines other than this target and the fix's own branch.
fn released(
    run: &Run,
    target: &Target,
    name: &str,
    version: &Version,
) -> Result<Option<crate::release::ReleaseEvidence>> {
    let cx = run.cx;
    let mut except: Vec<&str> = vec![target.name.as_str()];
    except.extend(cx.head.branch.as_deref());
    cx.releases.released(&cx.repo, name, version, &except)
}

/// Where `name@version` already exists besides the target: the registry,
/// release tags, the other release lines and targets, and the main branch
/// (a leftover local work branch claims no version).
fn exists_elsewhere(
    cx: &crate::context::Context,
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
    // The target itself (the main branch, last in a merge-forward chain)
    // is not "elsewhere".
    let mut checked: BTreeSet<String> = BTreeSet::from([target.tip.name.clone()]);
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
