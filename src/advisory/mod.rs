//! The advisory drafted from the repository: which crates the fix affects,
//! the `patched` range of every release line from the version it ships,
//! `unaffected` from where the flaw came in, the CVSS score, and the same
//! draft written as a RustSec file, OSV JSON, GitHub's request body or
//! Markdown. Everything here is computed from plain inputs (`LineVersion`,
//! `Fields`, `Introduced`) so that the release model can fill them.

pub mod functions;
pub mod ghsa;
pub mod introduced;
pub mod markdown;
pub mod osv;
pub mod ranges;
pub mod rustsec;
pub mod severity;
pub mod source;

use std::fmt;

use anyhow::{Result, bail};
use semver::Version;

use self::functions::FunctionHint;
use self::ranges::{PatchedRange, Range};
use self::severity::Score;
pub use self::source::Series;

/// RustSec's id for an advisory that has none yet.
pub const PLACEHOLDER_ID: &str = "RUSTSEC-0000-0000";

/// RustSec's categories (`rustsec::advisory::Category`); anything else is
/// refused by its linter.
pub const CATEGORIES: [&str; 10] = [
    "code-execution",
    "crypto-failure",
    "denial-of-service",
    "file-disclosure",
    "format-injection",
    "malicious",
    "memory-corruption",
    "memory-exposure",
    "privilege-escalation",
    "thread-safety",
];

/// What one release line ships of a crate: the input the release model fills.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineVersion {
    /// The branch name (`mycrate-1.18.x`, `rel-0.22`, `master`).
    pub line: String,
    /// The line's version granularity, from its name (`1.18.x` → 1.18,
    /// `2.x` → 2), else from the version it ships.
    pub series: Series,
    /// The first version of the line with the fix; `None` when the line has none.
    pub fixed: Option<Version>,
    pub source: VersionSource,
    /// The fix's commits are on the commit that `fixed` comes from.
    pub fix_present: bool,
    /// The release tag of `fixed`, once it is released.
    pub tag: Option<String>,
    /// Why the line cannot be patched as it stands, said to the user.
    pub problem: Option<String>,
}

/// Where a line's version was read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionSource {
    /// A release tag (after the release).
    Tag(String),
    /// The planned backport, `security-release/<line>` (before the release).
    BackportBranch(String),
    /// The workspace at HEAD: the main branch's planned release.
    Plan,
    /// Neither a backport branch nor a release with the fix.
    Missing,
}

impl fmt::Display for VersionSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionSource::Tag(t) => write!(f, "tag `{t}`"),
            VersionSource::BackportBranch(b) => write!(f, "backport branch `{b}`"),
            VersionSource::Plan => write!(f, "the workspace at HEAD"),
            VersionSource::Missing => write!(f, "nothing"),
        }
    }
}

/// The commit that introduced the flaw, and the first release that shipped it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Introduced {
    /// Full commit id.
    pub commit: String,
    pub summary: String,
    /// `--introduced REV`, or how it was inferred.
    pub how: IntroducedHow,
    /// The first release tag (by version) that contains the commit.
    pub first_release: Option<(String, Version)>,
    /// True when that is the crate's earliest release tag: every tagged
    /// release has the flaw, and nothing is known to be unaffected.
    pub in_earliest_release: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntroducedHow {
    /// Named by the user: how (`--introduced v1.2.0`, or the config key).
    Given(String),
    /// Blame at BASE of the lines the fix removed or changed (or, for a
    /// fix that only adds, the lines around its insertions): the oldest
    /// commit among `commits` distinct ones over `lines` lines.
    Inferred {
        lines: usize,
        commits: usize,
        around_insertions: bool,
    },
}

impl Introduced {
    pub fn inferred(&self) -> bool {
        matches!(self.how, IntroducedHow::Inferred { .. })
    }

    pub fn short(&self) -> &str {
        &self.commit[..7.min(self.commit.len())]
    }
}

/// What the user says about the advisory (flags over the `advisory` table).
#[derive(Clone, Debug, Default)]
pub struct Fields {
    pub id: Option<String>,
    pub ghsa: Option<String>,
    pub cve: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub url: Option<String>,
    pub references: Vec<String>,
    pub cvss: Option<Score>,
    pub os: Vec<String>,
    pub arch: Vec<String>,
    /// Affected function paths, `crate_name::path::to::fn`.
    pub functions: Vec<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
}

