//! The `cargo` library of the fixture workspace.

/// Unpacks a package archive into `dst`, refusing paths that leave it.
pub fn unpack(entry: &str, dst: &str) -> Result<String, String> {
    let path = cargo_util::paths::join_checked(dst, entry)?;
    Ok(path)
}

/// The registry the fixture publishes to.
pub fn registry() -> &'static str {
    crates_io::DEFAULT_REGISTRY
}

#[cfg(test)]
mod tests {
    #[test]
    fn unpacks_inside_destination() {
        assert_eq!(super::unpack("src/lib.rs", "/tmp/pkg").unwrap(), "/tmp/pkg/src/lib.rs");
    }
}
