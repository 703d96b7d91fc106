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
    assert_eq!(
        other_refs(&before.refs),
        other_refs(&after.refs),
        "refs changed"
    );
}

/// `backport --format json --offline --no-build` plus `args`: most tests
/// are about the branches, and building each costs time.
fn backport(fx: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["backport", "--format", "json", "--offline", "--no-build"];
    all.extend_from_slice(args);
    fx.run(&all)
}

/// `backport --format json --offline` plus `args`, with the `cargo check`
/// of every written branch.
fn backport_built(fx: &Fixture, args: &[&str]) -> Run {
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
    fx.git(&[
        "for-each-ref",
        "--format=%(refname)",
        &format!("refs/heads/{name}"),
    ])
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

    let run = backport_built(&fx, &[]);
    run.assert_code(0);
    assert_user_state_kept(&before, &fx.state());

    // stable: the three commits (main's bump commit reduced to its changelog
    // hunk, which now names the version stable ships), then one bump commit.
    assert_row(&run, "stable", "cherry-pick", "pass");
    assert_row(&run, "stable", "branch", "pass");
    for target in ["stable", "beta"] {
        assert_row(&run, target, "build", "pass");
    }
    let log = subjects(&fx, "stable..security-release/stable");
    assert_eq!(
        log,
        [
            "Refuse `..` components when unpacking archives",
            "Test that `..` components are refused",
            "Bump cargo-util to 0.2.4",
            "Bump versions for the security release",
        ]
    );
    for (i, sha) in fix.iter().enumerate() {
        let msg = fx.git(&[
            "log",
            "-1",
            "--format=%B",
            &format!("security-release/stable~{}", 3 - i),
        ]);
        assert!(
            msg.contains(&format!("(cherry picked from commit {sha})")),
            "{msg}"
        );
        let author = fx.git(&[
            "log",
            "-1",
            "--format=%an <%ae>",
            &format!("security-release/stable~{}", 3 - i),
        ]);
        assert_eq!(author, fx.git(&["log", "-1", "--format=%an <%ae>", sha]));
    }
    let util = show(
        &fx,
        "security-release/stable",
        "crates/cargo-util/Cargo.toml",
    );
    assert!(util.contains("version = \"0.2.4\""), "{util}");
    let root = show(&fx, "security-release/stable", "Cargo.toml");
    assert!(
        root.contains("cargo-util = { version = \"0.2.4\", path = \"crates/cargo-util\" }"),
        "{root}"
    );
    assert!(root.contains("version = \"0.73.1\""), "{root}");
    assert!(
        root.contains("crates-io = { version = \"0.38.0\", path"),
        "{root}"
    );
    let lock = show(&fx, "security-release/stable", "Cargo.lock");
    assert!(
        lock.contains("name = \"cargo-util\"\nversion = \"0.2.4\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"cargo\"\nversion = \"0.73.1\""),
        "{lock}"
    );
    let changelog = show(&fx, "security-release/stable", "CHANGELOG.md");
    assert!(
        changelog.contains("- Refuse `..` in archive paths"),
        "{changelog}"
    );
    assert!(
        changelog.contains("## cargo-util 0.2.4") && !changelog.contains("0.3.1"),
        "{changelog}"
    );
    assert!(
        messages(&run, "stable", "cherry-pick")
            .iter()
            .any(|m| m.contains("only bookkeeping")
                && m.contains("now names 0.2.4")
                && m.contains("(main: 0.3.1)")),
        "{run:?}"
    );
    assert!(
        show(
            &fx,
            "security-release/stable",
            "crates/cargo-util/src/lib.rs"
        )
        .contains("leaves the destination")
    );
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
    assert!(
        show(&fx, "security-release/beta", "crates/cargo-util/Cargo.toml")
            .contains("version = \"0.3.0\"")
    );

    // Each branch resolves with its own Cargo.lock, unchanged.
    for branch in ["security-release/stable", "security-release/beta"] {
        let dir = fx.root().join(branch.replace('/', "-"));
        fx.git(&[
            "worktree",
            "add",
            "-q",
            "--detach",
            dir.to_str().unwrap(),
            branch,
        ]);
        let out =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args([
                    "metadata",
                    "--locked",
                    "--offline",
                    "--format-version",
                    "1",
                    "--no-deps",
                ])
                .current_dir(&dir)
                .output()
                .unwrap();
        assert!(
            out.status.success(),
            "{branch}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let out =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
                .args(["metadata", "--locked", "--offline", "--format-version", "1"])
                .current_dir(&dir)
                .output()
                .unwrap();
        assert!(
            out.status.success(),
            "{branch}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let push = run.json()["next_steps"][0].as_str().unwrap_or("");
    assert!(push.starts_with("git push "), "{push}");
    assert!(
        push.contains("security-release/stable") && push.contains("security-release/beta"),
        "{push}"
    );
}

#[test]
fn unreleased_beta_keeps_its_versions_and_mains_changelog_hunk() {
    let fx = Fixture::scenario("backport-three-commits");
    let run = backport(&fx, &["--beta", "beta"]);
    run.assert_code(0);
    let sections: Vec<_> = run.json()["sections"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] != "release lines")
        .collect();
    assert_eq!(sections.len(), 1, "only --beta was asked for:\n{run:?}");
    // stable is not targeted, and still has the code the fix changes.
    let lines = run.row_in(Some("release lines"), "unpatched-lines");
    assert_eq!(lines["status"], "warn", "{run:?}");
    assert!(
        lines["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["ref"] == "stable"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("affected, not patched")),
        "{run:?}"
    );
    assert_row(&run, "beta", "branch", "pass");
    // No bump commit: the last commit is main's bump commit, reduced to its
    // changelog hunk, which names the version beta ships (0.3.0).
    let log = subjects(&fx, "beta..security-release/beta");
    assert_eq!(
        log.last().map(String::as_str),
        Some("Bump cargo-util to 0.3.0")
    );
    assert_eq!(log.len(), 3);
    let files = fx.git(&[
        "diff",
        "--name-only",
        "security-release/beta~1",
        "security-release/beta",
    ]);
    assert_eq!(files, "CHANGELOG.md");
    for path in ["Cargo.toml", "Cargo.lock", "crates/cargo-util/Cargo.toml"] {
        assert_eq!(
            show(&fx, "beta", path),
            show(&fx, "security-release/beta", path),
            "{path}"
        );
    }
    let changelog = show(&fx, "security-release/beta", "CHANGELOG.md");
    assert!(
        changelog.contains("## cargo-util 0.3.0\n\n- Refuse `..` in archive paths"),
        "{changelog}"
    );
    assert!(
        messages(&run, "beta", "version-bump")
            .iter()
            .any(|m| m.contains("cargo-util stays 0.3.0") && m.contains("unreleased")),
        "{run:?}"
    );
}

#[test]
fn mains_bump_commit_is_replaced_by_the_targets_own_bump() {
    let fx = Fixture::scenario("backport-bump-conflict");
    // The premise: git's own cherry-pick of main's bump commit conflicts.
    let probe = fx.root().join("probe");
    fx.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        probe.to_str().unwrap(),
        "stable",
    ]);
    let out = fx
        .env(&mut std::process::Command::new("git"))
        .args([
            "cherry-pick",
            "-x",
            "fix-path-traversal~1",
            "fix-path-traversal",
        ])
        .current_dir(&probe)
        .output()
        .unwrap();
    assert!(
        !out.status.success(),
        "git cherry-pick was expected to conflict"
    );
    let conflicted = fx.git_in(&probe, &["diff", "--name-only", "--diff-filter=U"]);
    assert!(
        conflicted.contains("Cargo.toml") && conflicted.contains("Cargo.lock"),
        "{conflicted}"
    );

    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(0);
    assert_row(&run, "stable", "cherry-pick", "pass");
    assert!(
        messages(&run, "stable", "cherry-pick")
            .iter()
            .any(|m| m.contains("skipped")
                && m.contains("(empty)")
                && m.contains("Bump cargo-util to 0.3.1")),
        "{run:?}"
    );
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        [
            "Refuse `..` components when unpacking archives",
            "Bump versions for the security release",
        ]
    );
    let versions = messages(&run, "stable", "version-bump");
    assert!(
        versions
            .iter()
            .any(|m| m.contains("cargo-util 0.2.3 → 0.2.4")),
        "{run:?}"
    );
    // cargo itself is not modified by the fix: Cargo ships with every
    // point release of its line, so it is bumped anyway.
    assert!(
        versions
            .iter()
            .any(|m| m.contains("cargo 0.73.0 → 0.73.1")
                && m.contains("ships with every point release")),
        "{run:?}"
    );
    let root = show(&fx, "security-release/stable", "Cargo.toml");
    assert!(
        root.contains("cargo-util = { version = \"0.2.4\", path = \"crates/cargo-util\" }"),
        "{root}"
    );
    assert!(!root.contains("0.3.1"), "{root}");
    let lock = show(&fx, "security-release/stable", "Cargo.lock");
    assert!(
        lock.contains("name = \"cargo-util\"\nversion = \"0.2.4\""),
        "{lock}"
    );
    assert!(
        lock.contains("name = \"cargo\"\nversion = \"0.73.1\""),
        "{lock}"
    );
}

