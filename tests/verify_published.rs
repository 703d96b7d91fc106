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

/// An index with every version the release should have published.
fn published(server: &IndexServer) {
    server.publish("cargo-util", "0.2.4", CKSUM, false);
    server.publish("cargo-util", "0.2.5", CKSUM, false);
    server.publish("cargo-util", "0.2.6", CKSUM, false);
    server.publish("cargo", "0.73.1", CKSUM, false);
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
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "cargo-util@0.2.5 (master) is on",
        )
        .assert_detail(
            "registry",
            "crate",
            "cargo-util",
            "cargo-util@0.2.6 (stable)",
        )
        .assert_detail("registry", "crate", "cargo", "cargo@0.73.1 (stable)")
        .assert_status("tag", "pass")
        .assert_detail("tag", "ref", "0.73.1", "is on `stable`")
        .assert_status("branches", "pass")
        .assert_detail("branches", "ref", "stable", "by cherry-pick trailer")
        .assert_detail("branches", "ref", "beta", "by patch-id")
        .assert_detail("branches", "ref", "master", "the commit itself")
        .assert_status("superproject", "skip");
    // master's own bump commit is not required on stable and beta.
    let bump = fx.git(&["rev-parse", "fix-path-traversal"]);
    run.assert_detail("branches", "commit", &bump, "not required");
    assert_eq!(before, fx.state());
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
    run.assert_detail("registry", "crate", "cargo-util", "has 40 other version(s)");
}

#[test]
fn server_errors_are_retried() {
    let fx = Fixture::scenario("verify-released");
    let server = IndexServer::start(Mode::FailFirst(2));
    published(&server);
    let run = verify(&fx, &server, &["--crate", "cargo-util@0.2.5"]);
    run.assert_code(0).assert_status("registry", "pass");
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::SeqCst),
        3,
        "two 500s, then 200"
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

#[test]
fn a_squashed_backport_counts() {
    let fx = Fixture::scenario("verify-squashed");
    let server = IndexServer::start(Mode::Normal);
    published(&server);
    verify(&fx, &server, &[])
        .assert_status("branches", "pass")
        .assert_detail("branches", "ref", "beta", "as part of squashed");
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
