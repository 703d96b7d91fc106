//! What `verify-published` verifies, worked out once for every row: the
//! fix commits each line must have, how each line has them (`presence`),
//! where the fix arrived on each line, what each line ships because of it
//! (the release model), and so the crate versions that must be out.

use std::collections::BTreeSet;

use anyhow::{Result, anyhow, bail};
use semver::Version;

use crate::context::Context;
use crate::git::{CommitInfo, Oid};
use crate::presence::{self, Declaration, Fix, Match};
use crate::release::bumps::is_version_bookkeeping;
use crate::release::shipped::{CrateOnLine, FixOnLine, Shipped, before_fix};

/// A crate version the release should have published.
#[derive(Clone, Debug)]
pub struct Expected {
    pub name: String,
    pub version: Version,
    /// The member's manifest, when the crate is in the workspace.
    pub manifest: Option<String>,
    /// The line that ships it (index into `Plan::lines`; `None` for `--crate`).
    pub line: Option<usize>,
    /// Its release tag, when the release model already found one that
    /// contains the fix.
    pub tag: Option<String>,
}

impl Expected {
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// A fix commit that no line needs on its own, and why.
#[derive(Clone, Debug)]
pub struct LeftOut {
    pub commit: CommitInfo,
    pub why: &'static str,
}

/// The main branch or a release line, with the fix as it stands there.
#[derive(Clone, Debug)]
pub struct LineUnderTest {
    /// `main`, `stable`, `beta`, `release line`.
    pub role: String,
    pub name: String,
    pub is_main: bool,
    pub tip: Option<Oid>,
    /// Per required fix commit: how the line has it.
    pub found: Vec<Option<Match>>,
    pub declaration: Option<Declaration>,
    /// Declared commits the line does not have.
    pub declared_missing: Vec<Oid>,
    /// The commits on the line that bring the fix.
    pub carriers: Vec<Oid>,
    /// The line just before the fix arrived (`None`: fix not wholly
    /// there, or no such point).
    pub before: Option<Oid>,
    /// What the line ships because of the fix (see `release::shipped`).
    pub crates: Vec<CrateOnLine>,
}

impl LineUnderTest {
    /// Every required fix commit is there.
    pub fn has_fix(&self) -> bool {
        self.tip.is_some() && self.found.iter().all(Option::is_some)
    }

