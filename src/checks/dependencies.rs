//! `dependencies`: every external requirement the fix adds or raises, in
//! every manifest, resolves to a published, non-yanked version on that
//! dependency's registry. A fix often needs a new release of an external
//! crate that is itself under embargo: before release day that is a
//! warning (publishing it is the first step), with `--release-day` and in
//! `verify-published` a failure.

use anyhow::Result;
use semver::{Version, VersionReq};

use super::CheckDef;
use super::dependency_specs::lower_bound;
use crate::context::Context;
use crate::report::{CheckResult, Detail, Status};
use crate::text::count;

pub const CHECK: CheckDef = CheckDef {
    id: "dependencies",
    run,
};

fn run(cx: &Context) -> Result<CheckResult> {
    let unpublished = if cx.flags.release_day {
        Status::Fail
    } else {
        Status::Warn
    };
    evaluate(cx, CHECK.id, unpublished)
}

/// A requirement on a crate outside the workspace that the fix adds or
/// raises.
#[derive(Clone, Debug)]
pub struct ExternalRequirement {
    pub name: String,
    /// The key it is declared under (differs from `name` when renamed).
    pub key: String,
    pub req: String,
    pub file: String,
    pub table: String,
    /// `registry = "…"` of the dependency (`None`: the default index).
    pub registry: Option<String>,
    /// The requirement at BASE (`None`: added by the fix).
    pub before: Option<String>,
}

impl ExternalRequirement {
    fn place(&self) -> String {
        let change = match &self.before {
            None => "added by the fix".to_string(),
            Some(b) => format!("raised from `{b}`"),
        };
        format!(
            "`{} = \"{}\"` in {} [{}], {change}",
            self.key, self.req, self.file, self.table
        )
    }
}

/// Every external requirement in the workspace's manifests at HEAD that
/// BASE did not have in that form (new, or another requirement).
pub fn added_or_raised(cx: &Context) -> Vec<ExternalRequirement> {
    let members = cx.member_names();
    let mut out: Vec<ExternalRequirement> = Vec::new();
    for (_, dep) in cx.head_ws.all_deps() {
        // Inherited ones are judged at their `[workspace.dependencies]` entry.
        if dep.inherited || dep.git.is_some() || members.contains(&dep.name) {
            continue;
        }
        let Some(req) = &dep.req else { continue };
        let before = cx.base_ws.as_ref().and_then(|w| {
            w.all_deps()
                .map(|(_, d)| d)
                .find(|d| d.file == dep.file && d.table == dep.table && d.key == dep.key)
                .and_then(|d| d.req.clone())
        });
        if before.as_deref() == Some(req.as_str()) {
            continue;
        }
        out.push(ExternalRequirement {
            name: dep.name.clone(),
            key: dep.key.clone(),
            req: req.clone(),
            file: dep.file.clone(),
            table: dep.table.clone(),
            registry: dep.registry.clone(),
            before,
        });
    }
    out
}

/// The row: each added or raised requirement looked up on its registry;
/// one that no published, non-yanked version satisfies gets `unpublished`.
pub fn evaluate(cx: &Context, id: &str, unpublished: Status) -> Result<CheckResult> {
    let wanted = added_or_raised(cx);
    if wanted.is_empty() {
        return Ok(CheckResult::pass(
            id,
            "the fix adds or raises no requirement on an external crate",
        ));
    }
    let Some(registries) = &cx.releases.registries else {
        return Ok(CheckResult::skip(
            id,
            format!(
                "--offline: not looked up on their registry: {} the fix adds or raises ({})",
                count(wanted.len(), "requirement"),
                wanted
                    .iter()
                    .map(|w| format!("{} `{}`", w.name, w.req))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ));
    };
    let mut findings = Vec::new();
    for w in &wanted {
        let detail = |status: Status, msg: String| {
            Detail::new(msg).status(status).krate(&w.name).file(&w.file)
        };
        let Ok(req) = VersionReq::parse(&w.req) else {
            findings.push(detail(
                Status::Fail,
                format!("{}: `{}` is not a valid requirement", w.place(), w.req),
            ));
            continue;
        };
        let registry = match registries.get(w.registry.as_deref()) {
            Ok(r) => r,
            Err(e) => {
                findings.push(detail(
                    Status::Error,
                    format!("could not look up {} ({}): {e:#}", w.name, w.place()),
                ));
                continue;
            }
        };
        let index = registry.location().label.clone();
        let entry = match registry.entry(&w.name) {
            Ok(entry) => entry,
            Err(e) => {
                findings.push(detail(
                    Status::Error,
                    format!("could not look up {} on {index}: {e:#}", w.name),
                ));
                continue;
            }
        };
        let versions: Vec<(Version, bool)> = entry
            .versions
            .iter()
            .flatten()
            .filter_map(|v| Version::parse(&v.version).ok().map(|p| (p, v.yanked)))
            .collect();
        let best = versions
            .iter()
            .filter(|(v, yanked)| !yanked && req.matches(v))
            .map(|(v, _)| v)
            .max();
        if let Some(best) = best {
            findings.push(detail(
                Status::Pass,
                format!(
                    "{} `{}` resolves to {best} on {index} ({})",
                    w.name,
                    w.req,
                    w.place()
                ),
            ));
            continue;
        }
        let wanted_version = lower_bound(&req)
            .map(|v| v.to_string())
            .unwrap_or_else(|| format!("`{}`", w.req));
        let there = if versions.is_empty() {
            format!("{index} has no crate `{}`", w.name)
        } else if versions.iter().any(|(v, _)| req.matches(v)) {
            format!("{index} has only yanked versions that match")
        } else {
            let newest = versions.iter().map(|(v, _)| v).max();
            match newest {
                Some(n) => format!("the newest on {index} is {n}"),
                None => format!("{index} has none that match"),
            }
        };
        findings.push(detail(
            unpublished,
            format!(
                "{} {wanted_version} is not published ({there}; {}): it must be published first; \
                 it is the first step on release day",
                w.name,
                w.place()
            ),
        ));
    }
    let total = wanted.len();
    let result = CheckResult::from_findings(id, findings, "", |f| {
        let missing = f
            .iter()
            .filter(|d| matches!(d.status, Some(Status::Warn | Status::Fail)))
            .count();
        let errors = f.iter().filter(|d| d.status == Some(Status::Error)).count();
        if missing > 0 {
            format!(
                "{missing} of {} the fix adds or raises not published yet",
                count(total, "external requirement")
            )
        } else if errors > 0 {
            format!(
                "{} could not be looked up",
                count(errors, "external requirement")
            )
        } else {
            format!(
                "{} the fix adds or raises published",
                count(total, "external requirement")
            )
        }
    });
    Ok(match result.status {
        Status::Warn | Status::Fail => result.hint(
            "publish the listed crate versions first (they may be under embargo too: coordinate with their \
             maintainers); `check --release-day` and `verify-published` fail until they are out",
        ),
        Status::Error => {
            result.hint("the registry could not be read: nothing is known about those versions")
        }
        _ => result,
    })
}
