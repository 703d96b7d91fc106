#!/usr/bin/env bash
# The README demo. Builds two repositories from testdata/scenarios (a
# Cargo-like workspace with master, beta and stable, release tags, a public
# origin and a private GHSA fork) and runs `cargo security-release` on them:
#   1. a fix with the usual mistakes: `check` finds them;
#   2. a release-ready fix: `check` passes, `backport` builds the stable and
#      beta branches, and `check --all` tests those branches in worktrees.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --locked --quiet --bin cargo-security-release --example demo
export PATH="$PWD/target/debug:$PATH"

run() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@" || echo "(exit code $?)"
}

flawed="$(target/debug/examples/demo demo)"
printf '\n\033[1m== 1. A fix that is not ready: %s\033[0m\n' "$flawed"
cd "$flawed"
run git log --oneline --graph master stable beta fix-path-traversal
run cargo security-release check --offline

ready="$(cd - >/dev/null && target/debug/examples/demo demo-ready)"
printf '\n\033[1m== 2. A release-ready fix: %s\033[0m\n' "$ready"
cd "$ready"
run git log --oneline --graph master stable beta fix-path-traversal
run cargo security-release check --offline
run cargo security-release backport --offline --dry-run
run cargo security-release backport --offline
run git log --oneline stable..security-release/stable
run git log --oneline beta..security-release/beta
run cargo security-release check --offline --all
