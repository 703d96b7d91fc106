//! Test helpers (never published).

pub fn fixture_path(name: &str) -> String {
    cargo_util::paths::join_checked("tests/fixtures", name).unwrap_or_default()
}
