//! External dependencies a backport needs: a clean pick can still call an
//! API that only the main branch's version of a crate has (wasmtime's
//! cap-std raise, RUSTSEC-2024-0438). When main requires a newer version
//! than the target and the fix's code uses the crate, the target's
//! requirement is raised to main's and its `Cargo.lock` entry is taken from
//! main's lockfile (format kept); anything the tool cannot write without
//! guessing is reported for a manual update.

use std::collections::BTreeMap;

use anyhow::{Result, anyhow};
use semver::{Version, VersionReq};
use toml_edit::DocumentMut;

use super::result::{ExternalDeps, ExternalNeed, LockAlignment, LockedDifference};
use super::{Run, Target, versions};
use crate::lockfile::Lockfile;
use crate::manifest::{lower_bound, raise_requirement};
use crate::workspace::{self, Workspace};

/// The fix's Rust code: lines it adds, and its changed files as they are
/// at HEAD, for "does the fix use this crate?".
#[derive(Default)]
pub struct FixCode {
    /// (path, added lines)
    added: Vec<(String, Vec<String>)>,
    /// (path, whole file at HEAD)
    files: Vec<(String, String)>,
}

impl FixCode {
    pub fn read(run: &Run) -> Result<FixCode> {
        let cx = run.cx;
        let mut code = FixCode::default();
        let head = cx.repo.tree_at(cx.head.commit)?;
        for change in cx.repo.line_changes(cx.base.commit, cx.head.commit)? {
            if !change.path.ends_with(".rs") {
                continue;
            }
            code.added.push((
                change.path.clone(),
                change.added.iter().map(|(_, l)| l.clone()).collect(),
            ));
            if let Some(text) = head
                .read(&change.path)?
                .and_then(|b| String::from_utf8(b).ok())
            {
                code.files.push((change.path, text));
            }
        }
        Ok(code)
    }

    /// Where the fix uses the crate a dependency key names (`safe-path` →
    /// `safe_path::…`, `use safe_path`): an added line first, else a line
    /// of a changed file.
    pub fn uses(&self, key: &str) -> Option<String> {
        let ident = key.replace('-', "_");
        let show = |path: &str, line: &str| {
            let line = line.trim();
            let line: String = line.chars().take(90).collect();
            format!("`{path}`: `{line}`")
        };
        for (path, lines) in &self.added {
            if let Some(l) = lines.iter().find(|l| mentions(l, &ident)) {
                return Some(show(path, l));
            }
        }
        for (path, text) in &self.files {
            if let Some(l) = text.lines().find(|l| mentions(l, &ident)) {
                return Some(show(path, l));
            }
        }
        None
    }
}

/// Does a line of Rust name crate `ident` as a path (`ident::`) or import
/// it (`use ident`, `extern crate ident`)?
fn mentions(line: &str, ident: &str) -> bool {
    let t = line.trim_start();
    if t.starts_with("//") {
        return false;
    }
    for prefix in ["use ", "pub use ", "extern crate "] {
        if let Some(rest) = t.strip_prefix(prefix)
            && let Some(after) = rest.trim_start_matches("::").strip_prefix(ident)
            && !after.starts_with(|c: char| c.is_alphanumeric() || c == '_')
        {
            return true;
        }
    }
    let needle = format!("{ident}::");
    line.match_indices(&needle).any(|(i, _)| {
        i == 0
            || !line[..i]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric() || c == '_')
    })
}

