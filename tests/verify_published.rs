//! `verify-published` against real repositories and a real sparse index
//! served over HTTP on 127.0.0.1.

mod support;

use support::Fixture;
use support::index_server::{IndexServer, Mode};

const CKSUM: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn verify(fx: &Fixture, server: &IndexServer, args: &[&str]) -> support::Run {
    let mut all = vec![
        "verify-published",
        "--format",
        "json",
        "--base",
        "fix-base",
        "--index",
        server.url.as_str(),
        "--timeout",
        "1",
    ];
    all.extend_from_slice(args);
    fx.run(&all)
}

/// The `expected` fact: the versions the release should have published.
fn expected(run: &support::Run) -> Vec<String> {
    run.json()["sections"][0]["facts"]
        .as_array()
        .and_then(|f| f.iter().find(|f| f["key"] == "expected"))
        .and_then(|f| f["value"].as_array())
        .map(|v| {
            v.iter()
                .filter_map(|s| s.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// An index with every version the release should have published.
fn published(server: &IndexServer) {
    server.publish("cargo-util", "0.2.5", CKSUM, false);
    server.publish("cargo-util", "0.2.6", CKSUM, false);
    server.publish("cargo", "0.73.1", CKSUM, false);
    server.publish("itoa", "1.0.19", CKSUM, false);
}

#[test]
fn a_complete_release_passes() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let before = fx.state();
    let run = verify(&fx, &server, &[]);
    run.assert_code(0)
        .assert_status("registry", "pass")
        .assert_detail("registry", "crate", "cargo", "cargo@0.73.1 (stable) is on")
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "cargo-util@0.2.6 (stable) is on",
        )
        .assert_status("tag", "pass")
        .assert_detail("tag", "ref", "0.73.1", "is on `stable`")
        .assert_status("versions", "pass")
        .assert_detail(
            "versions",
            "ref",
            "stable",
            "cargo 0.73.1 on `stable` is the release made after the fix (tag `0.73.1`)",
        )
        // beta's 0.74.0 was never released: its first release carries the fix.
        .assert_detail(
            "versions",
            "ref",
            "beta",
            "cargo-util 0.2.4 on `beta` has not been released yet",
        )
        // master's bump to cargo-util 0.2.5 has no release tag: routine.
        .assert_detail(
            "versions",
            "ref",
            "master",
            "`master` made no release tag after the fix",
        )
        .assert_status("branches", "pass")
        .assert_detail("branches", "ref", "stable", "by cherry-pick trailer")
        .assert_detail("branches", "ref", "beta", "by patch-id")
        .assert_detail("branches", "ref", "master", "the commit itself")
        .assert_status("dependencies", "pass")
        .assert_detail("dependencies", "crate", "itoa", "resolves to 1.0.19")
        .assert_status("superproject", "skip");
    // Only master's own bump is expected of nobody else.
    assert_eq!(
        expected(&run),
        ["cargo@0.73.1", "cargo-util@0.2.6"],
        "{run:?}"
    );
    // master's own bump commit is not required on stable and beta.
    let bump = fx.git(&["rev-parse", "fix-path-traversal"]);
    run.assert_detail("branches", "commit", &bump, "not required");
    assert_eq!(before, fx.state());

    // From master, the merge that brought the fix is in BASE..HEAD: it is a
    // merge, not a version bump.
    fx.git(&["switch", "-q", "master"]);
    let run = verify(&fx, &server, &[]);
    let merge = fx.git(&["rev-parse", "master"]);
    run.assert_code(0).assert_detail(
        "branches",
        "commit",
        &merge,
        "not required: a merge: the fix commits it brings are looked for one by one",
    );
    assert!(
        !run.details_with("branches", "commit", &merge)[0]["message"]
            .as_str()
            .unwrap()
            .contains("only changes versions"),
        "{run:?}"
    );
}

#[test]
fn missing_yanked_and_many_versions() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    for patch in 0..40 {
        server.publish("cargo-util", &format!("0.2.{patch}"), CKSUM, patch == 6);
    }
    let run = verify(
        &fx,
        &server,
        &[
            "--crate",
            "cargo-util@0.2.5",
            "--crate",
            "cargo-util@0.2.6",
            "--crate",
            "cargo@0.73.1",
        ],
    );
    run.assert_code(1)
        .assert_status("registry", "fail")
        .assert_detail("registry", "crate", "cargo-util", "cargo-util@0.2.5 is on")
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "cargo-util@0.2.6 is published but yanked",
        )
        .assert_detail("registry", "crate", "cargo", "has no crate `cargo`");
    let run = verify(&fx, &server, &["--crate", "cargo-util@0.2.99"]);
    run.assert_detail("registry", "crate", "cargo-util", "has 40 other versions");
}

