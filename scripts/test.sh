#!/usr/bin/env bash
# The whole test suite, as CI runs it: installs the pinned
# cargo-semver-checks when missing, then fmt, clippy and the tests, --locked.
set -euo pipefail
cd "$(dirname "$0")/.."

SEMVER_CHECKS_VERSION=0.51.0

installed="$(cargo semver-checks --version 2>/dev/null || true)"
if [ "$installed" != "cargo-semver-checks $SEMVER_CHECKS_VERSION" ]; then
    echo "installing cargo-semver-checks $SEMVER_CHECKS_VERSION (about 8 minutes on a fresh machine)" >&2
    cargo install --locked "cargo-semver-checks@$SEMVER_CHECKS_VERSION"
fi

cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
