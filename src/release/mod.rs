//! The release model: one picture of "the releases of this repository",
//! built once per command and read by `check`, `backport`,
//! `verify-published` and `advisory`. It answers which release lines there
//! are and which a command works on, which tags are releases, whether a
//! crate version was released (and how we know), and what each line ships.
//! No command derives its own view of these.

pub mod affected;
pub mod bumps;
pub mod lines;
pub mod lockfiles;
pub mod policy;
pub mod shipped;
pub mod tags;

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::rc::Rc;

use anyhow::{Result, anyhow, bail};
use semver::Version;

use crate::config::{Config, TagFormat};
use crate::git::{Oid, RefTip, Repo, iso_date};
use crate::registry::{IndexLocation, PublishedVersions, RetryPolicy, SparseRegistry};
use crate::workspace::{AtCommit, Workspace};
pub use lines::{LineSpec, ReleaseLine, Scheme, Series};
pub use tags::ReleaseTag;

/// Which lines a command works on, and why.
#[derive(Clone, Debug)]
pub enum LineChoice {
    /// From flags, the configuration, or a layout that says which lines
    /// are maintained (Cargo's `rust-1.N.0`, literal `stable`/`beta`).
    Chosen {
        lines: Vec<ReleaseLine>,
        why: String,
    },
    /// Branches that look like release lines, but which are maintained is
    /// the project's policy: a command that needs lines asks.
    Undecided { candidates: Vec<ReleaseLine> },
    /// No branch looks like a release line: the main branch is all there is.
    NoLines,
}

/// Why a version counts as released.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReleaseEvidence {
    /// The crate's own release tag.
    Tag(String),
    /// Another release's tag whose commit carries the crate at that
    /// version (Cargo tags `0.73.0`; the cargo-util it carried was
    /// released with it).
    CarriedBy(String),
    Line(String),
    Registry(String),
}

impl std::fmt::Display for ReleaseEvidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReleaseEvidence::Tag(t) => write!(f, "tag `{t}`"),
            ReleaseEvidence::CarriedBy(t) => write!(f, "the release tagged `{t}` carries it"),
            ReleaseEvidence::Line(b) => write!(f, "release line `{b}` ships it"),
            ReleaseEvidence::Registry(r) => write!(f, "published on {r}"),
        }
    }
}

pub use crate::workspace::PublishTarget;

/// Whether a crate version is on its registry, as far as it can be asked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Publication {
    /// On this registry (yanked or not: a yanked version was released).
    Published(String),
    /// Not on this registry (the one asked, named).
    Unpublished(String),
    /// Not asked, and why (`--offline`, `publish = false`).
    NotAsked(String),
}

/// The registries "was this released?" asks, created on first use.
pub struct Registries {
    default: IndexLocation,
    workspace_root: std::path::PathBuf,
    policy: RetryPolicy,
    scratch: std::path::PathBuf,
    open: RefCell<BTreeMap<String, Rc<SparseRegistry>>>,
}

impl Registries {
    pub fn new(
        default: IndexLocation,
        workspace_root: &std::path::Path,
        scratch: &std::path::Path,
        policy: RetryPolicy,
    ) -> Registries {
        Registries {
            default,
            workspace_root: workspace_root.to_path_buf(),
            policy,
            scratch: scratch.to_path_buf(),
            open: RefCell::new(BTreeMap::new()),
        }
    }

    /// The registry client for `name` (`None`: the default index).
    pub fn get(&self, name: Option<&str>) -> Result<Rc<SparseRegistry>> {
        let key = name.unwrap_or("").to_string();
        if let Some(r) = self.open.borrow().get(&key) {
            return Ok(r.clone());
        }
        let location = match name {
            None => self.default.clone(),
            Some(n) => IndexLocation::from_registry_name(n, &self.workspace_root)?,
        };
        let registry = Rc::new(SparseRegistry::new(location, &self.scratch, self.policy)?);
        self.open.borrow_mut().insert(key, registry.clone());
        Ok(registry)
    }

