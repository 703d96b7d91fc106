//! Version ranges of an advisory, computed from what each release line
//! ships: `patched` (`>= FIXED, < NEXT` per line, `>= FIXED` for the newest),
//! `unaffected` (`< VERSION` from where the flaw came in), and the affected
//! gaps between them exactly as RustSec's own OSV export computes them.

use std::fmt;

use anyhow::{Result, anyhow};
use semver::{Version, VersionReq};

use super::source::Series;
use super::{LineVersion, VersionSource};

/// A half-open interval of versions `[from, to)`; `None` is unbounded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Range {
    pub from: Option<Version>,
    pub to: Option<Version>,
}

impl Range {
    pub fn at_least(v: Version) -> Range {
        Range {
            from: Some(v),
            to: None,
        }
    }

    pub fn below(v: Version) -> Range {
        Range {
            from: None,
            to: Some(v),
        }
    }

    pub fn between(from: Version, to: Version) -> Range {
        Range {
            from: Some(from),
            to: Some(to),
        }
    }

    /// The requirement as RustSec and GitHub write it: `>= 1.18.4, < 1.19.0`,
    /// `>= 1.23.1`, `< 1.7.0`; every version is `>= 0` (GitHub's spelling,
    /// which is also a valid Cargo requirement).
    pub fn requirement(&self) -> String {
        match (&self.from, &self.to) {
            (Some(a), Some(b)) => format!(">= {a}, < {b}"),
            (Some(a), None) => format!(">= {a}"),
            (None, Some(b)) => format!("< {b}"),
            (None, None) => ">= 0".to_string(),
        }
    }

    pub fn version_req(&self) -> Result<VersionReq> {
        let text = self.requirement();
        VersionReq::parse(&text).map_err(|e| anyhow!("bug: range `{text}` does not parse: {e}"))
    }

    pub fn contains(&self, v: &Version) -> bool {
        self.from.as_ref().is_none_or(|a| v >= a) && self.to.as_ref().is_none_or(|b| v < b)
    }
}

impl fmt::Display for Range {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.requirement())
    }
}

/// One `patched` range and the lines whose releases it covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PatchedRange {
    pub range: Range,
    pub lines: Vec<String>,
}

/// The `patched` ranges, oldest first, and the lines that could not give one.
#[derive(Clone, Debug, Default)]
pub struct Patched {
    pub ranges: Vec<PatchedRange>,
    /// Lines without a patched version, with the reason ("affected, not patched").
    pub unpatched: Vec<(String, String)>,
}

/// Computes `patched` from what each line ships. Lines are grouped by their
/// series (two lines of one series are patched from the lower version); each
/// series but the newest gets `>= FIXED, < NEXT`, NEXT being the first
/// version of the next series of that line (`1.18.x` → `< 1.19.0`, `0.22` →
/// `< 0.23.0`, `2.x` → `< 3.0.0`), so that the releases of unmaintained
/// series in between stay affected; the newest gets `>= FIXED`.
pub fn patched(lines: &[LineVersion]) -> Patched {
    let mut out = Patched::default();
    // (series, lowest fixed version, lines)
    let mut by_series: Vec<(Series, Version, Vec<String>)> = Vec::new();
    for line in lines {
        if let Some(problem) = &line.problem {
            out.unpatched.push((line.line.clone(), problem.clone()));
            continue;
        }
        let Some(fixed) = &line.fixed else {
            out.unpatched
                .push((line.line.clone(), unpatched_reason(line).to_string()));
            continue;
        };
        if !line.fix_present {
            out.unpatched.push((
                line.line.clone(),
                format!("{fixed} ({}) does not contain the fix", line.source),
            ));
            continue;
        }
        if !line.series.contains(fixed) {
            out.unpatched.push((
                line.line.clone(),
                format!(
                    "it ships {fixed}, which is outside the line's series {} (< {})",
                    line.series,
                    line.series.next()
                ),
            ));
            continue;
        }
        match by_series.iter_mut().find(|(s, _, _)| *s == line.series) {
            Some((_, lowest, names)) => {
                if fixed < lowest {
                    *lowest = fixed.clone();
                }
                names.push(line.line.clone());
            }
            None => by_series.push((line.series.clone(), fixed.clone(), vec![line.line.clone()])),
        }
    }
    by_series.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let newest = by_series.len().saturating_sub(1);
    for (i, (series, fixed, names)) in by_series.into_iter().enumerate() {
        let range = if i == newest {
            Range::at_least(fixed)
        } else {
            Range::between(fixed, series.next())
        };
        out.ranges.push(PatchedRange {
            range,
            lines: names,
        });
    }
    out
}

