//! `changelog`: the changelog (configured, or found in the workspace root
//! and in each modified crate's directory) was changed by the fix, and its
//! added lines name the new version or the advisory id.

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::release::policy::{self, ChangelogHistory};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace::{self, FileSource, WorkTree};

pub const CHECK: CheckDef = CheckDef {
    id: "changelog",
    run,
};

const NAMES: [&str; 7] = policy::CHANGELOG_NAMES;

fn run(cx: &Context) -> Result<CheckResult> {
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    if cx.config.changelog_disabled {
        return Ok(CheckResult::skip(
            CHECK.id,
            "`changelog = false`: the project keeps its release notes outside the repository",
        ));
    }
    let configured = !cx.config.changelog.is_empty();
    // (path, versions it should name)
    let mut logs: Vec<(String, Vec<String>)> = Vec::new();
    let all_versions: Vec<String> = cx
        .changed
        .iter()
        .filter(|c| c.publish)
        .map(|c| c.head_version.to_string())
        .collect();
    if configured {
        for p in &cx.config.changelog {
            logs.push((cx.ws_path(p), all_versions.clone()));
        }
    } else if let Some(learned) = learned(cx, &work, &all_versions, &mut logs)? {
        return Ok(learned);
    } else if logs.is_empty() {
        if let Some(p) = find_in(&work, &cx.ws_dir) {
            logs.push((p, all_versions.clone()));
        }
        for krate in cx
            .changed
            .iter()
            .filter(|c| c.publish && c.dir != cx.ws_dir)
        {
            if let Some(p) = find_in(&work, &krate.dir) {
                logs.push((p, vec![krate.head_version.to_string()]));
            }
        }
    }
    if logs.is_empty() {
        return Ok(CheckResult::warn(CHECK.id, "no changelog found")
            .detail(Detail::new(format!(
                "looked for {} in the workspace root and the modified crates",
                NAMES.join(", ")
            )))
            .hint("set `changelog = \"path\"` in [workspace.metadata.security-release], or pass --changelog"));
    }
    let ids = cx.config.advisory.ids();
    let mut findings = Vec::new();
    for (path, versions) in &logs {
        if !work.exists(path) {
            findings.push(
                Detail::new(format!("{path} (configured) does not exist"))
                    .status(Status::Fail)
                    .file(path),
            );
            continue;
        }
        let added = cx.repo.added_lines(cx.base.commit, cx.head.commit, path)?;
        if added.is_empty() {
            findings.push(
                Detail::new(format!("{path} was not changed by the fix"))
                    .status(Status::Fail)
                    .file(path),
            );
            continue;
        }
        let text = added.join("\n");
        let named_version = versions.iter().find(|v| contains_version(&text, v));
        let named_advisory = if ids.is_empty() {
            find_advisory_id(&text)
        } else {
            ids.iter().find(|id| text.contains(id.as_str())).cloned()
        };
        let message = match (named_version, &named_advisory) {
            (Some(v), Some(a)) => format!("{path} names {v} and {a}"),
            (Some(v), None) => format!("{path} names {v}"),
            (None, Some(a)) => format!("{path} names {a}"),
            (None, None) => {
                let wanted = if ids.is_empty() {
                    format!("{} or an advisory id", versions.join(", "))
                } else {
                    format!("{} or {}", versions.join(", "), ids.join(" or "))
                };
                findings.push(
                    Detail::new(format!(
                        "{path} was changed, but its new lines name neither {wanted}"
                    ))
                    .status(Status::Fail)
                    .file(path),
                );
                continue;
            }
        };
        findings.push(Detail::new(message).status(Status::Pass).file(path));
    }
    let failing = findings
        .iter()
        .filter(|d| d.status == Some(Status::Fail))
        .count();
    if failing == 0 {
        return Ok(CheckResult::pass(
            CHECK.id,
            format!("{} updated for the release", count(logs.len(), "changelog")),
        )
        .details(findings));
    }
    Ok(CheckResult::fail(
        CHECK.id,
        format!(
            "{failing} of {} not updated for the release",
            count(logs.len(), "changelog")
        ),
    )
    .details(findings)
    .hint("add an entry that names the new version and the advisory (GHSA-…/CVE-…/RUSTSEC-…)"))
}

/// The changelogs earlier releases of this line touched. Fills `logs`
/// (root-level ones always, a crate's own only when that crate changed),
/// or returns the row when the line's releases touched none.
fn learned(
    cx: &Context,
    work: &WorkTree,
    all_versions: &[String],
    logs: &mut Vec<(String, Vec<String>)>,
) -> Result<Option<CheckResult>> {
    let changed: Vec<&str> = cx.changed.iter().map(|c| c.name.as_str()).collect();
    match policy::changelog_history(&cx.releases, &cx.repo, cx.head.commit, &changed)? {
        ChangelogHistory::Unknown => Ok(None),
        ChangelogHistory::NotKept { tags } => Ok(Some(CheckResult::skip(
            CHECK.id,
            format!(
                "the releases before this one ({}) touched no changelog on this line: \
                 its release notes live elsewhere",
                tags.join(", ")
            ),
        ))),
        ChangelogHistory::Kept { files, .. } => {
            for file in files.into_iter().filter(|f| work.exists(f)) {
                let owner = cx.head_ws.owner_of(&file).filter(|m| m.dir != cx.ws_dir);
                match owner {
                    None => logs.push((file, all_versions.to_vec())),
                    Some(m) => {
                        if let Some(c) = cx.changed.iter().find(|c| c.name == m.name && c.publish) {
                            logs.push((file, vec![c.head_version.to_string()]));
                        }
                    }
                }
            }
            Ok(None)
        }
    }
}

fn find_in(src: &dyn FileSource, dir: &str) -> Option<String> {
    NAMES
        .iter()
        .map(|n| workspace::join(dir, n))
        .find(|p| src.exists(p))
}

/// Is `version` in `text` as a whole version (not inside `10.2.65`)?
fn contains_version(text: &str, version: &str) -> bool {
    text.match_indices(version).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + version.len()..].chars().next();
        let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '.'));
        boundary(before)
            && (boundary(after)
                || after == Some('.')
                    && !text[i + version.len() + 1..].starts_with(|c: char| c.is_ascii_digit()))
    })
}

/// The first GHSA-, CVE- or RUSTSEC- id in `text`.
pub fn find_advisory_id(text: &str) -> Option<String> {
    for word in text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')) {
        let upper = word.to_ascii_uppercase();
        let parts: Vec<&str> = upper.split('-').collect();
        let ok = match parts.as_slice() {
            ["GHSA", a, b, c] => [a, b, c].iter().all(|p| p.len() == 4),
            ["CVE", y, n] => y.len() == 4 && n.len() >= 4 && n.chars().all(|c| c.is_ascii_digit()),
            ["RUSTSEC", y, n] => y.len() == 4 && n.len() == 4,
            _ => false,
        };
        if ok {
            return Some(word.to_string());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_ids() {
        assert!(contains_version("## 0.2.6 (2026-11-25)", "0.2.6"));
        assert!(contains_version("Released 0.2.6.", "0.2.6"));
        assert!(!contains_version("## 10.2.65", "0.2.6"));
        assert!(!contains_version("## 0.2.61", "0.2.6"));
        assert_eq!(
            find_advisory_id("Fixes CVE-2026-12345.").as_deref(),
            Some("CVE-2026-12345")
        );
        assert_eq!(
            find_advisory_id("see GHSA-abcd-efgh-ijkl").as_deref(),
            Some("GHSA-abcd-efgh-ijkl")
        );
        assert!(find_advisory_id("version 1.2.3").is_none());
    }
}
