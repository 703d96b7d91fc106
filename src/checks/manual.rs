//! `manual`: the checklist items no tool can verify, listed so that nobody
//! forgets them. Always `manual`; projects add their own items with the
//! `manual` config key.

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::report::{CheckResult, Detail};
use crate::text::count;

pub const CHECK: CheckDef = CheckDef { id: "manual", run };

/// The items every embargoed release needs a human for.
pub const SEED: [&str; 6] = [
    "exercise the fix by hand against the reported exploit (a passing test suite is not proof the hole is closed)",
    "update code comments and documentation that describe the old behaviour",
    "add the release notes entry (for Cargo: RELEASES.md in rust-lang/rust, for the stable and beta point releases)",
    "coordinate the disclosure date and the advisory text (GHSA / RUSTSEC) with the security team",
    "prepare the stable and beta backport PRs (`cargo security-release backport`) and review their diffs",
    "after release: `cargo security-release verify-published`, then bump the superproject's submodule",
];

fn run(cx: &Context) -> Result<CheckResult> {
    let items: Vec<&str> = SEED
        .iter()
        .copied()
        .chain(cx.config.manual.iter().map(String::as_str))
        .collect();
    Ok(CheckResult::manual(
        CHECK.id,
        format!("{} for a human to confirm", count(items.len(), "item")),
    )
    .details(items.into_iter().map(Detail::new)))
}