/// Raises, in `docs`, the target's requirements on external packages the
/// fix needs at main's version (unless `--no-align-deps`); returns every
/// such need, aligned or not.
pub fn align_requirements(
    run: &Run,
    target: &Target,
    ws: &Workspace,
    docs: &mut BTreeMap<String, DocumentMut>,
) -> Result<Vec<ExternalNeed>> {
    let cx = run.cx;
    let head = &cx.head_ws;
    let is_member = |n: &str| ws.member(n).is_some() || head.member(n).is_some();
    let code = run.fix_code()?;
    let mut needs = Vec::new();
    for (_, dep) in ws.all_deps() {
        if dep.inherited || dep.path.is_some() || dep.git.is_some() || is_member(&dep.name) {
            continue;
        }
        let Some(target_req) = dep.req.clone() else {
            continue;
        };
        // Main's requirement in the same place, else its highest one.
        let same_place = head.all_deps().find(|(_, d)| {
            !d.inherited && d.name == dep.name && d.file == dep.file && d.table == dep.table
        });
        let main_req = match same_place {
            Some((_, d)) => d.req.clone(),
            None => head
                .all_deps()
                .filter(|(_, d)| !d.inherited && d.name == dep.name)
                .filter_map(|(_, d)| d.req.clone())
                .max_by_key(|r| lower_bound(r)),
        };
        let Some(main_req) = main_req else { continue };
        let (Some(low_target), Some(low_main)) = (lower_bound(&target_req), lower_bound(&main_req))
        else {
            continue;
        };
        if low_main <= low_target {
            continue;
        }
        let Some(evidence) = code.uses(&dep.key).or_else(|| code.uses(&dep.name)) else {
            continue;
        };
        let mut need = ExternalNeed {
            package: dep.name.clone(),
            manifest: dep.file.clone(),
            table: dep.table.clone(),
            key: dep.key.clone(),
            target_req: target_req.clone(),
            main_req: main_req.clone(),
            aligned_req: None,
            lock: None,
            evidence,
        };
        if !run.opts.align_deps {
            needs.push(need);
            continue;
        }
        // A semver-incompatible raise is an upgrade, not an alignment.
        let compatible = VersionReq::parse(&target_req).is_ok_and(|r| r.matches(&low_main));
        if !compatible {
            need.lock = Some(LockAlignment::OtherMajor(format!(
                "main requires {} \"{main_req}\", which `{}`'s \"{target_req}\" does not admit: \
                 moving the line to another major version is a decision to make by hand; \
                 the build tells whether the fix needs it",
                dep.name, target.name
            )));
            needs.push(need);
            continue;
        }
        let raised = raise_requirement(&target_req, &low_main).unwrap_or(low_main.to_string());
        if let Some(doc) = docs.get_mut(&dep.file)
            && versions::set_requirement(doc, &dep.table, &dep.key, &dep.name, &raised).is_some()
        {
            need.aligned_req = Some(raised);
        } else {
            need.lock = Some(LockAlignment::Manual(format!(
                "cannot find the requirement `{}` in [{}] of `{}` to raise",
                dep.key, dep.table, dep.file
            )));
        }
        needs.push(need);
    }
    Ok(needs)
}

/// Updates the target's own `Cargo.lock` for each aligned need: the entry
/// main's lockfile has for a version the new requirement admits, with
/// its checksum and dependencies, when every one of those dependencies is
/// locked the same way on the target; otherwise a manual update.
pub fn align_lock(run: &Run, lock: &mut Lockfile, needs: &mut [ExternalNeed]) -> Result<()> {
    let cx = run.cx;
    let path = workspace::join(&cx.ws_dir, "Cargo.lock");
    let main_lock = match cx.repo.tree_at(cx.head.commit)?.read(&path)? {
        Some(bytes) => {
            let text = String::from_utf8(bytes).map_err(|_| anyhow!("`{path}` is not UTF-8"))?;
            Some(Lockfile::parse(&text, &path)?)
        }
        None => None,
    };
    for need in needs.iter_mut() {
        if need.lock.is_some() {
            continue;
        }
        let Some(req) = need
            .aligned_req
            .as_deref()
            .and_then(|r| VersionReq::parse(r).ok())
        else {
            continue;
        };
        need.lock = Some(lock_entry(
            lock,
            main_lock.as_ref(),
            &need.package,
            &req,
            &path,
        ));
    }
    Ok(())
}

fn lock_entry(
    lock: &mut Lockfile,
    main_lock: Option<&Lockfile>,
    name: &str,
    req: &VersionReq,
    path: &str,
) -> LockAlignment {
    let parse = |v: &str| Version::parse(v).ok();
    let current: Vec<String> = lock
        .external_packages(name)
        .iter()
        .map(|p| p.version.clone())
        .collect();
    if let Some(v) = current
        .iter()
        .find(|v| parse(v).is_some_and(|v| req.matches(&v)))
    {
        return LockAlignment::AlreadyLocked { version: v.clone() };
    }
    let manual = |why: String| {
        LockAlignment::Manual(format!(
            "{why}; update `{path}` by hand (`cargo update -p {name}` on the branch; note that \
             a newer cargo may also rewrite the lockfile's format)"
        ))
    };
    let Some(main_lock) = main_lock else {
        return manual("the main branch tracks no Cargo.lock to take the entry from".to_string());
    };
    let Some(entry) = main_lock
        .external_packages(name)
        .into_iter()
        .filter(|p| parse(&p.version).is_some_and(|v| req.matches(&v)))
        .max_by_key(|p| parse(&p.version))
        .cloned()
    else {
        return manual(format!(
            "main's Cargo.lock locks no {name} version that \"{req}\" admits"
        ));
    };
    let [old] = current.as_slice() else {
        return manual(format!(
            "the target locks {} versions of {name}",
            current.len()
        ));
    };
    // The new entry's dependencies, in the target lockfile's terms.
    let mut deps = Vec::new();
    for reference in &entry.dependencies {
        let Some(dep) = main_lock.resolve_reference(reference) else {
            return manual(format!(
                "main's entry of {name} {} names `{reference}`, which its lockfile does not resolve",
                entry.version
            ));
        };
        let same: Vec<_> = lock
            .packages
            .iter()
            .filter(|p| p.name == dep.name)
            .collect();
        if !same
            .iter()
            .any(|p| p.version == dep.version && p.source == dep.source)
        {
            return manual(format!(
                "{name} {} depends on {} {}, which the target does not lock",
                entry.version, dep.name, dep.version
            ));
        }
        deps.push(if same.len() == 1 {
            dep.name.clone()
        } else {
            format!("{} {}", dep.name, dep.version)
        });
    }
    let old = old.clone();
    if lock.replace_external_package(name, &old, &entry, &deps) {
        LockAlignment::Updated {
            file: path.to_string(),
            old,
            new: entry.version,
        }
    } else {
        manual(format!("no entry of {name} {old} to replace"))
    }
}

