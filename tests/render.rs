//! Snapshot tests of the three renderers on one report that has every kind
//! of row. Regenerate with `SNAPSHOTS=overwrite cargo test --test render`.

use cargo_security_release::render::{self, Format};
use cargo_security_release::report::{CheckResult, Detail, FactValue, Report, Section, Status};
use snapbox::{assert_data_eq, file};

fn report() -> Report {
    let mut section = Section::new("fix-path-traversal")
        .fact("branch", "fix-path-traversal")
        .fact(
            "head",
            FactValue::commit("22c182a5d1f0c1b0e8a4b2f7c9d3e6a1b2c3d4e5"),
        )
        .fact_noted(
            "base",
            FactValue::commit("52df3130a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4"),
            "merge-base with master",
        )
        .fact("commits", 2usize)
        .fact("changed-crates", vec!["cargo-util", "crates-io"]);
    section.checks = vec![
        CheckResult::pass("clean-tree", "work tree is clean"),
        CheckResult::fail("ci", "`cargo test --workspace --locked` failed (exit 101)").detail(
            Detail::new(
                "`cargo test --workspace --locked` failed (exit 101) in 3.2s; \
                 log: /home/maintainer/cargo/target/security-release/ci/logs/1-cargo-test.log",
            )
            .status(Status::Fail)
            .file("target/security-release/ci/logs/1-cargo-test.log"),
        ),
        CheckResult::from_findings(
            "version-bump",
            vec![
                Detail::new("cargo-util bumped 0.2.4 → 0.2.5")
                    .status(Status::Pass)
                    .krate("cargo-util")
                    .file("crates/cargo-util/Cargo.toml"),
                Detail::new("crates-io is still 0.39.0, which is already released (tag `0.74.0`)")
                    .status(Status::Fail)
                    .krate("crates-io")
                    .file("crates/crates-io/Cargo.toml"),
            ],
            "",
            |_| "1 of 2 modified publishable crates needs a version bump".to_string(),
        )
        .hint("bump crates-io to 0.39.1 (`version` in crates/crates-io/Cargo.toml)\nthen run `cargo update --workspace --offline`"),
        CheckResult::warn("temporary-patches", "1 temporary pin present at BASE").detail(
            Detail::new("Cargo.toml [patch.crates-io] tar: git = \"https://github.com/example/tar-rs\"")
                .file("Cargo.toml"),
        ),
        CheckResult::error("semver", "could not run: cargo-semver-checks exited with 101"),
        // A commit subject is the reporter's text: nothing in it may become
        // markup, a mention, or a terminal escape.
        CheckResult::warn("commits", "1 commit message issue worth fixing in 2 commits").detail(
            Detail::new(
                "1a2b3c4 subject is 95 chars (≤ 72): \"Thanks @alice and @rust-lang/security: \
                 [report](https://evil.example/x) ![t](https://evil.example/p.png) \
                 <!-- hidden --> `unbalanced \u{1b}[2J\"",
            )
            .status(Status::Warn)
            .commit("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d"),
        ),
        CheckResult::skip("embargo", "skipped by --skip"),
        CheckResult::manual("manual", "2 items for a human to confirm").details([
            Detail::new("exercise the fix by hand"),
            Detail::new("update RELEASES.md"),
        ]),
    ];
    let mut report = Report::new("check");
    report.sections.push(section);
    report
        .notes
        .push("no [workspace.metadata.security-release] table: defaults used".to_string());
    report
        .next_steps
        .push("git push origin security-release/stable".to_string());
    report.local_paths = vec![
        ("/home/maintainer/cargo".to_string(), String::new()),
        ("/home/maintainer".to_string(), "~".to_string()),
    ];
    report
}

#[test]
fn human() {
    let text = render::render(&report(), Format::Human);
    assert!(
        text.contains("\u{1b}["),
        "styled for a terminal; anstream strips it otherwise"
    );
    assert!(
        !text.contains("\u{1b}[2J"),
        "a commit subject must not reach the terminal as an escape sequence"
    );
    let plain = anstream::adapter::strip_str(&text).to_string();
    assert_data_eq!(plain, file!["snapshots/report.human.txt"]);
}

#[test]
fn json() {
    let text = render::render(&report(), Format::Json);
    assert_data_eq!(text, file!["snapshots/report.json"].raw());
}

#[test]
fn markdown() {
    let text = render::render(&report(), Format::Markdown);
    assert!(!text.contains("/home/maintainer"), "{text}");
    for literal in [
        "`@alice`",
        "`@rust-lang/security`",
        "\\[report\\](https://evil.example/x)",
        "!\\[t\\]",
        "\\<!-- hidden --\\>",
        "\\`unbalanced",
    ] {
        assert!(text.contains(literal), "{literal} missing:\n{text}");
    }
    assert_data_eq!(text, file!["snapshots/report.md"].raw());
}

#[test]
fn exit_codes_follow_the_worst_row() {
    let r = report();
    assert_eq!(r.exit_code(), 1, "a failed row wins over an error row");
    let mut errored = report();
    errored.sections[0]
        .checks
        .retain(|c| c.status != Status::Fail);
    assert_eq!(
        errored.exit_code(),
        2,
        "an error without a failure is exit 2"
    );
    let mut ok = report();
    ok.sections[0]
        .checks
        .retain(|c| !matches!(c.status, Status::Fail | Status::Error));
    assert_eq!(ok.exit_code(), 0, "warn, skip and manual rows pass");
    assert_eq!(ok.status(), Status::Warn);
}
