//! The release model on repositories laid out like real projects: version
//! lines with per-crate tags and no tracked Cargo.lock, a virtual workspace
//! with `rel-X.Y` lines, `v/X.Y.Z` tags and a second workspace, a
//! `stable`/`beta` crate family with `vX.Y.Z` tags, and a crate published to
//! a company registry. Every command must choose the same lines (or refuse
//! the same way), and each decision is asserted on JSON and git state.

mod support;

use support::index_server::{IndexServer, Mode};
use support::{Fixture, Run, run_tool};

/// The fix's lines a command reports in its `release lines` section.
fn lines_fact(run: &Run) -> String {
    run.json()["sections"]
        .as_array()
        .expect("sections")
        .iter()
        .find(|s| s["name"] == "release lines")
        .and_then(|s| {
            s["facts"]
                .as_array()?
                .iter()
                .find(|f| f["key"] == "lines")
                // A list in the JSON report (schema 2).
                .map(|f| {
                    f["value"]
                        .as_array()
                        .expect("`lines` is a list")
                        .iter()
                        .map(|l| l.as_str().unwrap_or_default())
                        .collect::<Vec<_>>()
                        .join(", ")
                })
        })
        .unwrap_or_else(|| panic!("no `release lines` section:\n{run:?}"))
}

/// The candidate lines an exit-2 refusal lists, one per line of stderr.
fn candidates(run: &Run) -> Vec<String> {
    run.stderr
        .lines()
        .filter(|l| l.contains("newest release tag") || l.contains("no release tag"))
        .map(|l| l.trim().to_string())
        .collect()
}

fn show(fx: &Fixture, rev: &str, path: &str) -> String {
    fx.git(&["show", &format!("{rev}:{path}")])
}

fn messages<'a>(run: &'a Run, section: &str, row: &str) -> Vec<&'a str> {
    run.row_in(Some(section), row)["details"]
        .as_array()
        .map(|d| d.iter().filter_map(|d| d["message"].as_str()).collect())
        .unwrap_or_default()
}

#[test]
fn undecided_lines_are_asked_for_the_same_way_by_every_command() {
    let fx = Fixture::scenario("lts-family");
    let before = fx.state();
    let check = fx.run(&["check", "--offline", "--all", "--format", "json"]);
    let backport = fx.run(&["backport", "--offline", "--format", "json"]);
    let verify = fx.run(&["verify-published", "--offline", "--format", "json"]);
    for run in [&check, &backport, &verify] {
        run.assert_code(2);
        assert!(
            run.stderr
                .contains("which release lines are still maintained"),
            "{run:?}"
        );
        assert!(run.stderr.contains("--onto BRANCH"), "{run:?}");
    }
    let listed = candidates(&check);
    assert_eq!(listed.len(), 3, "{check:?}");
    assert!(listed[0].starts_with("ferrite-1.16.x"), "{listed:?}");
    assert!(
        listed[1].starts_with("ferrite-1.18.x")
            && listed[1].contains("newest release tag `ferrite-1.18.3` (2026-01-01)"),
        "{listed:?}"
    );
    assert!(listed[2].contains("`ferrite-1.20.2`"), "{listed:?}");
    assert_eq!(candidates(&backport), listed);
    assert_eq!(candidates(&verify), listed);
    assert_eq!(fx.state(), before, "a refusal changes nothing");
}