/// Needs whose requirement was raised on a line that tracks no lockfile.
pub fn lock_untracked(needs: &mut [ExternalNeed]) {
    for need in needs.iter_mut() {
        if need.aligned_req.is_some() && need.lock.is_none() {
            need.lock = Some(LockAlignment::Untracked);
        }
    }
}

/// The external-deps picture of a target: its needs, and the packages
/// locked differently on main and on the target (`target_lock` is the
/// target's own lockfile after the bump), ranked: what the fix uses first.
pub fn compare(
    run: &Run,
    _target: &Target,
    needs: Vec<ExternalNeed>,
    target_lock: Option<&str>,
) -> ExternalDeps {
    let mut deps = ExternalDeps {
        needs,
        align_disabled: !run.opts.align_deps,
        ..ExternalDeps::default()
    };
    match locked_differences(run, target_lock) {
        Ok(found) => deps.locked = found,
        Err(e) => deps.error = Some(format!("{e:#}")),
    }
    deps
}

/// External packages whose locked versions differ between the main branch
/// and the target (`None` when either has no lockfile).
fn locked_differences(
    run: &Run,
    target_lock: Option<&str>,
) -> Result<Option<Vec<LockedDifference>>> {
    let cx = run.cx;
    let repo = &cx.repo;
    let lock_path = workspace::join(&cx.ws_dir, "Cargo.lock");
    let main = cx
        .config
        .main_branch
        .as_deref()
        .and_then(|m| repo.branch_tip(m))
        .map(|t| t.commit)
        .unwrap_or(cx.head.commit);
    let Some(bytes) = repo.tree_at(main)?.read(&lock_path)? else {
        return Ok(None);
    };
    let Some(target_text) = target_lock else {
        return Ok(None);
    };
    let main_text = String::from_utf8(bytes).map_err(|_| anyhow!("`{lock_path}` is not UTF-8"))?;
    let main_lock = Lockfile::parse(&main_text, &lock_path)?;
    let target_lock = Lockfile::parse(target_text, &lock_path)?;
    let external = |lock: &Lockfile| {
        let mut m: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for p in lock.packages.iter().filter(|p| p.source.is_some()) {
            let e = m.entry(p.name.clone()).or_default();
            if !e.contains(&p.version) {
                e.push(p.version.clone());
            }
        }
        m
    };
    let (a, b) = (external(&main_lock), external(&target_lock));
    let code = run.fix_code()?;
    let mut out = Vec::new();
    let names: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for name in names {
        let (va, vb) = (a.get(name), b.get(name));
        if va == vb {
            continue;
        }
        let used_by = cx
            .changed
            .iter()
            .filter(|c| {
                cx.head_ws
                    .member(&c.name)
                    .is_some_and(|m| m.deps.iter().any(|d| &d.name == name))
            })
            .map(|c| c.name.clone())
            .collect();
        out.push(LockedDifference {
            name: name.clone(),
            main: va.cloned().unwrap_or_default(),
            target: vb.cloned().unwrap_or_default(),
            used_by,
            evidence: code.uses(name),
        });
    }
    // What the fix's code uses, then what its crates depend on, then the rest.
    out.sort_by_key(|d| (d.evidence.is_none(), d.used_by.is_empty(), d.name.clone()));
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_crate_paths_and_imports() {
        assert!(super::mentions(
            "    let p = safe_path::normalize(x);",
            "safe_path"
        ));
        assert!(super::mentions("use safe_path::normalize;", "safe_path"));
        assert!(super::mentions("use ::safe_path;", "safe_path"));
        assert!(!super::mentions("let p = not_safe_path::x();", "safe_path"));
        assert!(!super::mentions("// safe_path::normalize", "safe_path"));
        assert!(!super::mentions("use safe_paths::x;", "safe_path"));
    }
}
