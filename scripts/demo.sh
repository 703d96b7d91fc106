#!/usr/bin/env bash
# The README demo. Builds two repositories from testdata/scenarios (a
# Cargo-like workspace with master, beta and stable, release tags, a public
# origin and a private GHSA fork) and runs `cargo security-release` on them:
#   1. a fix with the usual mistakes: `check` finds them;
#   2. a release-ready fix: `check` passes, `backport` builds the stable and
#      beta branches, and `check --all` tests those branches in worktrees.
set -euo pipefail
cd "$(dirname "$0")/.."

say() {
    printf '\033[1m%s\033[0m\n' "$*"
}

say "Building cargo-security-release and the demo's fixture builder (cargo's progress below;"
say "about 2 minutes the first time, seconds after that)."
cargo build --locked --bin cargo-security-release --example demo
export PATH="$PWD/target/debug:$PATH"

if cargo semver-checks --version >/dev/null 2>&1; then
    semver_ok=yes
else
    semver_ok=no
    say "Note: cargo-semver-checks is not installed, so every \`semver\` row below is"
    say "\`Error semver: cargo-semver-checks is not installed\` and a report that would"
    say "pass says \`incomplete\` and exits 2 (could not verify). Install it to see the"
    say "release-ready fix pass: cargo install --locked cargo-semver-checks@0.51.0"
fi

run() {
    printf '\n\033[1m$ %s\033[0m\n' "$*"
    "$@" || echo "(exit code $?)"
}

flawed="$(target/debug/examples/demo demo)"
say ""
say "== 1. A fix that is not ready: $flawed"
cd "$flawed"
run git log --oneline --graph master stable beta fix-path-traversal
run cargo security-release check --offline

ready="$(cd - >/dev/null && target/debug/examples/demo demo-ready)"
say ""
say "== 2. A release-ready fix: $ready"
cd "$ready"
run git log --oneline --graph master stable beta fix-path-traversal
run cargo security-release check --offline
run cargo security-release backport --offline --dry-run
run cargo security-release backport --offline
run git log --oneline stable..security-release/stable
run git log --oneline beta..security-release/beta
run cargo security-release check --offline --all
if [ "$semver_ok" = no ]; then
    say ""
    say "(The semver rows were \`error\` because cargo-semver-checks is missing; see the note at the top.)"
fi
