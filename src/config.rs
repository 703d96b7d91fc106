//! Configuration: `[workspace.metadata.security-release]` (or
//! `[package.metadata.security-release]`) of the root manifest, with every key
//! overridable by a command-line flag.

use std::collections::BTreeMap;
use std::time::Duration;

use anyhow::{Result, anyhow, bail};
use toml_edit::{DocumentMut, Item, Value};

use crate::cli::ConfigArgs;
use crate::release::LineSpec;
use crate::release::policy::RaiseDependents;

/// A CI command: a shell string (run with `sh -c`) or an argv array.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CiCommand {
    Shell(String),
    Argv(Vec<String>),
}

impl CiCommand {
    pub fn display(&self) -> String {
        match self {
            CiCommand::Shell(s) => s.clone(),
            CiCommand::Argv(a) => a.join(" "),
        }
    }
}

/// The tag formats tried when none is configured: a tag in any of them
/// counts as a release (erring towards "released" keeps bumps from being
/// skipped).
pub const DEFAULT_TAG_FORMATS: [&str; 4] = [
    "{version}",
    "v{version}",
    "{crate}-{version}",
    "{crate}-v{version}",
];

#[derive(Clone, Debug)]
pub struct Config {
    /// Where the configuration was read from ("Cargo.toml [workspace.metadata.security-release]").
    pub source: Option<String>,
    pub main_branch: Option<String>,
    /// The release lines: roles (`stable = "rust-1.71.0"`), branch names
    /// or globs. Empty: discovered (see `release::Releases`).
    pub branches: Vec<LineSpec>,
    /// Where `branches` came from, for messages ("by --onto", "in `Cargo.toml` …").
    pub branches_source: String,
    pub backport_prefix: String,
    pub ci: Vec<CiCommand>,
    pub changelog: Vec<String>,
    /// `changelog = false`: the project keeps no changelog in the repository.
    pub changelog_disabled: bool,
    /// `advisory = "GHSA-…"` (the id the changelog names) or the
    /// `[….advisory]` table that drafts the advisory.
    pub advisory: AdvisoryConfig,
    pub tag_formats: Vec<String>,
    pub tag_formats_configured: bool,
    pub public_remotes: Option<Vec<String>>,
    /// Extra manual checklist items.
    pub manual: Vec<String>,
    /// Per-target bump policy: target role or branch → "patch" | "none";
    /// the key `*` applies to every target.
    pub bump: BTreeMap<String, String>,
    /// Sparse index URL (`index`) or cargo registry name (`registry`) that
    /// says which versions are published; crates.io when neither is set.
    pub index: Option<String>,
    pub registry: Option<String>,
    /// Whose requirements on a bumped crate are raised.
    pub raise_dependents: RaiseDependents,
    /// Files that show crate versions to users (`None`: READMEs and lib.rs).
    pub version_files: Option<Vec<String>>,
    /// Declared backports, (line, range): on that line the fix is that
    /// range (`REV` or `FROM..TO`); `--backport LINE=RANGE` replaces them.
    pub backports: Vec<(String, String)>,
    /// Hand-made backports `backport` adopts: release line → the branch
    /// its fix was written on (`hand-made = { "mycrate-1.18.x" = "fix-118" }`,
    /// `--onto LINE=BRANCH`).
    pub hand_made: BTreeMap<String, String>,
    /// How `backport` brings the fix to the lines: `cherry-pick` (default)
    /// or `merge-forward`.
    pub strategy: Option<String>,
    pub offline: bool,
    /// Time limits: each CI command (`ci-timeout`), cargo-semver-checks
    /// (`semver-timeout`), one registry index request (`--timeout`).
    pub ci_timeout: Duration,
    pub semver_timeout: Duration,
    pub index_timeout: Duration,
}

/// A CI suite that runs longer than this is ended and its row is `error`.
pub const DEFAULT_CI_TIMEOUT: Duration = Duration::from_secs(3600);
/// cargo-semver-checks of a large workspace, cold, takes minutes, not half an hour.
pub const DEFAULT_SEMVER_TIMEOUT: Duration = Duration::from_secs(1800);
pub const DEFAULT_INDEX_TIMEOUT: Duration = Duration::from_secs(20);

