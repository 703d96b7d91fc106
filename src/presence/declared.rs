//! Declared mappings: "on LINE, the fix is RANGE" (`--backport LINE=RANGE`,
//! or `backports = { LINE = "RANGE" }` in the configuration), for fixes
//! rewritten beyond what any matcher recognises (a backport PR with a new
//! subject, author and date). The declaration is checked, not trusted
//! blindly: its commits must be on the line.

use anyhow::{Context as _, Result, anyhow, bail};

use crate::git::{Oid, Repo};

/// One line's declared backport.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// The release line, as the user named it.
    pub line: String,
    /// How it was declared, for messages: "--backport stable=1a2b..3c4d".
    pub spec: String,
    /// The commits that are the fix on that line, oldest first.
    pub commits: Vec<Oid>,
}

impl Declaration {
    /// Reads `LINE=RANGE` (`RANGE`: `REV`, or `FROM..TO` for the commits
    /// after FROM up to TO). `source` names where it came from.
    pub fn parse(repo: &Repo, text: &str, source: &str) -> Result<Declaration> {
        let (line, range) = text.split_once('=').ok_or_else(|| {
            anyhow!("{source} `{text}`: expected LINE=RANGE, e.g. stable=1a2b3c4..5d6e7f8")
        })?;
        Declaration::new(repo, line.trim(), range.trim(), source)
    }

    /// `range` on `line`, resolved in `repo`.
    pub fn new(repo: &Repo, line: &str, range: &str, source: &str) -> Result<Declaration> {
        let spec = format!("{source} {line}={range}");
        if line.is_empty() || range.is_empty() {
            bail!("{spec}: expected LINE=RANGE, e.g. stable=1a2b3c4..5d6e7f8");
        }
        if range.contains("...") {
            bail!("{spec}: `...` is not a range of commits; use FROM..TO");
        }
        let commits = match range.split_once("..") {
            Some((from, to)) => {
                let from = repo.resolve(from).with_context(|| spec.clone())?;
                let to = repo.resolve(to).with_context(|| spec.clone())?;
                let commits: Vec<Oid> = repo
                    .commits_between(from, to)
                    .with_context(|| spec.clone())?
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                if commits.is_empty() {
                    bail!("{spec}: the range has no commits");
                }
                commits
            }
            None => vec![repo.resolve(range).with_context(|| spec.clone())?],
        };
        Ok(Declaration {
            line: line.to_string(),
            spec,
            commits,
        })
    }

    /// Merges declarations of the same line into one.
    pub fn merge(mut self, other: Declaration) -> Declaration {
        self.spec = format!("{}, {}", self.spec, other.spec);
        for c in other.commits {
            if !self.commits.contains(&c) {
                self.commits.push(c);
            }
        }
        self
    }

    /// Declared commits that `tip` does not have.
    pub fn not_on(&self, repo: &Repo, tip: Oid) -> Result<Vec<Oid>> {
        let mut out = Vec::new();
        for c in &self.commits {
            if !repo.contains(tip, *c)? {
                out.push(*c);
            }
        }
        Ok(out)
    }
}
