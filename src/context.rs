//! Everything a command needs, built once: the repository, the workspace at
//! HEAD and at BASE, the fix's commits, the crates it changed, the release
//! branches and tags, and answers to "was this version released?".

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::mpsc;

use anyhow::{Context as _, Result, anyhow, bail};
use semver::Version;
use toml_edit::DocumentMut;

use crate::config::Config;
use crate::git::{CommitInfo, HeadState, Oid, RefTip, Repo, short};
pub use crate::release::ReleaseEvidence;
use crate::release::Releases;
use crate::shell::Shell;
use crate::workspace::{self, AtCommit, FileSource, WorkTree, Workspace, exclude_match};

/// What a user pointed the tool at: a directory and optionally a manifest.
#[derive(Clone, Debug, Default)]
pub struct Location {
    pub cwd: PathBuf,
    pub manifest_path: Option<PathBuf>,
}

/// The repository and the workspace root inside it, before any revision is read.
pub struct Checkout {
    pub repo: Repo,
    /// Workspace root directory, repo-relative ("" = repo root).
    pub ws_dir: String,
    pub workspace_root: PathBuf,
    /// The root manifest as parsed from the work tree.
    pub root_doc: DocumentMut,
    pub root_manifest: String,
}

impl Checkout {
    /// Finds the repository and the workspace root the way cargo does: the
    /// nearest `Cargo.toml` upward from the manifest (or the current
    /// directory), then the nearest ancestor manifest with `[workspace]`,
    /// never leaving the repository.
    pub fn locate(loc: &Location) -> Result<Checkout> {
        let start_dir = match &loc.manifest_path {
            Some(m) => {
                let m = absolute(&loc.cwd, m);
                if m.is_dir() {
                    bail!(
                        "--manifest-path `{}` is a directory: name its Cargo.toml (`{}`)",
                        m.display(),
                        m.join("Cargo.toml").display()
                    );
                }
                if m.file_name().is_none_or(|n| n != "Cargo.toml") {
                    bail!(
                        "--manifest-path `{}` must name a `Cargo.toml` file",
                        m.display()
                    );
                }
                if !m.is_file() {
                    bail!("manifest path `{}` does not exist", m.display());
                }
                m.parent().map(Path::to_path_buf).unwrap_or(m)
            }
            None => loc.cwd.clone(),
        };
        let repo = Repo::discover(&start_dir)?;
        let workdir = repo.workdir().to_path_buf();
        let start_dir = start_dir.canonicalize().unwrap_or(start_dir);
        let start_rel = workspace::relative_to(&workdir, &start_dir).ok_or_else(|| {
            anyhow!(
                "`{}` is outside the work tree of `{}`",
                start_dir.display(),
                workdir.display()
            )
        })?;
        let files = WorkTree {
            root: workdir.clone(),
        };
        let ancestors = ancestors(&start_rel);
        let Some(first) = ancestors
            .iter()
            .position(|d| files.exists(&workspace::join(d, "Cargo.toml")))
        else {
            bail!(
                "could not find `Cargo.toml` in `{}` or any parent directory up to the repository root `{}`\n\
                 run inside the workspace or pass --manifest-path <path/to/Cargo.toml>",
                start_dir.display(),
                workdir.display()
            );
        };
        let mut root: Option<(String, DocumentMut)> = None;
        let mut package: Option<(String, DocumentMut)> = None;
        for dir in &ancestors[first..] {
            let path = workspace::join(dir, "Cargo.toml");
            let Some(bytes) = files.read(&path)? else {
                continue;
            };
            let text =
                String::from_utf8(bytes).map_err(|_| anyhow!("`{path}` is not valid UTF-8"))?;
            let doc = text
                .parse::<DocumentMut>()
                .map_err(|e| anyhow!("failed to parse `{path}`\n{e}"))?;
            if doc.get("workspace").is_some() {
                root = Some((dir.clone(), doc));
                break;
            }
            if package.is_none() {
                package = Some((dir.clone(), doc));
            }
        }
        let (ws_dir, root_doc) = root
            .or(package)
            .ok_or_else(|| anyhow!("no usable `Cargo.toml` found"))?;
        let root_manifest = workspace::join(&ws_dir, "Cargo.toml");
        Ok(Checkout {
            workspace_root: workdir.join(&ws_dir),
            repo,
            ws_dir,
            root_doc,
            root_manifest,
        })
    }
}

