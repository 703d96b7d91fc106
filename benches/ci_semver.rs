//! Measures what receipts and targeted semver checks save, in one run:
//!
//! 1. a second `check` on an unchanged tree ÷ the first one, with the
//!    fixture's real `cargo test --workspace --locked` as CI (target ≤ 0.05);
//! 2. `check`'s semver row on a fix touching 1 crate of a 12-crate workspace
//!    ÷ `cargo semver-checks --workspace --baseline-rev BASE` on the same tree
//!    (target ≤ 0.3).
//!
//! Run with `cargo bench --bench ci_semver`.

#[path = "../tests/support/mod.rs"]
mod support;

use std::process::Command;
use std::time::{Duration, Instant};

use support::Fixture;

const CRATES: usize = 12;
const ROUNDS: usize = 3;

fn main() {
    receipts();
    targeted_semver();
}

fn timed<T>(f: impl FnOnce() -> T) -> (T, Duration) {
    let start = Instant::now();
    let out = f();
    (out, start.elapsed())
}

fn receipts() {
    let fx = Fixture::scenario("good-fix");
    let (first, t1) = timed(|| fx.check(&[]));
    assert_eq!(first.status("ci"), "pass", "{first:?}");
    let (second, t2) = timed(|| fx.check(&[]));
    assert_eq!(second.status("ci"), "pass", "{second:?}");
    let summary = second.row("ci")["summary"].as_str().unwrap_or("");
    assert!(summary.contains("not re-run"), "{summary}");
    // Every row ran both times (the second too: only the CI commands and
    // the semver tool were spared), which the statuses show.
    let rows = |run: &support::Run| {
        run.json()["sections"][0]["checks"]
            .as_array()
            .map(|rows| {
                rows.iter()
                    .map(|r| {
                        format!(
                            "{}={}",
                            r["id"].as_str().unwrap_or("?"),
                            r["status"].as_str().unwrap_or("?")
                        )
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .unwrap_or_default()
    };
    println!("receipts: first run rows: {}", rows(&first));
    println!("receipts: second run rows: {}", rows(&second));
    println!(
        "receipts: first check {:.2}s (cargo test ran), second check {:.3}s (receipt), ratio {:.3} (target <= 0.05)",
        t1.as_secs_f64(),
        t2.as_secs_f64(),
        t2.as_secs_f64() / t1.as_secs_f64()
    );
}

/// Every row but `semver` is skipped, so the time is the semver row plus the
/// tool's own start-up and context.
const SEMVER_ONLY: &[&str] = &[
    "--skip",
    "clean-tree",
    "--skip",
    "ci",
    "--skip",
    "version-bump",
    "--skip",
    "dependency-specs",
    "--skip",
    "lockfile",
    "--skip",
    "temporary-patches",
    "--skip",
    "changelog",
    "--skip",
    "commits",
    "--skip",
    "embargo",
    "--skip",
    "manual",
];

fn targeted_semver() {
    let fx = Fixture::empty();
    let members: Vec<String> = (0..CRATES).map(|i| format!("crates/c{i:02}")).collect();
    fx.write(
        "Cargo.toml",
        &format!(
            "[workspace]\nresolver = \"2\"\nmembers = [{}]\n",
            members
                .iter()
                .map(|m| format!("\"{m}\""))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    );
    fx.write(".gitignore", "/target\n");
    for (i, dir) in members.iter().enumerate() {
        fx.write(
            &format!("{dir}/Cargo.toml"),
            &format!(
                "[package]\nname = \"c{i:02}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"bench crate\"\n"
            ),
        );
        fx.write(&format!("{dir}/src/lib.rs"), &library(0));
    }
    fx.cargo(&["generate-lockfile", "--offline"]);
    fx.commit("Import the workspace\n\nTwelve library crates.");
    let base = fx.git(&["rev-parse", "HEAD"]);
    fx.git(&["switch", "-q", "-c", "fix"]);
    fx.write("crates/c03/src/lib.rs", &library(1));
    fx.commit("Fix c03\n\nA body-only change.");

    let semver_dir = fx.repo.join("target/security-release/semver");
    let ours = || {
        // The recorded verdict would make this free; measure a real run.
        let _ = std::fs::remove_dir_all(&semver_dir);
        let (run, t) = timed(|| fx.check(SEMVER_ONLY));
        assert_eq!(run.status("semver"), "pass", "{run:?}");
        t
    };
    let whole = || {
        let (out, t) = timed(|| {
            Command::new("cargo")
                .args(["semver-checks", "--workspace", "--baseline-rev", &base])
                .current_dir(&fx.repo)
                .env("CARGO_NET_OFFLINE", "true")
                .output()
                .expect("run cargo semver-checks")
        });
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t
    };
    // Warm both once (baseline checkout, rustdoc of the untouched crates),
    // then alternate so that neither benefits from running second.
    whole();
    ours();
    let mut ours_t = Vec::new();
    let mut whole_t = Vec::new();
    for _ in 0..ROUNDS {
        ours_t.push(ours());
        whole_t.push(whole());
    }
    let (o, w) = (median(&mut ours_t), median(&mut whole_t));
    println!(
        "semver: check on 1 of {CRATES} crates {:.2}s, cargo semver-checks --workspace {:.2}s, ratio {:.3} (target <= 0.3; medians of {ROUNDS})",
        o.as_secs_f64(),
        w.as_secs_f64(),
        o.as_secs_f64() / w.as_secs_f64()
    );
}

fn median(v: &mut [Duration]) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A library with enough public API to give rustdoc and the lints some work;
/// `variant` changes one function body only.
fn library(variant: u32) -> String {
    let mut s = String::from("//! Bench crate.\n\n");
    for f in 0..40 {
        s.push_str(&format!(
            "/// Function {f}.\npub fn f{f}(x: u64) -> u64 {{\n    x.wrapping_mul({}).wrapping_add({f})\n}}\n\n",
            if f == 0 { 3 + variant } else { 3 }
        ));
    }
    for t in 0..10 {
        s.push_str(&format!(
            "/// Type {t}.\n#[derive(Debug, Clone, Default)]\npub struct S{t} {{\n    pub a: u64,\n    pub b: String,\n}}\n\nimpl S{t} {{\n    /// Method.\n    pub fn get(&self) -> u64 {{\n        self.a\n    }}\n}}\n\n"
        ));
    }
    s
}