impl Default for Config {
    fn default() -> Self {
        Config {
            source: None,
            main_branch: None,
            branches: Vec::new(),
            branches_source: String::new(),
            backport_prefix: "security-release/".to_string(),
            ci: Vec::new(),
            changelog: Vec::new(),
            changelog_disabled: false,
            advisory: AdvisoryConfig::default(),
            tag_formats: DEFAULT_TAG_FORMATS.iter().map(|s| s.to_string()).collect(),
            tag_formats_configured: false,
            public_remotes: None,
            manual: Vec::new(),
            bump: BTreeMap::new(),
            index: None,
            registry: None,
            raise_dependents: RaiseDependents::default(),
            version_files: None,
            backports: Vec::new(),
            hand_made: BTreeMap::new(),
            strategy: None,
            offline: false,
            ci_timeout: DEFAULT_CI_TIMEOUT,
            semver_timeout: DEFAULT_SEMVER_TIMEOUT,
            index_timeout: DEFAULT_INDEX_TIMEOUT,
        }
    }
}

const KEYS: [&str; 19] = [
    "main-branch",
    "branches",
    "backport-prefix",
    "ci",
    "changelog",
    "advisory",
    "tag-format",
    "public-remotes",
    "manual",
    "bump",
    "index",
    "registry",
    "raise-dependents",
    "version-files",
    "backports",
    "ci-timeout",
    "semver-timeout",
    "hand-made",
    "strategy",
];

