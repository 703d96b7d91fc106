//! What `backport` did, or plans, for one target, as typed data. The rows of
//! the target's report section (`rows.rs`) are built from a `TargetResult`
//! alone; the operation never formats report text.

use std::path::PathBuf;

use semver::Version;

use super::Target;
use super::versions::RequirementChange;
use crate::git::{CommitInfo, Oid, RefTip};

/// A fix commit recreated on the target.
#[derive(Clone, Debug)]
pub struct Picked {
    pub original: CommitInfo,
    pub new: Oid,
    /// `--continue`: the user resolved this pick's conflict.
    pub resolved: bool,
    /// A bookkeeping commit whose changelog headings and subject were
    /// rewritten to the versions this target ships: (file, from, to).
    pub rewrites: Vec<(String, String, String)>,
    /// Versions of the main branch that such a commit still names and
    /// this target does not ship (nothing to rewrite them to).
    pub unmapped: Vec<String>,
    /// Changelogs where the pick conflicted only because the line's entries
    /// differ from main's, and the tool placed main's new entry itself
    /// (where main put it): a human should look at them.
    pub placed: Vec<String>,
    /// The subject as rewritten for this target, when it named main's versions.
    pub subject: Option<String>,
}

/// A fix commit not picked, and why.
#[derive(Clone, Debug)]
pub struct Skipped {
    pub original: CommitInfo,
    /// A presence matcher's kind (`trailer`, `patch-id`, `squashed`, …),
    /// `empty`, `resolved-empty`.
    pub kind: String,
    pub why: String,
    /// False when only a human can confirm the target has it (presence's
    /// warn-level matches): the commit is skipped, and the row warns.
    pub certain: bool,
}

/// A commit on the main branch that likely must land on the target before
/// the conflicting pick applies.
#[derive(Clone, Debug)]
pub struct Prerequisite {
    pub commit: CommitInfo,
    /// The conflicting files it touches.
    pub files: Vec<String>,
    /// How many of the lines the conflicting pick needs (its removed and
    /// context lines) this commit added; 0 when it only touches the files.
    pub overlap: usize,
}

/// What stopped on a conflict.
#[derive(Clone, Debug)]
pub enum ConflictKind {
    /// A fix commit's cherry-pick.
    Pick(CommitInfo),
    /// Merge-forward: merging the previous line's result.
    Merge { from_branch: String, from: Oid },
}

/// A pick or merge that did not apply.
#[derive(Clone, Debug)]
pub struct Conflict {
    pub kind: ConflictKind,
    pub files: Vec<String>,
    /// Ranked: most overlap with the conflicting lines first.
    pub prerequisites: Vec<Prerequisite>,
    /// The fix commits after the conflicting one, still to pick.
    pub remaining: Vec<CommitInfo>,
    /// `--worktree` (or `--continue`): where the conflict waits for the
    /// user, or why it could not be left there.
    pub worktree: Option<Result<PathBuf, String>>,
}

/// A main-branch fix commit and its counterpart on a hand-made backport.
#[derive(Clone, Debug)]
pub struct Counterpart {
    pub original: CommitInfo,
    /// `None`: no counterpart found.
    pub on: Option<Oid>,
    /// A presence matcher's kind (`patch-id`, `code-patch-id`,
    /// `rewritten`, …), `similar` (keeps most of its added lines),
    /// `bookkeeping` (nothing to port) or `missing`.
    pub kind: String,
    pub why: String,
    /// False for matches only a human can confirm (presence's
    /// `rewritten` and `squashed-within`, and `similar`).
    pub certain: bool,
}

/// `--onto TARGET=BRANCH`: the fix written by hand on BRANCH.
#[derive(Clone, Debug)]
pub struct HandMade {
    pub branch: RefTip,
    /// Where BRANCH left the target.
    pub fork: Oid,
    /// Commits of the target that BRANCH does not have (it started from
    /// an older commit of the line).
    pub behind: usize,
    pub counterparts: Vec<Counterpart>,
}

/// Merge-forward: the previous line's result merged into this target.
#[derive(Clone, Debug)]
pub struct MergeStep {
    pub from_branch: String,
    pub from: Oid,
    /// The merge commit (`None` while it conflicts or waits).
    pub commit: Option<Oid>,
    /// The whole chain, oldest line first.
    pub chain: Vec<String>,
    /// The previous line did not build: nothing to merge yet.
    pub waiting_for: Option<String>,
}

/// A crate's version on the target and what the bump decided.
#[derive(Clone, Debug)]
pub struct VersionDecision {
    pub krate: String,
    pub old: Version,
    /// `None`: keeps its version (see `why`).
    pub new: Option<Version>,
    pub why: String,
}

/// A planned version that already exists elsewhere.
#[derive(Clone, Debug)]
pub struct Collision {
    pub krate: String,
    pub version: Version,
    pub places: Vec<String>,
    pub next_free: Option<Version>,
}

