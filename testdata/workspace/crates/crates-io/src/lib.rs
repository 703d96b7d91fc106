//! Registry client.

/// Where packages are published by default.
pub const DEFAULT_REGISTRY: &str = "crates-io";

/// Normalises a package path before upload.
pub fn upload_path(entry: &str) -> Result<String, String> {
    cargo_util::paths::join_checked("package", entry)
}