impl Config {
    /// Reads the metadata table of the root manifest (`manifest_path` names it in errors).
    pub fn from_manifest(doc: &DocumentMut, manifest_path: &str) -> Result<Config> {
        let mut config = Config::default();
        let (table, label) = if let Some(t) = doc
            .get("workspace")
            .and_then(|w| w.get("metadata"))
            .and_then(|m| m.get("security-release"))
        {
            (t, "workspace.metadata.security-release")
        } else if let Some(t) = doc
            .get("package")
            .and_then(|p| p.get("metadata"))
            .and_then(|m| m.get("security-release"))
        {
            (t, "package.metadata.security-release")
        } else {
            return Ok(config);
        };
        let at = format!("`{manifest_path}` [{label}]");
        config.source = Some(at.clone());
        let table = table
            .as_table_like()
            .ok_or_else(|| anyhow!("{at} must be a table"))?;
        for (key, item) in table.iter() {
            let err = |what: &str| anyhow!("{at}: `{key}` must be {what}");
            match key {
                "main-branch" => {
                    config.main_branch = Some(string(item).ok_or_else(|| err("a string"))?)
                }
                "branches" => {
                    const WHAT: &str = "a list of branches or globs (e.g. [\"mycrate-1.18.x\", \"rel-*\"]) \
                                        or a table of role = \"branch\" (e.g. { stable = \"rust-1.71.0\" })";
                    if let Some(list) = strings(item) {
                        config.branches = list.iter().map(|e| LineSpec::from_entry(e)).collect();
                    } else if let Some(t) = item.as_table_like() {
                        for (role, branch) in t.iter() {
                            let branch = string(branch).ok_or_else(|| err(WHAT))?;
                            config.branches.push(LineSpec::Role {
                                role: role.to_string(),
                                branch,
                            });
                        }
                    } else {
                        return Err(err(WHAT));
                    }
                    config.branches_source = format!("by `branches` in {at}");
                }
                "backport-prefix" => {
                    config.backport_prefix = string(item).ok_or_else(|| err("a string"))?
                }
                "ci" => {
                    let a = item
                        .as_array()
                        .ok_or_else(|| err("an array of commands (strings or argv arrays)"))?;
                    for v in a.iter() {
                        config.ci.push(
                            ci_command(v).ok_or_else(|| {
                                err("an array of commands (strings or argv arrays)")
                            })?,
                        );
                    }
                }
                "changelog" => {
                    if item.as_bool() == Some(false) {
                        config.changelog_disabled = true;
                    } else {
                        config.changelog = strings(item)
                            .ok_or_else(|| err("a path, an array of paths, or false"))?
                    }
                }
                "advisory" => {
                    if let Some(id) = string(item) {
                        config.advisory.set_id(&id);
                    } else if let Some(t) = item.as_table_like() {
                        config.advisory = AdvisoryConfig::from_table(t, &at)?;
                    } else {
                        return Err(err("an advisory id (\"GHSA-…\") or a table"));
                    }
                }
                "tag-format" => {
                    config.tag_formats =
                        strings(item).ok_or_else(|| err("a string or an array"))?;
                    config.tag_formats_configured = true;
                    for f in &config.tag_formats {
                        if !f.contains("{version}") {
                            bail!("{at}: tag-format `{f}` must contain `{{version}}`");
                        }
                    }
                }
                "public-remotes" => {
                    config.public_remotes =
                        Some(strings(item).ok_or_else(|| err("an array of remote names"))?)
                }
                "manual" => {
                    config.manual = strings(item).ok_or_else(|| err("an array of strings"))?
                }
                "bump" => {
                    if let Some(s) = string(item) {
                        config.bump.insert("*".to_string(), s);
                    } else if let Some(t) = item.as_table_like() {
                        for (target, v) in t.iter() {
                            config.bump.insert(
                                target.to_string(),
                                string(v).ok_or_else(|| err("\"patch\" or \"none\""))?,
                            );
                        }
                    } else {
                        return Err(err("\"patch\", \"none\" or a table per target"));
                    }
                    for v in config.bump.values() {
                        if v != "patch" && v != "none" {
                            return Err(err("\"patch\" or \"none\""));
                        }
                    }
                }
                "index" => {
                    let url = string(item).ok_or_else(|| err("a URL"))?;
                    crate::registry::IndexLocation::from_url(&url)
                        .map_err(|e| anyhow!("{at}: `index`: {e:#}"))?;
                    config.index = Some(url);
                }
                "registry" => {
                    config.registry = Some(string(item).ok_or_else(|| err("a registry name"))?)
                }
                "raise-dependents" => {
                    config.raise_dependents = string(item)
                        .as_deref()
                        .and_then(RaiseDependents::parse)
                        .ok_or_else(|| err("\"released\", \"all\" or \"none\""))?
                }
                "backports" => {
                    const WHAT: &str = "a table of line = \"RANGE\" (or a list of ranges), \
                                        e.g. { stable = \"1a2b3c4..5d6e7f8\" }";
                    let t = item.as_table_like().ok_or_else(|| err(WHAT))?;
                    for (line, ranges) in t.iter() {
                        for range in strings(ranges).ok_or_else(|| err(WHAT))? {
                            config.backports.push((line.to_string(), range));
                        }
                    }
                }
                "version-files" => {
                    config.version_files =
                        Some(strings(item).ok_or_else(|| err("an array of paths"))?)
                }
                "ci-timeout" | "semver-timeout" => {
                    let limit = item
                        .as_integer()
                        .map(|i| i as f64)
                        .or_else(|| item.as_float())
                        .ok_or_else(|| err("a number of seconds"))
                        .and_then(|secs| {
                            crate::cli::seconds(secs, false).map_err(|e| {
                                anyhow!("{at}: `{key}` = {}: {e}", item.to_string().trim())
                            })
                        })?;
                    if key == "ci-timeout" {
                        config.ci_timeout = limit;
                    } else {
                        config.semver_timeout = limit;
                    }
                }
                "hand-made" => {
                    const WHAT: &str = "a table of release line = \"branch with the hand-made backport\" \
                                        (e.g. { \"mycrate-1.18.x\" = \"fix-118\" })";
                    let t = item.as_table_like().ok_or_else(|| err(WHAT))?;
                    for (line, branch) in t.iter() {
                        let branch = string(branch).ok_or_else(|| err(WHAT))?;
                        config.hand_made.insert(line.to_string(), branch);
                    }
                }
                "strategy" => {
                    let s = string(item)
                        .filter(|s| s == "cherry-pick" || s == "merge-forward")
                        .ok_or_else(|| err("\"cherry-pick\" or \"merge-forward\""))?;
                    config.strategy = Some(s);
                }
                other => bail!(
                    "{at}: unknown key `{other}`\nknown keys: {}",
                    KEYS.join(", ")
                ),
            }
        }
        Ok(config)
    }

