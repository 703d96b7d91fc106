//! Registry index queries: "is `name@version` published?". The seam the
//! `check` and `backport` commands use to treat a version as released; the
//! sparse-index client that fills it arrives with `verify-published`.

use anyhow::Result;
use semver::Version;

/// Answers whether a crate version is in a registry. An error means the
/// registry could not be asked (never "not published").
pub trait PublishedVersions {
    fn is_published(&self, name: &str, version: &Version) -> Result<bool>;
    /// "crates.io", "https://index.example/": shown in report details.
    fn describe(&self) -> String;
}
