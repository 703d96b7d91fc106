//! Invokes the external `cargo-semver-checks` against an explicit git
//! baseline and reads its verdict: the exit code decides (0 pass, 100
//! violations, anything else: it could not run), the text only names the
//! lints, items and required bump. It rewrites `Cargo.lock`, so the file is
//! saved before and put back after, byte for byte.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::git::Oid;
use crate::interrupt::{self, CleanupGuard};
use crate::process::{self, Ended};

/// The version this tool is tested with; the install hint pins it.
pub const PINNED_VERSION: &str = "0.51.0";

const BINARY: &str = "cargo-semver-checks";

pub fn install_command() -> String {
    format!("cargo install --locked {BINARY}@{PINNED_VERSION}")
}

/// Finds the binary the way cargo finds subcommands: on PATH, then in
/// `$CARGO_HOME/bin` (default `~/.cargo/bin`).
pub fn find_binary() -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("PATH")
        .map(|p| std::env::split_paths(&p).collect())
        .unwrap_or_default();
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        dirs.push(PathBuf::from(home).join("bin"));
    } else if let Some(home) = std::env::var_os("HOME") {
        dirs.push(PathBuf::from(home).join(".cargo").join("bin"));
    }
    dirs.into_iter()
        .map(|d| d.join(BINARY))
        .find(|p| p.is_file())
}

/// One run over several packages of one workspace.
pub struct Invocation<'a> {
    pub binary: &'a Path,
    pub workspace_root: &'a Path,
    pub baseline: Oid,
    pub packages: &'a [String],
    /// Set when the workspace shares another target directory (worktrees).
    pub target_dir: Option<&'a Path>,
    pub offline: bool,
    /// `semver-timeout`: the run is ended after this long.
    pub limit: Duration,
}

/// A lint that fired, with the items it names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    pub lint: String,
    pub description: String,
    /// `function crates_io::upload_path`.
    pub items: Vec<String>,
}

/// What cargo-semver-checks said about one package.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PackageVerdict {
    pub name: String,
    /// `cargo-util v0.2.4 -> v0.2.5 (minor change)`.
    pub checking: Option<String>,
    /// `semver requires new major version: 1 major and 0 minor checks failed`.
    pub summary: Option<String>,
    pub violations: Vec<Violation>,
}

#[derive(Clone, Debug)]
pub enum Outcome {
    /// Exit 0.
    Compatible(Vec<PackageVerdict>),
    /// Exit 100: deny-level lints fired.
    Breaking(Vec<PackageVerdict>),
    /// Any other exit: the check could not complete. `message` is the tool's.
    CouldNotRun { status: String, message: String },
    /// The time limit passed and the run was ended.
    TimedOut(Duration),
}

/// What one run printed, kept as is so that a recorded run reads exactly
/// like a fresh one.
#[derive(serde::Serialize, serde::Deserialize)]
struct RawRun {
    code: Option<i32>,
    stdout: String,
    stderr: String,
    /// Set when the run was ended at its time limit (never recorded).
    #[serde(skip)]
    timed_out: Option<Duration>,
}