    /// Applies command-line flags on top of the file's values.
    pub fn apply_flags(&mut self, flags: &ConfigArgs, offline: bool) {
        if let Some(b) = &flags.main_branch {
            self.main_branch = Some(b.clone());
        }
        // Lines named on the command line replace the configured ones.
        let mut named: Vec<LineSpec> = Vec::new();
        if let Some(b) = &flags.stable {
            named.push(LineSpec::Role {
                role: "stable".to_string(),
                branch: b.clone(),
            });
        }
        if let Some(b) = &flags.beta {
            named.push(LineSpec::Role {
                role: "beta".to_string(),
                branch: b.clone(),
            });
        }
        for onto in &flags.onto {
            // `--onto TARGET=BRANCH`: TARGET is the line, BRANCH its
            // hand-made backport.
            match onto.split_once('=') {
                Some((line, branch)) => {
                    named.push(LineSpec::from_entry(line));
                    self.hand_made.insert(line.to_string(), branch.to_string());
                }
                None => named.push(LineSpec::from_entry(onto)),
            }
        }
        if !named.is_empty() {
            self.branches = named;
            self.branches_source = "on the command line (--onto/--stable/--beta)".to_string();
        }
        if let Some(p) = flags
            .raise_dependents
            .as_deref()
            .and_then(RaiseDependents::parse)
        {
            self.raise_dependents = p;
        }
        if !flags.version_file.is_empty() {
            self.version_files = Some(flags.version_file.clone());
        }
        if let Some(p) = &flags.backport_prefix {
            self.backport_prefix = p.clone();
        }
        if !flags.ci.is_empty() {
            self.ci = flags.ci.iter().cloned().map(CiCommand::Shell).collect();
        }
        if !flags.changelog.is_empty() {
            self.changelog = flags.changelog.clone();
        }
        if let Some(a) = &flags.advisory {
            self.advisory.id = None;
            self.advisory.ghsa = None;
            self.advisory.cve = None;
            self.advisory.other_id = None;
            self.advisory.set_id(a);
        }
        if !flags.tag_format.is_empty() {
            self.tag_formats = flags.tag_format.clone();
            self.tag_formats_configured = true;
        }
        if !flags.public_remotes.is_empty() {
            self.public_remotes = Some(flags.public_remotes.clone());
        }
        if let Some(url) = &flags.index {
            self.index = Some(url.clone());
            self.registry = None;
        }
        if let Some(name) = &flags.registry {
            self.registry = Some(name.clone());
            self.index = None;
        }
        if !flags.manual.is_empty() {
            self.manual = flags.manual.clone();
        }
        if let Some(limit) = flags.ci_timeout {
            self.ci_timeout = limit;
        }
        if let Some(limit) = flags.semver_timeout {
            self.semver_timeout = limit;
        }
        if let Some(policy) = &flags.bump {
            // A flag applies to every target, replacing per-target values.
            self.bump = BTreeMap::from([("*".to_string(), policy.clone())]);
        }
        self.offline |= offline;
    }

    /// The branch configured for a role (`stable` → `rust-1.71.0`).
    pub fn role_branch(&self, role: &str) -> Option<&str> {
        self.branches.iter().find_map(|s| match s {
            LineSpec::Role { role: r, branch } if r == role => Some(branch.as_str()),
            _ => None,
        })
    }

    /// The role configured for a branch, if any.
    pub fn branch_role(&self, branch: &str) -> Option<&str> {
        let branch = branch.strip_prefix("origin/").unwrap_or(branch);
        self.branches.iter().find_map(|s| match s {
            LineSpec::Role { role, branch: b } if b == branch => Some(role.as_str()),
            _ => None,
        })
    }

