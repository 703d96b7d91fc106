//! The rows of a target's report section, each built by one small function
//! from the typed `TargetResult`, as `check`'s rows are built by its checks.
//! Adding a row is adding a function and a line in `ROWS`.

use super::result::*;
use crate::git::short;
use crate::report::{CheckResult, Detail, FactValue, Section, Status};
use crate::text::{command, count, count_with_verb};

/// How much to list: everything (JSON, `-v`) or the first few.
#[derive(Clone, Copy, Debug)]
pub struct RowOptions {
    pub full: bool,
}

/// Entries shown in a ranked list by default.
const PREREQUISITES_SHOWN: usize = 3;
const EXTERNAL_SHOWN: usize = 5;

type Row = fn(&TargetResult, &RowOptions) -> Option<CheckResult>;

const ROWS: [Row; 9] = [
    cherry_pick,
    counterparts,
    merge,
    version_bump,
    dependents,
    lockfile,
    doc_versions,
    external_deps,
    build,
];

/// The section of one target.
pub fn section(r: &TargetResult, opts: &RowOptions) -> Section {
    let t = &r.target;
    let mut section = Section::new(t.name.clone())
        .fact("target", t.tip.name.clone())
        .fact("target-tip", FactValue::commit(t.tip.commit))
        .fact("branch", t.branch.clone())
        .fact("bump", r.policy.clone());
    if let Some(role) = &t.role {
        section = section.fact("role", role.clone());
    }
    match &r.method {
        Method::CherryPick => {}
        Method::HandMade(h) => section = section.fact("hand-made", h.branch.name.clone()),
        Method::Merge(m) => section = section.fact("merge-chain", m.chain.clone()),
    }
    if let Some(moved) = r.tip_moved {
        section = section.fact("tip-moved", FactValue::commit(moved));
    }
    section
        .checks
        .extend(ROWS.iter().filter_map(|row| row(r, opts)));
    section.checks.push(branch(r));
    section
}

/// Is there a plan to show (the target was worked on)?
fn planned(r: &TargetResult) -> Option<&BumpPlan> {
    if matches!(r.branch, BranchOutcome::Unneeded) {
        return None;
    }
    r.plan.as_ref()
}

/// "planned" while the target waits on a conflict or another line.
fn prefix(r: &TargetResult) -> &'static str {
    if r.result.is_none() { "planned: " } else { "" }
}

