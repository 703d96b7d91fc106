//! `backport`: builds the backport branches of the release lines in git's
//! object database, and `--continue`/`--abort` a backport left on a
//! conflict. This file turns arguments into a run and results into the
//! report; the operation, its rows and its state machine live in
//! `crate::backport`.

use anyhow::{Context as _, Result, anyhow};

use super::Session;
use crate::backport::rows::RowOptions;
use crate::backport::{self, BranchOutcome, Options, Run, Strategy, state};
use crate::checks::embargo;
use crate::cli::{BackportArgs, ConfigArgs, GlobalArgs, OutputFormat};
use crate::commands::check::check_fix;
use crate::config::Config;
use crate::context::{Checkout, Context, ContextOptions, Location};
use crate::git::{Oid, TempWorktree};
use crate::report::{CheckResult, Detail, FactValue, Report, Section};
use crate::shell::Shell;
use crate::text::command;

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &BackportArgs) -> Result<Report> {
    if args.abort {
        return abort(global, flags);
    }
    if args.continue_ {
        return resume(global, flags, args);
    }
    let session = Session::open(global, flags)?;
    let strategy = strategy(args, &session.config)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        ..ContextOptions::default()
    };
    let mut cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    if strategy == Strategy::MergeForward && args.base.is_none() {
        // The fix starts on the oldest line, not on the main branch.
        let first = backport::select_targets(&cx, strategy)?
            .targets
            .into_iter()
            .next();
        if let Some(first) = first {
            let base = cx.repo.merge_base(cx.head.commit, first.tip.commit)?;
            if base != cx.base.commit {
                let session = Session::open(global, flags)?;
                let opts = ContextOptions {
                    base: Some(base.to_string()),
                    base_how: Some(format!("merge-base with {}", first.name)),
                    ..ContextOptions::default()
                };
                cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
            }
        }
    }
    super::attach_registry(&mut cx)?;
    backport::refuse_merges(&cx.fix)?;
    let selected = backport::select_targets(&cx, strategy)?;
    if args.dry_run {
        // Commits and trees of the plan stay in memory: nothing reaches disk.
        cx.repo.keep_new_objects_in_memory()?;
    }
    let committer = cx.repo.committer();
    let options = Options {
        force: args.force,
        dry_run: args.dry_run,
        worktree: args.worktree,
        build: !args.no_build,
        align_deps: !args.no_align_deps,
        strategy,
    };

    let mut report = Report::new("backport");
    if let Some(note) = &selected.note {
        report.notes.push(note.clone());
    }
    if strategy == Strategy::MergeForward {
        report.notes.push(format!(
            "merge-forward: {} (BASE {})",
            selected
                .targets
                .iter()
                .map(|t| format!("`{}`", t.name))
                .collect::<Vec<_>>()
                .join(" → "),
            cx.base.how
        ));
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
    let run = Run::new(&cx, &selected.targets, &committer, options);
    let outcomes = backport::run_all(&run);
    let created = add_sections(&mut report, &run, outcomes, global);
    let targeted: Vec<&str> = selected.targets.iter().map(|t| t.name.as_str()).collect();
    report.sections.push(super::lines_section(&cx, &targeted));
    finish_report(&mut report, &cx, global, flags, args.verify, &created);
    Ok(report)
}

/// `--strategy`, else `strategy` in the configuration, else cherry-pick.
fn strategy(args: &BackportArgs, config: &Config) -> Result<Strategy> {
    let name = args
        .strategy
        .as_deref()
        .or(config.strategy.as_deref())
        .unwrap_or("cherry-pick");
    Strategy::parse(name).ok_or_else(|| anyhow!("unknown strategy `{name}`"))
}

