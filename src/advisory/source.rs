//! Temporary provider of what each release line ships, until the release
//! model (`crate::release`) answers it: lines come from `--onto` only, a
//! line's version from its `security-release/<line>` backport branch or its
//! release tags, the main branch's from the workspace at HEAD. Kept small
//! and apart so that it can be swapped for the release model whole.

use std::fmt;

use anyhow::{Result, bail};
use semver::Version;

use super::{LineVersion, VersionSource};
use crate::context::{ChangedCrate, Context};
use crate::git::Oid;
use crate::presence::{self, Fix};

/// The versions a line's name promises: `1.18.x` is the 1.18 series, `2.x`
/// the 2 series, `release-24.0.0` (wasmtime's scheme) the 24 series.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Series {
    pub parts: Vec<u64>,
}

impl Series {
    /// The first version of the next series: `1.18` → 1.19.0, `0.22` →
    /// 0.23.0, `2` → 3.0.0, `24.0.0` → 25.0.0 (a line named after a whole
    /// `X.0.0` release ships that major version's patches).
    pub fn next(&self) -> Version {
        match self.parts.as_slice() {
            [] => Version::new(0, 0, 0),
            [major] => Version::new(major + 1, 0, 0),
            [major, 0, 0, ..] if *major > 0 => Version::new(major + 1, 0, 0),
            [major, minor, ..] => Version::new(*major, minor + 1, 0),
        }
    }

    pub fn contains(&self, version: &Version) -> bool {
        let low = Version::new(
            self.parts.first().copied().unwrap_or(0),
            self.parts.get(1).copied().unwrap_or(0),
            self.parts.get(2).copied().unwrap_or(0),
        );
        let mut v = version.clone();
        v.pre = semver::Prerelease::EMPTY;
        v >= low && v < self.next()
    }

    /// The series a version belongs to when the line's name does not say:
    /// its minor series (`1.18.3` → 1.18, `0.22.1` → 0.22), the unit that
    /// release branches of both 0.y and 1.y crates are cut at.
    pub fn of_version(v: &Version) -> Series {
        Series {
            parts: vec![v.major, v.minor],
        }
    }

    /// Reads the series from a line's name: the version at its end after a
    /// `<crate>-`, `v`, `rel-`, `release-`, `release/` prefix (`1.18.x`,
    /// `v0.14.x`, `rel-0.22`, `2.x`, `release-24.0.0`). `None` for names that
    /// are no crate version (`stable`, `beta`, Cargo's `rust-1.80.0`).
    pub fn from_line_name(name: &str) -> Option<Series> {
        let name = name.strip_prefix("origin/").unwrap_or(name);
        if name.starts_with("rust-") {
            return None;
        }
        let start = name
            .char_indices()
            .filter(|(i, c)| {
                c.is_ascii_digit()
                    && (*i == 0 || matches!(name.as_bytes()[i - 1], b'-' | b'/' | b'v'))
            })
            .map(|(i, _)| i)
            .find(|&i| is_series(&name[i..]))?;
        let text = name[start..].strip_suffix(".x").unwrap_or(&name[start..]);
        let parts: Vec<u64> = text
            .split('.')
            .map(|p| p.parse().ok())
            .collect::<Option<_>>()?;
        Some(Series { parts })
    }
}

/// `1.18.x`, `0.22`, `2.x`, `20.0.0`; a bare number is a series only as
/// `2.x` (`release-7` says nothing about versions).
fn is_series(text: &str) -> bool {
    let (numbers, wildcard) = match text.strip_suffix(".x") {
        Some(t) => (t, true),
        None => (text, false),
    };
    let parts: Vec<&str> = numbers.split('.').collect();
    (1..=3).contains(&parts.len())
        && (parts.len() > 1 || wildcard)
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()))
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        write!(f, "{}", parts.join("."))
    }
}

/// A release tag of a crate: a tag whose name ends in the version that the
/// tagged commit's manifest gives the crate (`mycrate-1.18.3`, `v0.14.2`,
/// `v/0.21.10`).
#[derive(Clone, Debug)]
pub struct CrateTag {
    pub name: String,
    pub commit: Oid,
    pub version: Version,
}