fn cherry_pick(r: &TargetResult, opts: &RowOptions) -> Option<CheckResult> {
    if !matches!(r.method, Method::CherryPick) {
        return None;
    }
    let t = &r.target;
    let mut details: Vec<Detail> = Vec::new();
    let mut flagged = 0;
    for p in &r.picked {
        let how = if p.resolved {
            " (its conflict resolved in the worktree)"
        } else if p.new == p.original.id {
            " (the fix branch starts on this line)"
        } else {
            ""
        };
        details.push(
            Detail::new(format!(
                "picked {} as {}{how}: {}",
                p.original.short_id(),
                short(p.new),
                p.original.summary
            ))
            .commit(p.original.id.to_string()),
        );
        for (file, from, to) in &p.rewrites {
            let subject = p
                .subject
                .as_ref()
                .map(|s| format!(", and its subject now reads \"{s}\""))
                .unwrap_or_default();
            details.push(
                Detail::new(format!(
                    "{} carries only bookkeeping: its entry in `{file}` now names {to}, \
                     the version `{}` ships (main: {from}){subject}",
                    p.original.short_id(),
                    t.name
                ))
                .file(file.clone())
                .commit(p.original.id.to_string()),
            );
        }
        for file in &p.placed {
            flagged += 1;
            details.push(
                Detail::new(format!(
                    "{} ({}) conflicted only in `{file}`, whose entries differ on `{}`: the tool placed \
                     main's new entry where main put it; read it before you push",
                    p.original.short_id(),
                    p.original.summary,
                    t.name
                ))
                .status(Status::Warn)
                .file(file.clone())
                .commit(p.original.id.to_string()),
            );
        }
        if !p.unmapped.is_empty() {
            flagged += 1;
            details.push(
                Detail::new(format!(
                    "{} ({}) carries a changelog entry naming {}, which `{}` does not ship and no crate maps to: \
                     fix the entry by hand",
                    p.original.short_id(),
                    p.original.summary,
                    p.unmapped.join(", "),
                    t.name
                ))
                .status(Status::Warn)
                .commit(p.original.id.to_string()),
            );
        }
    }
    for s in &r.skipped {
        let mut d = Detail::new(format!(
            "skipped {} ({}): {}: {}",
            s.original.short_id(),
            s.kind,
            s.original.summary,
            s.why
        ))
        .commit(s.original.id.to_string());
        if !s.certain {
            flagged += 1;
            d = Detail::new(format!(
                "{}; only a human can confirm it: compare the two, and backport it by hand if it is not the same fix",
                d.message
            ))
            .commit(s.original.id.to_string())
            .status(Status::Warn);
        }
        details.push(d);
    }
    if let Some(c) = &r.conflict
        && let ConflictKind::Pick(commit) = &c.kind
    {
        let row = CheckResult::fail(
            "cherry-pick",
            format!(
                "{} ({}) does not apply to `{}`: conflict in {}",
                commit.short_id(),
                commit.summary,
                t.name,
                c.files.join(", ")
            ),
        )
        .details(details)
        .detail(
            Detail::new(format!(
                "conflict: {} ({})",
                commit.short_id(),
                commit.summary
            ))
            .commit(commit.id.to_string()),
        );
        return Some(conflict_details(row, r, c, opts.full));
    }
    if r.picked.is_empty() && matches!(r.branch, BranchOutcome::Unneeded) {
        return Some(
            CheckResult::pass(
                "cherry-pick",
                format!(
                    "`{}` already has every fix commit: nothing to backport",
                    t.name
                ),
            )
            .details(details),
        );
    }
    let summary = format!(
        "{} picked, {} skipped",
        count(r.picked.len(), "commit"),
        r.skipped.len()
    );
    let row = if flagged > 0 {
        CheckResult::warn("cherry-pick", summary)
    } else {
        CheckResult::pass("cherry-pick", summary)
    };
    Some(row.details(details))
}

/// The conflicting files, the ranked prerequisites, and the advice.
fn conflict_details(
    mut row: CheckResult,
    r: &TargetResult,
    c: &Conflict,
    full: bool,
) -> CheckResult {
    let t = &r.target;
    for f in &c.files {
        row = row.detail(Detail::new(format!("conflicting file `{f}`")).file(f.clone()));
    }
    let shown = if full {
        c.prerequisites.len()
    } else {
        PREREQUISITES_SHOWN.min(c.prerequisites.len())
    };
    for p in &c.prerequisites[..shown] {
        let why = if p.overlap > 0 {
            format!("wrote {} of the lines the pick needs", p.overlap)
        } else {
            "touches the conflicting files".to_string()
        };
        row = row.detail(
            Detail::new(format!(
                "context: likely prerequisite {} ({}): {why} in {}, and is not on `{}`",
                p.commit.short_id(),
                p.commit.summary,
                p.files.join(", "),
                t.name
            ))
            .commit(p.commit.id.to_string()),
        );
    }
    if shown < c.prerequisites.len() {
        row = row.detail(Detail::new(format!(
            "context: {} more touch these files (-v or --format json lists them)",
            count(c.prerequisites.len() - shown, "commit")
        )));
    }
    let hint = match &c.worktree {
        Some(Ok(path)) => format!(
            "resolve the conflict in the worktree the tool left, then let it finish \
             (remaining picks, bump commit, branch, build):
\
             {}
\
             # edit {}, then:
\
             {}
\
             cargo security-release backport --continue
\
             (`backport --abort` drops it; nothing was written for `{}`)",
            command(["cd"], [path.to_string_lossy()]),
            command([], &c.files),
            command(["git", "add", "--"], &c.files),
            t.name
        ),
        Some(Err(e)) => format!(
            "nothing was written for `{}`; --worktree could not leave the conflict for you: {e}",
            t.name
        ),
        None => format!(
            "nothing was written for `{}`. Rewriting the fix for an old line is the normal case: \
             run the same command again with `--worktree` to resolve the conflict in a worktree, \
             then `cargo security-release backport --continue`; or land the prerequisites first, \
             or adopt a fix written by hand with `{}`",
            t.name,
            command(["--onto"], [format!("{}=<branch>", t.name)])
        ),
    };
    row.hint(hint)
}