#[test]
fn server_errors_are_retried() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::FailFirst(2));
    published(&server);
    let run = verify(&fx, &server, &["--crate", "cargo-util@0.2.5"]);
    run.assert_code(0).assert_status("registry", "pass");
    // Two 500s, then one 200 for each crate asked: cargo-util, cargo
    // (beta's version, which the `versions` row looks up) and itoa (which
    // the fix requires).
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::SeqCst),
        5,
        "two 500s, then 200s"
    );
}

#[test]
fn a_server_that_never_answers_cannot_verify() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Hang);
    let run = verify(&fx, &server, &["--crate", "cargo-util@0.2.5"]);
    run.assert_code(2)
        .assert_status("registry", "error")
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "could not verify cargo-util@0.2.5",
        );
    assert!(!run.stdout.contains("not published"), "{run:?}");
}

#[test]
fn garbage_from_the_index_cannot_verify() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Garbage);
    let run = verify(&fx, &server, &["--crate", "cargo-util@0.2.5"]);
    run.assert_code(2)
        .assert_status("registry", "error")
        .assert_detail("registry", "crate", "cargo-util", "malformed index entry");
}

#[test]
fn tags_missing_on_the_wrong_branch_or_with_the_wrong_version() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    published(&server);

    fx.git(&["tag", "-d", "0.73.1"]);
    verify(&fx, &server, &[])
        .assert_status("tag", "fail")
        .assert_detail(
            "tag",
            "crate",
            "cargo",
            "no tag for cargo@0.73.1 (stable): expected `0.73.1`",
        );

    fx.git(&["tag", "0.73.1", "beta"]);
    verify(&fx, &server, &[])
        .assert_status("tag", "fail")
        .assert_detail(
            "tag",
            "ref",
            "0.73.1",
            "which is not on release branch `stable`",
        );

    fx.git(&["tag", "-f", "0.73.1", "stable~1"]);
    verify(&fx, &server, &[])
        .assert_status("tag", "fail")
        .assert_detail(
            "tag",
            "ref",
            "0.73.1",
            "has cargo 0.73.0 in Cargo.toml, not 0.73.1",
        );
}

/// The `branches` detail about fix commit `rev` on `line`: (status, message).
fn presence_of(run: &support::Run, fx: &Fixture, rev: &str, line: &str) -> (String, String) {
    let id = fx.git(&["rev-parse", rev]);
    let found: Vec<&serde_json::Value> = run
        .details_with("branches", "commit", &id)
        .into_iter()
        .filter(|d| d["ref"] == line)
        .collect();
    assert_eq!(found.len(), 1, "{rev} on {line}:\n{run:?}");
    (
        found[0]["status"].as_str().unwrap_or_default().to_string(),
        found[0]["message"].as_str().unwrap_or_default().to_string(),
    )
}

#[test]
fn a_backport_that_raised_a_dependency_matches_without_release_files() {
    let fx = Fixture::scenario("verify-code-patch-id");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(0).assert_status("branches", "pass");
    let beta = fx.git(&["rev-parse", "--short", "beta~1"]);
    let (status, message) = presence_of(&run, &fx, "fix-path-traversal~2", "beta");
    assert_eq!(status, "pass");
    assert!(
        message.contains(&format!(
            "by patch-id without Cargo.toml, Cargo.lock and changelog hunks in {beta}"
        )),
        "{message}"
    );
    let (_, message) = presence_of(&run, &fx, "fix-path-traversal~1", "beta");
    assert!(message.contains("(by patch-id in"), "{message}");
}

