//! The git repository, in the project's terms: revisions, the commits of a fix,
//! changed paths, tags, branches, remotes, patch-ids. Everything is read from
//! git objects; nothing here checks out a tree or touches the index.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, anyhow, bail};
pub use git2::Oid;
use git2::{BranchType, DiffOptions, ObjectType, Repository, Sort, StatusOptions};

/// A repository with a work tree (bare repositories are refused).
pub struct Repo {
    git: Repository,
    workdir: PathBuf,
    /// A partial clone (`--filter=blob:none`): blobs may be missing, and
    /// this tool never fetches them.
    partial: bool,
}

/// One commit of a range, with what the checks need to know about it.
#[derive(Clone, Debug)]
pub struct CommitInfo {
    pub id: Oid,
    pub summary: String,
    pub message: String,
    pub author: String,
    pub parent_count: usize,
}

impl CommitInfo {
    pub fn short_id(&self) -> String {
        short(self.id)
    }
}

/// Abbreviated commit id as git shows it by default.
pub fn short(id: Oid) -> String {
    let s = id.to_string();
    s[..7.min(s.len())].to_string()
}

/// Where HEAD is.
#[derive(Clone, Debug)]
pub struct HeadState {
    /// The branch HEAD is on; `None` when detached.
    pub branch: Option<String>,
    pub commit: Oid,
}

/// A named ref and the commit it peels to.
#[derive(Clone, Debug)]
pub struct RefTip {
    /// Short name as a user types it: `stable`, `origin/stable`, `0.73.0`.
    pub name: String,
    pub commit: Oid,
}

#[derive(Clone, Debug)]
pub struct Remote {
    pub name: String,
    pub url: String,
}

/// One uncommitted change in the work tree.
#[derive(Clone, Debug)]
pub struct Uncommitted {
    pub path: String,
    pub kind: &'static str,
}

impl Repo {
    /// Finds the repository containing `start`, as git does.
    pub fn discover(start: &Path) -> Result<Repo> {
        let git = Repository::discover(start).map_err(|e| {
            anyhow!(
                "`{}` is not inside a git repository ({})\n\
                 cargo security-release works on the fix's commits; run it inside a clone of the project",
                start.display(),
                e.message()
            )
        })?;
        Self::from_git(git, start)
    }

    /// Opens exactly the repository (or worktree) at `path`.
    pub fn open(path: &Path) -> Result<Repo> {
        let git = Repository::open(path).map_err(|e| {
            anyhow!(
                "cannot open git repository `{}`: {}",
                path.display(),
                e.message()
            )
        })?;
        Self::from_git(git, path)
    }

    fn from_git(git: Repository, start: &Path) -> Result<Repo> {
        if git.is_bare() {
            bail!(
                "`{}` is a bare repository (no work tree)\n\
                 run cargo security-release in a checkout, e.g. `git worktree add ../fix <branch>`",
                git.path().display()
            );
        }
        let workdir = git
            .workdir()
            .map(Path::to_path_buf)
            .ok_or_else(|| anyhow!("`{}` has no work tree", start.display()))?;
        let workdir = workdir.canonicalize().unwrap_or(workdir);
        let partial = is_partial_clone(&git);
        Ok(Repo {
            git,
            workdir,
            partial,
        })
    }

    /// Is this a partial clone, whose missing objects git would fetch on
    /// demand (and this tool never does)?
    pub fn is_partial_clone(&self) -> bool {
        self.partial
    }

    /// The repository's shared git directory (for a linked worktree, the
    /// main repository's `.git`).
    pub fn common_dir(&self) -> &Path {
        self.git.commondir()
    }

    pub fn workdir(&self) -> &Path {
        &self.workdir
    }

    /// The `.git` directory (for a linked worktree, its private admin dir).
    pub fn git_dir(&self) -> &Path {
        self.git.path()
    }

    pub fn is_shallow(&self) -> bool {
        self.git.is_shallow()
    }

    /// Where HEAD points. An unborn branch is an error: there is no fix to check.
    pub fn head(&self) -> Result<HeadState> {
        let head = self.git.head().map_err(|e| {
            anyhow!(
                "cannot read HEAD of `{}`: {}",
                self.workdir.display(),
                e.message()
            )
        })?;
        let commit = head
            .peel_to_commit()
            .map_err(|e| anyhow!("HEAD does not point at a commit: {}", e.message()))?
            .id();
        let branch = if head.is_branch() {
            head.shorthand().map(str::to_string)
        } else {
            None
        };
        Ok(HeadState { branch, commit })
    }

    /// Resolves a revision (branch, tag, sha, `HEAD~2`, …) to a commit.
    pub fn resolve(&self, rev: &str) -> Result<Oid> {
        let obj = self.git.revparse_single(rev).map_err(|e| {
            let mut msg = format!("unknown revision `{rev}`: {}", e.message());
            if self.is_shallow() {
                msg.push_str(
                    "\nthis is a shallow clone, so older commits are missing; \
                     run `git fetch --unshallow` and try again",
                );
            }
            anyhow!(msg)
        })?;
        let commit = obj
            .peel_to_commit()
            .map_err(|_| anyhow!("revision `{rev}` does not point at a commit"))?;
        Ok(commit.id())
    }

    /// The local branch `name`, else its `origin/` remote-tracking branch.
    pub fn branch_tip(&self, name: &str) -> Option<RefTip> {
        if let Some(tip) = self.local_branch(name) {
            return Some(tip);
        }
        let remote = if name.contains('/') {
            name.to_string()
        } else {
            format!("origin/{name}")
        };
        let branch = self.git.find_branch(&remote, BranchType::Remote).ok()?;
        let commit = branch.get().peel_to_commit().ok()?.id();
        Some(RefTip {
            name: remote,
            commit,
        })
    }

    pub fn local_branch(&self, name: &str) -> Option<RefTip> {
        let branch = self.git.find_branch(name, BranchType::Local).ok()?;
        let commit = branch.get().peel_to_commit().ok()?.id();
        Some(RefTip {
            name: name.to_string(),
            commit,
        })
    }