fn unpatched_reason(line: &LineVersion) -> &'static str {
    match line.source {
        VersionSource::Tag(_) => "its newest release does not contain the fix",
        VersionSource::BackportBranch(_) => "its backport branch carries no version",
        VersionSource::Plan => "no version is planned for it",
        VersionSource::Missing => "it has no backport branch and no release with the fix",
    }
}

/// `unaffected` for a flaw that first shipped in `first_affected`.
pub fn unaffected(first_affected: &Version) -> Range {
    Range::below(first_affected.clone())
}

/// Patched ranges that lie wholly below `unaffected` cover lines that never
/// had the flaw: they are dropped (and returned, to be reported). A range
/// that `unaffected` cuts into is an inconsistency the user must resolve.
pub fn drop_unaffected(
    patched: &mut Vec<PatchedRange>,
    unaffected: &Range,
) -> Result<Vec<PatchedRange>, String> {
    let Some(first_affected) = &unaffected.to else {
        return Ok(Vec::new());
    };
    if let Some(p) = patched.iter().find(|p| {
        p.range
            .from
            .as_ref()
            .is_some_and(|from| from < first_affected)
            && p.range.to.as_ref().is_none_or(|to| to > first_affected)
    }) {
        return Err(format!(
            "`unaffected = [\"{unaffected}\"]` overlaps the patched range `{}` of {}: \
             the flaw would have shipped after the fix",
            p.range,
            p.lines.join(", ")
        ));
    }
    let (dropped, kept): (Vec<PatchedRange>, Vec<PatchedRange>) = patched
        .drain(..)
        .partition(|p| p.range.to.as_ref().is_some_and(|to| to <= first_affected));
    *patched = kept;
    Ok(dropped)
}

/// RustSec's `[versions]` for these ranges; rejects overlaps as RustSec does.
pub fn versions(patched: &[Range], unaffected: &[Range]) -> Result<rustsec::advisory::Versions> {
    let reqs = |rs: &[Range]| {
        rs.iter()
            .map(Range::version_req)
            .collect::<Result<Vec<_>>>()
    };
    rustsec::advisory::Versions::new(reqs(patched)?, reqs(unaffected)?)
        .map_err(|e| anyhow!("the version ranges are inconsistent: {e}"))
}

