//! `registry`: every expected `name@version` is on the registry its crate
//! is published to (crates.io, `--index`, or the `publish = [...]`
//! registries), and not yanked; with `--verify-contents`, its checksum is
//! that of `cargo package` run on the release tag's tree.

use std::collections::BTreeMap;
use std::rc::Rc;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use sha2::{Digest, Sha256};

use super::{Expected, RowDef, Verification};
use crate::git::{Oid, TempWorktree};
use crate::registry::{IndexEntry, SparseRegistry};
use crate::release::PublishTarget;
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;

pub const ROW: RowDef = RowDef {
    id: "registry",
    run,
};

fn run(v: &Verification<'_>) -> Result<CheckResult> {
    let cx = v.cx;
    let expected = &v.plan.expected;
    let Some(registries) = &cx.releases.registries else {
        return Ok(CheckResult::skip(
            ROW.id,
            "--offline: the registry index was not queried",
        ));
    };
    if expected.is_empty() {
        return Ok(CheckResult::skip(
            ROW.id,
            "no line released a crate version because of the fix (see `versions`); name them with --crate NAME@VERSION",
        ));
    }
    // Each expected version, on each registry its crate is published to.
    let mut groups: BTreeMap<String, (Rc<SparseRegistry>, Vec<&Expected>)> = BTreeMap::new();
    let mut findings = Vec::new();
    for e in expected {
        let names: Vec<Option<String>> = match cx.releases.publish_target(&e.name) {
            PublishTarget::Never => {
                findings.push(
                    Detail::new(format!(
                        "{} not looked for: `{}` has `publish = false`",
                        v.describe(e),
                        e.name
                    ))
                    .krate(&e.name),
                );
                continue;
            }
            PublishTarget::Default => vec![None],
            PublishTarget::Registries(list) => list.into_iter().map(Some).collect(),
        };
        for name in names {
            match registries.get(name.as_deref()) {
                Ok(r) => {
                    groups
                        .entry(r.location().label.clone())
                        .or_insert_with(|| (r.clone(), Vec::new()))
                        .1
                        .push(e);
                }
                Err(err) => findings.push(
                    Detail::new(format!("could not verify {}: {err:#}", v.describe(e)))
                        .status(Status::Error)
                        .krate(&e.name),
                ),
            }
        }
    }
    let labels: Vec<String> = groups.keys().cloned().collect();
    for (index, (registry, wanted)) in &groups {
        findings.extend(on_registry(v, registry, index, wanted));
    }
    let total = expected.len();
    let place = match labels.as_slice() {
        [one] => one.clone(),
        _ => "their registries".to_string(),
    };
    let result = CheckResult::from_findings(ROW.id, findings, "", |f| {
        let bad = f
            .iter()
            .filter(|d| matches!(d.status, Some(Status::Fail | Status::Error)))
            .count();
        if bad == 0 {
            format!("{} published on {place}", count(total, "crate version"))
        } else {
            format!(
                "{} with {} on {place}",
                count(bad, "problem"),
                count(total, "expected crate version")
            )
        }
    });
    Ok(match result.status {
        Status::Error => result.hint(
            "the index could not be read: check the network or --index, and run again (nothing is known about those versions)",
        ),
        Status::Fail => result.hint(
            "publish the missing versions with `cargo publish -p <crate>` from the release branch, or use --wait SECS if they were just published",
        ),
        _ => result,
    })
}

