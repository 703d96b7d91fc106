//! Builds the demo repository of README.md from `testdata/scenarios/demo.toml`:
//! a Cargo-like workspace with `stable` and `beta` branches, a public
//! `origin` and a private security fork, and a fix that is not ready yet.
//!
//! Run through `scripts/demo.sh`, which then runs `check` and `backport` on it.

#[path = "../tests/support/mod.rs"]
mod support;

fn main() {
    let scenario = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "demo".to_string());
    let fixture = support::Fixture::scenario(&scenario);
    let root = fixture.keep();
    println!("{}", root.join("repo").display());
}
