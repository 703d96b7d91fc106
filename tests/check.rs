//! `check` on fixture repositories: for every check a scenario where it
//! passes and one where it fails, asserted on the JSON report.

mod support;

use support::Fixture;

#[test]
fn good_fix_passes_every_static_check() {
    let fx = Fixture::scenario("good-fix");
    let run = fx.check(&[]);
    run.assert_code(0);
    for id in [
        "clean-tree",
        "version-bump",
        "dependency-specs",
        "lockfile",
        "temporary-patches",
        "changelog",
        "commits",
        "embargo",
    ] {
        run.assert_status(id, "pass");
    }
    run.assert_status("manual", "manual");
    run.assert_detail("version-bump", "crate", "cargo-util", "0.2.4 → 0.2.5");
}

#[test]
fn unbumped_crate_fails_version_bump() {
    let fx = Fixture::scenario("no-bump");
    let run = fx.check(&[]);
    run.assert_code(1)
        .assert_status("version-bump", "fail")
        .assert_detail(
            "version-bump",
            "crate",
            "cargo-util",
            "still 0.2.4, which is already released (release line `beta` ships it)",
        );
    assert!(
        run.row("version-bump")["hint"]
            .as_str()
            .unwrap()
            .contains("bump cargo-util to 0.2.5"),
        "{run:?}"
    );
}

#[test]
fn crate_changed_only_in_tests_still_counts() {
    let fx = Fixture::scenario("tests-only");
    let run = fx.check(&[]);
    run.assert_status("version-bump", "fail").assert_detail(
        "version-bump",
        "crate",
        "cargo-util",
        "changed only under tests/",
    );
}

#[test]
fn dependents_that_allow_the_vulnerable_version_fail() {
    let fx = Fixture::scenario("dependents-allow-vulnerable");
    let run = fx.check(&[]);
    run.assert_status("dependency-specs", "fail")
        .assert_detail(
            "dependency-specs",
            "file",
            "Cargo.toml",
            "still allows 0.2.4",
        )
        .assert_detail(
            "dependency-specs",
            "file",
            "crates/crates-io/Cargo.toml",
            "crates-io depends on cargo-util with `0.2`",
        );
}

#[test]
fn stale_lockfile_after_a_bump_fails() {
    let fx = Fixture::scenario("stale-lock");
    let run = fx.check(&[]);
    run.assert_status("dependency-specs", "pass")
        .assert_status("lockfile", "fail")
        .assert_detail("lockfile", "crate", "cargo-util", "0.2.4");
}

#[test]
fn missing_lockfile_fails_the_lockfile_check() {
    let fx = Fixture::scenario("good-fix");
    fx.steps(
        r#"
[[step]]
remove = ["Cargo.lock"]
commit = """
Stop tracking Cargo.lock

Checking that a missing lockfile is caught."""
"#,
    );
    let before = fx.state();
    let run = fx.check(&[]);
    run.assert_code(1)
        .assert_status("lockfile", "fail")
        .assert_detail("lockfile", "file", "Cargo.lock", "");
    assert_eq!(before, fx.state(), "check must not create Cargo.lock");
}

#[test]
fn pins_introduced_by_the_fix_fail() {
    let fx = Fixture::scenario("patches-introduced");
    let run = fx.check(&[]);
    run.assert_code(1)
        .assert_status("temporary-patches", "fail")
        .assert_detail(
            "temporary-patches",
            "file",
            "Cargo.toml",
            "[patch.crates-io] tar",
        )
        .assert_detail(
            "temporary-patches",
            "file",
            ".cargo/config.toml",
            "[patch.crates-io] flate2",
        )
        .assert_detail(
            "temporary-patches",
            "file",
            "crates/crates-io/Cargo.toml",
            "curl",
        )
        .assert_detail(
            "temporary-patches",
            "file",
            "Cargo.lock",
            "git+https://github.com/example-security/curl-rust",
        );
    for d in run.row("temporary-patches")["details"].as_array().unwrap() {
        assert_eq!(d["status"], "fail", "introduced since BASE: {d}");
    }
}

#[test]
fn pins_present_at_base_only_warn() {
    let fx = Fixture::scenario("patches-at-base");
    let run = fx.check(&["--skip", "lockfile"]);
    run.assert_status("temporary-patches", "warn")
        .assert_detail(
            "temporary-patches",
            "file",
            "Cargo.toml",
            "[patch.crates-io] tar",
        );
}

#[test]
fn missing_changelog_entry_fails() {
    let fx = Fixture::scenario("no-changelog");
    let run = fx.check(&[]);
    run.assert_status("version-bump", "pass")
        .assert_status("changelog", "fail")
        .assert_detail("changelog", "file", "CHANGELOG.md", "");
}

