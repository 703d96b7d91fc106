//! The RustSec advisory-db file: TOML front matter in a ```` ```toml ````
//! fence, then `# Title` and the Markdown description. The text is parsed
//! back with the `rustsec` crate before it is returned (a failure is a bug
//! here, not the user's), and linted as advisory-db's CI lints it.

use std::fmt::Write as _;
use std::str::FromStr;

use anyhow::{Result, anyhow};

use super::Draft;

/// The file's text, checked by `rustsec::Advisory::from_str`.
pub fn render(draft: &Draft) -> Result<String> {
    let text = text(draft);
    ::rustsec::Advisory::from_str(&text).map_err(|e| {
        anyhow!(
            "bug: the RustSec file drafted for `{}` does not parse with the rustsec crate: {e}\n{text}",
            draft.package
        )
    })?;
    Ok(text)
}

/// What advisory-db's linter says about the file (empty when it is clean).
pub fn lint(text: &str, draft: &Draft) -> Vec<String> {
    let placeholder = draft.id == super::PLACEHOLDER_ID;
    match ::rustsec::advisory::Linter::lint_string(text, Some(placeholder)) {
        Ok(linter) => linter
            .errors()
            .iter()
            .map(|e| format!("RustSec lint: {e}"))
            .collect(),
        Err(e) => vec![format!("RustSec lint could not run: {e}")],
    }
}

fn text(d: &Draft) -> String {
    let mut s = String::from("```toml\n[advisory]\n");
    let _ = writeln!(s, "id = {}", q(&d.id));
    let _ = writeln!(s, "package = {}", q(&d.package));
    let _ = writeln!(s, "date = {}", q(&d.date));
    if let Some(url) = &d.url {
        let _ = writeln!(s, "url = {}", q(url));
    }
    if !d.references.is_empty() {
        let _ = writeln!(s, "references = {}", array(&d.references));
    }
    if !d.categories.is_empty() {
        let _ = writeln!(s, "categories = {}", array(&d.categories));
    }
    if !d.keywords.is_empty() {
        let _ = writeln!(s, "keywords = {}", array(&d.keywords));
    }
    if !d.aliases.is_empty() {
        let _ = writeln!(s, "aliases = {}", array(&d.aliases));
    }
    if let Some(score) = &d.cvss {
        let _ = writeln!(s, "cvss = {}", q(&score.vector.to_string()));
    }
    if !(d.os.is_empty() && d.arch.is_empty()) {
        s.push_str("\n[affected]\n");
        if !d.os.is_empty() {
            let _ = writeln!(s, "os = {}", array(&d.os));
        }
        if !d.arch.is_empty() {
            let _ = writeln!(s, "arch = {}", array(&d.arch));
        }
    }
    if !d.functions.is_empty() {
        s.push_str("\n[affected.functions]\n");
        let ranges = d.function_ranges();
        for f in &d.functions {
            let _ = writeln!(s, "{} = {}", q(f), array(&ranges));
        }
    }
    s.push_str("\n[versions]\n");
    let patched: Vec<String> = d.patched.iter().map(|p| p.range.requirement()).collect();
    let _ = writeln!(s, "patched = {}", array(&patched));
    if !d.unaffected.is_empty() {
        let unaffected: Vec<String> = d.unaffected.iter().map(|r| r.requirement()).collect();
        let _ = writeln!(s, "unaffected = {}", array(&unaffected));
    }
    s.push_str("```\n\n");
    let _ = writeln!(s, "# {}\n", d.title.lines().next().unwrap_or("").trim());
    s.push_str(d.description.trim());
    s.push('\n');
    s
}

/// A TOML basic string (double-quoted, as advisory-db writes them).
fn q(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A TOML array of strings, on one line, or one item per line when long
/// (as advisory-db writes five patched ranges).
fn array(items: &[String]) -> String {
    let one_line = format!(
        "[{}]",
        items.iter().map(|i| q(i)).collect::<Vec<_>>().join(", ")
    );
    if one_line.len() <= 80 {
        return one_line;
    }
    let mut s = String::from("[\n");
    for i in items {
        let _ = writeln!(s, "    {},", q(i));
    }
    s.push(']');
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::advisory::{Fields, LineVersion, Series, VersionSource, build, severity};
    use semver::Version;

    fn line(name: &str, series: &[u64], fixed: &str) -> LineVersion {
        LineVersion {
            line: name.to_string(),
            series: Series {
                parts: series.to_vec(),
            },
            fixed: Some(Version::parse(fixed).unwrap()),
            source: VersionSource::Plan,
            fix_present: true,
            tag: None,
            problem: None,
        }
    }

    #[test]
    fn round_trips_through_rustsec() {
        let fields = Fields {
            title: Some("Pipe mode \"confusion\"".to_string()),
            description: Some("Longer *Markdown*.\n\n```rust\nlet x = 1;\n```\n".to_string()),
            cvss: Some(severity::parse("CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:N/I:H/A:N").unwrap()),
            cve: Some("CVE-2026-0001".into()),
            ghsa: Some("GHSA-abcd-efgh-ijkl".into()),
            os: vec!["windows".into()],
            functions: vec!["my_crate::net::ServerOptions::pipe_mode".into()],
            categories: vec!["memory-corruption".into()],
            date: "2026-05-01".into(),
            ..Fields::default()
        };
        let draft = build(
            "my-crate",
            &fields,
            vec![
                line("my-crate-1.18.x", &[1, 18], "1.18.4"),
                line("my-crate-1.20.x", &[1, 20], "1.20.3"),
                line("master", &[1, 23], "1.23.1"),
            ],
            None,
            Vec::new(),
        )
        .unwrap();
        let text = render(&draft).unwrap();
        let adv = ::rustsec::Advisory::from_str(&text).unwrap();
        let strs = |r: &[semver::VersionReq]| r.iter().map(|r| r.to_string()).collect::<Vec<_>>();
        assert_eq!(
            strs(adv.versions.patched()),
            [">=1.18.4, <1.19.0", ">=1.20.3, <1.21.0", ">=1.23.1"]
        );
        assert_eq!(adv.title(), "Pipe mode \"confusion\"");
        assert!(adv.description().contains("let x = 1;"));
        let affected = adv.affected.as_ref().unwrap();
        assert_eq!(affected.os, ["windows"]);
        let (path, ranges) = affected.functions.iter().next().unwrap();
        assert_eq!(path.to_string(), "my_crate::net::ServerOptions::pipe_mode");
        assert_eq!(
            strs(ranges),
            ["<1.18.4", ">=1.19.0, <1.20.3", ">=1.21.0, <1.23.1"]
        );
        assert_eq!(lint(&text, &draft), Vec::<String>::new());
    }

    #[test]
    fn long_arrays_break_lines() {
        let items: Vec<String> = (0..5)
            .map(|i| format!(">= {i}.0.1, < {}.0.0", i + 1))
            .collect();
        let a = array(&items);
        assert!(a.starts_with("[\n    \">= 0.0.1, < 1.0.0\",\n"), "{a}");
        assert_eq!(q("a \"b\" \\ c"), r#""a \"b\" \\ c""#);
    }
}
