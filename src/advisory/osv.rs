//! OSV JSON (<https://ossf.github.io/osv-schema/>), laid out as RustSec's own
//! OSV export writes an advisory: the crates.io ecosystem, one SEMVER range
//! whose introduced/fixed events are the affected gaps between `patched`
//! and `unaffected`, the CVSS vector as severity, aliases and references.

use anyhow::{Result, anyhow};
use serde::Serialize;

use super::Draft;

/// The OSV schema version the output follows.
pub const SCHEMA_VERSION: &str = "1.7.5";

#[derive(Serialize)]
struct Osv<'a> {
    schema_version: &'static str,
    id: &'a str,
    modified: String,
    published: String,
    aliases: &'a [String],
    related: [&'a str; 0],
    summary: &'a str,
    details: &'a str,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    severity: Vec<Severity>,
    affected: Vec<Affected<'a>>,
    references: Vec<Reference>,
    database_specific: MainDatabaseSpecific,
}

#[derive(Serialize)]
struct Severity {
    #[serde(rename = "type")]
    kind: &'static str,
    score: String,
}

#[derive(Serialize)]
struct Affected<'a> {
    package: Package<'a>,
    ranges: Vec<OsvRange>,
    ecosystem_specific: EcosystemSpecific<'a>,
    database_specific: DatabaseSpecific<'a>,
}

#[derive(Serialize)]
struct Package<'a> {
    ecosystem: &'static str,
    name: &'a str,
    purl: String,
}

#[derive(Serialize)]
struct OsvRange {
    #[serde(rename = "type")]
    kind: &'static str,
    events: Vec<Event>,
}

#[derive(Serialize)]
#[serde(rename_all = "snake_case")]
enum Event {
    Introduced(String),
    Fixed(String),
}

#[derive(Serialize)]
struct EcosystemSpecific<'a> {
    affects: Affects<'a>,
}

#[derive(Serialize)]
struct Affects<'a> {
    arch: &'a [String],
    os: &'a [String],
    functions: &'a [String],
}

#[derive(Serialize)]
struct DatabaseSpecific<'a> {
    categories: &'a [String],
    cvss: Option<String>,
    informational: Option<String>,
}

#[derive(Serialize)]
struct Reference {
    #[serde(rename = "type")]
    kind: &'static str,
    url: String,
}

#[derive(Serialize)]
struct MainDatabaseSpecific {
    license: &'static str,
}

/// The OSV record of one crate's advisory.
pub fn render(d: &Draft) -> Result<String> {
    // RustSec's export dates an advisory at noon UTC of its day.
    let published = format!("{}T12:00:00Z", d.date);
    let osv = Osv {
        schema_version: SCHEMA_VERSION,
        id: &d.id,
        modified: published.clone(),
        published,
        aliases: &d.aliases,
        related: [],
        summary: &d.title,
        details: &d.description,
        severity: d
            .cvss
            .iter()
            .map(|s| Severity {
                kind: s.osv_type(),
                score: s.vector.to_string(),
            })
            .collect(),
        affected: vec![Affected {
            package: Package {
                ecosystem: "crates.io",
                name: &d.package,
                purl: format!("pkg:cargo/{}", d.package),
            },
            ranges: vec![OsvRange {
                kind: "SEMVER",
                events: events(d),
            }],
            ecosystem_specific: EcosystemSpecific {
                affects: Affects {
                    arch: &d.arch,
                    os: &d.os,
                    functions: &d.functions,
                },
            },
            database_specific: DatabaseSpecific {
                categories: &d.categories,
                cvss: d.cvss.as_ref().map(|s| s.vector.to_string()),
                informational: None,
            },
        }],
        references: references(d),
        database_specific: MainDatabaseSpecific { license: "CC0-1.0" },
    };
    let mut text = serde_json::to_string_pretty(&osv)
        .map_err(|e| anyhow!("bug: cannot write the OSV record of `{}`: {e}", d.package))?;
    text.push('\n');
    Ok(text)
}

/// One `introduced` per affected gap (`0.0.0-0` when unbounded, as RustSec
/// writes it), then its `fixed` when it has one.
fn events(d: &Draft) -> Vec<Event> {
    let mut out = Vec::new();
    for r in &d.affected {
        out.push(Event::Introduced(match &r.from {
            Some(v) => v.to_string(),
            None => "0.0.0-0".to_string(),
        }));
        if let Some(v) = &r.to {
            out.push(Event::Fixed(v.to_string()));
        }
    }
    out
}

fn references(d: &Draft) -> Vec<Reference> {
    let mut urls = vec![format!("https://crates.io/crates/{}", d.package)];
    if d.id != super::PLACEHOLDER_ID {
        urls.push(format!("https://rustsec.org/advisories/{}.html", d.id));
    }
    urls.extend(d.url.iter().cloned());
    urls.extend(d.references.iter().cloned());
    urls.into_iter()
        .map(|url| Reference {
            kind: url_kind(&url),
            url,
        })
        .collect()
}

/// RustSec's `guess_url_kind`.
fn url_kind(url: &str) -> &'static str {
    if (url.contains("://github.com/") || url.contains("://gitlab.")) && url.contains("/issues/") {
        "REPORT"
    } else if url.contains("/advisories/") || url.contains("://www.cve.org/") {
        "ADVISORY"
    } else if url.contains("://crates.io/crates/") {
        "PACKAGE"
    } else {
        "WEB"
    }
}