#[test]
fn planned_version_on_another_branch_fails_that_target() {
    // common: beta already carries cargo-util 0.2.4 (unreleased), so stable's
    // 0.2.3 → 0.2.4 would publish a second, different 0.2.4.
    let fx = Fixture::scenario("backport-collision");
    let before = fx.state();
    let run = backport(&fx, &[]);
    run.assert_code(1);
    assert_row(&run, "stable", "version-bump", "fail");
    let summary = run.row_in(Some("stable"), "version-bump")["summary"]
        .as_str()
        .unwrap_or("");
    assert!(
        summary.contains("cargo-util 0.2.4") && summary.contains("branch `beta`"),
        "{run:?}"
    );
    let hint = run.row_in(Some("stable"), "version-bump")["hint"]
        .as_str()
        .unwrap_or("");
    assert!(hint.contains("0.2.5") && hint.contains("bump"), "{hint}");
    assert_row(&run, "stable", "branch", "skip");
    assert!(!ref_exists(&fx, "security-release/stable"));
    // beta ships the fix in its unreleased 0.2.4.
    assert_row(&run, "beta", "branch", "pass");
    assert!(ref_exists(&fx, "security-release/beta"));
    assert_user_state_kept(&before, &fx.state());
}

#[test]
fn commits_already_on_the_target_are_skipped_with_the_matcher() {
    let fx = Fixture::scenario("backport-present");
    let run = backport(&fx, &["--onto", "stable", "--onto", "lts"]);
    run.assert_code(0);
    let stable = messages(&run, "stable", "cherry-pick");
    let skipped = |kind: &str, subject: &str| {
        stable.iter().any(|m| {
            m.starts_with("skipped") && m.contains(&format!("({kind})")) && m.contains(subject)
        })
    };
    assert!(skipped("trailer", "Refuse `..` components"), "{run:?}");
    assert!(skipped("patch-id", "Test that `..` components"), "{run:?}");
    assert!(
        stable
            .iter()
            .any(|m| m.starts_with("picked") && m.contains("Document that upload paths")),
        "{run:?}"
    );
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        [
            "Document that upload paths refuse `..`",
            "Bump versions for the security release"
        ]
    );
    let lts = messages(&run, "lts", "cherry-pick");
    assert_eq!(
        lts.iter().filter(|m| m.contains("(squashed)")).count(),
        3,
        "{run:?}"
    );
    assert_row(&run, "lts", "branch", "skip");
    assert!(!ref_exists(&fx, "security-release/lts"));
}

