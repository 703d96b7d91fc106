//! `clean-tree`: what is checked is what is committed. Uncommitted or
//! untracked (not ignored) files would make every other row describe a tree
//! that nobody can push.

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::report::{CheckResult, Detail};
use crate::text::count;

pub const CHECK: CheckDef = CheckDef {
    id: "clean-tree",
    run,
};

const SHOWN: usize = 20;

fn run(cx: &Context) -> Result<CheckResult> {
    let dirty = cx.repo.uncommitted()?;
    if dirty.is_empty() {
        return Ok(CheckResult::pass(CHECK.id, "work tree is clean"));
    }
    let mut result = CheckResult::fail(
        CHECK.id,
        format!(
            "{} in the work tree",
            count(dirty.len(), "uncommitted change")
        ),
    )
    .details(
        dirty
            .iter()
            .take(SHOWN)
            .map(|d| Detail::new(format!("{}: {}", d.kind, d.path)).file(&d.path)),
    )
    .hint("commit or stash them (`git stash -u`), or add build outputs to .gitignore");
    if dirty.len() > SHOWN {
        result = result.detail(Detail::new(format!("… and {} more", dirty.len() - SHOWN)));
    }
    Ok(result)
}