fn on_registry(
    v: &Verification<'_>,
    registry: &SparseRegistry,
    index: &str,
    expected: &[&Expected],
) -> Vec<Detail> {
    let cx = v.cx;
    let mut names: Vec<String> = expected.iter().map(|e| e.name.clone()).collect();
    names.sort();
    names.dedup();
    cx.shell.status(
        "Querying",
        format!("{index} for {}", count(names.len(), "crate")),
    );
    let mut entries = registry.entries(&names);
    if let Some(limit) = v.options.wait {
        let deadline = Instant::now() + limit;
        loop {
            let missing: Vec<&&Expected> = expected
                .iter()
                .filter(|e| match lookup(&entries, &e.name) {
                    Some(Ok(entry)) => entry.find(&e.version).is_none(),
                    _ => false,
                })
                .collect();
            if missing.is_empty() || Instant::now() >= deadline {
                break;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            cx.shell.status(
                "Waiting",
                format!(
                    "for {} ({}s left)",
                    missing
                        .iter()
                        .map(|e| e.id())
                        .collect::<Vec<_>>()
                        .join(", "),
                    left.as_secs()
                ),
            );
            std::thread::sleep(left.min(std::time::Duration::from_secs(5)));
            let again: Vec<String> = missing.iter().map(|e| e.name.clone()).collect();
            for n in &again {
                registry.forget(n);
            }
            for (name, result) in registry.entries(&again) {
                if let Some(slot) = entries.iter_mut().find(|(n, _)| *n == name) {
                    slot.1 = result;
                }
            }
        }
    }

    let mut findings = Vec::new();
    for e in expected {
        let what = v.describe(e);
        let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
        match lookup(&entries, &e.name) {
            Some(Err(err)) => findings.push(detail(
                Status::Error,
                format!("could not verify {what}: {err:#}"),
            )),
            None => findings.push(detail(
                Status::Error,
                format!("could not verify {what}: no answer"),
            )),
            Some(Ok(entry)) => match entry.find(&e.version) {
                None if entry.versions.is_none() => findings.push(detail(
                    Status::Fail,
                    format!("{what} is not published: {index} has no crate `{}`", e.name),
                )),
                None => findings.push(detail(
                    Status::Fail,
                    format!(
                        "{what} is not published: {index} has {} of `{}`, not {}",
                        count(entry.versions.as_ref().map_or(0, Vec::len), "other version"),
                        e.name,
                        e.version
                    ),
                )),
                Some(found) if found.yanked => findings.push(detail(
                    Status::Fail,
                    format!("{what} is published but yanked"),
                )),
                Some(found) => {
                    findings.push(detail(Status::Pass, format!("{what} is on {index}")));
                    if v.options.verify_contents {
                        findings.push(compare_contents(v, e, &found.checksum));
                    }
                }
            },
        }
    }
    findings
}

fn lookup<'a>(
    entries: &'a [(String, Result<IndexEntry>)],
    name: &str,
) -> Option<&'a Result<IndexEntry>> {
    entries.iter().find(|(n, _)| n == name).map(|(_, r)| r)
}

/// `--verify-contents`: `cargo package` on the release tag's tree, in a
/// temporary worktree, must give the checksum the index has.
fn compare_contents(v: &Verification<'_>, e: &Expected, index_checksum: &str) -> Detail {
    let cx = v.cx;
    let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
    let Some((tag, commit)) = v.tags.release_tag_of(v, e) else {
        return detail(
            Status::Error,
            format!(
                "contents of {} not verified: no release tag to package from",
                e.id()
            ),
        );
    };
    match package_checksum(cx, e, &tag, commit) {
        Ok((sum, cargo)) if sum == index_checksum => detail(
            Status::Pass,
            format!(
                "{} contents match: `cargo package` at tag `{tag}` ({cargo}) gives the index checksum",
                e.id()
            ),
        )
        .reference(&tag),
        Ok((sum, cargo)) => detail(
            Status::Fail,
            format!(
                "{} contents differ: index checksum {}…, `cargo package` at tag `{tag}` ({cargo}) gives {}…",
                e.id(),
                &index_checksum[..12.min(index_checksum.len())],
                &sum[..12.min(sum.len())]
            ),
        )
        .reference(&tag),
        Err(err) => detail(
            Status::Error,
            format!("contents of {} not verified: {err:#}", e.id()),
        ),
    }
}

fn package_checksum(
    cx: &crate::context::Context,
    e: &Expected,
    tag: &str,
    commit: Oid,
) -> Result<(String, String)> {
    let dir = cx.target_dir.join("security-release").join("package");
    let name = format!("{}-{}", e.name, e.version);
    let wt = TempWorktree::create(&cx.repo, &dir, &name, commit)?;
    let ws_root = wt.path.join(&cx.ws_dir);
    let target = wt.path.join("target");
    cx.shell
        .status("Packaging", format!("{} at tag `{tag}`", e.id()));
    let mut cmd = crate::context::cargo_command(&ws_root);
    cmd.args(["package", "--no-verify", "--allow-dirty", "-p", &e.name])
        .env("CARGO_TARGET_DIR", &target);
    if cx.config.offline {
        cmd.arg("--offline");
    }
    let out = crate::process::output(&mut cmd, None).context("cannot run `cargo package`")?;
    if !out.ended.success() {
        bail!(
            "`cargo package -p {}` failed at tag `{tag}`: {}",
            e.name,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    let file = target.join("package").join(format!("{name}.crate"));
    let bytes =
        std::fs::read(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
    let sum = crate::registry::hex(&Sha256::digest(&bytes));
    let version = crate::process::output(
        crate::context::cargo_command(&ws_root).arg("--version"),
        None,
    )
    .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    .unwrap_or_else(|_| "cargo".to_string());
    wt.remove()?;
    Ok((sum, version))
}