#[test]
fn a_rewritten_backport_warns_and_a_same_subject_commit_does_not_match() {
    let fx = Fixture::scenario("verify-rewritten");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(1).assert_status("branches", "fail");
    // beta: same author, subject and message, author date 1 s later, other
    // content: present, with a warning and both diff stats.
    let rewritten = fx.git(&["rev-parse", "--short", "beta~1"]);
    let (status, message) = presence_of(&run, &fx, "fix-path-traversal~2", "beta");
    assert_eq!(status, "warn", "{message}");
    for part in [
        format!("rewritten as {rewritten}: same author"),
        "(1 s apart, within the 2 s tolerance)".to_string(),
        "crates/cargo-util/src/lib.rs +3 -0".to_string(),
        "2 added or removed lines differ".to_string(),
        "confirm by hand".to_string(),
    ] {
        assert!(message.contains(&part), "{part:?} in {message}");
    }
    // stable: the same subject and author an hour later is not the fix.
    let (status, message) = presence_of(&run, &fx, "fix-path-traversal~2", "stable");
    assert_eq!(status, "fail");
    assert!(
        message.contains("is missing on stable branch `stable`"),
        "{message}"
    );
    let (status, _) = presence_of(&run, &fx, "fix-path-traversal~1", "stable");
    assert_eq!(status, "pass");
}

#[test]
fn a_squashed_backport_counts() {
    let fx = Fixture::scenario("verify-squashed");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(0).assert_status("branches", "pass");
    let squash = fx.git(&["rev-parse", "--short", "beta"]);
    for rev in ["fix-path-traversal~2", "fix-path-traversal~1"] {
        let (_, message) = presence_of(&run, &fx, rev, "beta");
        assert!(
            message.contains(&format!(
                "as part of squashed {squash} (equal to the whole fix"
            )),
            "{message}"
        );
    }
    // The `cherry-pick -m 1` brought master's bump too: beta ships it.
    run.assert_detail(
        "versions",
        "ref",
        "beta",
        "cargo-util on `beta` went from 0.2.4 to 0.2.5 with the fix",
    )
    .assert_detail(
        "registry",
        "crate",
        "cargo-util",
        "cargo-util@0.2.6 (stable) is on",
    );
}

#[test]
fn a_merged_backport_counts_by_its_first_parent_diff() {
    let fx = Fixture::scenario("verify-squashed-merge");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(0).assert_status("branches", "pass");
    let merge = fx.git(&["rev-parse", "--short", "beta"]);
    for rev in ["fix-path-traversal~2", "fix-path-traversal~1"] {
        let (_, message) = presence_of(&run, &fx, rev, "beta");
        assert!(
            message.contains(&format!(
                "as part of squashed merge {merge}, whose first-parent diff (equal to the whole fix)"
            )),
            "{message}"
        );
    }
}

#[test]
fn ancestry_finds_a_fix_merged_forward() {
    let fx = Fixture::scenario("verify-merge-forward");
    let server = IndexServer::start(Mode::Normal);
    server.publish("cargo", "0.73.1", CKSUM, false);
    server.publish("cargo-util", "0.2.6", CKSUM, false);
    let run = verify(&fx, &server, &[]);
    run.assert_code(0).assert_status("branches", "pass");
    for line in ["stable", "beta", "master"] {
        for rev in ["fix-path-traversal~1", "fix-path-traversal"] {
            let (_, message) = presence_of(&run, &fx, rev, line);
            assert!(message.contains("(the commit itself)"), "{message}");
        }
    }
    // stable released it; beta and master carry it through the merges, and
    // stable's tag reached master only by merging: not master's release.
    run.assert_detail(
        "versions",
        "ref",
        "stable",
        "cargo 0.73.1 on `stable` is the release made after the fix",
    )
    .assert_detail(
        "versions",
        "ref",
        "beta",
        "cargo 0.74.0 on `beta` has not been released yet",
    )
    .assert_detail(
        "versions",
        "ref",
        "master",
        "`master` made no release tag after the fix",
    );
    assert_eq!(
        expected(&run),
        ["cargo@0.73.1", "cargo-util@0.2.6"],
        "{run:?}"
    );
}

