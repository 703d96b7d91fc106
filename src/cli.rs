//! Command-line definitions, in cargo's subcommand pattern: cargo runs
//! `cargo-security-release security-release <args>`; run directly, the
//! binary accepts the same arguments without the `security-release` word.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

use clap::{ArgMatches, Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};

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
}

impl Cli {
    /// The configuration flags given to the subcommand.
    pub fn config(&self) -> &ConfigArgs {
        match &self.command {
            Command::Check(a) => &a.config,
            Command::Backport(a) => &a.config,
            Command::VerifyPublished(a) => &a.config,
            Command::Advisory(a) => &a.config,
        }
    }
}

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Global options")]
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
    /// Timeout of one registry index request, in seconds
    #[arg(long, value_name = "SECS", value_parser = parse_limit, allow_negative_numbers = true, default_value = "20", global = true)]
    pub timeout: Duration,
}

/// The longest time limit or wait accepted: a week. Longer values are
/// almost certainly a mistake, and `Duration` arithmetic stays far from overflow.
pub const MAX_SECONDS: f64 = 7.0 * 24.0 * 3600.0;

/// A time limit in seconds (`--timeout`, `--ci-timeout`, …): at least a
/// millisecond and at most a week; fractions are allowed.
pub fn parse_limit(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(secs, false)
}

/// A wait in seconds (`--wait`): like a limit, but 0 (do not wait) is allowed.
pub fn parse_wait(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    seconds(secs, true)
}

/// Checks a number of seconds from a flag or the configuration.
pub fn seconds(secs: f64, zero_allowed: bool) -> Result<Duration, String> {
    let range = if zero_allowed {
        "from 0 to"
    } else {
        "from 0.001 to"
    };
    let lowest = if zero_allowed { 0.0 } else { 0.001 };
    let in_range = secs.is_finite() && secs <= MAX_SECONDS && secs >= lowest;
    if !in_range {
        return Err(format!(
            "out of range: seconds must be {range} {MAX_SECONDS} (a week)"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// Every key of `[workspace.metadata.security-release]` as a flag; a flag
/// replaces the configured value. Each subcommand shows (and accepts) only
/// the ones it uses: see `UNUSED_CONFIG_FLAGS`.
#[derive(Args, Debug, Clone, Default)]
#[command(next_help_heading = "Configuration (overrides Cargo.toml metadata)")]
pub struct ConfigArgs {
    /// The main development branch (default: master or main)
    #[arg(long, value_name = "BRANCH")]
    pub main_branch: Option<String>,
    /// The stable release branch
    #[arg(long, value_name = "BRANCH")]
    pub stable: Option<String>,
    /// The beta release branch
    #[arg(long, value_name = "BRANCH")]
    pub beta: Option<String>,
    /// A release line to work on (repeatable; a glob like `rel-*` works;
    /// replaces the configured `branches`); `LINE=BRANCH`: the fix for LINE
    /// was written by hand on BRANCH (backport adopts it)
    #[arg(long, value_name = "BRANCH")]
    pub onto: Vec<String>,
    /// Whose requirements on a bumped crate are raised: `released`, `all` or `none`
    #[arg(long, value_name = "POLICY", value_parser = ["released", "all", "none"])]
    pub raise_dependents: Option<String>,
    /// A file that shows crate versions to users (repeatable; replaces the default READMEs)
    #[arg(long, value_name = "PATH")]
    pub version_file: Vec<String>,
    /// Prefix of the branches `backport` creates
    #[arg(long, value_name = "PREFIX")]
    pub backport_prefix: Option<String>,
    /// A CI command (repeatable; replaces the configured list)
    #[arg(long = "ci", value_name = "COMMAND")]
    pub ci: Vec<String>,
    /// Path of the changelog, relative to the workspace root (repeatable)
    #[arg(long, value_name = "PATH")]
    pub changelog: Vec<String>,
    /// Advisory id the changelog must name (GHSA-…, CVE-…, RUSTSEC-…)
    #[arg(long, value_name = "ID")]
    pub advisory: Option<String>,
    /// Release tag format, e.g. `{version}`, `v{version}`, `{crate}-{version}` (repeatable)
    #[arg(long, value_name = "FORMAT")]
    pub tag_format: Vec<String>,
    /// A remote whose branches are public (repeatable; replaces the URL heuristic)
    #[arg(long = "public-remote", value_name = "REMOTE")]
    pub public_remotes: Vec<String>,
    /// An extra item for the manual checklist (repeatable; replaces the configured list)
    #[arg(long = "manual", value_name = "TEXT")]
    pub manual: Vec<String>,
    /// Sparse registry index that says which versions are published (default: crates.io)
    #[arg(long, value_name = "URL", conflicts_with = "registry")]
    pub index: Option<String>,
    /// Registry from cargo's configuration ([registries.NAME] or CARGO_REGISTRIES_<NAME>_INDEX)
    #[arg(long, value_name = "NAME")]
    pub registry: Option<String>,
    /// Version bump policy of backport targets: `patch` or `none`
    #[arg(long, value_name = "POLICY", value_parser = ["patch", "none"])]
    pub bump: Option<String>,
    /// Time limit of each CI command, in seconds (default: 3600)
    #[arg(long, value_name = "SECS", value_parser = parse_limit, allow_negative_numbers = true)]
    pub ci_timeout: Option<Duration>,
    /// Time limit of cargo-semver-checks, in seconds (default: 1800)
    #[arg(long, value_name = "SECS", value_parser = parse_limit, allow_negative_numbers = true)]
    pub semver_timeout: Option<Duration>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check that the fix (BASE..HEAD) is ready to release
    #[command(
        after_help = "Example:\n  cargo security-release check --all --ci 'cargo test --locked'"
    )]
    Check(CheckArgs),
    /// Build the stable and beta backport branches
    #[command(
        after_help = "Example:\n  cargo security-release backport --stable rust-1.71.0 --beta rust-1.72.0 --dry-run"
    )]
    Backport(BackportArgs),
    /// After the release: check the registry, tags, branches and superproject
    #[command(
        after_help = "Example:\n  cargo security-release verify-published --base v0.73.0 --wait 600"
    )]
    VerifyPublished(VerifyPublishedArgs),
    /// Draft the security advisory: RustSec file, OSV, GitHub request or Markdown
    #[command(
        after_help = "Example:\n  cargo security-release advisory --format rustsec --crate cargo-util --cvss CVSS:3.1/AV:N/AC:L/PR:N/UI:R/S:U/C:N/I:H/A:N"
    )]
    Advisory(Box<AdvisoryArgs>),
}

