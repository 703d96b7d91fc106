//! `cargo security-release`: prepare and verify a security release of a Rust
//! workspace across its main and release branches. The binary is a thin
//! wrapper; everything lives here so that tests and other tools can call it.

pub mod advisory;
pub mod backport;
pub mod backport_branches;
pub mod checks;
pub mod ci;
pub mod cli;
pub mod commands;
pub mod config;
pub mod context;
pub mod git;
pub mod interrupt;
pub mod lockfile;
pub mod manifest;
pub mod presence;
pub mod process;
pub mod registry;
pub mod release;
pub mod render;
pub mod report;
pub mod semver_checks;
pub mod shell;
pub mod text;
pub mod untrusted;
pub mod verify;
pub mod workspace;

pub use commands::run;