/// `--continue`: finishes the backport waiting in a worktree.
fn resume(global: &GlobalArgs, flags: &ConfigArgs, args: &BackportArgs) -> Result<Report> {
    let located = state::find(&start_dir(global)?, &flags.onto)?;
    let st = &located.state;
    let mut cx = state::context(st, global, flags, super::shell_for(global))?;
    super::attach_registry(&mut cx)?;
    let targets = st.targets()?;
    let committer = cx.repo.committer();
    let options = Options {
        force: args.force || st.force,
        dry_run: false,
        worktree: true,
        build: st.build && !args.no_build,
        align_deps: st.align_deps && !args.no_align_deps,
        strategy: Strategy::parse(&st.strategy).unwrap_or(Strategy::CherryPick),
    };
    let mut report = Report::new("backport");
    report.notes.push(format!(
        "continuing the backport onto `{}` from `{}`",
        st.target_name(),
        st.worktree.display()
    ));
    let run = Run::new(&cx, &targets, &committer, options);
    let outcomes = state::resume(&run, &located)?;
    let created = add_sections(&mut report, &run, outcomes, global);
    finish_report(&mut report, &cx, global, flags, args.verify, &created);
    Ok(report)
}

/// `--abort`: removes the worktree of a backport waiting on a conflict.
fn abort(global: &GlobalArgs, flags: &ConfigArgs) -> Result<Report> {
    let located = state::find(&start_dir(global)?, &flags.onto)?;
    let st = &located.state;
    state::abort(&located)?;
    let mut report = Report::new("backport");
    let mut row = CheckResult::pass(
        "abort",
        format!(
            "removed the worktree `{}`: nothing was written for `{}`",
            st.worktree.display(),
            st.target_name()
        ),
    );
    if st.strategy == "merge-forward" && st.target > 0 {
        row = row.detail(Detail::new(
            "branches already written for the older lines of the merge chain stay; delete them              with `git branch -D` if you start over",
        ));
    }
    report
        .sections
        .push(Section::new(st.target_name()).fact("aborted", st.worktree.display().to_string()));
    if let Some(section) = report.sections.last_mut() {
        section.checks.push(row);
    }
    Ok(report)
}

/// Where to look for a waiting backport: the directory of
/// `--manifest-path`, else the current directory.
fn start_dir(global: &GlobalArgs) -> Result<std::path::PathBuf> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    Ok(
        match global.manifest_path.as_deref().and_then(|m| m.parent()) {
            Some(dir) if !dir.as_os_str().is_empty() => cwd.join(dir),
            _ => cwd,
        },
    )
}

/// One section per outcome; returns what `--verify` checks: (branch, line,
/// the target's tip).
fn add_sections(
    report: &mut Report,
    run: &Run,
    outcomes: Vec<backport::Outcome>,
    global: &GlobalArgs,
) -> Vec<(String, Option<String>, Oid)> {
    let rows = RowOptions {
        full: global.verbose > 0 || global.format == OutputFormat::Json,
    };
    if run.committer.fallback {
        report.notes.push(format!(
            "git config has no user.name/user.email: commits are made by `{} <{}>`",
            run.committer.name, run.committer.email
        ));
    }
    let mut created = Vec::new();
    for outcome in outcomes {
        let section = match outcome {
            backport::Outcome::Done(result) => {
                if matches!(result.branch, BranchOutcome::Created { .. }) {
                    let t = &result.target;
                    created.push((t.branch.clone(), Some(t.name.clone()), t.tip.commit));
                }
                backport::rows::section(&result, &rows)
            }
            backport::Outcome::Failed(target, e) => error_section(
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
    created
}

/// `--verify` sections and the push command.
fn finish_report(
    report: &mut Report,
    cx: &Context,
    global: &GlobalArgs,
    flags: &ConfigArgs,
    verify: bool,
    created: &[(String, Option<String>, Oid)],
) {
    if verify {
        for (branch, role, base) in created {
            cx.shell.status("Verifying", branch);
            report.sections.push(verify_branch(
                cx,
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
        let step = match push_remote(cx) {
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
