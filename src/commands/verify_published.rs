//! `verify-published`: after the release, checks the registry, the tags, the
//! fix on every branch, and a superproject's submodule.

use anyhow::{Result, bail};

use crate::cli::{ConfigArgs, GlobalArgs, VerifyPublishedArgs};
use crate::report::Report;

pub fn run(
    _global: &GlobalArgs,
    _flags: &ConfigArgs,
    _args: &VerifyPublishedArgs,
) -> Result<Report> {
    bail!("`verify-published` is not implemented yet")
}
