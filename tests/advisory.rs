//! `advisory` on fixture repositories with three release lines: the
//! patched ranges a maintainer would publish before the release (from the
//! `security-release/*` branches `backport` made) and after it (from the
//! release tags), asserted as strings; the RustSec file parsed back with
//! the `rustsec` crate; OSV and GitHub's body validated against their
//! schemas in `testdata/advisory/`; CVSS scores; `unaffected` inference.

mod support;

use std::str::FromStr;

use serde_json::Value;
use support::{Fixture, Run, testdata};

const DATE: &str = "2026-05-01";
const CVSS_10: &str = "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H";

/// `advisory --date 2026-05-01` plus `args`.
fn advisory(fx: &Fixture, args: &[&str]) -> Run {
    let mut all = vec!["advisory", "--date", DATE];
    all.extend_from_slice(args);
    fx.run(&all)
}

/// The line of the RustSec front matter that starts with `key = `.
fn toml_line<'t>(text: &'t str, key: &str) -> &'t str {
    let prefix = format!("{key} = ");
    text.lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no `{key}` in:\n{text}"))
}

/// Parses the RustSec file and checks that its `[versions]` round-trip:
/// the same requirements built anew give an equal `Versions`.
fn parse_rustsec(run: &Run) -> rustsec::Advisory {
    let adv = rustsec::Advisory::from_str(&run.stdout)
        .unwrap_or_else(|e| panic!("rustsec cannot parse the output: {e}\n{run:?}"));
    let again = rustsec::advisory::Versions::new(
        adv.versions.patched().to_vec(),
        adv.versions.unaffected().to_vec(),
    )
    .expect("versions rebuild");
    assert_eq!(again, adv.versions);
    adv
}

fn schema(name: &str) -> jsonschema::Validator {
    let path = testdata().join("advisory").join(name);
    let text = std::fs::read_to_string(&path).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn assert_valid(validator: &jsonschema::Validator, doc: &Value, what: &str) {
    let errors: Vec<String> = validator
        .iter_errors(doc)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "{what} is not valid:\n{}\n{doc:#}",
        errors.join("\n")
    );
}

fn lts_backported() -> Fixture {
    let fx = Fixture::scenario("advisory-lts");
    fx.run(&["backport", "--offline", "--format", "json"])
        .assert_code(0);
    fx
}

fn zero_backported() -> Fixture {
    let fx = Fixture::scenario("advisory-zero");
    fx.run(&[
        "backport",
        "--offline",
        "--format",
        "json",
        "--onto",
        "rel-0.12",
        "--onto",
        "rel-0.13",
    ])
    .assert_code(0);
    fx
}

#[test]
fn lts_lines_before_the_release_are_patched_from_the_backport_branches() {
    let fx = lts_backported();
    let before = fx.state();
    let run = advisory(&fx, &["--format", "rustsec"]);
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 1.18.2, < 1.19.0", ">= 1.20.2, < 1.21.0", ">= 1.22.1"]"#
    );
    assert_eq!(
        toml_line(&run.stdout, "unaffected"),
        r#"unaffected = ["< 1.17.0"]"#
    );
    let adv = parse_rustsec(&run);
    assert_eq!(adv.metadata.package.as_str(), "mycrate");
    assert!(adv.id().is_placeholder());
    assert_eq!(adv.metadata.date.as_str(), DATE);
    // From `[workspace.metadata.security-release.advisory]`.
    let aliases: Vec<&str> = adv.metadata.aliases.iter().map(|a| a.as_str()).collect();
    assert_eq!(aliases, ["GHSA-4w9p-8c7m-qx2f"]);
    assert!(
        run.stderr
            .contains("before the release: versions from the planned backports"),
        "{run:?}"
    );
    assert_eq!(fx.state(), before, "advisory changed the repository");

    let md = advisory(&fx, &[]);
    md.assert_code(0);
    for row in [
        "| `mycrate-1.18.x` | 1.18.2 | yes | — | backport branch `security-release/mycrate-1.18.x` |",
        "| `mycrate-1.20.x` | 1.20.2 | yes | — | backport branch `security-release/mycrate-1.20.x` |",
        "| `master` | 1.22.1 | yes | — | the workspace at HEAD |",
    ] {
        assert!(md.stdout.contains(row), "no row {row}:\n{md:?}");
    }
}

