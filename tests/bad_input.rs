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

/// Every flag and key that takes a number or a URL, with values that
/// overflow, are not numbers, or are not URLs: each is a clear error
/// (exit 2, naming the flag or key), never a panic, and the repository is
/// left as it was. `run_tool` fails the test on any panic message.
#[test]
fn hostile_numbers_and_urls_are_refused() {
    let fx = Fixture::scenario("good-fix");
    let before = fx.state();
    let numbers = [
        "1e300",
        "18446744073709551615",
        "-1",
        "nan",
        "inf",
        "1e-300",
        "abc",
        "",
    ];
    let urls = [
        "http://[::1",
        "https://",
        "sparse+http://a b/",
        "http://%zz/",
        "sparse+",
        "ftp://example.com/",
        "http://example.com/?q=1",
    ];
    let mut cases: Vec<(Vec<String>, String)> = Vec::new();
    for v in numbers {
        for (command, flag) in [
            ("check", "--timeout"),
            ("check", "--ci-timeout"),
            ("check", "--semver-timeout"),
            ("backport", "--timeout"),
            ("backport", "--ci-timeout"),
            ("backport", "--semver-timeout"),
            ("verify-published", "--timeout"),
            ("verify-published", "--wait"),
        ] {
            if flag == "--wait" && v == "1e-300" {
                continue; // no wait at all, which --wait 0 also means
            }
            cases.push((vec![command.into(), flag.into(), v.into()], flag.into()));
        }
    }
    // 0 means "do not wait", but it is no time limit.
    cases.push((
        vec!["check".into(), "--timeout".into(), "0".into()],
        "--timeout".into(),
    ));
    for v in urls {
        for command in ["check", "backport", "verify-published"] {
            cases.push((
                vec![command.into(), "--index".into(), v.into()],
                "index URL".into(),
            ));
            cases.push((
                vec![
                    command.into(),
                    "--offline".into(),
                    "--index".into(),
                    v.into(),
                ],
                "index URL".into(),
            ));
        }
    }
    // `advisory` writes URLs into RustSec and OSV files (where a query is fine).
    for v in urls.iter().filter(|u| !u.contains('?')) {
        for flag in ["--url", "--reference"] {
            cases.push((
                vec![
                    "advisory".into(),
                    "--offline".into(),
                    flag.into(),
                    (*v).into(),
                ],
                flag.into(),
            ));
        }
    }
    for name in ["a=b", "", "bad name"] {
        cases.push((
            vec!["verify-published".into(), "--registry".into(), name.into()],
            "registry name".into(),
        ));
    }
    for (args, needle) in &cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let run = fx.run(&args);
        run.assert_code(2);
        assert!(run.stderr.contains("error"), "{args:?}:\n{run:?}");
        assert!(
            run.stderr.contains(needle.as_str()),
            "{args:?} should name {needle}:\n{run:?}"
        );
    }

    // The same values in the configuration name the file and the key.
    for (key, value) in [
        ("index", "\"http://[::1\""),
        ("ci-timeout", "1e300"),
        ("semver-timeout", "-1"),
        ("ci-timeout", "nan"),
        ("ci-timeout", "\"10\""),
    ] {
        let manifest = fx.read("Cargo.toml");
        let edited = manifest.replace(
            "[workspace.metadata.security-release]",
            &format!("[workspace.metadata.security-release]\n{key} = {value}"),
        );
        fx.write("Cargo.toml", &edited);
        let run = fx.run(&["check", "--offline"]);
        fx.write("Cargo.toml", &manifest);
        run.assert_code(2);
        assert!(
            run.stderr.contains("Cargo.toml") && run.stderr.contains(key),
            "`{key} = {value}`:\n{run:?}"
        );
    }
    assert_eq!(before, fx.state(), "repository changed");
}

#[test]
fn manifest_path_must_name_a_cargo_toml() {
    let fx = Fixture::scenario("good-fix");
    let repo = fx.repo.clone();
    assert_refused(&fx, &repo, &["--manifest-path", "."], "is a directory");
    assert_refused(
        &fx,
        &repo,
        &["--manifest-path", "crates/cargo-util/src/lib.rs"],
        "must name a `Cargo.toml` file",
    );
}

/// For CI: an exit-2 error is still a JSON document on stdout, whether clap
/// or the command refused the input; the exit code stays 2.
#[test]
fn errors_are_a_json_document_with_format_json() {
    let fx = Fixture::scenario("good-fix");
    for args in [
        &[
            "check",
            "--format",
            "json",
            "--offline",
            "--base",
            "no-such-rev",
        ][..],
        &["check", "--format=json", "--ci-timeout", "1e300"][..],
        &["verify-published", "--format", "json", "--ci", "true"][..],
    ] {
        let run = fx.run(args);
        run.assert_code(2);
        let doc = run.json();
        assert_eq!(doc["status"], "error", "{run:?}");
        assert_eq!(doc["exit_code"], 2, "{run:?}");
        assert_eq!(doc["schema_version"], 2, "{run:?}");
        assert_eq!(doc["command"], args[0], "{run:?}");
        let error = doc["error"].as_str().unwrap_or_default();
        assert!(!error.is_empty() && !error.contains("Usage:"), "{run:?}");
        assert!(doc["sections"].as_array().is_some_and(Vec::is_empty));
    }
    let run = fx.run(&[
        "check",
        "--format",
        "json",
        "--offline",
        "--base",
        "no-such-rev",
    ]);
    assert!(
        run.json()["error"]
            .as_str()
            .unwrap()
            .contains("no-such-rev"),
        "{run:?}"
    );
}

/// `--help` of each subcommand: its own flags, the configuration flags it
/// uses, the global ones under their own heading, the check ids, an
/// example; a configuration flag a subcommand does not use is refused.
#[test]
fn help_shows_what_each_subcommand_uses() {
    let fx = Fixture::empty();
    let help = |cmd: &str| {
        let run = fx.run(&[cmd, "--help"]);
        run.assert_code(0);
        run.stdout
    };
    let check = help("check");
    for text in [
        "Global options:",
        "--timeout <SECS>",
        "--branch <NAME[:LINE]>",
        "Example:",
    ] {
        assert!(check.contains(text), "check --help lacks {text}:\n{check}");
    }
    assert!(
        check.contains("temporary-patches") && check.contains("clean-tree"),
        "{check}"
    );
    assert!(!check.contains("--bump"), "{check}");
    let verify = help("verify-published");
    assert!(
        verify.contains("--wait <SECS>") && verify.contains("Example:"),
        "{verify}"
    );
    for unused in [
        "--ci <",
        "--changelog",
        "--bump",
        "--manual",
        "--ci-timeout",
    ] {
        assert!(
            !verify.contains(unused),
            "verify-published lists {unused}:\n{verify}"
        );
    }
    let advisory = help("advisory");
    assert!(
        advisory.contains("--cvss <VECTOR>") && advisory.contains("Example:"),
        "{advisory}"
    );
    for unused in ["--ci <", "--index", "--ci-timeout"] {
        assert!(
            !advisory.contains(unused),
            "advisory lists {unused}:\n{advisory}"
        );
    }
    let backport = help("backport");
    assert!(
        backport.contains("--bump <POLICY>") && backport.contains("Example:"),
        "{backport}"
    );
    let run = fx.run(&["verify-published", "--ci", "true"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("`--ci` is not used by `verify-published`"),
        "{run:?}"
    );
}
