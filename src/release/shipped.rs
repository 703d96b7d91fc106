//! What a line shipped around a fix: for each crate, whether its version
//! there is a release made after the fix arrived (a release tag that
//! contains the fix carries it), a version set with the fix (bumped since
//! the fix arrived), or the release from before the fix — the forgotten
//! bump that `verify-published` exists to catch.

use std::cell::RefCell;
use std::collections::HashMap;

use anyhow::Result;
use semver::Version;

use super::{Publication, ReleaseTag, Releases};
use crate::git::{Oid, Repo};

/// The fix as it sits on one line.
pub struct FixOnLine<'a> {
    pub line: &'a str,
    pub tip: Oid,
    /// Where the line was just before the fix arrived: the newest commit
    /// of its first-parent history that has none of the fix.
    pub before: Oid,
    /// The commits on the line that bring the fix (see `presence`).
    pub carriers: &'a [Oid],
    contains: RefCell<HashMap<Oid, bool>>,
}

impl<'a> FixOnLine<'a> {
    pub fn new(line: &'a str, tip: Oid, before: Oid, carriers: &'a [Oid]) -> FixOnLine<'a> {
        FixOnLine {
            line,
            tip,
            before,
            carriers,
            contains: RefCell::new(HashMap::new()),
        }
    }

    /// Does `commit` have the whole fix (every carrier is an ancestor)?
    pub fn is_in(&self, repo: &Repo, commit: Oid) -> Result<bool> {
        if let Some(known) = self.contains.borrow().get(&commit) {
            return Ok(*known);
        }
        let mut all = true;
        for c in self.carriers {
            if !repo.contains(commit, *c)? {
                all = false;
                break;
            }
        }
        self.contains.borrow_mut().insert(commit, all);
        Ok(all)
    }
}

/// The newest commit of `tip`'s first-parent history that has none of
/// `carriers`: the line just before the fix arrived, whether it came by
/// cherry-picks (the parent of the first) or by a merge (its first parent).
/// `None` when the walk reaches the root (every commit has part of it).
pub fn before_fix(repo: &Repo, tip: Oid, carriers: &[Oid]) -> Result<Option<Oid>> {
    let mut at = tip;
    loop {
        let mut any = false;
        for c in carriers {
            if repo.contains(at, *c)? {
                any = true;
                break;
            }
        }
        if !any {
            return Ok(Some(at));
        }
        match repo.first_parent(at)? {
            Some(p) => at = p,
            None => return Ok(None),
        }
    }
}

/// How a crate's version on a line relates to the fix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Shipped {
    /// A release tag whose commit has the fix carries this version.
    ReleasedAfterFix { tag: String },
    /// The version was set with or after the fix; no release tag with the
    /// fix carries it (yet).
    BumpedWithFix,
    /// A release tag whose commit lacks the fix carries this version: the
    /// fix is on the line, but the line still ships the old release.
    PreFixRelease { tag: String },
    /// The version is below a release the line made before the fix.
    BelowPreFix { tag: String, released: Version },
    /// Unchanged since before the fix and never published: the first
    /// release of it will carry the fix.
    NotYetReleased { registry: String },
    /// Unchanged since before the fix and published, but no release tag
    /// says whether that was before or after the fix arrived.
    PublishedUntagged { registry: String },
    /// Unchanged since before the fix, and whether it was published was
    /// not asked (`--offline`, `publish = false`).
    Unknown { why: String },
    /// Unchanged since before the fix, and the registry could not answer
    /// whether it has it (never read as "not published").
    Unanswered { error: String },
}

/// One crate on one line.
#[derive(Clone, Debug)]
pub struct CrateOnLine {
    pub name: String,
    /// At the line's tip.
    pub version: Version,
    /// Just before the fix arrived (`None`: the crate did not exist).
    pub before: Option<Version>,
    pub shipped: Shipped,
    /// The crate must ship the fix in a new release (it was modified by
    /// the fix, or it is Cargo's root package).
    pub must_carry: bool,
}

impl CrateOnLine {
    /// The registry and the tag row expect this version to be released.
    pub fn is_release(&self) -> bool {
        matches!(
            self.shipped,
            Shipped::ReleasedAfterFix { .. } | Shipped::BumpedWithFix
        )
    }
}

impl Releases {
    /// Does `tag` release `name` at `version` (its own tag, or a crate-less
    /// tag whose commit carries it)?
    fn carries(&self, repo: &Repo, tag: &ReleaseTag, name: &str) -> Result<Option<Version>> {
        if tag
            .prefix_crate
            .as_deref()
            .is_some_and(|p| p != name && self.crates.contains_key(p))
        {
            return Ok(None);
        }
        self.version_at(repo, tag.commit, name)
    }

