//! The workspace at a revision: its members, their versions, publishability
//! and dependencies (with `[workspace.dependencies]` and `workspace = true`
//! inheritance resolved). The same reader works on git objects (BASE, a tag, a
//! release branch) and on the work tree (HEAD), so both sides compare alike.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow};
use semver::Version;
use toml_edit::{DocumentMut, Item, TableLike};

use crate::git::{CommitTree, short};

/// Where manifests are read from: a commit's tree or the work tree. Paths are
/// repo-relative with `/` separators.
pub trait FileSource {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>>;
    fn subdirs(&self, dir: &str) -> Result<Vec<String>>;
    fn exists(&self, path: &str) -> bool;
    /// "the work tree", "BASE (1a2b3c4)": used in error messages.
    fn describe(&self) -> String;
}

/// A commit's tree, labelled for messages (e.g. "BASE", "tag 0.73.0").
pub struct AtCommit<'r> {
    pub tree: CommitTree<'r>,
    pub label: String,
}

impl FileSource for AtCommit<'_> {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        self.tree.read(path)
    }
    fn subdirs(&self, dir: &str) -> Result<Vec<String>> {
        self.tree.subdirs(dir)
    }
    fn exists(&self, path: &str) -> bool {
        self.tree.exists(path)
    }
    fn describe(&self) -> String {
        format!("{} ({})", self.label, short(self.tree.commit()))
    }
}

/// The files on disk under a repository's work tree.
pub struct WorkTree {
    pub root: PathBuf,
}

impl FileSource for WorkTree {
    fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let full = self.root.join(path);
        match std::fs::read(&full) {
            Ok(bytes) => Ok(Some(bytes)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) if full.is_dir() => {
                let _ = e;
                Ok(None)
            }
            Err(e) => Err(e).with_context(|| format!("failed to read `{}`", full.display())),
        }
    }
    fn subdirs(&self, dir: &str) -> Result<Vec<String>> {
        let full = self.root.join(dir);
        let Ok(entries) = std::fs::read_dir(&full) else {
            return Ok(Vec::new());
        };
        let mut out = Vec::new();
        for entry in entries.flatten() {
            if entry.file_type().is_ok_and(|t| t.is_dir())
                && let Some(name) = entry.file_name().to_str()
            {
                out.push(name.to_string());
            }
        }
        out.sort();
        Ok(out)
    }
    fn exists(&self, path: &str) -> bool {
        self.root.join(path).exists()
    }
    fn describe(&self) -> String {
        "the work tree".to_string()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DepKind {
    Normal,
    Dev,
    Build,
}

/// A dependency as declared in a manifest.
#[derive(Clone, Debug)]
pub struct Dependency {
    /// The package depended on (after `package = "…"` renames).
    pub name: String,
    /// The key it is declared under.
    pub key: String,
    /// Manifest that declares it (repo-relative).
    pub file: String,
    /// Table it sits in, as a user would write it: `dependencies`,
    /// `target.'cfg(unix)'.dev-dependencies`, `workspace.dependencies`.
    pub table: String,
    pub kind: DepKind,
    pub req: Option<String>,
    /// Normalised repo-relative path of a `path` dependency.
    pub path: Option<String>,
    /// The `path` as written.
    pub raw_path: Option<String>,
    pub git: Option<String>,
    pub registry: Option<String>,
    /// Declared `workspace = true`: the fields above come from
    /// `[workspace.dependencies]` in the root manifest.
    pub inherited: bool,
}

/// A workspace member.
#[derive(Clone, Debug)]
pub struct Member {
    pub name: String,
    pub version: Version,
    /// Directory of the package, repo-relative ("" for the repo root).
    pub dir: String,
    pub manifest: String,
    pub publish: bool,
    /// Which registries `publish` names.
    pub publish_to: PublishTarget,
    pub has_lib: bool,
    /// `version.workspace = true`: the version lives in the root manifest.
    pub version_inherited: bool,
    pub deps: Vec<Dependency>,
    /// `package.exclude` patterns, used to tell which changed paths ship.
    pub exclude: Vec<String>,
}

/// Where a crate is published, from its `publish` field.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PublishTarget {
    /// The workspace's default: crates.io, or `index`/`registry` when configured.
    Default,
    /// `publish = ["corp", …]`: those registries from cargo's configuration.
    Registries(Vec<String>),
    /// `publish = false` (or no version): never published.
    Never,
}

