//! `check`: is this fix ready to release? Runs every check of
//! `checks::ALL` on BASE..HEAD and collects their rows in one section.

use anyhow::{Result, bail};

use super::Session;
use crate::checks;
use crate::cli::{CheckArgs, ConfigArgs, GlobalArgs};
use crate::context::{Context, ContextOptions};
use crate::git::short;
use crate::report::{CheckResult, Report, Section};

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &CheckArgs) -> Result<Report> {
    validate_skips(&args.skip)?;
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        current_release: None,
    };
    let cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    let mut report = Report::new("check");
    report.sections.push(check_fix(&cx, &args.skip));
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
        .fact("head", short(cx.head.commit))
        .fact(
            "base",
            format!("{} ({})", short(cx.base.commit), cx.base.how),
        )
        .fact("commits", cx.fix.len().to_string())
        .fact(
            "changed crates",
            if cx.changed.is_empty() {
                "none".to_string()
            } else {
                cx.changed
                    .iter()
                    .map(|c| c.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            },
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
