//! `backport`: builds the stable and beta backport branches in git's object
//! database. This file turns arguments into targets and results into the
//! report; the operation itself lives in `crate::backport`.

use anyhow::Result;

use super::Session;
use crate::backport::{self, BranchOutcome, Options, TargetResult};
use crate::checks::embargo;
use crate::cli::{BackportArgs, ConfigArgs, GlobalArgs};
use crate::commands::check::check_fix;
use crate::config::Config;
use crate::context::{Checkout, Context, ContextOptions, Location};
use crate::git::{Oid, TempWorktree, short};
use crate::report::{CheckResult, Detail, FactValue, Report, Section, Status};
use crate::shell::Shell;
use crate::text::{command, count, count_with_verb};

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &BackportArgs) -> Result<Report> {
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        ..ContextOptions::default()
    };
    let mut cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    super::attach_registry(&mut cx)?;
    backport::refuse_merges(&cx.fix)?;
    let selected = backport::select_targets(&cx)?;
    if args.dry_run {
        // Commits and trees of the plan stay in memory: nothing reaches disk.
        cx.repo.keep_new_objects_in_memory()?;
    }
    let committer = cx.repo.committer();
    let options = Options {
        force: args.force,
        dry_run: args.dry_run,
        worktree: args.worktree,
    };

    let mut report = Report::new("backport");
    if let Some(note) = &selected.note {
        report.notes.push(note.clone());
    }
    if args.dry_run {
        report.notes.push(
            "dry run: the plan below was computed in memory; no branch, commit or object was written"
                .to_string(),
        );
        if args.verify || args.worktree {
            report.notes.push(
                "dry run: --verify and --worktree need written commits and were not run"
                    .to_string(),
            );
        }
    }
    if committer.fallback {
        report.notes.push(format!(
            "git config has no user.name/user.email: commits are made by `{} <{}>`",
            committer.name, committer.email
        ));
    }

    // (branch, line, the target's tip): what `--verify` checks, against what BASE.
    let mut created: Vec<(String, Option<String>, Oid)> = Vec::new();
    for target in &selected.targets {
        cx.shell
            .status("Backporting", format!("onto {}", target.name));
        // The target's own line does not make its version "released".
        cx.current_line = Some(target.name.clone());
        let section = match backport::backport(&cx, target, &selected.targets, &committer, options)
        {
            Ok(result) => {
                if matches!(result.branch, BranchOutcome::Created { .. }) {
                    created.push((
                        target.branch.clone(),
                        Some(target.name.clone()),
                        target.tip.commit,
                    ));
                }
                target_section(&result, options)
            }
            Err(e) => error_section(
                target.name.clone(),
                &[
                    ("target", target.tip.name.clone().into()),
                    ("target-tip", FactValue::commit(target.tip.commit)),
                    ("branch", target.branch.clone().into()),
                ],
                CheckResult::error("backport", format!("could not run: {e:#}")),
            ),
        };
        report.sections.push(section);
    }
    cx.current_line = None;
    let targeted: Vec<&str> = selected.targets.iter().map(|t| t.name.as_str()).collect();
    report.sections.push(super::lines_section(&cx, &targeted));

    if args.verify {
        for (branch, role, base) in &created {
            cx.shell.status("Verifying", branch);
            report.sections.push(verify_branch(
                &cx,
                global,
                flags,
                branch,
                role.clone(),
                *base,
            ));
        }
    }
    if !created.is_empty() {
        let branches = created.iter().map(|(b, _, _)| b.as_str());
        let step = match push_remote(&cx) {
            Some(remote) => command(
                ["git", "push"],
                std::iter::once(remote.as_str()).chain(branches),
            ),
            None => {
                report.notes.push(
                    "no remote looks private: push the branches to your private security fork \
                     (e.g. GitHub's temporary private fork of the advisory), never to a public remote"
                        .to_string(),
                );
                command(["git", "push", "<private-remote>"], branches)
            }
        };
        report.next_steps.push(step);
    }
    Ok(report)
}

/// A remote that does not look public (the private security fork), if
/// any: pushing an embargoed fix to a public remote discloses it.
fn push_remote(cx: &Context) -> Option<String> {
    let public: Vec<String> = embargo::public_remotes(cx)
        .map(|r| r.into_iter().map(|r| r.name).collect())
        .unwrap_or_default();
    cx.repo
        .remotes()
        .unwrap_or_default()
        .into_iter()
        .map(|r| r.name)
        .find(|n| !public.contains(n))
}

