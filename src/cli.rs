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
    /// A release line to work on (repeatable; a glob like `rel-*` works;
    /// replaces the configured `branches`); `LINE=BRANCH`: the fix for LINE
    /// was written by hand on BRANCH (backport adopts it)
    #[arg(long, value_name = "BRANCH", global = true)]
    pub onto: Vec<String>,
    /// Whose requirements on a bumped crate are raised: `released`, `all` or `none`
    #[arg(long, value_name = "POLICY", value_parser = ["released", "all", "none"], global = true)]
    pub raise_dependents: Option<String>,
    /// A file that shows crate versions to users (repeatable; replaces the default READMEs)
    #[arg(long, value_name = "PATH", global = true)]
    pub version_file: Vec<String>,
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
    /// An extra item for the manual checklist (repeatable; replaces the configured list)
    #[arg(long = "manual", value_name = "TEXT", global = true)]
    pub manual: Vec<String>,
    /// Sparse registry index that says which versions are published (default: crates.io)
    #[arg(long, value_name = "URL", conflicts_with = "registry", global = true)]
    pub index: Option<String>,
    /// Registry from cargo's configuration ([registries.NAME] or CARGO_REGISTRIES_<NAME>_INDEX)
    #[arg(long, value_name = "NAME", global = true)]
    pub registry: Option<String>,
    /// Version bump policy of backport targets: `patch` or `none`
    #[arg(long, value_name = "POLICY", value_parser = ["patch", "none"], global = true)]
    pub bump: Option<String>,
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
    /// Run the CI commands even when a receipt says they passed on this tree
    #[arg(long)]
    pub rerun_ci: bool,
    /// Accept breaking changes in this crate without a major bump (repeatable)
    #[arg(long, value_name = "CRATE")]
    pub allow_breaking: Vec<String>,
    /// Also check this branch's tip in a temporary worktree (repeatable);
    /// `NAME:BASE` names the release line it was cut from
    #[arg(long = "branch", value_name = "NAME[:BASE]")]
    pub branches: Vec<String>,
    /// Check the fix and every configured release branch's backport branch that exists
    #[arg(long)]
    pub all: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct BackportArgs {
    /// BASE of the fix (default: merge-base of HEAD with the main branch)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Replace an existing backport branch (compare-and-swap)
    #[arg(long)]
    pub force: bool,
    /// Print the plan; write no branch, commit or object
    #[arg(long)]
    pub dry_run: bool,
    /// Run `check` on each created branch in a temporary worktree
    #[arg(long)]
    pub verify: bool,
    /// On a conflict, leave the conflicted pick in a worktree under the target dir
    #[arg(long)]
    pub worktree: bool,
    /// Finish a backport whose conflict was resolved in its worktree
    /// (run there, or name the target with --onto)
    #[arg(long = "continue", conflicts_with_all = ["abort", "dry_run", "strategy", "base"])]
    pub continue_: bool,
    /// Drop a backport waiting on a conflict: remove its worktree, write nothing
    #[arg(long, conflicts_with_all = ["dry_run", "strategy", "base", "force", "verify"])]
    pub abort: bool,
    /// How the fix reaches the lines: `cherry-pick` each commit (default), or
    /// `merge-forward` from the oldest line up
    #[arg(long, value_name = "STRATEGY", value_parser = ["cherry-pick", "merge-forward"])]
    pub strategy: Option<String>,
    /// Do not `cargo check` the written branches
    #[arg(long)]
    pub no_build: bool,
    /// Do not raise requirements on external crates the fix needs; fail the
    /// external-deps row instead
    #[arg(long)]
    pub no_align_deps: bool,
}

#[derive(Args, Debug, Clone, Default)]
pub struct VerifyPublishedArgs {
    /// BASE of the fix (default: merge-base of HEAD with the main branch;
    /// needed once the fix is merged into it)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// A crate version that must be published, `name@version` (repeatable;
    /// default: the versions the release changed on each branch)
    #[arg(long = "crate", value_name = "NAME@VERSION")]
    pub crates: Vec<String>,
    /// Poll the index until every version appears, for at most SECS seconds
    #[arg(long, value_name = "SECS")]
    pub wait: Option<u64>,
    /// Timeout of one index request, in seconds
    #[arg(long, value_name = "SECS", default_value_t = 20.0)]
    pub timeout: f64,
    /// Compare each index checksum with `cargo package` run on the release tag
    #[arg(long)]
    pub verify_contents: bool,
    /// A superproject that has this repository as a submodule (e.g. rust-lang/rust)
    #[arg(long, value_name = "PATH", requires = "submodule")]
    pub superproject: Option<PathBuf>,
    /// Path of the submodule inside the superproject (e.g. src/tools/cargo)
    #[arg(long, value_name = "PATH", requires = "superproject")]
    pub submodule: Option<String>,
    /// Superproject branch to check (repeatable; default: master, main, beta, stable that exist)
    #[arg(long = "superproject-branch", value_name = "BRANCH")]
    pub superproject_branches: Vec<String>,
}

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
