//! The checks of `check`, one file each, named as their id in the report
//! (`temporary_patches.rs` ↔ `temporary-patches`). A check reads the
//! `Context` and returns a `CheckResult`; it never prints and never exits.
//! Adding a check is adding a file and one line in `ALL`.

use anyhow::Result;

use crate::context::Context;
use crate::report::CheckResult;

pub mod changelog;
pub mod ci;
pub mod clean_tree;
pub mod commits;
pub mod dependencies;
pub mod dependency_specs;
pub mod doc_versions;
pub mod embargo;
pub mod lockfile;
pub mod manual;
pub mod semver;
pub mod temporary_patches;
pub mod version_bump;

pub struct CheckDef {
    pub id: &'static str,
    pub run: fn(&Context) -> Result<CheckResult>,
}

/// Every check, in report order.
pub const ALL: &[CheckDef] = &[
    clean_tree::CHECK,
    ci::CHECK,
    semver::CHECK,
    version_bump::CHECK,
    dependency_specs::CHECK,
    dependencies::CHECK,
    doc_versions::CHECK,
    lockfile::CHECK,
    temporary_patches::CHECK,
    changelog::CHECK,
    commits::CHECK,
    embargo::CHECK,
    manual::CHECK,
];

pub fn ids() -> Vec<&'static str> {
    ALL.iter().map(|c| c.id).collect()
}
