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
    run.assert_detail("registry", "crate", "cargo-util", "has 40 other versions");
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
    server.publish("cargo-util", "0.2.4", CKSUM, false);
    let dir = server.path().to_path_buf();
    let publisher = std::thread::spawn(move || {
        std::thread::sleep(std::time::Duration::from_millis(1500));
        let path = dir.join(support::index_server::index_rel_path("cargo-util"));
        let line = format!(
            "{{\"name\":\"cargo-util\",\"vers\":\"0.2.5\",\"deps\":[],\"cksum\":\"{CKSUM}\",\"features\":{{}},\"yanked\":false}}\n"
        );
        let mut text = std::fs::read_to_string(&path).unwrap();
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
