//! `tag`: every expected version has its release tag, on the line it was
//! released from, whose manifest has that version and whose commit
//! contains the fix (a tag on a commit from before the fix is the old
//! release under a new name).

use anyhow::Result;

use super::{Expected, RowDef, Verification};
use crate::context::Context;
use crate::git::{Oid, short};
use crate::presence::{self, Fix};
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, noun};

pub const ROW: RowDef = RowDef { id: "tag", run };

/// Which tag marks a crate version's release, as the release model infers
/// it, and the names a missing tag would have (learned from how the
/// crate's, or the repository's, earlier release tags are named).
pub struct TagRules {
    /// Prefixes in use: `v`, ``, `mycrate-`, and whether the prefix names the crate.
    styles: Vec<(String, bool)>,
}

pub struct TagHit {
    pub name: String,
    pub commit: Oid,
}

impl TagRules {
    pub fn new(cx: &Context) -> TagRules {
        let mut styles: Vec<(String, bool)> = Vec::new();
        for tag in &cx.releases.tags {
            let version = tag.version.to_string();
            let Some(prefix) = tag.name.strip_suffix(&version) else {
                continue;
            };
            let style = match &tag.prefix_crate {
                Some(k) if cx.head_ws.member(k).is_some() => {
                    (prefix.replacen(k.as_str(), "{crate}", 1), true)
                }
                _ => (prefix.to_string(), false),
            };
            if !styles.contains(&style) {
                styles.push(style);
            }
        }
        TagRules { styles }
    }

    /// Tag names that would mark this crate version as released.
    pub fn candidates(&self, cx: &Context, e: &Expected) -> Vec<String> {
        let version = e.version.to_string();
        // The crate's own earlier tags say best how its next one is named.
        if let Ok(own) = cx.releases.release_tags_of(&cx.repo, &e.name)
            && let Some(newest) = own.first()
            && let Some(prefix) = newest.name.strip_suffix(&newest.version.to_string())
        {
            return vec![format!("{prefix}{version}")];
        }
        // A crate never tagged yet follows the repository's per-crate style;
        // crate-less tags (`v1.2.3`) name other crates, not this one.
        self.styles
            .iter()
            .filter(|(_, with_crate)| *with_crate)
            .map(|(prefix, _)| format!("{}{version}", prefix.replace("{crate}", &e.name)))
            .collect()
    }

    /// The tag the release model knows for this version: the one the plan
    /// found (a tag with the fix that carries it), else the crate's own.
    pub fn find(&self, cx: &Context, e: &Expected) -> Option<TagHit> {
        if let Some(name) = &e.tag
            && let Some(t) = cx.releases.tags.iter().find(|t| t.name == *name)
        {
            return Some(TagHit {
                name: t.name.clone(),
                commit: t.commit,
            });
        }
        cx.releases
            .release_tag(&cx.repo, &e.name, &e.version)
            .ok()
            .flatten()
            .map(|t| TagHit {
                name: t.name.clone(),
                commit: t.commit,
            })
    }

    /// `find`, as (name, commit).
    pub fn release_tag_of(&self, v: &Verification<'_>, e: &Expected) -> Option<(String, Oid)> {
        self.find(v.cx, e).map(|h| (h.name, h.commit))
    }

    /// A tag with one of the expected names, even if its commit does not
    /// carry the version (so that the row can say what is wrong with it).
    pub fn named(&self, cx: &Context, e: &Expected) -> Option<TagHit> {
        let names = self.candidates(cx, e);
        cx.releases
            .tags
            .iter()
            .find(|t| names.contains(&t.name))
            .map(|t| TagHit {
                name: t.name.clone(),
                commit: t.commit,
            })
    }

