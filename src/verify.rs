//! The rows of `verify-published`: did the release land where it should?
//! `registry` (each expected `name@version` is in the index, not yanked,
//! optionally with the checksum of a local `cargo package`), `tag`,
//! `branches` (every fix commit is on main, stable and beta) and
//! `superproject` (its submodule points at a commit with the fix).

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result, anyhow, bail};
use semver::Version;
use sha2::{Digest, Sha256};

use crate::checks::embargo::looks_private;
use crate::context::Context;
use crate::git::{CommitInfo, Oid, Remote, Repo, TempWorktree, short};
use crate::lockfile::Lockfile;
use crate::presence::{self, Fix, Match};
use crate::registry::{IndexEntry, SparseRegistry};
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, noun};
use crate::workspace;

/// A crate version the release should have published.
#[derive(Clone, Debug)]
pub struct Expected {
    pub name: String,
    pub version: Version,
    /// The member's manifest, when the crate is in the workspace.
    pub manifest: Option<String>,
    /// The branch that carries it (`None` for `--crate`).
    pub branch: Option<(String, Oid)>,
}

impl Expected {
    pub fn id(&self) -> String {
        format!("{}@{}", self.name, self.version)
    }
}

/// A branch the fix must be on: the main branch and the release branches.
#[derive(Clone, Debug)]
pub struct TargetBranch {
    /// `main`, `stable`, `beta`, …
    pub role: String,
    pub name: String,
    pub tip: Option<Oid>,
}

pub fn target_branches(cx: &Context) -> Result<Vec<TargetBranch>> {
    let mut out = Vec::new();
    if let Some(main) = &cx.config.main_branch {
        out.push(TargetBranch {
            role: "main".to_string(),
            name: main.clone(),
            tip: cx.repo.branch_tip(main).map(|t| t.commit),
        });
    }
    for line in cx.releases.lines(&cx.repo)? {
        out.push(TargetBranch {
            role: line
                .role
                .clone()
                .unwrap_or_else(|| "release line".to_string()),
            name: line.name.clone(),
            tip: line.tip.as_ref().map(|t| t.commit),
        });
    }
    Ok(out)
}

/// `--crate name@version` values.
pub fn parse_crate_args(cx: &Context, specs: &[String]) -> Result<Vec<Expected>> {
    specs
        .iter()
        .map(|spec| {
            let (name, version) = spec.split_once('@').ok_or_else(|| {
                anyhow!("--crate `{spec}`: expected NAME@VERSION, e.g. cargo-util@0.2.5")
            })?;
            let version = Version::parse(version)
                .map_err(|e| anyhow!("--crate `{spec}`: `{version}` is not a version: {e}"))?;
            Ok(Expected {
                name: name.to_string(),
                version,
                manifest: cx.head_ws.member(name).map(|m| m.manifest.clone()),
                branch: None,
            })
        })
        .collect()
}

/// The versions the release produced: on each branch, every publishable
/// crate the fix modified whose version at the branch's tip differs from its
/// version where the branch and BASE meet (main: BASE itself).
pub fn expected_from_branches(cx: &Context, branches: &[TargetBranch]) -> Result<Vec<Expected>> {
    let mut out: Vec<Expected> = Vec::new();
    for branch in branches {
        let Some(tip) = branch.tip else { continue };
        let since = cx.repo.merge_base(tip, cx.base.commit)?;
        for krate in cx.changed.iter().filter(|c| c.publish) {
            let Some(at_tip) = cx.version_at(tip, &krate.name)? else {
                continue;
            };
            let before = cx.version_at(since, &krate.name)?;
            if before.as_ref() == Some(&at_tip) {
                continue;
            }
            if out
                .iter()
                .any(|e| e.name == krate.name && e.version == at_tip)
            {
                continue;
            }
            out.push(Expected {
                name: krate.name.clone(),
                version: at_tip,
                manifest: Some(krate.manifest.clone()),
                branch: Some((branch.name.clone(), tip)),
            });
        }
    }
    Ok(out)
}

fn describe_expected(e: &Expected) -> String {
    match &e.branch {
        Some((b, _)) => format!("{} ({b})", e.id()),
        None => e.id(),
    }
}

