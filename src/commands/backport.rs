//! `backport`: builds the stable and beta backport branches in git's object
//! database.

use anyhow::{Result, bail};

use crate::cli::{BackportArgs, ConfigArgs, GlobalArgs};
use crate::report::Report;

pub fn run(_global: &GlobalArgs, _flags: &ConfigArgs, _args: &BackportArgs) -> Result<Report> {
    bail!("`backport` is not implemented yet")
}
