//! The local CI suite of `check`: runs each CI command in the workspace root
//! with its output captured to a log under the target directory, and keeps
//! receipts, so that a command list that passed on an exact committed tree is
//! not run again on that tree.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context as _, Result};
use serde::{Deserialize, Serialize};

use crate::config::CiCommand;
use crate::git::Oid;
use crate::process::{self, Ended};
use crate::shell::Shell;

/// What a Rust project's CI runs at the very least, used when nothing is configured.
pub const DEFAULT_COMMAND: &str = "cargo test --workspace --locked";

/// Lines of output shown in the report when a command fails.
const TAIL_LINES: usize = 20;

/// The commands to run and whether they are the default.
#[derive(Clone, Debug)]
pub struct CiPlan {
    pub commands: Vec<CiCommand>,
    /// True when nothing was configured and `DEFAULT_COMMAND` is used.
    pub defaulted: bool,
}

impl CiPlan {
    pub fn new(configured: &[CiCommand]) -> CiPlan {
        if configured.is_empty() {
            CiPlan {
                commands: vec![CiCommand::Shell(DEFAULT_COMMAND.to_string())],
                defaulted: true,
            }
        } else {
            CiPlan {
                commands: configured.to_vec(),
                defaulted: false,
            }
        }
    }

    /// The plan with `--locked` taken out of every command, for a line that
    /// does not track `Cargo.lock` (cargo would refuse to create one).
    /// Returns the commands that changed.
    pub fn without_locked(&mut self) -> Vec<String> {
        let mut changed = Vec::new();
        for command in &mut self.commands {
            let before = command.display();
            match command {
                CiCommand::Shell(s) => {
                    let words: Vec<&str> = s.split(' ').filter(|w| *w != "--locked").collect();
                    *s = words.join(" ");
                }
                CiCommand::Argv(argv) => argv.retain(|a| a != "--locked"),
            }
            if command.display() != before {
                changed.push(before);
            }
        }
        changed
    }

    /// A hash of the command list: a receipt is valid only for exactly these
    /// commands (a shell string and the same words as argv count as different).
    pub fn hash(&self) -> String {
        let mut text = String::new();
        for command in &self.commands {
            match command {
                CiCommand::Shell(s) => {
                    text.push_str("sh\0");
                    text.push_str(s);
                }
                CiCommand::Argv(argv) => {
                    text.push_str("argv");
                    for a in argv {
                        text.push('\0');
                        text.push_str(a);
                    }
                }
            }
            text.push('\n');
        }
        // git's object hash: no extra dependency, and stable across versions.
        Oid::hash_object(git2::ObjectType::Blob, text.as_bytes())
            .map(|o| o.to_string())
            .unwrap_or_default()
    }
}

/// How one command went.
#[derive(Clone, Debug)]
pub struct CommandOutcome {
    pub command: String,
    pub passed: bool,
    /// "exit 101", "killed by a signal", "timed out after 1m00s", or
    /// "could not start: …".
    pub status: String,
    /// The command was ended at its time limit (`ci-timeout`): it neither
    /// passed nor failed.
    pub timed_out: bool,
    pub duration: Duration,
    pub log: PathBuf,
    /// The last lines of output, for a failed command.
    pub tail: Vec<String>,
    /// Tests that cargo's test harness reported as FAILED.
    pub failed_tests: Vec<String>,
}

/// A record that a command list passed on a tree.
#[derive(Serialize, Deserialize, Clone, Debug)]
pub struct Receipt {
    /// The git tree id of the commit that was checked.
    pub tree: String,
    /// The commit it was run on (another commit with the same tree is the same tree).
    pub commit: String,
    pub commands_hash: String,
    pub commands: Vec<String>,
    /// Seconds since the Unix epoch.
    pub passed_at: u64,
}

impl Receipt {
    /// "2026-11-25 14:02 UTC".
    pub fn when(&self) -> String {
        format_utc(self.passed_at)
    }
}

/// Where CI logs and receipts live: `<target dir>/security-release/ci`.
pub fn ci_dir(target_dir: &Path) -> PathBuf {
    target_dir.join("security-release").join("ci")
}

fn receipt_path(target_dir: &Path, tree: Oid, commands_hash: &str) -> PathBuf {
    ci_dir(target_dir).join("receipts").join(format!(
        "{tree}-{}.json",
        &commands_hash[..12.min(commands_hash.len())]
    ))
}