/// One crate's advisory, ready to be rendered in any format.
#[derive(Clone, Debug)]
pub struct Draft {
    pub package: String,
    pub id: String,
    pub date: String,
    pub aliases: Vec<String>,
    pub title: String,
    pub description: String,
    pub url: Option<String>,
    pub references: Vec<String>,
    pub categories: Vec<String>,
    pub keywords: Vec<String>,
    pub cvss: Option<Score>,
    pub os: Vec<String>,
    pub arch: Vec<String>,
    pub functions: Vec<String>,
    pub function_hints: Vec<FunctionHint>,
    /// Oldest line first, the main branch last.
    pub lines: Vec<LineVersion>,
    pub patched: Vec<PatchedRange>,
    pub unaffected: Vec<Range>,
    pub introduced: Option<Introduced>,
    /// The vulnerable intervals between `patched` and `unaffected`.
    pub affected: Vec<Range>,
    /// How things were decided (shown, exit 0).
    pub notes: Vec<String>,
    /// What keeps the draft from being publishable as it is (exit 1).
    pub problems: Vec<String>,
}

impl Draft {
    /// Before the release (versions from backport branches and HEAD), after
    /// it (from tags), or a mix.
    pub fn stage(&self) -> &'static str {
        let tagged = self
            .lines
            .iter()
            .filter(|l| matches!(l.source, VersionSource::Tag(_)) && l.fix_present)
            .count();
        match tagged {
            0 => {
                "before the release: versions from the planned backports and the workspace at HEAD"
            }
            n if n == self.lines.len() => "after the release: versions from the release tags",
            _ => {
                "partly released: versions from release tags where they exist, else from the planned backports"
            }
        }
    }

    /// The vulnerable ranges of each affected function (RustSec's
    /// `[affected.functions]`): the affected intervals.
    pub fn function_ranges(&self) -> Vec<String> {
        self.affected.iter().map(Range::requirement).collect()
    }
}

impl Draft {
    /// Says where an untargeted line that carries the vulnerable code
    /// stands: its releases must fall in an affected range.
    pub fn add_untargeted(&mut self, line: &source::UntargetedLine) {
        let Some((tag, version)) = &line.newest_release else {
            self.notes.push(format!(
                "line `{}` still has the code the fix changes (`{}`) and is not a target; \
                 it has no release of `{}`",
                line.line, line.file, self.package
            ));
            return;
        };
        match self.affected.iter().find(|r| r.contains(version)) {
            Some(range) => self.notes.push(format!(
                "line `{}` is affected, not patched: it is not a target and still has the code \
                 the fix changes (`{}`); its newest release {version} (`{tag}`) stays in the \
                 affected range `{range}`",
                line.line, line.file
            )),
            None => self.problems.push(format!(
                "line `{}` still has the code the fix changes (`{}`), but its newest release \
                 {version} (`{tag}`) is in no affected range: check `unaffected` (--introduced), \
                 or target the line",
                line.line, line.file
            )),
        }
    }
}

