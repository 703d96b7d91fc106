//! The branches `check --branch` and `check --all` check besides the fix, and
//! the release line each was cut from: its BASE is the merge-base of the
//! branch with that line, so that BASE..tip is the backport.

use anyhow::{Result, anyhow, bail};

use crate::config::Config;
use crate::git::{Oid, Repo, short};
use crate::release::ReleaseLine;

/// A branch to check in a temporary worktree.
#[derive(Clone, Debug)]
pub struct BranchToCheck {
    pub name: String,
    pub tip: Oid,
    pub base: Oid,
    /// "merge-base with stable".
    pub base_how: String,
    /// The release line it was cut from (`stable`, `mycrate-1.18.x`): that
    /// line then is not "another release line" for version checks.
    pub line: Option<String>,
}

/// Resolves `NAME` or `NAME:BASE`. Without `BASE`, the release line is found
/// from the name: `<prefix><role>` (`security-release/stable`) is cut from
/// the branch configured for that role, `<prefix><branch>`
/// (`security-release/rust-1.71.0`) from that branch.
pub fn resolve(repo: &Repo, config: &Config, spec: &str) -> Result<BranchToCheck> {
    let (name, explicit_base) = match spec.split_once(':') {
        Some((n, b)) if !n.is_empty() && !b.is_empty() => (n, Some(b)),
        Some(_) => bail!("--branch `{spec}`: expected NAME or NAME:BASE"),
        None => (spec, None),
    };
    let how = format!(" (--branch {spec})");
    resolve_parts(repo, config, name, explicit_base, &how)
}

fn resolve_parts(
    repo: &Repo,
    config: &Config,
    name: &str,
    explicit_base: Option<&str>,
    how: &str,
) -> Result<BranchToCheck> {
    let tip = repo
        .branch_tip(name)
        .ok_or_else(|| anyhow!("--branch `{name}`: no such branch, locally or on origin"))?;
    let (line, how_suffix) = match explicit_base {
        Some(base) => (base.to_string(), how.to_string()),
        None => (release_line(repo, config, name)?, String::new()),
    };
    let line_commit = repo
        .resolve(&line)
        .or_else(|_| {
            repo.branch_tip(&line)
                .map(|t| t.commit)
                .ok_or_else(|| anyhow!("release line `{line}` of `{name}` does not exist"))
        })
        .map_err(|e| anyhow!("--branch `{name}`: {e:#}"))?;
    let base = repo.merge_base(tip.commit, line_commit)?;
    if base == tip.commit {
        bail!(
            "--branch `{name}` ({}) has no commits over its release line `{line}`: nothing to check",
            short(tip.commit)
        );
    }
    Ok(BranchToCheck {
        name: name.to_string(),
        tip: tip.commit,
        base,
        base_how: format!("merge-base with {line}{how_suffix}"),
        line: Some(line.strip_prefix("origin/").unwrap_or(&line).to_string()),
    })
}

/// For `--all`: each release line's backport branch that exists
/// (`<prefix><role>`, else `<prefix><line>`), cut from that line, except
/// `skip` (the fix branch itself) and `seen` (named by --branch).
pub fn all(
    repo: &Repo,
    config: &Config,
    lines: &[ReleaseLine],
    skip: Option<&str>,
    seen: &[BranchToCheck],
) -> Result<Vec<BranchToCheck>> {
    let mut out: Vec<BranchToCheck> = Vec::new();
    for line in lines {
        let found = line
            .role
            .iter()
            .chain(std::iter::once(&line.name))
            .map(|s| format!("{}{s}", config.backport_prefix))
            .find(|candidate| repo.branch_tip(candidate).is_some());
        if let Some(name) = found
            && Some(name.as_str()) != skip
            && !seen.iter().chain(&out).any(|b| b.name == name)
        {
            out.push(resolve_parts(
                repo,
                config,
                &name,
                Some(&line.name),
                " (--all)",
            )?);
        }
    }
    Ok(out)
}

fn release_line(repo: &Repo, config: &Config, name: &str) -> Result<String> {
    let local = name.strip_prefix("origin/").unwrap_or(name);
    let Some(rest) = local.strip_prefix(config.backport_prefix.as_str()) else {
        bail!(
            "--branch `{name}`: cannot tell which release line it was cut from \
             (it does not start with the backport prefix `{}`)\n\
             name it: --branch {name}:<release-branch>",
            config.backport_prefix
        );
    };
    if let Some(branch) = config.role_branch(rest) {
        return Ok(branch.to_string());
    }
    if repo.branch_tip(rest).is_some() {
        return Ok(rest.to_string());
    }
    bail!(
        "--branch `{name}`: `{rest}` is neither a configured release role nor an existing branch\n\
         name the release line: --branch {name}:<release-branch>"
    )
}
