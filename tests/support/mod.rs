//! Shared fixture code for the integration tests: builds real git
//! repositories from the scenario descriptions in `testdata/scenarios/`, runs
//! the real binary on them, and reads its JSON report.
#![allow(dead_code)]

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod index_server;

use serde::Deserialize;
use serde_json::Value;
use tempfile::TempDir;

pub fn testdata() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("testdata")
}

/// One scenario file: a description, an optional scenario it extends, and steps.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Scenario {
    #[allow(dead_code)]
    description: Option<String>,
    extends: Option<String>,
    #[serde(default)]
    step: Vec<Step>,
}

/// One step. Its parts run in this order: file edits, `lock`, `cargo`,
/// `commit` or `commit-like`, `tag`, `branch`, `switch`/`switch-new`,
/// `merge`, `remote`, `push`, `git`.
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Step {
    /// Copy a directory of `testdata/` into the work tree.
    files: Option<String>,
    /// Where `files` go, relative to the work tree (default: its root).
    files_into: Option<String>,
    #[serde(default)]
    write: BTreeMap<String, String>,
    /// `[path, from, to]`: `from` must occur in the file.
    #[serde(default)]
    replace: Vec<[String; 3]>,
    #[serde(default)]
    remove: Vec<String>,
    /// Regenerate Cargo.lock (`cargo generate-lockfile --offline`).
    #[serde(default)]
    lock: bool,
    /// Any cargo command, as argv after `cargo` (run in the work tree, with
    /// the fixture's cargo home and registry when it has them).
    #[serde(default)]
    cargo: Vec<String>,
    commit: Option<String>,
    /// `git add -A && git commit -C <rev>` with <rev>'s author date moved
    /// by `seconds`: the same author, subject and message, other content
    /// (a cherry-pick whose conflicts were resolved by hand).
    commit_like: Option<CommitLike>,
    tag: Option<String>,
    branch: Option<String>,
    switch: Option<String>,
    switch_new: Option<String>,
    /// `git merge --no-ff <branch>`.
    merge: Option<String>,
    /// `{ name = "origin", path = "public/cargo.git" }`: a bare repository
    /// beside the work tree, added as a remote.
    remote: Option<RemoteStep>,
    /// `{ remote = "origin", refs = ["master"] }`
    push: Option<PushStep>,
    /// Any git command, as argv after `git`.
    #[serde(default)]
    git: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitLike {
    rev: String,
    #[serde(default)]
    seconds: i64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemoteStep {
    name: String,
    path: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PushStep {
    remote: String,
    refs: Vec<String>,
}

/// A real repository in a temporary directory: `root/repo` is the work tree,
/// remotes and other helpers live beside it under `root`.
pub struct Fixture {
    pub tmp: TempDir,
    pub repo: PathBuf,
    commits: Cell<u32>,
    /// A private `CARGO_HOME` (set when the fixture uses a local registry,
    /// so that its downloads never mix with the user's).
    cargo_home: Option<PathBuf>,
}

impl Fixture {
    /// An empty repository with `master` as its initial branch.
    pub fn empty() -> Fixture {
        let tmp = tempfile::Builder::new()
            .prefix("sr-fixture-")
            .tempdir()
            .expect("create temp dir");
        let repo = tmp.path().join("repo");
        std::fs::create_dir_all(&repo).unwrap();
        std::fs::write(tmp.path().join("gitconfig"), GITCONFIG).unwrap();
        let fx = Fixture {
            tmp,
            repo,
            commits: Cell::new(0),
            cargo_home: None,
        };
        fx.git(&["init", "-q", "-b", "master"]);
        fx
    }

    /// Builds scenario `name` with crates.io replaced by `registry` (a
    /// local sparse index on 127.0.0.1, in `.cargo/config.toml` beside the
    /// repository, so that worktrees under it see it too) and a private
    /// cargo home: cargo never reaches the internet.
    pub fn scenario_with_registry(name: &str, registry: &index_server::IndexServer) -> Fixture {
        let mut fx = Fixture::empty();
        let home = fx.root().join("cargo-home");
        std::fs::create_dir_all(&home).unwrap();
        fx.cargo_home = Some(home);
        let config = fx.root().join(".cargo");
        std::fs::create_dir_all(&config).unwrap();
        std::fs::write(
            config.join("config.toml"),
            format!(
                "[source.crates-io]\nreplace-with = \"local\"\n\n[source.local]\nregistry = \"sparse+{}\"\n",
                registry.url
            ),
        )
        .unwrap();
        fx.apply_scenario(name);
        fx
    }

    /// Builds the repository that `testdata/scenarios/<name>.toml` describes.
    pub fn scenario(name: &str) -> Fixture {
        let fx = Fixture::empty();
        fx.apply_scenario(name);
        fx
    }

    /// Keeps the repository after the fixture is dropped; returns its root.
    pub fn keep(self) -> PathBuf {
        self.tmp.keep()
    }

    pub fn root(&self) -> &Path {
        self.tmp.path()
    }

    fn apply_scenario(&self, name: &str) {
        let path = testdata().join("scenarios").join(format!("{name}.toml"));
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        let scenario: Scenario =
            toml::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()));
        if let Some(base) = &scenario.extends {
            self.apply_scenario(base);
        }
        for step in &scenario.step {
            self.step(step);
        }
    }

    /// Runs more steps given inline as TOML (`[[step]]` tables).
    pub fn steps(&self, toml_text: &str) -> &Self {
        let scenario: Scenario = toml::from_str(toml_text).expect("parse inline steps");
        for step in &scenario.step {
            self.step(step);
        }
        self
    }

    fn step(&self, step: &Step) {
        if let Some(dir) = &step.files {
            let into = step.files_into.as_deref().unwrap_or("");
            copy_dir(&testdata().join(dir), &self.repo.join(into));
        }
        for (path, content) in &step.write {
            let p = self.repo.join(path);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(&p, content).unwrap();
        }
        for [path, from, to] in &step.replace {
            let p = self.repo.join(path);
            let text = std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {path}: {e}"));
            assert!(text.contains(from.as_str()), "`{from}` not found in {path}");
            std::fs::write(&p, text.replacen(from.as_str(), to, 1)).unwrap();
        }
        for path in &step.remove {
            let p = self.repo.join(path);
            if p.is_dir() {
                std::fs::remove_dir_all(&p).unwrap();
            } else {
                std::fs::remove_file(&p).unwrap();
            }
        }
        if step.lock {
            self.cargo(&["generate-lockfile", "--offline"]);
        }
        if !step.cargo.is_empty() {
            let args: Vec<&str> = step.cargo.iter().map(String::as_str).collect();
            self.cargo(&args);
        }
        if let Some(message) = &step.commit {
            self.commit(message);
        }
        if let Some(like) = &step.commit_like {
            let date: i64 = self
                .git(&["log", "-1", "--format=%at", &like.rev])
                .parse()
                .expect("author date");
            self.git(&["add", "-A"]);
            self.tick();
            let date = format!("{} +0000", date + like.seconds);
            self.git(&[
                "commit",
                "-q",
                "--allow-empty",
                "-C",
                &like.rev,
                "--date",
                &date,
            ]);
        }
        if let Some(tag) = &step.tag {
            self.git(&["tag", tag]);
        }
        if let Some(branch) = &step.branch {
            self.git(&["branch", branch]);
        }
        if let Some(branch) = &step.switch {
            self.git(&["switch", "-q", branch]);
        }
        if let Some(branch) = &step.switch_new {
            self.git(&["switch", "-q", "-c", branch]);
        }
        if let Some(branch) = &step.merge {
            self.tick();
            self.git(&["merge", "-q", "--no-ff", "--no-edit", branch]);
        }
        if let Some(remote) = &step.remote {
            let path = self.root().join(&remote.path);
            std::fs::create_dir_all(&path).unwrap();
            self.git_in(&path, &["init", "-q", "--bare"]);
            self.git(&["remote", "add", &remote.name, path.to_str().unwrap()]);
        }
        if let Some(push) = &step.push {
            let mut args = vec!["push", "-q", push.remote.as_str()];
            args.extend(push.refs.iter().map(String::as_str));
            self.git(&args);
        }
        if !step.git.is_empty() {
            let args: Vec<&str> = step.git.iter().map(String::as_str).collect();
            self.git(&args);
        }
    }

    /// `git add -A && git commit -m message` with a deterministic date.
    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.tick();
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    fn tick(&self) {
        self.commits.set(self.commits.get() + 1);
    }

    fn date(&self) -> String {
        format!(
            "2026-01-01T00:{:02}:{:02}Z",
            self.commits.get() / 60,
            self.commits.get() % 60
        )
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.repo, args)
    }

    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        let out = self
            .env(&mut Command::new("git"))
            .args(args)
            .current_dir(dir)
            .output()
            .expect("run git");
        assert!(
            out.status.success(),
            "git {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn cargo(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        if let Some(home) = &self.cargo_home {
            cmd.env("CARGO_HOME", home);
        }
        let out = cmd
            .args(args)
            .current_dir(&self.repo)
            .output()
            .expect("run cargo");
        assert!(
            out.status.success(),
            "cargo {args:?} failed:\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Git and the tool see the same isolated configuration and clock.
    pub fn env<'c>(&self, cmd: &'c mut Command) -> &'c mut Command {
        let date = self.date();
        if let Some(home) = &self.cargo_home {
            cmd.env("CARGO_HOME", home);
        }
        cmd.env("GIT_CONFIG_GLOBAL", self.root().join("gitconfig"))
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date)
            .env_remove("GIT_DIR")
            .env_remove("GIT_WORK_TREE")
    }

    pub fn write(&self, path: &str, content: &str) {
        let p = self.repo.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, content).unwrap();
    }

    pub fn read(&self, path: &str) -> String {
        std::fs::read_to_string(self.repo.join(path)).unwrap()
    }

    /// Runs the tool in the work tree.
    pub fn run(&self, args: &[&str]) -> Run {
        self.run_in(&self.repo, args)
    }

    pub fn run_in(&self, dir: &Path, args: &[&str]) -> Run {
        run_tool(dir, args, |cmd| {
            self.env(cmd);
        })
    }

    /// `check --format json --offline` plus `args`.
    pub fn check(&self, args: &[&str]) -> Run {
        let mut all = vec!["check", "--format", "json", "--offline"];
        all.extend_from_slice(args);
        self.run(&all)
    }

    /// Everything a command could change: refs, HEAD, index, work tree
    /// (tracked, untracked and ignored files, target/ aside).
    pub fn state(&self) -> RepoState {
        RepoState::capture(&self.repo)
    }
}