#[test]
fn version_lines_get_point_releases_of_what_the_fix_touches() {
    let fx = Fixture::scenario("lts-family");
    let run = fx.run(&[
        "backport",
        "--offline",
        "--format",
        "json",
        "--onto",
        "ferrite-1.18.x",
        "--onto",
        "ferrite-1.20.x",
    ]);
    run.assert_code(0);
    assert_eq!(lines_fact(&run), "ferrite-1.18.x, ferrite-1.20.x");
    for (line, old, new) in [
        ("ferrite-1.18.x", "1.18.3", "1.18.4"),
        ("ferrite-1.20.x", "1.20.2", "1.20.3"),
    ] {
        let branch = format!("security-release/{line}");
        let manifest = show(&fx, &branch, "ferrite/Cargo.toml");
        assert!(
            manifest.contains(&format!("version = \"{new}\"")),
            "{manifest}"
        );
        assert!(
            messages(&run, line, "version-bump")
                .iter()
                .any(|m| m.contains(&format!("ferrite {old} → {new}"))
                    && m.contains(&format!("tag `ferrite-{old}`"))),
            "{run:?}"
        );
        // The README shows the version users copy: it follows the release.
        let readme = show(&fx, &branch, "ferrite/README.md");
        assert!(
            readme.contains(&format!("ferrite = {{ version = \"{new}\", features")),
            "{readme}"
        );
        // Only ferrite ships: its dependent and the macros keep their versions.
        assert_eq!(
            show(&fx, &branch, "ferrite-util/Cargo.toml"),
            show(&fx, line, "ferrite-util/Cargo.toml")
        );
        assert_eq!(
            show(&fx, &branch, "ferrite-macros/Cargo.toml"),
            show(&fx, line, "ferrite-macros/Cargo.toml")
        );
        // The project does not track Cargo.lock: none appears.
        let files = fx.git(&["ls-tree", "-r", "--name-only", &branch]);
        assert!(!files.lines().any(|f| f == "Cargo.lock"), "{files}");
        // The fix commit, then the bump (main's release commit has nothing
        // left once its versions are set per line).
        let log = fx.git(&["log", "--format=%s", &format!("{line}..{branch}")]);
        assert_eq!(
            log.lines().collect::<Vec<_>>(),
            [
                format!("Bump ferrite to {new} for the security release").as_str(),
                "Reject remote clients on every pipe instance",
            ]
        );
    }
    // The end-of-life line is not a target, and still has the flaw.
    let row = run.row_in(Some("release lines"), "unpatched-lines");
    assert_eq!(row["status"], "warn", "{run:?}");
    assert!(
        messages(&run, "release lines", "unpatched-lines")
            .iter()
            .any(|m| m.contains("`ferrite-1.16.x`") && m.contains("affected, not patched")),
        "{run:?}"
    );
    assert!(
        fx.git(&["branch", "--list", "security-release/ferrite-1.16.x"])
            .is_empty()
    );

    // The same lines, named the same way, for the other commands.
    let onto = ["--onto", "ferrite-1.18.x", "--onto", "ferrite-1.20.x"];
    let mut args = vec!["--all", "--skip", "semver", "--skip", "ci"];
    args.extend(onto);
    let all = fx.check(&args);
    assert_eq!(lines_fact(&all), "ferrite-1.18.x, ferrite-1.20.x");
    for line in ["ferrite-1.18.x", "ferrite-1.20.x"] {
        let section = format!("security-release/{line}");
        assert_eq!(
            all.row_in(Some(&section), "version-bump")["status"],
            "pass",
            "{all:?}"
        );
        assert_eq!(
            all.row_in(Some(&section), "lockfile")["status"],
            "skip",
            "{all:?}"
        );
    }
    let mut args = vec!["verify-published", "--offline", "--format", "json"];
    args.extend(onto);
    assert_eq!(lines_fact(&fx.run(&args)), "ferrite-1.18.x, ferrite-1.20.x");
}

