//! `dependencies`: the release is not out while an external crate version
//! the fix requires (an embargoed dependency released the same day) is
//! still unpublished. Same lookup as `check`'s `dependencies` row; here an
//! unpublished version fails.

use anyhow::Result;

use super::{RowDef, Verification};
use crate::checks::dependencies::evaluate;
use crate::report::{CheckResult, Status};

pub const ROW: RowDef = RowDef {
    id: "dependencies",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    evaluate(v.cx, ROW.id, Status::Fail)
}