    /// All local branches.
    pub fn local_branches(&self) -> Result<Vec<RefTip>> {
        let mut out = Vec::new();
        for item in self.git.branches(Some(BranchType::Local))? {
            let (branch, _) = item?;
            let Some(name) = branch.name()?.map(str::to_string) else {
                continue;
            };
            if let Ok(commit) = branch.get().peel_to_commit() {
                out.push(RefTip {
                    name,
                    commit: commit.id(),
                });
            }
        }
        Ok(out)
    }

    pub fn merge_base(&self, a: Oid, b: Oid) -> Result<Oid> {
        self.git.merge_base(a, b).map_err(|e| {
            let mut msg = format!(
                "commits {} and {} have no common ancestor ({})",
                short(a),
                short(b),
                e.message()
            );
            if self.is_shallow() {
                msg.push_str(
                    "\nthis is a shallow clone, so the merge-base may be missing; \
                     run `git fetch --unshallow` or pass --base",
                );
            }
            anyhow!(msg)
        })
    }

    /// `base..head`, oldest first (parents before children).
    pub fn commits_between(&self, base: Oid, head: Oid) -> Result<Vec<CommitInfo>> {
        let mut walk = self.git.revwalk()?;
        walk.set_sorting(Sort::TOPOLOGICAL | Sort::REVERSE)?;
        walk.push(head)?;
        walk.hide(base)
            .with_context(|| format!("cannot walk history from {}", short(base)))?;
        let mut out = Vec::new();
        for oid in walk {
            let oid = oid.with_context(|| {
                format!("cannot walk the commits {}..{}", short(base), short(head))
            })?;
            out.push(self.commit_info(oid)?);
        }
        Ok(out)
    }

    pub fn commit_info(&self, id: Oid) -> Result<CommitInfo> {
        let c = self
            .git
            .find_commit(id)
            .with_context(|| format!("commit {} is missing from the repository", short(id)))?;
        let message = String::from_utf8_lossy(c.message_bytes()).into_owned();
        let summary = message.lines().next().unwrap_or("").to_string();
        let author = c.author();
        Ok(CommitInfo {
            id,
            summary,
            message,
            author: format!(
                "{} <{}>",
                author.name().unwrap_or("?"),
                author.email().unwrap_or("?")
            ),
            parent_count: c.parent_count(),
        })
    }

