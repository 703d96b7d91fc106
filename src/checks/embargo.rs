//! `embargo`: no fix commit is reachable from a public remote's branches yet.
//! Reads the remote-tracking refs as of the last fetch; it never fetches, so
//! a stale view is reported as such rather than refreshed behind the user's back.

use anyhow::{Result, bail};

use super::CheckDef;
use crate::context::Context;
use crate::git::{Remote, short};
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, noun};

pub const CHECK: CheckDef = CheckDef { id: "embargo", run };

/// Words in a remote's name or URL that mark a private security fork
/// (GitHub's temporary private forks are named `<repo>-ghsa-xxxx-xxxx-xxxx`).
pub const PRIVATE_MARKERS: [&str; 5] = ["ghsa-", "security", "private", "embargo", "advisory"];

/// Remotes whose branches are public: the configured list, or every remote
/// whose name and URL carry none of the `PRIVATE_MARKERS`.
pub fn public_remotes(cx: &Context) -> Result<Vec<Remote>> {
    let remotes = cx.repo.remotes()?;
    match &cx.config.public_remotes {
        Some(names) => names
            .iter()
            .map(|n| match remotes.iter().find(|r| &r.name == n) {
                Some(r) => Ok(r.clone()),
                None => bail!(
                    "public remote `{n}` is not a remote of this repository (remotes: {})",
                    list(&remotes)
                ),
            })
            .collect(),
        None => Ok(remotes.into_iter().filter(|r| !looks_private(r)).collect()),
    }
}

/// Looks at the remote's name and the last two segments of its URL (owner
/// and repository): a directory higher up the path, such as
/// `~/security-work/cargo`, says nothing about who can read the remote.
pub fn looks_private(remote: &Remote) -> bool {
    let url = remote.url.trim_end_matches('/');
    let tail: Vec<&str> = url.rsplit(['/', ':']).take(2).collect();
    let text = format!("{} {}", remote.name, tail.join("/")).to_ascii_lowercase();
    PRIVATE_MARKERS.iter().any(|m| text.contains(m))
}

fn list(remotes: &[Remote]) -> String {
    if remotes.is_empty() {
        return "none".to_string();
    }
    remotes
        .iter()
        .map(|r| r.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn run(cx: &Context) -> Result<CheckResult> {
    let public = public_remotes(cx)?;
    let how = if cx.config.public_remotes.is_some() {
        "configured"
    } else {
        "by URL"
    };
    if public.is_empty() {
        let all = cx.repo.remotes()?;
        let summary = if all.is_empty() {
            "no remotes: nothing has been pushed anywhere".to_string()
        } else {
            format!("no public remote (private by URL: {})", list(&all))
        };
        return Ok(CheckResult::pass(CHECK.id, summary));
    }
    let mut findings = Vec::new();
    let mut branches = 0;
    for remote in &public {
        for branch in cx.repo.remote_branches(&remote.name)? {
            branches += 1;
            // The fix is a chain: once a commit is reachable, so are its ancestors.
            let leaked: Vec<_> = cx
                .fix
                .iter()
                .filter(|c| cx.repo.contains(branch.commit, c.id).unwrap_or(false))
                .collect();
            for commit in leaked {
                findings.push(
                    Detail::new(format!(
                        "{} \"{}\" is already on public branch `{}` ({})",
                        short(commit.id),
                        commit.summary,
                        branch.name,
                        remote.url
                    ))
                    .status(Status::Fail)
                    .reference(&branch.name)
                    .commit(commit.id.to_string()),
                );
            }
        }
    }
    let names = list(&public);
    let result = CheckResult::from_findings(
        CHECK.id,
        findings,
        format!(
            "no fix commit on the {} of public {} {names} ({how}, as of the last fetch)",
            count(branches, "branch"),
            noun(public.len(), "remote")
        ),
        |f| {
            format!(
                "{} already reachable from public {}",
                count(f.len(), "fix commit"),
                noun(public.len(), "remote")
            )
        },
    );
    Ok(result.hint_on_fail(
        "the fix is public: tell the security team now; the embargo may have to be lifted early",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn private(name: &str, url: &str) -> bool {
        looks_private(&Remote {
            name: name.to_string(),
            url: url.to_string(),
        })
    }

    #[test]
    fn private_fork_heuristic() {
        assert!(private(
            "fork",
            "git@github.com:rust-lang/cargo-ghsa-r5w3-xm58-jv6j.git"
        ));
        assert!(private(
            "security",
            "https://github.com/rust-lang/cargo.git"
        ));
        assert!(private(
            "origin",
            "https://github.com/rust-lang-private/cargo"
        ));
        assert!(!private("origin", "https://github.com/rust-lang/cargo.git"));
        assert!(!private(
            "origin",
            "/home/me/security-work/public/cargo.git"
        ));
    }
}
