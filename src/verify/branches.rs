//! `branches`: every fix commit is on the main branch and on each release
//! line, as `presence` finds it; each detail says which matcher matched,
//! and a match a human should confirm (rewritten, combined squash) warns.

use anyhow::Result;

use super::{RowDef, Verification};
use crate::git::short;
use crate::presence::{self, Fix};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;

pub const ROW: RowDef = RowDef {
    id: "branches",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    let plan = &v.plan;
    if plan.lines.is_empty() {
        return Ok(CheckResult::skip(
            ROW.id,
            "no main or release branch configured or found",
        ));
    }
    let mut findings = Vec::new();
    if plan.required.is_empty() {
        findings.push(
            Detail::new(
                "every commit of BASE..HEAD is a merge or only changes versions, Cargo.lock or changelogs: \
                 there is no fix commit to look for (is --base right?)",
            )
            .status(Status::Warn),
        );
    }
    for line in &plan.lines {
        if line.tip.is_none() {
            findings.push(
                Detail::new(format!(
                    "{} branch `{}` exists neither locally nor as `origin/{}`",
                    line.role, line.name, line.name
                ))
                .status(Status::Fail)
                .reference(&line.name),
            );
            continue;
        }
        if let Some(d) = &line.declaration {
            for c in &line.declared_missing {
                findings.push(
                    Detail::new(format!(
                        "{} (declared by {}) is not on `{}`: the declaration does not hold",
                        short(*c),
                        d.spec,
                        line.name
                    ))
                    .status(Status::Fail)
                    .reference(&line.name)
                    .commit(c.to_string()),
                );
            }
        }
        if !line.has_fix()
            && let Some(tip) = line.tip
        {
            let fix = Fix {
                base: v.cx.base.commit,
                head: v.cx.head.commit,
                commits: &plan.required,
            };
            for (on, named) in presence::foreign_trailers(&v.cx.repo, &fix, tip)? {
                findings.push(
                    Detail::new(format!(
                        "{} on `{}` says it was cherry picked from {named}, which this repository \
                         does not have (a private fork's commit?): if it is the fix, declare it \
                         with --backport {}={}",
                        short(on),
                        line.name,
                        line.name,
                        short(on)
                    ))
                    .reference(&line.name)
                    .commit(on.to_string()),
                );
            }
        }
        for (commit, how) in plan.required.iter().zip(&line.found) {
            let d = match how {
                Some(m) => Detail::new(format!(
                    "{} \"{}\" is on `{}` ({})",
                    commit.short_id(),
                    commit.summary,
                    line.name,
                    m.describe()
                ))
                .status(if m.is_certain() {
                    Status::Pass
                } else {
                    Status::Warn
                }),
                None => Detail::new(format!(
                    "{} \"{}\" is missing on {} branch `{}`",
                    commit.short_id(),
                    commit.summary,
                    line.role,
                    line.name
                ))
                .status(Status::Fail),
            };
            findings.push(d.reference(&line.name).commit(commit.id.to_string()));
        }
    }
    for left in &plan.left_out {
        findings.push(
            Detail::new(format!(
                "{} \"{}\" not required: {}",
                left.commit.short_id(),
                left.commit.summary,
                left.why
            ))
            .commit(left.commit.id.to_string()),
        );
    }
    let names = plan
        .lines
        .iter()
        .map(|l| format!("`{}`", l.name))
        .collect::<Vec<_>>()
        .join(", ");
    let total = plan.required.len();
    let result = CheckResult::from_findings(ROW.id, findings, "", |f| {
        let of = |s: Status| f.iter().filter(|d| d.status == Some(s)).count();
        match (of(Status::Fail), of(Status::Warn)) {
            (0, 0) => format!("all {} on {names}", count(total, "fix commit")),
            (0, w) => format!(
                "all {} on {names}; {} to confirm by hand",
                count(total, "fix commit"),
                count(w, "match")
            ),
            (missing, _) => format!(
                "{missing} missing {}",
                if missing == 1 {
                    "fix commit or branch"
                } else {
                    "fix commits or branches"
                }
            ),
        }
    });
    Ok(match result.status {
        Status::Fail => result.hint(
            "backport the missing commits (`cargo security-release backport`) and merge them; \
             a fix rewritten beyond recognition can be declared with --backport LINE=RANGE",
        ),
        Status::Warn => result.hint(
            "compare each match to confirm with the main commit (the diff stats are in the details); \
             --backport LINE=RANGE (or `backports` in the config) records the confirmation",
        ),
        _ => result,
    })
}