    /// Paths that differ between two commits' trees (both sides of renames).
    pub fn changed_paths(&self, from: Oid, to: Oid) -> Result<Vec<String>> {
        let a = self.git.find_commit(from)?.tree()?;
        let b = self.git.find_commit(to)?.tree()?;
        let diff = self
            .git
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut DiffOptions::new()))?;
        let mut out = Vec::new();
        for delta in diff.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                if let Some(p) = file.path().and_then(Path::to_str)
                    && !out.iter().any(|x: &String| x == p)
                {
                    out.push(p.to_string());
                }
            }
        }
        Ok(out)
    }

    /// Lines added to `path` between two commits (for changelog checks).
    pub fn added_lines(&self, from: Oid, to: Oid, path: &str) -> Result<Vec<String>> {
        let a = self.git.find_commit(from)?.tree()?;
        let b = self.git.find_commit(to)?.tree()?;
        let mut opts = DiffOptions::new();
        opts.pathspec(path).disable_pathspec_match(true);
        let diff = self
            .git
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut opts))?;
        let mut lines = Vec::new();
        diff.foreach(
            &mut |_, _| true,
            None,
            None,
            Some(&mut |_, _, line| {
                if line.origin() == '+' {
                    lines.push(
                        String::from_utf8_lossy(line.content())
                            .trim_end()
                            .to_string(),
                    );
                }
                true
            }),
        )?;
        Ok(lines)
    }

    /// The hunks of the change between two commits in the files `paths`
    /// (repo-relative), without context lines: which lines each hunk
    /// removed (numbered in `from`) and added (numbered in `to`).
    pub fn diff_hunks(&self, from: Oid, to: Oid, paths: &[String]) -> Result<Vec<FileHunks>> {
        if paths.is_empty() {
            return Ok(Vec::new());
        }
        let a = self.git.find_commit(from)?.tree()?;
        let b = self.git.find_commit(to)?.tree()?;
        let mut opts = DiffOptions::new();
        opts.context_lines(0).disable_pathspec_match(true);
        for p in paths {
            opts.pathspec(p);
        }
        let diff = self
            .git
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut opts))
            .with_context(|| format!("cannot diff {}..{}", short(from), short(to)))?;
        let mut out = Vec::new();
        for idx in 0..diff.deltas().len() {
            let Some(patch) = git2::Patch::from_diff(&diff, idx)? else {
                continue;
            };
            let delta = patch.delta();
            let path_of = |f: git2::DiffFile<'_>| {
                (!f.id().is_zero())
                    .then(|| f.path().and_then(Path::to_str).map(str::to_string))
                    .flatten()
            };
            let mut change = FileHunks {
                old_path: path_of(delta.old_file()),
                new_path: path_of(delta.new_file()),
                hunks: Vec::new(),
            };
            for h in 0..patch.num_hunks() {
                let (hunk, lines) = patch.hunk(h)?;
                let mut out_hunk = Hunk {
                    header: String::from_utf8_lossy(hunk.header())
                        .trim_end()
                        .to_string(),
                    old_start: hunk.old_start(),
                    old_lines: hunk.old_lines(),
                    new_start: hunk.new_start(),
                    new_lines: hunk.new_lines(),
                    removed: Vec::new(),
                    added: Vec::new(),
                };
                for l in 0..lines {
                    let line = patch.line_in_hunk(h, l)?;
                    match (line.origin(), line.old_lineno(), line.new_lineno()) {
                        ('-', Some(n), _) => out_hunk.removed.push(n),
                        ('+', _, Some(n)) => out_hunk.added.push(n),
                        _ => {}
                    }
                }
                change.hunks.push(out_hunk);
            }
            out.push(change);
        }
        Ok(out)
    }

    /// The commit that last changed each of `lines` (1-based) of `path` in
    /// the history of `at`; lines past the end of the file are left out.
    pub fn blame_lines(&self, at: Oid, path: &str, lines: &[u32]) -> Result<Vec<(u32, Oid)>> {
        let (Some(min), Some(max)) = (lines.iter().min(), lines.iter().max()) else {
            return Ok(Vec::new());
        };
        let mut opts = git2::BlameOptions::new();
        opts.newest_commit(at)
            .min_line(*min as usize)
            .max_line(*max as usize);
        let blame = self
            .git
            .blame_file(Path::new(path), Some(&mut opts))
            .map_err(|e| anyhow!("cannot blame `{path}` at {}: {}", short(at), e.message()))?;
        Ok(lines
            .iter()
            .filter_map(|&n| blame.get_line(n as usize).map(|h| (n, h.final_commit_id())))
            .collect())
    }

    /// The tree of a commit, for reading files at that revision.
    pub fn tree_at(&self, commit: Oid) -> Result<CommitTree<'_>> {
        let tree = self
            .git
            .find_commit(commit)
            .and_then(|c| c.tree())
            .with_context(|| format!("cannot read the tree of commit {}", short(commit)))?;
        Ok(CommitTree {
            repo: &self.git,
            tree,
            commit,
            partial: self.partial,
        })
    }

    /// Tags whose name matches `pattern` (git glob; `None` = all), peeled to commits.
    pub fn tags(&self, pattern: Option<&str>) -> Result<Vec<RefTip>> {
        let names = self.git.tag_names(pattern)?;
        let mut out = Vec::new();
        for name in names.iter().flatten() {
            let Ok(reference) = self.git.find_reference(&format!("refs/tags/{name}")) else {
                continue;
            };
            if let Ok(commit) = reference.peel_to_commit() {
                out.push(RefTip {
                    name: name.to_string(),
                    commit: commit.id(),
                });
            }
        }
        Ok(out)
    }

    pub fn remotes(&self) -> Result<Vec<Remote>> {
        let mut out = Vec::new();
        for name in self.git.remotes()?.iter().flatten() {
            let url = self
                .git
                .find_remote(name)
                .ok()
                .and_then(|r| r.url().map(str::to_string))
                .unwrap_or_default();
            out.push(Remote {
                name: name.to_string(),
                url,
            });
        }
        Ok(out)
    }

    /// The remote-tracking branches of `remote` (as of the last fetch).
    pub fn remote_branches(&self, remote: &str) -> Result<Vec<RefTip>> {
        let mut out = Vec::new();
        let prefix = format!("{remote}/");
        for item in self.git.branches(Some(BranchType::Remote))? {
            let (branch, _) = item?;
            let Some(name) = branch.name()?.map(str::to_string) else {
                continue;
            };
            if !name.starts_with(&prefix) || branch.get().symbolic_target().is_some() {
                continue;
            }
            if let Ok(commit) = branch.get().peel_to_commit() {
                out.push(RefTip {
                    name,
                    commit: commit.id(),
                });
            }
        }
        Ok(out)
    }

    /// The first parent of a commit.
    pub fn parent_of(&self, id: Oid) -> Result<Oid> {
        let c = self
            .git
            .find_commit(id)
            .with_context(|| format!("commit {} is missing from the repository", short(id)))?;
        c.parent_id(0)
            .with_context(|| format!("commit {} has no parent", short(id)))
    }

    /// Does the repository have this commit?
    pub fn has_commit(&self, id: Oid) -> bool {
        self.git.find_commit(id).is_ok()
    }

    /// Is `commit` reachable from `tip`?
    pub fn contains(&self, tip: Oid, commit: Oid) -> Result<bool> {
        Ok(tip == commit || self.git.graph_descendant_of(tip, commit)?)
    }

    /// Uncommitted changes: modified, staged, deleted, and untracked files
    /// that are not ignored.
    pub fn uncommitted(&self) -> Result<Vec<Uncommitted>> {
        let mut opts = StatusOptions::new();
        opts.include_untracked(true)
            .include_ignored(false)
            .recurse_untracked_dirs(false)
            .exclude_submodules(false);
        let statuses = self
            .git
            .statuses(Some(&mut opts))
            .context("cannot read the status of the work tree")?;
        let mut out = Vec::new();
        for entry in statuses.iter() {
            let s = entry.status();
            let kind = if s.is_conflicted() {
                "conflicted"
            } else if s.is_wt_new() {
                "untracked"
            } else if s.is_index_new()
                || s.is_index_modified()
                || s.is_index_deleted()
                || s.is_index_renamed()
            {
                "staged"
            } else if s.is_wt_deleted() {
                "deleted"
            } else if s.is_wt_modified() || s.is_wt_renamed() || s.is_wt_typechange() {
                "modified"
            } else {
                continue;
            };
            out.push(Uncommitted {
                path: entry.path().unwrap_or("?").to_string(),
                kind,
            });
        }
        Ok(out)
    }

    /// The stable patch-id of a commit's change against its first parent;
    /// equal to `git patch-id --stable`.
    pub fn patch_id(&self, commit: Oid) -> Result<Oid> {
        let c = self.git.find_commit(commit)?;
        let old = if c.parent_count() > 0 {
            Some(c.parent(0)?.tree()?)
        } else {
            None
        };
        self.patch_id_of_trees(old.as_ref().map(|t| t.id()), c.tree_id())
    }

    /// The stable patch-id of the change between two trees (for a squashed range).
    pub fn patch_id_of_trees(&self, from: Option<Oid>, to: Oid) -> Result<Oid> {
        let old = from.map(|t| self.git.find_tree(t)).transpose()?;
        let new = self.git.find_tree(to)?;
        let diff =
            self.git
                .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut DiffOptions::new()))?;
        diff.patchid(None)
            .map_err(|e| self.object_error("cannot compute a patch-id", &e))
    }

    pub fn tree_id(&self, commit: Oid) -> Result<Oid> {
        Ok(self.git.find_commit(commit)?.tree_id())
    }

    /// Every branch a user could name: local branches, then `origin/`
    /// remote-tracking branches that have no local branch of the same name
    /// (named without the `origin/` prefix; the tip says where it is).
    pub fn branches_with_origin(&self) -> Result<Vec<RefTip>> {
        let mut out = self.local_branches()?;
        for b in self.remote_branches("origin").unwrap_or_default() {
            let short_name = b.name.trim_start_matches("origin/");
            if short_name == "HEAD" || out.iter().any(|l| l.name == short_name) {
                continue;
            }
            out.push(b);
        }
        Ok(out)
    }

    /// Tags whose name matches `pattern` (`None` = all), peeled to commits,
    /// with the date a reader would give the release: the tagger's date for
    /// an annotated tag, the commit's date for a lightweight one.
    pub fn dated_tags(&self) -> Result<Vec<DatedTag>> {
        let names = self.git.tag_names(None)?;
        let mut out = Vec::new();
        for name in names.iter().flatten() {
            let Ok(reference) = self.git.find_reference(&format!("refs/tags/{name}")) else {
                continue;
            };
            let Ok(commit) = reference.peel_to_commit() else {
                continue;
            };
            let date = match reference.peel_to_tag() {
                Ok(tag) => tag.tagger().map(|t| t.when().seconds()),
                Err(_) => None,
            }
            .unwrap_or_else(|| commit.time().seconds());
            out.push(DatedTag {
                name: name.to_string(),
                commit: commit.id(),
                date,
            });
        }
        Ok(out)
    }

    /// Repo-relative paths of every file named `file_name` in a commit's tree.
    pub fn files_named(&self, commit: Oid, file_name: &str) -> Result<Vec<String>> {
        let tree = self
            .git
            .find_commit(commit)
            .and_then(|c| c.tree())
            .with_context(|| format!("cannot read the tree of commit {}", short(commit)))?;
        let mut out = Vec::new();
        tree.walk(git2::TreeWalkMode::PreOrder, |dir, entry| {
            if entry.kind() == Some(ObjectType::Blob) && entry.name() == Some(file_name) {
                out.push(format!("{dir}{file_name}"));
            }
            git2::TreeWalkResult::Ok
        })
        .with_context(|| format!("cannot walk the tree of commit {}", short(commit)))?;
        Ok(out)
    }

    /// Is `path` (repo-relative) ignored by the work tree's gitignore rules?
    pub fn is_ignored(&self, path: &str) -> bool {
        self.git.is_path_ignored(Path::new(path)).unwrap_or(false)
    }

    /// Seconds since the epoch of a commit's committer date.
    pub fn commit_time(&self, commit: Oid) -> Result<i64> {
        Ok(self.git.find_commit(commit)?.time().seconds())
    }
}