/// How an external package's `Cargo.lock` entry follows an aligned
/// requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LockAlignment {
    /// The entry now locks `new` (main's entry: checksum and dependencies).
    Updated {
        file: String,
        old: String,
        new: String,
    },
    /// The target already locks a version the new requirement admits.
    AlreadyLocked { version: String },
    /// The line tracks no lockfile.
    Untracked,
    /// The tool cannot write the entry without guessing.
    Manual(String),
    /// Main requires another semver-incompatible version (a new major):
    /// moving the line there is an upgrade for its users, not an alignment,
    /// and the fix may well build against the line's own version.
    OtherMajor(String),
}

/// An external dependency the fix needs at a newer version than the target
/// requires: main requires more, and the fix's code uses the crate.
#[derive(Clone, Debug)]
pub struct ExternalNeed {
    pub package: String,
    /// Manifest and table holding the target's requirement.
    pub manifest: String,
    pub table: String,
    pub key: String,
    pub target_req: String,
    pub main_req: String,
    /// The raised requirement (`None` with `--no-align-deps`).
    pub aligned_req: Option<String>,
    pub lock: Option<LockAlignment>,
    /// Where the fix uses it: "`crates/x/src/lib.rs`: `safe_path::normalize(…)`".
    pub evidence: String,
}

/// An external package locked at different versions on main and the target.
#[derive(Clone, Debug)]
pub struct LockedDifference {
    pub name: String,
    pub main: Vec<String>,
    pub target: Vec<String>,
    /// Crates of the fix that depend on it directly.
    pub used_by: Vec<String>,
    /// Where the fix's code uses it, if it does.
    pub evidence: Option<String>,
}

/// External dependencies of the target compared with the main branch.
#[derive(Clone, Debug, Default)]
pub struct ExternalDeps {
    pub needs: Vec<ExternalNeed>,
    /// `None`: no lockfile on one side to compare.
    pub locked: Option<Vec<LockedDifference>>,
    /// `--no-align-deps` was given.
    pub align_disabled: bool,
    /// Could not compare (why).
    pub error: Option<String>,
}

/// The version plan of a target: what the bump commit changes (or would,
/// for a target that could not be built yet).
#[derive(Clone, Debug, Default)]
pub struct BumpPlan {
    pub versions: Vec<VersionDecision>,
    pub collisions: Vec<Collision>,
    /// (manifest, change)
    pub requirements: Vec<(String, RequirementChange)>,
    /// (lockfile, crate, old, new) entries of every tracked Cargo.lock.
    pub lock_updates: Vec<(String, String, String, String)>,
    /// (file, crate, old, new): version strings in docs updated.
    pub doc_updates: Vec<(String, String, String, String)>,
    pub external: ExternalDeps,
}

/// What happened to the backport branch.
#[derive(Clone, Debug)]
pub enum BranchOutcome {
    Created {
        replaced: Option<Oid>,
    },
    WouldCreate {
        replaces: Option<Oid>,
    },
    /// Refused or failed; nothing written.
    NotWritten(String),
    /// The target already has every fix commit: no branch needed.
    Unneeded,
    /// The target could not be built (conflict, collision, waiting).
    NotBuilt,
}

/// `cargo check` of the written branch.
#[derive(Clone, Debug)]
pub enum BuildOutcome {
    Passed {
        command: String,
        seconds: f64,
    },
    Failed {
        command: String,
        /// The first compiler errors.
        errors: Vec<String>,
    },
    /// Not built, and why (`--no-build`, dry run, nothing written).
    Skipped(String),
    /// The build could not run (no worktree, no cargo).
    Error(String),
}

/// How this target's result was made.
#[derive(Clone, Debug)]
pub enum Method {
    CherryPick,
    HandMade(HandMade),
    Merge(MergeStep),
}

/// Everything done (or planned) for one target.
#[derive(Clone, Debug)]
pub struct TargetResult {
    pub target: Target,
    pub method: Method,
    pub picked: Vec<Picked>,
    pub skipped: Vec<Skipped>,
    pub conflict: Option<Conflict>,
    /// `None` only when not even a plan could be made.
    pub plan: Option<BumpPlan>,
    pub bump_commit: Option<Oid>,
    /// The commit the branch points (or would point) at.
    pub result: Option<Oid>,
    pub branch: BranchOutcome,
    pub build: BuildOutcome,
    pub policy: String,
    /// The target's branch moved since a `--continue`d backport started.
    pub tip_moved: Option<Oid>,
}

impl TargetResult {
    pub fn new(target: &Target, policy: String, method: Method) -> TargetResult {
        TargetResult {
            target: target.clone(),
            method,
            picked: Vec::new(),
            skipped: Vec::new(),
            conflict: None,
            plan: None,
            bump_commit: None,
            result: None,
            branch: BranchOutcome::NotBuilt,
            build: BuildOutcome::Skipped("not built: the branch was not written".to_string()),
            policy,
            tip_moved: None,
        }
    }

    /// Was the target's whole result built (not stopped, not refused)?
    pub fn complete(&self) -> bool {
        self.conflict.is_none()
            && self.plan.as_ref().is_some_and(|p| p.collisions.is_empty())
            && self.result.is_some()
    }
}
