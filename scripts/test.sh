#!/usr/bin/env bash
# The whole test suite, as CI runs it: adds the rustfmt and clippy
# components and installs the pinned cargo-semver-checks when missing, then
# fmt, clippy and the tests, --locked.
set -euo pipefail
cd "$(dirname "$0")/.."

SEMVER_CHECKS_VERSION=0.51.0

for component in rustfmt clippy; do
    subcommand=${component/rustfmt/fmt}
    if ! cargo "$subcommand" --version >/dev/null 2>&1; then
        if ! command -v rustup >/dev/null 2>&1; then
            echo "error: \`cargo $subcommand\` is missing and rustup is not installed: install the $component component of your Rust toolchain" >&2
            exit 2
        fi
        echo "adding the rustup component $component" >&2
        rustup component add "$component"
    fi
done

installed="$(cargo semver-checks --version 2>/dev/null || true)"
if [ "$installed" != "cargo-semver-checks $SEMVER_CHECKS_VERSION" ]; then
    echo "installing cargo-semver-checks $SEMVER_CHECKS_VERSION (about 8 minutes on a fresh machine)" >&2
    cargo install --locked "cargo-semver-checks@$SEMVER_CHECKS_VERSION"
fi

cargo fmt --all --check
cargo clippy --locked --all-targets -- -D warnings
cargo test --locked
