//! `affected`: branches that look like release lines but are not among the
//! lines being released (end-of-life lines) and still carry the vulnerable
//! code are named, so that the advisory can say "affected, not patched"
//! rather than forget them.

use anyhow::Result;

use super::{RowDef, Verification};
use crate::presence::{self, Fix};
use crate::release::affected::{Exposure, Footprint};
use crate::report::{CheckResult, Detail, Status};

pub const ROW: RowDef = RowDef {
    id: "affected",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    let cx = v.cx;
    let others: Vec<_> = cx
        .releases
        .others
        .iter()
        .filter(|l| !v.plan.lines.iter().any(|u| l.is(&u.name)))
        .collect();
    if others.is_empty() {
        return Ok(CheckResult::pass(
            ROW.id,
            "no branch besides the release lines looks like a release line",
        ));
    }
    let footprint = Footprint::of_fix(&cx.repo, cx.base.commit, cx.head.commit)?;
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &v.plan.required,
    };
    let mut findings = Vec::new();
    for line in others {
        let Some(tip) = line.tip.as_ref().map(|t| t.commit) else {
            continue;
        };
        let d = match footprint.exposure(&cx.repo, tip)? {
            Exposure::Unknown => Detail::new(format!(
                "cannot tell whether `{}` carries the vulnerable code: the fix changes no code line to look for",
                line.name
            ))
            .status(Status::Warn),
            Exposure::Lacks => Detail::new(format!(
                "`{}` does not carry the vulnerable code",
                line.name
            ))
            .status(Status::Pass),
            Exposure::Carries { file } => {
                let found = presence::find_on(&cx.repo, &fix, tip)?;
                if !found.is_empty() && found.iter().all(Option::is_some) {
                    Detail::new(format!(
                        "`{}` is not among the release lines but has the fix",
                        line.name
                    ))
                    .status(Status::Pass)
                } else {
                    Detail::new(format!(
                        "`{}` carries the vulnerable code ({file}) and is not among the release lines: affected, not patched",
                        line.name
                    ))
                    .status(Status::Warn)
                    .file(file)
                }
            }
        };
        findings.push(d.reference(&line.name));
    }
    let result = CheckResult::from_findings(ROW.id, findings, "", |f| {
        let warned = f.iter().filter(|d| d.status == Some(Status::Warn)).count();
        if warned == 0 {
            "no other release line carries the vulnerable code".to_string()
        } else {
            format!("{warned} other release line(s) affected, not patched (or not known)")
        }
    });
    Ok(match result.status {
        Status::Warn => result.hint(
            "say in the advisory that these lines are affected and not patched, or add them to `branches` and backport",
        ),
        _ => result,
    })
}
