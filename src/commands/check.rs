//! `check`: is this fix ready to release? Runs every check of
//! `checks::ALL` on BASE..HEAD and collects their rows in one section.

use anyhow::{Result, bail};

use super::Session;
use crate::backport_branches::{self, BranchToCheck};
use crate::checks;
use crate::cli::{CheckArgs, ConfigArgs, GlobalArgs};
use crate::context::{CheckFlags, Checkout, Context, ContextOptions, Location};
use crate::git::TempWorktree;
use crate::report::{CheckResult, FactValue, Report, Section};

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &CheckArgs) -> Result<Report> {
    validate_skips(&args.skip)?;
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        flags: CheckFlags {
            rerun_ci: args.rerun_ci,
            allow_breaking: args.allow_breaking.clone(),
            release_day: args.release_day,
        },
        ..ContextOptions::default()
    };
    let mut cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    super::attach_registry(&mut cx)?;
    for name in &args.allow_breaking {
        if cx.head_ws.member(name).is_none() {
            bail!("--allow-breaking `{name}`: no such crate in the workspace");
        }
    }
    // Resolved up front: a misspelt --branch stops before anything runs.
    let mut targets = args
        .branches
        .iter()
        .map(|spec| backport_branches::resolve(&cx.repo, &cx.config, spec))
        .collect::<Result<Vec<_>>>()?;
    let mut lines_section = None;
    if args.all {
        let lines = cx.releases.lines(&cx.repo)?;
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        lines_section = Some(super::lines_section(&cx, &names));
        let more = backport_branches::all(
            &cx.repo,
            &cx.config,
            lines,
            cx.head.branch.as_deref(),
            &targets,
        )?;
        targets.extend(more);
    }
    let mut report = Report::new("check");
    report.sections.push(check_fix(&cx, &args.skip));
    for target in &targets {
        report
            .sections
            .push(check_branch(&cx, target, &args.skip, &mut report.notes));
    }
    report.sections.extend(lines_section);
    if args.all && targets.is_empty() {
        report.notes.push(format!(
            "--all: no backport branch (`{}<role>` or `{}<line>`) of a release line exists",
            cx.config.backport_prefix, cx.config.backport_prefix
        ));
    }
    report.notes.push(cx.releases.note());
    if cx.config.source.is_none() {
        report.notes.push(
            "no [workspace.metadata.security-release] table: defaults used (see README \"Configuration\")"
                .to_string(),
        );
    }
    Ok(report)
}

fn validate_skips(skips: &[String]) -> Result<()> {
    let ids = checks::ids();
    for skip in skips {
        if !ids.contains(&skip.as_str()) {
            bail!(
                "unknown check `{skip}` in --skip (checks: {})",
                ids.join(", ")
            );
        }
    }
    Ok(())
}

/// Checks a branch's tip in a temporary worktree under the target directory
/// (the user's work tree is never touched); the worktree is removed
/// afterwards, also when a check or the context fails.
fn check_branch(
    cx: &Context,
    target: &BranchToCheck,
    skips: &[String],
    notes: &mut Vec<String>,
) -> Section {
    cx.shell.status(
        "Checking",
        format!("branch {} in a temporary worktree", target.name),
    );
    let dir = cx.target_dir.join("security-release").join("worktrees");
    let dir_name = target.name.replace(['/', '\\', ':'], "-");
    let worktree = match TempWorktree::create(&cx.repo, &dir, &dir_name, target.tip) {
        Ok(w) => w,
        Err(e) => return branch_error(target, format!("{e:#}")),
    };
    // Options added later keep their defaults for branch checks.
    #[allow(clippy::needless_update)]
    let opts = ContextOptions {
        base: Some(target.base.to_string()),
        base_how: Some(target.base_how.clone()),
        branch: Some(target.name.clone()),
        current_line: target.line.clone(),
        target_dir: Some(cx.target_dir.clone()),
        flags: cx.flags.clone(),
        ..ContextOptions::default()
    };
    let location = Location {
        cwd: worktree.path.join(&cx.ws_dir),
        manifest_path: None,
    };
    let section = Checkout::locate(&location)
        .and_then(|checkout| {
            let mut bcx = Context::build(checkout, cx.config.clone(), &opts, cx.shell)?;
            super::attach_registry(&mut bcx)?;
            Ok(bcx)
        })
        .map(|bcx| check_fix(&bcx, skips))
        .unwrap_or_else(|e| branch_error(target, format!("{e:#}")));
    if let Err(e) = worktree.remove() {
        notes.push(format!("could not remove the temporary worktree: {e:#}"));
    }
    section
}

/// A section for a branch that could not be checked at all.
fn branch_error(target: &BranchToCheck, message: String) -> Section {
    let mut section = Section::new(target.name.clone())
        .fact("branch", target.name.clone())
        .fact("head", FactValue::commit(target.tip))
        .fact_noted(
            "base",
            FactValue::commit(target.base),
            target.base_how.clone(),
        );
    section.checks.push(CheckResult::error(
        "branch",
        format!("could not check this branch: {message}"),
    ));
    section
}

/// Runs every check on the context's fix and returns them as one section.
pub fn check_fix(cx: &Context, skips: &[String]) -> Section {
    let skipped = |id: &str| skips.iter().any(|s| s == id);
    if !skipped("lockfile") {
        // cargo resolves while the git-only checks run.
        cx.start_locked_resolve();
    }
    let branch = cx.head.branch.clone().unwrap_or_else(|| "HEAD".to_string());
    let mut section = Section::new(branch.clone())
        .fact("branch", branch)
        .fact("head", FactValue::commit(cx.head.commit))
        .fact_noted(
            "base",
            FactValue::commit(cx.base.commit),
            cx.base.how.clone(),
        )
        .fact("commits", cx.fix.len())
        .fact(
            "changed-crates",
            cx.changed
                .iter()
                .map(|c| c.name.clone())
                .collect::<Vec<_>>(),
        );
    for check in checks::ALL {
        let result = if skipped(check.id) {
            CheckResult::skip(check.id, "skipped by --skip")
        } else {
            cx.shell.verbose("Checking", check.id);
            (check.run)(cx)
                .unwrap_or_else(|e| CheckResult::error(check.id, format!("could not run: {e:#}")))
        };
        section.checks.push(result);
    }
    section
}
