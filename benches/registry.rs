//! Benchmark for the registry row (issue #5): 20 crates against a local
//! sparse index that adds 100 ms of latency to every request. Prints the
//! wall time of the lookups (in-process, and the whole `verify-published`
//! command) divided by one request's latency, measured in this run.
//! Target: ≤ 3 (concurrent, not 20 sequential requests).
//!
//! Run: `cargo bench --bench registry`

#[path = "../tests/support/mod.rs"]
mod support;

use std::time::{Duration, Instant};

use cargo_security_release::registry::{IndexLocation, RetryPolicy, SparseRegistry};
use support::index_server::{IndexServer, Mode};

const CRATES: usize = 20;
const LATENCY: Duration = Duration::from_millis(100);

fn main() {
    let server = IndexServer::start(Mode::Latency(LATENCY));
    let names: Vec<String> = (0..CRATES).map(|i| format!("bench-crate-{i}")).collect();
    for n in &names {
        server.publish(n, "1.0.0", &"0".repeat(64), false);
    }
    let scratch = tempfile::tempdir().unwrap();
    let location = IndexLocation::from_url(&server.url).unwrap();

    // One request: the unit of the ratio.
    let one = {
        let registry =
            SparseRegistry::new(location.clone(), scratch.path(), RetryPolicy::default()).unwrap();
        let t = Instant::now();
        registry.entry(&names[0]).unwrap();
        t.elapsed()
    };
    let registry = SparseRegistry::new(location, scratch.path(), RetryPolicy::default()).unwrap();
    let t = Instant::now();
    let entries = registry.entries(&names);
    let all = t.elapsed();
    assert!(
        entries
            .iter()
            .all(|(_, e)| e.as_ref().is_ok_and(|e| e.versions.is_some()))
    );

    let fx = support::Fixture::scenario("verify-released");
    let mut args = vec![
        "verify-published",
        "--format",
        "json",
        "--base",
        "fix-base",
        "--index",
        server.url.as_str(),
    ];
    let specs: Vec<String> = names.iter().map(|n| format!("{n}@1.0.0")).collect();
    for s in &specs {
        args.push("--crate");
        args.push(s);
    }
    let t = Instant::now();
    let run = fx.run(&args);
    let command = t.elapsed();
    assert_eq!(run.row("registry")["status"], "pass", "{run:?}");

    println!("one request ({LATENCY:?} added latency): {one:.3?}");
    println!(
        "{CRATES} crates, in-process lookups: {all:.3?}; ratio {:.2} (target <= 3)",
        all.as_secs_f64() / one.as_secs_f64()
    );
    println!(
        "{CRATES} crates, whole verify-published command: {command:.3?}; ratio {:.2}",
        command.as_secs_f64() / one.as_secs_f64()
    );
}
