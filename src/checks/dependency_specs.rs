//! `dependency-specs`: every dependency on a bumped crate, in member manifests
//! and `[workspace.dependencies]`, requires the new version, so that no
//! consumer of the published crates can still resolve to the vulnerable one.

use anyhow::Result;
use semver::VersionReq;

use super::CheckDef;
use crate::context::{ChangedCrate, Context};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace::{DepKind, Dependency, Member};

pub const CHECK: CheckDef = CheckDef {
    id: "dependency-specs",
    run,
};

fn run(cx: &Context) -> Result<CheckResult> {
    let bumped: Vec<&ChangedCrate> = cx
        .changed
        .iter()
        .filter(|c| c.publish && c.bumped())
        .collect();
    if bumped.is_empty() {
        return Ok(CheckResult::pass(
            CHECK.id,
            "no crate was bumped, so no requirement needs raising",
        ));
    }
    let mut findings = Vec::new();
    let mut checked = 0;
    for krate in &bumped {
        for (dependent, dep) in cx.head_ws.all_deps().filter(|(_, d)| d.name == krate.name) {
            if let Some(f) = judge(krate, dependent, dep) {
                checked += 1;
                findings.extend(f);
            }
        }
    }
    let failing = findings
        .iter()
        .filter(|d| d.status == Some(Status::Fail))
        .count();
    let summary_ok = format!(
        "{} on {} {} the vulnerable versions",
        count(checked, "requirement"),
        count(bumped.len(), "bumped crate"),
        if checked == 1 { "excludes" } else { "exclude" }
    );
    if failing == 0 {
        return Ok(CheckResult::pass(CHECK.id, summary_ok).details(findings));
    }
    Ok(CheckResult::fail(
        CHECK.id,
        format!(
            "{} still {} a vulnerable version",
            count(failing, "requirement"),
            if failing == 1 { "allows" } else { "allow" }
        ),
    )
    .details(findings)
    .hint(
        "raise each requirement to the new version, keeping its operator \
         (e.g. `cargo-util = { path = \"crates/cargo-util\", version = \"0.2.6\" }`), \
         then `cargo update --workspace --offline`",
    ))
}

/// One finding for a declaration, or `None` when it does not affect consumers.
fn judge(
    krate: &ChangedCrate,
    dependent: Option<&Member>,
    dep: &Dependency,
) -> Option<Vec<Detail>> {
    if dep.inherited || dep.kind == DepKind::Dev {
        // Inherited: judged at its `[workspace.dependencies]` entry.
        // Dev-dependencies never reach consumers.
        return None;
    }
    if dependent.is_some_and(|m| !m.publish) {
        return None;
    }
    let who = match dependent {
        Some(m) => format!("{} depends on {}", m.name, krate.name),
        None => dep.key.clone(),
    };
    let place = format!("{} [{}]", dep.file, dep.table);
    let base = krate.base_version.as_ref()?;
    let new = &krate.head_version;
    let detail = |status: Status, msg: String| {
        Detail::new(msg)
            .status(status)
            .krate(&krate.name)
            .file(&dep.file)
    };
    let Some(req_text) = &dep.req else {
        if dep.git.is_some() {
            return None; // reported by temporary-patches
        }
        return Some(vec![detail(
            Status::Fail,
            format!(
                "{place}: {who} by path without a version requirement; publishing needs `version = \"{new}\"`"
            ),
        )]);
    };
    let Ok(req) = VersionReq::parse(req_text) else {
        return Some(vec![detail(
            Status::Fail,
            format!("{place}: {who} with `{req_text}`, which is not a valid requirement"),
        )]);
    };
    if req.matches(base) {
        return Some(vec![detail(
            Status::Fail,
            format!(
                "{place}: {who} with `{req_text}`, which still allows {base} (the vulnerable version); require {new}"
            ),
        )]);
    }
    if !req.matches(new) {
        return Some(vec![detail(
            Status::Fail,
            format!("{place}: {who} with `{req_text}`, which does not allow the new version {new}"),
        )]);
    }
    Some(vec![detail(
        Status::Pass,
        format!("{place}: {who} with `{req_text}`"),
    )])
}