#[test]
fn fixup_and_merge_commits_fail() {
    let fx = Fixture::scenario("messy-commits");
    let run = fx.check(&[]);
    run.assert_status("commits", "fail");
    let fixup = fx.git(&["rev-parse", "fix-path-traversal^1"]);
    let merge = fx.git(&["rev-parse", "fix-path-traversal"]);
    let side = fx.git(&["rev-parse", "side"]);
    run.assert_detail("commits", "commit", &fixup, "`fixup!` commit")
        .assert_detail("commits", "commit", &merge, "merge commit")
        .assert_detail("commits", "commit", &side, "subject is 91 chars")
        .assert_detail("commits", "commit", &side, "no body");
}

#[test]
fn fix_on_a_public_branch_fails_embargo() {
    let fx = Fixture::scenario("embargo-leaked");
    let before = fx.state();
    let run = fx.check(&[]);
    let fix = fx.git(&["rev-parse", "HEAD"]);
    run.assert_status("embargo", "fail")
        .assert_detail(
            "embargo",
            "ref",
            "origin/pr-1234",
            "already on public branch",
        )
        .assert_detail("embargo", "commit", &fix, "origin/pr-1234");
    assert!(
        run.details_with("embargo", "ref", "fork/fix-path-traversal")
            .is_empty(),
        "the ghsa fork is private: {run:?}"
    );
    assert_eq!(before, fx.state(), "check must not fetch or change refs");
}

#[test]
fn fix_only_on_the_private_fork_passes_embargo() {
    let fx = Fixture::scenario("embargo-private");
    let run = fx.check(&[]);
    run.assert_status("embargo", "pass");
    let summary = run.row("embargo")["summary"].as_str().unwrap();
    assert!(
        summary.contains("origin") && !summary.contains("fork"),
        "{run:?}"
    );
    // Declaring the fork public makes the same history fail.
    let run = fx.check(&["--public-remote", "fork"]);
    run.assert_status("embargo", "fail").assert_detail(
        "embargo",
        "ref",
        "fork/fix-path-traversal",
        "",
    );
}

#[test]
fn uncommitted_changes_fail_clean_tree() {
    let fx = Fixture::scenario("good-fix");
    fx.write("crates/cargo-util/src/extra.rs", "// not committed\n");
    fx.write("CHANGELOG.md", "# edited\n");
    let run = fx.check(&[]);
    run.assert_code(1)
        .assert_status("clean-tree", "fail")
        .assert_detail(
            "clean-tree",
            "file",
            "crates/cargo-util/src/extra.rs",
            "untracked",
        )
        .assert_detail("clean-tree", "file", "CHANGELOG.md", "modified");
}

#[test]
fn manual_items_include_configured_ones() {
    let fx = Fixture::scenario("good-fix");
    fx.steps(
        r#"
[[step]]
replace = [["Cargo.toml", 'advisory = "GHSA-r5w3-xm58-jv6j"', "advisory = \"GHSA-r5w3-xm58-jv6j\"\nmanual = [\"ping the rustup team\"]"]]
commit = """
List the rustup hand-off in the release checklist

The rustup team ships the toolchain with the fix."""
"#,
    );
    let run = fx.check(&[]);
    run.assert_status("manual", "manual");
    let details = run.row("manual")["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["message"] == "ping the rustup team"),
        "{run:?}"
    );
    assert!(
        details
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("RELEASES.md")),
        "{run:?}"
    );
}

#[test]
fn skipped_checks_are_skip_not_pass() {
    let fx = Fixture::scenario("no-changelog");
    let run = fx.check(&["--skip", "changelog", "--skip", "embargo"]);
    run.assert_code(0)
        .assert_status("changelog", "skip")
        .assert_status("embargo", "skip");
    assert_eq!(run.row("changelog")["summary"], "skipped by --skip");
}

#[test]
fn explicit_base_narrows_the_fix() {
    let fx = Fixture::scenario("messy-commits");
    let run = fx.check(&["--base", "fix-path-traversal~1"]);
    let section = &run.json()["sections"][0];
    let fact = |key: &str| {
        section["facts"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["key"] == key)
            .unwrap_or_else(|| panic!("no fact `{key}`:\n{run:?}"))
    };
    // side's commit and the merge: the fixup and the fix are below BASE.
    // Facts are typed: a number, full commit ids, a list.
    assert_eq!(fact("commits")["value"], 2, "{run:?}");
    assert_eq!(fact("head")["value"], fx.git(&["rev-parse", "HEAD"]));
    assert_eq!(
        fact("base")["value"],
        fx.git(&["rev-parse", "fix-path-traversal~1"])
    );
    assert_eq!(fact("base")["note"], "--base fix-path-traversal~1");
    assert!(fact("changed-crates")["value"].is_array(), "{run:?}");
    // Every section carries its own status, the worst of its rows.
    assert_eq!(section["status"], run.json()["status"], "{run:?}");
}