#[test]
fn lts_lines_after_the_release_are_patched_from_the_tags() {
    let fx = Fixture::scenario("advisory-lts-released");
    let run = advisory(&fx, &["--base", "fix-base", "--format", "rustsec"]);
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 1.18.2, < 1.19.0", ">= 1.20.2, < 1.21.0", ">= 1.22.1"]"#
    );
    assert!(
        run.stderr
            .contains("after the release: versions from the release tags"),
        "{run:?}"
    );
    parse_rustsec(&run);
    let md = advisory(&fx, &["--base", "fix-base"]);
    for row in [
        "| `mycrate-1.18.x` | 1.18.2 | yes | `mycrate-1.18.2` | tag `mycrate-1.18.2` |",
        "| `mycrate-1.20.x` | 1.20.2 | yes | `mycrate-1.20.2` | tag `mycrate-1.20.2` |",
        "| `master` | 1.22.1 | yes | `mycrate-1.22.1` | tag `mycrate-1.22.1` |",
    ] {
        assert!(md.stdout.contains(row), "no row {row}:\n{md:?}");
    }
}

#[test]
fn zero_lines_before_the_release_are_patched_from_the_backport_branches() {
    let fx = zero_backported();
    let run = advisory(
        &fx,
        &[
            "--onto", "rel-0.12", "--onto", "rel-0.13", "--format", "rustsec",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 0.12.2, < 0.13.0", ">= 0.13.2, < 0.14.0", ">= 0.14.2"]"#
    );
    assert_eq!(
        toml_line(&run.stdout, "unaffected"),
        r#"unaffected = ["< 0.12.0"]"#
    );
    let adv = parse_rustsec(&run);
    // hyper's RUSTSEC-2021-0020 wrote the same ranges as bare versions.
    let hyper_style: Vec<semver::VersionReq> = [">= 0.14.2", "0.13.2", "0.12.2"]
        .iter()
        .map(|r| semver::VersionReq::parse(r).unwrap())
        .collect();
    for v in [
        "0.12.1", "0.12.2", "0.12.9", "0.13.1", "0.13.2", "0.14.1", "0.14.2", "0.11.9",
    ] {
        let v = semver::Version::parse(v).unwrap();
        let patched_hyper_style = hyper_style.iter().any(|r| r.matches(&v));
        let unaffected = v < semver::Version::new(0, 12, 0);
        assert_eq!(
            adv.versions.is_vulnerable(&v),
            !patched_hyper_style && !unaffected,
            "{v}"
        );
    }
}

#[test]
fn zero_lines_after_the_release_are_patched_from_the_tags() {
    let fx = Fixture::scenario("advisory-zero-released");
    let args = [
        "--base", "fix-base", "--onto", "rel-0.12", "--onto", "rel-0.13",
    ];
    let run = advisory(&fx, &[&args[..], &["--format", "rustsec"]].concat());
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 0.12.2, < 0.13.0", ">= 0.13.2, < 0.14.0", ">= 0.14.2"]"#
    );
    parse_rustsec(&run);
    // The lines have the fix by plain cherry-pick: found by patch-id.
    let md = advisory(&fx, &args);
    for row in [
        "| `rel-0.12` | 0.12.2 | yes | `v0.12.2` | tag `v0.12.2` |",
        "| `rel-0.13` | 0.13.2 | yes | `v0.13.2` | tag `v0.13.2` |",
        "| `master` | 0.14.2 | yes | `v0.14.2` | tag `v0.14.2` |",
    ] {
        assert!(md.stdout.contains(row), "no row {row}:\n{md:?}");
    }
}

#[test]
fn a_line_without_the_fix_is_affected_not_patched() {
    let fx = Fixture::scenario("advisory-lts");
    let run = advisory(&fx, &["--format", "rustsec"]);
    run.assert_code(1);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 1.22.1"]"#
    );
    assert!(
        run.stderr.contains(
            "warning: line `mycrate-1.18.x` is affected, not patched: its newest release \
             `mycrate-1.18.1` (1.18.1) does not contain the fix, and there is no backport branch \
             `security-release/mycrate-1.18.x`: run `cargo security-release backport --onto mycrate-1.18.x`"
        ),
        "{run:?}"
    );
}