fn absolute(cwd: &Path, p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        cwd.join(p)
    }
}

/// `a/b/c` → [`a/b/c`, `a/b`, `a`, ``].
fn ancestors(rel: &str) -> Vec<String> {
    let mut out = vec![rel.to_string()];
    let mut cur = rel.to_string();
    while !cur.is_empty() {
        cur = match cur.rfind('/') {
            Some(i) => cur[..i].to_string(),
            None => String::new(),
        };
        out.push(cur.clone());
    }
    out
}

/// BASE of the fix and how it was chosen.
#[derive(Clone, Debug)]
pub struct Base {
    pub commit: Oid,
    /// "--base v1.2.3", "merge-base with master".
    pub how: String,
}

/// A workspace member with changes in the fix.
#[derive(Clone, Debug)]
pub struct ChangedCrate {
    pub name: String,
    pub dir: String,
    pub manifest: String,
    pub publish: bool,
    pub has_lib: bool,
    pub head_version: Version,
    /// `None` when the crate does not exist at BASE.
    pub base_version: Option<Version>,
    /// Changed paths (repo-relative) that belong to this crate.
    pub paths: Vec<String>,
}

impl ChangedCrate {
    /// True when every change is under `tests/`, `benches/` or `examples/`.
    pub fn only_tests(&self) -> bool {
        !self.paths.is_empty()
            && self.paths.iter().all(|p| {
                let rel = p
                    .strip_prefix(&self.dir)
                    .map(|r| r.trim_start_matches('/'))
                    .unwrap_or(p);
                ["tests/", "benches/", "examples/"]
                    .iter()
                    .any(|d| rel.starts_with(d))
            })
    }

    pub fn bumped(&self) -> bool {
        self.base_version
            .as_ref()
            .is_some_and(|b| self.head_version > *b)
    }
}

/// Options a command passes when building the context.
#[derive(Clone, Debug, Default)]
pub struct ContextOptions {
    pub base: Option<String>,
    /// The release line this checkout is a backport of (when checking a
    /// backport branch); that line then does not count as "another release
    /// line" that has a version.
    pub current_line: Option<String>,
    /// Check this named branch although HEAD is detached (a temporary
    /// worktree checked out at the branch's tip); it names the report section.
    pub branch: Option<String>,
    /// How BASE was chosen, shown instead of "--base REV" when the command
    /// computed `base` itself (e.g. "merge-base with stable").
    pub base_how: Option<String>,
    /// Where builds, logs and receipts go (default: `CARGO_TARGET_DIR` or
    /// `<workspace root>/target`). Set for worktrees so that they share the
    /// user's warm target directory.
    pub target_dir: Option<PathBuf>,
    /// The fix's HEAD and branch as recorded earlier (`backport
    /// --continue`): used instead of the checkout's HEAD, and the workspace
    /// at HEAD is read from that commit, not from the work tree.
    pub head: Option<(Oid, String)>,
    pub flags: CheckFlags,
}

/// Flags of `check` that change how a check runs.
#[derive(Clone, Debug, Default)]
pub struct CheckFlags {
    /// Run the CI commands even when a receipt says they passed on this tree.
    pub rerun_ci: bool,
    /// Crates whose breaking changes are accepted without a major bump.
    pub allow_breaking: Vec<String>,
    /// `--release-day`: an external crate version the fix needs that is
    /// not published yet fails (before release day it only warns).
    pub release_day: bool,
}