fn counterparts(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    let Method::HandMade(h) = &r.method else {
        return None;
    };
    let t = &r.target;
    let mut details = Vec::new();
    let mut missing = 0;
    for c in &h.counterparts {
        let on = c.on.map(|o| format!(" → {}", short(o))).unwrap_or_default();
        let mut d = Detail::new(format!(
            "{} ({}){on} [{}]: {}",
            c.original.short_id(),
            c.original.summary,
            c.kind,
            c.why
        ))
        .commit(c.original.id.to_string());
        if c.kind == "missing" || !c.certain {
            missing += 1;
            d = d.status(Status::Warn);
        }
        details.push(d);
    }
    if h.behind > 0 {
        details.push(
            Detail::new(format!(
                "`{}` starts {} behind `{}`'s tip ({}): the release will not have them, \
                 and merging it back needs a merge",
                h.branch.name,
                count(h.behind, "commit"),
                t.name,
                short(t.tip.commit)
            ))
            .status(Status::Warn)
            .reference(h.branch.name.clone()),
        );
    }
    let mapped = h.counterparts.len() - missing;
    let summary = format!(
        "hand-made backport `{}`: {mapped} of {} have a counterpart (or are not needed)",
        h.branch.name,
        count(h.counterparts.len(), "fix commit")
    );
    let row = if missing > 0 || h.behind > 0 {
        CheckResult::warn("counterparts", summary).hint(format!(
            "make sure `{}` holds the whole fix: a fix commit without a counterpart may be missing \
             from `{}`",
            h.branch.name, t.name
        ))
    } else {
        CheckResult::pass("counterparts", summary)
    };
    Some(row.details(details))
}

fn merge(r: &TargetResult, opts: &RowOptions) -> Option<CheckResult> {
    let Method::Merge(m) = &r.method else {
        return None;
    };
    let t = &r.target;
    if let Some(blocked) = &m.waiting_for {
        return Some(CheckResult::skip(
            "merge",
            format!(
                "waiting for `{blocked}`: the merge chain ({}) goes on once it is built \
                 (`backport --continue` after its conflict)",
                m.chain.join(" → ")
            ),
        ));
    }
    if let Some(c) = &r.conflict {
        let row = CheckResult::fail(
            "merge",
            format!(
                "merging `{}` ({}) into `{}` conflicts in {}",
                m.from_branch,
                short(m.from),
                t.name,
                c.files.join(", ")
            ),
        );
        return Some(conflict_details(row, r, c, opts.full));
    }
    if matches!(r.branch, BranchOutcome::Unneeded) {
        return Some(CheckResult::pass(
            "merge",
            format!("`{}` already has the fix: nothing to merge", t.name),
        ));
    }
    let commit = m.commit.map(short).unwrap_or_default();
    Some(
        CheckResult::pass(
            "merge",
            format!(
                "merged `{}` ({}) into `{}` as {commit}",
                m.from_branch,
                short(m.from),
                t.name
            ),
        )
        .detail(Detail::new(format!("merge chain: {}", m.chain.join(" → ")))),
    )
}

