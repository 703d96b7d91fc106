//! `semver`: cargo-semver-checks finds no breaking change in a modified
//! publishable library crate, compared against BASE (never against whatever
//! crates.io holds under the same name). A declared breaking bump, or
//! `--allow-breaking`, accepts the break.

use std::collections::BTreeMap;

use anyhow::Result;
use semver::Version;

use super::{CheckDef, temporary_patches};
use crate::context::{ChangedCrate, Context};
use crate::git::{Oid, short};
use crate::report::{CheckResult, Detail, Status};
use crate::semver_checks::{self, Invocation, Outcome, PackageVerdict};

pub const CHECK: CheckDef = CheckDef { id: "semver", run };

fn run(cx: &Context) -> Result<CheckResult> {
    if cx.changed.is_empty() {
        return Ok(CheckResult::skip(CHECK.id, "the fix changes no crate"));
    }
    let mut notes: Vec<Detail> = Vec::new();
    let mut to_check: Vec<&ChangedCrate> = Vec::new();
    // Crates compared against their last release instead of BASE.
    let mut baselines: BTreeMap<String, (Oid, String)> = BTreeMap::new();
    for c in &cx.changed {
        let detail = |msg: String| Detail::new(msg).krate(&c.name);
        let Some(base_version) = &c.base_version else {
            notes.push(detail(format!(
                "{}: skipped, the crate does not exist at BASE {} (nothing to compare)",
                c.name,
                short(cx.base.commit)
            )));
            continue;
        };
        if !c.publish {
            notes.push(detail(format!(
                "{}: skipped, not published (`publish = false`)",
                c.name
            )));
        } else if !c.has_lib {
            notes.push(detail(format!(
                "{}: skipped, binary-only crate (no public API)",
                c.name
            )));
        } else if c.only_tests() {
            notes.push(detail(format!(
                "{}: skipped, only tests, benches or examples changed",
                c.name
            )));
        } else if breaking_bump(base_version, &c.head_version) {
            notes.push(
                detail(format!(
                    "{}: {base_version} → {} declares a breaking release: breaking changes allowed",
                    c.name, c.head_version
                ))
                .status(Status::Pass),
            );
        } else if let Some(note) = never_released(cx, c, base_version, &mut baselines)? {
            notes.push(detail(note));
        } else if cx.flags.allow_breaking.iter().any(|a| a == &c.name) {
            notes.push(
                detail(format!(
                    "{}: breaking changes allowed by --allow-breaking although {base_version} → {} \
                     is not a breaking bump: dependents that accept {} may break",
                    c.name, c.head_version, c.head_version
                ))
                .status(Status::Warn),
            );
        } else {
            to_check.push(c);
        }
    }

    if to_check.is_empty() {
        let worst = notes.iter().filter_map(|d| d.status).max();
        return Ok(match worst {
            Some(Status::Warn) => {
                CheckResult::warn(CHECK.id, "breaking changes allowed by --allow-breaking")
                    .details(notes)
            }
            Some(_) => CheckResult::pass(
                CHECK.id,
                "breaking changes allowed by the declared version bump",
            )
            .details(notes),
            None => CheckResult::skip(
                CHECK.id,
                "no modified publishable library crate to compare with BASE",
            )
            .details(notes),
        });
    }

    // Without the tool nothing is known about the API: "could not verify".
    let Some(binary) = semver_checks::find_binary() else {
        return Ok(CheckResult::error(
            CHECK.id,
            "cargo-semver-checks is not installed: the API was not compared with BASE",
        )
        .details(notes)
        .hint(format!(
            "install it: `{}` (or skip the row with --skip semver)",
            semver_checks::install_command()
        )));
    };
    let packages: Vec<String> = to_check.iter().map(|c| c.name.clone()).collect();
    // One run per baseline: BASE, or a crate's last release.
    let mut groups: BTreeMap<Oid, (String, Vec<String>)> = BTreeMap::new();
    for c in &to_check {
        let (commit, label) = baselines
            .get(&c.name)
            .cloned()
            .unwrap_or_else(|| (cx.base.commit, format!("BASE {}", short(cx.base.commit))));
        groups
            .entry(commit)
            .or_insert((label, Vec::new()))
            .1
            .push(c.name.clone());
    }
    let tree = cx.repo.tree_id(cx.head.commit)?;
    let cache_dir = cx.target_dir.join("security-release").join("semver");
    let clean = cx.repo.uncommitted()?.is_empty();
    let mut runs = Vec::new();
    for (baseline, (label, names)) in &groups {
        cx.shell.status(
            "Semver",
            format!("checking {} against {label}", names.join(", ")),
        );
        runs.push(
            Invocation {
                binary: &binary,
                workspace_root: &cx.workspace_root,
                baseline: *baseline,
                packages: names,
                target_dir: cx.target_dir_shared.then_some(cx.target_dir.as_path()),
                offline: cx.config.offline,
                limit: cx.config.semver_timeout,
            }
            .run(clean.then_some((cache_dir.as_path(), tree)))?,
        );
    }
    let reused = runs.iter().all(|(_, r)| *r);
    let outcome = merge(runs.into_iter().map(|(o, _)| o).collect());
    if reused {
        notes.push(Detail::new(format!(
            "cargo-semver-checks already ran on tree {} against BASE {}: its recorded verdict is used",
            short(tree),
            short(cx.base.commit)
        )));
    }

    let base = short(cx.base.commit);
    Ok(match outcome {
        Outcome::Compatible(verdicts) => {
            let mut details: Vec<Detail> = verdicts
                .iter()
                .map(|v| {
                    Detail::new(format!(
                        "{}: no breaking change against {}",
                        v.name,
                        baselines
                            .get(&v.name)
                            .map(|(_, l)| l.clone())
                            .unwrap_or_else(|| format!("BASE {base}"))
                    ))
                    .krate(&v.name)
                })
                .collect();
            details.extend(notes.iter().cloned());
            let warned = notes.iter().any(|d| d.status == Some(Status::Warn));
            let summary = format!("no breaking change in {}", packages.join(", "));
            if warned {
                CheckResult::warn(CHECK.id, summary).details(details)
            } else {
                CheckResult::pass(CHECK.id, summary).details(details)
            }
        }
        Outcome::Breaking(verdicts) => {
            let broken: Vec<&PackageVerdict> = verdicts
                .iter()
                .filter(|v| !v.violations.is_empty())
                .collect();
            let mut details = Vec::new();
            for v in &verdicts {
                details.extend(violation_details(v));
            }
            details.extend(notes);
            let lints: Vec<&str> = {
                let mut l: Vec<&str> = broken
                    .iter()
                    .flat_map(|v| v.violations.iter().map(|x| x.lint.as_str()))
                    .collect();
                l.dedup();
                l
            };
            let names: Vec<&str> = broken.iter().map(|v| v.name.as_str()).collect();
            CheckResult::fail(
                CHECK.id,
                format!(
                    "breaking change in {} ({})",
                    if names.is_empty() {
                        packages.join(", ")
                    } else {
                        names.join(", ")
                    },
                    lints.join(", ")
                ),
            )
            .details(details)
            .hint(
                "keep the old API (deprecate instead of removing), or release a new major \
                 version (0.y → 0.(y+1) below 1.0) if the break is intended; \
                 `--allow-breaking CRATE` accepts it without a bump",
            )
        }
        Outcome::TimedOut(limit) => CheckResult::error(
            CHECK.id,
            format!(
                "cargo-semver-checks did not finish within {} and was ended",
                crate::ci::format_duration(limit)
            ),
        )
        .details(notes)
        .hint(format!(
            "raise the limit with `semver-timeout = <seconds>` in [workspace.metadata.security-release] \
             or --semver-timeout (now {}s), or look at what takes so long: `{}`",
            limit.as_secs(),
            rerun_command(cx, &packages)
        )),
        Outcome::CouldNotRun { status, message } => {
            let row = CheckResult::error(
                CHECK.id,
                format!("cargo-semver-checks could not run ({status})"),
            );
            // Cargo failing on a temporary pin is `temporary-patches`' finding.
            match temporary_patches::blamed_pin(cx, &message) {
                Some(pin) => row
                    .detail(Detail::new(format!(
                        "cargo cannot load {pin}: the pin `temporary-patches` reports"
                    )))
                    .details(notes)
                    .hint(
                        "remove the temporary pin (see `temporary-patches`) and run `check` again",
                    ),
                None => row
                    .detail(Detail::new(message))
                    .details(notes)
                    .hint(format!(
                        "run it yourself to see everything: `{}`",
                        rerun_command(cx, &packages)
                    )),
            }
        }
    })
}