#[test]
fn flags_override_the_configured_branches() {
    let fx = Fixture::scenario("no-bump");
    // Configured beta ships cargo-util 0.2.4, so the fix must bump it…
    fx.check(&[]).assert_status("version-bump", "fail");
    // …but with --beta pointing elsewhere, 0.2.4 was never released.
    let run = fx.check(&["--beta", "stable"]);
    run.assert_status("version-bump", "pass").assert_detail(
        "version-bump",
        "crate",
        "cargo-util",
        "0.2.4 was never released",
    );
}

#[test]
fn color_follows_the_color_flag() {
    let fx = Fixture::scenario("good-fix");
    let colored = fx.run(&["check", "--offline", "--color", "always"]);
    assert!(colored.stdout.contains("\u{1b}["), "{colored:?}");
    let plain = fx.run(&["check", "--offline", "--color", "never"]);
    assert!(!plain.stdout.contains("\u{1b}["), "{plain:?}");
    assert!(plain.stdout.contains("Pass clean-tree"), "{plain:?}");
    let markdown = fx.run(&["check", "--offline", "--format", "markdown"]);
    assert!(
        markdown.stdout.contains("- [x] **version-bump**"),
        "{markdown:?}"
    );
}

/// A fix often comes from a reporter's branch, and such a branch can
/// commit a `.cargo/config.toml` naming a `build.rustc-wrapper` and a
/// `rust-toolchain.toml` pointing rustup at a toolchain `path`; cargo runs
/// both. Rows that build nothing (here `lockfile`'s `cargo metadata`) must
/// run neither: no marker file may appear.
#[test]
fn rows_that_build_nothing_run_no_repository_code() {
    let fx = Fixture::scenario("good-fix");
    let root = fx.root().to_path_buf();
    let sysroot = {
        let out = std::process::Command::new("rustc")
            .args(["--print", "sysroot"])
            .output()
            .expect("run rustc");
        std::path::PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
    };
    support::write_script(
        &root.join("evil/wrapper"),
        &format!("touch '{}/PWNED-wrapper'\nexec \"$@\"", root.display()),
    );
    for tool in ["cargo", "rustc"] {
        support::write_script(
            &root.join("evil/toolchain/bin").join(tool),
            &format!(
                "touch '{}/PWNED-{tool}'\nexec '{}/bin/{tool}' \"$@\"",
                root.display(),
                sysroot.display()
            ),
        );
    }
    fx.write(
        ".cargo/config.toml",
        &format!(
            "[build]\nrustc-wrapper = \"{}/evil/wrapper\"\n",
            root.display()
        ),
    );
    fx.write(
        "rust-toolchain.toml",
        &format!(
            "[toolchain]\npath = \"{}/evil/toolchain\"\n",
            root.display()
        ),
    );
    fx.commit("Build with the project's own toolchain\n\nThe reporter's setup.");
    let rustup = std::process::Command::new("rustup")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let markers = || -> Vec<String> {
        std::fs::read_dir(&root)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with("PWNED"))
            .collect()
    };
    // As the user's shell would run it: `cargo` through rustup, no
    // toolchain chosen by the environment.
    let clean_env = |cmd: &mut std::process::Command| {
        for var in [
            "RUSTUP_TOOLCHAIN",
            "CARGO",
            "RUSTC",
            "RUSTC_WRAPPER",
            "RUSTC_WORKSPACE_WRAPPER",
        ] {
            cmd.env_remove(var);
        }
    };
    // Armed: plain cargo runs the wrapper (and, under rustup, the toolchain).
    let mut armed = std::process::Command::new("cargo");
    armed
        .args(["metadata", "--format-version", "1", "--offline"])
        .current_dir(&fx.repo);
    clean_env(&mut armed);
    armed.output().expect("run cargo");
    let found = markers();
    assert!(found.contains(&"PWNED-wrapper".to_string()), "{found:?}");
    if rustup {
        assert!(found.contains(&"PWNED-cargo".to_string()), "{found:?}");
    }
    for m in found {
        std::fs::remove_file(root.join(m)).unwrap();
    }

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
            "semver",
        ],
        |cmd| {
            fx.env(cmd);
            clean_env(cmd);
        },
    );
    // cargo did resolve the workspace, without running either.
    run.assert_status("lockfile", "pass");
    assert_eq!(markers(), Vec::<String>::new(), "{run:?}");

    // Started by `cargo` inside the checkout, rustup hands the tool the
    // file's toolchain path: it is not passed on, and the user is warned
    // (also where stderr is a log, not a terminal), unless -q.
    let started_by = |cmd: &mut std::process::Command| {
        fx.env(cmd);
        clean_env(cmd);
        cmd.env("RUSTUP_TOOLCHAIN", root.join("evil/toolchain"))
            .env("RUSTUP_TOOLCHAIN_SOURCE", "toolchain-file");
    };
    let args = [
        "check",
        "--format",
        "json",
        "--offline",
        "--skip",
        "ci",
        "--skip",
        "semver",
    ];
    let run = support::run_tool(&fx.repo, &args, started_by);
    run.assert_status("lockfile", "pass");
    assert!(
        run.stderr.contains("warning: ") && run.stderr.contains("rust-toolchain file chose"),
        "{run:?}"
    );
    if rustup {
        assert_eq!(markers(), Vec::<String>::new(), "{run:?}");
    }
    let quiet = support::run_tool(&fx.repo, &[&args[..], &["-q"]].concat(), started_by);
    assert!(quiet.stderr.is_empty(), "{quiet:?}");
}

