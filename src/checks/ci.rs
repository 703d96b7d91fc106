//! `ci`: the local CI suite passes on this exact tree. A private fork has no
//! CI, so the configured commands (or `cargo test --workspace --locked`) run
//! here; a receipt keeps a passing run from being repeated on the same tree.

use anyhow::Result;

use super::{CheckDef, temporary_patches};
use crate::ci::{self, CiPlan, CiRun, CommandOutcome, format_duration};
use crate::context::Context;
use crate::git::short;
use crate::release::lockfiles::{self, Tracking};
use crate::report::{CheckResult, Detail, Status};
use crate::semver_checks::PreservedFile;
use crate::text::count;
use crate::workspace::relative_to;

pub const CHECK: CheckDef = CheckDef { id: "ci", run };

const CONFIGURE_HINT: &str = "configure your CI commands with `ci = [\"cargo test --workspace --locked\", \"cargo clippy --workspace -- -D warnings\", …]` \
     in [workspace.metadata.security-release], or pass --ci <COMMAND>";

fn run(cx: &Context) -> Result<CheckResult> {
    let mut plan = CiPlan::new(&cx.config.ci);
    // A line that does not track Cargo.lock cannot run `--locked`.
    let mut lock_note = None;
    let untracked = matches!(
        lockfiles::tracking(&cx.repo, &cx.ws_dir, cx.head.commit, Some(cx.base.commit))?,
        Tracking::Ignored | Tracking::NeverCommitted
    );
    if untracked {
        let changed = plan.without_locked();
        if !changed.is_empty() {
            lock_note = Some(Detail::new(format!(
                "{} is not tracked here, so `--locked` was dropped from {}",
                cx.ws_path("Cargo.lock"),
                changed
                    .iter()
                    .map(|c| format!("`{c}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let tree = cx.repo.tree_id(cx.head.commit)?;
    let clean = cx.repo.uncommitted()?.is_empty();

    if clean
        && !cx.flags.rerun_ci
        && let Some(receipt) = ci::find_receipt(&cx.target_dir, tree, &plan)
    {
        let mut result = CheckResult::pass(
            CHECK.id,
            format!(
                "passed {} on tree {}, not re-run",
                receipt.when(),
                short(tree)
            ),
        )
        .details(
            receipt
                .commands
                .iter()
                .map(|c| Detail::new(format!("`{c}` passed (receipt)"))),
        )
        .hint("pass --rerun-ci to run the commands again");
        if plan.defaulted {
            result = result.detail(default_used());
        }
        if let Some(note) = lock_note {
            result = result.detail(note);
        }
        return Ok(result);
    }

    let log_dir = ci::ci_dir(&cx.target_dir).join("logs").join(if clean {
        tree.to_string()
    } else {
        format!("dirty-{}", cx.head.commit)
    });
    let mut env = Vec::new();
    if cx.target_dir_shared {
        env.push((
            "CARGO_TARGET_DIR".to_string(),
            cx.target_dir.to_string_lossy().into_owned(),
        ));
    }
    if cx.config.offline {
        env.push(("CARGO_NET_OFFLINE".to_string(), "true".to_string()));
    }
    let runner = CiRun {
        workspace_root: &cx.workspace_root,
        log_dir,
        env,
        shell: cx.shell,
        limit: cx.config.ci_timeout,
    };
    // Without `--locked` cargo writes a Cargo.lock; the user's (absent or
    // ignored) one is put back as it was.
    let _lockfile = untracked
        .then(|| PreservedFile::save(&cx.workspace_root.join("Cargo.lock")))
        .transpose()?;
    let outcomes = runner.run_all(&plan)?;
    let failed: Vec<&CommandOutcome> = outcomes.iter().filter(|o| !o.passed).collect();

    let mut details: Vec<Detail> = lock_note.into_iter().collect();
    // The first failure whose output names a temporary pin cargo could not
    // load: `temporary-patches` reports that pin, this row points to it.
    let mut blamed: Option<String> = None;
    for o in &outcomes {
        details.push(command_detail(cx, o));
        for test in &o.failed_tests {
            details.push(Detail::new(format!("failed test `{test}`")).status(Status::Fail));
        }
        if o.passed || o.tail.is_empty() {
            continue;
        }
        let pin = (!o.timed_out)
            .then(|| temporary_patches::blamed_pin(cx, &o.tail.join("\n")))
            .flatten();
        let detail = match &pin {
            Some(pin) => Detail::new(format!(
                "`{}` fails because cargo cannot load {pin}: the pin `temporary-patches` reports",
                o.command
            )),
            None => Detail::new(format!("last lines of output:\n{}", o.tail.join("\n"))),
        };
        details.push(match relative_to(cx.repo.workdir(), &o.log) {
            Some(rel) => detail.file(rel),
            None => detail,
        });
        blamed = blamed.or(pin);
    }
    if plan.defaulted {
        details.push(default_used());
    }

    // A command ended at its time limit neither passed nor failed.
    let (timed_out, failed): (Vec<&CommandOutcome>, Vec<&CommandOutcome>) =
        failed.into_iter().partition(|o| o.timed_out);
    if let Some(first) = failed.first() {
        let summary = if failed.len() == 1 {
            format!("`{}` failed ({})", first.command, first.status)
        } else {
            format!(
                "{} of {} CI commands failed, first `{}`",
                failed.len(),
                outcomes.len(),
                first.command
            )
        };
        let hint = match &blamed {
            Some(_) => format!(
                "remove the temporary pin (see `temporary-patches`) and run `check` again; the log: `{}`",
                first.log.display()
            ),
            None => format!(
                "read the log `{}`, fix the failure and commit",
                first.log.display()
            ),
        };
        return Ok(CheckResult::fail(CHECK.id, summary)
            .details(details)
            .hint(hint));
    }
    if let Some(first) = timed_out.first() {
        return Ok(CheckResult::error(
            CHECK.id,
            format!(
                "`{}` did not finish within {} and was ended",
                first.command,
                format_duration(cx.config.ci_timeout)
            ),
        )
        .details(details)
        .hint(format!(
            "raise the limit with `ci-timeout = <seconds>` in [workspace.metadata.security-release] \
             or --ci-timeout (now {}s), or see what hangs in the log `{}`",
            cx.config.ci_timeout.as_secs(),
            first.log.display()
        )));
    }

    let total: std::time::Duration = outcomes.iter().map(|o| o.duration).sum();
    let mut summary = if plan.defaulted {
        format!(
            "default `{}` passed in {}",
            ci::DEFAULT_COMMAND,
            format_duration(total)
        )
    } else {
        format!(
            "{} passed in {}",
            count(outcomes.len(), "CI command"),
            format_duration(total)
        )
    };
    // A receipt only for what is committed, and only if the commands left it
    // so: a tree a command rewrote is not the tree that passed.
    let changed_by_ci = if clean {
        cx.repo.uncommitted()?
    } else {
        Vec::new()
    };
    if !clean {
        summary.push_str(" (uncommitted changes: no receipt recorded)");
        details.push(Detail::new(
            "the work tree has uncommitted changes, so this run proves nothing about a commit \
             and is not recorded; commit and check again",
        ));
    } else if let Some(first) = changed_by_ci.first() {
        summary.push_str(" (the commands changed the work tree: no receipt recorded)");
        details.push(
            Detail::new(format!(
                "the CI commands left {} in the work tree ({}: {}), so the tree that \
                 passed is not the committed one; ignore or commit what they write",
                count(changed_by_ci.len(), "change"),
                first.kind,
                first.path
            ))
            .file(&first.path),
        );
    } else {
        ci::write_receipt(&cx.target_dir, tree, cx.head.commit, &plan)?;
        summary.push_str(&format!(" on tree {}", short(tree)));
    }
    let mut result = CheckResult::pass(CHECK.id, summary).details(details);
    // Said on a pass only: on a failure the hint is about the failure.
    if plan.defaulted {
        result = result.hint(CONFIGURE_HINT);
    }
    Ok(result)
}

fn command_detail(cx: &Context, o: &CommandOutcome) -> Detail {
    let verdict = if o.passed {
        "passed".to_string()
    } else {
        format!("failed ({})", o.status)
    };
    let mut detail = Detail::new(format!(
        "`{}` {verdict} in {}; log: {}",
        o.command,
        format_duration(o.duration),
        o.log.display()
    ));
    // `file` is repo-relative by contract; a log outside the repository
    // (CARGO_TARGET_DIR elsewhere, a worktree's shared target) is only named
    // in the message.
    if let Some(rel) = relative_to(cx.repo.workdir(), &o.log) {
        detail = detail.file(rel);
    }
    if o.passed {
        detail
    } else if o.timed_out {
        detail.status(Status::Error)
    } else {
        detail.status(Status::Fail)
    }
}

fn default_used() -> Detail {
    Detail::new(format!(
        "no `ci` commands configured: ran the default `{}` (configure the rest of your CI)",
        ci::DEFAULT_COMMAND
    ))
}
