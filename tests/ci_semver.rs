//! `check`'s `ci` and `semver` rows and `--branch`/`--all`, on fixture
//! repositories with real cargo and the real cargo-semver-checks.

mod support;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::Fixture;

/// Checks that only matter for other rows are skipped to keep tests fast.
const ONLY_CI: &[&str] = &["--skip", "semver", "--skip", "lockfile"];
const ONLY_SEMVER: &[&str] = &["--skip", "ci", "--skip", "lockfile"];

fn args<'a>(base: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    base.iter().chain(more).copied().collect()
}

fn message(row: &serde_json::Value) -> String {
    let mut text = row["summary"].as_str().unwrap_or("").to_string();
    for d in row["details"].as_array().into_iter().flatten() {
        text.push('\n');
        text.push_str(d["message"].as_str().unwrap_or(""));
    }
    text
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

#[test]
fn ci_failing_test_names_the_test_and_the_log() {
    let fx = Fixture::scenario("ci-failing-test");
    let run = fx.check(ONLY_CI);
    run.assert_status("ci", "fail").assert_code(1);
    let row = run.row("ci");
    let text = message(row);
    assert!(
        text.contains("failed test `accepts_parent_components`"),
        "{run:?}"
    );
    assert!(text.contains("cargo test --workspace --locked"), "{run:?}");
    let log = row["details"][0]["file"].as_str().expect("log path");
    assert!(
        log.starts_with("target/security-release/ci/"),
        "log under the target dir: {log}"
    );
    assert!(text.contains(&format!("log: {}", fx.repo.join(log).display())) || text.contains(log));
    let log_text = std::fs::read_to_string(fx.repo.join(log)).expect("the log exists");
    assert!(log_text.contains("accepts_parent_components"), "{log_text}");
    // The default command was used and the row says so.
    assert!(text.contains("no `ci` commands configured"), "{run:?}");
}

#[test]
fn ci_receipt_skips_a_rerun_on_the_same_tree_until_a_new_commit() {
    let fx = Fixture::scenario("good-fix");
    let marker = fx.root().join("ci-ran");
    let ci = format!("echo ran >> '{}'", marker.display());
    let flags = args(ONLY_CI, &["--ci", &ci]);

    let first = fx.check(&flags);
    first.assert_status("ci", "pass");
    assert_eq!(lines(&marker), 1);
    assert!(
        first.row("ci")["summary"]
            .as_str()
            .unwrap()
            .contains("on tree"),
        "{first:?}"
    );

    let second = fx.check(&flags);
    second.assert_status("ci", "pass");
    assert_eq!(lines(&marker), 1, "the receipt was not used:\n{second:?}");
    let summary = second.row("ci")["summary"].as_str().unwrap().to_string();
    assert!(summary.contains("not re-run"), "{summary}");

    // Another command list is another receipt.
    let other = format!("{ci} && true");
    fx.check(&args(ONLY_CI, &["--ci", &other]))
        .assert_status("ci", "pass");
    assert_eq!(lines(&marker), 2);

    let forced = fx.check(&args(&flags, &["--rerun-ci"]));
    forced.assert_status("ci", "pass");
    assert_eq!(lines(&marker), 3);

    // A dirty tree runs, and records nothing.
    fx.write("notes.txt", "scratch\n");
    fx.check(&flags).assert_status("ci", "pass");
    fx.check(&flags).assert_status("ci", "pass");
    assert_eq!(
        lines(&marker),
        5,
        "a dirty tree must never reuse or write a receipt"
    );

    fx.commit("Add notes\n\nKeep the scratch notes with the fix.");
    fx.check(&flags).assert_status("ci", "pass");
    assert_eq!(
        lines(&marker),
        6,
        "a new commit must invalidate the receipt"
    );
}

#[test]
fn ci_that_changes_the_tree_gets_no_receipt() {
    let fx = Fixture::scenario("good-fix");
    let marker = fx.root().join("ci-ran");
    let ci = format!(
        "echo ran >> '{}' && echo out > coverage.txt",
        marker.display()
    );
    let flags = args(ONLY_CI, &["--ci", &ci]);
    let run = fx.check(&flags);
    run.assert_status("ci", "pass");
    run.assert_detail(
        "ci",
        "file",
        "coverage.txt",
        "left 1 change in the work tree",
    );
    std::fs::remove_file(fx.repo.join("coverage.txt")).unwrap();
    fx.check(&flags).assert_status("ci", "pass");
    assert_eq!(
        lines(&marker),
        2,
        "a run that dirtied the tree must not leave a receipt"
    );
}

#[test]
fn semver_names_the_removed_function_and_restores_the_lockfile() {
    let fx = Fixture::scenario("semver-removed-fn");
    let before = fx.state();
    let run = fx.check(ONLY_SEMVER);
    run.assert_status("semver", "fail");
    run.assert_detail("semver", "crate", "crates-io", "function_missing");
    run.assert_detail(
        "semver",
        "crate",
        "crates-io",
        "function crates_io::upload_path",
    );
    assert!(
        message(run.row("semver")).contains("requires new major version"),
        "{run:?}"
    );
    // cargo-semver-checks rewrote the stale Cargo.lock; check put it back.
    let after = fx.state();
    assert!(
        after.files["Cargo.lock"] == before.files["Cargo.lock"],
        "Cargo.lock changed:\n{}",
        String::from_utf8_lossy(&after.files["Cargo.lock"])
    );
    assert!(after == before, "the work tree changed");

    // The verdict is recorded for this tree: the second run reuses it, and
    // still fails the same way.
    let again = fx.check(ONLY_SEMVER);
    again.assert_status("semver", "fail");
    again.assert_detail(
        "semver",
        "crate",
        "crates-io",
        "function crates_io::upload_path",
    );
    assert!(
        message(again.row("semver")).contains("recorded verdict is used"),
        "{again:?}"
    );
}

#[test]
fn semver_allow_breaking_warns_instead_of_failing() {
    let fx = Fixture::scenario("semver-removed-fn");
    let run = fx.check(&args(ONLY_SEMVER, &["--allow-breaking", "crates-io"]));
    run.assert_status("semver", "warn");
    run.assert_detail("semver", "crate", "crates-io", "--allow-breaking");
}

#[test]
fn semver_tool_failure_is_an_error_not_a_pass() {
    let fx = Fixture::scenario("good-fix");
    // rustdoc cannot document a crate that does not parse: exit 101.
    fx.steps(
        r#"
[[step]]
replace = [["crates/cargo-util/src/lib.rs", "pub mod paths {", "pub mod paths {\n    pub fn broken( {}\n"]]
commit = """
Add a helper

Work in progress on the path helpers."""
"#,
    );
    let run = fx.check(ONLY_SEMVER);
    run.assert_status("semver", "error");
    let row = run.row("semver");
    assert!(
        row["summary"].as_str().unwrap().contains("exit 101"),
        "{run:?}"
    );
    assert!(
        message(row).contains("error"),
        "the tool's message: {run:?}"
    );
    // Nothing else failed, so the tool could not verify: exit 2.
    run.assert_code(2);
    // A failed run is never recorded: the next check runs the tool again.
    let again = fx.check(ONLY_SEMVER);
    again.assert_status("semver", "error");
    assert!(!message(again.row("semver")).contains("recorded verdict"));
}

#[test]
fn semver_skips_a_crate_that_is_new_since_base() {
    let fx = Fixture::scenario("common");
    fx.steps(
        r#"
[[step]]
write = { "crates/cargo-sandbox/Cargo.toml" = """
[package]
name = "cargo-sandbox"
version = "0.1.0"
edition = "2021"
description = "Unpacks archives in a sandbox (fixture)"
""", "crates/cargo-sandbox/src/lib.rs" = "pub fn sandbox() {}\n" }
commit = """
Add cargo-sandbox

Archives are unpacked in a sandbox from now on."""
"#,
    );
    let run = fx.check(ONLY_SEMVER);
    run.assert_status("semver", "skip");
    run.assert_detail("semver", "crate", "cargo-sandbox", "does not exist at BASE");
}

#[test]
fn allow_breaking_names_a_workspace_crate() {
    let fx = Fixture::scenario("good-fix");
    let run = fx.check(&["--allow-breaking", "no-such-crate"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("--allow-breaking `no-such-crate`"),
        "{run:?}"
    );
}

#[test]
fn semver_passes_a_body_only_change() {
    let fx = Fixture::scenario("good-fix");
    let before = fx.state();
    let run = fx.check(ONLY_SEMVER);
    run.assert_status("semver", "pass");
    run.assert_detail("semver", "crate", "cargo-util", "no breaking change");
    assert_eq!(fx.state(), before);
}

#[test]
fn semver_accepts_a_declared_minor_bump_below_1_0() {
    let fx = Fixture::scenario("semver-declared-minor");
    let run = fx.check(ONLY_SEMVER);
    run.assert_status("semver", "pass");
    run.assert_detail("semver", "crate", "crates-io", "breaking changes allowed");
}

#[test]
fn semver_missing_binary_cannot_verify_and_names_the_install_command() {
    let fx = Fixture::scenario("good-fix");
    // A PATH with git only, and a CARGO_HOME without the binary.
    let bin = fx.root().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let git = which("git");
    std::os::unix::fs::symlink(&git, bin.join("git")).unwrap();
    let home = fx.root().join("cargo-home");
    let run = support::run_tool(
        &fx.repo,
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--skip",
            "ci",
            "--skip",
            "lockfile",
        ],
        |cmd| {
            fx.env(cmd).env("PATH", &bin).env("CARGO_HOME", &home);
        },
    );
    // Nothing is known about the API: "could not verify", exit 2.
    run.assert_status("semver", "error").assert_code(2);
    let hint = run.row("semver")["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("cargo install --locked cargo-semver-checks@0.51.0"),
        "{run:?}"
    );
}

#[test]
fn branch_whose_backport_does_not_build_fails_in_a_removed_worktree() {
    let fx = Fixture::scenario("branch-broken-backport");
    let before = fx.state();
    let run = fx.check(&[
        "--branch",
        "security-release/stable",
        "--ci",
        "cargo build --workspace --offline",
        "--skip",
        "semver",
    ]);
    run.assert_code(1);
    let sections: Vec<&str> = run.json()["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert_eq!(sections, ["fix-path-traversal", "security-release/stable"]);
    let fix_ci = run.row_in(Some("fix-path-traversal"), "ci");
    assert_eq!(fix_ci["status"], "pass", "{run:?}");
    let stable_ci = run.row_in(Some("security-release/stable"), "ci");
    assert_eq!(stable_ci["status"], "fail", "{run:?}");
    assert!(message(stable_ci).contains("cargo build"), "{run:?}");
    let section = &run.json()["sections"][1];
    let base = section["facts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["key"] == "base")
        .unwrap();
    assert!(
        base["note"]
            .as_str()
            .unwrap()
            .contains("merge-base with stable"),
        "{base}"
    );
    assert_eq!(
        base["value"],
        fx.git(&["merge-base", "security-release/stable", "stable"])
    );
    // The worktree is gone, and the user's repository is as it was.
    assert_no_worktrees(&fx);
    assert_eq!(fx.state(), before);
}

#[test]
fn all_checks_each_existing_backport_branch() {
    let fx = Fixture::scenario("branch-broken-backport");
    let run = fx.check(&[
        "--all", "--ci", "true", "--skip", "semver", "--skip", "lockfile",
    ]);
    let names: Vec<&str> = run.json()["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    // beta has no backport branch: only stable's is checked.
    assert_eq!(
        names,
        [
            "fix-path-traversal",
            "security-release/stable",
            "release lines"
        ]
    );
    assert_no_worktrees(&fx);
}

#[test]
fn branch_needs_a_known_release_line() {
    let fx = Fixture::scenario("branch-broken-backport");
    fx.git(&["branch", "hotfix", "security-release/stable"]);
    let run = fx.check(&["--branch", "hotfix"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("--branch hotfix:<release-branch>"),
        "{run:?}"
    );
    // Naming the line works.
    let run = fx.check(&[
        "--branch",
        "hotfix:stable",
        "--ci",
        "true",
        "--skip",
        "semver",
        "--skip",
        "lockfile",
    ]);
    assert_eq!(
        run.row_in(Some("hotfix"), "ci")["status"],
        "pass",
        "{run:?}"
    );
}

#[test]
fn interrupting_a_branch_check_removes_its_worktree() {
    let fx = Fixture::scenario("branch-broken-backport");
    let started = fx.root().join("ci-started");
    let ci = format!(
        "if [ \"$(git rev-parse --abbrev-ref HEAD)\" = HEAD ]; then touch '{}'; sleep 20; fi",
        started.display()
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-security-release"));
    fx.env(&mut cmd)
        .args([
            "check",
            "--format",
            "json",
            "--offline",
            "--skip",
            "semver",
            "--skip",
            "lockfile",
            "--branch",
            "security-release/stable",
            "--ci",
            &ci,
        ])
        .current_dir(&fx.repo)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start the tool");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !started.exists() {
        assert!(Instant::now() < deadline, "the branch's CI never started");
        assert!(child.try_wait().unwrap().is_none(), "the tool ended early");
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        worktrees(&fx),
        2,
        "the temporary worktree exists while CI runs"
    );
    let killed = Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert_no_worktrees(&fx);
}

fn worktrees(fx: &Fixture) -> usize {
    fx.git(&["worktree", "list", "--porcelain"])
        .lines()
        .filter(|l| l.starts_with("worktree "))
        .count()
}

fn assert_no_worktrees(fx: &Fixture) {
    assert_eq!(
        worktrees(fx),
        1,
        "{}",
        fx.git(&["worktree", "list", "--porcelain"])
    );
    let dir = fx.repo.join("target/security-release/worktrees");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "left behind: {left:?}");
}

fn which(name: &str) -> std::path::PathBuf {
    std::env::split_paths(&std::env::var_os("PATH").unwrap())
        .map(|d| d.join(name))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{name} not on PATH"))
}

/// A fake `cargo-semver-checks`, first on PATH. Like the real one it
/// rewrites Cargo.lock. Where `FAKE_SEMVER_SLOW` says (`all`, or
/// `worktree`: only in a temporary worktree, whose HEAD is detached) it
/// then touches `semver-started` and waits; ended by SIGTERM, it writes
/// Cargo.lock once more and touches `semver-ended`, the way a child busy
/// rewriting the lockfile would. Elsewhere it passes at once.
fn fake_semver_checks(fx: &Fixture) -> std::ffi::OsString {
    let bin = fx.root().join("fake-bin");
    let root = fx.root().display();
    let script = format!(
        r#"echo 'rewritten by the fake cargo-semver-checks' >> Cargo.lock
slow=no
case "$FAKE_SEMVER_SLOW" in
    all) slow=yes ;;
    worktree) [ "$(git rev-parse --abbrev-ref HEAD)" = HEAD ] && slow=yes ;;
esac
if [ $slow = no ]; then
    echo '     Summary no semver update required' >&2
    exit 0
fi
trap 'echo "written while being ended" >> Cargo.lock; touch "{root}/semver-ended"; exit 143' TERM
touch "{root}/semver-started"
while :; do sleep 1; done
"#
    );
    support::write_script(&bin.join("cargo-semver-checks"), &script);
    let mut dirs = vec![bin];
    dirs.extend(std::env::split_paths(&std::env::var_os("PATH").unwrap()));
    std::env::join_paths(dirs).unwrap()
}

/// Starts the tool with the fake cargo-semver-checks, waits until the fake
/// is waiting, sends `signal`, and returns the tool's exit code.
fn signal_during_semver(fx: &Fixture, slow: &str, args: &[&str], signal: &str) -> Option<i32> {
    let path = fake_semver_checks(fx);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-security-release"));
    fx.env(&mut cmd)
        .args(args)
        .env("PATH", path)
        .env("FAKE_SEMVER_SLOW", slow)
        .current_dir(&fx.repo)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let mut child = cmd.spawn().expect("start the tool");
    let started = fx.root().join("semver-started");
    let deadline = Instant::now() + Duration::from_secs(120);
    while !started.exists() {
        assert!(
            Instant::now() < deadline,
            "the fake semver-checks never started"
        );
        assert!(child.try_wait().unwrap().is_none(), "the tool ended early");
        std::thread::sleep(Duration::from_millis(50));
    }
    if slow == "worktree" {
        assert_eq!(
            worktrees(fx),
            2,
            "the temporary worktree exists while semver runs"
        );
    }
    let sent = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(sent.success());
    child.wait().unwrap().code()
}

#[test]
fn sigterm_during_semver_restores_the_lockfile_after_ending_the_child() {
    let fx = Fixture::scenario("good-fix");
    let before = fx.state();
    let code = signal_during_semver(
        &fx,
        "all",
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--skip",
            "ci",
            "--skip",
            "lockfile",
        ],
        "-TERM",
    );
    assert_eq!(code, Some(143), "128 + SIGTERM");
    // The child was ended by the tool, and wrote Cargo.lock while it ended;
    // the restore came after that, byte for byte.
    assert!(
        fx.root().join("semver-ended").exists(),
        "the child was not ended"
    );
    let after = fx.state();
    assert!(
        after.files["Cargo.lock"] == before.files["Cargo.lock"],
        "Cargo.lock:\n{}",
        String::from_utf8_lossy(&after.files["Cargo.lock"])
    );
    assert!(after == before, "the repository changed");
}

#[test]
fn sighup_during_a_branch_semver_removes_the_worktree() {
    let fx = Fixture::scenario("branch-broken-backport");
    let before = fx.state();
    let code = signal_during_semver(
        &fx,
        "worktree",
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--skip",
            "ci",
            "--skip",
            "lockfile",
            "--branch",
            "security-release/stable",
        ],
        "-HUP",
    );
    assert_eq!(code, Some(129), "128 + SIGHUP");
    assert!(
        fx.root().join("semver-ended").exists(),
        "the child was not ended"
    );
    assert_no_worktrees(&fx);
    assert_eq!(fx.state(), before);
}