#[test]
fn conflict_names_files_and_prerequisite_and_writes_nothing_for_that_target() {
    let fx = Fixture::scenario("backport-conflict");
    let before = fx.state();
    let run = backport(&fx, &[]);
    run.assert_code(1);
    assert_row(&run, "stable", "cherry-pick", "fail");
    let row = run.row_in(Some("stable"), "cherry-pick");
    let details = row["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["file"] == "crates/cargo-util/src/lib.rs"),
        "{run:?}"
    );
    let prerequisite = fx.git(&["rev-parse", "beta"]);
    // Context, ranked by how many of the lines the pick needs it wrote.
    assert!(
        details.iter().any(|d| d["commit"] == prerequisite.as_str()
            && d["message"]
                .as_str()
                .unwrap_or("")
                .starts_with("context: likely prerequisite")
            && d["message"]
                .as_str()
                .unwrap_or("")
                .contains("(Bump to 0.74.0): wrote 2 of the lines the pick needs")),
        "{run:?}"
    );
    // The first advice is to resolve the conflict.
    let hint = row["hint"].as_str().unwrap_or("");
    assert!(
        hint.contains("again with `--worktree`") && hint.contains("backport --continue"),
        "{hint}"
    );
    let fix = fx.git(&["rev-parse", "fix-path-traversal"]);
    assert!(
        details.iter().any(|d| d["commit"] == fix.as_str()),
        "{run:?}"
    );
    assert!(!ref_exists(&fx, "security-release/stable"));
    assert_row(&run, "beta", "branch", "pass");
    assert!(ref_exists(&fx, "security-release/beta"));
    assert_user_state_kept(&before, &fx.state());

    // --worktree leaves the conflicted pick for the user, with the commands.
    let run = backport(&fx, &["--stable", "stable", "--worktree"]);
    run.assert_code(1);
    let hint = run.row_in(Some("stable"), "cherry-pick")["hint"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert!(
        hint.contains("cargo security-release backport --continue"),
        "{hint}"
    );
    let wt = fx
        .repo
        .join("target/security-release/conflict-security-release-stable");
    assert!(hint.contains(wt.to_str().unwrap()), "{hint}");
    let conflicted = fx.git_in(&wt, &["diff", "--name-only", "--diff-filter=U"]);
    assert_eq!(conflicted, "crates/cargo-util/src/lib.rs");
    assert_user_state_kept(&before, &fx.state());
}

#[test]
fn existing_branch_is_refused_and_replaced_with_force() {
    let fx = Fixture::scenario("backport-three-commits");
    fx.git(&["branch", "security-release/stable", "stable"]);
    let old = fx.git(&["rev-parse", "security-release/stable"]);
    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(1);
    assert_row(&run, "stable", "branch", "fail");
    let summary = run.row_in(Some("stable"), "branch")["summary"]
        .as_str()
        .unwrap_or("");
    assert!(
        summary.contains("already exists") && summary.contains("--force"),
        "{summary}"
    );
    assert_eq!(fx.git(&["rev-parse", "security-release/stable"]), old);

    let run = backport(&fx, &["--stable", "stable", "--force"]);
    run.assert_code(0);
    assert_row(&run, "stable", "branch", "pass");
    assert_ne!(fx.git(&["rev-parse", "security-release/stable"]), old);
    assert_eq!(subjects(&fx, "stable..security-release/stable").len(), 4);
}

#[test]
fn dry_run_writes_nothing_and_prints_the_plan() {
    let fx = Fixture::scenario("backport-three-commits");
    let before = fx.state();
    let objects = fx.git(&["count-objects", "-v"]);
    let run = backport(&fx, &["--dry-run"]);
    run.assert_code(0);
    assert_eq!(fx.state(), before, "a dry run changed the repository");
    assert_eq!(
        fx.git(&["count-objects", "-v"]),
        objects,
        "a dry run wrote objects"
    );
    assert_row(&run, "stable", "branch", "skip");
    let summary = run.row_in(Some("stable"), "branch")["summary"]
        .as_str()
        .unwrap_or("");
    assert!(
        summary.contains("would create `security-release/stable`"),
        "{summary}"
    );
    assert!(
        messages(&run, "stable", "version-bump")
            .iter()
            .any(|m| m.contains("cargo-util 0.2.3 → 0.2.4")),
        "{run:?}"
    );
    assert!(
        run.json()["next_steps"]
            .as_array()
            .is_none_or(|a| a.is_empty())
    );
    // The human plan names the picks and the versions.
    let human = fx.run(&["backport", "--offline", "--dry-run"]);
    human.assert_code(0);
    assert!(
        human
            .stdout
            .contains("would create `security-release/beta`"),
        "{human:?}"
    );
    assert!(human.stdout.contains("picked"), "{human:?}");
}

#[test]
fn dependents_that_do_not_ship_keep_their_requirements() {
    // The default `raise-dependents = "released"`: crates-io requires
    // cargo-util but the fix does not touch it, so it is neither raised nor
    // point-released; cargo (which ships with the line) is.
    let fx = Fixture::scenario("backport-pinned");
    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(0);
    let io = show(
        &fx,
        "security-release/stable",
        "crates/crates-io/Cargo.toml",
    );
    assert!(
        io.contains("version = \"0.2.14\", default-features"),
        "{io}"
    );
    assert!(io.contains("version = \"0.38.0\""), "{io}");
    let root = show(&fx, "security-release/stable", "Cargo.toml");
    assert!(root.contains("version = \"=0.2.15\""), "{root}");
    let versions = messages(&run, "stable", "version-bump");
    assert!(!versions.iter().any(|m| m.contains("crates-io")), "{run:?}");
}

#[test]
fn exact_and_inline_table_requirements_keep_their_form() {
    let fx = Fixture::scenario("backport-pinned");
    // `all`: crates-io, which the fix does not touch, is raised and released too.
    let run = backport(&fx, &["--stable", "stable", "--raise-dependents", "all"]);
    run.assert_code(0);
    let root = show(&fx, "security-release/stable", "Cargo.toml");
    assert!(
        root.contains(
            "cargo-util = { version = \"=0.2.15\", path = \"crates/cargo-util\" } # cargo and cargo-util ship together"
        ),
        "{root}"
    );
    let io = show(
        &fx,
        "security-release/stable",
        "crates/crates-io/Cargo.toml",
    );
    assert!(
        io.contains(
            "cargo-util = { path = \"../cargo-util\", version = \"0.2.15\", default-features = false } # not inherited: published separately"
        ),
        "{io}"
    );
    // crates-io's own manifest changed: it gets its point release too.
    assert!(io.contains("version = \"0.38.1\""), "{io}");
    let versions = messages(&run, "stable", "version-bump");
    assert!(
        versions
            .iter()
            .any(|m| m.contains("crates-io 0.38.0 → 0.38.1")),
        "{run:?}"
    );
    let dir = fx.root().join("check-stable");
    fx.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        dir.to_str().unwrap(),
        "security-release/stable",
    ]);
    let out = std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["metadata", "--locked", "--offline", "--format-version", "1"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn killed_before_the_ref_is_written_leaves_no_branch() {
    use std::io::BufRead as _;
    let fx = Fixture::scenario("backport-three-commits");
    let before = fx.state();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-security-release"));
    fx.env(&mut cmd)
        .args(["backport", "--format", "json", "--offline"])
        .current_dir(&fx.repo)
        .env("CARGO_SECURITY_RELEASE_TEST_PAUSE_BEFORE_REF_MS", "60000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    // Every commit of the first target is written by now; its ref is not.
    let paused = lines.any(|l| l.is_ok_and(|l| l.contains("test pause")));
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(paused, "the tool never reached the pause");
    assert!(!ref_exists(&fx, "security-release/stable"));
    assert!(!ref_exists(&fx, "security-release/beta"));
    fx.git(&["fsck", "--no-progress"]);
    assert_eq!(fx.state(), before);
}

#[test]
fn merge_commits_in_the_fix_are_refused() {
    let fx = Fixture::scenario("backport-three-commits");
    fx.steps(
        r#"
[[step]]
git = ["switch", "-q", "-c", "side", "fix-path-traversal~1"]
[[step]]
write = { "notes.md" = "side\n" }
commit = "Side note\n\nOn a side branch."
switch = "fix-path-traversal"
merge = "side"
"#,
    );
    let before = fx.state();
    let run = backport(&fx, &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("merge commit") && run.stderr.contains("Merge branch 'side'"),
        "{run:?}"
    );
    assert_eq!(fx.state(), before);
}

#[test]
fn cargo_layout_chooses_beta_and_stable_and_says_so() {
    let fx = Fixture::scenario("backport-three-commits");
    // Without configured branches, `rust-1.N.0` names them.
    fx.steps(
        r#"
[[step]]
git = ["branch", "rust-1.72.0", "stable"]
[[step]]
git = ["branch", "rust-1.73.0", "beta"]
[[step]]
git = ["branch", "rust-1.71.0", "0.73.0"]
"#,
    );
    let root = fx
        .read("Cargo.toml")
        .replace("branches = { stable = \"stable\", beta = \"beta\" }\n", "");
    fx.write("Cargo.toml", &root);
    let run = backport(&fx, &[]);
    run.assert_code(0);
    let note = run.json()["notes"][0].as_str().unwrap_or("");
    assert!(
        note.contains("beta = rust-1.73.0") && note.contains("stable = rust-1.72.0"),
        "{run:?}"
    );
    assert_row(&run, "rust-1.72.0", "branch", "pass");
    assert_row(&run, "rust-1.73.0", "branch", "pass");
    assert!(ref_exists(&fx, "security-release/rust-1.72.0"));
    assert!(!ref_exists(&fx, "security-release/rust-1.71.0"));
    // beta's 0.3.0 is unreleased even though the stable branch exists.
    assert_eq!(
        subjects(&fx, "rust-1.73.0..security-release/rust-1.73.0").len(),
        3
    );
}

#[test]
fn without_a_git_identity_a_stand_in_committer_is_used_and_reported() {
    let fx = Fixture::scenario("backport-three-commits");
    std::fs::write(fx.root().join("gitconfig"), "").unwrap();
    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(0);
    let notes = run.json()["notes"].to_string();
    assert!(notes.contains("no user.name"), "{run:?}");
    let committer = fx.git(&[
        "log",
        "-1",
        "--format=%cn <%ce>|%an",
        "security-release/stable~1",
    ]);
    assert_eq!(
        committer,
        "cargo-security-release <security-release@localhost>|Fixture Maintainer"
    );
}

#[test]
fn unknown_target_is_a_clear_error() {
    let fx = Fixture::scenario("backport-three-commits");
    let before = fx.state();
    let run = backport(&fx, &["--onto", "rust-1.99.0"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(
            "release line `rust-1.99.0` exists neither locally nor as `origin/rust-1.99.0`"
        ),
        "{run:?}"
    );
    assert_eq!(fx.state(), before);
}

#[test]
fn external_dependencies_locked_differently_are_flagged() {
    let fx = Fixture::scenario("backport-external");
    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(0);
    // cargo-util depends on itoa, but the fix's code does not use it: listed,
    // not flagged.
    assert_row(&run, "stable", "external-deps", "pass");
    let details = messages(&run, "stable", "external-deps");
    assert!(
        details.iter().any(
            |m| m.contains("itoa: main locks 1.0.11, `stable` locks 1.0.9")
                && m.contains("a dependency of cargo-util")
        ),
        "{run:?}"
    );
    assert!(ref_exists(&fx, "security-release/stable"));
}

#[test]
fn verify_checks_each_created_branch_in_a_temporary_worktree() {
    let fx = Fixture::scenario("backport-three-commits");
    let run = backport(&fx, &["--stable", "stable", "--verify"]);
    run.assert_code(0);
    let section = Some("check security-release/stable");
    for id in ["lockfile", "version-bump", "dependency-specs", "commits"] {
        assert_eq!(run.row_in(section, id)["status"], "pass", "{id}:\n{run:?}");
    }
    // The temporary worktree is gone again.
    assert_eq!(fx.git(&["worktree", "list"]).lines().count(), 1);
    assert!(
        !fx.repo
            .join("target/security-release/verify-security-release-stable")
            .exists()
    );
}

#[test]
fn bump_none_for_a_target_keeps_its_versions() {
    let fx = Fixture::scenario("backport-bump-conflict");
    let root = fx.read("Cargo.toml").replace(
        "[workspace.metadata.security-release]\n",
        "[workspace.metadata.security-release]\nbump = { stable = \"none\" }\n",
    );
    fx.write("Cargo.toml", &root);
    let run = backport(&fx, &["--stable", "stable"]);
    run.assert_code(0);
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        ["Refuse `..` components when unpacking archives"]
    );
    assert!(
        messages(&run, "stable", "version-bump")
            .iter()
            .any(|m| m.contains("cargo-util stays 0.2.3") && m.contains("bump = \"none\"")),
        "{run:?}"
    );
}

#[test]
fn push_command_names_the_private_remote_and_never_pushes() {
    let fx = Fixture::scenario("backport-three-commits");
    fx.steps(
        r#"
[[step]]
remote = { name = "origin", path = "public/cargo.git" }
[[step]]
remote = { name = "security-fork", path = "private/cargo-ghsa-r5w3-xm58-jv6j.git" }
"#,
    );
    // The fixture's temp dir is named `security-release-…`, which the URL
    // heuristic would read as private: say which remote is public.
    let run = backport(&fx, &["--stable", "stable", "--public-remote", "origin"]);
    run.assert_code(0);
    assert_eq!(
        run.json()["next_steps"][0],
        "git push security-fork security-release/stable"
    );
    for remote in ["public/cargo.git", "private/cargo-ghsa-r5w3-xm58-jv6j.git"] {
        let refs = fx.git_in(&fx.root().join(remote), &["for-each-ref"]);
        assert!(refs.is_empty(), "{remote} received {refs}");
    }
}

/// `crates/cargo-util/src/lib.rs` of stable with the fix rewritten for it:
/// stable has no `SEP` for `PARENT` to follow.
const UTIL_RESOLVED: &str = r#"//! Path helpers.

/// Components that leave a directory.
pub const PARENT: &str = "..";

pub mod paths {
    /// Joins `entry` onto `dst`, refusing absolute entries.
    pub fn join_checked(dst: &str, entry: &str) -> Result<String, String> {
        if entry.starts_with('/') {
            return Err(format!("absolute path `{entry}` in archive"));
        }
        Ok(format!("{dst}/{entry}"))
    }
}
"#;

/// The conflict worktree `backport --worktree` leaves for a target branch.
fn conflict_worktree(fx: &Fixture, branch: &str) -> std::path::PathBuf {
    fx.repo.join(format!(
        "target/security-release/conflict-{}",
        branch.replace('/', "-")
    ))
}

/// `backport --continue --format json --offline` run in `dir`, plus `args`.
fn continue_in(fx: &Fixture, dir: &std::path::Path, args: &[&str]) -> Run {
    let mut all = vec!["backport", "--continue", "--format", "json", "--offline"];
    all.extend_from_slice(args);
    fx.run_in(dir, &all)
}

#[test]
fn a_conflict_resolved_in_the_worktree_is_finished_with_continue() {
    let fx = Fixture::scenario("backport-conflict");
    let before = fx.state();
    let run = backport_built(&fx, &["--stable", "stable", "--worktree"]);
    run.assert_code(1);
    assert_row(&run, "stable", "cherry-pick", "fail");
    // The conflicted target still shows its whole plan; only the branch
    // (and its build) are missing.
    let bump = run.row_in(Some("stable"), "version-bump");
    assert_eq!(bump["status"], "pass", "{run:?}");
    assert!(
        bump["summary"].as_str().unwrap().starts_with("planned: ")
            && bump["summary"]
                .as_str()
                .unwrap()
                .contains("cargo-util 0.2.3 → 0.2.4"),
        "{run:?}"
    );
    assert!(
        messages(&run, "stable", "lockfile")
            .iter()
            .any(|m| m == "Cargo.lock: cargo-util 0.2.3 → 0.2.4"),
        "{run:?}"
    );
    assert_row(&run, "stable", "build", "skip");
    assert_row(&run, "stable", "branch", "skip");
    let hint = run.row_in(Some("stable"), "cherry-pick")["hint"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        hint.starts_with("resolve the conflict")
            && hint.contains("cargo security-release backport --continue"),
        "{hint}"
    );
    let wt = conflict_worktree(&fx, "security-release/stable");
    assert_eq!(
        fx.git_in(&wt, &["diff", "--name-only", "--diff-filter=U"]),
        "crates/cargo-util/src/lib.rs"
    );
    assert!(!ref_exists(&fx, "security-release/stable"));

    // Not resolved yet, then resolved with the markers still in: refused,
    // nothing changes.
    let run = continue_in(&fx, &wt, &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("not resolved") && run.stderr.contains("crates/cargo-util/src/lib.rs"),
        "{run:?}"
    );
    fx.git_in(&wt, &["add", "crates/cargo-util/src/lib.rs"]);
    let run = continue_in(&fx, &wt, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("conflict markers"), "{run:?}");
    assert!(!ref_exists(&fx, "security-release/stable"));

    std::fs::write(wt.join("crates/cargo-util/src/lib.rs"), UTIL_RESOLVED).unwrap();
    fx.git_in(&wt, &["add", "crates/cargo-util/src/lib.rs"]);
    let run = continue_in(&fx, &wt, &[]);
    run.assert_code(0);
    assert_row(&run, "stable", "cherry-pick", "pass");
    assert!(
        messages(&run, "stable", "cherry-pick")
            .iter()
            .any(|m| m.contains("resolved in the worktree")),
        "{run:?}"
    );
    assert_row(&run, "stable", "build", "pass");
    assert_row(&run, "stable", "branch", "pass");
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        [
            "Name the component that leaves a directory",
            "Bump versions for the security release"
        ]
    );
    let fix = fx.git(&["rev-parse", "fix-path-traversal"]);
    let resolved = "security-release/stable~1";
    assert!(
        fx.git(&["log", "-1", "--format=%B", resolved])
            .contains(&format!("(cherry picked from commit {fix})"))
    );
    assert_eq!(
        fx.git(&["log", "-1", "--format=%an <%ae> %ad", resolved]),
        fx.git(&["log", "-1", "--format=%an <%ae> %ad", &fix])
    );
    assert_eq!(
        show(&fx, resolved, "crates/cargo-util/src/lib.rs"),
        UTIL_RESOLVED.trim_end()
    );
    let lock = show(&fx, "security-release/stable", "Cargo.lock");
    assert!(
        lock.contains("name = \"cargo-util\"\nversion = \"0.2.4\"")
            && lock.contains("name = \"cargo\"\nversion = \"0.73.1\""),
        "{lock}"
    );
    assert!(
        show(
            &fx,
            "security-release/stable",
            "crates/cargo-util/Cargo.toml"
        )
        .contains("version = \"0.2.4\"")
    );
    // The worktree and its state are gone; the user's checkout is as it was.
    assert!(!wt.exists());
    assert_eq!(fx.git(&["worktree", "list"]).lines().count(), 1);
    assert_user_state_kept(&before, &fx.state());
    let run = continue_in(&fx, &fx.repo, &[]);
    run.assert_code(2);
    assert!(run.stderr.contains("no backport is waiting"), "{run:?}");
}

#[test]
fn abort_removes_the_worktree_and_writes_nothing() {
    let fx = Fixture::scenario("backport-conflict");
    let before = fx.state();
    backport(&fx, &["--stable", "stable", "--worktree"]).assert_code(1);
    let wt = conflict_worktree(&fx, "security-release/stable");
    assert!(wt.exists());
    // From outside the repository, naming its manifest.
    let manifest = fx.repo.join("Cargo.toml");
    let run = fx.run_in(
        fx.root(),
        &[
            "backport",
            "--abort",
            "--format",
            "json",
            "--manifest-path",
            manifest.to_str().unwrap(),
        ],
    );
    run.assert_code(0);
    assert_eq!(run.status("abort"), "pass", "{run:?}");
    assert!(!wt.exists());
    assert_eq!(fx.git(&["worktree", "list"]).lines().count(), 1);
    assert!(!ref_exists(&fx, "security-release/stable"));
    assert_user_state_kept(&before, &fx.state());
    fx.git(&["fsck", "--no-progress"]);
}

/// `crates/crates-io/src/lib.rs` of stable with the second fix commit
/// rewritten for it: stable has no `./` stripping.
const UPLOAD_RESOLVED: &str = r#"//! Registry client.

/// Where packages are published by default.
pub const DEFAULT_REGISTRY: &str = "crates-io";

/// Normalises a package path before upload.
pub fn upload_path(entry: &str) -> Result<String, String> {
    if entry.split('/').any(|c| c == cargo_util::PARENT) {
        return Err(format!("upload path `{entry}` leaves the package"));
    }
    cargo_util::paths::join_checked("package", entry)
}
"#;

#[test]
fn a_second_conflict_after_continue_waits_in_the_same_worktree() {
    let fx = Fixture::scenario("backport-two-conflicts");
    backport(&fx, &["--stable", "stable", "--worktree"]).assert_code(1);
    let wt = conflict_worktree(&fx, "security-release/stable");
    std::fs::write(wt.join("crates/cargo-util/src/lib.rs"), UTIL_RESOLVED).unwrap();
    fx.git_in(&wt, &["add", "-A"]);

    // From the main checkout, naming the target.
    let run = continue_in(&fx, &fx.repo, &["--onto", "stable", "--no-build"]);
    run.assert_code(1);
    let row = run.row_in(Some("stable"), "cherry-pick");
    assert_eq!(row["status"], "fail", "{run:?}");
    assert!(
        row["summary"]
            .as_str()
            .unwrap()
            .contains("Refuse upload paths that leave the package"),
        "{run:?}"
    );
    assert!(
        messages(&run, "stable", "cherry-pick")
            .iter()
            .any(|m| m.contains("resolved in the worktree")
                && m.contains("Name the component that leaves a directory")),
        "{run:?}"
    );
    assert_eq!(
        fx.git_in(&wt, &["diff", "--name-only", "--diff-filter=U"]),
        "crates/crates-io/src/lib.rs"
    );
    // The worktree now sits on the first resolution.
    assert_eq!(
        fx.git_in(&wt, &["log", "-1", "--format=%s", "HEAD"]),
        "Name the component that leaves a directory"
    );
    assert!(!ref_exists(&fx, "security-release/stable"));

    std::fs::write(wt.join("crates/crates-io/src/lib.rs"), UPLOAD_RESOLVED).unwrap();
    fx.git_in(&wt, &["add", "-A"]);
    let run = continue_in(&fx, &fx.repo, &["--onto", "stable", "--no-build"]);
    run.assert_code(0);
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        [
            "Name the component that leaves a directory",
            "Refuse upload paths that leave the package",
            "Bump versions for the security release"
        ]
    );
    assert_eq!(
        show(
            &fx,
            "security-release/stable",
            "crates/crates-io/src/lib.rs"
        ),
        UPLOAD_RESOLVED.trim_end()
    );
    // crates-io ships a changed file now: it gets its point release too.
    let versions = messages(&run, "stable", "version-bump");
    assert!(
        versions
            .iter()
            .any(|m| m.contains("crates-io 0.38.0 → 0.38.1")),
        "{run:?}"
    );
    assert!(!wt.exists());
}

