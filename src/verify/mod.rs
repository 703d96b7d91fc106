//! The rows of `verify-published`, one file each, named as their id in the
//! report (`superproject.rs` ↔ `superproject`): did the release land where
//! it should? A row reads the `Verification` (the context and the `Plan` of
//! what to verify) and returns a `CheckResult`; it never prints and never
//! exits. Adding a row is adding a file and one line in `ALL`.

pub mod branches;
pub mod dependencies;
pub mod plan;
pub mod registry;
pub mod superproject;
pub mod tag;
pub mod versions;

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Result;

use crate::context::Context;
use crate::report::CheckResult;
pub use plan::{Expected, LeftOut, LineUnderTest, Plan, required_commits};
pub use superproject::Superproject;
pub use tag::TagRules;

/// Everything a row reads.
pub struct Verification<'a> {
    pub cx: &'a Context,
    pub plan: Plan,
    pub tags: TagRules,
    pub options: Options,
}

/// Flags of `verify-published` that change how a row runs.
#[derive(Default)]
pub struct Options {
    /// `--wait SECS`: poll the index until every expected version is there.
    pub wait: Option<Duration>,
    /// `--verify-contents`: compare index checksums with `cargo package`.
    pub verify_contents: bool,
    /// `--superproject PATH --submodule PATH`.
    pub superproject: Option<Superproject>,
}

pub struct RowDef {
    pub id: &'static str,
    pub run: fn(&Verification<'_>) -> Result<CheckResult>,
}

/// Every row, in report order.
pub const ALL: &[RowDef] = &[
    registry::ROW,
    tag::ROW,
    versions::ROW,
    branches::ROW,
    dependencies::ROW,
    superproject::ROW,
];

impl Verification<'_> {
    /// The line an expected version comes from, by name.
    pub fn line_of(&self, e: &Expected) -> Option<&LineUnderTest> {
        e.line.and_then(|i| self.plan.lines.get(i))
    }

    /// "cargo-util@0.2.6 (stable)".
    pub fn describe(&self, e: &Expected) -> String {
        match self.line_of(e) {
            Some(l) => format!("{} ({})", e.id(), l.name),
            None => e.id(),
        }
    }
}

/// Where `verify-published` keeps its scratch files.
pub fn scratch_dir(cx: &Context) -> PathBuf {
    cx.target_dir.join("security-release").join("registry")
}