/// Result of `cargo metadata --locked`, run in the background while the git
/// work proceeds.
#[derive(Clone, Debug)]
pub enum LockedResolve {
    Ok {
        members: Vec<String>,
    },
    /// Cargo wanted to change Cargo.lock.
    Stale {
        message: String,
    },
    /// Cargo failed for another reason (network, broken manifest, …).
    Failed {
        message: String,
    },
}

pub struct Context {
    pub config: Config,
    pub shell: Shell,
    pub repo: Repo,
    pub ws_dir: String,
    pub workspace_root: PathBuf,
    pub root_manifest: String,
    pub head: HeadState,
    pub base: Base,
    /// The fix: BASE..HEAD, oldest first.
    pub fix: Vec<CommitInfo>,
    pub head_ws: Workspace,
    /// `None` when there was no workspace at BASE.
    pub base_ws: Option<Workspace>,
    pub changed: Vec<ChangedCrate>,
    /// Release lines, tags, registries: the release model.
    pub releases: Releases,
    /// The line being checked or built (see `ContextOptions::current_line`).
    pub current_line: Option<String>,
    /// Where cargo builds, and where CI logs and receipts are kept.
    pub target_dir: PathBuf,
    /// True when `target_dir` was chosen by the command (a worktree sharing
    /// the user's target directory): tools run with `CARGO_TARGET_DIR` set.
    pub target_dir_shared: bool,
    pub flags: CheckFlags,
    locked: RefCell<Option<mpsc::Receiver<LockedResolve>>>,
    locked_result: RefCell<Option<LockedResolve>>,
}

impl Context {
    pub fn build(
        checkout: Checkout,
        mut config: Config,
        opts: &ContextOptions,
        shell: Shell,
    ) -> Result<Context> {
        let Checkout {
            repo,
            ws_dir,
            workspace_root,
            root_manifest,
            ..
        } = checkout;
        config.validate()?;
        let mut head = match &opts.head {
            Some((commit, branch)) => HeadState {
                branch: Some(branch.clone()),
                commit: *commit,
            },
            None => repo.head()?,
        };
        if let Some(branch) = &opts.branch {
            head.branch = Some(branch.clone());
        }
        if head.branch.is_none() {
            bail!(
                "HEAD is detached at {}\n\
                 check out the fix branch first (`git switch <branch>`), so that BASE..HEAD is the fix",
                short(head.commit)
            );
        }
        let mut base = resolve_base(&repo, &config, &head, opts.base.as_deref())?;
        if let Some(how) = &opts.base_how {
            base.how = how.clone();
        }
        if base.commit == head.commit {
            bail!(
                "HEAD ({}) is BASE ({}): there are no fix commits to check\n\
                 commit the fix on a branch, or pass --base <rev> to name where it starts",
                short(head.commit),
                base.how
            );
        }
        let fix = repo.commits_between(base.commit, head.commit)?;
        shell.verbose(
            "Reading",
            format!("workspace at HEAD and at BASE {}", short(base.commit)),
        );

        let head_ws = match &opts.head {
            Some((commit, _)) => Workspace::load(
                &AtCommit {
                    tree: repo.tree_at(*commit)?,
                    label: "the fix's HEAD".to_string(),
                },
                &ws_dir,
            )?,
            None => Workspace::load(
                &WorkTree {
                    root: repo.workdir().to_path_buf(),
                },
                &ws_dir,
            )?,
        };
        let base_ws = {
            let at = AtCommit {
                tree: repo.tree_at(base.commit)?,
                label: "BASE".to_string(),
            };
            if at.exists(&root_manifest) {
                Some(Workspace::load(&at, &ws_dir)?)
            } else {
                None
            }
        };
        let changed = changed_crates(&repo, &head_ws, base_ws.as_ref(), base.commit, head.commit)?;

        let mut known: Vec<&Workspace> = vec![&head_ws];
        known.extend(base_ws.as_ref());
        let releases = Releases::discover(&repo, &config, &ws_dir, &known)?;
        if config.main_branch.is_none() {
            config.main_branch = detect_main_branch(&repo).map(|t| t.name);
        }

        let target_dir = opts
            .target_dir
            .clone()
            .unwrap_or_else(|| default_target_dir(&workspace_root));
        Ok(Context {
            config,
            shell,
            repo,
            ws_dir,
            workspace_root,
            root_manifest,
            head,
            base,
            fix,
            head_ws,
            base_ws,
            changed,
            releases,
            current_line: opts.current_line.clone(),
            target_dir_shared: opts.target_dir.is_some(),
            target_dir,
            flags: opts.flags.clone(),
            locked: RefCell::new(None),
            locked_result: RefCell::new(None),
        })
    }