/// The receipt for this tree and command list, if one was recorded. An
/// unreadable or mismatching receipt is treated as absent: at worst the
/// commands run again.
pub fn find_receipt(target_dir: &Path, tree: Oid, plan: &CiPlan) -> Option<Receipt> {
    let hash = plan.hash();
    let text = std::fs::read_to_string(receipt_path(target_dir, tree, &hash)).ok()?;
    let receipt: Receipt = serde_json::from_str(&text).ok()?;
    (receipt.tree == tree.to_string() && receipt.commands_hash == hash).then_some(receipt)
}

/// Records that `plan` passed on `tree` (the caller has made sure that the
/// work tree was clean, so the tree is exactly what ran).
pub fn write_receipt(target_dir: &Path, tree: Oid, commit: Oid, plan: &CiPlan) -> Result<Receipt> {
    let hash = plan.hash();
    let receipt = Receipt {
        tree: tree.to_string(),
        commit: commit.to_string(),
        commands_hash: hash.clone(),
        commands: plan.commands.iter().map(CiCommand::display).collect(),
        passed_at: SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0),
    };
    let path = receipt_path(target_dir, tree, &hash);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
    }
    let text = serde_json::to_string_pretty(&receipt)?;
    // Written aside and renamed, so that an interrupted run never leaves a
    // half-written receipt that a later run would have to distrust.
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, &path)
        .with_context(|| format!("cannot write the CI receipt `{}`", path.display()))?;
    Ok(receipt)
}

/// Where and how the commands run.
pub struct CiRun<'a> {
    pub workspace_root: &'a Path,
    /// Directory for this run's logs.
    pub log_dir: PathBuf,
    /// Extra environment (`CARGO_TARGET_DIR` for worktrees, `CARGO_NET_OFFLINE`).
    pub env: Vec<(String, String)>,
    pub shell: Shell,
    /// `ci-timeout`: each command is ended after this long.
    pub limit: Duration,
}

impl CiRun<'_> {
    /// Runs every command, also after a failure: under embargo one run that
    /// lists every problem beats a fix-and-retry loop per command.
    pub fn run_all(&self, plan: &CiPlan) -> Result<Vec<CommandOutcome>> {
        std::fs::create_dir_all(&self.log_dir)
            .with_context(|| format!("cannot create `{}`", self.log_dir.display()))?;
        let total = plan.commands.len();
        let mut outcomes = Vec::new();
        for (i, command) in plan.commands.iter().enumerate() {
            let display = command.display();
            self.shell
                .status("Running", format!("`{display}` [{}/{total}]", i + 1));
            let log = self
                .log_dir
                .join(format!("{}-{}.log", i + 1, slug(&display)));
            let outcome = self.run_one(command, &log)?;
            let verb = if outcome.passed { "Passed" } else { "Failed" };
            self.shell.status(
                verb,
                format!("`{display}` in {}", format_duration(outcome.duration)),
            );
            outcomes.push(outcome);
        }
        Ok(outcomes)
    }

    fn run_one(&self, command: &CiCommand, log: &Path) -> Result<CommandOutcome> {
        let file =
            File::create(log).with_context(|| format!("cannot create `{}`", log.display()))?;
        let file2 = file
            .try_clone()
            .with_context(|| format!("cannot open `{}` twice", log.display()))?;
        let mut cmd = match command {
            CiCommand::Shell(s) => {
                let mut c = Command::new("sh");
                c.arg("-c").arg(s);
                c
            }
            CiCommand::Argv(argv) => {
                let (program, args) = argv
                    .split_first()
                    .map_or(("", &[][..]), |(p, a)| (p.as_str(), a));
                let mut c = Command::new(program);
                c.args(args);
                c
            }
        };
        cmd.current_dir(self.workspace_root)
            .stdin(Stdio::null())
            .stdout(Stdio::from(file))
            .stderr(Stdio::from(file2));
        for (k, v) in &self.env {
            cmd.env(k, v);
        }
        let start = Instant::now();
        // In its own process group: a timeout or a signal ends the command
        // and everything it started.
        let (passed, status, timed_out) = match process::status(&mut cmd, Some(self.limit)) {
            Ok(ended) => (
                ended.success(),
                ended.describe(),
                matches!(ended, Ended::TimedOut(_)),
            ),
            Err(e) => (false, format!("could not start: {e}"), false),
        };
        let duration = start.elapsed();
        let output = std::fs::read(log).unwrap_or_default();
        let output = String::from_utf8_lossy(&output);
        let (tail, failed_tests) = if passed {
            (Vec::new(), Vec::new())
        } else {
            (tail(&output, TAIL_LINES), failed_tests(&output))
        };
        Ok(CommandOutcome {
            command: command.display(),
            passed,
            status,
            timed_out,
            duration,
            log: log.to_path_buf(),
            tail,
            failed_tests,
        })
    }
}

