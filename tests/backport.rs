//! `backport` on fixture repositories: branches built in the object
//! database, asserted on the JSON report and on the git objects and refs it
//! leaves (or must not leave).

mod support;

use support::{Fixture, RepoState, Run};

/// HEAD, index and every work-tree file as before, and no ref changed but
/// the backport branches (compared field by field: a full dump is unreadable).
fn assert_user_state_kept(before: &RepoState, after: &RepoState) {
    assert_eq!(before.head, after.head, "HEAD changed");
    assert!(before.index == after.index, "the index changed");
    assert_eq!(
        before.files.keys().collect::<Vec<_>>(),
        after.files.keys().collect::<Vec<_>>(),
        "work-tree files added or removed"
    );
    for (path, bytes) in &before.files {
        assert!(after.files.get(path) == Some(bytes), "`{path}` changed");
    }
    let other_refs = |refs: &str| -> Vec<String> {
        refs.lines()
            .filter(|l| !l.starts_with("refs/heads/security-release/"))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(other_refs(&before.refs), other_refs(&after.refs), "refs changed");
}

/// `backport --format json --offline` plus `args`.
fn backport(fx: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["backport", "--format", "json", "--offline"];
    all.extend_from_slice(args);
    fx.run(&all)
}

/// `git show <rev>:<path>`.
fn show(fx: &Fixture, rev: &str, path: &str) -> String {
    fx.git(&["show", &format!("{rev}:{path}")])
}

/// Subjects of `from..to`, oldest first.
fn subjects(fx: &Fixture, range: &str) -> Vec<String> {
    fx.git(&["log", "--reverse", "--format=%s", range])
        .lines()
        .map(str::to_string)
        .collect()
}

fn ref_exists(fx: &Fixture, name: &str) -> bool {
    fx.git(&["for-each-ref", "--format=%(refname)", &format!("refs/heads/{name}")])
        .contains(name)
}

/// The messages of a row's details.
fn messages(run: &Run, section: &str, id: &str) -> Vec<String> {
    run.row_in(Some(section), id)["details"]
        .as_array()
        .map(|d| {
            d.iter()
                .map(|d| d["message"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

fn assert_row(run: &Run, section: &str, id: &str, status: &str) {
    assert_eq!(
        run.row_in(Some(section), id)["status"],
        status,
        "row `{id}` of `{section}`:\n{run:?}"
    );
}

#[test]
fn two_targets_three_commits_clean() {
    let fx = Fixture::scenario("backport-three-commits");
    // Untracked and modified files must survive byte for byte.
    fx.write("notes.txt", "untracked\n");
    fx.write("CHANGELOG.md", &(fx.read("CHANGELOG.md") + "local edit\n"));
    let before = fx.state();
    let fix: Vec<String> = fx
        .git(&["rev-list", "--reverse", "master..fix-path-traversal"])
        .lines()
        .map(str::to_string)
        .collect();
    assert_eq!(fix.len(), 3);

    let run = backport(&fx, &[]);
    run.assert_code(0);
    assert_user_state_kept(&before, &fx.state());

    // stable: the three commits (main's bump commit reduced to its changelog
    // hunk), then one bump commit.
    assert_row(&run, "stable", "cherry-pick", "pass");
    assert_row(&run, "stable", "branch", "pass");
    let log = subjects(&fx, "stable..security-release/stable");
    assert_eq!(
        log,
        [
            "Refuse `..` components when unpacking archives",
            "Test that `..` components are refused",
            "Bump cargo-util to 0.3.1",
            "Bump versions for the security release",
        ]
    );
    for (i, sha) in fix.iter().enumerate() {
        let msg = fx.git(&["log", "-1", "--format=%B", &format!("security-release/stable~{}", 3 - i)]);
        assert!(
            msg.contains(&format!("(cherry picked from commit {sha})")),
            "{msg}"
        );
        let author = fx.git(&["log", "-1", "--format=%an <%ae>", &format!("security-release/stable~{}", 3 - i)]);
        assert_eq!(author, fx.git(&["log", "-1", "--format=%an <%ae>", sha]));
    }
    let util = show(&fx, "security-release/stable", "crates/cargo-util/Cargo.toml");
    assert!(util.contains("version = \"0.2.4\""), "{util}");
    let root = show(&fx, "security-release/stable", "Cargo.toml");
    assert!(root.contains("cargo-util = { version = \"0.2.4\", path = \"crates/cargo-util\" }"), "{root}");
    assert!(root.contains("version = \"0.73.1\""), "{root}");
    assert!(root.contains("crates-io = { version = \"0.38.0\", path"), "{root}");
    let lock = show(&fx, "security-release/stable", "Cargo.lock");
    assert!(lock.contains("name = \"cargo-util\"\nversion = \"0.2.4\""), "{lock}");
    assert!(lock.contains("name = \"cargo\"\nversion = \"0.73.1\""), "{lock}");
    let changelog = show(&fx, "security-release/stable", "CHANGELOG.md");
    assert!(changelog.contains("- Refuse `..` in archive paths"), "{changelog}");
    assert!(show(&fx, "security-release/stable", "crates/cargo-util/src/lib.rs").contains("leaves the destination"));
    assert!(
        messages(&run, "stable", "version-bump")
            .iter()
            .any(|m| m.contains("cargo-util 0.2.3 → 0.2.4")),
        "{run:?}"
    );
    assert!(
        messages(&run, "stable", "version-bump")
            .iter()
            .any(|m| m.contains("cargo 0.73.0 → 0.73.1")),
        "{run:?}"
    );
    assert!(
        messages(&run, "stable", "dependents")
            .iter()
            .any(|m| m.contains("\"0.2.3\" → \"0.2.4\"")),
        "{run:?}"
    );

    // beta: 0.74.0 / cargo-util 0.3.0 were never released, so no bump commit.
    let log = subjects(&fx, "beta..security-release/beta");
    assert_eq!(log.len(), 3, "{log:?}");
    assert!(show(&fx, "security-release/beta", "crates/cargo-util/Cargo.toml").contains("version = \"0.3.0\""));

    // Each branch resolves with its own Cargo.lock, unchanged.
    for branch in ["security-release/stable", "security-release/beta"] {
        let dir = fx.root().join(branch.replace('/', "-"));
        fx.git(&["worktree", "add", "-q", "--detach", dir.to_str().unwrap(), branch]);
        let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["metadata", "--locked", "--offline", "--format-version", "1", "--no-deps"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{branch}: {}", String::from_utf8_lossy(&out.stderr));
        let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["metadata", "--locked", "--offline", "--format-version", "1"])
            .current_dir(&dir)
            .output()
            .unwrap();
        assert!(out.status.success(), "{branch}: {}", String::from_utf8_lossy(&out.stderr));
    }
    let push = run.json()["next_steps"][0].as_str().unwrap_or("");
    assert!(push.starts_with("git push "), "{push}");
    assert!(push.contains("security-release/stable") && push.contains("security-release/beta"), "{push}");
}

#[test]
#[ignore]
fn show_report() {
    let fx = Fixture::scenario("backport-three-commits");
    let run = fx.run(&["backport", "--offline", "--dry-run"]);
    println!("{}\n{}", run.stdout, run.stderr);
    let run = fx.run(&["backport", "--offline"]);
    println!("{}\n{}", run.stdout, run.stderr);
    println!("{}", fx.git(&["log", "-p", "stable..security-release/stable"]));
}