    /// Starts `cargo metadata --locked` in the background (cargo runs in the
    /// workspace root so that `.cargo/config.toml` applies).
    pub fn start_locked_resolve(&self) {
        let (tx, rx) = mpsc::channel();
        let root = self.workspace_root.clone();
        let offline = self.config.offline;
        std::thread::spawn(move || {
            let _ = tx.send(run_locked_metadata(&root, offline));
        });
        *self.locked.borrow_mut() = Some(rx);
    }

    /// The result of `cargo metadata --locked` (started on first use if needed).
    pub fn locked_resolve(&self) -> LockedResolve {
        if let Some(r) = self.locked_result.borrow().clone() {
            return r;
        }
        if self.locked.borrow().is_none() {
            self.start_locked_resolve();
        }
        let rx = self.locked.borrow_mut().take();
        let result = rx
            .and_then(|rx| rx.recv().ok())
            .unwrap_or(LockedResolve::Failed {
                message: "cargo metadata did not report a result".to_string(),
            });
        *self.locked_result.borrow_mut() = Some(result.clone());
        result
    }

    /// Repo-relative path of a file in the workspace root.
    pub fn ws_path(&self, name: &str) -> String {
        workspace::join(&self.ws_dir, name)
    }

    /// Was `name@version` released? Asks the release model: the crate's
    /// registry (when online), its release tags, and the release lines
    /// other than the one this checkout is (and the branch HEAD is on).
    pub fn released(&self, name: &str, version: &Version) -> Result<Option<ReleaseEvidence>> {
        let mut except: Vec<&str> = Vec::new();
        except.extend(self.current_line.as_deref());
        except.extend(self.head.branch.as_deref());
        self.releases.released(&self.repo, name, version, &except)
    }

    /// The names of the workspace members at HEAD and at BASE.
    pub fn member_names(&self) -> std::collections::BTreeSet<String> {
        self.head_ws
            .members
            .iter()
            .chain(self.base_ws.iter().flat_map(|w| &w.members))
            .map(|m| m.name.clone())
            .collect()
    }

    /// The version of crate `name` at `commit`.
    pub fn version_at(&self, commit: Oid, name: &str) -> Result<Option<Version>> {
        self.releases.version_at(&self.repo, commit, name)
    }
}

fn resolve_base(repo: &Repo, config: &Config, head: &HeadState, rev: Option<&str>) -> Result<Base> {
    if let Some(rev) = rev {
        let commit = repo
            .resolve(rev)
            .with_context(|| format!("invalid --base `{rev}`"))?;
        if !repo.contains(head.commit, commit)? {
            bail!(
                "--base `{rev}` ({}) is not an ancestor of HEAD ({}): BASE..HEAD would not be the fix",
                short(commit),
                short(head.commit)
            );
        }
        return Ok(Base {
            commit,
            how: format!("--base {rev}"),
        });
    }
    let main = match &config.main_branch {
        Some(name) => repo.branch_tip(name).ok_or_else(|| {
            anyhow!(
                "main branch `{name}` (configured) exists neither locally nor as `origin/{name}`"
            )
        })?,
        None => detect_main_branch(repo).ok_or_else(|| {
            anyhow!(
                "cannot find the main branch (tried master, main, origin/master, origin/main)\n\
                 pass --base <rev>, or --main-branch <branch> / `main-branch` in the config"
            )
        })?,
    };
    let commit = repo.merge_base(head.commit, main.commit)?;
    Ok(Base {
        commit,
        how: format!("merge-base with {}", main.name),
    })
}

