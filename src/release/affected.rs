//! Does a release line carry the vulnerable code? A line that lacks the
//! fix but still has the code the fix removed (or, for a fix that only adds
//! lines, the code around it) is affected; end-of-life lines that are not
//! targeted are reported as "affected, not patched", never bumped.

use anyhow::Result;

use super::{ReleaseLine, Releases};
use crate::git::{CommitInfo, Oid, Repo};
use crate::presence::{self, Fix};

/// The fix's footprint: per changed file, the lines whose presence says
/// "the vulnerable code is here".
#[derive(Clone, Debug, Default)]
pub struct Footprint {
    files: Vec<(String, Vec<String>)>,
}

/// What a line's tree says about the vulnerable code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exposure {
    /// `file` there still has lines the fix removed (or surrounds).
    Carries { file: String },
    /// None of the fixed files has any of those lines.
    Lacks,
    /// The fix changes no code line that could be looked for.
    Unknown,
}

/// Lines too generic to say anything (`}`, `Ok(())`, blank).
fn significant(line: &str) -> bool {
    let t = line.trim();
    t.len() >= 12 && !t.starts_with("//") && t.chars().any(|c| c.is_ascii_alphabetic())
}

impl Footprint {
    /// From the fix's diff `base..head`, leaving out manifests, lockfiles
    /// and changelogs (versions are not the vulnerable code).
    pub fn of_fix(repo: &Repo, base: Oid, head: Oid) -> Result<Footprint> {
        let mut files = Vec::new();
        for change in repo.line_changes(base, head)? {
            if super::policy::is_release_file(&change.path) {
                continue;
            }
            let mut lines: Vec<String> = change
                .removed
                .iter()
                .map(|(_, l)| l.trim().to_string())
                .filter(|l| significant(l))
                .collect();
            if lines.is_empty() && !change.added.is_empty() {
                lines = change
                    .context
                    .iter()
                    .map(|l| l.trim().to_string())
                    .filter(|l| significant(l))
                    .collect();
            }
            if !lines.is_empty() {
                files.push((change.path, lines));
            }
        }
        Ok(Footprint { files })
    }

    /// Does the tree at `tip` still have the vulnerable code?
    pub fn exposure(&self, repo: &Repo, tip: Oid) -> Result<Exposure> {
        if self.files.is_empty() {
            return Ok(Exposure::Unknown);
        }
        let tree = repo.tree_at(tip)?;
        for (path, lines) in &self.files {
            let Some(bytes) = tree.read(path)? else {
                continue;
            };
            let text = String::from_utf8_lossy(&bytes);
            let present: std::collections::BTreeSet<&str> = text.lines().map(str::trim).collect();
            if lines.iter().any(|l| present.contains(l.as_str())) {
                return Ok(Exposure::Carries { file: path.clone() });
            }
        }
        Ok(Exposure::Lacks)
    }
}

/// A release line nobody targets, and what its tree says.
#[derive(Clone, Debug)]
pub struct OtherLine {
    pub line: ReleaseLine,
    /// `None`: the line already has every fix commit.
    pub exposure: Option<Exposure>,
    /// The newest release tag on it, for the report.
    pub newest_tag: Option<String>,
}

/// Every candidate line (a branch named like a release line) that is not
/// among `targeted`, with whether it carries the vulnerable code.
pub fn other_lines(
    releases: &Releases,
    repo: &Repo,
    fix: &[CommitInfo],
    base: Oid,
    head: Oid,
    targeted: &[&str],
) -> Result<Vec<OtherLine>> {
    let footprint = Footprint::of_fix(repo, base, head)?;
    let mut out = Vec::new();
    for line in &releases.candidates {
        if targeted.iter().any(|t| line.is(t)) {
            continue;
        }
        let Some(tip) = &line.tip else { continue };
        let found = presence::find_on(
            repo,
            &Fix {
                base,
                head,
                commits: fix,
            },
            tip.commit,
        )?;
        let exposure = if !found.is_empty() && found.iter().all(Option::is_some) {
            None
        } else {
            Some(footprint.exposure(repo, tip.commit)?)
        };
        out.push(OtherLine {
            line: line.clone(),
            exposure,
            newest_tag: releases
                .newest_tag_of_line(repo, line)
                .map(|t| t.name.clone()),
        });
    }
    Ok(out)
}