#[test]
fn time_limits_end_ci_and_semver_and_make_the_rows_error() {
    let fx = Fixture::scenario("good-fix");
    let before = fx.state();
    let path = fake_semver_checks(&fx);
    let run = support::run_tool(
        &fx.repo,
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--skip",
            "lockfile",
            "--ci",
            "sleep 600",
            "--ci-timeout",
            "0.5",
            "--semver-timeout",
            "0.5",
        ],
        |cmd| {
            fx.env(cmd)
                .env("PATH", &path)
                .env("FAKE_SEMVER_SLOW", "all");
        },
    );
    run.assert_status("ci", "error")
        .assert_status("semver", "error");
    // Nothing failed: the tool could not verify, exit 2.
    run.assert_code(2);
    for (id, key) in [("ci", "ci-timeout"), ("semver", "semver-timeout")] {
        let row = run.row(id);
        assert!(
            row["summary"]
                .as_str()
                .unwrap()
                .contains("did not finish within 500ms"),
            "{run:?}"
        );
        assert!(row["hint"].as_str().unwrap().contains(key), "{run:?}");
    }
    assert!(
        fx.root().join("semver-ended").exists(),
        "semver-checks was not ended"
    );
    assert_eq!(fx.state(), before, "Cargo.lock or the work tree changed");
}