#[test]
fn a_project_without_a_tracked_lockfile_or_changelog_is_not_asked_for_them() {
    let fx = Fixture::scenario("lts-family");
    let before = fx.state();
    let run = fx.check(&[
        "--skip",
        "semver",
        "--ci",
        "cargo metadata --locked --offline --format-version 1",
    ]);
    run.assert_code(0);
    assert!(
        run.row("lockfile")["summary"]
            .as_str()
            .unwrap()
            .contains("not tracked (ignored by .gitignore)"),
        "{run:?}"
    );
    assert_eq!(run.status("lockfile"), "skip");
    // `--locked` without a lockfile would fail: the row ran it without.
    run.assert_status("ci", "pass");
    assert!(
        run.row("ci")["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"]
                .as_str()
                .unwrap()
                .contains("`--locked` was dropped")),
        "{run:?}"
    );
    run.assert_status("changelog", "skip");
    assert!(
        run.row("changelog")["summary"]
            .as_str()
            .unwrap()
            .contains("touched no changelog"),
        "{run:?}"
    );
    // ferrite-util's requirement still admits 1.23.0, but ferrite-util does
    // not ship with this fix: a note, not a failure.
    run.assert_status("dependency-specs", "pass");
    assert!(
        run.row("dependency-specs")["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"].as_str().unwrap().contains("not required")
                && d.get("status").is_none()),
        "{run:?}"
    );
    run.assert_status("doc-versions", "pass");
    assert_eq!(
        fx.state(),
        before,
        "CI without --locked left no Cargo.lock behind"
    );

    // A README still showing the old version is a warning.
    fx.steps(
        r#"
[[step]]
replace = [["ferrite/README.md", '"1.23.1"', '"1.23.0"']]
commit = """
Show the old version in the README

Models a release whose docs were not updated."""
"#,
    );
    let run = fx.check(&["--skip", "semver", "--skip", "ci"]);
    run.assert_status("doc-versions", "warn").assert_detail(
        "doc-versions",
        "file",
        "ferrite/README.md",
        "ferrite/README.md:7 still shows ferrite 1.23.0 (this release is 1.23.1)",
    );
}

