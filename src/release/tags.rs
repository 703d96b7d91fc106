//! Release tags, learned from the repository: a tag whose name ends in a
//! version (`0.72.1`, `v0.1.0`, `v/0.21.10`, `mycrate-1.18.3`,
//! `openssl-sys-v0.9.90`) is a candidate; it is the release of
//! `crate@version` only once the tagged commit's manifest carries that crate
//! at that version (checked lazily by the release model).

use semver::Version;

use crate::config::TagFormat;
use crate::git::DatedTag;

/// A tag that may mark a release.
#[derive(Clone, Debug)]
pub struct ReleaseTag {
    pub name: String,
    pub commit: crate::git::Oid,
    pub version: Version,
    /// The crate the name starts with (`mycrate` in `mycrate-1.18.3`);
    /// `None` for crate-less names (`v1.2.3`), which name whichever crate
    /// the tagged commit carries at that version.
    pub prefix_crate: Option<String>,
    /// Seconds since the epoch (tagger date, else commit date).
    pub date: i64,
}

/// Splits a tag name into its prefix and the version it ends in: the
/// longest suffix that starts with a digit after a separator (or `v`) and
/// parses as a version.
pub fn split_version(tag: &str) -> Option<(&str, Version)> {
    let bytes = tag.as_bytes();
    for (i, c) in tag.char_indices() {
        if !c.is_ascii_digit() {
            continue;
        }
        let boundary = i == 0 || matches!(bytes[i - 1], b'-' | b'_' | b'/' | b'@' | b'v' | b'V');
        // `v` only counts when it is itself at a boundary (`v1`, `-v1`), not
        // the end of a word (`dev1`).
        let v_ok = !matches!(bytes.get(i.wrapping_sub(1)), Some(b'v' | b'V'))
            || i == 1
            || matches!(bytes[i - 2], b'-' | b'_' | b'/' | b'@');
        if boundary
            && v_ok
            && let Ok(v) = Version::parse(&tag[i..])
        {
            return Some((&tag[..i], v));
        }
    }
    None
}

/// The crate a tag prefix names: `mycrate-` → `mycrate`, `openssl-v` →
/// `openssl`, `v`, `v/` and `` → none.
pub fn prefix_crate(prefix: &str) -> Option<String> {
    let p = prefix.trim_end_matches(['-', '_', '/', '@']);
    let p = p
        .strip_suffix("-v")
        .or_else(|| p.strip_suffix("_v"))
        .unwrap_or(p);
    let p = if p.eq_ignore_ascii_case("v") { "" } else { p };
    let p = p.trim_end_matches(['-', '_', '/', '@']);
    (!p.is_empty()).then(|| p.to_string())
}

/// Every tag that may be a release, newest version first. With configured
/// formats only tags in those formats count (`tag-format` overrides what
/// is learned).
pub fn candidates(tags: Vec<DatedTag>, formats: Option<&[TagFormat]>) -> Vec<ReleaseTag> {
    let mut out: Vec<ReleaseTag> = tags
        .into_iter()
        .filter_map(|t| {
            let (prefix_crate, version) = match formats {
                Some(formats) => formats.iter().find_map(|f| f.parse(&t.name))?,
                None => {
                    let (prefix, version) = split_version(&t.name)?;
                    (prefix_crate(prefix), version)
                }
            };
            Some(ReleaseTag {
                name: t.name,
                commit: t.commit,
                version,
                prefix_crate,
                date: t.date,
            })
        })
        .collect();
    out.sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(tag: &str) -> Option<(Option<String>, String)> {
        split_version(tag).map(|(p, v)| (prefix_crate(p), v.to_string()))
    }

    #[test]
    fn learns_the_common_formats() {
        assert_eq!(split("0.72.1"), Some((None, "0.72.1".into())));
        assert_eq!(split("v0.1.0"), Some((None, "0.1.0".into())));
        assert_eq!(split("v/0.21.10"), Some((None, "0.21.10".into())));
        assert_eq!(
            split("mycrate-1.18.3"),
            Some((Some("mycrate".into()), "1.18.3".into()))
        );
        assert_eq!(
            split("mycrate-macros-1.8.2"),
            Some((Some("mycrate-macros".into()), "1.8.2".into()))
        );
        assert_eq!(
            split("cargo-util-0.2.4"),
            Some((Some("cargo-util".into()), "0.2.4".into()))
        );
        assert_eq!(
            split("openssl-sys-v0.9.90"),
            Some((Some("openssl-sys".into()), "0.9.90".into()))
        );
        assert_eq!(split("v1.0.0-rc.1"), Some((None, "1.0.0-rc.1".into())));
        assert_eq!(
            split("mycrate@1.2.3"),
            Some((Some("mycrate".into()), "1.2.3".into()))
        );
        assert_eq!(split("nightly"), None);
        assert_eq!(split("v1.2"), None);
        assert_eq!(split("dev1.2.3"), None);
    }
}
