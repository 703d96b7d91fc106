//! `versions`: each line that carries the fix ships it in a version above
//! the line's last release made before the fix — a line that got the fix
//! but still has the version of an earlier release has not released it.
//! The main branch is held only to the release tags it made after the fix.

use anyhow::Result;

use super::{LineUnderTest, RowDef, Verification};
use crate::release::shipped::{CrateOnLine, Shipped};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;

pub const ROW: RowDef = RowDef {
    id: "versions",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    if v.plan.lines.is_empty() {
        return Ok(CheckResult::skip(
            ROW.id,
            "no main branch or release line to look at",
        ));
    }
    let mut findings = Vec::new();
    for line in &v.plan.lines {
        findings.extend(judge_line(v, line));
    }
    let result =
        CheckResult::from_findings(ROW.id, findings, "", |f| {
            let of = |s: Status| f.iter().filter(|d| d.status == Some(s)).count();
            match (of(Status::Fail), of(Status::Error), of(Status::Warn)) {
            (0, 0, 0) => {
                "every line that carries the fix ships it in a new version, or has not released yet"
                    .to_string()
            }
            (0, 0, w) => format!(
                "{} could not be told apart from a release before the fix",
                count(w, "line version")
            ),
            (0, e, _) => format!("{} could not be verified", count(e, "line version")),
            (bad, _, _) => format!(
                "{} on lines with the fix {} from before the fix",
                count(bad, "crate version"),
                if bad == 1 { "is a release" } else { "are releases" }
            ),
        }
        });
    Ok(result.hint_on_fail(
        "bump each listed crate on its line (`cargo security-release backport` writes the bump commit), \
         tag the release commit, and publish it",
    ))
}

fn judge_line(v: &Verification<'_>, line: &LineUnderTest) -> Vec<Detail> {
    let at = |d: Detail| d.reference(&line.name);
    if line.tip.is_none() {
        return Vec::new(); // `branches` says it does not exist
    }
    if v.plan.required.is_empty() {
        return vec![at(Detail::new(format!(
            "not checked on `{}`: the fix has no commit to look for (see `branches`)",
            line.name
        ))
        .status(Status::Warn))];
    }
    if !line.has_fix() {
        return vec![at(Detail::new(format!(
            "not checked on `{}`: the fix is not wholly there (see `branches`)",
            line.name
        ))
        .status(Status::Warn))];
    }
    if line.before.is_none() {
        return vec![at(Detail::new(format!(
            "cannot tell where the fix arrived on `{}`: every commit of its first-parent history has part of it",
            line.name
        ))
        .status(Status::Warn))];
    }
    if line.is_main {
        if line.crates.is_empty() {
            return vec![at(Detail::new(format!(
                "`{}` made no release tag after the fix: nothing is expected from it \
                 (a version bump there is not a release of the fix; name one with --crate NAME@VERSION)",
                line.name
            )))];
        }
        return line
            .crates
            .iter()
            .map(|c| at(judge_crate(v, line, c)))
            .collect();
    }
    if line.crates.is_empty() {
        return vec![at(Detail::new(format!(
            "`{}` ships nothing new because of the fix: it changes no publishable crate there",
            line.name
        )))];
    }
    line.crates
        .iter()
        .map(|c| at(judge_crate(v, line, c)))
        .collect()
}

fn judge_crate(v: &Verification<'_>, line: &LineUnderTest, c: &CrateOnLine) -> Detail {
    let (name, version, l) = (&c.name, &c.version, &line.name);
    let (status, message) = match &c.shipped {
        Shipped::ReleasedAfterFix { tag } if line.is_main => (
            Status::Pass,
            format!("`{l}` released {name} {version} after the fix (tag `{tag}`)"),
        ),
        Shipped::ReleasedAfterFix { tag } => (
            Status::Pass,
            format!("{name} {version} on `{l}` is the release made after the fix (tag `{tag}`)"),
        ),
        Shipped::BumpedWithFix => (
            Status::Pass,
            match &c.before {
                Some(b) => format!("{name} on `{l}` went from {b} to {version} with the fix"),
                None => format!("{name} {version} on `{l}` is new with the fix"),
            },
        ),
        Shipped::PreFixRelease { tag } => (
            Status::Fail,
            format!(
                "the fix is on {l} but its version {version} is the release from before the fix \
                 ({name} {version} is released as tag `{tag}`, which lacks the fix)"
            ),
        ),
        Shipped::BelowPreFix { tag, released } => (
            Status::Fail,
            format!(
                "the fix is on {l} but its version {version} of {name} is below {released}, \
                 released before the fix as tag `{tag}`"
            ),
        ),
        Shipped::NotYetReleased { registry } => (
            Status::Pass,
            format!(
                "{name} {version} on `{l}` has not been released yet ({registry} does not have it): \
                 its first release will carry the fix"
            ),
        ),
        Shipped::PublishedUntagged { registry } => (
            Status::Warn,
            format!(
                "{name} {version} on `{l}` was already the version before the fix arrived and {registry} has it; \
                 no release tag says whether it was published before or after the fix (if before, `{l}` has not released the fix)"
            ),
        ),
        Shipped::Unknown { why } => (
            Status::Warn,
            format!(
                "{name} {version} on `{l}` was already the version before the fix arrived; \
                 whether that is a release from before the fix is unknown: {why}"
            ),
        ),
        Shipped::Unanswered { error } => (
            Status::Error,
            format!(
                "{name} {version} on `{l}` was already the version before the fix arrived;                  could not ask its registry whether it was released: {error}"
            ),
        ),
    };
    let mut d = Detail::new(message).status(status).krate(name);
    if let Some(m) =
        v.cx.head_ws
            .member(name)
            .map(|m| m.manifest.clone())
            .filter(|_| status == Status::Fail)
    {
        d = d.file(m);
    }
    d
}