impl Invocation<'_> {
    /// Runs the tool in the workspace root (it takes the current crate from
    /// there) and restores `Cargo.lock` afterwards.
    ///
    /// With `cache = Some((dir, tree))` (a clean work tree whose HEAD has git
    /// tree `tree`), a verdict (exit 0 or 100) is recorded in `dir` and reused
    /// for the same tree, baseline, packages and binary: the tool is
    /// deterministic in those, and it rebuilds two rustdocs per crate each run.
    /// The second result is true when the verdict was reused.
    pub fn run(&self, cache: Option<(&Path, Oid)>) -> Result<(Outcome, bool)> {
        let record = cache.map(|(dir, tree)| dir.join(format!("{}.json", self.key(tree))));
        if let Some(raw) = record
            .as_ref()
            .and_then(|p| std::fs::read_to_string(p).ok())
            .and_then(|t| serde_json::from_str::<RawRun>(&t).ok())
        {
            return Ok((self.outcome(&raw), true));
        }
        let raw = self.execute()?;
        if let Some(path) = &record
            && matches!(raw.code, Some(0 | 100))
            && let Some(dir) = path.parent()
        {
            // A lost record only costs a re-run, so failures to write are ignored.
            let _ = std::fs::create_dir_all(dir);
            let tmp = path.with_extension("json.tmp");
            if let Ok(text) = serde_json::to_string(&raw)
                && std::fs::write(&tmp, text).is_ok()
            {
                let _ = std::fs::rename(&tmp, path);
            }
        }
        Ok((self.outcome(&raw), false))
    }

    /// Identifies a run: tree, baseline, packages, and the binary (its path,
    /// size and modification time, which change when it is reinstalled).
    fn key(&self, tree: Oid) -> String {
        let meta = std::fs::metadata(self.binary).ok();
        let binary = format!(
            "{} {} {:?}",
            self.binary.display(),
            meta.as_ref().map_or(0, |m| m.len()),
            meta.and_then(|m| m.modified().ok())
        );
        let text = format!(
            "{tree}\n{}\n{}\n{binary}\n",
            self.baseline,
            self.packages.join(" ")
        );
        Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
            .map(|o| o.to_string())
            .unwrap_or_default()
    }

    fn execute(&self) -> Result<RawRun> {
        let _lock = PreservedFile::save(&self.workspace_root.join("Cargo.lock"))?;
        let mut cmd = Command::new(self.binary);
        // Run directly, the binary wants cargo's subcommand word first.
        cmd.args(["semver-checks", "check-release", "--color", "never"])
            .arg("--baseline-rev")
            .arg(self.baseline.to_string());
        for p in self.packages {
            cmd.arg("--package").arg(p);
        }
        cmd.current_dir(self.workspace_root)
            .env("CARGO_TERM_COLOR", "never");
        if let Some(dir) = self.target_dir {
            cmd.env("CARGO_TARGET_DIR", dir);
        }
        if self.offline {
            cmd.env("CARGO_NET_OFFLINE", "true");
        }
        // In its own process group, ended with the tool: it must not write
        // Cargo.lock after the restore.
        let out = process::output(&mut cmd, Some(self.limit))
            .with_context(|| format!("cannot run `{}`", self.binary.display()))?;
        Ok(RawRun {
            code: out.ended.code(),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            timed_out: match out.ended {
                Ended::TimedOut(limit) => Some(limit),
                Ended::Exited(_) => None,
            },
        })
    }

    fn outcome(&self, raw: &RawRun) -> Outcome {
        if let Some(limit) = raw.timed_out {
            return Outcome::TimedOut(limit);
        }
        match raw.code {
            Some(0) => Outcome::Compatible(parse(&raw.stdout, &raw.stderr, self.packages)),
            Some(100) => Outcome::Breaking(parse(&raw.stdout, &raw.stderr, self.packages)),
            code => Outcome::CouldNotRun {
                status: code
                    .map(|c| format!("exit {c}"))
                    .unwrap_or_else(|| "killed by a signal".to_string()),
                message: tool_message(&raw.stderr),
            },
        }
    }
}

/// The error part of the tool's stderr, without progress lines and backtraces.
fn tool_message(stderr: &str) -> String {
    let lines: Vec<&str> = stderr
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("error"))
        .unwrap_or(lines.len().saturating_sub(10));
    let end = lines[start..]
        .iter()
        .position(|l| l.starts_with("Stack backtrace") || l.starts_with("stack backtrace"))
        .map_or(lines.len(), |i| start + i);
    lines[start..end.min(start + 15)].join("\n")
}

/// Reads the verdict text. stderr says which package is being checked and
/// its `Summary`; stdout lists the failures, attributed to packages by the
/// crate name at the start of each item's path.
pub fn parse(stdout: &str, stderr: &str, packages: &[String]) -> Vec<PackageVerdict> {
    let mut verdicts: Vec<PackageVerdict> = packages
        .iter()
        .map(|p| PackageVerdict {
            name: p.clone(),
            ..PackageVerdict::default()
        })
        .collect();
    let mut current: Option<usize> = None;
    for line in stderr.lines().map(str::trim) {
        if let Some(rest) = line.strip_prefix("Checking ") {
            current = packages
                .iter()
                .position(|p| rest.split(' ').next() == Some(p.as_str()));
            if let Some(i) = current {
                verdicts[i].checking = Some(rest.to_string());
            }
        } else if let Some(rest) = line.strip_prefix("Summary ")
            && let Some(i) = current
        {
            verdicts[i].summary = Some(rest.to_string());
        }
    }

    let mut violations: Vec<Violation> = Vec::new();
    let mut in_failed = false;
    for line in stdout.lines() {
        if let Some(rest) = line
            .strip_prefix("--- failure ")
            .and_then(|l| l.strip_suffix(" ---"))
        {
            let (lint, description) = rest.split_once(": ").unwrap_or((rest, ""));
            violations.push(Violation {
                lint: lint.to_string(),
                description: description.to_string(),
                items: Vec::new(),
            });
            in_failed = false;
        } else if line.starts_with("--- ") {
            in_failed = false;
        } else if line.trim() == "Failed in:" {
            in_failed = true;
        } else if in_failed && line.trim().is_empty() {
            in_failed = false;
        } else if in_failed && let Some(v) = violations.last_mut() {
            let item = line.trim();
            let item = item
                .split_once(", previously in file ")
                .or_else(|| item.split_once(" in file "))
                .map_or(item, |(i, _)| i);
            v.items.push(item.to_string());
        }
    }

    for v in violations {
        for item in &v.items {
            let owner = packages.iter().position(|p| {
                let lib = p.replace('-', "_");
                item.split([' ', '<', '(', ','])
                    .any(|w| w == lib || w.starts_with(&format!("{lib}::")))
            });
            // An item that names no package is shown under each, rather than lost.
            let owners: Vec<usize> = match owner {
                Some(i) => vec![i],
                None => (0..verdicts.len()).collect(),
            };
            for i in owners {
                let entry = &mut verdicts[i].violations;
                match entry.iter_mut().find(|e| e.lint == v.lint) {
                    Some(e) => e.items.push(item.clone()),
                    None => entry.push(Violation {
                        lint: v.lint.clone(),
                        description: v.description.clone(),
                        items: vec![item.clone()],
                    }),
                }
            }
        }
        if v.items.is_empty() {
            for verdict in &mut verdicts {
                verdict.violations.push(v.clone());
            }
        }
    }
    verdicts
}

