//! `cargo check` of a written backport branch, because a clean pick can
//! still not build: the fix may call an API that only the main branch's
//! version of a dependency has. It runs in a temporary worktree that shares
//! the user's target directory, `--locked` where the line tracks a lockfile.

use std::time::Instant;

use super::result::BuildOutcome;
use super::{Run, Target, work_dir};
use crate::git::{Oid, TempWorktree};
use crate::release::lockfiles::{self, Tracking};

/// How many compiler error lines the row shows.
const ERRORS_SHOWN: usize = 8;

/// Builds `result` (the branch's commit) with `cargo check --workspace
/// --all-targets`.
pub fn check(run: &Run, target: &Target, result: Oid) -> BuildOutcome {
    let cx = run.cx;
    let tracked = matches!(
        lockfiles::tracking(&cx.repo, &cx.ws_dir, result, None),
        Ok(Tracking::Tracked)
    );
    let mut args = vec![
        "check",
        "--workspace",
        "--all-targets",
        "--message-format",
        "short",
    ];
    if tracked {
        args.push("--locked");
    }
    if cx.config.offline {
        args.push("--offline");
    }
    let command = format!("cargo {}", args.join(" "));
    let name = format!("build-{}", target.branch.replace('/', "-"));
    let wt = match TempWorktree::create(&cx.repo, &work_dir(cx), &name, result) {
        Ok(wt) => wt,
        Err(e) => {
            return BuildOutcome::Error(format!("cannot create a worktree to build in: {e:#}"));
        }
    };
    cx.shell
        .status("Checking", format!("{} (`{command}`)", target.branch));
    let started = Instant::now();
    // Building runs the code by design (as the `ci` row does), so cargo
    // runs as the user's own would, wrappers such as sccache included:
    // not `context::cargo_command`, which keeps repository code out of
    // cargo invocations that only read.
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = std::process::Command::new(cargo);
    cmd.current_dir(wt.path.join(&cx.ws_dir));
    cmd.args(&args)
        // Builds stay warm in the user's target directory.
        .env("CARGO_TARGET_DIR", &cx.target_dir);
    // In its own process group, ended with the tool, and no longer than a
    // CI command may run.
    let output = crate::process::output(&mut cmd, Some(cx.config.ci_timeout));
    let seconds = started.elapsed().as_secs_f64();
    let _ = wt.remove();
    let output = match output {
        Ok(o) => o,
        Err(e) => return BuildOutcome::Error(format!("cannot run cargo: {e}")),
    };
    if output.ended.success() {
        return BuildOutcome::Passed { command, seconds };
    }
    if output.ended.code().is_none() {
        return BuildOutcome::Error(format!("`{command}` {}", output.ended.describe()));
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let mut errors: Vec<String> = stderr
        .lines()
        .filter(|l| l.contains("error") && !l.starts_with("error: could not compile"))
        .take(ERRORS_SHOWN)
        .map(str::to_string)
        .collect();
    if errors.is_empty() {
        errors = stderr
            .lines()
            .rev()
            .take(ERRORS_SHOWN)
            .map(str::to_string)
            .collect();
        errors.reverse();
    }
    BuildOutcome::Failed { command, errors }
}
