//! The commands, thin: each opens the checkout and its configuration, builds
//! a `Context`, runs its checks or operations, and returns a `Report`.

pub mod advisory;
pub mod backport;
pub mod check;
pub mod verify_published;

use std::io::IsTerminal;
use std::path::Path;

use anyhow::{Context as _, Result};

use crate::cli::{Cli, Command, ConfigArgs, GlobalArgs};
use crate::config::Config;
use crate::context::{Checkout, Context, Location};
use crate::registry::{IndexLocation, RetryPolicy, SparseRegistry};
use crate::release::Registries;
use crate::release::affected::Exposure;
use crate::render::Format;
use crate::report::{CheckResult, Detail, Report, Section, Status};
use crate::shell::Shell;
use crate::text::count;

/// What a command hands back to be written out.
pub enum Output {
    /// A report of rows, rendered in `format`.
    Report { report: Report, format: Format },
    /// A document (the advisory), already rendered.
    Document(advisory::Document),
}

/// Runs the command `cli` names and returns its report or document.
pub fn run(cli: &Cli) -> Result<Output> {
    let report = |name: &str, run: &dyn Fn() -> Result<Report>| -> Result<Output> {
        let format = cli.global.format.report_format(name)?;
        let mut report = run()?;
        report.local_paths = local_paths(&cli.global);
        Ok(Output::Report { report, format })
    };
    match &cli.command {
        Command::Check(args) => report("check", &|| check::run(&cli.global, cli.config(), args)),
        Command::Backport(args) => report("backport", &|| {
            backport::run(&cli.global, cli.config(), args)
        }),
        Command::VerifyPublished(args) => report("verify-published", &|| {
            verify_published::run(&cli.global, cli.config(), args)
        }),
        Command::Advisory(args) => {
            advisory::run(&cli.global, cli.config(), args).map(Output::Document)
        }
    }
}

/// The absolute paths a report may name and what Markdown shows instead:
/// the target directory (`target` inside the work tree, else `<target>`),
/// the work tree itself (paths relative to it) and the home directory (`~`).
fn local_paths(global: &GlobalArgs) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |path: &Path, shown: &str| {
        for p in [Some(path.to_path_buf()), path.canonicalize().ok()]
            .into_iter()
            .flatten()
        {
            let p = p.to_string_lossy().into_owned();
            if !out.iter().any(|(q, _)| *q == p) {
                out.push((p, shown.to_string()));
            }
        }
    };
    let location = Location {
        cwd: std::env::current_dir().unwrap_or_default(),
        manifest_path: global.manifest_path.clone(),
    };
    if let Ok(checkout) = Checkout::locate(&location) {
        let workdir = checkout.repo.workdir().to_path_buf();
        let target = crate::context::default_target_dir(&checkout.workspace_root);
        if !target.starts_with(&workdir) {
            add(&target, "<target>");
        }
        add(&workdir, "");
    }
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()) {
        add(Path::new(&home), "~");
    }
    out
}

/// The checkout a command works on, its configuration, and where progress goes.
pub struct Session {
    pub checkout: Checkout,
    pub config: Config,
    pub shell: Shell,
}

impl Session {
    pub fn open(global: &GlobalArgs, flags: &ConfigArgs) -> Result<Session> {
        let cwd = std::env::current_dir().context("cannot read the current directory")?;
        let location = Location {
            cwd,
            manifest_path: global.manifest_path.clone(),
        };
        let checkout = Checkout::locate(&location)?;
        let mut config = Config::from_manifest(&checkout.root_doc, &checkout.root_manifest)?;
        config.apply_flags(flags, global.offline);
        config.index_timeout = global.timeout;
        let shell = shell_for(global);
        if let Some(warning) = crate::untrusted::started_by_repository_toolchain() {
            shell.warn(warning);
        }
        Ok(Session {
            checkout,
            config,
            shell,
        })
    }
}

/// Progress goes to a terminal, and never with machine-readable output
/// (`--format json`, `rustsec`, `osv`, `ghsa`) or `-q`; `-v` asks for it
/// (and more) also where stderr is a CI log. Warnings go to stderr unless `-q`.
pub fn shell_for(global: &GlobalArgs) -> Shell {
    let progress = !global.quiet
        && (global.verbose > 0 || (!global.format.is_machine() && std::io::stderr().is_terminal()));
    Shell::new(progress, if global.quiet { 0 } else { global.verbose }).warnings(!global.quiet)
}