impl Member {
    pub fn publish_target(&self) -> PublishTarget {
        self.publish_to.clone()
    }
}

/// The workspace at one revision.
#[derive(Clone, Debug)]
pub struct Workspace {
    /// Directory of the root manifest, repo-relative ("" = repo root).
    pub root_dir: String,
    pub root_manifest: String,
    pub members: Vec<Member>,
    /// `[workspace.dependencies]` of the root manifest.
    pub workspace_deps: Vec<Dependency>,
    /// Every manifest read (root first), with its parsed document, for checks
    /// that look at tables this model does not interpret (`[patch]`, …).
    pub manifests: Vec<(String, DocumentMut)>,
}

impl Workspace {
    pub fn member(&self, name: &str) -> Option<&Member> {
        self.members.iter().find(|m| m.name == name)
    }

    /// The member whose directory holds `path` (deepest match wins).
    pub fn owner_of(&self, path: &str) -> Option<&Member> {
        self.members
            .iter()
            .filter(|m| is_under(path, &m.dir))
            .max_by_key(|m| m.dir.len())
    }

    /// Every declared dependency with the member declaring it: members' own,
    /// then `[workspace.dependencies]` (no member).
    pub fn all_deps(&self) -> impl Iterator<Item = (Option<&Member>, &Dependency)> {
        self.members
            .iter()
            .flat_map(|m| m.deps.iter().map(move |d| (Some(m), d)))
            .chain(self.workspace_deps.iter().map(|d| (None, d)))
    }

    /// Reads the workspace whose root manifest is `<root_dir>/Cargo.toml`.
    pub fn load(src: &dyn FileSource, root_dir: &str) -> Result<Workspace> {
        let root_manifest = join(root_dir, "Cargo.toml");
        let root_doc = read_manifest(src, &root_manifest)?.ok_or_else(|| {
            anyhow!(
                "no `{root_manifest}` in {}: the workspace root manifest is missing",
                src.describe()
            )
        })?;
        let ws_table = root_doc.get("workspace").and_then(Item::as_table_like);
        let ws_package = ws_table
            .and_then(|w| w.get("package"))
            .and_then(Item::as_table_like);
        let workspace_deps = match ws_table
            .and_then(|w| w.get("dependencies"))
            .and_then(Item::as_table_like)
        {
            Some(t) => read_dep_table(
                t,
                &root_manifest,
                root_dir,
                "workspace.dependencies",
                DepKind::Normal,
                None,
            ),
            None => Vec::new(),
        };
        let inherit = Inherited {
            version: ws_package
                .and_then(|p| p.get("version"))
                .and_then(Item::as_str)
                .map(str::to_string),
            publish: ws_package.and_then(|p| p.get("publish")).cloned(),
            deps: &workspace_deps,
        };

        let mut member_dirs: Vec<String> = Vec::new();
        let mut excluded: Vec<String> = Vec::new();
        if let Some(ws) = ws_table {
            for pattern in string_array(ws.get("members")) {
                for dir in expand_glob(src, root_dir, &pattern)? {
                    if src.exists(&join(&dir, "Cargo.toml")) && !member_dirs.contains(&dir) {
                        member_dirs.push(dir);
                    }
                }
            }
            excluded = string_array(ws.get("exclude"))
                .iter()
                .map(|e| normalize(&join(root_dir, e)))
                .collect();
        }
        let root_is_package = root_doc.get("package").is_some();
        if root_is_package && !member_dirs.contains(&root_dir.to_string()) {
            member_dirs.insert(0, root_dir.to_string());
        }

        let mut manifests = vec![(root_manifest.clone(), root_doc.clone())];
        let mut members: Vec<Member> = Vec::new();
        let mut queue: Vec<String> = member_dirs;
        let mut seen: BTreeSet<String> = BTreeSet::new();
        while let Some(dir) = queue.first().cloned() {
            queue.remove(0);
            if !seen.insert(dir.clone()) {
                continue;
            }
            let manifest = join(&dir, "Cargo.toml");
            let doc = if manifest == root_manifest {
                root_doc.clone()
            } else {
                let Some(doc) = read_manifest(src, &manifest)? else {
                    continue;
                };
                manifests.push((manifest.clone(), doc.clone()));
                doc
            };
            let Some(member) = read_member(src, &doc, &dir, &manifest, &inherit)? else {
                continue;
            };
            // Path dependencies inside the workspace root are members too.
            for dep in &member.deps {
                if let Some(p) = &dep.path
                    && is_under(p, root_dir)
                    && !excluded.iter().any(|e| is_under(p, e))
                    && !seen.contains(p)
                    && src.exists(&join(p, "Cargo.toml"))
                    && ws_table.is_some()
                {
                    queue.push(p.clone());
                }
            }
            members.push(member);
        }

        Ok(Workspace {
            root_dir: root_dir.to_string(),
            root_manifest,
            members,
            workspace_deps,
            manifests,
        })
    }
}

