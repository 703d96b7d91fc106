//! `lockfile`: every tracked `Cargo.lock` follows the manifests. The
//! workspace's own records each member at its manifest version, cargo
//! resolves with `--locked`, and the fix keeps the file's format version.
//! A second workspace's lockfile (`fuzz/Cargo.lock`) records the path
//! members at their versions. A project that does not track `Cargo.lock`
//! has nothing to keep in step: the row says so and skips.

use anyhow::Result;

use super::{CheckDef, temporary_patches};
use crate::context::{Context, LockedResolve};
use crate::lockfile::Lockfile;
use crate::release::lockfiles::{self, CURRENT_CARGO_FORMAT, Tracking};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace::FileSource;
use crate::workspace::WorkTree;

pub const CHECK: CheckDef = CheckDef {
    id: "lockfile",
    run,
};

fn run(cx: &Context) -> Result<CheckResult> {
    let path = cx.ws_path("Cargo.lock");
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    let tracking = lockfiles::tracking(&cx.repo, &cx.ws_dir, cx.head.commit, Some(cx.base.commit))?;
    let mut findings = Vec::new();
    let mut members_checked = 0;
    match tracking {
        Tracking::Deleted => findings.push(
            Detail::new(format!("{path} is tracked at BASE but the fix deletes it"))
                .status(Status::Fail)
                .file(&path),
        ),
        Tracking::Ignored | Tracking::NeverCommitted => {}
        Tracking::Tracked => {
            members_checked = own_lockfile(cx, &work, &path, &mut findings)?;
        }
    }
    let others = second_lockfiles(cx, &work, &mut findings)?;

    if findings.is_empty() && tracking != Tracking::Tracked {
        let why = match tracking {
            Tracking::Ignored => "ignored by .gitignore",
            _ => "never committed on this line",
        };
        let mut row = CheckResult::skip(
            CHECK.id,
            format!("{path} is not tracked ({why}): the project does not ship a lockfile"),
        );
        if others > 0 {
            row = row.detail(Detail::new(format!(
                "{} the workspace members at their versions",
                crate::text::count_with_verb(others, "other tracked lockfile", "records", "record")
            )));
        }
        return Ok(row);
    }
    let ok = format!(
        "{path} matches the manifests ({}, cargo --locked agrees){}",
        count(members_checked, "member"),
        if others > 0 {
            format!("; {} too", count(others, "other lockfile"))
        } else {
            String::new()
        }
    );
    let result = CheckResult::from_findings(CHECK.id, findings, ok, |f| {
        let worst = f.iter().filter_map(|d| d.status).max();
        match worst {
            Some(Status::Error) => format!("could not verify {path} with cargo"),
            Some(Status::Warn) => format!("{path} is not committed"),
            _ => "a lockfile is out of date".to_string(),
        }
    });
    let format = work
        .read(&path)?
        .and_then(|b| lockfiles::format_version(&String::from_utf8_lossy(&b)));
    Ok(match result.status {
        Status::Fail => result.hint(update_hint(format)),
        Status::Warn => result.hint(format!(
            "commit {path}: a release must ship the lockfile it was tested with"
        )),
        Status::Error if blamed_pin(cx).is_some() => {
            result.hint("remove the temporary pin (see `temporary-patches`) and run `check` again")
        }
        Status::Error if cx.config.offline => result.hint("fix the cargo error above"),
        Status::Error => {
            result.hint("fix the cargo error above (use --offline without network access)")
        }
        _ => result,
    })
}

/// The temporary pin that made `cargo metadata --locked` fail, if one did:
/// `temporary-patches` reports it; this row points there.
fn blamed_pin(cx: &Context) -> Option<String> {
    match cx.locked_resolve() {
        LockedResolve::Failed { message } => temporary_patches::blamed_pin(cx, &message),
        _ => None,
    }
}

/// How to bring a lockfile up to date without changing its format: cargo
/// rewrites an older format to 4 when it updates the file.
fn update_hint(format: Option<i64>) -> String {
    match format {
        Some(CURRENT_CARGO_FORMAT) => {
            "run `cargo update --workspace --offline` in the workspace root and commit Cargo.lock"
                .to_string()
        }
        other => format!(
            "set the `version` of the member entries listed above by hand, keeping the file's format \
             ({}): `cargo update` with cargo 1.83 or newer rewrites it to format {CURRENT_CARGO_FORMAT}",
            other.map_or("no `version` line".to_string(), |v| format!(
                "version = {v}"
            ))
        ),
    }
}