/// The crate's release tags, lowest version first.
pub fn crate_tags(cx: &Context, krate: &ChangedCrate) -> Result<Vec<CrateTag>> {
    let mut out = Vec::new();
    for tag in cx.repo.tags(None)? {
        let Some(version) = cx.version_at(tag.commit, &krate.manifest, &krate.name)? else {
            continue;
        };
        let v = version.to_string();
        let ends_in_version = tag.name.strip_suffix(v.as_str()).is_some_and(|prefix| {
            prefix
                .chars()
                .next_back()
                .is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.') || c == 'v')
        });
        if ends_in_version {
            out.push(CrateTag {
                name: tag.name,
                commit: tag.commit,
                version,
            });
        }
    }
    out.sort_by(|a, b| a.version.cmp(&b.version).then(a.name.cmp(&b.name)));
    Ok(out)
}

/// What the release lines named by `--onto` and the main branch ship of
/// `krate`, oldest line first, the main branch last.
pub fn lines(
    cx: &Context,
    krate: &ChangedCrate,
    onto: &[String],
    tags: &[CrateTag],
    fix: &Fix<'_>,
) -> Result<(Vec<LineVersion>, Vec<String>)> {
    let main = cx
        .config
        .main_branch
        .clone()
        .unwrap_or_else(|| "main branch".to_string());
    let mut notes = Vec::new();
    let mut out = Vec::new();
    for name in onto {
        let name = name.strip_prefix("origin/").unwrap_or(name);
        if *name == main || cx.head.branch.as_deref() == Some(name) {
            notes.push(format!(
                "--onto {name}: that is the main branch; its version comes from the workspace at HEAD"
            ));
            continue;
        }
        let Some(tip) = cx.repo.branch_tip(name) else {
            bail!("release line `{name}` (--onto) exists neither locally nor as `origin/{name}`");
        };
        let Some(at_tip) = cx.version_at(tip.commit, &krate.manifest, &krate.name)? else {
            notes.push(format!(
                "`{}` is not at `{}` on `{name}`: the line does not ship it",
                krate.name, krate.manifest
            ));
            continue;
        };
        let series = Series::from_line_name(name).unwrap_or_else(|| Series::of_version(&at_tip));
        out.push(line_version(
            cx, krate, name, tip.commit, series, tags, fix,
        )?);
    }
    out.sort_by(|a, b| {
        a.series
            .cmp(&b.series)
            .then(a.fixed.cmp(&b.fixed))
            .then(a.line.cmp(&b.line))
    });
    out.push(main_version(cx, krate, &main, tags, fix)?);
    Ok((out, notes))
}

/// A line's fixed version: its first release tag that has the fix (after
/// the release), else its backport branch (before the release).
fn line_version(
    cx: &Context,
    krate: &ChangedCrate,
    name: &str,
    tip: Oid,
    series: Series,
    tags: &[CrateTag],
    fix: &Fix<'_>,
) -> Result<LineVersion> {
    let mut newest_on_line: Option<&CrateTag> = None;
    for tag in tags.iter().filter(|t| series.contains(&t.version)) {
        if !cx.repo.contains(tip, tag.commit)? {
            continue;
        }
        if has_fix(cx, fix, tag.commit)? {
            return Ok(LineVersion {
                line: name.to_string(),
                series,
                fixed: Some(tag.version.clone()),
                source: VersionSource::Tag(tag.name.clone()),
                fix_present: true,
                tag: Some(tag.name.clone()),
                problem: None,
            });
        }
        newest_on_line = Some(tag);
    }
    let backport = format!("{}{name}", cx.config.backport_prefix);
    if let Some(branch) = cx.repo.branch_tip(&backport) {
        let fixed = cx.version_at(branch.commit, &krate.manifest, &krate.name)?;
        let fix_present = has_fix(cx, fix, branch.commit)?;
        let mut tag = None;
        let mut problem = None;
        if let Some(v) = &fixed {
            for t in tags.iter().filter(|t| t.version == *v) {
                if has_fix(cx, fix, t.commit)? {
                    tag = Some(t.name.clone());
                    break;
                }
                problem = Some(format!(
                    "`{}` ships {v}, which is already released as tag `{}` without the fix: \
                     rebuild it with `cargo security-release backport --force`",
                    branch.name, t.name
                ));
            }
        }
        if tag.is_some() {
            problem = None;
        }
        return Ok(LineVersion {
            line: name.to_string(),
            series,
            fixed: if problem.is_some() { None } else { fixed },
            source: VersionSource::BackportBranch(branch.name),
            fix_present,
            tag,
            problem,
        });
    }
    Ok(LineVersion {
        line: name.to_string(),
        series,
        fixed: None,
        source: VersionSource::Missing,
        fix_present: false,
        problem: Some(match newest_on_line {
            Some(t) => format!(
                "its newest release `{}` ({}) does not contain the fix, and there is no \
                 backport branch `{backport}`: run `cargo security-release backport --onto {name}`",
                t.name, t.version
            ),
            None => format!(
                "it has no release tag of this crate and no backport branch `{backport}`: \
                 run `cargo security-release backport --onto {name}`"
            ),
        }),
        tag: newest_on_line.map(|t| t.name.clone()),
    })
}

