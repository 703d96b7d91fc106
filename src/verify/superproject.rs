//! `superproject`: with `--superproject PATH --submodule PATH`, on each of
//! the superproject's branches the submodule points at a commit that
//! contains the fix (as `presence` finds it), and the superproject's
//! `Cargo.lock` takes nothing from a private fork. Cargo's case:
//! rust-lang/rust's `src/tools/cargo`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use anyhow::{Context as _, Result, bail};

use super::{RowDef, Verification};
use crate::checks::embargo::looks_private;
use crate::git::{CommitInfo, Remote, Repo, short};
use crate::lockfile::Lockfile;
use crate::presence::{self, Fix, Match};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace;

pub const ROW: RowDef = RowDef {
    id: "superproject",
    run,
};

/// `--superproject PATH --submodule PATH` and the branches to look at,
/// checked when the command starts (bad input stops it with exit 2).
pub struct Superproject {
    pub path: PathBuf,
    pub repo: Repo,
    pub submodule: String,
    pub branches: Vec<String>,
}

impl Superproject {
    pub fn open(path: PathBuf, submodule: &str, branches: &[String]) -> Result<Superproject> {
        let repo =
            Repo::open(&path).with_context(|| format!("--superproject `{}`", path.display()))?;
        let branches: Vec<String> = if branches.is_empty() {
            ["master", "main", "beta", "stable"]
                .iter()
                .filter(|n| repo.branch_tip(n).is_some())
                .map(|n| n.to_string())
                .collect()
        } else {
            branches.to_vec()
        };
        if branches.is_empty() {
            bail!(
                "superproject `{}` has none of the branches master, main, beta, stable; name them with --superproject-branch",
                path.display()
            );
        }
        Ok(Superproject {
            path,
            repo,
            submodule: workspace::normalize(submodule),
            branches,
        })
    }
}

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    const ID: &str = ROW.id;
    let Some(sp) = &v.options.superproject else {
        return Ok(CheckResult::skip(
            ID,
            "no --superproject PATH --submodule PATH given",
        ));
    };
    let cx = v.cx;
    let repo = &sp.repo;
    let names = &sp.branches;
    let required = &v.plan.required;
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: required,
    };
    let submodule = sp.submodule.clone();
    let mut findings = Vec::new();
    for name in names {
        let Some(tip) = repo.branch_tip(name) else {
            findings.push(
                Detail::new(format!("superproject branch `{name}` does not exist"))
                    .status(Status::Fail)
                    .reference(name),
            );
            continue;
        };
        let tree = repo.tree_at(tip.commit)?;
        let Some(pointer) = tree.gitlink(&submodule)? else {
            findings.push(
                Detail::new(format!(
                    "`{submodule}` is not a submodule on superproject branch `{name}`"
                ))
                .status(Status::Fail)
                .reference(name)
                .file(&submodule),
            );
            continue;
        };
        if !cx.repo.has_commit(pointer) {
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which this repository does not have (fetch it, then run again)",
                    short(pointer)
                ))
                .status(Status::Error)
                .reference(name)
                .commit(pointer.to_string()),
            );
            continue;
        }
        let found = presence::find_on(&cx.repo, &fix, pointer)?;
        let missing: Vec<&CommitInfo> = required
            .iter()
            .zip(&found)
            .filter(|(_, m)| m.is_none())
            .map(|(c, _)| c)
            .collect();
        if missing.is_empty() {
            let certain = found.iter().flatten().all(Match::is_certain);
            let how = found
                .iter()
                .flatten()
                .map(Match::kind)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ");
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which has the fix (matched by {how}{})",
                    short(pointer),
                    if certain { "" } else { "; confirm by hand, see `branches`" }
                ))
                .status(if certain { Status::Pass } else { Status::Warn })
                .reference(name)
                .commit(pointer.to_string()),
            );
        } else {
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which lacks {}: update the submodule",
                    short(pointer),
                    missing
                        .iter()
                        .map(|c| c.short_id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .status(Status::Fail)
                .reference(name)
                .commit(pointer.to_string()),
            );
        }
        if let Some(bytes) = tree.read("Cargo.lock")? {
            let text = String::from_utf8_lossy(&bytes);
            let lock = Lockfile::parse(&text, "Cargo.lock")
                .with_context(|| format!("superproject branch `{name}`"))?;
            for p in &lock.packages {
                let Some(source) = p.source.as_deref().filter(|s| s.starts_with("git+")) else {
                    continue;
                };
                let url = source.trim_start_matches("git+");
                let url = url.split(['?', '#']).next().unwrap_or(url);
                let remote = Remote {
                    name: String::new(),
                    url: url.to_string(),
                };
                if looks_private(&remote) {
                    findings.push(
                        Detail::new(format!(
                            "on `{name}`, the superproject's Cargo.lock takes {} {} from private fork {url}",
                            p.name, p.version
                        ))
                        .status(Status::Fail)
                        .reference(name)
                        .krate(&p.name)
                        .file("Cargo.lock"),
                    );
                }
            }
        }
    }
    let result = CheckResult::from_findings(ID, findings, "", |f| {
        let bad = f
            .iter()
            .filter(|d| matches!(d.status, Some(Status::Fail | Status::Error)))
            .count();
        if bad == 0 {
            format!(
                "`{submodule}` has the fix on {}",
                count(names.len(), "superproject branch")
            )
        } else {
            count(bad, "superproject problem")
        }
    });
    Ok(result.hint_on_fail("update the submodule on each listed branch to a commit with the fix, and drop private git sources"))
}