#[test]
fn lines_from_a_glob_keep_their_lockfile_format_and_second_workspace() {
    let fx = Fixture::scenario("virtual-rel-lines");
    let run = fx.run(&["backport", "--offline", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(lines_fact(&run), "rel-0.21, rel-0.22");
    let notes = run.json()["notes"].to_string();
    assert!(notes.contains("named by `branches`"), "{notes}");

    let old = "security-release/rel-0.21";
    assert!(
        messages(&run, "rel-0.21", "version-bump")
            .iter()
            .any(|m| m.contains("quill 0.21.10 → 0.21.11") && m.contains("tag `v/0.21.10`")),
        "{run:?}"
    );
    let lock = show(&fx, old, "Cargo.lock");
    assert!(
        lock.contains("\nversion = 3\n"),
        "the line keeps format 3:\n{lock}"
    );
    assert!(
        lock.contains("name = \"quill\"\nversion = \"0.21.11\""),
        "{lock}"
    );
    // The fuzz workspace's path entry follows; the published quill it also
    // locks, and the member it does not bump, stay as they were.
    let fuzz = show(&fx, old, "fuzz/Cargo.lock");
    assert!(
        fuzz.contains("name = \"quill\"\nversion = \"0.21.11\""),
        "{fuzz}"
    );
    assert!(fuzz.contains("\"quill 0.21.11\""), "{fuzz}");
    assert!(
        fuzz.contains("name = \"quill\"\nversion = \"0.20.0\"\nsource = \"registry+"),
        "{fuzz}"
    );
    assert!(
        fuzz.contains("name = \"quill-macros\"\nversion = \"0.21.0\""),
        "{fuzz}"
    );
    assert!(
        messages(&run, "rel-0.21", "lockfile")
            .contains(&"fuzz/Cargo.lock: quill 0.21.10 → 0.21.11"),
        "{run:?}"
    );
    assert!(show(&fx, "security-release/rel-0.22", "Cargo.lock").contains("\nversion = 4\n"));

    // The branches pass `check --all`, and every command names the same lines.
    let all = fx.check(&["--all", "--skip", "semver", "--ci", "true"]);
    all.assert_code(0);
    assert_eq!(lines_fact(&all), "rel-0.21, rel-0.22");
    for branch in [old, "security-release/rel-0.22"] {
        assert_eq!(
            all.row_in(Some(branch), "lockfile")["status"],
            "pass",
            "{all:?}"
        );
        assert_eq!(
            all.row_in(Some(branch), "changelog")["status"],
            "pass",
            "{all:?}"
        );
    }
    let verify = fx.run(&["verify-published", "--offline", "--format", "json"]);
    assert_eq!(lines_fact(&verify), "rel-0.21, rel-0.22");
}

#[test]
fn second_lockfiles_and_format_changes_are_caught() {
    let fx = Fixture::scenario("virtual-rel-lines");
    // The fix is released as 0.23.0, but fuzz/Cargo.lock still says -dev.
    fx.steps(
        r#"
[[step]]
replace = [
    ["quill/Cargo.toml", 'version = "0.23.0-dev"', 'version = "0.23.0"'],
]
lock = true
commit = """
Release quill 0.23.0

Ships the depth limit."""
"#,
    );
    let run = fx.check(&["--skip", "semver", "--skip", "ci"]);
    run.assert_status("lockfile", "fail").assert_detail(
        "lockfile",
        "file",
        "fuzz/Cargo.lock",
        "fuzz/Cargo.lock (a second workspace) records quill 0.23.0-dev but quill/Cargo.toml says 0.23.0",
    );

    // A backport made by hand on rel-0.21 with a newer cargo rewrote
    // Cargo.lock in format 4.
    fx.steps(
        r#"
[[step]]
switch = "rel-0.21"

[[step]]
switch-new = "hand-backport"

[[step]]
replace = [["quill/src/lib.rs", "pub const MAX_DEPTH: usize = 64;", "pub const MAX_DEPTH: usize = 32;"]]
lock = true
commit = """
Lower MAX_DEPTH on 0.21

A hand-made backport of the depth limit."""
"#,
    );
    let run = fx.check(&[
        "--branch",
        "hand-backport:rel-0.21",
        "--skip",
        "semver",
        "--skip",
        "ci",
    ]);
    let row = run.row_in(Some("hand-backport"), "lockfile");
    assert_eq!(row["status"], "fail", "{run:?}");
    assert!(
        row["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["message"]
                .as_str()
                .unwrap()
                .contains("changes Cargo.lock's format from version = 3 to version = 4")),
        "{run:?}"
    );
}

#[test]
fn stable_and_beta_are_chosen_by_every_command() {
    let fx = Fixture::scenario("stable-beta-family");
    let run = fx.run(&["backport", "--offline", "--format", "json"]);
    run.assert_code(0);
    assert_eq!(lines_fact(&run), "stable, beta");
    assert!(
        run.json()["notes"]
            .to_string()
            .contains("the `stable` and `beta` branches"),
        "{run:?}"
    );
    assert!(
        messages(&run, "stable", "version-bump")
            .iter()
            .any(|m| m.contains("mosaic 2.4.1 → 2.4.2") && m.contains("tag `v2.4.1`")),
        "{run:?}"
    );
    // A pre-release moves to the next pre-release, never past the release.
    assert!(
        messages(&run, "beta", "version-bump")
            .iter()
            .any(|m| m.contains("mosaic 2.5.0-beta.1 → 2.5.0-beta.2")),
        "{run:?}"
    );
    let lock = show(&fx, "security-release/beta", "Cargo.lock");
    assert!(
        lock.contains("name = \"mosaic\"\nversion = \"2.5.0-beta.2\""),
        "{lock}"
    );
    // The derive crate was not touched: no release of it.
    assert_eq!(
        show(&fx, "security-release/stable", "mosaic-derive/Cargo.toml"),
        show(&fx, "stable", "mosaic-derive/Cargo.toml")
    );

    let all = fx.check(&["--all", "--skip", "semver", "--ci", "true"]);
    assert_eq!(lines_fact(&all), "stable, beta");
    let names: Vec<&str> = all.json()["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"security-release/stable") && names.contains(&"security-release/beta"));
    let verify = fx.run(&["verify-published", "--offline", "--format", "json"]);
    assert_eq!(lines_fact(&verify), "stable, beta");

    // Master's 2.6.0 went out with the fix in it (h2's v0.4.4 tagged the
    // fix's own release commit): that release is the fix's, no bump needed.
    let run = fx.check(&["--skip", "semver", "--skip", "ci"]);
    run.assert_status("version-bump", "pass");
    fx.git(&["tag", "v2.6.0"]);
    let run = fx.check(&["--skip", "semver", "--skip", "ci"]);
    run.assert_status("version-bump", "pass").assert_detail(
        "version-bump",
        "crate",
        "mosaic",
        "mosaic 2.6.0 is the release tagged `v2.6.0`, which already contains the fix",
    );
    // A tag of 2.6.0 that lacks the fix is a release the fix must come after.
    fx.git(&["tag", "-f", "v2.6.0", "master"]);
    let run = fx.check(&["--skip", "semver", "--skip", "ci"]);
    run.assert_status("version-bump", "fail").assert_detail(
        "version-bump",
        "crate",
        "mosaic",
        "mosaic is still 2.6.0, which is already released (tag `v2.6.0`)",
    );
}

#[test]
fn a_crate_is_asked_of_its_own_registry_and_never_when_unpublished() {
    let fx = Fixture::scenario("corp-registry");
    let default = IndexServer::start(Mode::Normal);
    let corp = IndexServer::start(Mode::Normal);
    let sum = "ab".repeat(32);
    default.publish("ledger-proto", "1.0.3", &sum, false);
    corp.publish("ledger", "0.4.2", &sum, false);
    let corp_index = format!("sparse+{}", corp.url);
    let check = |with_corp: bool| {
        let args = [
            "check",
            "--format",
            "json",
            "--index",
            default.url.as_str(),
            "--skip",
            "semver",
            "--skip",
            "ci",
            "--skip",
            "lockfile",
        ];
        run_tool(&fx.repo, &args, |cmd| {
            fx.env(cmd);
            if with_corp {
                cmd.env("CARGO_REGISTRIES_CORP_INDEX", &corp_index);
            } else {
                cmd.env_remove("CARGO_REGISTRIES_CORP_INDEX");
            }
        })
    };
    let run = check(true);
    run.assert_status("version-bump", "fail").assert_detail(
        "version-bump",
        "crate",
        "ledger",
        "ledger is still 0.4.2, which is already released (published on registry `corp`",
    );
    assert!(
        run.details_with("version-bump", "crate", "ledger-cli")
            .is_empty(),
        "a publish = false crate needs no version: {run:?}"
    );
    assert!(corp.was_asked("ledger"));
    assert!(
        !default.was_asked("ledger"),
        "ledger is not published there"
    );
    assert!(!default.was_asked("ledger-cli") && !corp.was_asked("ledger-cli"));

    // No branch looks like a release line: every command says so alike.
    let backport = fx.run(&["backport", "--offline", "--format", "json"]);
    backport.assert_code(2);
    assert!(
        backport.stderr.contains("no release line to backport onto")
            && backport.stderr.contains("no release line found"),
        "{backport:?}"
    );
    let all = fx.check(&["--all", "--skip", "semver", "--skip", "ci"]);
    assert_eq!(lines_fact(&all), "");
    assert!(
        all.json()["notes"]
            .to_string()
            .contains("no release line found"),
        "{all:?}"
    );
    let verify = fx.run(&["verify-published", "--offline", "--format", "json"]);
    assert_eq!(lines_fact(&verify), "");

    // Without the registry's configuration nothing is known: not "unreleased".
    let run = check(false);
    run.assert_code(2).assert_status("version-bump", "error");
    assert!(
        run.row("version-bump")["summary"]
            .as_str()
            .unwrap()
            .contains("registry `corp` is not configured"),
        "{run:?}"
    );
}