    /// Release tags reachable from the line's tip, split into those made
    /// before the fix and those that contain it.
    fn tags_around<'t>(
        &'t self,
        repo: &Repo,
        fix: &FixOnLine<'_>,
    ) -> Result<(Vec<&'t ReleaseTag>, Vec<&'t ReleaseTag>)> {
        let (mut before, mut after) = (Vec::new(), Vec::new());
        for tag in &self.tags {
            if !repo.contains(fix.tip, tag.commit)? {
                continue;
            }
            if fix.is_in(repo, tag.commit)? {
                after.push(tag);
            } else {
                before.push(tag);
            }
        }
        Ok((before, after))
    }

    /// Every publishable crate of a release line that the release concerns:
    /// those in `must_carry` and those bumped since the fix arrived.
    pub fn shipped_on_line(
        &self,
        repo: &Repo,
        fix: &FixOnLine<'_>,
        must_carry: &[String],
    ) -> Result<Vec<CrateOnLine>> {
        let Some(ws) = self.workspace_at(repo, fix.tip)? else {
            return Ok(Vec::new());
        };
        let (pre, post) = self.tags_around(repo, fix)?;
        let mut out = Vec::new();
        for member in ws.members.iter().filter(|m| m.publish) {
            let name = member.name.as_str();
            let version = member.version.clone();
            let before = self.version_at(repo, fix.before, name)?;
            let must = must_carry.iter().any(|m| m == name);
            let bumped = before.as_ref() != Some(&version);
            if !must && !bumped {
                continue;
            }
            let shipped = self.judge(repo, name, &version, bumped, &pre, &post)?;
            out.push(CrateOnLine {
                name: name.to_string(),
                version,
                before,
                shipped,
                must_carry: must,
            });
        }
        Ok(out)
    }

    fn judge(
        &self,
        repo: &Repo,
        name: &str,
        version: &Version,
        bumped: bool,
        pre: &[&ReleaseTag],
        post: &[&ReleaseTag],
    ) -> Result<Shipped> {
        // A release from before the fix wins over a later tag of the same
        // version: that version was out without the fix.
        let mut newest_before: Option<(Version, &ReleaseTag)> = None;
        for tag in pre {
            let Some(v) = self.carries(repo, tag, name)? else {
                continue;
            };
            if v == *version {
                return Ok(Shipped::PreFixRelease {
                    tag: tag.name.clone(),
                });
            }
            if newest_before.as_ref().is_none_or(|(n, _)| v > *n) {
                newest_before = Some((v, tag));
            }
        }
        if let Some((released, tag)) = newest_before
            && *version < released
        {
            return Ok(Shipped::BelowPreFix {
                tag: tag.name.clone(),
                released,
            });
        }
        // Prefer the crate's own tag over one that carries it.
        let mut carried = None;
        for tag in post {
            if self.carries(repo, tag, name)?.as_ref() == Some(version) {
                if tag.version == *version {
                    return Ok(Shipped::ReleasedAfterFix {
                        tag: tag.name.clone(),
                    });
                }
                carried.get_or_insert_with(|| tag.name.clone());
            }
        }
        if let Some(tag) = carried {
            return Ok(Shipped::ReleasedAfterFix { tag });
        }
        if bumped {
            return Ok(Shipped::BumpedWithFix);
        }
        Ok(match self.publication(name, version) {
            Ok(Publication::Published(registry)) => Shipped::PublishedUntagged { registry },
            Ok(Publication::Unpublished(registry)) => Shipped::NotYetReleased { registry },
            Ok(Publication::NotAsked(why)) => Shipped::Unknown { why },
            Err(e) => Shipped::Unanswered {
                error: format!("{e:#}"),
            },
        })
    }

    /// What the main branch released after the fix: per crate, the lowest
    /// version one of its own release tags with the fix carries (a tag no
    /// release line in `lines` has: a line merged forward brings its tags),
    /// above where the crate was before the fix and not itself a release
    /// from before it. A version bump without such a tag is routine, not a
    /// release of the fix.
    pub fn released_from_main(
        &self,
        repo: &Repo,
        fix: &FixOnLine<'_>,
        lines: &[Oid],
    ) -> Result<Vec<CrateOnLine>> {
        let Some(ws) = self.workspace_at(repo, fix.tip)? else {
            return Ok(Vec::new());
        };
        let (pre, all_post) = self.tags_around(repo, fix)?;
        let mut post = Vec::new();
        for tag in all_post {
            let mut on_a_line = false;
            for tip in lines {
                if repo.contains(*tip, tag.commit)? {
                    on_a_line = true;
                    break;
                }
            }
            if !on_a_line {
                post.push(tag);
            }
        }
        let mut out = Vec::new();
        for member in ws.members.iter().filter(|m| m.publish) {
            let name = member.name.as_str();
            let before = self.version_at(repo, fix.before, name)?;
            let mut released_before = Vec::new();
            for tag in &pre {
                released_before.extend(self.carries(repo, tag, name)?);
            }
            let mut first: Option<(Version, &ReleaseTag)> = None;
            for tag in &post {
                let Some(v) = self.carries(repo, tag, name)? else {
                    continue;
                };
                if before.as_ref().is_some_and(|b| v < *b) || released_before.contains(&v) {
                    continue;
                }
                if first.as_ref().is_none_or(|(f, _)| v < *f) {
                    first = Some((v, tag));
                }
            }
            if let Some((version, tag)) = first {
                out.push(CrateOnLine {
                    name: name.to_string(),
                    version,
                    before,
                    shipped: Shipped::ReleasedAfterFix {
                        tag: tag.name.clone(),
                    },
                    must_carry: false,
                });
            }
        }
        Ok(out)
    }
}