#[test]
fn a_declared_backport_counts_only_when_it_is_on_the_line() {
    let fx = Fixture::scenario("verify-declared");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(1);
    let (status, message) = presence_of(&run, &fx, "fix-path-traversal~2", "beta");
    assert_eq!(status, "fail", "{message}");
    // The trailer names the private fork's commit: said, not matched.
    let rewritten = fx.git(&["rev-parse", "beta~1"]);
    run.assert_detail(
        "branches",
        "commit",
        &rewritten,
        "says it was cherry picked from 4afa5455ad9227ad272a1f7ae9daab94a4eb601a, which this repository does not have",
    );

    let range = format!(
        "beta={}..{}",
        fx.git(&["rev-parse", "--short", "beta~2"]),
        fx.git(&["rev-parse", "--short", "beta"])
    );
    let before = fx.state();
    let run = verify(&fx, &server, &["--backport", &range]);
    run.assert_code(0).assert_status("branches", "pass");
    for rev in ["fix-path-traversal~2", "fix-path-traversal~1"] {
        let (_, message) = presence_of(&run, &fx, rev, "beta");
        assert!(
            message.contains(&format!("declared by --backport {range}")),
            "{message}"
        );
    }
    // A declaration that does not hold is a failure, not a match.
    let beta_tip = fx.git(&["rev-parse", "beta"]);
    let run = verify(
        &fx,
        &server,
        &[
            "--backport",
            &range,
            "--backport",
            &format!("stable={beta_tip}"),
        ],
    );
    run.assert_code(1).assert_detail(
        "branches",
        "commit",
        &beta_tip,
        "is not on `stable`: the declaration does not hold",
    );
    // A line that is not being verified is bad input.
    let run = verify(&fx, &server, &["--backport", "nope=HEAD"]);
    run.assert_code(2);
    assert!(run.stderr.contains("not a line being verified"), "{run:?}");
    assert_eq!(before, fx.state());
}

#[test]
fn release_day_without_the_bump_fails_and_passes_after_it() {
    let fx = Fixture::scenario("verify-release-day");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(1)
        .assert_status("versions", "fail")
        .assert_detail(
            "versions",
            "crate",
            "cargo",
            "the fix is on stable but its version 0.73.0 is the release from before the fix",
        )
        .assert_detail(
            "versions",
            "crate",
            "cargo-util",
            "the fix is on stable but its version 0.2.3 is the release from before the fix",
        );
    // The line nobody maintains is named, not bumped.
    let unpatched = run.row_in(Some("release lines"), "unpatched-lines");
    assert_eq!(unpatched["status"], "warn", "{run:?}");
    assert!(
        unpatched["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["ref"] == "rel-0.72"
                && d["message"]
                    .as_str()
                    .unwrap()
                    .contains("`rel-0.72` (newest release tag `0.73.0`) is affected, not patched")),
        "{run:?}"
    );
    assert!(
        fx.git(&["tag", "--list", "0.73.1"]).is_empty(),
        "nothing was tagged"
    );

    fx.steps(
        r#"
[[step]]
switch = "stable"

[[step]]
replace = [
    ["Cargo.toml", 'version = "0.73.0"', 'version = "0.73.1"'],
    ["crates/cargo-util/Cargo.toml", 'version = "0.2.3"', 'version = "0.2.6"'],
    ["Cargo.toml", 'version = "0.2.3", path', 'version = "0.2.6", path'],
    ["crates/crates-io/Cargo.toml", 'version = "0.38.0"', 'version = "0.38.1"'],
    ["Cargo.toml", 'version = "0.38.0", path', 'version = "0.38.1", path'],
]
lock = true
commit = """
Release cargo 0.73.1, cargo-util 0.2.6 and crates-io 0.38.1

Point release for GHSA-r5w3-xm58-jv6j."""
tag = "0.73.1"

[[step]]
switch = "fix-path-traversal"
"#,
    );
    // crates-io, a dependent the fix did not modify, was point-released
    // too: the release bumped it, so it is expected as well.
    server.publish("crates-io", "0.38.1", CKSUM, false);
    let run = verify(&fx, &server, &[]);
    run.assert_code(0)
        .assert_status("versions", "pass")
        .assert_detail(
            "versions",
            "crate",
            "cargo",
            "cargo 0.73.1 on `stable` is the release made after the fix (tag `0.73.1`)",
        )
        .assert_status("registry", "pass")
        .assert_detail(
            "registry",
            "crate",
            "crates-io",
            "crates-io@0.38.1 (stable) is on",
        )
        .assert_status("tag", "pass");
    assert_eq!(
        expected(&run),
        ["cargo@0.73.1", "cargo-util@0.2.6", "crates-io@0.38.1"],
        "{run:?}"
    );
}