    /// Validates values that flags may have set.
    pub fn validate(&self) -> Result<()> {
        let prefix = &self.backport_prefix;
        if prefix.is_empty() {
            bail!(
                "the backport prefix is empty: backport branches would be named like the release lines \
                 themselves; use a prefix such as `security-release/`"
            );
        }
        if prefix.starts_with('-') {
            bail!("the backport prefix `{prefix}` starts with `-`, which git reads as an option");
        }
        for (line, branch) in &self.hand_made {
            if line.is_empty() || branch.is_empty() {
                bail!(
                    "a hand-made backport needs both parts: `--onto TARGET=BRANCH` (got `{line}={branch}`)"
                );
            }
        }
        for f in &self.tag_formats {
            if !f.contains("{version}") {
                bail!("tag format `{f}` must contain `{{version}}`");
            }
        }
        // Also offline, where nothing asks the index: a bad URL is a bad
        // configuration either way.
        if let Some(url) = &self.index {
            crate::registry::IndexLocation::from_url(url)?;
        }
        Ok(())
    }
}

/// `[workspace.metadata.security-release.advisory]`: what the `advisory`
/// command drafts, each key also a flag of that command. Its ids are also
/// the ones the changelog may name.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AdvisoryConfig {
    /// A RustSec id, `RUSTSEC-YYYY-NNNN`.
    pub id: Option<String>,
    pub ghsa: Option<String>,
    pub cve: Option<String>,
    /// An id of another kind, from `advisory = "…"`: only the changelog uses it.
    pub other_id: Option<String>,
    pub title: Option<String>,
    /// A file with the Markdown description, relative to the workspace root.
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub categories: Vec<String>,
    pub url: Option<String>,
    pub references: Vec<String>,
    pub cvss: Option<String>,
    pub os: Vec<String>,
    pub arch: Vec<String>,
    pub functions: Vec<String>,
    pub introduced: Option<String>,
    pub crates: Vec<String>,
}

const ADVISORY_KEYS: [&str; 15] = [
    "id",
    "ghsa",
    "cve",
    "title",
    "description",
    "keywords",
    "categories",
    "url",
    "references",
    "cvss",
    "os",
    "arch",
    "functions",
    "introduced",
    "crate",
];

impl AdvisoryConfig {
    /// Files an id of any kind under the field it belongs to.
    pub fn set_id(&mut self, id: &str) {
        let upper = id.to_ascii_uppercase();
        let slot = if upper.starts_with("RUSTSEC-") {
            &mut self.id
        } else if upper.starts_with("GHSA-") {
            &mut self.ghsa
        } else if upper.starts_with("CVE-") {
            &mut self.cve
        } else {
            &mut self.other_id
        };
        *slot = Some(id.to_string());
    }

    /// The ids a changelog entry may name (the placeholder is none).
    pub fn ids(&self) -> Vec<String> {
        [&self.id, &self.ghsa, &self.cve, &self.other_id]
            .into_iter()
            .flatten()
            .filter(|id| id.as_str() != "RUSTSEC-0000-0000")
            .cloned()
            .collect()
    }

    fn from_table(t: &dyn toml_edit::TableLike, at: &str) -> Result<AdvisoryConfig> {
        let mut c = AdvisoryConfig::default();
        for (key, item) in t.iter() {
            let err = |what: &str| anyhow!("{at}: `advisory.{key}` must be {what}");
            let one = || string(item).ok_or_else(|| err("a string"));
            let many = || strings(item).ok_or_else(|| err("a string or an array of strings"));
            match key {
                "id" => c.id = Some(one()?),
                "ghsa" => c.ghsa = Some(one()?),
                "cve" => c.cve = Some(one()?),
                "title" => c.title = Some(one()?),
                "description" => c.description = Some(one()?),
                "keywords" => c.keywords = many()?,
                "categories" => c.categories = many()?,
                "url" => c.url = Some(one()?),
                "references" => c.references = many()?,
                "cvss" => c.cvss = Some(one()?),
                "os" => c.os = many()?,
                "arch" => c.arch = many()?,
                "functions" => c.functions = many()?,
                "introduced" => c.introduced = Some(one()?),
                "crate" => c.crates = many()?,
                "date" => bail!(
                    "{at}: `advisory.date` is not configurable: it is the day the draft is made \
                     (pass --date YYYY-MM-DD to the advisory command)"
                ),
                other => bail!(
                    "{at}: unknown key `advisory.{other}`\nknown keys: {}",
                    ADVISORY_KEYS.join(", ")
                ),
            }
        }
        Ok(c)
    }
}