/// A section with the one row that says why the work could not run.
fn error_section(name: String, facts: &[(&str, FactValue)], row: CheckResult) -> Section {
    let mut section = Section::new(name);
    for (key, value) in facts {
        section = section.fact(key, value.clone());
    }
    section.checks.push(row);
    section
}

/// One report section per target: picks, versions, requirements, lockfile,
/// external dependencies, and the branch.
fn target_section(r: &TargetResult, opts: Options) -> Section {
    let t = &r.target;
    let mut section = Section::new(t.name.clone())
        .fact("target", t.tip.name.clone())
        .fact("target-tip", FactValue::commit(t.tip.commit))
        .fact("branch", t.branch.clone())
        .fact("bump", r.policy.clone());
    if let Some(role) = &t.role {
        section = section.fact("role", role.clone());
    }

    // cherry-pick
    let mut details: Vec<Detail> = Vec::new();
    for p in &r.picked {
        details.push(
            Detail::new(format!(
                "picked {} as {}: {}",
                p.original.short_id(),
                short(p.new),
                p.original.summary
            ))
            .commit(p.original.id.to_string()),
        );
    }
    for s in &r.skipped {
        details.push(
            Detail::new(format!(
                "skipped {} ({}): {}: {}",
                s.original.short_id(),
                s.kind,
                s.original.summary,
                s.why
            ))
            .commit(s.original.id.to_string()),
        );
    }
    let picks = if let Some(c) = &r.conflict {
        let mut row = CheckResult::fail(
            "cherry-pick",
            format!(
                "{} ({}) does not apply to `{}`: conflict in {}",
                c.commit.short_id(),
                c.commit.summary,
                t.name,
                c.files.join(", ")
            ),
        )
        .details(details);
        row = row.detail(
            Detail::new(format!(
                "conflict: {} ({})",
                c.commit.short_id(),
                c.commit.summary
            ))
            .commit(c.commit.id.to_string()),
        );
        for f in &c.files {
            row = row.detail(Detail::new(format!("conflicting file `{f}`")).file(f.clone()));
        }
        for (p, files) in &c.prerequisites {
            row = row.detail(
                Detail::new(format!(
                    "likely prerequisite: {} ({}) touches {} and is not on `{}`",
                    p.short_id(),
                    p.summary,
                    files.join(", "),
                    t.name
                ))
                .commit(p.id.to_string()),
            );
        }
        let mut hint = format!(
            "nothing was written for `{}`. Backport the prerequisite commits first (or include them in the fix), \
             or resolve by hand",
            t.name
        );
        match &c.worktree {
            Some(Ok(path)) => {
                let mut cmds = vec![
                    command(["cd"], [path.to_string_lossy()]),
                    format!("# resolve {}, then:", command([], &c.files)),
                    command(["git", "add", "--"], &c.files),
                    "git cherry-pick --continue".to_string(),
                ];
                if !c.remaining.is_empty() {
                    let rest: Vec<String> = c.remaining.iter().map(|c| c.id.to_string()).collect();
                    cmds.push(command(["git", "cherry-pick", "-x"], &rest));
                }
                cmds.push(command(["git", "switch", "-c"], [&t.branch]));
                hint.push_str(&format!(
                    ": the conflicted cherry-pick is waiting in `{}`:\n{}\n\
                     then bump the versions there (`cargo security-release check` says which)",
                    path.display(),
                    cmds.join("\n")
                ));
            }
            Some(Err(e)) => hint.push_str(&format!(" (--worktree failed: {e})")),
            None if !opts.dry_run => {
                hint.push_str(" (--worktree leaves the conflicted cherry-pick in a worktree)")
            }
            None => {}
        }
        row.hint(hint)
    } else if r.picked.is_empty() {
        CheckResult::pass(
            "cherry-pick",
            format!(
                "`{}` already has every fix commit: nothing to backport",
                t.name
            ),
        )
        .details(details)
    } else {
        CheckResult::pass(
            "cherry-pick",
            format!(
                "{} picked, {} skipped",
                count(r.picked.len(), "commit"),
                r.skipped.len()
            ),
        )
        .details(details)
    };
    section.checks.push(picks);
    if r.conflict.is_some() || r.picked.is_empty() {
        section.checks.push(branch_row(r));
        return section;
    }

    // version-bump
    let mut details: Vec<Detail> = Vec::new();
    for v in &r.versions {
        let msg = match &v.new {
            Some(new) => format!("{} {} → {new} ({})", v.krate, v.old, v.why),
            None => format!("{} stays {} ({})", v.krate, v.old, v.why),
        };
        details.push(Detail::new(msg).krate(v.krate.clone()));
    }
    let row = if !r.collisions.is_empty() {
        let mut row = CheckResult::fail(
            "version-bump",
            format!(
                "planned version already exists: {}",
                r.collisions
                    .iter()
                    .map(|c| format!("{} {} ({})", c.krate, c.version, c.places.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .details(details);
        let mut hint = String::from("nothing was written for this target. Options: ");
        for c in &r.collisions {
            row = row.detail(
                Detail::new(format!(
                    "{} {} already exists on {}: releasing a different {} {} from `{}` is impossible",
                    c.krate,
                    c.version,
                    c.places.join(", "),
                    c.krate,
                    c.version,
                    t.name
                ))
                .status(Status::Fail)
                .krate(c.krate.clone()),
            );
            let next = c
                .next_free
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "an unused version".to_string());
            hint.push_str(&format!(
                "(1) release {} {next} from `{}` instead: set it on the target by hand and run again with \
                 `bump = {{ {} = \"none\" }}`; (2) if {} {} was never published, ship the fix in that release \
                 and backport to `{}` with --onto; (3) leave `{}` out of the targets and backport it by hand. ",
                c.krate,
                t.name,
                t.role.clone().unwrap_or_else(|| t.name.clone()),
                c.krate,
                c.version,
                c.places.join(", "),
                t.name
            ));
        }
        row.hint(hint.trim_end().to_string())
    } else {
        let bumped: Vec<String> = r
            .versions
            .iter()
            .filter_map(|v| {
                v.new
                    .as_ref()
                    .map(|n| format!("{} {} → {n}", v.krate, v.old))
            })
            .collect();
        let summary = if bumped.is_empty() {
            "no version changes".to_string()
        } else {
            bumped.join(", ")
        };
        let mut row = CheckResult::pass("version-bump", summary).details(details);
        if let Some(c) = r.bump_commit {
            row =
                row.detail(Detail::new(format!("bump commit {}", short(c))).commit(c.to_string()));
        }
        row
    };
    section.checks.push(row);

    // dependents
    let details: Vec<Detail> = r
        .requirements
        .iter()
        .map(|(file, c)| {
            Detail::new(format!(
                "{} in [{}]: \"{}\" → \"{}\"",
                c.key, c.table, c.old, c.new
            ))
            .file(file.clone())
            .krate(c.krate.clone())
        })
        .collect();
    let row = if details.is_empty() {
        CheckResult::pass("dependents", "no requirement to raise")
    } else {
        CheckResult::pass(
            "dependents",
            format!("{} raised", count(details.len(), "requirement")),
        )
        .details(details)
    };
    section.checks.push(row);

    // lockfile
    let details: Vec<Detail> = r
        .lock_updates
        .iter()
        .map(|(file, name, old, new)| {
            Detail::new(format!("{file}: {name} {old} → {new}"))
                .krate(name.clone())
                .file(file.clone())
        })
        .collect();
    let row = if details.is_empty() {
        CheckResult::pass("lockfile", "no Cargo.lock entry to update")
    } else {
        CheckResult::pass(
            "lockfile",
            format!("{} updated", count(details.len(), "Cargo.lock entry")),
        )
        .details(details)
    };
    section.checks.push(row);

    // doc-versions
    if !r.doc_updates.is_empty() {
        let details: Vec<Detail> = r
            .doc_updates
            .iter()
            .map(|(file, name, old, new)| {
                Detail::new(format!("{file}: {name} {old} → {new}"))
                    .krate(name.clone())
                    .file(file.clone())
            })
            .collect();
        section.checks.push(
            CheckResult::pass(
                "doc-versions",
                format!(
                    "{} the new version",
                    count_with_verb(r.doc_updates.len(), "file", "shows", "show")
                ),
            )
            .details(details),
        );
    }

    // external-deps
    let row = match &r.locked {
        None => CheckResult::skip("external-deps", "no Cargo.lock to compare"),
        Some(diffs) if diffs.is_empty() => CheckResult::pass(
            "external-deps",
            "external dependencies are locked at the same versions as on the main branch",
        ),
        Some(diffs) => {
            let findings: Vec<Detail> = diffs
                .iter()
                .map(|d| {
                    let mut msg = format!(
                        "{}: main locks {}, `{}` locks {}",
                        d.name,
                        list_or_none(&d.main),
                        t.name,
                        list_or_none(&d.target)
                    );
                    let status = if d.used_by.is_empty() {
                        Status::Pass
                    } else {
                        msg.push_str(&format!(
                            "; used directly by {}: make sure the fix does not rely on the newer version",
                            d.used_by.join(", ")
                        ));
                        Status::Warn
                    };
                    Detail::new(msg).status(status).krate(d.name.clone())
                })
                .collect();
            let flagged = findings
                .iter()
                .filter(|d| d.status == Some(Status::Warn))
                .count();
            let n = findings.len();
            let status = if flagged > 0 {
                Status::Warn
            } else {
                Status::Pass
            };
            CheckResult::new(
                "external-deps",
                status,
                format!(
                    "{} locked differently, {flagged} used by the fix's crates",
                    count(n, "external package")
                ),
            )
            .details(findings)
        }
    };
    section.checks.push(row);
    section.checks.push(branch_row(r));
    section
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

fn branch_row(r: &TargetResult) -> CheckResult {
    let t = &r.target;
    let at = r.result.map(short).unwrap_or_default();
    match &r.branch {
        BranchOutcome::Created { replaced: None } => {
            CheckResult::pass("branch", format!("created `{}` at {at}", t.branch))
                .detail(Detail::new(format!("{} → {at}", t.branch)).reference(t.branch.clone()))
        }
        BranchOutcome::Created {
            replaced: Some(old),
        } => CheckResult::pass(
            "branch",
            format!("replaced `{}` (was {}) with {at}", t.branch, short(*old)),
        )
        .detail(Detail::new(format!("{} → {at}", t.branch)).reference(t.branch.clone())),
        BranchOutcome::WouldCreate { replaces } => CheckResult::skip(
            "branch",
            match replaces {
                None => format!("dry run: would create `{}` at {at}", t.branch),
                Some(old) => format!(
                    "dry run: would replace `{}` (at {}) with {at}",
                    t.branch,
                    short(*old)
                ),
            },
        ),
        BranchOutcome::NotWritten(why) => CheckResult::fail("branch", why.clone())
            .detail(Detail::new(why.clone()).reference(t.branch.clone())),
        BranchOutcome::Unneeded => CheckResult::skip(
            "branch",
            "no branch created: the target already has the fix",
        ),
        BranchOutcome::NotBuilt => CheckResult::skip(
            "branch",
            format!(
                "`{}` not written: the backport could not be built",
                t.branch
            ),
        ),
    }
}

/// `--verify`: `check` (with CI) on a created branch, in a temporary
/// worktree, with the target's tip as BASE.
fn verify_branch(
    cx: &Context,
    global: &GlobalArgs,
    flags: &ConfigArgs,
    branch: &str,
    role: Option<String>,
    base: Oid,
) -> Section {
    let name = format!("check {branch}");
    let run = || -> Result<Section> {
        let dir = backport::work_dir(cx);
        let wt_name = format!("verify-{}", branch.replace('/', "-"));
        let wt = TempWorktree::create_on_branch(&cx.repo, &dir, &wt_name, branch)?;
        let location = Location {
            cwd: wt.path.join(&cx.ws_dir),
            manifest_path: None,
        };
        let checkout = Checkout::locate(&location)?;
        let mut config = Config::from_manifest(&checkout.root_doc, &checkout.root_manifest)?;
        config.apply_flags(flags, global.offline);
        config.index_timeout = global.timeout;
        let opts = ContextOptions {
            base: Some(base.to_string()),
            current_line: role,
            // Builds and CI receipts stay warm in the user's target directory.
            target_dir: Some(cx.target_dir.clone()),
            ..ContextOptions::default()
        };
        let mut wcx = Context::build(checkout, config, &opts, Shell::quiet())?;
        super::attach_registry(&mut wcx)?;
        let mut section = check_fix(&wcx, &[]);
        section.name = name.clone();
        drop(wcx);
        wt.remove()?;
        Ok(section)
    };
    run().unwrap_or_else(|e| {
        error_section(
            name.clone(),
            &[],
            CheckResult::error("verify", format!("could not run check: {e:#}")),
        )
    })
}