/// Assembles one crate's draft from the lines, the fields and the
/// introducing commit. Fails only on inconsistent input that is a bug.
pub fn build(
    package: &str,
    fields: &Fields,
    lines: Vec<LineVersion>,
    introduced: Option<Introduced>,
    function_hints: Vec<FunctionHint>,
) -> Result<Draft> {
    let mut notes = Vec::new();
    let mut problems = Vec::new();
    let computed = ranges::patched(&lines);
    for (line, reason) in &computed.unpatched {
        problems.push(format!("line `{line}` is affected, not patched: {reason}"));
    }
    let mut patched = computed.ranges;

    let mut unaffected = Vec::new();
    if let Some(intro) = &introduced {
        match &intro.first_release {
            Some((tag, version)) if !intro.in_earliest_release => {
                let range = ranges::unaffected(version);
                match ranges::drop_unaffected(&mut patched, &range) {
                    Ok(dropped) => {
                        for p in dropped {
                            notes.push(format!(
                                "{} {} the flaw (first released in {version}, `{tag}`): \
                                 `{}` is left out of `patched`",
                                p.lines.join(", "),
                                if p.lines.len() == 1 { "predates" } else { "predate" },
                                p.range
                            ));
                        }
                        unaffected.push(range);
                    }
                    Err(message) => problems.push(format!(
                        "{message}; `unaffected` is left out until the introducing commit is confirmed (--introduced REV)"
                    )),
                }
            }
            Some((tag, _)) => notes.push(format!(
                "the flaw ({} \"{}\") is already in the earliest release tag `{tag}`: \
                 every tagged release is affected, so `unaffected` is empty",
                intro.short(),
                intro.summary
            )),
            None => problems.push(format!(
                "the introducing commit {} \"{}\" is in no release tag of `{package}`: \
                 no released version would be affected; check --introduced",
                intro.short(),
                intro.summary
            )),
        }
    }
    if patched.is_empty() {
        problems.push(format!(
            "no line ships a version of `{package}` with the fix: `patched` is empty"
        ));
    }
    let patched_ranges: Vec<Range> = patched.iter().map(|p| p.range.clone()).collect();
    let versions = ranges::versions(&patched_ranges, &unaffected)?;
    let affected = ranges::affected(&versions);

    let mut aliases = Vec::new();
    aliases.extend(fields.cve.clone());
    aliases.extend(fields.ghsa.clone());
    let title = match &fields.title {
        Some(t) => t.clone(),
        None => {
            notes.push("no --title: the title is a placeholder".to_string());
            format!("Security flaw in {package}")
        }
    };
    let description = match &fields.description {
        Some(d) => d.trim().to_string(),
        None => {
            notes.push("no --description FILE: the description is a placeholder".to_string());
            default_description(package, &patched)
        }
    };
    let crate_ident = package.replace('-', "_");
    let functions: Vec<String> = fields
        .functions
        .iter()
        .filter(|f| f.split("::").next() == Some(crate_ident.as_str()))
        .cloned()
        .collect();
    Ok(Draft {
        package: package.to_string(),
        id: fields
            .id
            .clone()
            .unwrap_or_else(|| PLACEHOLDER_ID.to_string()),
        date: fields.date.clone(),
        aliases,
        title,
        description,
        url: fields.url.clone(),
        references: fields.references.clone(),
        categories: fields.categories.clone(),
        keywords: fields.keywords.clone(),
        cvss: fields.cvss.clone(),
        os: fields.os.clone(),
        arch: fields.arch.clone(),
        functions,
        function_hints,
        lines,
        patched,
        unaffected,
        introduced,
        affected,
        notes,
        problems,
    })
}

fn default_description(package: &str, patched: &[PatchedRange]) -> String {
    let fixed: Vec<String> = patched
        .iter()
        .filter_map(|p| p.range.from.as_ref().map(|v| v.to_string()))
        .collect();
    let upgrade = match fixed.as_slice() {
        [] => String::new(),
        [one] => format!("\n\nThe flaw is fixed in {package} {one}."),
        [init @ .., last] => format!(
            "\n\nThe flaw is fixed in {package} {} and {last}.",
            init.join(", ")
        ),
    };
    format!("Describe the flaw, its impact and who is affected.{upgrade}")
}

