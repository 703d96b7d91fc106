//! Derives for mosaic (fixture).

pub const DERIVE: &str = "mosaic-derive";