/// A file-name-safe rendering of a command: `cargo-test-workspace-locked`.
fn slug(command: &str) -> String {
    let mut out = String::new();
    for c in command.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
        if out.len() >= 40 {
            break;
        }
    }
    out.trim_matches('-').to_string()
}

/// The last `n` non-blank lines, without panic backtraces (RUST_BACKTRACE
/// is often set, and its frames would push the failure itself out of view).
fn tail(output: &str, n: usize) -> Vec<String> {
    let mut lines: Vec<&str> = Vec::new();
    let mut in_backtrace = false;
    for line in output.lines() {
        if line.starts_with("stack backtrace:") {
            in_backtrace = true;
            continue;
        }
        if in_backtrace {
            let frame = line.starts_with(' ') || line.starts_with("note: Some details are omitted");
            if frame {
                continue;
            }
            in_backtrace = false;
        }
        if !line.trim().is_empty() {
            lines.push(line);
        }
    }
    lines[lines.len().saturating_sub(n)..]
        .iter()
        .map(|l| l.to_string())
        .collect()
}

/// Names from libtest's `test some::name ... FAILED` lines.
fn failed_tests(output: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in output.lines() {
        if let Some(name) = line
            .strip_prefix("test ")
            .and_then(|l| l.strip_suffix(" ... FAILED"))
            && !out.iter().any(|n| n == name)
        {
            out.push(name.to_string());
        }
    }
    out
}

/// "850ms", "3.2s", "2m05s".
pub fn format_duration(d: Duration) -> String {
    let ms = d.as_millis();
    if ms < 1000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", d.as_secs_f64())
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms / 1000) % 60)
    }
}

/// "2026-11-25 14:02 UTC" for seconds since the epoch.
fn format_utc(secs: u64) -> String {
    let (h, m) = ((secs % 86_400) / 3600, (secs % 3600) / 60);
    let date = crate::git::iso_date(secs as i64);
    format!("{date} {h:02}:{m:02} UTC")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_dates_and_durations() {
        assert_eq!(format_utc(0), "1970-01-01 00:00 UTC");
        assert_eq!(format_utc(1_764_079_320), "2025-11-25 14:02 UTC");
        assert_eq!(format_duration(Duration::from_millis(3200)), "3.2s");
        assert_eq!(format_duration(Duration::from_secs(125)), "2m05s");
    }

    #[test]
    fn tail_leaves_out_backtraces() {
        let out = "panicked at tests/paths.rs:3:5\nstack backtrace:\n   0: core::panicking\n             at x.rs:1\nnote: Some details are omitted\nfailures:\n    a::bad\n";
        assert_eq!(
            tail(out, 20),
            vec!["panicked at tests/paths.rs:3:5", "failures:", "    a::bad"]
        );
    }

    #[test]
    fn finds_failed_tests_and_slugs_commands() {
        let out =
            "running 2 tests\ntest a::ok ... ok\ntest a::bad ... FAILED\n\nfailures:\n    a::bad\n";
        assert_eq!(failed_tests(out), vec!["a::bad".to_string()]);
        assert_eq!(
            slug("cargo test --workspace --locked"),
            "cargo-test-workspace-locked"
        );
    }

    #[test]
    fn command_list_hash_depends_on_kind_and_order() {
        let a = CiPlan::new(&[CiCommand::Shell("cargo test".into())]);
        let b = CiPlan::new(&[CiCommand::Argv(vec!["cargo".into(), "test".into()])]);
        assert_ne!(a.hash(), b.hash());
        assert_ne!(a.hash(), CiPlan::new(&[]).hash());
        assert_eq!(a.hash(), a.clone().hash());
    }
}