/// A file saved on creation and written back, byte for byte, on drop (also
/// on Ctrl-C); removed again if it did not exist before.
pub struct PreservedFile {
    path: PathBuf,
    saved: Option<Vec<u8>>,
    _on_interrupt: CleanupGuard,
}

impl PreservedFile {
    pub fn save(path: &Path) -> Result<PreservedFile> {
        let saved = match std::fs::read(path) {
            Ok(bytes) => Some(bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot read `{}`", path.display()));
            }
        };
        let on_interrupt = {
            let (path, saved) = (path.to_path_buf(), saved.clone());
            interrupt::on_interrupt(move || restore(&path, saved.as_deref()))
        };
        Ok(PreservedFile {
            path: path.to_path_buf(),
            saved,
            _on_interrupt: on_interrupt,
        })
    }
}

impl Drop for PreservedFile {
    fn drop(&mut self) {
        restore(&self.path, self.saved.as_deref());
    }
}

fn restore(path: &Path, saved: Option<&[u8]>) {
    match saved {
        // Only write when something changed, so that the file's mtime (and
        // cargo's fingerprints that depend on it) stay as they were.
        Some(bytes) => {
            if std::fs::read(path).ok().as_deref() != Some(bytes) {
                let _ = std::fs::write(path, bytes);
            }
        }
        None => {
            let _ = std::fs::remove_file(path);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const STDOUT: &str = "
--- failure function_missing: pub fn removed or renamed ---

Description:
A publicly-visible function cannot be imported by its prior path.
        ref: https://doc.rust-lang.org/cargo/reference/semver.html#item-remove

Failed in:
  function cargo_util::paths::gone, previously in file /tmp/x/crates/cargo-util/src/lib.rs:5
  function crates_io::upload_path, previously in file /tmp/x/crates/crates-io/src/lib.rs:7
";
    const STDERR: &str = "
    Checking cargo-util v0.2.3 -> v0.2.3 (no change; assume minor)
     Checked [   0.013s] 202 checks: 201 pass, 1 fail, 0 warn, 58 skip
     Summary semver requires new major version: 1 major and 0 minor checks failed
    Checking crates-io v0.38.0 -> v0.38.1 (minor change)
     Summary semver requires new major version: 1 major and 0 minor checks failed
";

    #[test]
    fn attributes_failures_to_packages() {
        let v = parse(
            STDOUT,
            STDERR,
            &["cargo-util".to_string(), "crates-io".to_string()],
        );
        assert_eq!(v[0].violations[0].lint, "function_missing");
        assert_eq!(
            v[0].violations[0].items,
            vec!["function cargo_util::paths::gone"]
        );
        assert_eq!(
            v[1].violations[0].items,
            vec!["function crates_io::upload_path"]
        );
        assert!(
            v[1].summary
                .as_deref()
                .unwrap()
                .starts_with("semver requires new major")
        );
    }

    #[test]
    fn tool_message_skips_progress_and_backtrace() {
        let err = "     Cloning abc\nerror: couldn't parse revision\n\nStack backtrace:\n  0: x\n";
        assert_eq!(tool_message(err), "error: couldn't parse revision");
    }
}