/// The lines one file gained and lost between two commits.
#[derive(Clone, Debug, Default)]
pub struct FileChange {
    /// The path on the new side (the old one for a deletion).
    pub path: String,
    /// (line number on the old side, text without the newline)
    pub removed: Vec<(u32, String)>,
    /// (line number on the new side, text)
    pub added: Vec<(u32, String)>,
    /// Unchanged lines shown around the changes.
    pub context: Vec<String>,
    /// `@@ … @@ fn name(…)` headers: the enclosing item git found.
    pub headers: Vec<String>,
}

impl Repo {
    /// Per-file added, removed and context lines of `from..to` (three
    /// lines of context, as `git diff` shows them).
    pub fn line_changes(&self, from: Oid, to: Oid) -> Result<Vec<FileChange>> {
        let a = self.git.find_commit(from)?.tree()?;
        let b = self.git.find_commit(to)?.tree()?;
        let diff = self
            .git
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut DiffOptions::new()))?;
        let out: std::cell::RefCell<Vec<FileChange>> = std::cell::RefCell::new(Vec::new());
        diff.foreach(
            &mut |delta, _| {
                let path = delta
                    .new_file()
                    .path()
                    .or_else(|| delta.old_file().path())
                    .and_then(Path::to_str)
                    .unwrap_or_default()
                    .to_string();
                out.borrow_mut().push(FileChange {
                    path,
                    ..FileChange::default()
                });
                true
            },
            None,
            Some(&mut |_, hunk| {
                if let Some(f) = out.borrow_mut().last_mut() {
                    f.headers.push(
                        String::from_utf8_lossy(hunk.header())
                            .trim_end()
                            .to_string(),
                    );
                }
                true
            }),
            Some(&mut |_, _, line| {
                let text = String::from_utf8_lossy(line.content())
                    .trim_end_matches(['\n', '\r'])
                    .to_string();
                if let Some(f) = out.borrow_mut().last_mut() {
                    match line.origin() {
                        '-' => f.removed.push((line.old_lineno().unwrap_or(0), text)),
                        '+' => f.added.push((line.new_lineno().unwrap_or(0), text)),
                        ' ' => f.context.push(text),
                        _ => {}
                    }
                }
                true
            }),
        )?;
        Ok(out.into_inner())
    }
}

/// Who wrote a commit and when, as `git log --format='%an %ae %at'` shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Authorship {
    pub name: String,
    pub email: String,
    /// Author date, seconds since the epoch.
    pub time: i64,
}

impl Repo {
    /// The author of a commit and the author date.
    pub fn authorship(&self, id: Oid) -> Result<Authorship> {
        let c = self
            .git
            .find_commit(id)
            .with_context(|| format!("commit {} is missing from the repository", short(id)))?;
        let author = c.author();
        Ok(Authorship {
            name: String::from_utf8_lossy(author.name_bytes()).into_owned(),
            email: String::from_utf8_lossy(author.email_bytes()).into_owned(),
            time: author.when().seconds(),
        })
    }

    /// The stable patch-id of the change between two trees, counting only
    /// the files `keep` accepts; `None` when it accepts none of the
    /// changed files.
    pub fn patch_id_of_trees_where(
        &self,
        from: Option<Oid>,
        to: Oid,
        keep: &dyn Fn(&str) -> bool,
    ) -> Result<Option<Oid>> {
        let old = from.map(|t| self.git.find_tree(t)).transpose()?;
        let new = self.git.find_tree(to)?;
        let all =
            self.git
                .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut DiffOptions::new()))?;
        let mut kept: Vec<String> = Vec::new();
        let mut dropped = false;
        for delta in all.deltas() {
            for file in [delta.old_file(), delta.new_file()] {
                let Some(p) = file.path().and_then(Path::to_str) else {
                    continue;
                };
                if !keep(p) {
                    dropped = true;
                } else if !kept.iter().any(|k| k == p) {
                    kept.push(p.to_string());
                }
            }
        }
        if kept.is_empty() {
            return Ok(None);
        }
        if !dropped {
            return Ok(Some(all.patchid(None)?));
        }
        let mut opts = DiffOptions::new();
        opts.disable_pathspec_match(true);
        for p in &kept {
            opts.pathspec(p);
        }
        let diff = self
            .git
            .diff_tree_to_tree(old.as_ref(), Some(&new), Some(&mut opts))?;
        Ok(Some(diff.patchid(None)?))
    }

    /// The first parent's tree and the commit's tree: the change a commit
    /// (or a merge, against its first parent) makes.
    pub fn change_trees(&self, commit: Oid) -> Result<(Option<Oid>, Oid)> {
        let c = self
            .git
            .find_commit(commit)
            .with_context(|| format!("commit {} is missing from the repository", short(commit)))?;
        let parent = match c.parent_ids().next() {
            Some(p) => Some(self.git.find_commit(p)?.tree_id()),
            None => None,
        };
        Ok((parent, c.tree_id()))
    }
}