#[test]
fn an_embargoed_dependency_warns_in_check_and_fails_verify_until_published() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    // The index knows itoa, but not the version the fix requires.
    let index = IndexServer::start(Mode::Normal);
    for (name, version) in [
        ("cargo", "0.73.1"),
        ("cargo-util", "0.2.5"),
        ("cargo-util", "0.2.6"),
        ("itoa", "1.0.9"),
    ] {
        index.publish(name, version, CKSUM, false);
    }
    let check = |index: &IndexServer, extra: &[&str]| {
        let mut args = vec!["check", "--format", "json", "--base", "fix-base", "--index"];
        args.push(index.url.as_str());
        args.extend(["--skip", "ci", "--skip", "semver", "--skip", "lockfile"]);
        args.extend_from_slice(extra);
        fx.run(&args)
    };
    let unpublished = "itoa 1.0.18 is not published (the newest on";
    let first_step = "it must be published first; it is the first step on release day";
    check(&index, &[])
        .assert_status("dependencies", "warn")
        .assert_detail("dependencies", "crate", "itoa", unpublished)
        .assert_detail("dependencies", "crate", "itoa", first_step)
        .assert_detail(
            "dependencies",
            "file",
            "crates/cargo-util/Cargo.toml",
            "`itoa = \"1.0.18\"` in crates/cargo-util/Cargo.toml [dependencies], added by the fix",
        );
    check(&index, &["--release-day"]).assert_status("dependencies", "fail");
    verify(&fx, &index, &[])
        .assert_code(1)
        .assert_status("dependencies", "fail")
        .assert_detail("dependencies", "crate", "itoa", unpublished);
    // An index that cannot answer is never "not published".
    let broken = IndexServer::start(Mode::Garbage);
    check(&broken, &[]).assert_status("dependencies", "error");
    // Offline, the row says it did not look.
    fx.check(&["--base", "fix-base", "--skip", "ci", "--skip", "semver"])
        .assert_status("dependencies", "skip");

    index.publish("itoa", "1.0.18", CKSUM, false);
    check(&index, &[])
        .assert_status("dependencies", "pass")
        .assert_detail("dependencies", "crate", "itoa", "resolves to 1.0.18");
    verify(&fx, &index, &[])
        .assert_code(0)
        .assert_status("dependencies", "pass");
    drop(server);
}

#[test]
fn a_fix_missing_on_beta_fails() {
    let fx = Fixture::scenario("verify-missing-beta");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let run = verify(&fx, &server, &[]);
    run.assert_code(1).assert_status("branches", "fail");
    let first = fx.git(&["rev-parse", "fix-path-traversal~2"]);
    run.assert_detail(
        "branches",
        "commit",
        &first,
        "missing on beta branch `beta`",
    );
    assert!(
        run.details_with("branches", "ref", "stable")
            .iter()
            .all(|d| d["status"] == "pass")
    );
}

#[test]
fn offline_skips_the_registry_and_says_so() {
    let fx = Fixture::scenario("verify-released");
    let run = fx.run(&[
        "verify-published",
        "--format",
        "json",
        "--base",
        "fix-base",
        "--offline",
    ]);
    run.assert_code(0)
        .assert_status("registry", "skip")
        .assert_status("branches", "pass");
}

#[test]
fn bad_crate_spec_is_refused() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    let before = fx.state();
    let run = verify(&fx, &server, &["--crate", "cargo-util"]);
    run.assert_code(2);
    assert!(run.stderr.contains("expected NAME@VERSION"), "{run:?}");
    assert_eq!(before, fx.state());
}

#[test]
fn versions_on_the_registry_count_as_released_in_check() {
    let fx = Fixture::scenario("good-fix");
    let server = IndexServer::start(Mode::Normal);
    server.publish("cargo", "0.75.0", CKSUM, false);
    let fast = ["--skip", "ci", "--skip", "semver"];
    let mut args = vec!["check", "--format", "json", "--index", server.url.as_str()];
    args.extend(fast);
    let run = fx.run(&args);
    run.assert_code(1)
        .assert_status("version-bump", "fail")
        .assert_detail(
            "version-bump",
            "crate",
            "cargo",
            "0.75.0, which is already released (published on",
        );
    // --offline: tags and branches only, and the row says so.
    let mut args = vec!["check", "--format", "json", "--offline"];
    args.extend(fast);
    fx.run(&args)
        .assert_code(0)
        .assert_status("version-bump", "pass")
        .assert_detail("version-bump", "crate", "cargo", "never released");
    let offline = fx.run(&args);
    let details = offline.row("version-bump")["details"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        details.iter().any(|d| d["message"]
            .as_str()
            .unwrap()
            .starts_with("--offline: the registry was not consulted")),
        "{offline:?}"
    );
    // An index that cannot answer is never "not released".
    server.set_mode(Mode::Garbage);
    let mut args = vec!["check", "--format", "json", "--index", server.url.as_str()];
    args.extend(fast);
    fx.run(&args)
        .assert_code(2)
        .assert_status("version-bump", "error");
}

