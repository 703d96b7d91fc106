//! `affected`: branches that look like release lines but are not among the
//! lines being released (end-of-life lines) and still carry the vulnerable
//! code are named, so that the advisory can say "affected, not patched"
//! rather than forget them.

use anyhow::Result;

use super::{RowDef, Verification};
use crate::release::affected::{Exposure, other_lines};
use crate::report::{CheckResult, Detail, Status};

pub const ROW: RowDef = RowDef {
    id: "affected",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    let cx = v.cx;
    let targeted: Vec<&str> = v.plan.lines.iter().map(|l| l.name.as_str()).collect();
    // The same answer `advisory` gives for lines nobody targets.
    let others = other_lines(
        &cx.releases,
        &cx.repo,
        &v.plan.required,
        cx.base.commit,
        cx.head.commit,
        &targeted,
    )?;
    if others.is_empty() {
        return Ok(CheckResult::pass(
            ROW.id,
            "no branch besides the release lines looks like a release line",
        ));
    }
    let mut findings = Vec::new();
    for other in others {
        let name = &other.line.name;
        let newest = other
            .newest_tag
            .as_ref()
            .map(|t| format!(", newest release `{t}`"))
            .unwrap_or_default();
        let d = match other.exposure {
            None => Detail::new(format!(
                "`{name}` is not among the release lines but has the fix"
            ))
            .status(Status::Pass),
            Some(Exposure::Lacks) => {
                Detail::new(format!("`{name}` does not carry the vulnerable code"))
                    .status(Status::Pass)
            }
            Some(Exposure::Unknown) => Detail::new(format!(
                "cannot tell whether `{name}`{newest} carries the vulnerable code: \
                 the fix changes no code line to look for"
            ))
            .status(Status::Warn),
            Some(Exposure::Carries { file }) => Detail::new(format!(
                "`{name}`{newest} carries the vulnerable code ({file}) and is not among the release lines: \
                 affected, not patched"
            ))
            .status(Status::Warn)
            .file(file),
        };
        findings.push(d.reference(name));
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
            "say in the advisory that these lines are affected and not patched (`advisory` lists them), \
             or add them to `branches` and backport",
        ),
        _ => result,
    })
}
