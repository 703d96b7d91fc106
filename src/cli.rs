//! Command-line definitions, in cargo's subcommand pattern: cargo runs
//! `cargo-security-release security-release <args>`; run directly, the
//! binary accepts the same arguments without the `security-release` word.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

#[derive(Parser, Debug)]
#[command(name = "cargo", bin_name = "cargo", styles = clap_cargo::style::CLAP_STYLING)]
pub enum CargoCli {
    SecurityRelease(Cli),
}

/// Prepare and verify security releases across release branches
#[derive(Args, Debug)]
#[command(version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(flatten)]
    pub config: ConfigArgs,
}

#[derive(Args, Debug, Clone)]
pub struct GlobalArgs {
    /// Path to Cargo.toml of the workspace (default: found from the current directory)
    #[arg(long, value_name = "PATH", global = true)]
    pub manifest_path: Option<PathBuf>,
    /// Coloring
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto, global = true)]
    pub color: ColorChoice,
    /// Output format of the report
    #[arg(long, value_enum, default_value_t = Format::Human, global = true)]
    pub format: Format,
    /// Use verbose output (-vv very verbose)
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Do not print progress
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Run without accessing the network (cargo runs with --offline)
    #[arg(long, global = true)]
    pub offline: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Every key of `[workspace.metadata.security-release]` as a flag; a flag
/// replaces the configured value.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Configuration (overrides Cargo.toml metadata)")]
pub struct ConfigArgs {
    /// The main development branch (default: master or main)
    #[arg(long, value_name = "BRANCH", global = true)]
    pub main_branch: Option<String>,
    /// The stable release branch
    #[arg(long, value_name = "BRANCH", global = true)]
    pub stable: Option<String>,
    /// The beta release branch
    #[arg(long, value_name = "BRANCH", global = true)]
    pub beta: Option<String>,
    /// Prefix of the branches `backport` creates
    #[arg(long, value_name = "PREFIX", global = true)]
    pub backport_prefix: Option<String>,
    /// A CI command (repeatable; replaces the configured list)
    #[arg(long = "ci", value_name = "COMMAND", global = true)]
    pub ci: Vec<String>,
    /// Path of the changelog, relative to the workspace root (repeatable)
    #[arg(long, value_name = "PATH", global = true)]
    pub changelog: Vec<String>,
    /// Advisory id the changelog must name (GHSA-…, CVE-…, RUSTSEC-…)
    #[arg(long, value_name = "ID", global = true)]
    pub advisory: Option<String>,
    /// Release tag format, e.g. `{version}`, `v{version}`, `{crate}-{version}` (repeatable)
    #[arg(long, value_name = "FORMAT", global = true)]
    pub tag_format: Vec<String>,
    /// A remote whose branches are public (repeatable; replaces the URL heuristic)
    #[arg(long = "public-remote", value_name = "REMOTE", global = true)]
    pub public_remotes: Vec<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check that the fix (BASE..HEAD) is ready to release
    Check(CheckArgs),
    /// Build the stable and beta backport branches
    Backport(BackportArgs),
    /// After the release: check the registry, tags, branches and superproject
    VerifyPublished(VerifyPublishedArgs),
}

#[derive(Args, Debug, Clone, Default)]
pub struct CheckArgs {
    /// BASE of the fix (default: merge-base of HEAD with the main branch)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Do not run this check (repeatable); the row shows `skip`
    #[arg(long, value_name = "CHECK-ID")]
    pub skip: Vec<String>,
}

#[derive(Args, Debug, Clone, Default)]
pub struct BackportArgs {
    /// BASE of the fix (default: merge-base of HEAD with the main branch)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Another target branch (repeatable), besides --stable and --beta
    #[arg(long, value_name = "BRANCH")]
    pub onto: Vec<String>,
    /// Replace an existing backport branch (compare-and-swap)
    #[arg(long)]
    pub force: bool,
    /// Print the plan; write no branch, commit or object
    #[arg(long)]
    pub dry_run: bool,
    /// Run `check` on each created branch in a temporary worktree
    #[arg(long)]
    pub verify: bool,
    /// On a conflict, leave the conflicted cherry-pick in a worktree under the target dir
    #[arg(long)]
    pub worktree: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct VerifyPublishedArgs {}

/// Parses the process arguments, accepting both `cargo security-release …`
/// and a direct `cargo-security-release …`.
pub fn parse_args() -> Cli {
    let mut args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if args.get(1).is_none_or(|a| a != "security-release") {
        args.insert(1, "security-release".into());
    }
    let CargoCli::SecurityRelease(cli) = CargoCli::parse_from(args);
    cli
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        <super::CargoCli as clap::CommandFactory>::command().debug_assert();
    }
}
