//! Command-line definitions, in cargo's subcommand pattern: cargo runs
//! `cargo-security-release security-release <args>`; run directly, the
//! binary accepts the same arguments without the `security-release` word.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::render::Format;

/// `--format`: how the report is written. `advisory` writes documents
/// instead of a report, so it takes `markdown` (its default) and its own
/// `rustsec`, `osv` and `ghsa`; the report commands take `human`, `json`
/// and `markdown`. One flag keeps `advisory --format rustsec` as the issue
/// and the README spell it, with no second format flag to explain.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutputFormat {
    /// Cargo-like status lines (advisory: Markdown)
    Human,
    /// The report as JSON (advisory: use osv or ghsa)
    Json,
    /// Markdown, for an advisory discussion or a PR
    Markdown,
    /// advisory only: a RustSec advisory-db file
    Rustsec,
    /// advisory only: an OSV record (JSON)
    Osv,
    /// advisory only: the body of GitHub's create-advisory request (JSON)
    Ghsa,
}

impl OutputFormat {
    pub fn name(self) -> &'static str {
        match self {
            OutputFormat::Human => "human",
            OutputFormat::Json => "json",
            OutputFormat::Markdown => "markdown",
            OutputFormat::Rustsec => "rustsec",
            OutputFormat::Osv => "osv",
            OutputFormat::Ghsa => "ghsa",
        }
    }

    /// The report format of `check`, `backport` and `verify-published`.
    pub fn report_format(self, command: &str) -> anyhow::Result<Format> {
        match self {
            OutputFormat::Human => Ok(Format::Human),
            OutputFormat::Json => Ok(Format::Json),
            OutputFormat::Markdown => Ok(Format::Markdown),
            other => anyhow::bail!(
                "--format {} is a format of `advisory`; `{command}` writes its report as human, json or markdown",
                other.name()
            ),
        }
    }

    /// Output meant for programs: no progress lines, even on a terminal.
    pub fn is_machine(self) -> bool {
        matches!(
            self,
            OutputFormat::Json | OutputFormat::Rustsec | OutputFormat::Osv | OutputFormat::Ghsa
        )
    }
}

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
    /// Output format: human, json or markdown; for `advisory` markdown, rustsec, osv or ghsa
    #[arg(long, value_enum, default_value_t = OutputFormat::Human, global = true, hide_possible_values = true)]
    pub format: OutputFormat,
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
    /// replaces the configured `branches`)
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
    /// Draft the security advisory: RustSec file, OSV, GitHub request or Markdown
    Advisory(Box<AdvisoryArgs>),
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
    /// It is release day: an external crate version the fix needs that is not
    /// published yet fails the `dependencies` row (otherwise a warning)
    #[arg(long)]
    pub release_day: bool,
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
    /// On a conflict, leave the conflicted cherry-pick in a worktree under the target dir
    #[arg(long)]
    pub worktree: bool,
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
    /// On LINE, the fix is RANGE (`REV` or `FROM..TO`): for a backport rewritten
    /// beyond recognition (repeatable; replaces the configured `backports`)
    #[arg(long = "backport", value_name = "LINE=RANGE")]
    pub backports: Vec<String>,
}

/// `advisory`: every key of `[workspace.metadata.security-release.advisory]`
/// is also a flag here; a flag replaces the configured value (a repeated
/// flag replaces the configured list).
#[derive(Args, Debug, Clone, Default)]
pub struct AdvisoryArgs {
    /// BASE of the fix (default: merge-base of HEAD with the main branch)
    #[arg(long, value_name = "REV")]
    pub base: Option<String>,
    /// Write the advisory to FILE instead of stdout
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The crate to draft the advisory for (repeatable; default: every
    /// publishable crate the fix modified)
    #[arg(long = "crate", value_name = "NAME")]
    pub crates: Vec<String>,
    /// The commit that introduced the flaw (default: proposed by blaming
    /// the lines the fix changed)
    #[arg(long, value_name = "REV")]
    pub introduced: Option<String>,
    /// An affected function, `crate_name::path::to::function` (repeatable)
    #[arg(long = "function", value_name = "PATH")]
    pub functions: Vec<String>,
    /// An operating system the flaw is limited to, as RustSec names it (repeatable)
    #[arg(long, value_name = "OS")]
    pub os: Vec<String>,
    /// A CPU architecture the flaw is limited to, as RustSec names it (repeatable)
    #[arg(long, value_name = "ARCH")]
    pub arch: Vec<String>,
    /// CVSS 3.1 or 4.0 vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    #[arg(long, value_name = "VECTOR")]
    pub cvss: Option<String>,
    /// RustSec id (default: the RUSTSEC-0000-0000 placeholder)
    #[arg(long, value_name = "RUSTSEC-ID")]
    pub id: Option<String>,
    /// GitHub advisory id, an alias
    #[arg(long, value_name = "GHSA-ID")]
    pub ghsa: Option<String>,
    /// CVE id, an alias
    #[arg(long, value_name = "CVE-ID")]
    pub cve: Option<String>,
    /// One-line title
    #[arg(long, value_name = "TEXT")]
    pub title: Option<String>,
    /// A Markdown file with the description
    #[arg(long, value_name = "FILE")]
    pub description: Option<PathBuf>,
    /// A keyword (repeatable)
    #[arg(long = "keyword", value_name = "WORD")]
    pub keywords: Vec<String>,
    /// A RustSec category, e.g. memory-corruption (repeatable)
    #[arg(long = "category", value_name = "CATEGORY")]
    pub categories: Vec<String>,
    /// The URL of the report, fix or announcement (an issue, PR or commit)
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Another reference URL (repeatable)
    #[arg(long = "reference", value_name = "URL")]
    pub references: Vec<String>,
    /// The advisory's date (default: today, UTC)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: Option<String>,
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
