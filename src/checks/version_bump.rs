//! `version-bump`: every modified publishable crate has a version above
//! BASE's, unless BASE's version was never released. A version is released
//! when the registry has it, a release tag names it, or another release branch
//! ships it (so on master a crate still at beta's version must be bumped).

use anyhow::Result;
use semver::Version;

use super::CheckDef;
use crate::context::{ChangedCrate, Context};
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, count_with_verb, noun};

pub const CHECK: CheckDef = CheckDef {
    id: "version-bump",
    run,
};

fn run(cx: &Context) -> Result<CheckResult> {
    let publishable: Vec<&ChangedCrate> = cx.changed.iter().filter(|c| c.publish).collect();
    if publishable.is_empty() {
        let summary = if cx.changed.is_empty() {
            "no workspace crate changed since BASE".to_string()
        } else {
            format!(
                "{} changed, none of them published (publish = false)",
                count(cx.changed.len(), "crate")
            )
        };
        return Ok(CheckResult::pass(CHECK.id, summary));
    }
    let mut findings = Vec::new();
    let mut hints = Vec::new();
    for krate in &publishable {
        let (status, message) = judge(cx, krate, &mut hints)?;
        let mut message = message;
        if krate.only_tests() {
            message.push_str(
                "\n(changed only under tests/, benches/ or examples/; still counts as changed: \
                 those files ship in the .crate unless `package.exclude` leaves them out)",
            );
        }
        findings.push(
            Detail::new(message)
                .status(status)
                .krate(&krate.name)
                .file(&krate.manifest),
        );
    }
    if cx.releases.registries.is_none() {
        findings.push(Detail::new(
            "--offline: the registry was not consulted; a version counts as released when a release tag or another release line has it",
        ));
    }
    let failing = findings
        .iter()
        .filter(|d| d.status == Some(Status::Fail))
        .count();
    let total = publishable.len();
    let mut result = CheckResult::from_findings(CHECK.id, findings, "", |_| {
        if failing > 0 {
            format!(
                "{failing} of {} {} a version bump",
                count(total, "modified publishable crate"),
                if failing == 1 { "needs" } else { "need" }
            )
        } else {
            format!(
                "{} release-ready {}",
                count_with_verb(total, "modified publishable crate", "has a", "have"),
                noun(total, "version")
            )
        }
    });
    if !hints.is_empty() {
        result = result.hint(format!(
            "{}\nthen run `cargo update --workspace --offline` so Cargo.lock follows",
            hints.join("\n")
        ));
    }
    Ok(result)
}

fn judge(cx: &Context, krate: &ChangedCrate, hints: &mut Vec<String>) -> Result<(Status, String)> {
    let name = &krate.name;
    let head = &krate.head_version;
    // A release whose tag already contains the fix is the fix's release.
    if let Some(tag) = released_with_fix(cx, name, head)? {
        return Ok((
            Status::Pass,
            format!("{name} {head} is the release tagged `{tag}`, which already contains the fix"),
        ));
    }
    let Some(base) = &krate.base_version else {
        if let Some(evidence) = cx.released(name, head)? {
            hints.push(bump_hint(cx, krate, head)?);
            return Ok((
                Status::Fail,
                format!(
                    "{name} {head} is new since BASE, but {head} is already released ({evidence})"
                ),
            ));
        }
        return Ok((Status::Pass, format!("{name} {head} is new since BASE")));
    };
    if head > base {
        if let Some(evidence) = cx.released(name, head)? {
            hints.push(bump_hint(cx, krate, head)?);
            return Ok((
                Status::Fail,
                format!(
                    "{name} bumped {base} → {head}, but {head} is already released ({evidence})"
                ),
            ));
        }
        return Ok((Status::Pass, format!("{name} bumped {base} → {head}")));
    }
    if head < base {
        hints.push(bump_hint(cx, krate, base)?);
        return Ok((
            Status::Fail,
            format!("{name} went down from {base} at BASE to {head}"),
        ));
    }
    match cx.released(name, base)? {
        Some(evidence) => {
            hints.push(bump_hint(cx, krate, base)?);
            Ok((
                Status::Fail,
                format!("{name} is still {base}, which is already released ({evidence})"),
            ))
        }
        None => Ok((
            Status::Pass,
            format!("{name} {base} was never released, so the fix ships in it without a bump"),
        )),
    }
}

/// A release tag whose commit carries `name@version` and contains the
/// whole fix (HEAD).
fn released_with_fix(cx: &Context, name: &str, version: &Version) -> Result<Option<String>> {
    for tag in &cx.releases.tags {
        if cx.version_at(tag.commit, name)?.as_ref() == Some(version)
            && cx.repo.contains(tag.commit, cx.head.commit)?
        {
            return Ok(Some(tag.name.clone()));
        }
    }
    Ok(None)
}

/// "bump `version` in crates/x/Cargo.toml to 0.2.6": the next version (a
/// pre-release's next pre-release) that is not itself already released.
fn bump_hint(cx: &Context, krate: &ChangedCrate, from: &Version) -> Result<String> {
    let mut next = crate::release::next_version(from);
    for _ in 0..50 {
        if cx.released(&krate.name, &next)?.is_none() {
            break;
        }
        next = crate::release::next_version(&next);
    }
    let file = cx
        .head_ws
        .member(&krate.name)
        .filter(|m| m.version_inherited)
        .map(|_| format!("{} [workspace.package]", cx.root_manifest))
        .unwrap_or_else(|| krate.manifest.clone());
    Ok(format!(
        "bump {} to {next} (`version` in {file})",
        krate.name
    ))
}