struct Inherited<'a> {
    version: Option<String>,
    publish: Option<Item>,
    deps: &'a [Dependency],
}

fn read_manifest(src: &dyn FileSource, path: &str) -> Result<Option<DocumentMut>> {
    let Some(bytes) = src.read(path)? else {
        return Ok(None);
    };
    let text = String::from_utf8(bytes)
        .map_err(|_| anyhow!("`{path}` in {} is not valid UTF-8", src.describe()))?;
    let doc = text
        .parse::<DocumentMut>()
        .map_err(|e| anyhow!("failed to parse `{path}` in {}\n{e}", src.describe()))?;
    Ok(Some(doc))
}

fn read_member(
    src: &dyn FileSource,
    doc: &DocumentMut,
    dir: &str,
    manifest: &str,
    inherit: &Inherited<'_>,
) -> Result<Option<Member>> {
    let Some(package) = doc.get("package").and_then(Item::as_table_like) else {
        return Ok(None);
    };
    let name = package
        .get("name")
        .and_then(Item::as_str)
        .ok_or_else(|| {
            anyhow!(
                "`{manifest}` in {}: `package.name` is missing",
                src.describe()
            )
        })?
        .to_string();
    let (version_text, version_inherited) = match package.get("version") {
        Some(item) if is_workspace_inherited(item) => (
            inherit.version.clone().ok_or_else(|| {
                anyhow!(
                    "`{manifest}` in {}: `version.workspace = true` but the root has no `workspace.package.version`",
                    src.describe()
                )
            })?,
            true,
        ),
        Some(item) => (
            item.as_str()
                .ok_or_else(|| {
                    anyhow!("`{manifest}` in {}: `package.version` is not a string", src.describe())
                })?
                .to_string(),
            false,
        ),
        // Since Rust 1.75 a missing version means 0.0.0 and `publish = false`.
        None => ("0.0.0".to_string(), false),
    };
    let version = Version::parse(&version_text).map_err(|e| {
        anyhow!(
            "`{manifest}` in {}: version `{version_text}` of `{name}` is not semver: {e}",
            src.describe()
        )
    })?;
    let publish_item = match package.get("publish") {
        Some(item) if is_workspace_inherited(item) => inherit.publish.clone(),
        other => other.cloned(),
    };
    let publish = package.get("version").is_some()
        && match &publish_item {
            None => true,
            Some(item) => match item.as_value() {
                Some(toml_edit::Value::Boolean(b)) => *b.value(),
                Some(toml_edit::Value::Array(a)) => !a.is_empty(),
                _ => true,
            },
        };
    let publish_to = if !publish {
        PublishTarget::Never
    } else {
        match publish_item.as_ref().and_then(Item::as_array) {
            Some(a) => {
                let names: Vec<String> = a
                    .iter()
                    .filter_map(|v| v.as_str().map(str::to_string))
                    .collect();
                if names.iter().all(|n| n == "crates-io") {
                    PublishTarget::Default
                } else {
                    PublishTarget::Registries(names)
                }
            }
            None => PublishTarget::Default,
        }
    };
    let has_lib = doc.get("lib").is_some() || src.exists(&join(dir, "src/lib.rs"));
    let exclude = string_array(package.get("exclude"));

    let mut deps = Vec::new();
    for (table_name, kind) in DEP_TABLES {
        if let Some(t) = doc.get(table_name).and_then(Item::as_table_like) {
            deps.extend(read_dep_table(
                t,
                manifest,
                dir,
                table_name,
                kind,
                Some(inherit.deps),
            ));
        }
    }
    if let Some(targets) = doc.get("target").and_then(Item::as_table_like) {
        for (cfg, target) in targets.iter() {
            let Some(target) = target.as_table_like() else {
                continue;
            };
            for (table_name, kind) in DEP_TABLES {
                if let Some(t) = target.get(table_name).and_then(Item::as_table_like) {
                    let label = format!("target.'{cfg}'.{table_name}");
                    deps.extend(read_dep_table(
                        t,
                        manifest,
                        dir,
                        &label,
                        kind,
                        Some(inherit.deps),
                    ));
                }
            }
        }
    }
    Ok(Some(Member {
        name,
        version,
        dir: dir.to_string(),
        manifest: manifest.to_string(),
        publish,
        publish_to,
        has_lib,
        version_inherited,
        deps,
        exclude,
    }))
}