/// A tag peeled to its commit, with its release date (seconds since the epoch).
#[derive(Clone, Debug)]
pub struct DatedTag {
    pub name: String,
    pub commit: Oid,
    pub date: i64,
}

/// `YYYY-MM-DD` of a UTC timestamp (days from the civil calendar algorithm).
pub fn iso_date(seconds: i64) -> String {
    let days = seconds.div_euclid(86_400);
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

/// One file of a diff, with its hunks (no context lines).
#[derive(Clone, Debug)]
pub struct FileHunks {
    /// `None` when the file was added.
    pub old_path: Option<String>,
    /// `None` when the file was deleted.
    pub new_path: Option<String>,
    pub hunks: Vec<Hunk>,
}

/// One hunk: `@@ -old_start,old_lines +new_start,new_lines @@ header`.
#[derive(Clone, Debug)]
pub struct Hunk {
    /// The `@@ … @@` line, with git's function context after it.
    pub header: String,
    pub old_start: u32,
    pub old_lines: u32,
    pub new_start: u32,
    pub new_lines: u32,
    /// Line numbers (in the old file) the hunk removed.
    pub removed: Vec<u32>,
    /// Line numbers (in the new file) the hunk added.
    pub added: Vec<u32>,
}

/// A commit's tree, readable by repo-relative path.
pub struct CommitTree<'r> {
    repo: &'r Repository,
    tree: git2::Tree<'r>,
    commit: Oid,
    partial: bool,
}

impl CommitTree<'_> {
    pub fn commit(&self) -> Oid {
        self.commit
    }

    /// The file's bytes, or `None` when there is no file at `path`.
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>> {
        let entry = match self.tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read `{path}`")),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self.repo.find_blob(entry.id()).map_err(|e| {
            let mut msg = format!(
                "cannot read `{path}` at {}: {}",
                short(self.commit),
                e.message()
            );
            if self.partial {
                msg.push_str(PARTIAL_CLONE_HINT);
            }
            anyhow!(msg)
        })?;
        Ok(Some(blob.content().to_vec()))
    }

    /// The commit a submodule at `path` points to (its gitlink), or `None`
    /// when there is no submodule there.
    pub fn gitlink(&self, path: &str) -> Result<Option<Oid>> {
        match self.tree.get_path(Path::new(path)) {
            Ok(e) if e.kind() == Some(ObjectType::Commit) => Ok(Some(e.id())),
            Ok(_) => Ok(None),
            Err(e) if e.code() == git2::ErrorCode::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read `{path}`")),
        }
    }

    /// Names of the directories directly under `dir` ("" = the root).
    pub fn subdirs(&self, dir: &str) -> Result<Vec<String>> {
        let sub;
        let tree = if dir.is_empty() {
            &self.tree
        } else {
            match self.tree.get_path(Path::new(dir)) {
                Ok(e) if e.kind() == Some(ObjectType::Tree) => {
                    sub = self.repo.find_tree(e.id())?;
                    &sub
                }
                _ => return Ok(Vec::new()),
            }
        };
        Ok(tree
            .iter()
            .filter(|e| e.kind() == Some(ObjectType::Tree))
            .filter_map(|e| e.name().map(str::to_string))
            .collect())
    }

    pub fn exists(&self, path: &str) -> bool {
        self.tree.get_path(Path::new(path)).is_ok()
    }
}

/// A linked worktree with a detached HEAD, created for the duration of one
/// operation (checking a backport branch, packaging a tag) and removed when
/// dropped, also when the operation fails. The user's own work tree, index
/// and HEAD are never touched.
pub struct TempWorktree {
    /// The repository the worktree belongs to.
    main: PathBuf,
    pub path: PathBuf,
    removed: bool,
    /// Removes the worktree when the user hits Ctrl-C (Drop does not run then).
    _on_interrupt: crate::interrupt::CleanupGuard,
}

impl TempWorktree {
    /// `git worktree add --detach <dir>/<name> <commit>`; `dir` is created.
    pub fn create(repo: &Repo, dir: &Path, name: &str, commit: Oid) -> Result<TempWorktree> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        let path = dir.join(name);
        if path.exists() {
            // Left behind by a killed run: reclaim it.
            let _ = git_cli(
                repo.workdir(),
                &["worktree", "remove", "--force", &path_str(&path)],
            );
            let _ = std::fs::remove_dir_all(&path);
            let _ = git_cli(repo.workdir(), &["worktree", "prune"]);
        }
        git_cli(
            repo.workdir(),
            &[
                "worktree",
                "add",
                "--quiet",
                "--detach",
                &path_str(&path),
                &commit.to_string(),
            ],
        )
        .with_context(|| format!("cannot create a worktree at `{}`", path.display()))?;
        Ok(TempWorktree::adopt(repo, path))
    }

    /// Takes charge of a worktree just added at `path`: removed on drop and
    /// when the user hits Ctrl-C (Drop does not run then).
    fn adopt(repo: &Repo, path: PathBuf) -> TempWorktree {
        let main = repo.workdir().to_path_buf();
        let on_interrupt = {
            let (main, path) = (main.clone(), path.clone());
            crate::interrupt::on_interrupt(move || {
                let _ = remove_worktree(&main, &path);
            })
        };
        TempWorktree {
            main,
            path,
            removed: false,
            _on_interrupt: on_interrupt,
        }
    }

    /// Removes the worktree now (also done on drop), reporting failures.
    pub fn remove(mut self) -> Result<()> {
        self.removed = true;
        remove_worktree(&self.main, &self.path)
    }
}

