//! `commits`: the fix's commit messages are release-ready. They land on
//! public branches verbatim, so a `fixup!`, a `WIP` or a merge of the
//! private fork's history must be cleaned up before the embargo lifts.

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::git::CommitInfo;
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, count_with_verb};

pub const CHECK: CheckDef = CheckDef { id: "commits", run };

/// Longest subject line git tooling shows without truncation.
pub const MAX_SUBJECT: usize = 72;

fn run(cx: &Context) -> Result<CheckResult> {
    if cx.fix.is_empty() {
        return Ok(CheckResult::fail(CHECK.id, "BASE..HEAD has no commits"));
    }
    let findings: Vec<Detail> = cx.fix.iter().flat_map(lint).collect();
    let total = cx.fix.len();
    let result = CheckResult::from_findings(
        CHECK.id,
        findings,
        format!(
            "{} release-ready",
            count_with_verb(total, "commit message", "is", "are")
        ),
        |f| {
            let failing = f.iter().filter(|d| d.status == Some(Status::Fail)).count();
            let warned = f.len() - failing;
            match (failing, warned) {
                (0, w) => format!(
                    "{} worth fixing in {}",
                    count(w, "commit message issue"),
                    count(total, "commit")
                ),
                (n, _) => format!("{} must be rewritten before release", count(n, "commit")),
            }
        },
    );
    Ok(if result.status == Status::Pass {
        result
    } else {
        result.hint(format!(
            "rewrite the fix with `git rebase -i --autosquash {}`: squash fixups, drop merges, \
             reword subjects to ≤ {MAX_SUBJECT} chars and add a body that says why",
            crate::git::short(cx.base.commit)
        ))
    })
}

/// The problems of one commit message, each a `Detail` naming the commit.
pub fn lint(commit: &CommitInfo) -> Vec<Detail> {
    let mut out = Vec::new();
    let id = commit.short_id();
    let subject = commit.summary.trim();
    let mut push = |status: Status, message: String| {
        out.push(
            Detail::new(format!("{id} {message}"))
                .status(status)
                .commit(commit.id.to_string()),
        );
    };
    if commit.parent_count > 1 {
        push(Status::Fail, format!("is a merge commit (\"{subject}\")"));
    }
    let lower = subject.to_ascii_lowercase();
    for prefix in ["fixup!", "squash!", "amend!"] {
        if lower.starts_with(prefix) {
            push(
                Status::Fail,
                format!("is a `{prefix}` commit (\"{subject}\")"),
            );
        }
    }
    if is_wip(&lower) {
        push(
            Status::Fail,
            format!("is marked work in progress (\"{subject}\")"),
        );
    }
    if subject.is_empty() {
        push(Status::Fail, "has an empty subject".to_string());
    }
    let len = subject.chars().count();
    if len > MAX_SUBJECT {
        push(
            Status::Warn,
            format!("subject is {len} chars (≤ {MAX_SUBJECT}): \"{subject}\""),
        );
    }
    let rewritten = commit.parent_count > 1
        || ["fixup!", "squash!", "amend!"]
            .iter()
            .any(|p| lower.starts_with(p))
        || is_wip(&lower);
    if !rewritten && body(&commit.message).is_empty() {
        push(
            Status::Warn,
            format!("has no body saying why (\"{subject}\")"),
        );
    }
    out
}

fn is_wip(lower_subject: &str) -> bool {
    let first = lower_subject
        .split(|c: char| !c.is_ascii_alphanumeric())
        .find(|w| !w.is_empty())
        .unwrap_or("");
    first == "wip" || lower_subject.starts_with("[wip]") || lower_subject == "tmp"
}

/// The message without its subject and without trailers (`Signed-off-by:` …).
fn body(message: &str) -> String {
    let mut lines = message.lines();
    lines.next();
    lines
        .filter(|l| !is_trailer(l))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string()
}

fn is_trailer(line: &str) -> bool {
    let line = line.trim();
    if line.starts_with("(cherry picked from commit") {
        return true;
    }
    match line.split_once(": ") {
        Some((key, _)) => {
            !key.is_empty() && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::git::Oid;

    fn commit(message: &str, parents: usize) -> CommitInfo {
        CommitInfo {
            id: Oid::zero(),
            summary: message.lines().next().unwrap_or("").to_string(),
            message: message.to_string(),
            author: "A <a@example.com>".to_string(),
            parent_count: parents,
        }
    }

    fn statuses(message: &str, parents: usize) -> Vec<Status> {
        lint(&commit(message, parents))
            .into_iter()
            .filter_map(|d| d.status)
            .collect()
    }

    #[test]
    fn good_message_passes() {
        assert!(
            statuses(
                "Fix path traversal\n\nThe tar unpacker followed symlinks.",
                1
            )
            .is_empty()
        );
    }

    #[test]
    fn flags_each_problem() {
        assert_eq!(statuses("fixup! Fix it\n\nbody", 1), [Status::Fail]);
        assert_eq!(statuses("WIP: fix\n\nbody", 1), [Status::Fail]);
        assert_eq!(statuses("Wipe caches\n\nbody", 1), Vec::<Status>::new());
        assert_eq!(statuses("Merge branch 'x'", 2), [Status::Fail]);
        assert_eq!(
            statuses("Fix it\n\nSigned-off-by: A <a@b>", 1),
            [Status::Warn]
        );
        let long = format!("{}\n\nbody", "x".repeat(73));
        assert_eq!(statuses(&long, 1), [Status::Warn]);
    }
}
