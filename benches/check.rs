//! Benchmark for `check` on a large workspace (issue #2): 64 member crates,
//! 5,000+ files, 2,000+ commits, a fix touching 3 crates. Prints the wall
//! time of `check --skip ci --skip semver` divided by the wall time of one
//! `cargo metadata --format-version 1` on the same tree, both measured here
//! (`check --offline`: the registry is a network round trip, not local work),
//! median of several runs. Target: ≤ 1.5.
//!
//! Run: `cargo bench --bench check`

use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CRATES: usize = 64;
const FILES_PER_CRATE: usize = 80;
const COMMITS: usize = 2_000;
const RUNS: usize = 5;

fn main() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let repo = tmp.path().join("big");
    let setup = Instant::now();
    build_repo(&repo);
    let files = count_files(&repo);
    let commits = git(&repo, &["rev-list", "--count", "HEAD"]);
    eprintln!(
        "generated {CRATES} crates, {files} files, {} commits in {:.1?}",
        commits.trim(),
        setup.elapsed()
    );

    let metadata = median(|| {
        let out = Command::new("cargo")
            .args(["metadata", "--format-version", "1"])
            .current_dir(&repo)
            .stdout(Stdio::null())
            .status()
            .expect("run cargo metadata");
        assert!(out.success());
    });
    let check = median(|| {
        let out = Command::new(env!("CARGO_BIN_EXE_cargo-security-release"))
            .args([
                "check",
                "--skip",
                "ci",
                "--skip",
                "semver",
                "--format",
                "json",
                "--offline",
            ])
            .current_dir(&repo)
            .output()
            .expect("run check");
        let report: serde_json::Value =
            serde_json::from_slice(&out.stdout).expect("check prints a JSON report");
        let bump = report["sections"][0]["checks"]
            .as_array()
            .and_then(|c| c.iter().find(|r| r["id"] == "version-bump"))
            .expect("version-bump row");
        assert_eq!(bump["status"], "pass", "the fix is release-ready: {bump}");
    });
    println!("cargo metadata --format-version 1: {metadata:.3?} (median of {RUNS})");
    println!("check --skip ci --skip semver --offline: {check:.3?} (median of {RUNS})");
    println!(
        "ratio check / cargo metadata = {:.2} (target <= 1.5)",
        check.as_secs_f64() / metadata.as_secs_f64()
    );
}

fn median(mut f: impl FnMut()) -> Duration {
    f(); // warm the page cache and cargo's own caches
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    times.sort();
    times[RUNS / 2]
}