    /// Does `commit` (on this line) have every carrier of the fix?
    pub fn contains_fix(&self, cx: &Context, commit: Oid) -> Result<bool> {
        for c in &self.carriers {
            if !cx.repo.contains(commit, *c)? {
                return Ok(false);
            }
        }
        Ok(!self.carriers.is_empty())
    }
}

pub struct Plan {
    /// The fix commits every line must have.
    pub required: Vec<CommitInfo>,
    pub left_out: Vec<LeftOut>,
    /// The main branch first, then the release lines, oldest first.
    pub lines: Vec<LineUnderTest>,
    pub expected: Vec<Expected>,
    /// `--crate` named the expected versions.
    pub from_crate_args: bool,
}

impl Plan {
    pub fn build(cx: &Context, crate_args: &[String], backports: &[String]) -> Result<Plan> {
        // Bad input stops before any work.
        let named = (!crate_args.is_empty())
            .then(|| parse_crate_args(cx, crate_args))
            .transpose()?;
        let (required, left_out) = required_commits(cx)?;
        let mut lines = line_names(cx)?;
        let declarations = declarations(cx, backports, &lines)?;
        let fix = Fix {
            base: cx.base.commit,
            head: cx.head.commit,
            commits: &required,
        };
        let must_carry = must_carry(cx);
        let mut asked: Vec<String> = must_carry.clone();
        if let Some(named) = &named {
            asked.extend(named.iter().map(|e| e.name.clone()));
        }
        asked.sort();
        asked.dedup();
        cx.releases.prefetch(&asked);
        let line_tips: Vec<Oid> = lines
            .iter()
            .filter(|l| !l.is_main)
            .filter_map(|l| l.tip)
            .collect();
        for line in &mut lines {
            let Some(tip) = line.tip else { continue };
            line.declaration = declarations.iter().find(|d| d.line == line.name).cloned();
            if let Some(d) = &line.declaration {
                line.declared_missing = d.not_on(&cx.repo, tip)?;
            }
            line.found = presence::find(&cx.repo, &fix, tip, line.declaration.as_ref())?;
            if !line.has_fix() || required.is_empty() {
                continue;
            }
            for (commit, m) in required.iter().zip(&line.found) {
                for c in m.iter().flat_map(|m| m.carriers(commit.id)) {
                    if !line.carriers.contains(&c) {
                        line.carriers.push(c);
                    }
                }
            }
            line.before = before_fix(&cx.repo, tip, &line.carriers)?;
            let Some(before) = line.before else { continue };
            let on = FixOnLine::new(&line.name, tip, before, &line.carriers);
            line.crates = if line.is_main {
                cx.releases.released_from_main(&cx.repo, &on, &line_tips)?
            } else {
                cx.releases.shipped_on_line(&cx.repo, &on, &must_carry)?
            };
        }
        let expected = match named {
            Some(named) => named,
            None => expected_from_lines(cx, &lines),
        };
        Ok(Plan {
            required,
            left_out,
            lines,
            expected,
            from_crate_args: !crate_args.is_empty(),
        })
    }
}

/// The fix commits every line must have: merges and commits that are
/// version bookkeeping (the main branch's own bump) left out.
pub fn required_commits(cx: &Context) -> Result<(Vec<CommitInfo>, Vec<LeftOut>)> {
    let members: BTreeSet<String> = cx.member_names();
    let mut required = Vec::new();
    let mut left_out = Vec::new();
    for c in &cx.fix {
        if c.parent_count > 1 {
            left_out.push(LeftOut {
                commit: c.clone(),
                why: "a merge: the fix commits it brings are looked for one by one",
            });
        } else if is_version_bookkeeping(&cx.repo, c.id, &members)? {
            left_out.push(LeftOut {
                commit: c.clone(),
                why: "it only changes versions, Cargo.lock or changelogs (each branch bumps its own)",
            });
        } else {
            required.push(c.clone());
        }
    }
    Ok((required, left_out))
}

/// The main branch and the release lines the release model chose (the
/// same as `check --all` and `backport`; undecided lines are an error).
fn line_names(cx: &Context) -> Result<Vec<LineUnderTest>> {
    let blank = |role: &str, name: &str, is_main: bool, tip: Option<Oid>| LineUnderTest {
        role: role.to_string(),
        name: name.to_string(),
        is_main,
        tip,
        found: Vec::new(),
        declaration: None,
        declared_missing: Vec::new(),
        carriers: Vec::new(),
        before: None,
        crates: Vec::new(),
    };
    let mut out = Vec::new();
    let main = cx.config.main_branch.clone();
    if let Some(main) = &main {
        let tip = cx.repo.branch_tip(main).map(|t| t.commit);
        out.push(blank("main", main, true, tip));
    }
    for line in cx.releases.lines(&cx.repo)? {
        if main.as_deref().is_some_and(|m| line.is(m)) {
            continue;
        }
        let role = line.role.as_deref().unwrap_or("release line");
        out.push(blank(
            role,
            &line.name,
            false,
            line.tip.as_ref().map(|t| t.commit),
        ));
    }
    Ok(out)
}

/// `--backport LINE=RANGE` (replacing the configured `backports`), one
/// declaration per line; a line that is not being verified is an error.
fn declarations(
    cx: &Context,
    backports: &[String],
    lines: &[LineUnderTest],
) -> Result<Vec<Declaration>> {
    let declared = crate::presence::declared::declarations(&cx.repo, &cx.config, backports)?;
    for d in &declared {
        let known = lines
            .iter()
            .any(|l| l.name == d.line || l.name == d.line.trim_start_matches("origin/"));
        if !known {
            bail!(
                "{} names `{}`, which is not a line being verified (lines: {})",
                d.spec,
                d.line,
                lines
                    .iter()
                    .map(|l| format!("`{}`", l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    Ok(declared)
}

/// The crates that must ship the fix in a new release wherever it lands:
/// the publishable crates it modified, and Cargo's root package (every
/// point release of a line ships it).
fn must_carry(cx: &Context) -> Vec<String> {
    let mut out: Vec<String> = cx
        .changed
        .iter()
        .filter(|c| c.publish)
        .map(|c| c.name.clone())
        .collect();
    if cx.releases.is_cargo() && !out.is_empty() && !out.iter().any(|n| n == "cargo") {
        out.push("cargo".to_string());
    }
    out
}

/// Every version a line releases because of the fix; release lines first,
/// so that a version the main branch only carries by merging a line is
/// expected from that line.
fn expected_from_lines(cx: &Context, lines: &[LineUnderTest]) -> Vec<Expected> {
    let mut order: Vec<usize> = (0..lines.len()).filter(|i| !lines[*i].is_main).collect();
    order.extend((0..lines.len()).filter(|i| lines[*i].is_main));
    let mut out: Vec<Expected> = Vec::new();
    for i in order {
        for c in lines[i].crates.iter().filter(|c| c.is_release()) {
            if out
                .iter()
                .any(|e| e.name == c.name && e.version == c.version)
            {
                continue;
            }
            let tag = match &c.shipped {
                Shipped::ReleasedAfterFix { tag } => Some(tag.clone()),
                _ => None,
            };
            out.push(Expected {
                name: c.name.clone(),
                version: c.version.clone(),
                manifest: manifest_of(cx, &c.name),
                line: Some(i),
                tag,
            });
        }
    }
    out
}

fn manifest_of(cx: &Context, name: &str) -> Option<String> {
    cx.head_ws
        .member(name)
        .or_else(|| cx.base_ws.as_ref().and_then(|w| w.member(name)))
        .map(|m| m.manifest.clone())
}

/// `--crate name@version` values.
fn parse_crate_args(cx: &Context, specs: &[String]) -> Result<Vec<Expected>> {
    specs
        .iter()
        .map(|spec| {
            let (name, version) = spec.split_once('@').ok_or_else(|| {
                anyhow!("--crate `{spec}`: expected NAME@VERSION, e.g. cargo-util@0.2.5")
            })?;
            let version = Version::parse(version)
                .map_err(|e| anyhow!("--crate `{spec}`: `{version}` is not a version: {e}"))?;
            Ok(Expected {
                name: name.to_string(),
                version,
                manifest: manifest_of(cx, name),
                line: None,
                tag: None,
            })
        })
        .collect()
}