    pub fn default_label(&self) -> &str {
        &self.default.label
    }
}

/// The repository's releases.
pub struct Releases {
    /// The main branch (`master`/`main` or configured), when it exists.
    pub main: Option<RefTip>,
    pub choice: LineChoice,
    /// Every branch whose name reads as a release line (chosen or not),
    /// oldest first: where to look for affected lines nobody targets.
    pub candidates: Vec<ReleaseLine>,
    /// Tags that may be releases, newest version first.
    pub tags: Vec<ReleaseTag>,
    /// `None` with `--offline`: tags and lines are then the only evidence.
    pub registries: Option<Registries>,
    ws_dir: String,
    /// Each known crate's manifest path (at HEAD, else BASE) and where it
    /// is published.
    crates: BTreeMap<String, (String, PublishTarget)>,
    versions: RefCell<HashMap<(Oid, String), Option<Version>>>,
    workspaces: RefCell<HashMap<Oid, Option<Rc<Workspace>>>>,
    carried: RefCell<HashMap<String, Rc<BTreeMap<Version, String>>>>,
}

impl Releases {
    /// Discovers lines and tags. `workspaces` are the workspace at HEAD and
    /// at BASE (for the crates the repository has).
    pub fn discover(
        repo: &Repo,
        config: &Config,
        ws_dir: &str,
        workspaces: &[&Workspace],
    ) -> Result<Releases> {
        let main = match &config.main_branch {
            Some(name) => repo.branch_tip(name),
            None => crate::context::detect_main_branch(repo),
        };
        let formats: Option<Vec<TagFormat>> = config.tag_formats_configured.then(|| {
            config
                .tag_formats
                .iter()
                .map(|f| TagFormat::new(f))
                .collect()
        });
        let tags = tags::candidates(repo.dated_tags()?, formats.as_deref());
        let mut crates = BTreeMap::new();
        for ws in workspaces.iter().rev() {
            for m in &ws.members {
                crates.insert(m.name.clone(), (m.manifest.clone(), m.publish_target()));
            }
        }
        let mut releases = Releases {
            main,
            choice: LineChoice::NoLines,
            candidates: Vec::new(),
            tags,
            registries: None,
            ws_dir: ws_dir.to_string(),
            crates,
            versions: RefCell::new(HashMap::new()),
            workspaces: RefCell::new(HashMap::new()),
            carried: RefCell::new(HashMap::new()),
        };
        releases.candidates = releases.candidate_lines(repo, config)?;
        releases.choice = releases.choose_lines(repo, config)?;
        Ok(releases)
    }