fn string(item: &Item) -> Option<String> {
    item.as_str().map(str::to_string)
}

fn strings(item: &Item) -> Option<Vec<String>> {
    if let Some(s) = item.as_str() {
        return Some(vec![s.to_string()]);
    }
    let a = item.as_array()?;
    a.iter().map(|v| v.as_str().map(str::to_string)).collect()
}

fn ci_command(v: &Value) -> Option<CiCommand> {
    match v {
        Value::String(s) => Some(CiCommand::Shell(s.value().clone())),
        Value::Array(a) => {
            let argv: Option<Vec<String>> =
                a.iter().map(|x| x.as_str().map(str::to_string)).collect();
            argv.filter(|a| !a.is_empty()).map(CiCommand::Argv)
        }
        _ => None,
    }
}

/// A parsed tag format: the text around `{crate}` and `{version}`.
#[derive(Clone, Debug)]
pub struct TagFormat {
    pub format: String,
}

impl TagFormat {
    pub fn new(format: &str) -> Self {
        TagFormat {
            format: format.to_string(),
        }
    }

    /// The tag this format gives for a crate at a version.
    pub fn tag_for(&self, krate: &str, version: &str) -> String {
        self.format
            .replace("{crate}", krate)
            .replace("{version}", version)
    }

    /// Splits a tag name into (crate, version) if it has this format.
    pub fn parse(&self, tag: &str) -> Option<(Option<String>, semver::Version)> {
        let has_crate = self.format.contains("{crate}");
        let (before, after) = self.format.split_once("{version}")?;
        let rest = tag.strip_suffix(after)?;
        let (krate, version) = if has_crate {
            let (pre, post) = before.split_once("{crate}")?;
            let rest = rest.strip_prefix(pre)?;
            // The crate name cannot contain the separator that follows it
            // only if the separator is unambiguous; try every split point.
            let mut found = None;
            for (i, _) in rest.match_indices(post) {
                let (k, v) = (&rest[..i], &rest[i + post.len()..]);
                if !k.is_empty()
                    && let Ok(ver) = semver::Version::parse(v)
                {
                    found = Some((Some(k.to_string()), ver));
                }
            }
            found?
        } else {
            let v = rest.strip_prefix(before)?;
            (None, semver::Version::parse(v).ok()?)
        };
        Some((krate, version))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_formats_parse() {
        let v = TagFormat::new("{version}");
        assert_eq!(v.parse("0.73.0").unwrap().1.to_string(), "0.73.0");
        assert!(v.parse("v0.73.0").is_none());
        let c = TagFormat::new("{crate}-{version}");
        let (k, ver) = c.parse("cargo-util-0.2.4").unwrap();
        assert_eq!(k.as_deref(), Some("cargo-util"));
        assert_eq!(ver.to_string(), "0.2.4");
        assert_eq!(c.tag_for("tokio", "1.38.1"), "tokio-1.38.1");
    }

    #[test]
    fn advisory_is_an_id_or_a_table() {
        let doc: DocumentMut =
            "[workspace.metadata.security-release]\nadvisory = \"GHSA-r5w3-xm58-jv6j\"\n"
                .parse()
                .unwrap();
        let c = Config::from_manifest(&doc, "Cargo.toml").unwrap();
        assert_eq!(c.advisory.ghsa.as_deref(), Some("GHSA-r5w3-xm58-jv6j"));
        assert_eq!(c.advisory.ids(), ["GHSA-r5w3-xm58-jv6j"]);
        let doc: DocumentMut = r#"[workspace.metadata.security-release.advisory]
id = "RUSTSEC-0000-0000"
ghsa = "GHSA-r5w3-xm58-jv6j"
cve = "CVE-2026-12345"
categories = ["file-disclosure"]
keywords = "archive"
crate = "cargo-util"
"#
        .parse()
        .unwrap();
        let c = Config::from_manifest(&doc, "Cargo.toml").unwrap();
        assert_eq!(c.advisory.ids(), ["GHSA-r5w3-xm58-jv6j", "CVE-2026-12345"]);
        assert_eq!(c.advisory.keywords, ["archive"]);
        assert_eq!(c.advisory.crates, ["cargo-util"]);
        let bad: DocumentMut =
            "[workspace.metadata.security-release.advisory]\nkeyword = [\"x\"]\n"
                .parse()
                .unwrap();
        let e = Config::from_manifest(&bad, "Cargo.toml")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("unknown key `advisory.keyword`") && e.contains("keywords"),
            "{e}"
        );
        assert!(
            e.contains("`Cargo.toml` [workspace.metadata.security-release]"),
            "{e}"
        );
    }

