//! Snapshot tests of the three renderers on one report that has every kind
//! of row. Regenerate with `SNAPSHOTS=overwrite cargo test --test render`.

use cargo_security_release::render::{self, Format};
use cargo_security_release::report::{CheckResult, Detail, Report, Section, Status};
use snapbox::{assert_data_eq, file};

fn report() -> Report {
    let mut section = Section::new("fix-path-traversal")
        .fact("branch", "fix-path-traversal")
        .fact("base", "52df313 (merge-base with master)")
        .fact("commits", "2");
    section.checks = vec![
        CheckResult::pass("clean-tree", "work tree is clean"),
        CheckResult::skip("ci", "skipped by --skip"),
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
            |_| "1 of 2 modified publishable crate(s) need a version bump".to_string(),
        )
        .hint("bump crates-io to 0.39.1 (`version` in crates/crates-io/Cargo.toml)\nthen run `cargo update --workspace --offline`"),
        CheckResult::warn("temporary-patches", "1 temporary pin present at BASE").detail(
            Detail::new("Cargo.toml [patch.crates-io] tar: git = \"https://github.com/example/tar-rs\"")
                .file("Cargo.toml"),
        ),
        CheckResult::error("semver", "could not run: cargo-semver-checks exited with 101"),
        CheckResult::manual("manual", "2 item(s) for a human to confirm").details([
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
    report
}

#[test]
fn human() {
    let text = render::render(&report(), Format::Human);
    assert!(
        text.contains("\u{1b}["),
        "styled for a terminal; anstream strips it otherwise"
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
    assert_data_eq!(text, file!["snapshots/report.md"]);
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