/// `master` or `main`, local first, then `origin/`.
pub fn detect_main_branch(repo: &Repo) -> Option<RefTip> {
    ["master", "main"]
        .iter()
        .find_map(|n| repo.local_branch(n))
        .or_else(|| {
            ["origin/master", "origin/main"]
                .iter()
                .find_map(|n| repo.branch_tip(n))
        })
}

fn changed_crates(
    repo: &Repo,
    head_ws: &Workspace,
    base_ws: Option<&Workspace>,
    base: Oid,
    head: Oid,
) -> Result<Vec<ChangedCrate>> {
    let mut by_name: BTreeMap<String, ChangedCrate> = BTreeMap::new();
    for path in repo.changed_paths(base, head)? {
        let Some(member) = head_ws.owner_of(&path) else {
            continue;
        };
        let rel = path
            .strip_prefix(&member.dir)
            .map(|r| r.trim_start_matches('/'))
            .unwrap_or(&path);
        if member.exclude.iter().any(|p| exclude_match(p, rel)) {
            continue;
        }
        let entry = by_name
            .entry(member.name.clone())
            .or_insert_with(|| ChangedCrate {
                name: member.name.clone(),
                dir: member.dir.clone(),
                manifest: member.manifest.clone(),
                publish: member.publish,
                has_lib: member.has_lib,
                head_version: member.version.clone(),
                base_version: base_ws
                    .and_then(|w| w.member(&member.name))
                    .map(|m| m.version.clone()),
                paths: Vec::new(),
            });
        entry.paths.push(path);
    }
    // Keep workspace order (root first, then as listed).
    let mut out = Vec::new();
    for m in &head_ws.members {
        if let Some(c) = by_name.remove(&m.name) {
            out.push(c);
        }
    }
    Ok(out)
}

fn run_locked_metadata(root: &Path, offline: bool) -> LockedResolve {
    let mut md = cargo_metadata::MetadataCommand::new();
    md.manifest_path(root.join("Cargo.toml")).current_dir(root);
    let mut opts = vec!["--locked".to_string()];
    if offline {
        opts.push("--offline".to_string());
    }
    md.other_options(opts);
    let mut cmd = md.cargo_command();
    crate::untrusted::no_repository_code(&mut cmd);
    let out = match crate::process::output(&mut cmd, None) {
        Ok(out) => out,
        Err(e) => {
            return LockedResolve::Failed {
                message: format!("could not run `cargo metadata`: {e}"),
            };
        }
    };
    if !out.ended.success() {
        let message = String::from_utf8_lossy(&out.stderr).trim().to_string();
        return if message.contains("--locked was passed to prevent this")
            || message.contains("needs to be updated but --locked")
        {
            LockedResolve::Stale { message }
        } else {
            LockedResolve::Failed { message }
        };
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = stdout.lines().find(|l| l.starts_with('{')).unwrap_or("");
    match cargo_metadata::MetadataCommand::parse(json) {
        Ok(md) => LockedResolve::Ok {
            members: md
                .workspace_packages()
                .iter()
                .map(|p| p.name.to_string())
                .collect(),
        },
        Err(e) => LockedResolve::Failed {
            message: format!("could not read the output of `cargo metadata`: {e}"),
        },
    }
}

/// Cargo's target directory for a workspace: `CARGO_TARGET_DIR`, else
/// `<workspace root>/target`.
pub fn default_target_dir(workspace_root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => absolute(workspace_root, Path::new(&dir)),
        _ => workspace_root.join("target"),
    }
}

/// Runs `cargo` with the workspace root as current directory, in an
/// environment where it runs no repository code (`untrusted`).
pub fn cargo_command(workspace_root: &Path) -> Command {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.current_dir(workspace_root);
    crate::untrusted::no_repository_code(&mut cmd);
    cmd
}
