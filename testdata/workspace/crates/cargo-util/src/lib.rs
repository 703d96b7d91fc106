//! Path helpers.

pub mod paths {
    /// Joins `entry` onto `dst`, refusing absolute entries.
    pub fn join_checked(dst: &str, entry: &str) -> Result<String, String> {
        if entry.starts_with('/') {
            return Err(format!("absolute path `{entry}` in archive"));
        }
        Ok(format!("{dst}/{entry}"))
    }
}