/// The index that says which versions are published: `index` / `--index`,
/// `registry` / `--registry`, else crates.io.
pub fn index_location(cx: &Context) -> Result<IndexLocation> {
    match (&cx.config.index, &cx.config.registry) {
        (Some(url), _) => IndexLocation::from_url(url),
        (None, Some(name)) => IndexLocation::from_registry_name(name, &cx.workspace_root),
        (None, None) => Ok(IndexLocation::crates_io()),
    }
}

/// Online, "was this version released?" also asks the registry index (an
/// index error then fails the row as "could not verify", never as "not
/// released"); `--offline` leaves tags and release branches as the evidence.
pub fn attach_registry(cx: &mut Context) -> Result<()> {
    if cx.config.offline {
        return Ok(());
    }
    let scratch = crate::verify::scratch_dir(cx);
    let location = index_location(cx)?;
    let policy = RetryPolicy {
        timeout: cx.config.index_timeout,
        ..RetryPolicy::default()
    };
    // Fail early on a bad default index (the per-crate ones fail in their rows).
    SparseRegistry::new(location.clone(), &scratch, policy)?;
    cx.releases.registries = Some(Registries::new(
        location,
        &cx.workspace_root,
        &scratch,
        policy,
    ));
    Ok(())
}

/// The section about the repository's release lines: which ones this run
/// works on, and the ones it leaves out that are affected.
pub fn lines_section(cx: &Context, targeted: &[&str]) -> Section {
    let mut section = Section::new("release lines")
        .fact("lines", targeted.to_vec())
        .fact("chosen", cx.releases.note());
    section.checks.push(unpatched_lines_row(cx, targeted));
    section
}

/// `unpatched-lines`: release lines that are not targeted but still carry
/// the vulnerable code ("affected, not patched"); they are never bumped,
/// and the advisory must list them as vulnerable.
pub fn unpatched_lines_row(cx: &Context, targeted: &[&str]) -> CheckResult {
    const ID: &str = "unpatched-lines";
    let others = match crate::release::affected::other_lines(
        &cx.releases,
        &cx.repo,
        &cx.fix,
        cx.base.commit,
        cx.head.commit,
        targeted,
    ) {
        Ok(o) => o,
        Err(e) => {
            return CheckResult::error(
                ID,
                format!("could not look at the other release lines: {e:#}"),
            );
        }
    };
    if others.is_empty() {
        return CheckResult::pass(ID, "no other branch looks like a release line");
    }
    let mut findings = Vec::new();
    for o in &others {
        let tag = o
            .newest_tag
            .as_ref()
            .map(|t| format!(" (newest release tag `{t}`)"))
            .unwrap_or_default();
        let name = &o.line.name;
        let d = match &o.exposure {
            None => Detail::new(format!("`{name}`{tag} already has the fix")),
            Some(Exposure::Lacks) => Detail::new(format!(
                "`{name}`{tag} does not have the code the fix changes: not affected"
            )),
            Some(Exposure::Carries { file }) => Detail::new(format!(
                "`{name}`{tag} is affected, not patched: its `{file}` still has the code the fix changes; \
                 it is not a target, so it gets no release (list it as vulnerable in the advisory, or target it)"
            ))
            .status(Status::Warn)
            .file(file.clone()),
            Some(Exposure::Unknown) => Detail::new(format!(
                "`{name}`{tag} lacks the fix and the fix removes no code line to look for: \
                 could not tell whether it is affected"
            ))
            .status(Status::Warn),
        };
        findings.push(d.reference(name.clone()));
    }
    let total = others.len();
    let warned = findings
        .iter()
        .filter(|d| d.status == Some(Status::Warn))
        .count();
    if warned == 0 {
        CheckResult::pass(
            ID,
            format!(
                "none of the {} not targeted is affected",
                count(total, "release line")
            ),
        )
    } else {
        CheckResult::warn(
            ID,
            format!(
                "{warned} of {} not targeted {} affected or could not be told",
                count(total, "release line"),
                if warned == 1 { "is" } else { "are" }
            ),
        )
    }
    .details(findings)
}