    pub fn formats(&self) -> String {
        self.styles
            .iter()
            .map(|(p, _)| format!("`{p}{{version}}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    let cx = v.cx;
    let rules = &v.tags;
    let mut findings = Vec::new();
    let mut checked = 0;
    for e in &v.plan.expected {
        let what = v.describe(e);
        let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
        let hit = rules.find(cx, e).or_else(|| rules.named(cx, e));
        let Some(hit) = hit else {
            let names = rules.candidates(cx, e);
            if names.is_empty() {
                // No tag style names this crate (Cargo tags only its root
                // package): the row cannot say what its tag would be.
                findings.push(
                    Detail::new(format!(
                        "{what}: no release tag names `{}`, and no tag format says what its tag would be",
                        e.name
                    ))
                    .krate(&e.name),
                );
            } else {
                checked += 1;
                findings.push(detail(
                    Status::Fail,
                    format!("no tag for {what}: expected `{}`", names.join("` or `")),
                ));
            }
            continue;
        };
        checked += 1;
        // The line the version came from, else any line being verified.
        let line = v.line_of(e);
        let on: Vec<&str> = match line {
            Some(l) => match l.tip {
                Some(tip) if cx.repo.contains(tip, hit.commit)? => vec![l.name.as_str()],
                _ => vec![],
            },
            None => {
                let mut on = Vec::new();
                for l in &v.plan.lines {
                    if let Some(tip) = l.tip
                        && cx.repo.contains(tip, hit.commit)?
                    {
                        on.push(l.name.as_str());
                    }
                }
                on
            }
        };
        let tagged = |status: Status, msg: String| {
            detail(status, msg)
                .reference(&hit.name)
                .commit(hit.commit.to_string())
        };
        if on.is_empty() {
            let expected_on = match line {
                Some(l) => format!("release branch `{}`", l.name),
                None => "any release branch".to_string(),
            };
            findings.push(tagged(
                Status::Fail,
                format!(
                    "tag `{}` points at {}, which is not on {expected_on}",
                    hit.name,
                    short(hit.commit)
                ),
            ));
            continue;
        }
        match cx.version_at(hit.commit, &e.name)? {
            Some(at) if at == e.version => {}
            Some(at) => {
                findings.push(
                    tagged(
                        Status::Fail,
                        format!(
                            "tag `{}` ({}) has {} {} in {}, not {}",
                            hit.name,
                            short(hit.commit),
                            e.name,
                            at,
                            e.manifest.as_deref().unwrap_or("its manifest"),
                            e.version
                        ),
                    )
                    .file(e.manifest.clone().unwrap_or_default()),
                );
                continue;
            }
            None => {
                findings.push(tagged(
                    Status::Fail,
                    format!(
                        "tag `{}` ({}) has no crate `{}`",
                        hit.name,
                        short(hit.commit),
                        e.name
                    ),
                ));
                continue;
            }
        }
        if !has_fix(v, e, hit.commit)? {
            findings.push(tagged(
                Status::Fail,
                format!(
                    "tag `{}` ({}) for {what} lacks the fix: it marks a release from before the fix",
                    hit.name,
                    short(hit.commit)
                ),
            ));
            continue;
        }
        findings.push(tagged(
            Status::Pass,
            format!(
                "tag `{}` ({}) is on `{}`, its manifest says {} {}, and it has the fix",
                hit.name,
                short(hit.commit),
                on.join("`, `"),
                e.name,
                e.version
            ),
        ));
    }
    if checked == 0 {
        return Ok(CheckResult::skip(
            ROW.id,
            if v.plan.expected.is_empty() {
                "no crate version is expected (see `versions`)".to_string()
            } else if rules.styles.is_empty() {
                "the repository has no release tag to learn the tag format from; configure `tag-format`"
                    .to_string()
            } else {
                format!(
                    "no expected crate version is named by the tag {} {}",
                    noun(rules.styles.len(), "format"),
                    rules.formats()
                )
            },
        )
        .details(findings));
    }
    let result = CheckResult::from_findings(ROW.id, findings, "", |f| {
        let bad = f.iter().filter(|d| d.status == Some(Status::Fail)).count();
        if bad == 0 {
            format!("{} in place", count(checked, "release tag"))
        } else {
            count(bad, "release tag problem")
        }
    });
    Ok(result.hint_on_fail(
        "tag the release commit on its branch: `git tag <tag> <commit>`, then `git push origin <tag>`",
    ))
}

/// Does the tagged commit have the whole fix? Judged by the line's
/// carriers when the version comes from a line, else by `presence`.
fn has_fix(v: &Verification<'_>, e: &Expected, commit: Oid) -> Result<bool> {
    if let Some(line) = v.line_of(e)
        && !line.carriers.is_empty()
    {
        return line.contains_fix(v.cx, commit);
    }
    let fix = Fix {
        base: v.cx.base.commit,
        head: v.cx.head.commit,
        commits: &v.plan.required,
    };
    Ok(presence::find_on(&v.cx.repo, &fix, commit)?
        .iter()
        .all(Option::is_some))
}