#[test]
fn wait_polls_until_the_version_appears() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    server.publish("itoa", "1.0.19", CKSUM, false);
    let dir = server.path().to_path_buf();
    let publisher = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let path = dir.join(support::index_server::index_rel_path("cargo-util"));
        let line = format!(
            "{{\"name\":\"cargo-util\",\"vers\":\"0.2.5\",\"deps\":[],\"cksum\":\"{CKSUM}\",\"features\":{{}},\"yanked\":false}}\n"
        );
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut text = std::fs::read_to_string(&path).unwrap_or_default();
        text.push_str(&line);
        std::fs::write(path, text).unwrap();
    });
    let run = verify(
        &fx,
        &server,
        &["--crate", "cargo-util@0.2.5", "--wait", "30"],
    );
    publisher.join().unwrap();
    run.assert_code(0).assert_status("registry", "pass");
    assert!(
        server.hits.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "it polled"
    );
}

/// `cargo package` of cargo-util at `rev`, in a worktree; returns the sha256.
fn package(fx: &Fixture, rev: &str, edit: Option<(&str, &str)>) -> String {
    let wt = fx.root().join(format!("pkg-{}", rev.replace('/', "-")));
    fx.git(&[
        "worktree",
        "add",
        "-q",
        "--detach",
        wt.to_str().unwrap(),
        rev,
    ]);
    if let Some((path, text)) = edit {
        std::fs::write(wt.join(path), text).unwrap();
    }
    let out = std::process::Command::new("cargo")
        .args([
            "package",
            "--no-verify",
            "--allow-dirty",
            "--offline",
            "-p",
            "cargo-util",
        ])
        .current_dir(&wt)
        .env("CARGO_TARGET_DIR", wt.join("target"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sum = std::process::Command::new("sha256sum")
        .arg(wt.join("target/package/cargo-util-0.2.6.crate"))
        .output()
        .unwrap();
    let sum = String::from_utf8_lossy(&sum.stdout)
        .split_whitespace()
        .next()
        .unwrap()
        .to_string();
    fx.git(&["worktree", "remove", "--force", wt.to_str().unwrap()]);
    sum
}

#[test]
fn verify_contents_compares_the_packaged_crate() {
    let fx = Fixture::scenario("verify-released");
    fx.git(&["tag", "cargo-util-0.2.6", "stable"]);
    let args = [
        "--crate",
        "cargo-util@0.2.6",
        "--verify-contents",
        "--tag-format",
        "{version}",
        "--tag-format",
        "{crate}-{version}",
    ];
    let args = &args[..];
    let good = IndexServer::start(Mode::Normal);
    good.publish("itoa", "1.0.19", CKSUM, false);
    good.publish(
        "cargo-util",
        "0.2.6",
        &package(&fx, "cargo-util-0.2.6", None),
        false,
    );
    let before = fx.state();
    let run = verify(&fx, &good, args);
    run.assert_code(0)
        .assert_status("registry", "pass")
        .assert_detail("registry", "crate", "cargo-util", "contents match");
    assert_eq!(before, fx.state(), "the packaging worktree is gone");

    let bad = IndexServer::start(Mode::Normal);
    bad.publish("itoa", "1.0.19", CKSUM, false);
    let tampered = package(
        &fx,
        "cargo-util-0.2.6",
        Some(("crates/cargo-util/src/lib.rs", "pub mod paths {}\n")),
    );
    bad.publish("cargo-util", "0.2.6", &tampered, false);
    let run = verify(&fx, &bad, args);
    run.assert_code(1)
        .assert_status("registry", "fail")
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "cargo-util@0.2.6 contents differ",
        )
        .assert_detail("registry", "crate", "cargo-util", "cargo ");
}

#[test]
fn superproject_submodule_on_each_branch() {
    let fx = Fixture::scenario("verify-released");
    let sp = fx.root().join("rust");
    std::fs::create_dir_all(&sp).unwrap();
    let git = |args: &[&str]| fx.git_in(&sp, args);
    git(&["init", "-q", "-b", "master"]);
    git(&[
        "-c",
        "protocol.file.allow=always",
        "submodule",
        "add",
        "-q",
        fx.repo.to_str().unwrap(),
        "src/tools/cargo",
    ]);
    let lock = "version = 4\n\n[[package]]\nname = \"rustc\"\nversion = \"0.0.0\"\n";
    std::fs::write(sp.join("Cargo.lock"), lock).unwrap();
    let point = |rev: &str| {
        let id = fx.git(&["rev-parse", rev]);
        git(&[
            "update-index",
            "--cacheinfo",
            &format!("160000,{id},src/tools/cargo"),
        ]);
    };
    point("master");
    git(&["add", "Cargo.lock", ".gitmodules"]);
    git(&["commit", "-q", "-m", "Update cargo"]);
    git(&["switch", "-q", "-c", "beta"]);
    point("beta");
    let private = format!(
        "{lock}\n[[package]]\nname = \"cargo-util\"\nversion = \"0.2.4\"\nsource = \"git+https://github.com/rust-lang/cargo-ghsa-r5w3-xm58-jv6j?branch=fix#0123456789abcdef0123456789abcdef01234567\"\n"
    );
    std::fs::write(sp.join("Cargo.lock"), private).unwrap();
    git(&["add", "Cargo.lock"]);
    git(&["commit", "-q", "-m", "Update cargo on beta"]);
    git(&["switch", "-q", "-c", "stable", "master"]);
    point("stable~3");
    git(&["commit", "-q", "-m", "Update cargo on stable (stale)"]);

    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let before = RepoState(&sp);
    let run = verify(
        &fx,
        &server,
        &[
            "--superproject",
            sp.to_str().unwrap(),
            "--submodule",
            "src/tools/cargo",
        ],
    );
    run.assert_code(1)
        .assert_status("superproject", "fail")
        .assert_detail("superproject", "ref", "master", "which has the fix")
        .assert_detail(
            "superproject",
            "ref",
            "beta",
            "which has the fix (matched by patch-id)",
        )
        .assert_detail(
            "superproject",
            "ref",
            "beta",
            "from private fork https://github.com/rust-lang/cargo-ghsa-r5w3-xm58-jv6j",
        )
        .assert_detail("superproject", "ref", "stable", "update the submodule");
    assert_eq!(before, RepoState(&sp), "the superproject is only read");
}

#[allow(non_snake_case)]
fn RepoState(path: &std::path::Path) -> support::RepoState {
    support::RepoState::capture(path)
}

#[test]
fn registry_named_in_cargo_config_is_used() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    let home = fx.root().join("cargo-home");
    std::fs::create_dir_all(&home).unwrap();
    std::fs::write(
        home.join("config.toml"),
        format!("[registries.corp]\nindex = \"sparse+{}\"\n", server.url),
    )
    .unwrap();
    let args = [
        "verify-published",
        "--format",
        "json",
        "--base",
        "fix-base",
        "--registry",
        "corp",
        "--crate",
        "cargo-util@0.2.5",
    ];
    let run = support::run_tool(&fx.repo, &args, |c| {
        fx.env(c).env("CARGO_HOME", &home);
    });
    run.assert_code(0)
        .assert_status("registry", "pass")
        .assert_detail("registry", "crate", "cargo-util", "registry `corp`");
    // The environment variable wins over the file, as in cargo.
    let run = support::run_tool(&fx.repo, &args, |c| {
        fx.env(c)
            .env("CARGO_HOME", &home)
            .env("CARGO_REGISTRIES_CORP_INDEX", "sparse+http://127.0.0.1:9/");
    });
    run.assert_code(2).assert_status("registry", "error");
    // An unknown registry is bad input.
    let run = support::run_tool(
        &fx.repo,
        &[
            "verify-published",
            "--base",
            "fix-base",
            "--registry",
            "nope",
        ],
        |c| {
            fx.env(c).env("CARGO_HOME", &home);
        },
    );
    run.assert_code(2);
    assert!(
        run.stderr.contains("registry `nope` is not configured"),
        "{run:?}"
    );
}
