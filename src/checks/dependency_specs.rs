//! `dependency-specs`: every dependency on a bumped crate, in member manifests
//! and `[workspace.dependencies]`, requires the new version, so that no
//! consumer of the published crates can still resolve to the vulnerable one.

use std::collections::BTreeSet;

use anyhow::Result;
use semver::{Version, VersionReq};

use super::CheckDef;
use crate::context::{ChangedCrate, Context};
use crate::release::policy::RaiseDependents;
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
    let shipping = shipping(cx);
    let mut findings = Vec::new();
    let mut checked = 0;
    for krate in &bumped {
        for (dependent, dep) in cx.head_ws.all_deps().filter(|(_, d)| d.name == krate.name) {
            if let Some(f) = judge(krate, dependent, dep) {
                let f = demote_if_not_shipping(cx, &shipping, dependent, dep, f);
                // Requirements of crates that do not ship are notes, not checks.
                if f.iter().any(|d| d.status.is_some()) {
                    checked += 1;
                }
                findings.extend(f);
            }
        }
    }
    findings.extend(below_member_versions(cx, &shipping));
    if bumped.is_empty() && findings.is_empty() {
        return Ok(CheckResult::pass(
            CHECK.id,
            "no crate was bumped, so no requirement needs raising",
        ));
    }
    let warned = findings
        .iter()
        .filter(|d| d.status == Some(Status::Warn))
        .count();
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
    if failing == 0 && warned > 0 {
        return Ok(CheckResult::warn(
            CHECK.id,
            format!(
                "{} on workspace members {} below the member's version",
                count(warned, "requirement"),
                if warned == 1 { "is" } else { "are" }
            ),
        )
        .details(findings)
        .hint("raise each listed requirement to the member's version, so that consumers get what the dependent uses"));
    }
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

/// The crates that ship in this release, whose requirements matter: the
/// modified publishable crates and the bumped ones (and Cargo's root
/// package); with `raise-dependents = "all"` every publishable member.
fn shipping(cx: &Context) -> BTreeSet<String> {
    let mut out: BTreeSet<String> = BTreeSet::new();
    match cx.config.raise_dependents {
        RaiseDependents::All => out.extend(
            cx.head_ws
                .members
                .iter()
                .filter(|m| m.publish)
                .map(|m| m.name.clone()),
        ),
        RaiseDependents::Released | RaiseDependents::None => {
            out.extend(
                cx.changed
                    .iter()
                    .filter(|c| c.publish)
                    .map(|c| c.name.clone()),
            );
            if cx.releases.is_cargo() && !out.is_empty() {
                out.insert("cargo".to_string());
            }
        }
    }
    out
}

/// A requirement in a dependent that does not ship with this fix (or with
/// `raise-dependents = "none"`) cannot be fixed by this release: a note,
/// not a failure.
fn demote_if_not_shipping(
    cx: &Context,
    shipping: &BTreeSet<String>,
    dependent: Option<&Member>,
    dep: &Dependency,
    findings: Vec<Detail>,
) -> Vec<Detail> {
    let ships = match dependent {
        Some(m) => shipping.contains(&m.name),
        // `[workspace.dependencies]`: matters when a shipping member inherits it.
        None => cx.head_ws.members.iter().any(|m| {
            shipping.contains(&m.name)
                && m.deps
                    .iter()
                    .any(|d| d.inherited && d.key == dep.key && d.kind != DepKind::Dev)
        }),
    };
    if ships && cx.config.raise_dependents != RaiseDependents::None {
        return findings;
    }
    let why = if cx.config.raise_dependents == RaiseDependents::None {
        "`raise-dependents = \"none\"`".to_string()
    } else {
        format!(
            "{} does not ship in this release (`raise-dependents = \"released\"`)",
            dependent.map_or("no shipping member inherits it".to_string(), |m| m
                .name
                .clone())
        )
    };
    findings
        .into_iter()
        .map(|mut d| {
            if d.status == Some(Status::Fail) {
                d.status = None;
                d.message = format!("{} — not required: {why}", d.message);
            }
            d
        })
        .collect()
}

/// Requirements of shipping crates on workspace members that admit a
/// version below the member's: consumers may resolve that older version,
/// which lacks what the dependent now uses.
fn below_member_versions(cx: &Context, shipping: &BTreeSet<String>) -> Vec<Detail> {
    let mut out = Vec::new();
    for dependent in cx
        .head_ws
        .members
        .iter()
        .filter(|m| shipping.contains(&m.name))
    {
        for dep in dependent.deps.iter().filter(|d| d.kind != DepKind::Dev) {
            let Some(member) = cx.head_ws.member(&dep.name) else {
                continue;
            };
            if cx
                .changed
                .iter()
                .any(|c| c.name == member.name && c.bumped())
            {
                continue; // judged above, against the vulnerable version
            }
            let Some(req_text) = &dep.req else { continue };
            let Ok(req) = VersionReq::parse(req_text) else {
                continue;
            };
            if let Some(low) = lower_bound(&req)
                && low < member.version
            {
                out.push(
                    Detail::new(format!(
                        "{} requires {} `{req_text}` ({} [{}]), but {} is {} here: consumers can \
                         resolve {low}, which lacks what {} may now use",
                        dependent.name,
                        member.name,
                        dep.file,
                        dep.table,
                        member.name,
                        member.version,
                        dependent.name
                    ))
                    .status(Status::Warn)
                    .krate(&member.name)
                    .file(&dep.file),
                );
            }
        }
    }
    out
}

/// The lowest version a requirement admits.
pub(crate) fn lower_bound(req: &VersionReq) -> Option<Version> {
    crate::manifest::req_lower_bound(req)
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