#[test]
fn killed_during_continue_leaves_no_branch_and_continues_again() {
    use std::io::BufRead as _;
    let fx = Fixture::scenario("backport-conflict");
    backport(&fx, &["--stable", "stable", "--worktree"]).assert_code(1);
    let wt = conflict_worktree(&fx, "security-release/stable");
    std::fs::write(wt.join("crates/cargo-util/src/lib.rs"), UTIL_RESOLVED).unwrap();
    fx.git_in(&wt, &["add", "-A"]);

    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_cargo-security-release"));
    fx.env(&mut cmd)
        .args([
            "backport",
            "--continue",
            "--no-build",
            "--format",
            "json",
            "--offline",
        ])
        .current_dir(&wt)
        .env("CARGO_SECURITY_RELEASE_TEST_PAUSE_BEFORE_REF_MS", "60000")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped());
    let mut child = cmd.spawn().unwrap();
    let stderr = child.stderr.take().unwrap();
    let mut lines = std::io::BufReader::new(stderr).lines();
    let paused = lines.any(|l| l.is_ok_and(|l| l.contains("test pause")));
    child.kill().unwrap(); // SIGKILL: no cleanup runs
    child.wait().unwrap();
    assert!(paused, "the tool never reached the pause");
    assert!(!ref_exists(&fx, "security-release/stable"));
    // The resolution and the progress survive in the worktree.
    assert!(wt.exists());
    assert_eq!(
        fx.git_in(&wt, &["diff", "--cached", "--name-only"]),
        "crates/cargo-util/src/lib.rs"
    );
    fx.git(&["fsck", "--no-progress"]);

    let run = continue_in(&fx, &wt, &["--no-build"]);
    run.assert_code(0);
    assert_row(&run, "stable", "branch", "pass");
    assert_eq!(
        subjects(&fx, "stable..security-release/stable"),
        [
            "Name the component that leaves a directory",
            "Bump versions for the security release"
        ]
    );
    assert!(!wt.exists());
}