/// The affected intervals (the gaps between the patched and unaffected
/// ranges), computed by RustSec's `ranges_for_advisory`, the function its
/// OSV export uses: OSV events and GitHub's ranges come from these.
pub fn affected(versions: &rustsec::advisory::Versions) -> Vec<Range> {
    rustsec::osv::ranges_for_advisory(versions)
        .into_iter()
        .map(|r| Range {
            from: r.introduced,
            to: r.fixed,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn line(name: &str, series: &[u64], fixed: Option<&str>) -> LineVersion {
        LineVersion {
            line: name.to_string(),
            series: Series {
                parts: series.to_vec(),
            },
            fixed: fixed.map(v),
            source: VersionSource::BackportBranch(format!("security-release/{name}")),
            fix_present: fixed.is_some(),
            tag: None,
            problem: None,
        }
    }

    fn strings(p: &Patched) -> Vec<String> {
        p.ranges.iter().map(|r| r.range.to_string()).collect()
    }

    #[test]
    fn minor_lines_and_main() {
        // Input order does not matter: ranges come out oldest first.
        let p = patched(&[
            line("master", &[1, 23], Some("1.23.1")),
            line("mycrate-1.18.x", &[1, 18], Some("1.18.4")),
            line("mycrate-1.20.x", &[1, 20], Some("1.20.3")),
        ]);
        assert_eq!(
            strings(&p),
            [">= 1.18.4, < 1.19.0", ">= 1.20.3, < 1.21.0", ">= 1.23.1"]
        );
        assert_eq!(p.ranges[0].lines, ["mycrate-1.18.x"]);
        assert!(p.unpatched.is_empty());
    }

    #[test]
    fn zero_lines_and_major_lines() {
        let p = patched(&[
            line("rel-0.12", &[0, 12], Some("0.12.36")),
            line("rel-0.13", &[0, 13], Some("0.13.10")),
            line("master", &[0, 14], Some("0.14.3")),
        ]);
        assert_eq!(
            strings(&p),
            [">= 0.12.36, < 0.13.0", ">= 0.13.10, < 0.14.0", ">= 0.14.3"]
        );
        let p = patched(&[
            line("v2.x", &[2], Some("2.4.1")),
            line("main", &[3, 1], Some("3.1.2")),
        ]);
        assert_eq!(strings(&p), [">= 2.4.1, < 3.0.0", ">= 3.1.2"]);
        // wasmtime's release-24.0.0 names a major series.
        let p = patched(&[
            line("release-24.0.0", &[24, 0, 0], Some("24.0.2")),
            line("release-25.0.0", &[25, 0, 0], Some("25.0.3")),
            line("main", &[26, 0], Some("26.0.1")),
        ]);
        assert_eq!(
            strings(&p),
            [">= 24.0.2, < 25.0.0", ">= 25.0.3, < 26.0.0", ">= 26.0.1"]
        );
    }

    #[test]
    fn one_series_two_lines_takes_the_lower_version() {
        let p = patched(&[
            line("mycrate-1.23.x", &[1, 23], Some("1.23.1")),
            line("master", &[1, 23], Some("1.23.2")),
        ]);
        assert_eq!(strings(&p), [">= 1.23.1"]);
        assert_eq!(p.ranges[0].lines, ["mycrate-1.23.x", "master"]);
    }

    #[test]
    fn lines_that_cannot_tell_are_unpatched() {
        let mut missing = line("mycrate-1.18.x", &[1, 18], None);
        missing.source = VersionSource::Missing;
        let outside = line("mycrate-1.20.x", &[1, 20], Some("1.21.0"));
        let mut no_fix = line("mycrate-1.22.x", &[1, 22], Some("1.22.4"));
        no_fix.fix_present = false;
        let p = patched(&[
            missing,
            outside,
            no_fix,
            line("master", &[1, 23], Some("1.23.1")),
        ]);
        assert_eq!(strings(&p), [">= 1.23.1"]);
        let reasons: Vec<&str> = p.unpatched.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(
            reasons,
            ["mycrate-1.18.x", "mycrate-1.20.x", "mycrate-1.22.x"]
        );
        assert!(p.unpatched[1].1.contains("outside the line's series 1.20"));
        assert!(p.unpatched[2].1.contains("does not contain the fix"));
    }

    #[test]
    fn unaffected_drops_lines_older_than_the_flaw() {
        let mut p = patched(&[
            line("mycrate-1.18.x", &[1, 18], Some("1.18.4")),
            line("mycrate-1.20.x", &[1, 20], Some("1.20.3")),
            line("master", &[1, 23], Some("1.23.1")),
        ])
        .ranges;
        let dropped = drop_unaffected(&mut p, &unaffected(&v("1.19.0"))).unwrap();
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].lines, ["mycrate-1.18.x"]);
        assert_eq!(p.len(), 2);
        let mut p = patched(&[
            line("mycrate-1.18.x", &[1, 18], Some("1.18.4")),
            line("master", &[1, 23], Some("1.23.1")),
        ])
        .ranges;
        let e = drop_unaffected(&mut p, &unaffected(&v("1.18.6"))).unwrap_err();
        assert!(
            e.contains("overlaps the patched range `>= 1.18.4, < 1.19.0`"),
            "{e}"
        );
        assert_eq!(p.len(), 2);
    }

    #[test]
    fn affected_gaps_match_rustsec() {
        let patched = [
            Range::between(v("1.18.4"), v("1.19.0")),
            Range::at_least(v("1.20.3")),
        ];
        let versions = versions(&patched, &[unaffected(&v("1.7.0"))]).unwrap();
        let gaps: Vec<String> = affected(&versions).iter().map(Range::to_string).collect();
        assert_eq!(gaps, [">= 1.7.0, < 1.18.4", ">= 1.19.0, < 1.20.3"]);
        let versions = super::versions(&patched, &[]).unwrap();
        let gaps: Vec<String> = affected(&versions).iter().map(Range::to_string).collect();
        assert_eq!(gaps, ["< 1.18.4", ">= 1.19.0, < 1.20.3"]);
        // Overlaps are refused, as RustSec refuses them.
        let e = super::versions(&patched, &[unaffected(&v("1.19.0"))]).unwrap_err();
        assert!(e.to_string().contains("Overlapping"), "{e}");
    }

    #[test]
    fn requirements_parse_back() {
        for r in [
            Range::between(v("1.18.4"), v("1.19.0")),
            Range::at_least(v("1.23.1")),
            Range::below(v("1.7.0")),
            Range {
                from: None,
                to: None,
            },
        ] {
            let req = r.version_req().unwrap();
            assert_eq!(req.matches(&v("1.18.5")), r.contains(&v("1.18.5")), "{r}");
        }
    }
}
