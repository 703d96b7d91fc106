//! GitHub's "create a repository security advisory" request body
//! (`POST /repos/{owner}/{repo}/security-advisories`, schema
//! `repository-advisory-create`): ecosystem `rust`, one `vulnerabilities[]`
//! entry per affected range of each crate, and either `cvss_vector_string`
//! or `severity`, never both. Also the `gh api` command that would post it;
//! the tool itself never posts anything.

use anyhow::{Result, anyhow};
use serde::Serialize;

use super::Draft;

#[derive(Serialize)]
struct Body<'a> {
    summary: &'a str,
    description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    cve_id: Option<&'a str>,
    vulnerabilities: Vec<Vulnerability<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    cvss_vector_string: Option<String>,
    start_private_fork: bool,
}

#[derive(Serialize)]
struct Vulnerability<'a> {
    package: Package<'a>,
    vulnerable_version_range: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    patched_versions: Option<String>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    vulnerable_functions: &'a [String],
}

#[derive(Serialize)]
struct Package<'a> {
    ecosystem: &'static str,
    name: &'a str,
}

/// One request for all the crates' drafts: a repository advisory may list
/// several packages. Summary, description, CVE and CVSS are the first
/// draft's (every draft of one run shares them).
pub fn render(drafts: &[Draft]) -> Result<String> {
    let first = drafts
        .first()
        .ok_or_else(|| anyhow!("bug: no advisory to write as a GitHub request"))?;
    let cve_id = first.aliases.iter().find(|a| a.starts_with("CVE-"));
    let mut vulnerabilities = Vec::new();
    for d in drafts {
        for range in &d.affected {
            vulnerabilities.push(Vulnerability {
                package: Package {
                    ecosystem: "rust",
                    name: &d.package,
                },
                vulnerable_version_range: range.requirement(),
                patched_versions: range.to.as_ref().map(|v| v.to_string()),
                vulnerable_functions: &d.functions,
            });
        }
    }
    let body = Body {
        summary: &first.title,
        description: &first.description,
        cve_id: cve_id.map(String::as_str),
        vulnerabilities,
        cvss_vector_string: first.cvss.as_ref().map(|s| s.vector.to_string()),
        start_private_fork: false,
    };
    let mut text = serde_json::to_string_pretty(&body)
        .map_err(|e| anyhow!("bug: cannot write the GitHub request body: {e}"))?;
    text.push('\n');
    Ok(text)
}

/// The `gh api` command that would create the draft advisory from `input`
/// (a file, or `-` for stdin) in `repo` (`owner/name`).
pub fn command(repo: &str, input: &str) -> String {
    format!(
        "gh api --method POST -H \"Accept: application/vnd.github+json\" \
         -H \"X-GitHub-Api-Version: 2022-11-28\" /repos/{repo}/security-advisories --input {input}"
    )
}

/// `owner/name` of a GitHub repository URL (`https://github.com/o/n(.git)`,
/// `git@github.com:o/n.git`), if it is one.
pub fn github_slug(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("https://github.com/")
        .or_else(|| url.strip_prefix("http://github.com/"))
        .or_else(|| url.strip_prefix("ssh://git@github.com/"))
        .or_else(|| url.strip_prefix("git@github.com:"))?;
    let rest = rest.trim_end_matches('/');
    let rest = rest.strip_suffix(".git").unwrap_or(rest);
    let mut parts = rest.split('/');
    let (owner, name) = (parts.next()?, parts.next()?);
    (!owner.is_empty() && !name.is_empty()).then(|| format!("{owner}/{name}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs() {
        for url in [
            "https://github.com/example/mycrate",
            "https://github.com/example/mycrate.git",
            "https://github.com/example/mycrate/tree/master/mycrate",
            "git@github.com:example/mycrate.git",
        ] {
            assert_eq!(
                github_slug(url).as_deref(),
                Some("example/mycrate"),
                "{url}"
            );
        }
        assert_eq!(github_slug("https://gitlab.com/example/mycrate"), None);
    }
}
