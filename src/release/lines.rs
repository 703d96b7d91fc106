//! Release lines: the branches a project ships point releases from, how
//! their names read (`rust-1.80.0`, `mycrate-1.18.x`, `v0.14.x`, `rel-0.22`,
//! `release-20.0.0`, `stable`), and which of them a command works on.

use std::fmt;

use semver::Version;

use crate::git::RefTip;
use crate::workspace::glob_match;

/// How a branch name says it is a release line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scheme {
    /// Cargo's `rust-1.N.0`: named after the Rust release that ships it.
    Rust,
    /// `<crate>-X.Y.x`, `vX.Y.x`, `X.Y.x`, `vX.x`, `X.x`.
    Version,
    /// `rel-X.Y`, `release/X.Y`, `release-X.Y`, `release-X.Y.Z`.
    Release,
    Stable,
    Beta,
    /// A branch named in the configuration or on the command line whose
    /// name follows none of the schemes above.
    Other,
}

impl Scheme {
    pub fn label(self) -> &'static str {
        match self {
            Scheme::Rust => "Cargo's `rust-1.N.0`",
            Scheme::Version => "version line",
            Scheme::Release => "release branch",
            Scheme::Stable => "`stable`",
            Scheme::Beta => "`beta`",
            Scheme::Other => "named",
        }
    }
}

/// The versions a line's name promises: `1.18.x` is the 1.18 series,
/// `2.x` the 2 series, `release-20.0.0` the 20.0.0 release and its patches.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Series {
    pub parts: Vec<u64>,
}

impl Series {
    /// The first version of the next series: the upper bound of what this
    /// line ships (`1.18.x` → 1.19.0, `0.22` → 0.23.0, `2.x` → 3.0.0).
    /// A line named after a whole `X.0.0` release (wasmtime's
    /// `release-20.0.0`) ships that major version's patches: → 21.0.0.
    pub fn next(&self) -> Version {
        match self.parts.as_slice() {
            [] => Version::new(0, 0, 0),
            [major] => Version::new(major + 1, 0, 0),
            [major, minor] => Version::new(*major, minor + 1, 0),
            [major, 0, 0, ..] if *major > 0 => Version::new(major + 1, 0, 0),
            [major, minor, ..] => Version::new(*major, minor + 1, 0),
        }
    }

    /// Does `version` belong to this series?
    pub fn contains(&self, version: &Version) -> bool {
        let low = Version::new(
            self.parts.first().copied().unwrap_or(0),
            self.parts.get(1).copied().unwrap_or(0),
            self.parts.get(2).copied().unwrap_or(0),
        );
        let mut v = version.clone();
        v.pre = semver::Prerelease::EMPTY;
        v >= low && v < self.next()
    }
}

impl fmt::Display for Series {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.parts.iter().map(u64::to_string).collect();
        write!(f, "{}", parts.join("."))
    }
}

/// What a branch name says about the line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineName {
    pub scheme: Scheme,
    /// The crate series the name states (`None` for `rust-1.N.0`,
    /// `stable` and `beta`, whose names are not crate versions).
    pub series: Option<Series>,
    /// Ordering among lines of the same scheme (for `rust-1.N.0`, N).
    pub order: Vec<u64>,
    /// The crate a `<crate>-X.Y.x` name starts with.
    pub krate: Option<String>,
}

/// Reads a branch name (without `origin/`) as a release line, if it is one.
pub fn parse_line_name(name: &str) -> Option<LineName> {
    match name {
        "stable" => return Some(simple(Scheme::Stable, vec![0])),
        "beta" => return Some(simple(Scheme::Beta, vec![1])),
        _ => {}
    }
    if let Some(n) = name
        .strip_prefix("rust-1.")
        .and_then(|r| r.strip_suffix(".0"))
        .and_then(|n| n.parse::<u64>().ok())
    {
        return Some(simple(Scheme::Rust, vec![1, n, 0]));
    }
    for prefix in [
        "release/",
        "release-",
        "releases/",
        "rel-",
        "rel/",
        "stable-",
        "stable/",
    ] {
        if let Some(rest) = name.strip_prefix(prefix) {
            let rest = rest.strip_prefix('v').unwrap_or(rest);
            let parts = version_parts(rest, false)?;
            return Some(LineName {
                scheme: Scheme::Release,
                order: parts.clone(),
                series: Some(Series { parts }),
                krate: None,
            });
        }
    }
    // `X.Y.x`, `vX.x`, and `<crate>-X.Y.x` / `<crate>-vX.Y.x`: the `.x` is
    // what says "a line", so `1.2.3` or `v1.2.3` (tag-like) is not one;
    // `vX.Y` (crossbeam's `v0.8`, time's `v0.2`) is.
    let (krate, rest) = match name.rfind('-') {
        Some(i) if name[i + 1..].starts_with(|c: char| c.is_ascii_digit() || c == 'v') => {
            (Some(name[..i].to_string()), &name[i + 1..])
        }
        _ => (None, name),
    };
    let (had_v, rest) = match rest.strip_prefix('v') {
        Some(r) => (true, r),
        None => (false, rest),
    };
    let parts = version_parts(rest, true)
        .or_else(|| version_parts(rest, false).filter(|p| had_v && p.len() <= 2))?;
    Some(LineName {
        scheme: Scheme::Version,
        order: parts.clone(),
        series: Some(Series { parts }),
        krate: krate.filter(|k| !k.is_empty()),
    })
}

