#!/usr/bin/env bash
# The README demo: builds a Cargo-like repository from testdata/ (stable and
# beta branches, a public origin, a private security fork, a fix with
# mistakes) and runs `cargo security-release` on it.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet --bin cargo-security-release --example demo
export PATH="$PWD/target/debug:$PATH"
repo="$(target/debug/examples/demo demo)"
echo "demo repository: $repo"
cd "$repo"

run() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@" || echo "(exit code $?)"
}

run git log --oneline --graph --all
run cargo security-release check --offline
run cargo security-release backport --dry-run --offline
run cargo security-release backport --offline
run git branch --list 'security-release/*' -v
run cargo security-release check --offline --all --skip semver