fn version_bump(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    if r.plan.is_none() && matches!(r.branch, BranchOutcome::Created { .. }) {
        return Some(CheckResult::skip(
            "version-bump",
            "the branch was written before the last run was interrupted; the plan was not recomputed",
        ));
    }
    let plan = planned(r)?;
    let t = &r.target;
    let mut details: Vec<Detail> = Vec::new();
    for v in &plan.versions {
        let msg = match &v.new {
            Some(new) => format!("{} {} → {new} ({})", v.krate, v.old, v.why),
            None => format!("{} stays {} ({})", v.krate, v.old, v.why),
        };
        details.push(Detail::new(msg).krate(v.krate.clone()));
    }
    if !plan.collisions.is_empty() {
        let mut row = CheckResult::fail(
            "version-bump",
            format!(
                "planned version already exists: {}",
                plan.collisions
                    .iter()
                    .map(|c| format!("{} {} ({})", c.krate, c.version, c.places.join(", ")))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .details(details);
        let mut hint = String::from("nothing was written for this target. Options: ");
        for c in &plan.collisions {
            row = row.detail(
                Detail::new(format!(
                    "{} {} already exists on {}: releasing a different {} {} from `{}` is impossible",
                    c.krate,
                    c.version,
                    c.places.join(", "),
                    c.krate,
                    c.version,
                    t.name
                ))
                .status(Status::Fail)
                .krate(c.krate.clone()),
            );
            let next = c
                .next_free
                .as_ref()
                .map(|v| v.to_string())
                .unwrap_or_else(|| "an unused version".to_string());
            hint.push_str(&format!(
                "(1) release {} {next} from `{}` instead: set it on the target by hand and run again with \
                 `bump = {{ \"{}\" = \"none\" }}`; (2) if {} {} was never published, ship the fix in that \
                 release ({}) rather than in a new one; (3) leave `{}` out of the targets and backport it by hand. ",
                c.krate,
                t.name,
                t.role.clone().unwrap_or_else(|| t.name.clone()),
                c.krate,
                c.version,
                c.places.join(", "),
                t.name
            ));
        }
        return Some(row.hint(hint.trim_end().to_string()));
    }
    let bumped: Vec<String> = plan
        .versions
        .iter()
        .filter_map(|v| {
            v.new
                .as_ref()
                .map(|n| format!("{} {} → {n}", v.krate, v.old))
        })
        .collect();
    let summary = if bumped.is_empty() {
        "no version changes".to_string()
    } else {
        bumped.join(", ")
    };
    let mut row =
        CheckResult::pass("version-bump", format!("{}{summary}", prefix(r))).details(details);
    if let Some(c) = r.bump_commit {
        row = row.detail(Detail::new(format!("bump commit {}", short(c))).commit(c.to_string()));
    } else if r.result.is_some() {
        row = row.detail(Detail::new("no bump commit: nothing to change"));
    }
    Some(row)
}

fn dependents(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    let plan = planned(r)?;
    if !plan.collisions.is_empty() {
        return None;
    }
    let details: Vec<Detail> = plan
        .requirements
        .iter()
        .map(|(file, c)| {
            Detail::new(format!(
                "{} in [{}]: \"{}\" → \"{}\"",
                c.key, c.table, c.old, c.new
            ))
            .file(file.clone())
            .krate(c.krate.clone())
        })
        .collect();
    Some(listing(
        "dependents",
        r,
        details,
        "no requirement to raise",
        ("requirement", "raised"),
    ))
}

/// A `pass` row that lists what the bump changes, or says there is nothing.
fn listing(
    id: &str,
    r: &TargetResult,
    details: Vec<Detail>,
    nothing: &str,
    (noun, verb): (&str, &str),
) -> CheckResult {
    if details.is_empty() {
        CheckResult::pass(id, format!("{}{nothing}", prefix(r)))
    } else {
        CheckResult::pass(
            id,
            format!("{}{} {verb}", prefix(r), count(details.len(), noun)),
        )
        .details(details)
    }
}

fn lockfile(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    let plan = planned(r)?;
    if !plan.collisions.is_empty() {
        return None;
    }
    let mut details: Vec<Detail> = plan
        .lock_updates
        .iter()
        .map(|(file, name, old, new)| {
            Detail::new(format!("{file}: {name} {old} → {new}"))
                .krate(name.clone())
                .file(file.clone())
        })
        .collect();
    for n in &plan.external.needs {
        if let Some(LockAlignment::Updated { file, old, new }) = &n.lock {
            details.push(
                Detail::new(format!(
                    "{file}: {} {old} → {new} (main's entry: checksum and dependencies)",
                    n.package
                ))
                .krate(n.package.clone())
                .file(file.clone()),
            );
        }
    }
    Some(listing(
        "lockfile",
        r,
        details,
        "no Cargo.lock entry to update",
        ("Cargo.lock entry", "updated"),
    ))
}

fn doc_versions(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    let plan = planned(r)?;
    if plan.doc_updates.is_empty() {
        return None;
    }
    let details: Vec<Detail> = plan
        .doc_updates
        .iter()
        .map(|(file, name, old, new)| {
            Detail::new(format!("{file}: {name} {old} → {new}"))
                .krate(name.clone())
                .file(file.clone())
        })
        .collect();
    Some(
        CheckResult::pass(
            "doc-versions",
            format!(
                "{}{} the new version",
                prefix(r),
                count_with_verb(plan.doc_updates.len(), "file", "shows", "show")
            ),
        )
        .details(details),
    )
}

/// External dependencies: what the fix needs (aligned, refused, or left for
/// a manual lockfile update) first, then the packages locked differently,
/// those the fix's code uses first; at most a few unless `full`.
fn external_deps(r: &TargetResult, opts: &RowOptions) -> Option<CheckResult> {
    const ID: &str = "external-deps";
    let plan = planned(r)?;
    let ext = &plan.external;
    let t = &r.target;
    let mut lines: Vec<Detail> = Vec::new();
    let mut failed = 0;
    let mut aligned = 0;
    let mut other_major = 0;
    for n in &ext.needs {
        let base = format!(
            "{}: the fix uses it ({}); main requires \"{}\", `{}` requires \"{}\" (in [{}] of `{}`)",
            n.package, n.evidence, n.main_req, t.name, n.target_req, n.table, n.manifest
        );
        let d = match (&n.aligned_req, &n.lock) {
            // Not an alignment the tool may make, and not proof of a
            // failure either: the build step decides.
            (_, Some(LockAlignment::OtherMajor(why))) => {
                other_major += 1;
                Detail::new(format!("{base}: not aligned: {why}")).status(Status::Warn)
            }
            (None, Some(LockAlignment::Manual(why))) => {
                failed += 1;
                Detail::new(format!("{base}: not aligned: {why}")).status(Status::Fail)
            }
            (None, _) => {
                failed += 1;
                Detail::new(format!(
                    "{base}: not aligned (--no-align-deps); the branch may not build"
                ))
                .status(Status::Fail)
            }
            (Some(new), Some(LockAlignment::Manual(why))) => {
                failed += 1;
                Detail::new(format!(
                    "{base}: requirement raised to \"{new}\", but the lockfile needs a manual update: {why}"
                ))
                .status(Status::Fail)
            }
            (Some(new), lock) => {
                aligned += 1;
                let lock = match lock {
                    Some(LockAlignment::Updated { old, new, .. }) => {
                        format!("; Cargo.lock {old} → {new}")
                    }
                    Some(LockAlignment::AlreadyLocked { version }) => {
                        format!("; Cargo.lock already has {version}")
                    }
                    Some(LockAlignment::Untracked) => "; the line tracks no Cargo.lock".to_string(),
                    _ => String::new(),
                };
                Detail::new(format!(
                    "{base}: aligned in the bump commit: \"{}\" → \"{new}\"{lock}",
                    n.target_req
                ))
            }
        };
        lines.push(d.krate(n.package.clone()).file(n.manifest.clone()));
    }
    let mut flagged = 0;
    for d in ext.locked.iter().flatten() {
        if ext.needs.iter().any(|n| n.package == d.name) {
            continue;
        }
        let mut msg = format!(
            "{}: main locks {}, `{}` locks {}",
            d.name,
            list_or_none(&d.main),
            t.name,
            list_or_none(&d.target)
        );
        let detail = match (&d.evidence, d.used_by.is_empty()) {
            (Some(e), _) => {
                flagged += 1;
                msg.push_str(&format!(
                    "; the fix uses it ({e}): make sure it does not rely on the newer version"
                ));
                Detail::new(msg).status(Status::Warn)
            }
            (None, false) => {
                msg.push_str(&format!("; a dependency of {}", d.used_by.join(", ")));
                Detail::new(msg)
            }
            (None, true) => Detail::new(msg),
        };
        lines.push(detail.krate(d.name.clone()));
    }
    let total = lines.len();
    if !opts.full && total > EXTERNAL_SHOWN {
        lines.truncate(EXTERNAL_SHOWN);
        lines.push(Detail::new(format!(
            "… and {} more (-v or --format json lists them all)",
            total - EXTERNAL_SHOWN
        )));
    }
    // Packages counted as needs are not counted again.
    let differing = ext
        .locked
        .iter()
        .flatten()
        .filter(|d| !ext.needs.iter().any(|n| n.package == d.name))
        .count();
    let mut summary = Vec::new();
    if !ext.needs.is_empty() {
        summary.push(format!(
            "{} the fix needs at main's version ({aligned} aligned)",
            count(ext.needs.len(), "external crate")
        ));
    }
    match &ext.locked {
        Some(_) if differing > 0 => summary.push(format!(
            "{} locked differently, {flagged} used by the fix's code",
            count(differing, "external package")
        )),
        Some(_) => summary.push("external packages locked as on the main branch".to_string()),
        None => summary.push("no Cargo.lock on both sides to compare locked versions".to_string()),
    }
    let summary = format!("{}{}", prefix(r), summary.join("; "));
    let row = if let Some(e) = &ext.error {
        CheckResult::error(ID, format!("could not compare with the main branch: {e}"))
    } else if failed > 0 {
        let hint = if ext.align_disabled {
            "run without --no-align-deps to raise the requirement (and its Cargo.lock entry) in the bump commit, \
             or raise it by hand on the branch"
                .to_string()
        } else {
            format!(
                "update the requirement and `Cargo.lock` on `{}` by hand, then check it",
                t.branch
            )
        };
        CheckResult::fail(ID, summary).hint(hint)
    } else if flagged > 0 || other_major > 0 {
        CheckResult::warn(ID, summary)
    } else {
        CheckResult::pass(ID, summary)
    };
    Some(row.details(lines))
}

fn list_or_none(v: &[String]) -> String {
    if v.is_empty() {
        "none".to_string()
    } else {
        v.join(", ")
    }
}

fn build(r: &TargetResult, _: &RowOptions) -> Option<CheckResult> {
    if matches!(r.branch, BranchOutcome::Unneeded) {
        return None;
    }
    Some(match &r.build {
        BuildOutcome::Passed { command, seconds } => {
            CheckResult::pass("build", format!("`{command}` passed ({seconds:.1} s)"))
        }
        BuildOutcome::Failed { command, errors } => CheckResult::fail(
            "build",
            format!("`{command}` fails on `{}`", r.target.branch),
        )
        .details(errors.iter().map(|e| Detail::new(e.clone())))
        .hint(format!(
            "the branch was written so that it can be fixed: `git switch {}`, fix the build, commit, \
             and check it with `cargo security-release check --branch {}`",
            r.target.branch, r.target.branch
        )),
        BuildOutcome::Skipped(why) => CheckResult::skip("build", why.clone()),
        BuildOutcome::Error(why) => CheckResult::error("build", format!("could not build: {why}")),
    })
}

fn branch(r: &TargetResult) -> CheckResult {
    let t = &r.target;
    let at = r.result.map(short).unwrap_or_default();
    match &r.branch {
        BranchOutcome::Created { replaced: None } => {
            CheckResult::pass("branch", format!("created `{}` at {at}", t.branch))
                .detail(Detail::new(format!("{} → {at}", t.branch)).reference(t.branch.clone()))
        }
        BranchOutcome::Created {
            replaced: Some(old),
        } => CheckResult::pass(
            "branch",
            format!("replaced `{}` (was {}) with {at}", t.branch, short(*old)),
        )
        .detail(Detail::new(format!("{} → {at}", t.branch)).reference(t.branch.clone())),
        BranchOutcome::WouldCreate { replaces } => CheckResult::skip(
            "branch",
            match replaces {
                None => format!("dry run: would create `{}` at {at}", t.branch),
                Some(old) => format!(
                    "dry run: would replace `{}` (at {}) with {at}",
                    t.branch,
                    short(*old)
                ),
            },
        ),
        BranchOutcome::NotWritten(why) => CheckResult::fail("branch", why.clone())
            .detail(Detail::new(why.clone()).reference(t.branch.clone())),
        BranchOutcome::Unneeded => CheckResult::skip(
            "branch",
            "no branch created: the target already has the fix",
        ),
        BranchOutcome::NotBuilt => CheckResult::skip(
            "branch",
            match (&r.conflict, &r.method) {
                (Some(_), _) => format!(
                    "`{}` not written: resolve the conflict, then `backport --continue`",
                    t.branch
                ),
                (None, Method::Merge(m)) if m.waiting_for.is_some() => format!(
                    "`{}` not written: waiting for `{}`",
                    t.branch,
                    m.waiting_for.clone().unwrap_or_default()
                ),
                _ => format!(
                    "`{}` not written: the backport could not be built",
                    t.branch
                ),
            },
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backport::Target;
    use crate::git::{Oid, RefTip};

    fn result_with_locked(n: usize) -> TargetResult {
        let target = Target {
            name: "stable".into(),
            role: None,
            tip: RefTip {
                name: "stable".into(),
                commit: Oid::zero(),
            },
            branch: "security-release/stable".into(),
            handmade: None,
        };
        let mut r = TargetResult::new(&target, "patch".into(), Method::CherryPick);
        let locked = (0..n)
            .map(|i| LockedDifference {
                name: format!("dep{i}"),
                main: vec!["1.0.1".into()],
                target: vec!["1.0.0".into()],
                used_by: Vec::new(),
                // The last one is what the fix's code uses: ranked first.
                evidence: (i == n - 1).then(|| "`src/lib.rs`: `dep::f()`".to_string()),
            })
            .collect::<Vec<_>>();
        // As `external::compare` ranks them.
        let mut locked = locked;
        locked.sort_by_key(|d| (d.evidence.is_none(), d.name.clone()));
        r.plan = Some(BumpPlan {
            external: ExternalDeps {
                locked: Some(locked),
                ..ExternalDeps::default()
            },
            ..BumpPlan::default()
        });
        r
    }

    #[test]
    fn external_deps_are_ranked_short_and_never_pass_lines() {
        let r = result_with_locked(8);
        let row = external_deps(&r, &RowOptions { full: false }).unwrap();
        assert_eq!(row.status, Status::Warn);
        assert!(row.details[0].message.starts_with("dep7:"), "{row:?}");
        assert_eq!(row.details.len(), EXTERNAL_SHOWN + 1);
        assert!(row.details.last().unwrap().message.contains("3 more"));
        assert!(row.details.iter().all(|d| d.status != Some(Status::Pass)));
        let full = external_deps(&r, &RowOptions { full: true }).unwrap();
        assert_eq!(full.details.len(), 8);
    }
}
