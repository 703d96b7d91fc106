//! `temporary-patches`: no pin that makes the tested build differ from what
//! ships: `[patch]`/`[replace]` tables, `.cargo/config.toml` patches and
//! `paths` overrides, git dependencies (with or without `version`), path
//! dependencies outside the workspace, `git+` sources in Cargo.lock. Cargo
//! drops `[patch]` on publish and publishes `git` + `version` deps silently, so
//! nothing downstream catches a forgotten private-fork pin. Pins BASE already
//! had are warnings; pins the fix introduced are failures.

use std::collections::HashSet;

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::lockfile::Lockfile;
use crate::manifest::{patch_entries, path_overrides};
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;
use crate::workspace::{self, AtCommit, FileSource, WorkTree, Workspace, is_under};

pub const CHECK: CheckDef = CheckDef {
    id: "temporary-patches",
    run,
};

/// A pin found in one revision.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Pin {
    file: String,
    /// `patch.crates-io`, `dependencies`, `paths`, `package`…
    table: String,
    key: String,
    /// What it points at, normalised for comparison across revisions.
    target: String,
    what: &'static str,
}

fn run(cx: &Context) -> Result<CheckResult> {
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    let head = collect(&work, &cx.head_ws, &cx.ws_dir)?;
    let base: HashSet<Pin> = match &cx.base_ws {
        Some(ws) => {
            let at = AtCommit {
                tree: cx.repo.tree_at(cx.base.commit)?,
                label: "BASE".to_string(),
            };
            collect(&at, ws, &cx.ws_dir)?.into_iter().collect()
        }
        None => HashSet::new(),
    };
    let findings: Vec<Detail> = head
        .iter()
        .map(|pin| {
            let (status, when) = if base.contains(pin) {
                (Status::Warn, "present at BASE")
            } else {
                (Status::Fail, "introduced since BASE")
            };
            Detail::new(format!(
                "{} [{}] {} → {}: {} ({when})",
                pin.file, pin.table, pin.key, pin.target, pin.what
            ))
            .status(status)
            .file(&pin.file)
        })
        .collect();
    let introduced = findings
        .iter()
        .filter(|d| d.status == Some(Status::Fail))
        .count();
    let old = findings.len() - introduced;
    let result = CheckResult::from_findings(
        CHECK.id,
        findings,
        "no [patch], [replace], config patch, git or out-of-workspace path dependency, or git lockfile source",
        |_| match (introduced, old) {
            (0, n) => format!("{} already present at BASE", count(n, "temporary pin")),
            (n, 0) => format!("{} introduced by the fix", count(n, "temporary pin")),
            (n, m) => {
                format!(
                    "{} introduced by the fix, {m} already present at BASE",
                    count(n, "temporary pin")
                )
            }
        },
    );
    Ok(if result.status == Status::Pass {
        result
    } else {
        result.hint(
            "remove each pin and depend on released versions: cargo drops [patch] on publish \
             and publishes a `git` + `version` dependency against the registry, so what you \
             tested is not what ships; then `cargo update --workspace --offline`",
        )
    })
}

/// The pin a cargo error is about, if any: cargo failing to load a
/// `[patch]` or git source on an unreachable private fork is one root cause,
/// reported by this row; `ci` and `lockfile` point here instead of repeating
/// cargo's message. Returns "`tar` from <url> ([patch.crates-io] in Cargo.toml)".
pub fn blamed_pin(cx: &Context, cargo_output: &str) -> Option<String> {
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    let pins = collect(&work, &cx.head_ws, &cx.ws_dir).ok()?;
    pins.iter().find_map(|pin| {
        let source = sources(&pin.target)
            .into_iter()
            .find(|s| cargo_output.contains(s.as_str()))?;
        Some(format!(
            "`{}` from {source} ([{}] in {})",
            pin.key.split(' ').next().unwrap_or(&pin.key),
            pin.table,
            pin.file
        ))
    })
}