    #[test]
    fn hand_made_backports_from_the_table_and_onto() {
        let doc: DocumentMut = r#"[workspace]
[workspace.metadata.security-release]
hand-made = { "0.12.x" = "fix-0.12" }
strategy = "merge-forward"
"#
        .parse()
        .unwrap();
        let mut c = Config::from_manifest(&doc, "Cargo.toml").unwrap();
        assert_eq!(
            c.hand_made.get("0.12.x").map(String::as_str),
            Some("fix-0.12")
        );
        assert_eq!(c.strategy.as_deref(), Some("merge-forward"));
        let flags = ConfigArgs {
            onto: vec!["0.13.x".into(), "1.18.x=my-fix".into()],
            ..ConfigArgs::default()
        };
        c.apply_flags(&flags, false);
        assert_eq!(
            c.branches,
            [
                LineSpec::Name("0.13.x".into()),
                LineSpec::Name("1.18.x".into())
            ]
        );
        assert_eq!(
            c.hand_made.get("1.18.x").map(String::as_str),
            Some("my-fix")
        );
        c.backport_prefix = String::new();
        assert!(
            c.validate()
                .unwrap_err()
                .to_string()
                .contains("prefix is empty")
        );
    }

    #[test]
    fn reads_metadata_and_rejects_unknown_keys() {
        let doc: DocumentMut = r#"[workspace]
[workspace.metadata.security-release]
main-branch = "master"
branches = { stable = "rust-1.71.0", beta = "rust-1.72.0" }
ci = ["cargo test", ["cargo", "fmt", "--check"]]
backports = { "rust-1.71.0" = "1a2b3c4..5d6e7f8", beta = ["9a8b7c6"] }
"#
        .parse()
        .unwrap();
        let c = Config::from_manifest(&doc, "Cargo.toml").unwrap();
        assert_eq!(c.role_branch("stable"), Some("rust-1.71.0"));
        assert_eq!(c.ci.len(), 2);
        assert_eq!(
            c.backports,
            [
                ("rust-1.71.0".to_string(), "1a2b3c4..5d6e7f8".to_string()),
                ("beta".to_string(), "9a8b7c6".to_string())
            ]
        );
        assert_eq!(
            c.ci[1],
            CiCommand::Argv(vec!["cargo".into(), "fmt".into(), "--check".into()])
        );
        let bad: DocumentMut = "[workspace.metadata.security-release]\nmain-brnach = \"x\"\n"
            .parse()
            .unwrap();
        let e = Config::from_manifest(&bad, "Cargo.toml")
            .unwrap_err()
            .to_string();
        assert!(e.contains("unknown key `main-brnach`"), "{e}");
        assert!(e.contains("Cargo.toml"), "{e}");
    }
}