impl Drop for TempWorktree {
    fn drop(&mut self) {
        if !self.removed {
            let _ = remove_worktree(&self.main, &self.path);
        }
    }
}

/// `git worktree remove --force <path>` (and the directory, should git
/// leave it), run from the main work tree.
pub fn remove_worktree(main: &Path, path: &Path) -> Result<()> {
    let result = git_cli(main, &["worktree", "remove", "--force", &path_str(path)]);
    if path.exists() {
        let _ = std::fs::remove_dir_all(path);
        let _ = git_cli(main, &["worktree", "prune"]);
    }
    result.map(|_| ())
}

fn path_str(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// Runs the `git` binary (for worktree administration, which libgit2 only
/// offers with a branch checked out).
fn git_cli(dir: &Path, args: &[&str]) -> Result<String> {
    let mut cmd = std::process::Command::new("git");
    cmd.args(args)
        .current_dir(dir)
        // In a partial clone, git would download missing blobs from the
        // promisor remote; this tool never fetches.
        .env("GIT_NO_LAZY_FETCH", "1");
    crate::process::trace(&cmd);
    let out = cmd
        .output()
        .with_context(|| "cannot run `git`: is git installed and on PATH?")?;
    if !out.status.success() {
        bail!(
            "`git {}` failed: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

// ---------------------------------------------------------------------------
// Building commits in the object database (used by `backport`): merges of
// trees, new trees from edited blobs, commits that no ref points at yet, and
// compare-and-swap branch updates. None of it touches HEAD, the index or the
// work tree.

/// Result of a three-way merge of trees.
#[derive(Clone, Debug)]
pub enum TreeMerge {
    Clean(Oid),
    /// Repo-relative paths that conflict.
    Conflicts(Vec<String>),
}

/// Who a new commit is committed by.
#[derive(Clone, Debug)]
pub struct Committer {
    pub name: String,
    pub email: String,
    /// True when git config has no `user.name`/`user.email` and a stand-in
    /// identity is used.
    pub fallback: bool,
}

impl Repo {
    /// The committer as git would record it: `GIT_COMMITTER_NAME`/`EMAIL`,
    /// else `user.name`/`user.email` from git config (honouring
    /// `GIT_CONFIG_GLOBAL`, which libgit2 alone ignores); without one (common
    /// in CI) a stand-in identity, flagged as such.
    pub fn committer(&self) -> Committer {
        let config = match std::env::var_os("GIT_CONFIG_GLOBAL") {
            Some(global) => {
                let mut c = git2::Config::new().ok();
                if let Some(cfg) = c.as_mut() {
                    let _ = cfg.add_file(Path::new(&global), git2::ConfigLevel::Global, false);
                    let _ = cfg.add_file(
                        &self.git.commondir().join("config"),
                        git2::ConfigLevel::Local,
                        false,
                    );
                }
                c
            }
            None => self.git.config().ok(),
        };
        let read = |env: &str, key: &str| {
            std::env::var(env)
                .ok()
                .filter(|v| !v.is_empty())
                .or_else(|| config.as_ref().and_then(|c| c.get_string(key).ok()))
                .filter(|v| !v.is_empty())
        };
        match (
            read("GIT_COMMITTER_NAME", "user.name"),
            read("GIT_COMMITTER_EMAIL", "user.email"),
        ) {
            (Some(name), Some(email)) => Committer {
                name,
                email,
                fallback: false,
            },
            _ => Committer {
                name: "cargo-security-release".to_string(),
                email: "security-release@localhost".to_string(),
                fallback: true,
            },
        }
    }

    /// Sends every object written from now on to memory instead of disk,
    /// so that a dry run leaves the object database as it was.
    pub fn keep_new_objects_in_memory(&self) -> Result<()> {
        let odb = self.git.odb().context("cannot open the object database")?;
        odb.add_new_mempack_backend(1000)
            .context("cannot add an in-memory object store")?;
        Ok(())
    }

    /// The first parent of a commit (`None` for a root commit).
    pub fn first_parent(&self, commit: Oid) -> Result<Option<Oid>> {
        let c = self
            .git
            .find_commit(commit)
            .with_context(|| format!("commit {} is missing from the repository", short(commit)))?;
        Ok(c.parent_ids().next())
    }

    /// Three-way merge of trees, as a cherry-pick does it: the change from
    /// `ancestor` to `theirs` applied onto `ours`.
    pub fn merge_trees(&self, ancestor: Oid, ours: Oid, theirs: Oid) -> Result<TreeMerge> {
        let find = |t: Oid| {
            self.git
                .find_tree(t)
                .with_context(|| format!("tree {} is missing from the repository", short(t)))
        };
        let mut index = self
            .git
            .merge_trees(&find(ancestor)?, &find(ours)?, &find(theirs)?, None)
            .map_err(|e| self.object_error("cannot merge trees", &e))?;
        if index.has_conflicts() {
            let mut paths: Vec<String> = Vec::new();
            for conflict in index.conflicts().context("cannot list conflicts")? {
                let conflict = conflict.context("cannot read a conflict")?;
                let entry = conflict.our.or(conflict.their).or(conflict.ancestor);
                if let Some(e) = entry {
                    let p = String::from_utf8_lossy(&e.path).into_owned();
                    if !paths.contains(&p) {
                        paths.push(p);
                    }
                }
            }
            return Ok(TreeMerge::Conflicts(paths));
        }
        let tree = index
            .write_tree_to(&self.git)
            .context("cannot write the merged tree")?;
        Ok(TreeMerge::Clean(tree))
    }

    /// `tree` with the given files replaced (mode kept, new files regular).
    pub fn tree_with_files(&self, tree: Oid, files: &[(String, Vec<u8>)]) -> Result<Oid> {
        if files.is_empty() {
            return Ok(tree);
        }
        let base = self
            .git
            .find_tree(tree)
            .with_context(|| format!("tree {} is missing from the repository", short(tree)))?;
        let mut update = git2::build::TreeUpdateBuilder::new();
        for (path, bytes) in files {
            let blob = self
                .git
                .blob(bytes)
                .with_context(|| format!("cannot write `{path}` to the object database"))?;
            let mode = match base.get_path(Path::new(path)) {
                Ok(e) if e.filemode() == i32::from(git2::FileMode::BlobExecutable) => {
                    git2::FileMode::BlobExecutable
                }
                _ => git2::FileMode::Blob,
            };
            update.upsert(path.as_str(), blob, mode);
        }
        update
            .create_updated(&self.git, &base)
            .context("cannot write the edited tree")
    }

    /// Writes a commit that no ref points at. `author_of` copies the author
    /// of that commit (a cherry-pick keeps it); otherwise the committer is
    /// the author too.
    pub fn write_commit(
        &self,
        tree: Oid,
        parent: Oid,
        author_of: Option<Oid>,
        committer: &Committer,
        message: &str,
    ) -> Result<Oid> {
        self.write_commit_with_parents(tree, &[parent], author_of, committer, message)
    }

    /// Points `refs/heads/<branch>` at `new`. With `expected = None` the
    /// branch must not exist; otherwise it must still be at `expected`
    /// (compare-and-swap, so a concurrent change is never overwritten).
    pub fn write_branch(
        &self,
        branch: &str,
        new: Oid,
        expected: Option<Oid>,
        log: &str,
    ) -> Result<()> {
        let refname = format!("refs/heads/{branch}");
        let result = match expected {
            None => self.git.reference(&refname, new, false, log),
            Some(old) => self.git.reference_matching(&refname, new, true, old, log),
        };
        result.map(|_| ()).map_err(|e| match (e.code(), expected) {
            (git2::ErrorCode::Exists, _) => anyhow!("branch `{branch}` already exists"),
            (git2::ErrorCode::Modified, Some(old)) => anyhow!(
                "branch `{branch}` moved while this ran (it was at {}); nothing written",
                short(old)
            ),
            _ => anyhow!("cannot write branch `{branch}`: {}", e.message()),
        })
    }

    /// The work tree that has `branch` checked out, if any (this one or a
    /// linked worktree): moving such a branch would make that tree look dirty.
    pub fn checked_out_at(&self, branch: &str) -> Result<Option<PathBuf>> {
        let refname = format!("refs/heads/{branch}");
        let on = |repo: &Repository| {
            repo.head()
                .ok()
                .is_some_and(|h| h.name() == Some(refname.as_str()))
        };
        if on(&self.git) {
            return Ok(Some(self.workdir.clone()));
        }
        for name in self.git.worktrees()?.iter().flatten() {
            let Ok(wt) = self.git.find_worktree(name) else {
                continue;
            };
            if let Ok(repo) = Repository::open_from_worktree(&wt)
                && on(&repo)
            {
                return Ok(Some(wt.path().to_path_buf()));
            }
        }
        Ok(None)
    }
}

impl TempWorktree {
    /// `git worktree add <dir>/<name> <branch>`: a temporary worktree with
    /// the (otherwise unchecked-out) branch itself checked out, for commands
    /// that need HEAD on a branch.
    pub fn create_on_branch(
        repo: &Repo,
        dir: &Path,
        name: &str,
        branch: &str,
    ) -> Result<TempWorktree> {
        std::fs::create_dir_all(dir)
            .with_context(|| format!("cannot create `{}`", dir.display()))?;
        let path = dir.join(name);
        if path.exists() {
            let _ = remove_worktree(repo.workdir(), &path);
        }
        git_cli(
            repo.workdir(),
            &["worktree", "add", "--quiet", &path_str(&path), branch],
        )
        .with_context(|| format!("cannot create a worktree at `{}`", path.display()))?;
        Ok(TempWorktree::adopt(repo, path))
    }

    /// Keeps the worktree on disk (for the user to finish by hand).
    pub fn keep(mut self) -> PathBuf {
        self.removed = true;
        self.path.clone()
    }
}

/// Runs `git` in `dir` and returns its stdout (an error carries stderr).
pub fn run_git(dir: &Path, args: &[&str]) -> Result<String> {
    git_cli(dir, args)
}

/// Said after an object error in a partial clone: the object is not
/// broken, it was never downloaded.
const PARTIAL_CLONE_HINT: &str = "\nthis is a partial clone (a promisor remote is configured), so some blobs were \
     never downloaded, and cargo security-release never fetches them; download every \
     object once with `git fetch --refetch --no-filter <remote>` and run again";

/// A promisor remote or the `partialclone` extension: git fetches missing
/// objects of such a clone on demand.
fn is_partial_clone(git: &Repository) -> bool {
    let Ok(config) = git.config() else {
        return false;
    };
    if config.get_string("extensions.partialclone").is_ok() {
        return true;
    }
    let Ok(mut entries) = config.entries(Some(r"remote\..*\.promisor")) else {
        return false;
    };
    let mut promisor = false;
    while let Some(Ok(entry)) = entries.next() {
        promisor |= entry.value().is_some_and(|v| v == "true");
    }
    promisor
}

/// What a linked worktree holds once the user resolved a conflict there.
#[derive(Clone, Debug)]
pub struct Resolution {
    /// Where the worktree's HEAD is (detached).
    pub head: Oid,
    /// Paths still unmerged in the index.
    pub unmerged: Vec<String>,
    /// Tracked files changed in the work tree but not staged.
    pub unstaged: Vec<String>,
    /// The tree the index holds (`None` while paths are unmerged).
    pub index_tree: Option<Oid>,
}

impl Repo {
    /// An object error with the partial-clone explanation when it applies.
    fn object_error(&self, what: &str, e: &git2::Error) -> anyhow::Error {
        let mut msg = format!("{what}: {}", e.message());
        if self.partial {
            msg.push_str(PARTIAL_CLONE_HINT);
        }
        anyhow!(msg)
    }

    /// Writes a commit with the given parents (a merge has two) that no
    /// ref points at; `author_of` copies that commit's author.
    pub fn write_commit_with_parents(
        &self,
        tree: Oid,
        parents: &[Oid],
        author_of: Option<Oid>,
        committer: &Committer,
        message: &str,
    ) -> Result<Oid> {
        let committer = git2::Signature::now(&committer.name, &committer.email)
            .context("invalid committer identity")?;
        let original = author_of.map(|c| self.git.find_commit(c)).transpose()?;
        let author = original
            .as_ref()
            .map(|c| c.author().to_owned())
            .unwrap_or_else(|| committer.clone());
        let tree = self.git.find_tree(tree)?;
        let parents: Vec<git2::Commit<'_>> = parents
            .iter()
            .map(|p| self.git.find_commit(*p))
            .collect::<Result<_, _>>()?;
        let refs: Vec<&git2::Commit<'_>> = parents.iter().collect();
        self.git
            .commit(None, &author, &committer, message, &tree, &refs)
            .context("cannot write a commit")
    }

    /// The parents of a commit.
    pub fn parents(&self, commit: Oid) -> Result<Vec<Oid>> {
        let c = self
            .git
            .find_commit(commit)
            .with_context(|| format!("commit {} is missing from the repository", short(commit)))?;
        Ok(c.parent_ids().collect())
    }

    /// The index and work tree of this (linked) worktree after a conflict:
    /// what is still unmerged, what is not staged, and the staged tree.
    pub fn resolution(&self) -> Result<Resolution> {
        let head = self.head()?.commit;
        let mut index = self
            .git
            .index()
            .context("cannot read the worktree's index")?;
        let mut unmerged: Vec<String> = Vec::new();
        if index.has_conflicts() {
            for conflict in index.conflicts().context("cannot list conflicts")? {
                let conflict = conflict.context("cannot read a conflict")?;
                if let Some(e) = conflict.our.or(conflict.their).or(conflict.ancestor) {
                    let p = String::from_utf8_lossy(&e.path).into_owned();
                    if !unmerged.contains(&p) {
                        unmerged.push(p);
                    }
                }
            }
        }
        let mut opts = StatusOptions::new();
        opts.include_untracked(false)
            .include_ignored(false)
            .exclude_submodules(true);
        let statuses = self
            .git
            .statuses(Some(&mut opts))
            .context("cannot read the status of the worktree")?;
        let mut unstaged = Vec::new();
        for entry in statuses.iter() {
            let s = entry.status();
            if s.is_conflicted() {
                continue;
            }
            if s.is_wt_modified() || s.is_wt_deleted() || s.is_wt_typechange() {
                unstaged.push(entry.path().unwrap_or("?").to_string());
            }
        }
        let index_tree = if unmerged.is_empty() {
            Some(
                index
                    .write_tree()
                    .context("cannot write the worktree's index as a tree")?,
            )
        } else {
            None
        };
        Ok(Resolution {
            head,
            unmerged,
            unstaged,
            index_tree,
        })
    }

    /// Every file that differs between two trees, with its bytes on each
    /// side (`None` where it does not exist).
    pub fn changed_files(&self, from: Oid, to: Oid) -> Result<Vec<ChangedFile>> {
        let a = self.git.find_tree(from)?;
        let b = self.git.find_tree(to)?;
        let diff = self
            .git
            .diff_tree_to_tree(Some(&a), Some(&b), Some(&mut DiffOptions::new()))?;
        let blob = |id: Oid| -> Result<Option<Vec<u8>>> {
            if id.is_zero() {
                return Ok(None);
            }
            let b = self
                .git
                .find_blob(id)
                .map_err(|e| self.object_error("cannot read a blob", &e))?;
            Ok(Some(b.content().to_vec()))
        };
        let mut out = Vec::new();
        for delta in diff.deltas() {
            let path = delta
                .new_file()
                .path()
                .or_else(|| delta.old_file().path())
                .and_then(Path::to_str)
                .unwrap_or_default()
                .to_string();
            out.push(ChangedFile {
                path,
                old: blob(delta.old_file().id())?,
                new: blob(delta.new_file().id())?,
            });
        }
        Ok(out)
    }

    /// The bytes of `path` in a tree (not a commit): `None` when absent.
    pub fn read_in_tree(&self, tree: Oid, path: &str) -> Result<Option<Vec<u8>>> {
        let tree = self.git.find_tree(tree)?;
        let entry = match tree.get_path(Path::new(path)) {
            Ok(e) => e,
            Err(e) if e.code() == git2::ErrorCode::NotFound => return Ok(None),
            Err(e) => return Err(e).with_context(|| format!("cannot read `{path}`")),
        };
        if entry.kind() != Some(ObjectType::Blob) {
            return Ok(None);
        }
        let blob = self
            .git
            .find_blob(entry.id())
            .map_err(|e| self.object_error(&format!("cannot read `{path}`"), &e))?;
        Ok(Some(blob.content().to_vec()))
    }

    /// Is `refs/heads/<name>` a valid ref name?
    pub fn is_valid_branch_name(name: &str) -> bool {
        git2::Reference::is_valid_name(&format!("refs/heads/{name}"))
    }
}

/// One file changed between two trees.
#[derive(Clone, Debug)]
pub struct ChangedFile {
    pub path: String,
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
}

/// The `+`/`-` lines of a text diff of two buffers (three lines of
/// context, as git shows them), without line numbers.
pub fn diff_lines(old: &[u8], new: &[u8]) -> Result<Vec<(char, String)>> {
    let patch = git2::Patch::from_buffers(old, None, new, None, None)
        .context("cannot diff two versions of a file")?;
    let mut out = Vec::new();
    for h in 0..patch.num_hunks() {
        let lines = patch.num_lines_in_hunk(h)?;
        for l in 0..lines {
            let line = patch.line_in_hunk(h, l)?;
            let origin = line.origin();
            if origin == '+' || origin == '-' || origin == ' ' {
                let text = String::from_utf8_lossy(line.content())
                    .trim_end_matches(['\n', '\r'])
                    .to_string();
                out.push((origin, text));
            }
        }
    }
    Ok(out)
}

/// Runs `git` in `dir` as `committer` (git refuses some operations, such
/// as a cherry-pick, without an identity).
pub fn run_git_as(dir: &Path, committer: &Committer, args: &[&str]) -> Result<String> {
    let name = format!("user.name={}", committer.name);
    let email = format!("user.email={}", committer.email);
    let mut all: Vec<&str> = vec!["-c", &name, "-c", &email];
    all.extend_from_slice(args);
    git_cli(dir, &all)
}