/// The main branch ships the workspace's version at HEAD; it is released
/// when a tag with that version has the fix.
fn main_version(
    cx: &Context,
    krate: &ChangedCrate,
    main: &str,
    tags: &[CrateTag],
    fix: &Fix<'_>,
) -> Result<LineVersion> {
    let version = krate.head_version.clone();
    let mut tag = None;
    let mut released_without_fix = None;
    for t in tags.iter().filter(|t| t.version == version) {
        if has_fix(cx, fix, t.commit)? {
            tag = Some(t.name.clone());
            break;
        }
        released_without_fix = Some(t.name.clone());
    }
    let (source, problem) = match (&tag, released_without_fix) {
        (Some(t), _) => (VersionSource::Tag(t.clone()), None),
        (None, Some(t)) => (
            VersionSource::Tag(t.clone()),
            Some(format!(
                "HEAD ships {} {version}, which is already released as tag `{t}` without the fix: \
                 bump its version on the fix branch",
                krate.name
            )),
        ),
        (None, None) => (VersionSource::Plan, None),
    };
    Ok(LineVersion {
        line: main.to_string(),
        series: Series::of_version(&version),
        fix_present: problem.is_none(),
        fixed: if problem.is_some() {
            None
        } else {
            Some(version)
        },
        source,
        tag,
        problem,
    })
}

fn has_fix(cx: &Context, fix: &Fix<'_>, commit: Oid) -> Result<bool> {
    Ok(presence::find_on(&cx.repo, fix, commit)?
        .iter()
        .all(Option::is_some))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(name: &str) -> Option<String> {
        Series::from_line_name(name).map(|s| s.to_string())
    }

    #[test]
    fn series_from_names() {
        assert_eq!(s("mycrate-1.18.x").as_deref(), Some("1.18"));
        assert_eq!(s("mycrate-macros-2.3.x").as_deref(), Some("2.3"));
        assert_eq!(s("v0.14.x").as_deref(), Some("0.14"));
        assert_eq!(s("1.4.x").as_deref(), Some("1.4"));
        assert_eq!(s("rel-0.22").as_deref(), Some("0.22"));
        assert_eq!(s("release/0.9").as_deref(), Some("0.9"));
        assert_eq!(s("release-20.0.0").as_deref(), Some("20.0.0"));
        assert_eq!(s("v2.x").as_deref(), Some("2"));
        assert_eq!(s("2.x").as_deref(), Some("2"));
        assert_eq!(s("origin/rel-0.22").as_deref(), Some("0.22"));
        for none in ["stable", "beta", "rust-1.80.0", "master", "release-7", "h2"] {
            assert_eq!(s(none), None, "{none}");
        }
    }

    #[test]
    fn next_series() {
        let next = |name: &str| Series::from_line_name(name).unwrap().next().to_string();
        assert_eq!(next("mycrate-1.18.x"), "1.19.0");
        assert_eq!(next("rel-0.22"), "0.23.0");
        assert_eq!(next("v2.x"), "3.0.0");
        assert_eq!(next("release-20.0.0"), "21.0.0");
        assert_eq!(next("release-0.38.0"), "0.39.0");
        assert_eq!(next("release-1.2.0"), "1.3.0");
        let line = Series::from_line_name("mycrate-1.18.x").unwrap();
        assert!(line.contains(&Version::parse("1.18.4").unwrap()));
        assert!(!line.contains(&Version::parse("1.19.0").unwrap()));
        assert!(!line.contains(&Version::parse("1.17.9").unwrap()));
        assert_eq!(
            Series::of_version(&Version::parse("0.22.4").unwrap())
                .next()
                .to_string(),
            "0.23.0"
        );
    }
}