fn build_repo(repo: &Path) {
    std::fs::create_dir_all(repo).unwrap();
    let mut members = String::new();
    for i in 0..CRATES {
        let dir = repo.join(format!("crates/c{i}"));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let dep = if i > 0 {
            format!("c{} = {{ workspace = true }}\n", i - 1)
        } else {
            String::new()
        };
        std::fs::write(
            dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"c{i}\"\nversion = \"1.0.0\"\nedition = \"2021\"\nlicense = \"MIT\"\ndescription = \"bench crate\"\n\n[dependencies]\n{dep}"
            ),
        )
        .unwrap();
        let mut lib = String::new();
        for f in 0..FILES_PER_CRATE {
            lib.push_str(&format!("pub mod f{f};\n"));
            std::fs::write(
                dir.join(format!("src/f{f}.rs")),
                format!("pub fn f() -> u32 {{ {f} }}\n"),
            )
            .unwrap();
        }
        std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
        members.push_str(&format!(
            "c{i} = {{ version = \"1.0.0\", path = \"crates/c{i}\" }}\n"
        ));
    }
    std::fs::write(
        repo.join("Cargo.toml"),
        format!(
            "[workspace]\nresolver = \"2\"\nmembers = [\"crates/*\"]\n\n[workspace.dependencies]\n{members}\n[workspace.metadata.security-release]\nadvisory = \"GHSA-xxxx-yyyy-zzzz\"\n"
        ),
    )
    .unwrap();
    std::fs::write(
        repo.join("CHANGELOG.md"),
        "# Changelog\n\n## 1.0.0\n\n- First.\n",
    )
    .unwrap();
    std::fs::write(repo.join(".gitignore"), "/target\n").unwrap();
    cargo(repo, &["generate-lockfile", "--offline"]);
    git(repo, &["init", "-q", "-b", "master"]);
    git(repo, &["add", "-A"]);
    git(
        repo,
        &["commit", "-q", "-m", "Import\n\nThe benchmark workspace."],
    );
    git(repo, &["tag", "1.0.0"]);

    // 2,000 commits of history through fast-import: seconds instead of minutes.
    let mut stream = String::new();
    for n in 0..COMMITS {
        let path = format!("crates/c{}/src/f{}.rs", n % CRATES, n % FILES_PER_CRATE);
        let content = format!("pub fn f() -> u32 {{ {n} }}\n");
        let msg = format!("Change {path}\n\nHistory for the benchmark.\n");
        stream.push_str(&format!(
            "commit refs/heads/master\ncommitter Bench <bench@example.com> {} +0000\ndata {}\n{msg}",
            1_700_000_000 + n,
            msg.len()
        ));
        if n == 0 {
            stream.push_str("from refs/heads/master^0\n");
        }
        stream.push_str(&format!(
            "M 100644 inline {path}\ndata {}\n{content}\n",
            content.len()
        ));
    }
    let mut child = Command::new("git")
        .args(["fast-import", "--quiet", "--force"])
        .current_dir(repo)
        .stdin(Stdio::piped())
        .spawn()
        .expect("run git fast-import");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stream.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    git(repo, &["reset", "-q", "--hard", "master"]);

    // The fix: three crates change and get a patch release.
    git(repo, &["switch", "-q", "-c", "fix"]);
    for i in [3, 30, 60] {
        let dir = repo.join(format!("crates/c{i}"));
        std::fs::write(dir.join("src/f1.rs"), "pub fn f() -> u32 { 42 }\n").unwrap();
        let manifest = dir.join("Cargo.toml");
        let text = std::fs::read_to_string(&manifest).unwrap();
        std::fs::write(&manifest, text.replacen("1.0.0", "1.0.1", 1)).unwrap();
        let root = repo.join("Cargo.toml");
        let text = std::fs::read_to_string(&root).unwrap();
        let from = format!("c{i} = {{ version = \"1.0.0\"");
        let to = format!("c{i} = {{ version = \"1.0.1\"");
        std::fs::write(&root, text.replacen(&from, &to, 1)).unwrap();
    }
    std::fs::write(
        repo.join("CHANGELOG.md"),
        "# Changelog\n\n## 1.0.1\n\n- Fix GHSA-xxxx-yyyy-zzzz in c3, c30, c60.\n\n## 1.0.0\n\n- First.\n",
    )
    .unwrap();
    cargo(repo, &["generate-lockfile", "--offline"]);
    git(repo, &["add", "-A"]);
    git(
        repo,
        &[
            "commit",
            "-q",
            "-m",
            "Fix the overflow in f1\n\nGHSA-xxxx-yyyy-zzzz.",
        ],
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Bench")
        .env("GIT_AUTHOR_EMAIL", "bench@example.com")
        .env("GIT_COMMITTER_NAME", "Bench")
        .env("GIT_COMMITTER_EMAIL", "bench@example.com")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn cargo(dir: &Path, args: &[&str]) {
    let out = Command::new("cargo")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run cargo");
    assert!(
        out.status.success(),
        "cargo {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn count_files(dir: &Path) -> usize {
    let mut n = 0;
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let p = entry.path();
        if entry.file_name() == ".git" {
            continue;
        }
        if p.is_dir() {
            n += count_files(&p);
        } else {
            n += 1;
        }
    }
    n
}