/// Checks the fields a user typed, naming the bad value: RustSec ids, GHSA
/// and CVE ids, categories, URLs, function paths and the date.
pub fn validate(fields: &Fields, crates: &[String]) -> Result<()> {
    if let Some(id) = &fields.id {
        let ok = id == PLACEHOLDER_ID || rustsec_id(id);
        if !ok {
            bail!(
                "--id `{id}`: expected a RustSec id, RUSTSEC-YYYY-NNNN (or {PLACEHOLDER_ID} until one is assigned)"
            );
        }
    }
    if let Some(ghsa) = &fields.ghsa {
        let parts: Vec<&str> = ghsa.split('-').collect();
        let ok = parts.len() == 4
            && parts[0] == "GHSA"
            && parts[1..]
                .iter()
                .all(|p| p.len() == 4 && p.chars().all(|c| c.is_ascii_alphanumeric()));
        if !ok {
            bail!("--ghsa `{ghsa}`: expected a GitHub advisory id, GHSA-xxxx-xxxx-xxxx");
        }
    }
    if let Some(cve) = &fields.cve {
        let parts: Vec<&str> = cve.split('-').collect();
        let digits = |p: &str| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit());
        let ok = parts.len() == 3
            && parts[0] == "CVE"
            && parts[1].len() == 4
            && digits(parts[1])
            && parts[2].len() >= 4
            && digits(parts[2]);
        if !ok {
            bail!("--cve `{cve}`: expected a CVE id, CVE-YYYY-NNNN");
        }
    }
    for c in &fields.categories {
        if !CATEGORIES.contains(&c.as_str()) {
            bail!(
                "--category `{c}`: not a RustSec category\nknown categories: {}",
                CATEGORIES.join(", ")
            );
        }
    }
    for (flag, url) in fields
        .url
        .iter()
        .map(|u| ("--url", u))
        .chain(fields.references.iter().map(|u| ("--reference", u)))
    {
        // A URL with a host, as the RustSec and OSV parsers will want it.
        let ok = (url.starts_with("https://") || url.starts_with("http://"))
            && !url.contains(|c: char| c.is_whitespace() || c == '"')
            && url
                .parse::<crates_index::http::Uri>()
                .is_ok_and(|u| u.host().is_some_and(|h| !h.is_empty()));
        if !ok {
            bail!("{flag} `{url}`: expected an https:// URL");
        }
    }
    for f in &fields.functions {
        let segments: Vec<&str> = f.split("::").collect();
        let ident = |s: &str| {
            !s.is_empty()
                && s.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !s.starts_with(|c: char| c.is_ascii_digit())
        };
        if segments.len() < 2 || !segments.iter().all(|s| ident(s)) {
            bail!("--function `{f}`: expected a Rust path such as `mycrate::module::function`");
        }
        let idents: Vec<String> = crates.iter().map(|c| c.replace('-', "_")).collect();
        if !idents.iter().any(|i| i == segments[0]) {
            bail!(
                "--function `{f}`: the path must start with the crate it is in ({})",
                idents
                    .iter()
                    .map(|i| format!("`{i}::`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
        }
    }
    if fields.date.parse::<::rustsec::advisory::Date>().is_err() {
        bail!("--date `{}`: expected a date, YYYY-MM-DD", fields.date);
    }
    Ok(())
}

fn rustsec_id(id: &str) -> bool {
    let parts: Vec<&str> = id.split('-').collect();
    parts.len() == 3
        && parts[0] == "RUSTSEC"
        && parts[1].len() == 4
        && parts[2].len() == 4
        && parts[1..]
            .iter()
            .all(|p| p.chars().all(|c| c.is_ascii_digit()))
}

/// Today's date in UTC, `YYYY-MM-DD`.
pub fn today_utc() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    crate::git::iso_date(secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn today_is_a_date() {
        let today = today_utc();
        assert!(
            today.parse::<::rustsec::advisory::Date>().is_ok(),
            "{today}"
        );
    }

    fn fields() -> Fields {
        Fields {
            date: "2026-05-01".to_string(),
            ..Fields::default()
        }
    }

    #[test]
    fn validation_names_the_bad_value() {
        let crates = ["my-crate".to_string()];
        let bad = |f: Fields| validate(&f, &crates).unwrap_err().to_string();
        assert!(validate(&fields(), &crates).is_ok());
        let e = bad(Fields {
            id: Some("RUSTSEC-26-1".into()),
            ..fields()
        });
        assert!(e.starts_with("--id `RUSTSEC-26-1`"), "{e}");
        let e = bad(Fields {
            categories: vec!["rce".into()],
            ..fields()
        });
        assert!(
            e.contains("--category `rce`") && e.contains("code-execution"),
            "{e}"
        );
        let e = bad(Fields {
            functions: vec!["other::f".into()],
            ..fields()
        });
        assert!(e.contains("`my_crate::`"), "{e}");
        assert!(
            validate(
                &Fields {
                    functions: vec!["my_crate::net::f".into()],
                    ..fields()
                },
                &crates
            )
            .is_ok()
        );
        let e = bad(Fields {
            date: "2026-02-30".into(),
            ..fields()
        });
        assert!(e.contains("--date `2026-02-30`"), "{e}");
        let e = bad(Fields {
            ghsa: Some("GHSA-1234".into()),
            ..fields()
        });
        assert!(e.contains("GHSA-xxxx-xxxx-xxxx"), "{e}");
        let e = bad(Fields {
            url: Some("github.com/x".into()),
            ..fields()
        });
        assert!(e.contains("--url `github.com/x`"), "{e}");
    }
}
