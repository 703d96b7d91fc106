//! Macros of ferrite (fixture).

pub const MACROS: &str = "ferrite-macros";