    fn choose_lines(&self, repo: &Repo, config: &Config) -> Result<LineChoice> {
        let branches = repo.branches_with_origin()?;
        let short_names: Vec<String> = branches
            .iter()
            .map(|b| b.name.trim_start_matches("origin/").to_string())
            .collect();
        let tip_of = |name: &str| repo.branch_tip(name);
        let main_name = self
            .main
            .as_ref()
            .map(|m| m.name.trim_start_matches("origin/").to_string());

        if !config.branches.is_empty() {
            let mut lines: Vec<ReleaseLine> = Vec::new();
            let mut empty_globs = Vec::new();
            for spec in &config.branches {
                let names = spec.expand(&short_names);
                if names.is_empty()
                    && let LineSpec::Glob(g) = spec
                {
                    empty_globs.push(g.clone());
                }
                for name in names {
                    if main_name.as_deref() == Some(name.as_str())
                        || lines.iter().any(|l| l.name == name)
                    {
                        continue;
                    }
                    let role = match spec {
                        LineSpec::Role { role, .. } => Some(role.clone()),
                        _ => None,
                    };
                    let tip = tip_of(&name);
                    lines.push(ReleaseLine::new(&name, role, tip));
                }
            }
            if lines.is_empty() {
                bail!(
                    "the release lines named {} match no branch (looked at {} local and `origin/` branches)",
                    config.branches_source,
                    short_names.len()
                );
            }
            self.sort(repo, &mut lines);
            let mut why = format!("named {}", config.branches_source);
            if !empty_globs.is_empty() {
                why.push_str(&format!(
                    "; {} matched no branch",
                    empty_globs
                        .iter()
                        .map(|g| format!("`{g}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            return Ok(LineChoice::Chosen { lines, why });
        }

        let mut candidates = self.candidates.clone();
        if candidates.is_empty() {
            return Ok(LineChoice::NoLines);
        }

        // Cargo's layout: the highest `rust-1.N.0` is beta, the next stable.
        let rust: Vec<&ReleaseLine> = candidates
            .iter()
            .filter(|l| l.scheme() == Scheme::Rust)
            .collect();
        if !rust.is_empty() {
            let mut chosen: Vec<ReleaseLine> =
                rust.iter().rev().take(2).map(|l| (*l).clone()).collect();
            chosen.reverse();
            let roles: &[&str] = if chosen.len() == 2 {
                &["stable", "beta"]
            } else {
                &["beta"]
            };
            for (line, role) in chosen.iter_mut().zip(roles) {
                line.role = Some(role.to_string());
            }
            let why = format!(
                "Cargo's layout: the two highest `rust-1.N.0` branches ({})",
                chosen
                    .iter()
                    .map(|l| format!("{} = {}", l.role.as_deref().unwrap_or(""), l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            return Ok(LineChoice::Chosen { lines: chosen, why });
        }
        // Literal `stable`/`beta`, when nothing else looks like a line.
        if candidates
            .iter()
            .all(|l| matches!(l.scheme(), Scheme::Stable | Scheme::Beta))
        {
            for l in &mut candidates {
                l.role = Some(l.name.clone());
            }
            let why = format!(
                "the `{}` branch{}",
                candidates
                    .iter()
                    .map(|l| l.name.as_str())
                    .collect::<Vec<_>>()
                    .join("` and `"),
                if candidates.len() > 1 { "es" } else { "" }
            );
            return Ok(LineChoice::Chosen {
                lines: candidates,
                why,
            });
        }
        Ok(LineChoice::Undecided { candidates })
    }

    /// Branches whose names read as release lines, oldest first.
    fn candidate_lines(&self, repo: &Repo, config: &Config) -> Result<Vec<ReleaseLine>> {
        let main_name = self
            .main
            .as_ref()
            .map(|m| m.name.trim_start_matches("origin/").to_string());
        let mut candidates: Vec<ReleaseLine> = repo
            .branches_with_origin()?
            .iter()
            .map(|b| b.name.trim_start_matches("origin/"))
            .filter(|n| main_name.as_deref() != Some(*n))
            .filter(|n| !n.starts_with(config.backport_prefix.as_str()))
            .map(|n| ReleaseLine::new(n, None, repo.branch_tip(n)))
            .filter(|l| l.parsed.is_some())
            .collect();
        self.sort(repo, &mut candidates);
        Ok(candidates)
    }

    fn sort(&self, repo: &Repo, lines: &mut [ReleaseLine]) {
        let primary = self.primary_crate();
        lines::sort_oldest_first(lines, |l| {
            let tip = l.tip.as_ref()?;
            let name = primary.as_deref()?;
            self.version_at(repo, tip.commit, name).ok().flatten()
        });
    }

    /// The crate whose version best stands for a line: the root package,
    /// else the first member.
    fn primary_crate(&self) -> Option<String> {
        self.crates
            .iter()
            .find(|(_, (manifest, _))| {
                *manifest == crate::workspace::join(&self.ws_dir, "Cargo.toml")
            })
            .or_else(|| self.crates.iter().next())
            .map(|(n, _)| n.clone())
    }

    /// The lines a command that needs them works on. Undecided lines are
    /// an error (exit 2) that lists the candidates with their newest
    /// release tag, so that the user can name them.
    pub fn lines(&self, repo: &Repo) -> Result<&[ReleaseLine]> {
        match &self.choice {
            LineChoice::Chosen { lines, .. } => Ok(lines),
            LineChoice::NoLines => Ok(&[]),
            LineChoice::Undecided { candidates } => {
                Err(anyhow!(self.undecided_message(repo, candidates)))
            }
        }
    }

    fn undecided_message(&self, repo: &Repo, candidates: &[ReleaseLine]) -> String {
        let mut msg = String::from(
            "which release lines are still maintained is this project's policy, and nothing says it:\n\
             candidate release lines (oldest first):\n",
        );
        for line in candidates {
            let newest = self.newest_tag_of_line(repo, line);
            let tag = match newest {
                Some(t) => format!("newest release tag `{}` ({})", t.name, iso_date(t.date)),
                None => "no release tag".to_string(),
            };
            msg.push_str(&format!(
                "  {:<24} {}: {tag}\n",
                line.name,
                line.scheme().label()
            ));
        }
        let example: Vec<String> = candidates
            .iter()
            .rev()
            .take(2)
            .rev()
            .map(|l| format!("\"{}\"", l.name))
            .collect();
        msg.push_str(&format!(
            "name them: `--onto BRANCH` (repeatable), or `branches = [{}]` (globs like \"rel-*\" work) \
             in [workspace.metadata.security-release]",
            example.join(", ")
        ));
        msg
    }

    /// Lines whose versions count as "released elsewhere": the chosen
    /// lines, or every candidate while the choice is undecided (erring
    /// towards "released" asks for a bump rather than skipping one).
    pub fn evidence_lines(&self) -> &[ReleaseLine] {
        match &self.choice {
            LineChoice::Chosen { lines, .. } => lines,
            LineChoice::Undecided { candidates } => candidates,
            LineChoice::NoLines => &[],
        }
    }

    /// A note saying which lines were chosen and why (or that none exist).
    pub fn note(&self) -> String {
        match &self.choice {
            LineChoice::Chosen { lines, why } => format!(
                "release lines (oldest first): {} — {why}",
                lines
                    .iter()
                    .map(|l| format!("`{}`", l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            LineChoice::Undecided { candidates } => format!(
                "release lines not chosen (set `branches` or pass --onto): candidates {}; \
                 all of them count as evidence that a version was released",
                candidates
                    .iter()
                    .map(|l| format!("`{}`", l.name))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            LineChoice::NoLines => {
                "no release line found (no branch named like `rust-1.N.0`, `X.Y.x`, `vX.Y`, `rel-X.Y`, \
                 `release-X.Y`, `stable` or `beta`): the main branch is the only line"
                    .to_string()
            }
        }
    }

    /// The line a branch name is, among the known lines.
    pub fn line_named(&self, name: &str) -> Option<&ReleaseLine> {
        self.evidence_lines().iter().find(|l| l.is(name))
    }

    /// The highest-version candidate tag reachable from `tip`.
    pub fn newest_tag_on(&self, repo: &Repo, tip: Oid) -> Option<&ReleaseTag> {
        self.tags
            .iter()
            .find(|t| repo.contains(tip, t.commit).unwrap_or(false))
    }

    /// The newest release tag of a line: among the tags of the series its
    /// name states when it states one (a repository with a thousand tags
    /// and fifty lines would otherwise walk history for every pair), else
    /// any tag reachable from its tip.
    pub fn newest_tag_of_line(&self, repo: &Repo, line: &ReleaseLine) -> Option<&ReleaseTag> {
        let tip = line.tip.as_ref()?.commit;
        if let Some(series) = line.series() {
            let found = self
                .tags
                .iter()
                .filter(|t| series.contains(&t.version))
                .find(|t| repo.contains(tip, t.commit).unwrap_or(false));
            if found.is_some() {
                return found;
            }
        }
        self.newest_tag_on(repo, tip)
    }

    /// Where `name` is published.
    pub fn publish_target(&self, name: &str) -> PublishTarget {
        self.crates
            .get(name)
            .map(|(_, p)| p.clone())
            .unwrap_or(PublishTarget::Default)
    }

    /// Was `name@version` released? Asks the crate's own registry (unless
    /// offline or `publish = false`), the release tags, and the release
    /// lines other than `except` (the line being checked or built).
    pub fn released(
        &self,
        repo: &Repo,
        name: &str,
        version: &Version,
        except: &[&str],
    ) -> Result<Option<ReleaseEvidence>> {
        if let Some(registries) = &self.registries {
            let names: Vec<Option<String>> = match self.publish_target(name) {
                PublishTarget::Never => Vec::new(),
                PublishTarget::Default => vec![None],
                PublishTarget::Registries(list) => list.into_iter().map(Some).collect(),
            };
            for registry_name in names {
                let registry = registries.get(registry_name.as_deref()).map_err(|e| {
                    anyhow!(
                        "cannot ask the registry of `{name}` whether {version} is published: {e:#}"
                    )
                })?;
                if registry.is_published(name, version)? {
                    return Ok(Some(ReleaseEvidence::Registry(registry.describe())));
                }
            }
        }
        if let Some(tag) = self.release_tag(repo, name, version)? {
            return Ok(Some(ReleaseEvidence::Tag(tag.name.clone())));
        }
        if let Some(tag) = self.carried(repo, name)?.get(version) {
            return Ok(Some(ReleaseEvidence::CarriedBy(tag.clone())));
        }
        for line in self.evidence_lines() {
            if except.iter().any(|e| line.is(e)) {
                continue;
            }
            let Some(tip) = &line.tip else { continue };
            if self.version_at(repo, tip.commit, name)?.as_ref() == Some(version) {
                return Ok(Some(ReleaseEvidence::Line(line.name.clone())));
            }
        }
        Ok(None)
    }

    /// Asks the registries about these crates all at once (a pool of
    /// requests), so that the questions that follow are answered from
    /// memory; errors are kept for those questions to report.
    pub fn prefetch(&self, names: &[String]) {
        let Some(registries) = &self.registries else {
            return;
        };
        let mut by_registry: BTreeMap<Option<String>, Vec<String>> = BTreeMap::new();
        for name in names {
            let targets = match self.publish_target(name) {
                PublishTarget::Never => continue,
                PublishTarget::Default => vec![None],
                PublishTarget::Registries(list) => list.into_iter().map(Some).collect(),
            };
            for t in targets {
                by_registry.entry(t).or_default().push(name.clone());
            }
        }
        for (registry, names) in by_registry {
            if let Ok(r) = registries.get(registry.as_deref()) {
                let _ = r.entries(&names);
            }
        }
    }

    /// Is `name@version` on the crate's registry? Asks every registry its
    /// `publish` names; an index error is an error, never "unpublished".
    pub fn publication(&self, name: &str, version: &Version) -> Result<Publication> {
        let Some(registries) = &self.registries else {
            return Ok(Publication::NotAsked(
                "--offline: the registry was not asked".to_string(),
            ));
        };
        let names: Vec<Option<String>> = match self.publish_target(name) {
            PublishTarget::Never => {
                return Ok(Publication::NotAsked(format!(
                    "`{name}` has `publish = false`"
                )));
            }
            PublishTarget::Default => vec![None],
            PublishTarget::Registries(list) => list.into_iter().map(Some).collect(),
        };
        let mut asked = Vec::new();
        for registry_name in names {
            let registry = registries.get(registry_name.as_deref()).map_err(|e| {
                anyhow!("cannot ask the registry of `{name}` whether {version} is published: {e:#}")
            })?;
            if registry.is_published(name, version)? {
                return Ok(Publication::Published(registry.describe()));
            }
            asked.push(registry.describe());
        }
        Ok(Publication::Unpublished(asked.join(", ")))
    }

    /// Every version of `name` its registry lists (yanked ones too);
    /// `None` when offline, `publish = false`, or published to several
    /// registries (no single answer).
    pub fn published_versions(&self, name: &str) -> Result<Option<Vec<Version>>> {
        let Some(registries) = &self.registries else {
            return Ok(None);
        };
        let registry = match self.publish_target(name) {
            PublishTarget::Never => return Ok(None),
            PublishTarget::Default => registries.get(None)?,
            PublishTarget::Registries(list) if list.len() == 1 => registries.get(Some(&list[0]))?,
            PublishTarget::Registries(_) => return Ok(None),
        };
        let entry = registry.entry(name)?;
        Ok(Some(
            entry
                .versions
                .unwrap_or_default()
                .iter()
                .filter_map(|v| Version::parse(&v.version).ok())
                .collect(),
        ))
    }

    /// The versions of `name` that release tags' commits carry, with the
    /// newest such tag for each (scanned once per crate).
    fn carried(&self, repo: &Repo, name: &str) -> Result<Rc<BTreeMap<Version, String>>> {
        if let Some(m) = self.carried.borrow().get(name) {
            return Ok(m.clone());
        }
        let mut map: BTreeMap<Version, String> = BTreeMap::new();
        for tag in &self.tags {
            if let Some(v) = self.version_at(repo, tag.commit, name)? {
                map.entry(v).or_insert_with(|| tag.name.clone());
            }
        }
        let map = Rc::new(map);
        self.carried
            .borrow_mut()
            .insert(name.to_string(), map.clone());
        Ok(map)
    }

    /// The release tag of `name@version`: a tag whose name ends in the
    /// version (and starts with the crate's name, or with no crate's name)
    /// whose commit's manifest carries `name` at `version`.
    pub fn release_tag(
        &self,
        repo: &Repo,
        name: &str,
        version: &Version,
    ) -> Result<Option<&ReleaseTag>> {
        for tag in self.tags.iter().filter(|t| t.version == *version) {
            let names_other_crate = tag
                .prefix_crate
                .as_deref()
                .is_some_and(|p| p != name && self.crates.contains_key(p));
            if names_other_crate {
                continue;
            }
            if self.version_at(repo, tag.commit, name)?.as_ref() == Some(version) {
                return Ok(Some(tag));
            }
        }
        Ok(None)
    }

    /// Every verified release tag of `name`, newest first.
    pub fn release_tags_of(&self, repo: &Repo, name: &str) -> Result<Vec<&ReleaseTag>> {
        let mut out = Vec::new();
        let mut seen: BTreeSet<&Version> = BTreeSet::new();
        for tag in &self.tags {
            if seen.contains(&tag.version) {
                continue;
            }
            if tag
                .prefix_crate
                .as_deref()
                .is_some_and(|p| p != name && self.crates.contains_key(p))
            {
                continue;
            }
            if self.version_at(repo, tag.commit, name)?.as_ref() == Some(&tag.version) {
                seen.insert(&tag.version);
                out.push(tag);
            }
        }
        Ok(out)
    }

    /// The version of crate `name` at `commit` (`None` when that commit
    /// has no such crate), following `version.workspace = true`.
    pub fn version_at(&self, repo: &Repo, commit: Oid, name: &str) -> Result<Option<Version>> {
        let key = (commit, name.to_string());
        if let Some(v) = self.versions.borrow().get(&key) {
            return Ok(v.clone());
        }
        // The crate's manifest where it is now is read first (one or two
        // blobs); only a crate that moved needs the whole workspace.
        let version = match self.crates.get(name) {
            Some((manifest, _)) => {
                match package_version(repo, commit, manifest, &self.ws_dir, name)? {
                    Some(v) => Some(v),
                    None => self
                        .workspace_at(repo, commit)?
                        .and_then(|ws| ws.member(name).map(|m| m.version.clone())),
                }
            }
            None => self
                .workspace_at(repo, commit)?
                .and_then(|ws| ws.member(name).map(|m| m.version.clone())),
        };
        self.versions.borrow_mut().insert(key, version.clone());
        Ok(version)
    }

    /// The workspace at `commit`, read from git objects; `None` when it has
    /// no root manifest or the manifests do not parse (an old revision may
    /// predate the workspace or use syntax this reader rejects).
    pub fn workspace_at(&self, repo: &Repo, commit: Oid) -> Result<Option<Rc<Workspace>>> {
        if let Some(ws) = self.workspaces.borrow().get(&commit) {
            return Ok(ws.clone());
        }
        let at = AtCommit {
            tree: repo.tree_at(commit)?,
            label: format!("commit {}", crate::git::short(commit)),
        };
        let root = crate::workspace::join(&self.ws_dir, "Cargo.toml");
        let ws = if at.tree.exists(&root) {
            Workspace::load(&at, &self.ws_dir).ok().map(Rc::new)
        } else {
            None
        };
        self.workspaces.borrow_mut().insert(commit, ws.clone());
        Ok(ws)
    }

    /// The repository is Cargo itself: its root package ships with every
    /// point release of a line, and the manual items name Rust's release
    /// process.
    pub fn is_cargo(&self) -> bool {
        self.primary_crate().as_deref() == Some("cargo")
            && self
                .crates
                .get("cargo")
                .is_some_and(|(m, _)| *m == crate::workspace::join(&self.ws_dir, "Cargo.toml"))
    }
}

/// `package.version` of `name` in `manifest` at `commit`, following
/// `version.workspace = true`; `None` when that file is not `name`'s.
fn package_version(
    repo: &Repo,
    commit: Oid,
    manifest: &str,
    ws_dir: &str,
    name: &str,
) -> Result<Option<Version>> {
    use toml_edit::{DocumentMut, Item};
    let tree = repo.tree_at(commit)?;
    let parse = |path: &str| -> Result<Option<DocumentMut>> {
        Ok(tree
            .read(path)?
            .and_then(|b| String::from_utf8(b).ok())
            .and_then(|t| t.parse().ok()))
    };
    let Some(doc) = parse(manifest)? else {
        return Ok(None);
    };
    let Some(package) = doc.get("package") else {
        return Ok(None);
    };
    if package.get("name").and_then(Item::as_str) != Some(name) {
        return Ok(None);
    }
    let text = match package.get("version") {
        Some(v) if v.as_str().is_some() => v.as_str().map(str::to_string),
        Some(_) => parse(&crate::workspace::join(ws_dir, "Cargo.toml"))?.and_then(|root| {
            root.get("workspace")?
                .get("package")?
                .get("version")?
                .as_str()
                .map(str::to_string)
        }),
        None => Some("0.0.0".to_string()),
    };
    Ok(text.and_then(|t| Version::parse(&t).ok()))
}

/// The next version to release after `v`: a pre-release moves to its next
/// pre-release (`1.0.0-rc.1` → `1.0.0-rc.2`), never past the release;
/// otherwise the next patch.
pub fn next_version(v: &Version) -> Version {
    if v.pre.is_empty() {
        return Version::new(v.major, v.minor, v.patch + 1);
    }
    let parts: Vec<&str> = v.pre.as_str().split('.').collect();
    let mut next: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
    match parts
        .iter()
        .rposition(|p| p.chars().all(|c| c.is_ascii_digit()))
    {
        Some(i) => {
            let n: u64 = parts[i].parse().unwrap_or(0);
            next[i] = (n + 1).to_string();
        }
        None => next.push("1".to_string()),
    }
    let mut out = Version::new(v.major, v.minor, v.patch);
    out.pre = semver::Prerelease::new(&next.join(".")).unwrap_or(semver::Prerelease::EMPTY);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_versions() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert_eq!(next_version(&v("0.2.3")), v("0.2.4"));
        assert_eq!(next_version(&v("1.0.0-rc.1")), v("1.0.0-rc.2"));
        assert_eq!(next_version(&v("1.0.0-alpha")), v("1.0.0-alpha.1"));
        assert_eq!(next_version(&v("2.0.0-beta.9")), v("2.0.0-beta.10"));
        assert_eq!(next_version(&v("49.0.0-dev")), v("49.0.0-dev.1"));
    }
}