/// Options of the `registry` row.
pub struct RegistryOptions<'a> {
    pub wait: Option<Duration>,
    pub verify_contents: bool,
    pub tags: &'a TagRules,
}

/// `registry`: every expected version is in the index and not yanked.
pub fn registry_row(
    cx: &Context,
    registry: &SparseRegistry,
    expected: &[Expected],
    opts: &RegistryOptions<'_>,
) -> Result<CheckResult> {
    const ID: &str = "registry";
    let index = registry.location().label.clone();
    if expected.is_empty() {
        return Ok(CheckResult::skip(
            ID,
            "no crate version changed on any branch since BASE; name them with --crate NAME@VERSION",
        ));
    }
    let names: Vec<String> = expected
        .iter()
        .map(|e| e.name.clone())
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    cx.shell.status(
        "Querying",
        format!("{index} for {}", count(names.len(), "crate")),
    );
    let mut entries = registry.entries(&names);
    if let Some(limit) = opts.wait {
        let deadline = Instant::now() + limit;
        loop {
            let missing: Vec<&Expected> = expected
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
            std::thread::sleep(left.min(Duration::from_secs(5)));
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
        let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
        match lookup(&entries, &e.name) {
            Some(Err(err)) => findings.push(detail(
                Status::Error,
                format!("could not verify {}: {err:#}", describe_expected(e)),
            )),
            None => findings.push(detail(
                Status::Error,
                format!("could not verify {}: no answer", describe_expected(e)),
            )),
            Some(Ok(entry)) => match entry.find(&e.version) {
                None if entry.versions.is_none() => findings.push(detail(
                    Status::Fail,
                    format!(
                        "{} is not published: {index} has no crate `{}`",
                        describe_expected(e),
                        e.name
                    ),
                )),
                None => findings.push(detail(
                    Status::Fail,
                    format!(
                        "{} is not published: {index} has {} of `{}`, not {}",
                        describe_expected(e),
                        count(entry.versions.as_ref().map_or(0, Vec::len), "other version"),
                        e.name,
                        e.version
                    ),
                )),
                Some(v) if v.yanked => findings.push(detail(
                    Status::Fail,
                    format!("{} is published but yanked", describe_expected(e)),
                )),
                Some(v) => {
                    findings.push(detail(
                        Status::Pass,
                        format!("{} is on {index}", describe_expected(e)),
                    ));
                    if opts.verify_contents {
                        findings.push(compare_contents(cx, e, &v.checksum, opts.tags));
                    }
                }
            },
        }
    }
    let total = expected.len();
    let result = CheckResult::from_findings(ID, findings, "", |f| {
        let bad = f
            .iter()
            .filter(|d| matches!(d.status, Some(Status::Fail | Status::Error)))
            .count();
        if bad == 0 {
            format!("{} published on {index}", count(total, "crate version"))
        } else {
            format!(
                "{} with {} on {index}",
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

fn lookup<'a>(
    entries: &'a [(String, Result<IndexEntry>)],
    name: &str,
) -> Option<&'a Result<IndexEntry>> {
    entries.iter().find(|(n, _)| n == name).map(|(_, r)| r)
}

/// `--verify-contents`: `cargo package` on the release tag's tree, in a
/// temporary worktree, must give the checksum the index has.
fn compare_contents(cx: &Context, e: &Expected, index_checksum: &str, tags: &TagRules) -> Detail {
    let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
    let Some(tag) = tags.find(cx, e) else {
        return detail(
            Status::Error,
            format!(
                "contents of {} not verified: no release tag to package from",
                e.id()
            ),
        );
    };
    match package_checksum(cx, e, &tag) {
        Ok((sum, cargo)) if sum == index_checksum => detail(
            Status::Pass,
            format!("{} contents match: `cargo package` at tag `{}` ({cargo}) gives the index checksum", e.id(), tag.name),
        )
        .reference(&tag.name),
        Ok((sum, cargo)) => detail(
            Status::Fail,
            format!(
                "{} contents differ: index checksum {}…, `cargo package` at tag `{}` ({cargo}) gives {}…",
                e.id(),
                &index_checksum[..12.min(index_checksum.len())],
                tag.name,
                &sum[..12.min(sum.len())]
            ),
        )
        .reference(&tag.name),
        Err(err) => detail(
            Status::Error,
            format!("contents of {} not verified: {err:#}", e.id()),
        ),
    }
}

fn package_checksum(cx: &Context, e: &Expected, tag: &TagHit) -> Result<(String, String)> {
    let dir = cx.target_dir.join("security-release").join("package");
    let name = format!("{}-{}", e.name, e.version);
    let wt = TempWorktree::create(&cx.repo, &dir, &name, tag.commit)?;
    let ws_root = wt.path.join(&cx.ws_dir);
    let target = wt.path.join("target");
    cx.shell
        .status("Packaging", format!("{} at tag `{}`", e.id(), tag.name));
    let mut cmd = crate::context::cargo_command(&ws_root);
    cmd.args(["package", "--no-verify", "--allow-dirty", "-p", &e.name])
        .env("CARGO_TARGET_DIR", &target);
    if cx.config.offline {
        cmd.arg("--offline");
    }
    let out = crate::process::output(&mut cmd, None).context("cannot run `cargo package`")?;
    if !out.ended.success() {
        bail!(
            "`cargo package -p {}` failed at tag `{}`: {}",
            e.name,
            tag.name,
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

/// Which tag marks a crate version's release, as the release model infers
/// it, and the names a missing tag would have (learned from how the
/// crate's, or the repository's, earlier release tags are named).
pub struct TagRules {
    /// Prefixes in use: `v`, ``, `mycrate-`, and whether the prefix names the crate.
    styles: Vec<(String, bool)>,
}

pub struct TagHit {
    pub name: String,
    pub commit: Oid,
}

impl TagRules {
    pub fn new(cx: &Context) -> Result<TagRules> {
        let mut styles: Vec<(String, bool)> = Vec::new();
        for tag in &cx.releases.tags {
            let version = tag.version.to_string();
            let Some(prefix) = tag.name.strip_suffix(&version) else {
                continue;
            };
            let style = match &tag.prefix_crate {
                Some(k) if cx.head_ws.member(k).is_some() => {
                    (prefix.replacen(k.as_str(), "{crate}", 1), true)
                }
                _ => (prefix.to_string(), false),
            };
            if !styles.contains(&style) {
                styles.push(style);
            }
        }
        Ok(TagRules { styles })
    }

    /// Tag names that would mark this crate version as released.
    pub fn candidates(&self, cx: &Context, e: &Expected) -> Vec<String> {
        let version = e.version.to_string();
        // The crate's own earlier tags say best how its next one is named.
        if let Ok(own) = cx.releases.release_tags_of(&cx.repo, &e.name)
            && let Some(newest) = own.first()
            && let Some(prefix) = newest.name.strip_suffix(&newest.version.to_string())
        {
            return vec![format!("{prefix}{version}")];
        }
        // A crate never tagged yet follows the repository's per-crate style;
        // crate-less tags (`v1.2.3`) name other crates, not this one.
        self.styles
            .iter()
            .filter(|(_, with_crate)| *with_crate)
            .map(|(prefix, _)| format!("{}{version}", prefix.replace("{crate}", &e.name)))
            .collect()
    }

    pub fn find(&self, cx: &Context, e: &Expected) -> Option<TagHit> {
        cx.releases
            .release_tag(&cx.repo, &e.name, &e.version)
            .ok()
            .flatten()
            .map(|t| TagHit {
                name: t.name.clone(),
                commit: t.commit,
            })
    }

    /// A tag with one of the expected names, even if its commit does not
    /// carry the version (so that the row can say what is wrong with it).
    pub fn named(&self, cx: &Context, e: &Expected) -> Option<TagHit> {
        let names = self.candidates(cx, e);
        cx.releases
            .tags
            .iter()
            .find(|t| names.contains(&t.name))
            .map(|t| TagHit {
                name: t.name.clone(),
                commit: t.commit,
            })
    }

    pub fn formats(&self) -> String {
        self.styles
            .iter()
            .map(|(p, _)| format!("`{p}{{version}}`"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

/// `tag`: the release tag exists, is on the release branch, and its
/// manifest has the version.
pub fn tag_row(
    cx: &Context,
    expected: &[Expected],
    rules: &TagRules,
    branches: &[TargetBranch],
) -> Result<CheckResult> {
    const ID: &str = "tag";
    let tagged: Vec<&Expected> = expected
        .iter()
        .filter(|e| !rules.candidates(cx, e).is_empty())
        .collect();
    if tagged.is_empty() {
        return Ok(CheckResult::skip(
            ID,
            if rules.styles.is_empty() {
                "the repository has no release tag to learn the tag format from; configure `tag-format`"
                    .to_string()
            } else {
                format!(
                    "no expected crate version is named by the tag {} {}",
                    noun(rules.styles.len(), "format"),
                    rules.formats()
                )
            },
        ));
    }
    let mut findings = Vec::new();
    for e in tagged {
        let detail = |status: Status, msg: String| Detail::new(msg).status(status).krate(&e.name);
        let Some(hit) = rules.find(cx, e).or_else(|| rules.named(cx, e)) else {
            findings.push(detail(
                Status::Fail,
                format!(
                    "no tag for {}: expected `{}`",
                    describe_expected(e),
                    rules.candidates(cx, e).join("` or `")
                ),
            ));
            continue;
        };
        // The branch the version came from, else any target branch.
        let on: Vec<&str> = match &e.branch {
            Some((name, tip)) => {
                if cx.repo.contains(*tip, hit.commit)? {
                    vec![name.as_str()]
                } else {
                    vec![]
                }
            }
            None => {
                let mut on = Vec::new();
                for b in branches {
                    if let Some(tip) = b.tip
                        && cx.repo.contains(tip, hit.commit)?
                    {
                        on.push(b.name.as_str());
                    }
                }
                on
            }
        };
        if on.is_empty() {
            let expected_on = match &e.branch {
                Some((name, _)) => format!("release branch `{name}`"),
                None => "any release branch".to_string(),
            };
            findings.push(
                detail(
                    Status::Fail,
                    format!(
                        "tag `{}` points at {}, which is not on {expected_on}",
                        hit.name,
                        short(hit.commit)
                    ),
                )
                .reference(&hit.name)
                .commit(hit.commit.to_string()),
            );
            continue;
        }
        let at_tag = cx.version_at(hit.commit, &e.name)?;
        match at_tag {
            Some(v) if v == e.version => findings.push(
                detail(
                    Status::Pass,
                    format!(
                        "tag `{}` ({}) is on `{}` and its manifest says {} {}",
                        hit.name,
                        short(hit.commit),
                        on.join("`, `"),
                        e.name,
                        v
                    ),
                )
                .reference(&hit.name),
            ),
            Some(v) => findings.push(
                detail(
                    Status::Fail,
                    format!(
                        "tag `{}` ({}) has {} {} in {}, not {}",
                        hit.name,
                        short(hit.commit),
                        e.name,
                        v,
                        e.manifest.as_deref().unwrap_or("its manifest"),
                        e.version
                    ),
                )
                .reference(&hit.name)
                .file(e.manifest.clone().unwrap_or_default()),
            ),
            None => findings.push(
                detail(
                    Status::Fail,
                    format!(
                        "tag `{}` ({}) has no crate `{}`",
                        hit.name,
                        short(hit.commit),
                        e.name
                    ),
                )
                .reference(&hit.name),
            ),
        }
    }
    let result = CheckResult::from_findings(ID, findings, "", |f| {
        let bad = f.iter().filter(|d| d.status == Some(Status::Fail)).count();
        if bad == 0 {
            format!("{} in place", count(f.len(), "release tag"))
        } else {
            count(bad, "release tag problem")
        }
    });
    Ok(result.hint_on_fail("tag the release commit on its branch: `git tag <tag> <commit>`, then `git push origin <tag>`"))
}

/// Commits that only touch manifests, `Cargo.lock` or changelogs carry the
/// main branch's own version bump: each branch makes its own.
fn is_bookkeeping(repo: &Repo, commit: &CommitInfo) -> Result<bool> {
    if commit.parent_count != 1 {
        return Ok(commit.parent_count > 1);
    }
    let parent = repo.parent_of(commit.id)?;
    let paths = repo.changed_paths(parent, commit.id)?;
    Ok(!paths.is_empty()
        && paths.iter().all(|p| {
            let file = p.rsplit('/').next().unwrap_or(p);
            file == "Cargo.toml"
                || file == "Cargo.lock"
                || file.to_ascii_lowercase().starts_with("changelog")
                || file.to_ascii_lowercase().starts_with("changes")
                || file.eq_ignore_ascii_case("RELEASES.md")
        }))
}

/// The fix commits every branch must have (merges and version bookkeeping
/// left out), and the left-out ones.
pub fn required_commits(cx: &Context) -> Result<(Vec<CommitInfo>, Vec<CommitInfo>)> {
    let mut required = Vec::new();
    let mut left_out = Vec::new();
    for c in &cx.fix {
        if is_bookkeeping(&cx.repo, c)? {
            left_out.push(c.clone());
        } else {
            required.push(c.clone());
        }
    }
    Ok((required, left_out))
}

/// `branches`: every fix commit is on each of main, stable and beta.
pub fn branches_row(cx: &Context, branches: &[TargetBranch]) -> Result<CheckResult> {
    const ID: &str = "branches";
    let (required, left_out) = required_commits(cx)?;
    if branches.is_empty() {
        return Ok(CheckResult::skip(
            ID,
            "no main or release branch configured or found",
        ));
    }
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &required,
    };
    let mut findings = Vec::new();
    for b in branches {
        let Some(tip) = b.tip else {
            findings.push(
                Detail::new(format!(
                    "{} branch `{}` exists neither locally nor as `origin/{}`",
                    b.role, b.name, b.name
                ))
                .status(Status::Fail)
                .reference(&b.name),
            );
            continue;
        };
        let found = presence::find_on(&cx.repo, &fix, tip)?;
        for (commit, how) in required.iter().zip(found) {
            let d = match how {
                Some(m) => Detail::new(format!(
                    "{} \"{}\" is on `{}` ({})",
                    commit.short_id(),
                    commit.summary,
                    b.name,
                    m.describe()
                ))
                .status(Status::Pass),
                None => Detail::new(format!(
                    "{} \"{}\" is missing on {} branch `{}`",
                    commit.short_id(),
                    commit.summary,
                    b.role,
                    b.name
                ))
                .status(Status::Fail),
            };
            findings.push(d.reference(&b.name).commit(commit.id.to_string()));
        }
    }
    for c in &left_out {
        findings.push(
            Detail::new(format!(
                "{} \"{}\" not required: it only changes versions, Cargo.lock or changelogs (each branch bumps its own)",
                c.short_id(),
                c.summary
            ))
            .commit(c.id.to_string()),
        );
    }
    let names = branches
        .iter()
        .map(|b| format!("`{}`", b.name))
        .collect::<Vec<_>>()
        .join(", ");
    let required_count = required.len();
    let result = CheckResult::from_findings(ID, findings, "", |f| {
        let missing = f.iter().filter(|d| d.status == Some(Status::Fail)).count();
        if missing == 0 {
            format!("all {} on {names}", count(required_count, "fix commit"))
        } else {
            format!(
                "{missing} missing {}",
                if missing == 1 {
                    "fix commit or branch"
                } else {
                    "fix commits or branches"
                }
            )
        }
    });
    Ok(result.hint_on_fail(
        "backport the missing commits (`cargo security-release backport`) and merge them",
    ))
}

/// `--superproject PATH --submodule PATH` and the branches to look at.
pub struct Superproject {
    pub path: PathBuf,
    pub submodule: String,
    pub branches: Vec<String>,
}

/// `superproject`: on each of its branches, the submodule points at a
/// commit that contains the fix, and its Cargo.lock has no `git+` source on
/// a private fork.
pub fn superproject_row(cx: &Context, sp: &Superproject) -> Result<CheckResult> {
    const ID: &str = "superproject";
    let repo =
        Repo::open(&sp.path).with_context(|| format!("--superproject `{}`", sp.path.display()))?;
    let names: Vec<String> = if sp.branches.is_empty() {
        ["master", "main", "beta", "stable"]
            .iter()
            .filter(|n| repo.branch_tip(n).is_some())
            .map(|n| n.to_string())
            .collect()
    } else {
        sp.branches.clone()
    };
    if names.is_empty() {
        bail!(
            "superproject `{}` has none of the branches master, main, beta, stable; name them with --superproject-branch",
            sp.path.display()
        );
    }
    let (required, _) = required_commits(cx)?;
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &required,
    };
    let submodule = workspace::normalize(&sp.submodule);
    let mut findings = Vec::new();
    for name in &names {
        let Some(tip) = repo.branch_tip(name) else {
            findings.push(
                Detail::new(format!("superproject branch `{name}` does not exist"))
                    .status(Status::Fail)
                    .reference(name),
            );
            continue;
        };
        let tree = repo.tree_at(tip.commit)?;
        let Some(pointer) = tree.gitlink(&submodule)? else {
            findings.push(
                Detail::new(format!(
                    "`{submodule}` is not a submodule on superproject branch `{name}`"
                ))
                .status(Status::Fail)
                .reference(name)
                .file(&submodule),
            );
            continue;
        };
        if !cx.repo.has_commit(pointer) {
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which this repository does not have (fetch it, then run again)",
                    short(pointer)
                ))
                .status(Status::Error)
                .reference(name)
                .commit(pointer.to_string()),
            );
            continue;
        }
        let found = presence::find_on(&cx.repo, &fix, pointer)?;
        let missing: Vec<&CommitInfo> = required
            .iter()
            .zip(&found)
            .filter(|(_, m)| m.is_none())
            .map(|(c, _)| c)
            .collect();
        if missing.is_empty() {
            let how = found
                .iter()
                .flatten()
                .map(Match::kind)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect::<Vec<_>>()
                .join(", ");
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which has the fix (matched by {how})",
                    short(pointer)
                ))
                .status(Status::Pass)
                .reference(name)
                .commit(pointer.to_string()),
            );
        } else {
            findings.push(
                Detail::new(format!(
                    "on `{name}`, `{submodule}` points at {}, which lacks {}: update the submodule",
                    short(pointer),
                    missing
                        .iter()
                        .map(|c| c.short_id())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .status(Status::Fail)
                .reference(name)
                .commit(pointer.to_string()),
            );
        }
        if let Some(bytes) = tree.read("Cargo.lock")? {
            let text = String::from_utf8_lossy(&bytes);
            let lock = Lockfile::parse(&text, "Cargo.lock")
                .with_context(|| format!("superproject branch `{name}`"))?;
            for p in &lock.packages {
                let Some(source) = p.source.as_deref().filter(|s| s.starts_with("git+")) else {
                    continue;
                };
                let url = source.trim_start_matches("git+");
                let url = url.split(['?', '#']).next().unwrap_or(url);
                let remote = Remote {
                    name: String::new(),
                    url: url.to_string(),
                };
                if looks_private(&remote) {
                    findings.push(
                        Detail::new(format!(
                            "on `{name}`, the superproject's Cargo.lock takes {} {} from private fork {url}",
                            p.name, p.version
                        ))
                        .status(Status::Fail)
                        .reference(name)
                        .krate(&p.name)
                        .file("Cargo.lock"),
                    );
                }
            }
        }
    }
    let result = CheckResult::from_findings(ID, findings, "", |f| {
        let bad = f
            .iter()
            .filter(|d| matches!(d.status, Some(Status::Fail | Status::Error)))
            .count();
        if bad == 0 {
            format!(
                "`{submodule}` has the fix on {}",
                count(names.len(), "superproject branch")
            )
        } else {
            count(bad, "superproject problem")
        }
    });
    Ok(result.hint_on_fail("update the submodule on each listed branch to a commit with the fix, and drop private git sources"))
}

/// Where `verify-published` keeps its scratch files.
pub fn scratch_dir(cx: &Context) -> PathBuf {
    cx.target_dir.join("security-release").join("registry")
}