#[test]
fn unaffected_is_inferred_from_the_release_that_shipped_the_flaw() {
    let fx = zero_backported();
    let flaw = fx.git(&["log", "--format=%h", "--grep", "Accept repeated", "master"]);
    let run = advisory(&fx, &["--onto", "rel-0.12", "--onto", "rel-0.13"]);
    run.assert_code(0);
    let expected = format!(
        "- **Unaffected:** `< 0.12.0` — introduced by {flaw} \"Accept repeated Transfer-Encoding \
         headers\", first released in 0.12.0 (`v0.12.0`); **inferred, to be confirmed**"
    );
    assert!(run.stdout.contains(&expected), "no `{expected}`:\n{run:?}");

    // Given, it is not marked as inferred; lines older than the flaw drop out.
    let release_013 = fx.git(&["rev-parse", "v0.13.0"]);
    let run = advisory(
        &fx,
        &[
            "--onto",
            "rel-0.12",
            "--onto",
            "rel-0.13",
            "--introduced",
            &release_013,
            "--format",
            "rustsec",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 0.13.2, < 0.14.0", ">= 0.14.2"]"#
    );
    assert_eq!(
        toml_line(&run.stdout, "unaffected"),
        r#"unaffected = ["< 0.13.0"]"#
    );
    assert!(
        run.stderr
            .contains("rel-0.12 predates the flaw (first released in 0.13.0, `v0.13.0`)"),
        "{run:?}"
    );
}

#[test]
fn osv_validates_against_the_schema_and_agrees_with_rustsec() {
    let fx = Fixture::scenario("advisory-lts-released");
    let flags = [
        "--base",
        "fix-base",
        "--cvss",
        CVSS_10,
        "--cve",
        "CVE-2026-31337",
        "--function",
        "mycrate::frame::Decoder::decode",
        "--url",
        "https://github.com/example/mycrate/pull/42",
    ];
    let osv = advisory(&fx, &[&flags[..], &["--format", "osv"]].concat());
    osv.assert_code(0);
    let doc: Value = serde_json::from_str(&osv.stdout).expect("OSV is JSON");
    assert_valid(&schema("osv-schema.json"), &doc, "the OSV record");
    assert_eq!(doc["affected"][0]["package"]["ecosystem"], "crates.io");
    assert_eq!(
        doc["aliases"],
        serde_json::json!(["CVE-2026-31337", "GHSA-4w9p-8c7m-qx2f"])
    );
    assert_eq!(
        doc["severity"],
        serde_json::json!([{ "type": "CVSS_V3", "score": CVSS_10 }])
    );

    // The events are the gaps rustsec computes from the RustSec file.
    let rs = advisory(&fx, &[&flags[..], &["--format", "rustsec"]].concat());
    let adv = parse_rustsec(&rs);
    let mut expected = Vec::new();
    for r in rustsec::osv::ranges_for_advisory(&adv.versions) {
        let introduced = r
            .introduced
            .map_or("0.0.0-0".to_string(), |v| v.to_string());
        expected.push(serde_json::json!({ "introduced": introduced }));
        if let Some(fixed) = r.fixed {
            expected.push(serde_json::json!({ "fixed": fixed.to_string() }));
        }
    }
    let events = &doc["affected"][0]["ranges"][0]["events"];
    assert_eq!(events, &Value::Array(expected));
    assert_eq!(
        events,
        &serde_json::json!([
            { "introduced": "1.17.0" }, { "fixed": "1.18.2" },
            { "introduced": "1.19.0" }, { "fixed": "1.20.2" },
            { "introduced": "1.21.0" }, { "fixed": "1.22.1" },
        ])
    );
    // The affected function carries the vulnerable ranges in RustSec.
    let functions = &adv.affected.as_ref().expect("[affected]").functions;
    let ranges: Vec<String> = functions
        .values()
        .next()
        .unwrap()
        .iter()
        .map(|r| r.to_string())
        .collect();
    assert_eq!(
        ranges,
        [
            ">=1.17.0, <1.18.2",
            ">=1.19.0, <1.20.2",
            ">=1.21.0, <1.22.1"
        ]
    );

    // A CVSS 4.0 vector is a CVSS_V4 severity, still valid.
    let v4 = "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N";
    let osv4 = advisory(
        &fx,
        &["--base", "fix-base", "--cvss", v4, "--format", "osv"],
    );
    let doc4: Value = serde_json::from_str(&osv4.stdout).expect("OSV is JSON");
    assert_valid(
        &schema("osv-schema.json"),
        &doc4,
        "the OSV record with CVSS 4.0",
    );
    assert_eq!(doc4["severity"][0]["type"], "CVSS_V4");
}

#[test]
fn ghsa_body_validates_and_has_one_entry_per_affected_range() {
    let fx = Fixture::scenario("advisory-lts-released");
    let out = fx.root().join("ghsa.json");
    let run = advisory(
        &fx,
        &[
            "--base",
            "fix-base",
            "--cvss",
            CVSS_10,
            "--title",
            "Decoder::decode panics on oversized frames",
            "--format",
            "ghsa",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    run.assert_code(0);
    assert_eq!(run.stdout, "", "--out takes the body");
    let body: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_valid(
        &schema("ghsa-repository-advisory-create.schema.json"),
        &body,
        "the GHSA body",
    );
    assert_eq!(
        body["summary"],
        "Decoder::decode panics on oversized frames"
    );
    assert_eq!(body["cvss_vector_string"], CVSS_10);
    assert!(
        body.get("severity").is_none(),
        "severity and cvss_vector_string both set"
    );
    let ranges: Vec<(String, String)> = body["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            assert_eq!(
                v["package"],
                serde_json::json!({ "ecosystem": "rust", "name": "mycrate" })
            );
            (
                v["vulnerable_version_range"].as_str().unwrap().to_string(),
                v["patched_versions"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let expected = [
        (">= 1.17.0, < 1.18.2", "1.18.2"),
        (">= 1.19.0, < 1.20.2", "1.20.2"),
        (">= 1.21.0, < 1.22.1", "1.22.1"),
    ];
    assert_eq!(
        ranges,
        expected.map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let command = format!(
        "gh api --method POST -H \"Accept: application/vnd.github+json\" -H \"X-GitHub-Api-Version: 2022-11-28\" \
         /repos/example/mycrate/security-advisories --input {}",
        out.display()
    );
    assert!(run.stderr.contains(&command), "no `{command}`:\n{run:?}");
}

#[test]
fn cvss_scores_are_the_published_scores() {
    let fx = Fixture::scenario("advisory-lts-released");
    for (vector, label) in [
        (CVSS_10, "10.0 critical"),
        ("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:N", "4.9 medium"),
        (
            "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:P/VC:N/VI:N/VA:H/SC:N/SI:N/SA:N",
            "7.1 high",
        ),
    ] {
        let run = advisory(&fx, &["--base", "fix-base", "--cvss", vector]);
        run.assert_code(0);
        let row = format!("| CVSS | {label} — `{vector}` |");
        assert!(run.stdout.contains(&row), "no `{row}`:\n{run:?}");
    }
}

#[test]
fn an_invalid_cvss_vector_exits_2_naming_the_metric() {
    let fx = Fixture::scenario("advisory-lts-released");
    let run = advisory(
        &fx,
        &[
            "--base",
            "fix-base",
            "--cvss",
            "CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("invalid CVSS vector `CVSS:3.1/AV:X/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H`")
            && run.stderr.contains("AV (Attack Vector)"),
        "{run:?}"
    );
    assert_eq!(run.stdout, "");
    let run = advisory(
        &fx,
        &[
            "--base",
            "fix-base",
            "--cvss",
            "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H",
        ],
    );
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("missing base metric(s): A (Availability Impact)"),
        "{run:?}"
    );
}

#[test]
fn the_fix_names_its_functions_as_a_hint() {
    let fx = Fixture::scenario("advisory-lts-released");
    let run = advisory(&fx, &["--base", "fix-base"]);
    assert!(
        run.stdout
            .contains("- `mycrate::frame::Decoder::decode` (mycrate/src/frame.rs:"),
        "{run:?}"
    );
    // Only --function puts it in the RustSec file.
    let rs = advisory(&fx, &["--base", "fix-base", "--format", "rustsec"]);
    assert!(!rs.stdout.contains("[affected"), "{rs:?}");
}

#[test]
fn flags_replace_the_configured_table_and_bad_values_exit_2() {
    let fx = Fixture::scenario("advisory-lts-released");
    let run = advisory(
        &fx,
        &[
            "--base",
            "fix-base",
            "--keyword",
            "panic",
            "--format",
            "rustsec",
        ],
    );
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "keywords"),
        r#"keywords = ["panic"]"#
    );
    assert_eq!(
        toml_line(&run.stdout, "categories"),
        r#"categories = ["denial-of-service"]"#
    );

    // advisory-db's linter speaks through warnings, and the draft needs attention.
    let lint = advisory(
        &fx,
        &[
            "--base",
            "fix-base",
            "--url",
            "https://github.com/advisories/GHSA-4w9p-8c7m-qx2f",
        ],
    );
    lint.assert_code(1);
    assert!(
        lint.stderr.contains("warning: RustSec lint:")
            && lint
                .stderr
                .contains("refer to an issue, PR or commit instead"),
        "{lint:?}"
    );

    let bad = advisory(&fx, &["--base", "fix-base", "--category", "dos"]);
    bad.assert_code(2);
    assert!(
        bad.stderr
            .contains("--category `dos`: not a RustSec category"),
        "{bad:?}"
    );
    let bad = advisory(&fx, &["--base", "fix-base", "--crate", "mycrate-macros"]);
    bad.assert_code(2);
    assert!(
        bad.stderr
            .contains("--crate `mycrate-macros` was not modified by the fix\npublishable crates the fix modified: `mycrate`"),
        "{bad:?}"
    );
    let bad = advisory(&fx, &["--base", "fix-base", "--function", "frame::decode"]);
    bad.assert_code(2);
    assert!(bad.stderr.contains("`mycrate::`"), "{bad:?}");
    let bad = advisory(&fx, &["--base", "fix-base", "--description", "no-such.md"]);
    bad.assert_code(2);
    assert!(
        bad.stderr
            .contains("failed to read the description `no-such.md` (--description)"),
        "{bad:?}"
    );
}

#[test]
fn the_changelog_check_accepts_an_id_from_the_advisory_table() {
    let fx = Fixture::scenario("advisory-lts");
    // The entry names the GHSA id of the table, not the version.
    fx.steps(
        r##"
[[step]]
replace = [["CHANGELOG.md", "# Changelog\n", "# Changelog\n\n## Unreleased\n\n- Refuse frames above the maximum length (GHSA-4w9p-8c7m-qx2f).\n"]]
commit = """
Add the changelog entry of the frame length fix

Names the advisory; the version is decided at the release."""
"##,
    );
    let run = fx.check(&["--skip", "ci", "--skip", "semver"]);
    run.assert_status("changelog", "pass").assert_detail(
        "changelog",
        "file",
        "CHANGELOG.md",
        "names GHSA-4w9p-8c7m-qx2f",
    );
}

#[test]
fn formats_belong_to_their_commands() {
    let fx = Fixture::scenario("advisory-lts-released");
    let run = advisory(&fx, &["--base", "fix-base", "--format", "json"]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("for JSON, pass --format osv"),
        "{run:?}"
    );
    let run = fx.run(&["check", "--format", "rustsec"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("--format rustsec is a format of `advisory`"),
        "{run:?}"
    );
}

#[test]
fn a_fix_in_two_crates_drafts_one_advisory_per_crate() {
    let fx = lts_backported();
    fx.steps(
        r#"
[[step]]
replace = [["mycrate-macros/src/lib.rs", "pub const HEADER: usize = 4;", "pub const HEADER: usize = 4;\n\n/// The largest length a header may give.\npub const MAX_LEN: u32 = 1 << 24;"]]
commit = """
Bound the header length in mycrate-macros too

The helpers had the same unbounded length."""
"#,
    );
    let run = advisory(&fx, &["--format", "rustsec"]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("the fix modified 2 publishable crates (mycrate, mycrate-macros)")
            && run.stderr.contains("pass --crate NAME"),
        "{run:?}"
    );
    // mycrate-macros was not bumped: its version is released without the fix.
    let run = advisory(&fx, &["--crate", "mycrate-macros", "--format", "rustsec"]);
    run.assert_code(1);
    assert!(
        run.stderr.contains(
            "HEAD ships mycrate-macros 1.3.0, which is already released as tag `mycrate-macros-1.3.0` without the fix"
        ),
        "{run:?}"
    );
    let ghsa = advisory(&fx, &["--format", "ghsa"]);
    let body: Value = serde_json::from_str(&ghsa.stdout).expect("GHSA body is JSON");
    assert_valid(
        &schema("ghsa-repository-advisory-create.schema.json"),
        &body,
        "the GHSA body",
    );
    let packages: Vec<&str> = body["vulnerabilities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["package"]["name"].as_str().unwrap())
        .collect();
    assert!(
        packages.contains(&"mycrate") && packages.contains(&"mycrate-macros"),
        "{packages:?}"
    );
    let md = advisory(&fx, &[]);
    assert!(
        md.stdout.contains("## `mycrate`\n") && md.stdout.contains("## `mycrate-macros`\n"),
        "{md:?}"
    );
}

/// The four formats of one advisory, pinned as snapshots and shown as such
/// in the README.
#[test]
fn rendered_formats_match_the_snapshots() {
    use snapbox::{assert_data_eq, file};
    let readme = std::fs::read_to_string(testdata().join("../README.md")).unwrap();
    let fx = Fixture::scenario("advisory-lts-released");
    let description = fx.root().join("description.md");
    std::fs::write(
        &description,
        "`Decoder::decode` sliced the payload with the length from the frame header without \
         checking it against the decoder's maximum or the buffer. A peer that sends a header \
         with a large length makes `decode` panic.\n\nUpgrade to 1.18.2, 1.20.2 or 1.22.1.\n",
    )
    .unwrap();
    let flags = [
        "--base",
        "fix-base",
        "--title",
        "Decoder::decode panics on frames longer than the buffer",
        "--description",
        description.to_str().unwrap(),
        "--cvss",
        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H",
        "--cve",
        "CVE-2026-31337",
        "--function",
        "mycrate::frame::Decoder::decode",
        "--url",
        "https://github.com/example/mycrate/pull/42",
    ];
    for (format, snapshot) in [
        ("markdown", file!["snapshots/advisory.md"].raw()),
        ("rustsec", file!["snapshots/advisory.rustsec.md"].raw()),
        ("osv", file!["snapshots/advisory.osv.json"].raw()),
        ("ghsa", file!["snapshots/advisory.ghsa.json"].raw()),
    ] {
        let run = advisory(&fx, &[&flags[..], &["--format", format]].concat());
        run.assert_code(0);
        assert!(
            readme.contains(&run.stdout),
            "the README's `advisory` section does not show the current --format {format} output"
        );
        assert_data_eq!(run.stdout, snapshot);
    }
}

#[test]
fn an_untargeted_line_with_the_flaw_stays_affected() {
    // Only the 0.13 line is maintained; 0.12 still has the vulnerable code.
    let fx = Fixture::scenario("advisory-zero");
    fx.run(&[
        "backport",
        "--offline",
        "--format",
        "json",
        "--onto",
        "rel-0.13",
    ])
    .assert_code(0);
    let run = advisory(&fx, &["--onto", "rel-0.13", "--format", "rustsec"]);
    run.assert_code(0);
    assert_eq!(
        toml_line(&run.stdout, "patched"),
        r#"patched = [">= 0.13.2, < 0.14.0", ">= 0.14.2"]"#
    );
    let adv = parse_rustsec(&run);
    assert!(adv.versions.is_vulnerable(&semver::Version::new(0, 12, 1)));
    assert!(
        run.stderr.contains(
            "line `rel-0.12` is affected, not patched: it is not a target and still has the code \
             the fix changes (`src/headers.rs`); its newest release 0.12.1 (`v0.12.1`) stays in the \
             affected range `>= 0.12.0, < 0.13.2`"
        ),
        "{run:?}"
    );
}