/// Configuration flags a subcommand does not use: hidden from its help and
/// refused when given. (`backport --verify` runs `check`, so backport uses all.)
const UNUSED_CONFIG_FLAGS: &[(&str, &[&str])] = &[
    ("check", &["bump"]),
    (
        "verify-published",
        &[
            "backport_prefix",
            "ci",
            "changelog",
            "advisory",
            "public_remotes",
            "manual",
            "bump",
            "raise_dependents",
            "version_file",
            "ci_timeout",
            "semver_timeout",
        ],
    ),
    (
        "advisory",
        &[
            "ci",
            "changelog",
            "public_remotes",
            "manual",
            "index",
            "registry",
            "bump",
            "raise_dependents",
            "version_file",
            "ci_timeout",
            "semver_timeout",
        ],
    ),
];

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
    /// `NAME:LINE` names the release line it was cut from
    #[arg(long = "branch", value_name = "NAME[:LINE]")]
    pub branches: Vec<String>,
    /// Check the fix and every configured release branch's backport branch that exists
    #[arg(long)]
    pub all: bool,
    /// It is release day: an external crate version the fix needs that is not
    /// published yet fails the `dependencies` row (otherwise a warning)
    #[arg(long)]
    pub release_day: bool,
    #[command(flatten)]
    pub config: ConfigArgs,
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
    #[command(flatten)]
    pub config: ConfigArgs,
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
    #[arg(long, value_name = "SECS", value_parser = parse_wait, allow_negative_numbers = true)]
    pub wait: Option<Duration>,
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
    #[command(flatten)]
    pub config: ConfigArgs,
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
    /// On LINE, the fix is RANGE (`REV` or `FROM..TO`): for a backport
    /// rewritten beyond recognition (repeatable; replaces the configured
    /// `backports`)
    #[arg(long = "backport", value_name = "LINE=RANGE")]
    pub backports: Vec<String>,
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
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Parses the process arguments, accepting both `cargo security-release …`
/// and a direct `cargo-security-release …`.
pub fn parse_args() -> Result<Cli, clap::Error> {
    parse_from(std::env::args_os())
}

pub fn parse_from(args: impl IntoIterator<Item = OsString>) -> Result<Cli, clap::Error> {
    let mut args: Vec<OsString> = args.into_iter().collect();
    if args.get(1).is_none_or(|a| a != "security-release") {
        args.insert(1, "security-release".into());
    }
    let mut command = command();
    let matches = command.try_get_matches_from_mut(args)?;
    refuse_unused(&mut command, &matches)?;
    let CargoCli::SecurityRelease(cli) = CargoCli::from_arg_matches(&matches)?;
    Ok(cli)
}

/// The clap command, with each subcommand's unused configuration flags
/// hidden and the check ids listed under `--skip`.
pub fn command() -> clap::Command {
    CargoCli::command().mut_subcommand("security-release", |sr| {
        let mut sr = sr.mut_subcommand("check", |c| {
            c.mut_arg("skip", |a| {
                a.help(format!(
                    "Do not run this check (repeatable); the row shows `skip`\n[checks: {}]",
                    crate::checks::ids().join(", ")
                ))
            })
        });
        for (sub, unused) in UNUSED_CONFIG_FLAGS {
            sr = sr.mut_subcommand(*sub, |mut c| {
                for id in *unused {
                    c = c.mut_arg(*id, |a| a.hide(true));
                }
                c
            });
        }
        sr
    })
}

fn refuse_unused(command: &mut clap::Command, matches: &ArgMatches) -> Result<(), clap::Error> {
    let Some((_, sr)) = matches.subcommand() else {
        return Ok(());
    };
    let Some((sub, m)) = sr.subcommand() else {
        return Ok(());
    };
    let unused = UNUSED_CONFIG_FLAGS
        .iter()
        .find(|(name, _)| *name == sub)
        .map_or(&[][..], |(_, ids)| *ids);
    for id in unused {
        if m.value_source(id) == Some(clap::parser::ValueSource::CommandLine) {
            let long = command
                .find_subcommand("security-release")
                .and_then(|sr| sr.find_subcommand(sub))
                .and_then(|c| c.get_arguments().find(|a| a.get_id() == *id))
                .and_then(|a| a.get_long())
                .unwrap_or(id);
            let flag = format!("--{long}");
            let message = format!("`{flag}` is not used by `{sub}`");
            let kind = clap::error::ErrorKind::ArgumentConflict;
            return Err(
                match command
                    .find_subcommand_mut("security-release")
                    .and_then(|sr| sr.find_subcommand_mut(sub))
                {
                    Some(c) => c.error(kind, message),
                    None => command.error(kind, message),
                },
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn cli_is_consistent() {
        super::command().debug_assert();
    }
}