/// One root cause, reported once: cargo cannot load the `[patch]` on the
/// private fork, `temporary-patches` names it, and `ci`, `lockfile` and
/// `semver` point to it instead of repeating cargo's error. A hint never suggests
/// --offline to a run that has it.
#[test]
fn hints_fit_the_situation() {
    let fx = Fixture::scenario("demo");
    let run = fx.check(&[]);
    run.assert_status("temporary-patches", "fail")
        .assert_detail(
            "temporary-patches",
            "file",
            "Cargo.toml",
            "tar-rs-ghsa-r5w3-xm58-jv6j",
        );
    run.assert_status("ci", "fail")
        .assert_status("lockfile", "error");
    for id in ["ci", "lockfile"] {
        let row = run.row(id);
        let text = row["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap())
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            text.contains(
                "cannot load `tar` from https://github.com/rust-lang/tar-rs-ghsa-r5w3-xm58-jv6j"
            ) && text.contains("`temporary-patches`"),
            "{id}: {text}"
        );
        assert!(
            !text.contains("Caused by"),
            "{id} repeats cargo's error: {text}"
        );
        assert!(
            row["hint"].as_str().unwrap().contains("temporary-patches"),
            "{run:?}"
        );
    }

    let fx = Fixture::scenario("good-fix");
    // An edition cargo does not know: only cargo itself refuses it.
    let manifest = fx.read("Cargo.toml");
    fx.write(
        "Cargo.toml",
        &manifest.replacen("edition = \"2021\"", "edition = \"2099\"", 1),
    );
    let run = fx.check(&["--skip", "ci", "--skip", "semver"]);
    run.assert_status("lockfile", "error");
    let hint = run.row("lockfile")["hint"].as_str().unwrap();
    assert!(hint.contains("fix the cargo error"), "{run:?}");
    assert!(!hint.contains("--offline"), "{run:?}");
}

/// CI logs are no terminal: progress is off by default there, `-v` turns
/// it on, `-vv` adds every command the tool runs; stdout stays the report.
#[test]
fn verbose_output_reaches_a_log_and_vv_shows_commands() {
    let fx = Fixture::scenario("good-fix");
    let only = ["--skip", "ci", "--skip", "semver"];
    let quiet = fx.check(&only);
    assert!(quiet.stderr.is_empty(), "{quiet:?}");
    let v = fx.check(&[&only[..], &["-v"]].concat());
    assert!(v.stderr.contains("Checking version-bump"), "{v:?}");
    assert!(!v.stderr.contains("Running `"), "{v:?}");
    let vv = fx.check(&[&only[..], &["-vv"]].concat());
    assert!(vv.stderr.contains("Checking version-bump"), "{vv:?}");
    assert!(
        vv.stderr.contains("Running `") && vv.stderr.contains(" metadata --format-version 1"),
        "{vv:?}"
    );
    assert_eq!(vv.json()["status"], quiet.json()["status"]);
}

/// Markdown is pasted into the advisory thread: a commit subject cannot
/// mention anyone, link or hide text there, and no local path shows.
#[test]
fn markdown_is_safe_to_paste() {
    let fx = Fixture::scenario("good-fix");
    fx.commit(
        "Thank @alice for [the report](https://evil.example/) <!-- hidden --> and `more, at length here\n\n\
         Credit where it is due.",
    );
    let run = fx.run(&[
        "check",
        "--offline",
        "--format",
        "markdown",
        "--skip",
        "semver",
        "--ci",
        "false",
    ]);
    run.assert_code(1);
    let root = fx.root().canonicalize().unwrap();
    assert!(
        !run.stdout.contains(&*fx.root().to_string_lossy())
            && !run.stdout.contains(&*root.to_string_lossy()),
        "{run:?}"
    );
    for literal in [
        "log: target/security-release/ci/logs/",
        "`@alice`",
        "\\[the report\\](https://evil.example/)",
        "\\<!-- hidden --\\>",
        "\\`more",
    ] {
        assert!(run.stdout.contains(literal), "{literal}:\n{run:?}");
    }
}