fn simple(scheme: Scheme, order: Vec<u64>) -> LineName {
    LineName {
        scheme,
        series: None,
        order,
        krate: None,
    }
}

/// `1.18.x` → [1, 18]; with `need_x`, the name must end in `.x`.
fn version_parts(text: &str, need_x: bool) -> Option<Vec<u64>> {
    let segments: Vec<&str> = text.split('.').collect();
    let (numbers, wild) = match segments.split_last() {
        Some((last, init)) if last.eq_ignore_ascii_case("x") || *last == "*" => (init, true),
        _ => (segments.as_slice(), false),
    };
    if (need_x && !wild) || numbers.is_empty() || numbers.len() > 3 {
        return None;
    }
    numbers
        .iter()
        .map(|s| {
            (!s.is_empty() && s.chars().all(|c| c.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        })
        .collect()
}

/// A release line a command works on or knows about.
#[derive(Clone, Debug)]
pub struct ReleaseLine {
    /// The branch as a user names it (`stable`, `mycrate-1.18.x`), without
    /// `origin/` even when only the remote-tracking branch exists.
    pub name: String,
    /// The configured role (`stable`, `beta`, …) when it has one.
    pub role: Option<String>,
    /// Where it is (the local branch, else `origin/<name>`); `None` when
    /// the configured branch exists neither way.
    pub tip: Option<RefTip>,
    pub parsed: Option<LineName>,
}

impl ReleaseLine {
    pub fn new(name: &str, role: Option<String>, tip: Option<RefTip>) -> ReleaseLine {
        let name = name.strip_prefix("origin/").unwrap_or(name).to_string();
        ReleaseLine {
            parsed: parse_line_name(&name),
            name,
            role,
            tip,
        }
    }

    pub fn scheme(&self) -> Scheme {
        self.parsed.as_ref().map_or(Scheme::Other, |p| p.scheme)
    }

    pub fn series(&self) -> Option<&Series> {
        self.parsed.as_ref().and_then(|p| p.series.as_ref())
    }

    /// Is `branch` (local or `origin/…`) this line?
    pub fn is(&self, branch: &str) -> bool {
        branch.strip_prefix("origin/").unwrap_or(branch) == self.name
    }
}

/// Sorts lines oldest to newest: by the version their names state, then
/// `stable` before `beta`, then by the version `shipped` says each ships.
pub fn sort_oldest_first(
    lines: &mut [ReleaseLine],
    shipped: impl Fn(&ReleaseLine) -> Option<Version>,
) {
    let key = |l: &ReleaseLine| {
        let order = l
            .parsed
            .as_ref()
            .map(|p| p.order.clone())
            .unwrap_or_default();
        (shipped(l), l.scheme(), order, l.name.clone())
    };
    lines.sort_by(|a, b| {
        let (ka, kb) = (key(a), key(b));
        // Names of the same scheme order themselves; otherwise the version
        // each ships decides (lines with no version last).
        if a.scheme() == b.scheme() && a.parsed.is_some() && b.parsed.is_some() {
            (&ka.2, &ka.3).cmp(&(&kb.2, &kb.3))
        } else {
            match (&ka.0, &kb.0) {
                (Some(x), Some(y)) if x != y => x.cmp(y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                _ => (ka.1, &ka.2, &ka.3).cmp(&(kb.1, &kb.2, &kb.3)),
            }
        }
    });
}

/// One entry of `branches`: a role's branch, a branch name, or a glob.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LineSpec {
    Role { role: String, branch: String },
    Name(String),
    Glob(String),
}

impl LineSpec {
    /// A list entry: a glob when it has `*`, `?` or `[`.
    pub fn from_entry(entry: &str) -> LineSpec {
        if entry.contains(['*', '?', '[']) {
            LineSpec::Glob(entry.to_string())
        } else {
            LineSpec::Name(entry.to_string())
        }
    }

    /// The branches (short names) this entry names among `available`.
    pub fn expand(&self, available: &[String]) -> Vec<String> {
        match self {
            LineSpec::Role { branch, .. } => vec![branch.clone()],
            LineSpec::Name(n) => vec![n.clone()],
            LineSpec::Glob(g) => available
                .iter()
                .filter(|b| glob_path_match(g, b))
                .cloned()
                .collect(),
        }
    }
}

/// A glob over a whole branch name, where `*` does not cross `/`.
fn glob_path_match(glob: &str, name: &str) -> bool {
    let g: Vec<&str> = glob.split('/').collect();
    let n: Vec<&str> = name.split('/').collect();
    g.len() == n.len() && g.iter().zip(&n).all(|(g, n)| glob_match(g, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(name: &str) -> Option<Vec<u64>> {
        parse_line_name(name).and_then(|p| p.series.map(|s| s.parts))
    }

    #[test]
    fn reads_the_common_schemes() {
        assert_eq!(parse_line_name("rust-1.80.0").unwrap().scheme, Scheme::Rust);
        assert_eq!(series("mycrate-1.18.x"), Some(vec![1, 18]));
        assert_eq!(
            parse_line_name("mycrate-1.18.x").unwrap().krate.as_deref(),
            Some("mycrate")
        );
        assert_eq!(
            parse_line_name("my-crate-macros-v2.x")
                .unwrap()
                .krate
                .as_deref(),
            Some("my-crate-macros")
        );
        assert_eq!(series("v0.14.x"), Some(vec![0, 14]));
        assert_eq!(series("0.14.x"), Some(vec![0, 14]));
        assert_eq!(series("v2.x"), Some(vec![2]));
        assert_eq!(series("2.x"), Some(vec![2]));
        assert_eq!(series("rel-0.22"), Some(vec![0, 22]));
        assert_eq!(series("release/0.9"), Some(vec![0, 9]));
        assert_eq!(series("release-1.2"), Some(vec![1, 2]));
        assert_eq!(series("release-20.0.0"), Some(vec![20, 0, 0]));
        assert_eq!(series("v0.8"), Some(vec![0, 8]));
        assert_eq!(series("stable-v0.26"), Some(vec![0, 26]));
        assert_eq!(parse_line_name("stable").unwrap().scheme, Scheme::Stable);
        for not_a_line in [
            "master",
            "main",
            "next",
            "v1.2.3",
            "1.2",
            "fix-1234",
            "feature/x",
            "dependabot/cargo/x-1.2",
            "release-notes",
            "taiki-e/test",
        ] {
            assert!(parse_line_name(not_a_line).is_none(), "{not_a_line}");
        }
    }

    #[test]
    fn series_bounds() {
        let s = |p: &[u64]| Series { parts: p.to_vec() };
        assert_eq!(s(&[1, 18]).next(), Version::new(1, 19, 0));
        assert_eq!(s(&[0, 22]).next(), Version::new(0, 23, 0));
        assert_eq!(s(&[2]).next(), Version::new(3, 0, 0));
        assert_eq!(s(&[20, 0, 0]).next(), Version::new(21, 0, 0));
        assert_eq!(s(&[1, 2, 0]).next(), Version::new(1, 3, 0));
        assert!(s(&[1, 18]).contains(&Version::new(1, 18, 4)));
        assert!(!s(&[1, 18]).contains(&Version::new(1, 19, 0)));
    }

    #[test]
    fn orders_oldest_first() {
        let mut lines: Vec<ReleaseLine> = ["mycrate-1.23.x", "mycrate-1.18.x", "mycrate-1.20.x"]
            .iter()
            .map(|n| ReleaseLine::new(n, None, None))
            .collect();
        sort_oldest_first(&mut lines, |_| None);
        let names: Vec<&str> = lines.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(
            names,
            ["mycrate-1.18.x", "mycrate-1.20.x", "mycrate-1.23.x"]
        );
        let mut lines: Vec<ReleaseLine> = ["beta", "stable"]
            .iter()
            .map(|n| ReleaseLine::new(n, None, None))
            .collect();
        sort_oldest_first(&mut lines, |_| None);
        assert_eq!(lines[0].name, "stable");
    }

    #[test]
    fn globs_match_whole_names() {
        let available = [
            "rel-0.21".to_string(),
            "rel-0.22".to_string(),
            "release/0.9".to_string(),
        ];
        assert_eq!(
            LineSpec::from_entry("rel-*").expand(&available),
            ["rel-0.21", "rel-0.22"]
        );
        assert_eq!(
            LineSpec::from_entry("release/*").expand(&available),
            ["release/0.9"]
        );
    }
}
