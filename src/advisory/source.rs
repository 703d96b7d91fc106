//! What each release line ships of a crate, read from the release model
//! (`crate::release`): the lines it chose (`--onto`, `branches`, or a
//! layout that says which are maintained), their verified release tags,
//! and the `security-release/<line>` backport branches; the main branch
//! ships the workspace's version at HEAD. This is where `LineVersion`s are
//! filled.

use anyhow::{Result, anyhow};
use semver::Version;

use super::{LineVersion, VersionSource};
use crate::context::{ChangedCrate, Context};
use crate::git::Oid;
use crate::presence::{self, Fix};
use crate::release::ReleaseTag;
pub use crate::release::Series;
use crate::release::affected::Exposure;

/// The series a version belongs to when the line's name does not say
/// (`stable`, `beta`, Cargo's `rust-1.N.0`): its minor series (`1.18.3` →
/// 1.18, `0.22.1` → 0.22), the unit release branches are cut at.
pub fn series_of(v: &Version) -> Series {
    Series {
        parts: vec![v.major, v.minor],
    }
}

/// The crate's verified release tags, lowest version first.
pub fn release_tags(cx: &Context, krate: &ChangedCrate) -> Result<Vec<ReleaseTag>> {
    let mut tags: Vec<ReleaseTag> = cx
        .releases
        .release_tags_of(&cx.repo, &krate.name)?
        .into_iter()
        .cloned()
        .collect();
    tags.reverse();
    Ok(tags)
}

/// What the release lines and the main branch ship of `krate`, oldest line
/// first, the main branch last; and notes on how the lines were chosen.
pub fn lines(
    cx: &Context,
    krate: &ChangedCrate,
    tags: &[ReleaseTag],
    fix: &Fix<'_>,
) -> Result<(Vec<LineVersion>, Vec<String>)> {
    let chosen = cx.releases.lines(&cx.repo)?;
    let main = cx
        .releases
        .main
        .as_ref()
        .map(|m| m.name.trim_start_matches("origin/").to_string())
        .or(cx.config.main_branch.clone())
        .unwrap_or_else(|| "main branch".to_string());
    let mut notes = vec![cx.releases.note()];
    let mut out = Vec::new();
    for line in chosen {
        if line.is(&main) {
            continue;
        }
        let tip = line.tip.as_ref().ok_or_else(|| {
            anyhow!(
                "release line `{}` exists neither locally nor as `origin/{}`",
                line.name,
                line.name
            )
        })?;
        let Some(at_tip) = cx.version_at(tip.commit, &krate.name)? else {
            notes.push(format!(
                "`{}` is not on `{}`: the line does not ship it",
                krate.name, line.name
            ));
            continue;
        };
        // A line named after another crate's series (crossbeam's `v0.8`
        // ships crossbeam-channel 0.5.x) says nothing about this crate's.
        let series = line
            .series()
            .filter(|s| s.contains(&at_tip))
            .cloned()
            .unwrap_or_else(|| series_of(&at_tip));
        out.push(line_version(
            cx, krate, &line.name, tip.commit, series, tags, fix,
        )?);
    }
    out.push(main_version(cx, krate, &main, tags, fix)?);
    Ok((out, notes))
}

/// A release line nobody targets that still carries the vulnerable code,
/// with the newest release of the crate on it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UntargetedLine {
    pub line: String,
    /// The file that still has the code the fix changes.
    pub file: String,
    pub newest_release: Option<(String, Version)>,
}

/// The release model's "affected, not patched" lines (candidates that are
/// not among `lines`), which the advisory must leave vulnerable.
pub fn untargeted(
    cx: &Context,
    lines: &[LineVersion],
    tags: &[ReleaseTag],
    fix: &Fix<'_>,
) -> Result<Vec<UntargetedLine>> {
    let targeted: Vec<&str> = lines.iter().map(|l| l.line.as_str()).collect();
    let others = crate::release::affected::other_lines(
        &cx.releases,
        &cx.repo,
        fix.commits,
        fix.base,
        fix.head,
        &targeted,
    )?;
    let mut out = Vec::new();
    for other in others {
        let Some(Exposure::Carries { file }) = other.exposure else {
            continue;
        };
        let Some(tip) = &other.line.tip else { continue };
        let mut newest_release = None;
        for tag in tags.iter().rev() {
            if cx.repo.contains(tip.commit, tag.commit)? {
                newest_release = Some((tag.name.clone(), tag.version.clone()));
                break;
            }
        }
        out.push(UntargetedLine {
            line: other.line.name.clone(),
            file,
            newest_release,
        });
    }
    Ok(out)
}

/// A line's fixed version: its first release tag that has the fix (after
/// the release), else its backport branch (before the release).
fn line_version(
    cx: &Context,
    krate: &ChangedCrate,
    name: &str,
    tip: Oid,
    series: Series,
    tags: &[ReleaseTag],
    fix: &Fix<'_>,
) -> Result<LineVersion> {
    let mut newest_on_line: Option<&ReleaseTag> = None;
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
        let fixed = cx.version_at(branch.commit, &krate.name)?;
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
    tags: &[ReleaseTag],
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
        series: series_of(&version),
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

    #[test]
    fn series_of_versions() {
        let next = |v: &str| series_of(&Version::parse(v).unwrap()).next().to_string();
        assert_eq!(next("0.22.4"), "0.23.0");
        assert_eq!(next("1.18.3"), "1.19.0");
    }
}