const DEP_TABLES: [(&str, DepKind); 5] = [
    ("dependencies", DepKind::Normal),
    ("dev-dependencies", DepKind::Dev),
    ("dev_dependencies", DepKind::Dev),
    ("build-dependencies", DepKind::Build),
    ("build_dependencies", DepKind::Build),
];

fn is_workspace_inherited(item: &Item) -> bool {
    item.as_table_like()
        .and_then(|t| t.get("workspace"))
        .and_then(Item::as_bool)
        .unwrap_or(false)
}

fn read_dep_table(
    table: &dyn TableLike,
    file: &str,
    dir: &str,
    table_name: &str,
    kind: DepKind,
    workspace_deps: Option<&[Dependency]>,
) -> Vec<Dependency> {
    let mut out = Vec::new();
    for (key, item) in table.iter() {
        let mut dep = Dependency {
            name: key.to_string(),
            key: key.to_string(),
            file: file.to_string(),
            table: table_name.to_string(),
            kind,
            req: None,
            path: None,
            raw_path: None,
            git: None,
            registry: None,
            inherited: false,
        };
        if let Some(s) = item.as_str() {
            dep.req = Some(s.to_string());
        } else if let Some(t) = item.as_table_like() {
            let get = |k: &str| t.get(k).and_then(Item::as_str).map(str::to_string);
            if let Some(package) = get("package") {
                dep.name = package;
            }
            if is_workspace_inherited(item) {
                dep.inherited = true;
                if let Some(ws) = workspace_deps.and_then(|w| w.iter().find(|d| d.key == key)) {
                    dep.name = ws.name.clone();
                    dep.req = ws.req.clone();
                    dep.path = ws.path.clone();
                    dep.raw_path = ws.raw_path.clone();
                    dep.git = ws.git.clone();
                    dep.registry = ws.registry.clone();
                }
            } else {
                dep.req = get("version");
                dep.raw_path = get("path");
                dep.path = dep.raw_path.as_deref().map(|p| normalize(&join(dir, p)));
                dep.git = get("git");
                dep.registry = get("registry");
            }
        }
        out.push(dep);
    }
    out
}

fn string_array(item: Option<&Item>) -> Vec<String> {
    item.and_then(Item::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Expands a `members` pattern (`crates/*`, `tools/cargo-?`) against `src`.
fn expand_glob(src: &dyn FileSource, root_dir: &str, pattern: &str) -> Result<Vec<String>> {
    let mut current = vec![root_dir.to_string()];
    for segment in pattern.split('/').filter(|s| !s.is_empty() && *s != ".") {
        let mut next = Vec::new();
        for base in &current {
            if segment == ".." {
                next.push(normalize(&join(base, "..")));
            } else if segment.contains(['*', '?', '[']) {
                for name in src.subdirs(base)? {
                    if glob_match(segment, &name) {
                        next.push(join(base, &name));
                    }
                }
            } else {
                next.push(join(base, segment));
            }
        }
        current = next;
    }
    current.sort();
    Ok(current)
}

/// Matches one path segment against a glob with `*`, `?` and `[…]` classes.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    fn go(p: &[char], t: &[char]) -> bool {
        match p.first() {
            None => t.is_empty(),
            Some('*') => (0..=t.len()).any(|i| go(&p[1..], &t[i..])),
            Some('?') => !t.is_empty() && go(&p[1..], &t[1..]),
            Some('[') => {
                let Some(end) = p.iter().position(|c| *c == ']') else {
                    return !t.is_empty() && t[0] == '[' && go(&p[1..], &t[1..]);
                };
                let Some(c) = t.first() else { return false };
                let class = &p[1..end];
                let (negate, class) = match class.first() {
                    Some('!') | Some('^') => (true, &class[1..]),
                    _ => (false, class),
                };
                let mut hit = false;
                let mut i = 0;
                while i < class.len() {
                    if i + 2 < class.len() && class[i + 1] == '-' {
                        hit |= class[i] <= *c && *c <= class[i + 2];
                        i += 3;
                    } else {
                        hit |= class[i] == *c;
                        i += 1;
                    }
                }
                hit != negate && go(&p[end + 1..], &t[1..])
            }
            Some(x) => t.first() == Some(x) && go(&p[1..], &t[1..]),
        }
    }
    go(&p, &t)
}

