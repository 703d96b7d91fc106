//! Bad input: each case exits 2 with a message naming the file, ref or
//! directory (or fails the right check), and leaves the repository as it was.

mod support;

use support::{Fixture, RepoState, run_tool};

/// Runs `check` in `dir`, asserts exit 2 and that stderr names `needle`,
/// and that `repo` is unchanged.
fn assert_refused(fx: &Fixture, dir: &std::path::Path, args: &[&str], needle: &str) {
    let before = RepoState::capture(dir);
    let mut all = vec!["check", "--offline"];
    all.extend_from_slice(args);
    let run = fx.run_in(dir, &all);
    run.assert_code(2);
    assert!(run.stderr.contains("error: "), "{run:?}");
    assert!(
        run.stderr.contains(needle),
        "stderr should name {needle:?}:\n{run:?}"
    );
    assert!(run.stdout.is_empty(), "no report on stdout:\n{run:?}");
    assert_eq!(before, RepoState::capture(dir), "repository changed");
}

#[test]
fn not_a_git_repository() {
    let fx = Fixture::empty();
    let dir = fx.root().join("plain");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"x\"\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    let run = run_tool(&dir, &["check"], |c| {
        fx.env(c).env("GIT_CEILING_DIRECTORIES", fx.root());
    });
    run.assert_code(2);
    assert!(
        run.stderr.contains("is not inside a git repository"),
        "{run:?}"
    );
    assert!(run.stderr.contains("plain"), "{run:?}");
}

#[test]
fn bare_repository() {
    let fx = Fixture::scenario("good-fix");
    let bare = fx.root().join("bare.git");
    fx.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    assert_refused(&fx, &bare, &[], "is a bare repository");
}

#[test]
fn detached_head() {
    let fx = Fixture::scenario("good-fix");
    fx.git(&["switch", "-q", "--detach", "HEAD"]);
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &[], "HEAD is detached");
}

#[test]
fn unknown_base() {
    let fx = Fixture::scenario("good-fix");
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &["--base", "no-such-rev"], "no-such-rev");
}

#[test]
fn base_that_is_not_an_ancestor() {
    let fx = Fixture::scenario("good-fix");
    // A commit beside the fix, not below it (no ref points at it).
    let elsewhere = fx.git(&["commit-tree", "stable^{tree}", "-m", "elsewhere"]);
    let repo = fx.repo.clone();
    assert_refused(
        &fx,
        &repo,
        &["--base", &elsewhere],
        "is not an ancestor of HEAD",
    );
}

#[test]
fn unknown_skip_id() {
    let fx = Fixture::scenario("good-fix");
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &["--skip", "nope"], "unknown check `nope`");
}

#[test]
fn shallow_clone_without_base() {
    let fx = Fixture::scenario("good-fix");
    let shallow = fx.root().join("shallow");
    let url = format!("file://{}", fx.repo.display());
    fx.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        "--no-single-branch",
        "--branch",
        "fix-path-traversal",
        &url,
        shallow.to_str().unwrap(),
    ]);
    assert_refused(&fx, &shallow, &[], "shallow clone");
    assert_refused(&fx, &shallow, &["--base", "HEAD~1"], "shallow");
}

#[test]
fn malformed_root_manifest_names_file_and_line() {
    let fx = Fixture::scenario("good-fix");
    let text = fx
        .read("Cargo.toml")
        .replace("resolver = \"2\"", "resolver = \"2");
    fx.write("Cargo.toml", &text);
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &[], "failed to parse `Cargo.toml`");
    let run = fx.run(&["check", "--offline"]);
    assert!(run.stderr.contains("line 2"), "{run:?}");
}

#[test]
fn malformed_member_manifest_names_the_member() {
    let fx = Fixture::scenario("good-fix");
    fx.write(
        "crates/crates-io/Cargo.toml",
        "[package\nname = \"crates-io\"\n",
    );
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &[], "crates/crates-io/Cargo.toml");
}

#[test]
fn malformed_config_names_the_key() {
    let fx = Fixture::scenario("good-fix");
    let text = fx.read("Cargo.toml").replace("advisory =", "advisroy =");
    fx.write("Cargo.toml", &text);
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &[], "advisroy");
}

#[test]
fn workspace_below_the_repository_root() {
    let fx = Fixture::scenario("nested-workspace");
    let repo = fx.repo.clone();
    // From the repository root there is no manifest: say how to point at it.
    assert_refused(&fx, &repo, &[], "--manifest-path");

    let before = fx.state();
    let run = fx.check(&["--manifest-path", "rust/Cargo.toml", "--base", "stable"]);
    run.assert_code(0)
        .assert_status("version-bump", "pass")
        .assert_detail(
            "version-bump",
            "file",
            "rust/crates/cargo-util/Cargo.toml",
            "0.2.3 → 0.2.4",
        )
        .assert_status("lockfile", "pass")
        .assert_status("changelog", "pass");
    // Run from inside the workspace, the same answer.
    let inside = fx.run_in(
        &fx.repo.join("rust/crates"),
        &["check", "--format", "json", "--offline", "--base", "stable"],
    );
    inside.assert_code(0).assert_status("version-bump", "pass");
    assert_eq!(before, fx.state());
}