/// Writes an executable `sh` script (a fake tool or wrapper) at `path`.
pub fn write_script(path: &Path, body: &str) {
    std::fs::create_dir_all(path.parent().expect("a parent directory")).unwrap();
    std::fs::write(path, format!("#!/bin/sh\n{body}\n")).unwrap();
    use std::os::unix::fs::PermissionsExt as _;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// The binary under test: cargo names it for tests and benches; an example
/// finds it beside its own directory (`target/<profile>/examples/..`).
pub fn tool_binary() -> PathBuf {
    if let Some(path) = option_env!("CARGO_BIN_EXE_cargo-security-release") {
        return PathBuf::from(path);
    }
    let exe = std::env::current_exe().expect("current exe");
    let profile_dir = exe.parent().and_then(Path::parent).expect("target dir");
    profile_dir.join("cargo-security-release")
}

/// Runs the binary in `dir` with `args`; `setup` adjusts the environment.
pub fn run_tool(dir: &Path, args: &[&str], setup: impl FnOnce(&mut Command)) -> Run {
    let mut cmd = Command::new(tool_binary());
    cmd.args(args).current_dir(dir).env("NO_COLOR", "1");
    setup(&mut cmd);
    let out = cmd.output().expect("run cargo-security-release");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "the tool panicked:\n{stderr}");
    Run {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).ok(),
        stdout,
        stderr,
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub json: Option<Value>,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {}\n--- stdout\n{}\n--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    pub fn json(&self) -> &Value {
        self.json
            .as_ref()
            .unwrap_or_else(|| panic!("no JSON report:\n{self:?}"))
    }

    /// The row `id` of the first section (or of the section named `section`).
    pub fn row(&self, id: &str) -> &Value {
        self.row_in(None, id)
    }

    pub fn row_in(&self, section: Option<&str>, id: &str) -> &Value {
        let sections = self.json()["sections"].as_array().expect("sections");
        let section = match section {
            Some(name) => sections
                .iter()
                .find(|s| s["name"] == name)
                .unwrap_or_else(|| panic!("no section `{name}`:\n{self:?}")),
            None => &sections[0],
        };
        section["checks"]
            .as_array()
            .expect("checks")
            .iter()
            .find(|c| c["id"] == id)
            .unwrap_or_else(|| panic!("no row `{id}`:\n{self:?}"))
    }

    pub fn status(&self, id: &str) -> String {
        self.row(id)["status"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// Asserts the row's status, showing the whole report when it differs.
    pub fn assert_status(&self, id: &str, status: &str) -> &Self {
        assert_eq!(self.status(id), status, "row `{id}`:\n{self:?}");
        self
    }

    /// The row's details whose `key` (crate, file, ref, commit) equals `value`.
    pub fn details_with(&self, id: &str, key: &str, value: &str) -> Vec<&Value> {
        self.row(id)["details"]
            .as_array()
            .map(|d| d.iter().filter(|d| d[key] == value).collect())
            .unwrap_or_default()
    }

    /// Asserts that a detail of row `id` names `key = value` and that its
    /// message contains `text`.
    pub fn assert_detail(&self, id: &str, key: &str, value: &str, text: &str) -> &Self {
        let found = self.details_with(id, key, value);
        assert!(
            found
                .iter()
                .any(|d| d["message"].as_str().unwrap_or("").contains(text)),
            "row `{id}` has no detail with {key} = {value:?} containing {text:?}:\n{self:?}"
        );
        self
    }

    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(self.code, code, "exit code:\n{self:?}");
        self
    }
}

/// A snapshot of everything in a repository a command must not change.
#[derive(Debug, PartialEq, Eq)]
pub struct RepoState {
    pub head: String,
    pub refs: String,
    pub index: Vec<u8>,
    pub files: BTreeMap<String, Vec<u8>>,
}

impl RepoState {
    pub fn capture(repo: &Path) -> RepoState {
        let git_dir = if repo.join(".git").is_dir() {
            repo.join(".git")
        } else {
            repo.to_path_buf()
        };
        let mut files = BTreeMap::new();
        collect_files(repo, repo, &mut files);
        RepoState {
            head: std::fs::read_to_string(git_dir.join("HEAD")).unwrap_or_default(),
            refs: all_refs(&git_dir),
            index: std::fs::read(git_dir.join("index")).unwrap_or_default(),
            files,
        }
    }
}

fn all_refs(git_dir: &Path) -> String {
    let out = Command::new("git")
        .args(["for-each-ref", "--format=%(refname) %(objectname)"])
        .env("GIT_DIR", git_dir)
        .output()
        .expect("run git for-each-ref");
    String::from_utf8_lossy(&out.stdout).to_string()
}

fn collect_files(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        if name == ".git" || name == "target" {
            continue;
        }
        if path.is_dir() {
            collect_files(root, &path, out);
        } else {
            let rel = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .to_string();
            out.insert(rel, std::fs::read(&path).unwrap_or_default());
        }
    }
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let dst = to.join(entry.file_name());
        if entry.path().is_dir() {
            if entry.file_name() == "target" {
                continue;
            }
            copy_dir(&entry.path(), &dst);
        } else {
            std::fs::copy(entry.path(), dst).unwrap();
        }
    }
}

const GITCONFIG: &str = "[user]\n\tname = Fixture Maintainer\n\temail = maintainer@example.com\n\
[init]\n\tdefaultBranch = master\n[protocol \"file\"]\n\tallow = always\n\
[advice]\n\tdetachedHead = false\n";