/// The workspace's own lockfile: present, parseable, members at their
/// versions, the format kept since BASE, and cargo agrees.
fn own_lockfile(
    cx: &Context,
    work: &WorkTree,
    path: &str,
    findings: &mut Vec<Detail>,
) -> Result<usize> {
    let Some(bytes) = work.read(path)? else {
        findings.push(
            Detail::new(format!(
                "{path} is committed but missing from the work tree"
            ))
            .status(Status::Fail)
            .file(path),
        );
        return Ok(0);
    };
    let text = String::from_utf8_lossy(&bytes);
    let lock = match Lockfile::parse(&text, path) {
        Ok(l) => l,
        Err(e) => {
            findings.push(
                Detail::new(format!("{path} cannot be parsed: {e:#}"))
                    .status(Status::Fail)
                    .file(path),
            );
            return Ok(0);
        }
    };
    if let Some(base_bytes) = cx.repo.tree_at(cx.base.commit)?.read(path)? {
        let before = lockfiles::format_version(&String::from_utf8_lossy(&base_bytes));
        let now = lockfiles::format_version(&text);
        if before != now {
            let show =
                |v: Option<i64>| v.map_or("no `version`".to_string(), |v| format!("version = {v}"));
            findings.push(
                Detail::new(format!(
                    "the fix changes {path}'s format from {} to {}: a newer cargo rewrote it; \
                     the release line's toolchain may not read it, and the diff hides the real change",
                    show(before),
                    show(now)
                ))
                .status(Status::Fail)
                .file(path),
            );
        }
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
                .file(path),
            ),
            Some(p) if p.version != member.version.to_string() => findings.push(
                Detail::new(format!(
                    "{path} records {} {} but {} says {}",
                    member.name, p.version, member.manifest, member.version
                ))
                .status(Status::Fail)
                .krate(&member.name)
                .file(path),
            ),
            Some(_) => {}
        }
    }
    match cx.locked_resolve() {
        LockedResolve::Ok { .. } => {}
        LockedResolve::Stale { message } => findings.push(
            Detail::new(format!(
                "`cargo metadata --locked` wants to update {path}:\n{}",
                last_lines(&message, 4)
            ))
            .status(Status::Fail)
            .file(path),
        ),
        LockedResolve::Failed { message } => {
            let text = match blamed_pin(cx) {
                Some(pin) => format!(
                    "`cargo metadata --locked` cannot load {pin}: the pin `temporary-patches` reports"
                ),
                None => format!(
                    "`cargo metadata --locked` could not run:\n{}",
                    last_lines(&message, 8)
                ),
            };
            findings.push(Detail::new(text).status(Status::Error).file(path));
        }
    }
    Ok(cx.head_ws.members.len())
}

/// The lockfiles of second workspaces (`fuzz/Cargo.lock`): their entries
/// for this workspace's members (path packages of the same name) must
/// record the members' versions. Returns how many were looked at.
fn second_lockfiles(cx: &Context, work: &WorkTree, findings: &mut Vec<Detail>) -> Result<usize> {
    let others = lockfiles::other_lockfiles(&cx.repo, &cx.ws_dir, cx.head.commit)?;
    for path in &others {
        let Some(bytes) = work.read(path)? else {
            continue;
        };
        let Ok(lock) = Lockfile::parse(&String::from_utf8_lossy(&bytes), path) else {
            findings.push(
                Detail::new(format!("{path} cannot be parsed"))
                    .status(Status::Fail)
                    .file(path),
            );
            continue;
        };
        for member in &cx.head_ws.members {
            if let Some(p) = lock.path_package(&member.name)
                && p.version != member.version.to_string()
            {
                findings.push(
                    Detail::new(format!(
                        "{path} (a second workspace) records {} {} but {} says {}",
                        member.name, p.version, member.manifest, member.version
                    ))
                    .status(Status::Fail)
                    .krate(&member.name)
                    .file(path),
                );
            }
        }
    }
    Ok(others.len())
}

fn last_lines(text: &str, n: usize) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(n)..].join("\n")
}
