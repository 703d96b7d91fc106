//! `manual`: the checklist items no tool can verify, listed so that nobody
//! forgets them. Always `manual`; Cargo's own items appear in Cargo's
//! repository, and projects add their own with the `manual` config key.

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
    "write the release notes where the project keeps them (changelog, release page, announcement)",
    "coordinate the disclosure date and the advisory text (GHSA / RUSTSEC) with the reporter and the security team",
    "review the backport branch of every maintained release line (`cargo security-release backport`) and its diff",
    "after release: `cargo security-release verify-published`",
];

/// Cargo's own items: it ships with Rust, from rust-lang/rust.
pub const CARGO: [&str; 2] = [
    "add the release notes entry to RELEASES.md in rust-lang/rust, for the stable and beta point releases",
    "after release: update rust-lang/rust's `src/tools/cargo` submodule on each branch (`verify-published --superproject`)",
];

fn run(cx: &Context) -> Result<CheckResult> {
    let cargo: &[&str] = if cx.releases.is_cargo() { &CARGO } else { &[] };
    let items: Vec<&str> = SEED
        .iter()
        .chain(cargo)
        .copied()
        .chain(cx.config.manual.iter().map(String::as_str))
        .collect();
    Ok(CheckResult::manual(
        CHECK.id,
        format!("{} for a human to confirm", count(items.len(), "item")),
    )
    .details(items.into_iter().map(Detail::new)))
}