#[test]
fn a_hand_made_backport_is_adopted_with_onto_target_equals_branch() {
    let fx = Fixture::scenario("backport-handmade");
    let before = fx.state();
    let handmade = fx.git(&["rev-parse", "fix-0.12"]);
    let run = backport(&fx, &["--onto", "0.13.x", "--onto", "0.12.x=fix-0.12"]);
    run.assert_code(0);
    assert_user_state_kept(&before, &fx.state());

    // 0.13.x: the fix cherry-picks.
    assert_eq!(
        subjects(&fx, "0.13.x..security-release/0.13.x"),
        [
            "fix(http1): refuse chunked before the last transfer-encoding",
            "test(http1): chunked before the last encoding is refused",
            "Bump hyper to 0.13.10 for the security release"
        ]
    );
    // 0.12.x: nothing picked; the hand-made branch plus the bump commit.
    let row = run.row_in(Some("0.12.x"), "counterparts");
    assert_eq!(row["status"], "warn", "{run:?}");
    let details = messages(&run, "0.12.x", "counterparts");
    let rewritten = fx.git(&["rev-parse", "--short=7", "fix-0.12~1"]);
    assert!(
        details
            .iter()
            .any(|m| m.contains("refuse chunked before the last")
                && m.contains(&format!("→ {rewritten}"))),
        "{run:?}"
    );
    assert!(
        details
            .iter()
            .any(|m| m.contains("test(http1)") && m.contains("[missing]")),
        "{run:?}"
    );
    assert!(
        run.json()["sections"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == "0.12.x")
            .unwrap()["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["id"] != "cherry-pick"),
        "{run:?}"
    );
    assert_eq!(
        fx.git(&["rev-parse", "security-release/0.12.x~1"]),
        handmade
    );
    assert_eq!(
        fx.git(&["log", "-1", "--format=%s", "security-release/0.12.x"]),
        "Bump hyper to 0.12.36 for the security release"
    );
    let manifest = show(&fx, "security-release/0.12.x", "Cargo.toml");
    assert!(
        manifest.contains("version = \"0.12.36\" # don't forget to update html_root_url"),
        "{manifest}"
    );
    assert!(
        show(&fx, "security-release/0.12.x", "src/lib.rs")
            .contains("https://docs.rs/hyper/0.12.36")
    );
    assert_eq!(
        fx.git(&[
            "diff",
            "--name-only",
            "security-release/0.12.x~1",
            "security-release/0.12.x"
        ]),
        "Cargo.toml\nsrc/lib.rs"
    );
    // A hand-made branch that does not start from its line is refused.
    fx.git(&["branch", "from-master", "fix-transfer-encoding"]);
    let before = fx.state();
    let run = backport(&fx, &["--onto", "0.12.x=from-master"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("does not start from `0.12.x`"),
        "{run:?}"
    );
    assert_eq!(fx.state(), before);
}

#[test]
fn merge_forward_over_three_lines_continues_after_a_conflict_on_the_middle_one() {
    let fx = Fixture::scenario("backport-merge-forward");
    let lines = [
        "--strategy",
        "merge-forward",
        "--onto",
        "1.0.x",
        "--onto",
        "1.1.x",
        "--onto",
        "1.2.x",
        "--worktree",
    ];
    let run = backport(&fx, &lines);
    run.assert_code(1);
    // 1.0.x: the fix branch starts there, so its commit is taken as is.
    assert_row(&run, "1.0.x", "branch", "pass");
    let fix = fx.git(&["rev-parse", "fix-chunk-overflow"]);
    assert_eq!(fx.git(&["rev-parse", "security-release/1.0.x~1"]), fix);
    assert!(show(&fx, "security-release/1.0.x", "Cargo.toml").contains("version = \"1.0.4\""));
    // 1.1.x: the merge conflicts; 1.2.x waits, with its plan.
    assert_row(&run, "1.1.x", "merge", "fail");
    assert_row(&run, "1.2.x", "merge", "skip");
    assert!(
        run.row_in(Some("1.2.x"), "version-bump")["summary"]
            .as_str()
            .unwrap()
            .contains("chunked 1.2.0 → 1.2.1"),
        "{run:?}"
    );
    assert!(!ref_exists(&fx, "security-release/1.1.x"));
    assert!(!ref_exists(&fx, "security-release/1.2.x"));
    let wt = conflict_worktree(&fx, "security-release/1.1.x");
    // Versions are pinned: only the code conflicts.
    assert_eq!(
        fx.git_in(&wt, &["diff", "--name-only", "--diff-filter=U"]),
        "src/lib.rs"
    );
    let resolved = show(&fx, "1.1.x", "src/lib.rs")
        .replace(
            "//! Chunked transfer decoding.\n",
            "//! Chunked transfer decoding.\n\n/// The largest chunk this decoder accepts.\npub const MAX_CHUNK: usize = 1 << 24;\n",
        )
        .replace(
            "    usize::from_str_radix(size, 16).ok()",
            "    let size = usize::from_str_radix(size, 16).ok()?;\n    // A huge size would make the caller allocate it: refuse it.\n    (size <= MAX_CHUNK).then_some(size)",
        )
        + "\n";
    std::fs::write(wt.join("src/lib.rs"), &resolved).unwrap();
    fx.git_in(&wt, &["add", "src/lib.rs"]);

    let run = continue_in(&fx, &wt, &["--no-build"]);
    run.assert_code(0);
    for line in ["1.1.x", "1.2.x"] {
        assert_row(&run, line, "merge", "pass");
        assert_row(&run, line, "branch", "pass");
    }
    // The chain: each line merges the previous line's release.
    let parents = |rev: &str| -> Vec<String> {
        fx.git(&["log", "-1", "--format=%P", rev])
            .split(' ')
            .map(str::to_string)
            .collect()
    };
    assert_eq!(
        parents("security-release/1.1.x~1"),
        [
            fx.git(&["rev-parse", "1.1.x"]),
            fx.git(&["rev-parse", "security-release/1.0.x"])
        ]
    );
    assert_eq!(
        parents("security-release/1.2.x~1"),
        [
            fx.git(&["rev-parse", "1.2.x"]),
            fx.git(&["rev-parse", "security-release/1.1.x"])
        ]
    );
    for (line, version) in [("1.1.x", "1.1.3"), ("1.2.x", "1.2.1")] {
        let branch = format!("security-release/{line}");
        assert!(
            show(&fx, &branch, "Cargo.toml").contains(&format!("version = \"{version}\"")),
            "{line}"
        );
        assert!(
            show(&fx, &branch, "Cargo.lock")
                .contains(&format!("name = \"chunked\"\nversion = \"{version}\"")),
            "{line}"
        );
        assert!(show(&fx, &branch, "src/lib.rs").contains("(size <= MAX_CHUNK).then_some(size)"));
    }
    assert!(show(&fx, "security-release/1.2.x", "src/lib.rs").contains("pub fn is_last"));
    assert!(
        run.json()["sections"][1]["facts"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["key"] == "merge-chain"
                && f["value"] == serde_json::json!(["1.0.x", "1.1.x", "1.2.x"])),
        "{run:?}"
    );
    assert!(!wt.exists());
}

#[test]
fn a_bump_without_workspace_package_changes_only_the_version() {
    let fx = Fixture::scenario("backport-no-workspace-package");
    let run = backport(&fx, &["--onto", "0.3.x"]);
    run.assert_code(0);
    assert_eq!(
        subjects(&fx, "0.3.x..security-release/0.3.x"),
        [
            "streams: limit error resets for misbehaving connections",
            "Bump h2 to 0.3.27 for the security release"
        ]
    );
    let diff = fx.git(&[
        "diff",
        "--unified=0",
        "security-release/0.3.x~1",
        "security-release/0.3.x",
    ]);
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect();
    assert_eq!(
        changed,
        ["-version = \"0.3.26\"", "+version = \"0.3.27\""],
        "{diff}"
    );
    assert!(!show(&fx, "security-release/0.3.x", "Cargo.toml").contains("package = {}"));
    assert_row(&run, "0.3.x", "lockfile", "pass");
    // Nothing left to change: no second bump commit on top.
    let run = backport(&fx, &["--onto", "0.3.x", "--force", "--bump", "none"]);
    run.assert_code(0);
    assert_eq!(subjects(&fx, "0.3.x..security-release/0.3.x").len(), 1);
    assert!(
        messages(&run, "0.3.x", "version-bump")
            .iter()
            .any(|m| m.contains("no bump commit")),
        "{run:?}"
    );
}

#[test]
fn the_backport_prefix_is_checked_before_anything_is_written() {
    let fx = Fixture::scenario("backport-three-commits");
    fx.git(&["branch", "ster", "stable"]);
    let before = fx.state();
    for (args, says) in [
        (vec!["--backport-prefix", ""], "prefix is empty"),
        (vec!["--backport-prefix=-f"], "starts with `-`"),
        (
            vec!["--onto", "ster", "--backport-prefix", "ma"],
            "would write `master`",
        ),
        (
            vec!["--backport-prefix", "a..b/"],
            "not a valid branch name",
        ),
    ] {
        let run = backport(&fx, &args);
        run.assert_code(2);
        assert!(run.stderr.contains(says), "{args:?}: {run:?}");
        assert_eq!(fx.state(), before, "{args:?}");
    }
}

#[test]
fn a_partial_clone_gets_a_clear_error_and_works_once_complete() {
    let fx = Fixture::scenario("backport-three-commits");
    fx.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = fx.root().join("partial");
    let url = format!("file://{}", fx.repo.display());
    fx.git_in(
        fx.root(),
        &[
            "clone",
            "-q",
            "--filter=blob:none",
            "--no-checkout",
            &url,
            clone.to_str().unwrap(),
        ],
    );
    fx.git_in(&clone, &["switch", "-q", "fix-path-traversal"]);
    let run = fx.run_in(
        &clone,
        &[
            "backport",
            "--format",
            "json",
            "--offline",
            "--no-build",
            "--stable",
            "stable",
        ],
    );
    run.assert_code(2);
    let all = format!("{}{}", run.stdout, run.stderr);
    assert!(
        all.contains("partial clone") && all.contains("git fetch --refetch --no-filter"),
        "{run:?}"
    );
    assert!(
        fx.git_in(&clone, &["for-each-ref", "refs/heads/security-release"])
            .is_empty()
    );
    // The tool fetched nothing: blobs are still missing.
    let missing = fx.git_in(
        &clone,
        &["rev-list", "--objects", "--missing=print", "--all"],
    );
    assert!(missing.lines().any(|l| l.starts_with('?')));
    // No background maintenance: it would prune the loose-object
    // directories the next run writes into, at the same time.
    fx.git_in(
        &clone,
        &[
            "-c",
            "gc.auto=0",
            "-c",
            "maintenance.auto=false",
            "fetch",
            "-q",
            "--no-auto-maintenance",
            "--refetch",
            "--no-filter",
            "origin",
        ],
    );
    let run = fx.run_in(
        &clone,
        &[
            "backport",
            "--format",
            "json",
            "--offline",
            "--no-build",
            "--stable",
            "stable",
        ],
    );
    run.assert_code(0);
}

#[test]
fn a_clean_pick_that_needs_a_newer_external_crate_is_aligned_and_builds() {
    let registry = support::index_server::IndexServer::start(support::index_server::Mode::Normal);
    registry.publish_crate(
        "path-jail",
        "0.1.0",
        "pub const VERSION: &str = \"0.1.0\";\n",
    );
    registry.publish_crate(
        "path-jail",
        "0.1.1",
        "pub const VERSION: &str = \"0.1.1\";\n\n\
         /// Whether `path` stays below `root`.\n\
         pub fn contains(_root: &str, path: &str) -> bool {\n    !path.split('/').any(|c| c == \"..\")\n}\n",
    );
    let fx = Fixture::scenario_with_registry("backport-external-align", &registry);
    let target_lock = show(&fx, "release-24.0.0", "Cargo.lock");
    assert!(target_lock.contains("version = 3\n"));

    // Without alignment the pick applies and the line does not build.
    let run = backport_built(&fx, &["--no-align-deps"]);
    run.assert_code(1);
    assert_row(&run, "release-24.0.0", "cherry-pick", "pass");
    assert_row(&run, "release-24.0.0", "external-deps", "fail");
    assert!(
        messages(&run, "release-24.0.0", "external-deps")
            .iter()
            .any(|m| m.starts_with("path-jail: the fix uses it")
                && m.contains("path_jail::contains")
                && m.contains("--no-align-deps")),
        "{run:?}"
    );
    assert_row(&run, "release-24.0.0", "build", "fail");
    assert!(
        messages(&run, "release-24.0.0", "build")
            .iter()
            .any(|m| m.contains("contains")),
        "{run:?}"
    );
    assert_row(&run, "release-24.0.0", "branch", "pass");

    // With it, the bump commit raises the requirement and takes main's
    // lock entry; the lockfile keeps its format; the branch builds.
    let run = backport_built(&fx, &["--force"]);
    run.assert_code(0);
    assert_row(&run, "release-24.0.0", "external-deps", "pass");
    assert!(
        messages(&run, "release-24.0.0", "external-deps")
            .first()
            .is_some_and(
                |m| m.contains("aligned in the bump commit: \"0.1.0\" → \"0.1.1\"")
                    && m.contains("Cargo.lock 0.1.0 → 0.1.1")
            ),
        "{run:?}"
    );
    assert_row(&run, "release-24.0.0", "build", "pass");
    let branch = "security-release/release-24.0.0";
    let root = show(&fx, branch, "Cargo.toml");
    assert!(root.contains("path-jail = \"0.1.1\""), "{root}");
    assert!(root.contains("version = \"24.0.1\""), "{root}");
    assert!(root.contains("version = \"=24.0.1\""), "{root}");
    let lock = show(&fx, branch, "Cargo.lock");
    let main_lock = show(&fx, "master", "Cargo.lock");
    assert!(lock.contains("version = 3\n"), "{lock}");
    let entry = |lock: &str| -> String {
        let start = lock.find("name = \"path-jail\"").unwrap();
        lock[start..].split("\n\n").next().unwrap().to_string()
    };
    assert_eq!(entry(&lock), entry(&main_lock));
    // Only that entry and the bumped members changed.
    let changed: Vec<String> = fx
        .git(&[
            "diff",
            "--unified=0",
            "release-24.0.0",
            branch,
            "--",
            "Cargo.lock",
        ])
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(str::to_string)
        .collect();
    assert_eq!(changed.len(), 4, "{changed:?}");
    let message = fx.git(&["log", "-1", "--format=%B", branch]);
    assert!(
        message.contains("path-jail requirement \"0.1.0\" -> \"0.1.1\""),
        "{message}"
    );
}
/// A branch name is the repository's text: the printed command must run
/// as the one command it says, whatever the name holds.
#[test]
fn printed_commands_are_shell_quoted() {
    let fx = Fixture::scenario("backport-three-commits");
    let evil = "st;touch${IFS}PWNED;";
    fx.steps(
        r#"
[[step]]
remote = { name = "origin", path = "public/cargo.git" }
[[step]]
remote = { name = "security-fork", path = "private/cargo-ghsa-r5w3-xm58-jv6j.git" }
"#,
    );
    fx.git(&["branch", evil, "stable"]);
    let run = backport(&fx, &["--onto", evil, "--public-remote", "origin"]);
    run.assert_code(0);
    let step = run.json()["next_steps"][0].as_str().unwrap().to_string();
    assert_eq!(
        step,
        format!("git push security-fork 'security-release/{evil}'")
    );
    let out = fx
        .env(&mut std::process::Command::new("sh"))
        .args(["-c", &step])
        .current_dir(&fx.repo)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !fx.repo.join("PWNED").exists(),
        "the printed command ran `touch`"
    );
    let pushed = fx.git_in(
        &fx.root().join("private/cargo-ghsa-r5w3-xm58-jv6j.git"),
        &["for-each-ref", "--format=%(refname)"],
    );
    assert_eq!(pushed, format!("refs/heads/security-release/{evil}"));
}

#[test]
fn mains_release_commit_lands_its_entry_in_the_lines_changelog() {
    let fx = Fixture::scenario("backport-release-commit");
    let run = backport(&fx, &["--onto", "0.3.x"]);
    run.assert_code(0);
    // The release commit conflicted only in CHANGELOG.md: its entry is put
    // where master put it (the top), under the version 0.3.x ships.
    assert_row(&run, "0.3.x", "cherry-pick", "warn");
    assert!(
        messages(&run, "0.3.x", "cherry-pick")
            .iter()
            .any(|m| m.contains("conflicted only in `CHANGELOG.md`")
                && m.contains("read it before you push")),
        "{run:?}"
    );
    assert_eq!(
        show(&fx, "security-release/0.3.x", "CHANGELOG.md"),
        "# 0.3.26 (April 3, 2024)\n\n\
         * Limit number of CONTINUATION frames for misbehaving connections.\n\n\
         # 0.3.25 (March 15, 2024)\n\n\
         * Improve performance decoding many headers."
    );
    assert_eq!(
        subjects(&fx, "0.3.x..security-release/0.3.x"),
        [
            "fix: limit number of CONTINUATION frames allowed",
            "v0.3.26",
            "Bump framewire to 0.3.26 for the security release",
        ]
    );
    assert!(show(&fx, "security-release/0.3.x", "Cargo.toml").contains("version = \"0.3.26\""));
    // bytes moved a major version on master: not the tool's call, a warning
    // (the build decides), and the line keeps its own requirement.
    assert_row(&run, "0.3.x", "external-deps", "warn");
    assert!(
        messages(&run, "0.3.x", "external-deps")
            .iter()
            .any(|m| m.contains("bytes") && m.contains("the build tells")),
        "{run:?}"
    );
    assert!(show(&fx, "security-release/0.3.x", "Cargo.toml").contains("bytes = \"0.5\""));
}
