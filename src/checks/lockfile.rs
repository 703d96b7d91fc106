//! `lockfile`: `Cargo.lock` exists, is committed, records every member at its
//! manifest version, and cargo itself resolves the workspace with `--locked`
//! (a version bump without `cargo update` leaves it stale).

use anyhow::Result;

use super::{CheckDef, temporary_patches};
use crate::context::{Context, LockedResolve};
use crate::lockfile::Lockfile;
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace::FileSource;
use crate::workspace::WorkTree;

pub const CHECK: CheckDef = CheckDef {
    id: "lockfile",
    run,
};

const UPDATE_HINT: &str =
    "run `cargo update --workspace --offline` in the workspace root and commit Cargo.lock";

fn run(cx: &Context) -> Result<CheckResult> {
    let path = cx.ws_path("Cargo.lock");
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    let Some(bytes) = work.read(&path)? else {
        return Ok(CheckResult::fail(CHECK.id, format!("`{path}` does not exist"))
            .detail(Detail::new(format!("no lockfile at {path}")).file(&path))
            .hint("run `cargo generate-lockfile --offline` in the workspace root and commit Cargo.lock"));
    };
    let text = String::from_utf8_lossy(&bytes);
    let lock = match Lockfile::parse(&text, &path) {
        Ok(l) => l,
        Err(e) => {
            return Ok(
                CheckResult::fail(CHECK.id, format!("`{path}` cannot be parsed"))
                    .detail(Detail::new(format!("{e:#}")).file(&path))
                    .hint("regenerate it with `cargo generate-lockfile --offline`"),
            );
        }
    };

    let mut findings = Vec::new();
    if !cx.repo.tree_at(cx.head.commit)?.exists(&path) {
        findings.push(
            Detail::new(format!(
                "{path} is not committed at HEAD (ignored or untracked)"
            ))
            .status(Status::Warn)
            .file(&path),
        );
    }
    for member in &cx.head_ws.members {
        match lock.path_package(&member.name) {
            None => findings.push(
                Detail::new(format!(
                    "{path} has no entry for workspace member {}",
                    member.name
                ))
                .status(Status::Fail)
                .krate(&member.name)
                .file(&path),
            ),
            Some(p) if p.version != member.version.to_string() => findings.push(
                Detail::new(format!(
                    "{path} records {} {} but {} says {}",
                    member.name, p.version, member.manifest, member.version
                ))
                .status(Status::Fail)
                .krate(&member.name)
                .file(&path),
            ),
            Some(_) => {}
        }
    }
    let mut blamed = false;
    match cx.locked_resolve() {
        LockedResolve::Ok { .. } => {}
        LockedResolve::Stale { message } => findings.push(
            Detail::new(format!(
                "`cargo metadata --locked` wants to update {path}:\n{}",
                last_lines(&message, 4)
            ))
            .status(Status::Fail)
            .file(&path),
        ),
        LockedResolve::Failed { message } => {
            let text = match temporary_patches::blamed_pin(cx, &message) {
                Some(pin) => {
                    blamed = true;
                    format!(
                        "`cargo metadata --locked` cannot load {pin}: the pin `temporary-patches` reports"
                    )
                }
                None => format!(
                    "`cargo metadata --locked` could not run:\n{}",
                    last_lines(&message, 8)
                ),
            };
            findings.push(Detail::new(text).status(Status::Error).file(&path));
        }
    }
    let result = CheckResult::from_findings(
        CHECK.id,
        findings,
        format!(
            "{path} matches the manifests ({}, cargo --locked agrees)",
            count(cx.head_ws.members.len(), "member")
        ),
        |f| {
            let worst = f.iter().filter_map(|d| d.status).max();
            match worst {
                Some(Status::Error) => format!("could not verify {path} with cargo"),
                Some(Status::Warn) => format!("{path} is not committed"),
                _ => format!("{path} is out of date"),
            }
        },
    );
    Ok(match result.status {
        Status::Fail => result.hint(UPDATE_HINT),
        Status::Warn => result.hint(format!(
            "commit {path}: a release must ship the lockfile it was tested with"
        )),
        Status::Error if blamed => {
            result.hint("remove the temporary pin (see `temporary-patches`) and run `check` again")
        }
        Status::Error if cx.config.offline => result.hint("fix the cargo error above"),
        Status::Error => {
            result.hint("fix the cargo error above (use --offline without network access)")
        }
        _ => result,
    })
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