/// The invocation the row ran (against BASE), as a command line to paste.
fn rerun_command(cx: &Context, packages: &[String]) -> String {
    let mut words = vec!["--baseline-rev".to_string(), cx.base.commit.to_string()];
    for p in packages {
        words.push("--package".to_string());
        words.push(p.clone());
    }
    crate::text::command(["cargo", "semver-checks"], &words)
}

/// BASE's version of `c` was never released: there is no promise to keep
/// against BASE. The crate is then compared with its last release of the
/// same semver series (by its tag), or skipped when that series has no
/// release at all. `None`: BASE's version was released, compare as usual.
fn never_released(
    cx: &Context,
    c: &ChangedCrate,
    base_version: &Version,
    baselines: &mut BTreeMap<String, (Oid, String)>,
) -> Result<Option<String>> {
    if cx.released(&c.name, base_version)?.is_some() {
        return Ok(None);
    }
    // The newest release (a tag's commit that carries the crate) of the
    // same series below BASE's version.
    for tag in &cx.releases.tags {
        if let Some(v) = cx.version_at(tag.commit, &c.name)?
            && v < *base_version
            && !breaking_bump(&v, &c.head_version)
        {
            baselines.insert(
                c.name.clone(),
                (
                    tag.commit,
                    format!("its last release {v} (tag `{}`)", tag.name),
                ),
            );
            return Ok(None);
        }
    }
    // No tagged release of the series: skip only when the registry says
    // none exists either; otherwise compare with BASE, which errs towards
    // demanding a bump.
    match cx.releases.published_versions(&c.name)? {
        Some(published)
            if !published
                .iter()
                .any(|v| v < base_version && !breaking_bump(v, &c.head_version)) =>
        {
            Ok(Some(format!(
                "{}: skipped, {base_version} at BASE was never released and no release of its \
                 semver series exists: no compatibility promise to keep yet",
                c.name
            )))
        }
        _ => Ok(None),
    }
}

