//! How two changes of "the same" commit differ: the diff stat of each and
//! how many added or removed lines only one of them has. Shown with a
//! "rewritten" match so that a human can confirm it at a glance.

use std::collections::HashMap;

use anyhow::Result;

use crate::git::{FileChange, Oid, Repo, short};
use crate::text::count;

/// Lines added and removed in one file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileStat {
    pub path: String,
    pub added: usize,
    pub removed: usize,
}

/// The main commit's change next to the line's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeComparison {
    pub main: Oid,
    pub here: Oid,
    pub main_stat: Vec<FileStat>,
    pub here_stat: Vec<FileStat>,
    /// Added or removed lines (per file) that only one side has.
    pub differing_lines: usize,
}

impl ChangeComparison {
    pub fn of(repo: &Repo, main: Oid, here: Oid) -> Result<ChangeComparison> {
        let changes = |c: Oid| -> Result<Vec<FileChange>> {
            match repo.first_parent(c)? {
                Some(p) => repo.line_changes(p, c),
                None => Ok(Vec::new()),
            }
        };
        let (a, b) = (changes(main)?, changes(here)?);
        Ok(ChangeComparison {
            main,
            here,
            main_stat: stat(&a),
            here_stat: stat(&b),
            differing_lines: differing(&a, &b),
        })
    }

    /// "1a2b3c4: src/lib.rs +3 -0; here 5d6e7f8: src/lib.rs +4 -1; 2 lines differ".
    pub fn describe(&self) -> String {
        let show = |s: &[FileStat]| -> String {
            if s.is_empty() {
                return "no change".to_string();
            }
            s.iter()
                .map(|f| format!("{} +{} -{}", f.path, f.added, f.removed))
                .collect::<Vec<_>>()
                .join(", ")
        };
        format!(
            "{}: {}; here {}: {}; {} differ",
            short(self.main),
            show(&self.main_stat),
            short(self.here),
            show(&self.here_stat),
            count(self.differing_lines, "added or removed line")
        )
    }
}

fn stat(changes: &[FileChange]) -> Vec<FileStat> {
    changes
        .iter()
        .map(|f| FileStat {
            path: f.path.clone(),
            added: f.added.len(),
            removed: f.removed.len(),
        })
        .collect()
}

/// Size of the symmetric difference of the two changes' (file, +/-, line)
/// multisets.
fn differing(a: &[FileChange], b: &[FileChange]) -> usize {
    let mut count: HashMap<(&str, char, &str), i64> = HashMap::new();
    for (side, changes) in [(1i64, a), (-1i64, b)] {
        for f in changes {
            for (sign, lines) in [('+', &f.added), ('-', &f.removed)] {
                for (_, l) in lines.iter() {
                    *count
                        .entry((f.path.as_str(), sign, l.as_str()))
                        .or_default() += side;
                }
            }
        }
    }
    count.values().map(|n| n.unsigned_abs() as usize).sum()
}