/// Matches a repo-relative path against a gitignore-style pattern list entry
/// as used in `package.exclude` (`/tests/data`, `*.png`, `benches/**`).
pub fn exclude_match(pattern: &str, rel_path: &str) -> bool {
    let anchored = pattern.starts_with('/');
    let pat = pattern.trim_start_matches('/').trim_end_matches('/');
    let pat = pat.strip_suffix("/**").unwrap_or(pat);
    let pat_segs: Vec<&str> = pat.split('/').collect();
    let path_segs: Vec<&str> = rel_path.split('/').collect();
    let starts: Vec<usize> = if anchored || pat_segs.len() > 1 {
        vec![0]
    } else {
        (0..path_segs.len()).collect()
    };
    starts.into_iter().any(|start| {
        path_segs.len() >= start + pat_segs.len()
            && pat_segs
                .iter()
                .zip(&path_segs[start..])
                .all(|(p, s)| *p == "**" || glob_match(p, s))
    })
}

/// `a` joined with `b` using `/`; either may be empty.
pub fn join(a: &str, b: &str) -> String {
    match (a.is_empty(), b.is_empty()) {
        (true, _) => b.to_string(),
        (_, true) => a.to_string(),
        _ => format!("{}/{}", a.trim_end_matches('/'), b),
    }
}

/// Resolves `.` and `..` segments lexically. A path that climbs above the
/// repository root keeps its leading `..` segments.
pub fn normalize(path: &str) -> String {
    let mut out: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|s| *s != "..") {
                    out.pop();
                } else {
                    out.push("..");
                }
            }
            s => out.push(s),
        }
    }
    out.join("/")
}

/// Is `path` equal to or inside `dir` ("" contains every repo path)?
pub fn is_under(path: &str, dir: &str) -> bool {
    if dir.is_empty() {
        return !path.starts_with("../") && path != "..";
    }
    path == dir || path.strip_prefix(dir).is_some_and(|r| r.starts_with('/'))
}

/// Repo-relative form of an absolute path inside the work tree.
pub fn relative_to(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?;
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| c.as_os_str().to_str())
        .collect();
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("*", "cargo-util"));
        assert!(glob_match("cargo-?til", "cargo-util"));
        assert!(glob_match("x[0-9]", "x7"));
        assert!(!glob_match("x[!0-9]", "x7"));
        assert!(!glob_match("crates", "crate"));
    }

    #[test]
    fn excludes() {
        assert!(exclude_match("tests/fixtures", "tests/fixtures/a.txt"));
        assert!(exclude_match("*.png", "docs/img/a.png"));
        assert!(exclude_match("/benches", "benches/b.rs"));
        assert!(!exclude_match("/benches", "src/benches/b.rs"));
        assert!(exclude_match("benches/**", "benches/x/b.rs"));
    }

    #[test]
    fn paths() {
        assert_eq!(normalize("crates/a/../b"), "crates/b");
        assert_eq!(normalize("crates/a/../../../x"), "../x");
        assert!(is_under("crates/a/src/lib.rs", "crates/a"));
        assert!(!is_under("crates/ab/src/lib.rs", "crates/a"));
        assert!(is_under("src/lib.rs", ""));
        assert!(!is_under("../x", ""));
    }
}