/// The URLs and absolute paths a pin's target names (`git = "https://…"`).
fn sources(target: &str) -> Vec<String> {
    target
        .split(['"', '\'', ' ', ','])
        .map(|w| w.trim_end_matches(".git").trim_end_matches('/'))
        .filter(|w| w.contains("://") || w.starts_with("git@") || w.starts_with('/'))
        .filter(|w| w.len() > 1)
        .map(str::to_string)
        .collect()
}

fn collect(src: &dyn FileSource, ws: &Workspace, ws_dir: &str) -> Result<Vec<Pin>> {
    let mut pins = Vec::new();
    for (file, doc) in &ws.manifests {
        for p in patch_entries(doc) {
            pins.push(Pin {
                file: file.clone(),
                table: p.table.clone(),
                key: p.key.clone(),
                target: p.spec.clone(),
                what: if p.table == "replace" {
                    "[replace] entry"
                } else {
                    "[patch] entry"
                },
            });
        }
    }
    for dir in config_dirs(ws_dir) {
        for name in ["config.toml", "config"] {
            let file = workspace::join(&dir, &format!(".cargo/{name}"));
            let Some(bytes) = src.read(&file)? else {
                continue;
            };
            let Ok(doc) = String::from_utf8_lossy(&bytes).parse::<toml_edit::DocumentMut>() else {
                continue;
            };
            for p in patch_entries(&doc) {
                pins.push(Pin {
                    file: file.clone(),
                    table: p.table.clone(),
                    key: p.key.clone(),
                    target: p.spec,
                    what: "cargo config patch",
                });
            }
            for path in path_overrides(&doc) {
                pins.push(Pin {
                    file: file.clone(),
                    table: "paths".to_string(),
                    key: path.clone(),
                    target: path,
                    what: "cargo config `paths` override",
                });
            }
        }
    }
    for (_, dep) in ws.all_deps() {
        if dep.inherited {
            continue;
        }
        if let Some(git) = &dep.git {
            pins.push(Pin {
                file: dep.file.clone(),
                table: dep.table.clone(),
                key: dep.key.clone(),
                target: git.clone(),
                what: if dep.req.is_some() {
                    "git dependency with `version`: publishes against the registry, builds here from git"
                } else {
                    "git dependency"
                },
            });
        } else if let Some(path) = &dep.path
            && !is_under(path, &ws.root_dir)
        {
            pins.push(Pin {
                file: dep.file.clone(),
                table: dep.table.clone(),
                key: dep.key.clone(),
                target: dep.raw_path.clone().unwrap_or_default(),
                what: "path dependency outside the workspace",
            });
        }
    }
    let lock_path = workspace::join(ws_dir, "Cargo.lock");
    if let Some(bytes) = src.read(&lock_path)?
        && let Ok(lock) = Lockfile::parse(&String::from_utf8_lossy(&bytes), &lock_path)
    {
        for p in lock.packages.iter().filter(|p| p.is_git()) {
            let source = p.source.clone().unwrap_or_default();
            let url = source.split('#').next().unwrap_or(&source).to_string();
            pins.push(Pin {
                file: lock_path.clone(),
                table: "package".to_string(),
                key: format!("{} {}", p.name, p.version),
                target: url,
                what: "git source in the lockfile",
            });
        }
    }
    Ok(pins)
}

/// Directories whose `.cargo/config.toml` cargo reads when run in the
/// workspace root, limited to the repository: the root and its ancestors.
fn config_dirs(ws_dir: &str) -> Vec<String> {
    let mut dirs = vec![ws_dir.to_string()];
    let mut cur = ws_dir.to_string();
    while !cur.is_empty() {
        cur = cur
            .rsplit_once('/')
            .map(|(a, _)| a.to_string())
            .unwrap_or_default();
        dirs.push(cur.clone());
    }
    dirs
}