/// One outcome for several runs: any run that could not complete makes the
/// whole check unable to; any breaking change makes it breaking.
fn merge(outcomes: Vec<Outcome>) -> Outcome {
    let mut verdicts = Vec::new();
    let mut breaking = false;
    for o in outcomes {
        match o {
            Outcome::CouldNotRun { .. } | Outcome::TimedOut(_) => return o,
            Outcome::Breaking(v) => {
                breaking = true;
                verdicts.extend(v);
            }
            Outcome::Compatible(v) => verdicts.extend(v),
        }
    }
    if breaking {
        Outcome::Breaking(verdicts)
    } else {
        Outcome::Compatible(verdicts)
    }
}

fn violation_details(v: &PackageVerdict) -> Vec<Detail> {
    let mut out = Vec::new();
    for violation in &v.violations {
        let items = if violation.items.is_empty() {
            String::new()
        } else {
            format!(": {}", violation.items.join("; "))
        };
        out.push(
            Detail::new(format!(
                "{}: {} ({}){items}",
                v.name, violation.lint, violation.description
            ))
            .krate(&v.name)
            .status(Status::Fail),
        );
    }
    if !v.violations.is_empty()
        && let Some(summary) = &v.summary
    {
        out.push(Detail::new(format!("{}: {summary}", v.name)).krate(&v.name));
    }
    out
}

/// Does going from `base` to `head` declare a breaking release? A major bump,
/// or below 1.0 a minor bump (0.2.x → 0.3.0), or any bump of a 0.0.x version.
fn breaking_bump(base: &Version, head: &Version) -> bool {
    if base.major > 0 {
        head.major > base.major
    } else if base.minor > 0 {
        head.major > 0 || head.minor > base.minor
    } else {
        head > base
    }
}

#[cfg(test)]
mod tests {
    use super::breaking_bump;
    use semver::Version;

    #[test]
    fn breaking_bumps_follow_cargo_semver() {
        let v = |s: &str| Version::parse(s).unwrap();
        assert!(breaking_bump(&v("1.2.3"), &v("2.0.0")));
        assert!(!breaking_bump(&v("1.2.3"), &v("1.3.0")));
        assert!(breaking_bump(&v("0.2.4"), &v("0.3.0")));
        assert!(!breaking_bump(&v("0.2.4"), &v("0.2.5")));
        assert!(breaking_bump(&v("0.0.1"), &v("0.0.2")));
    }
}
