//! Macros of quill (fixture).

pub const DIALECT: &str = "quill";
