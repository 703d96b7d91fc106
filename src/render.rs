//! Renderers: the same `Report` as cargo-like status lines, as a JSON document
//! with a stable schema, or as a Markdown checklist for an advisory thread.
//! Renderers never compute anything; they only lay out what the report holds.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::report::{CheckResult, Fact, Report, SCHEMA_VERSION, Status};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Human,
    Json,
    Markdown,
}

pub fn render(report: &Report, format: Format) -> String {
    match format {
        Format::Human => human(report),
        Format::Json => json(report),
        Format::Markdown => markdown(report),
    }
}

fn status_style(status: Status) -> Style {
    let color = match status {
        Status::Pass => AnsiColor::Green,
        Status::Warn => AnsiColor::Yellow,
        Status::Fail | Status::Error => AnsiColor::Red,
        Status::Skip | Status::Manual => AnsiColor::Cyan,
    };
    Style::new().fg_color(Some(color.into())).bold()
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::Pass => "Pass",
        Status::Warn => "Warn",
        Status::Fail => "Fail",
        Status::Error => "Error",
        Status::Skip => "Skip",
        Status::Manual => "Manual",
    }
}

const INDENT: &str = "             ";

/// Cargo-like output: a right-aligned coloured verb and a message per row,
/// details and hints indented under it. ANSI codes are always emitted; the
/// caller's `anstream` stream strips them when colour is off.
pub fn human(report: &Report) -> String {
    let mut out = String::new();
    let header = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
    let dim = Style::new().dimmed();
    for note in &report.notes {
        let _ = writeln!(out, "{header}{:>12}{header:#} {}", "Note", printable(note));
    }
    for section in &report.sections {
        let _ = writeln!(
            out,
            "{header}{:>12}{header:#} {}",
            section_verb(&report.command),
            printable(&section.name)
        );
        for fact in &section.facts {
            let _ = writeln!(out, "{INDENT}{dim}{}{dim:#}", printable(&fact.to_string()));
        }
        for check in &section.checks {
            human_row(&mut out, check);
        }
    }
    let counts = report
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.label()))
        .collect::<Vec<_>>()
        .join(", ");
    let overall = report.status();
    let style = status_style(overall);
    let verdict = match overall {
        Status::Fail => "not ready",
        Status::Error => "incomplete",
        _ => "ok",
    };
    let _ = writeln!(out, "{style}{:>12}{style:#} {verdict}: {counts}", "Summary");
    for step in &report.next_steps {
        let _ = writeln!(out, "{header}{:>12}{header:#} {}", "Next", printable(step));
    }
    out
}

/// Text from the repository (commit subjects, branch and file names) with
/// control characters made visible, so that it cannot move the cursor,
/// recolour or clear a terminal.
fn printable(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '\u{fffd}'
            } else {
                c
            }
        })
        .collect()
}

fn section_verb(command: &str) -> &'static str {
    match command {
        "backport" => "Backport",
        "verify-published" => "Verifying",
        _ => "Checking",
    }
}

fn human_row(out: &mut String, check: &CheckResult) {
    let style = status_style(check.status);
    let bold = Style::new().bold();
    let _ = writeln!(
        out,
        "{style}{:>12}{style:#} {bold}{}{bold:#}: {}",
        status_word(check.status),
        check.id,
        printable(&check.summary)
    );
    for detail in &check.details {
        let marker = match detail.status {
            Some(s) if s != check.status => format!("[{}] ", s.label()),
            _ => String::new(),
        };
        let message = printable(&detail.message);
        let mut lines = message.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "{INDENT}- {marker}{first}");
        }
        for line in lines {
            let _ = writeln!(out, "{INDENT}  {line}");
        }
    }
    if let Some(hint) = &check.hint {
        let help = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
        let hint = printable(hint);
        let mut lines = hint.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "{INDENT}{help}help{help:#}: {first}");
        }
        for line in lines {
            let _ = writeln!(out, "{INDENT}      {line}");
        }
    }
}

#[derive(serde::Serialize)]
struct JsonDocument<'a> {
    schema_version: u32,
    tool: &'static str,
    tool_version: &'static str,
    command: &'a str,
    status: Status,
    exit_code: i32,
    /// Why the command could not run (exit 2 before any report existed).
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
    sections: Vec<JsonSection<'a>>,
    notes: &'a [String],
    next_steps: &'a [String],
}

#[derive(serde::Serialize)]
struct JsonSection<'a> {
    name: &'a str,
    /// The worst row that is a verdict, as for the document.
    status: Status,
    facts: &'a [Fact],
    checks: &'a [CheckResult],
}

/// The JSON document described in README.md ("JSON report").
pub fn json(report: &Report) -> String {
    let doc = JsonDocument {
        schema_version: SCHEMA_VERSION,
        tool: env!("CARGO_PKG_NAME"),
        tool_version: env!("CARGO_PKG_VERSION"),
        command: &report.command,
        status: report.status(),
        exit_code: report.exit_code(),
        error: None,
        sections: report
            .sections
            .iter()
            .map(|s| JsonSection {
                name: &s.name,
                status: s.status(),
                facts: &s.facts,
                checks: &s.checks,
            })
            .collect(),
        notes: &report.notes,
        next_steps: &report.next_steps,
    };
    to_json(&doc)
}

/// The document for a command that could not run (exit 2): status `error`,
/// the message in `error`, no sections.
pub fn json_error(command: &str, message: &str) -> String {
    let doc = JsonDocument {
        schema_version: SCHEMA_VERSION,
        tool: env!("CARGO_PKG_NAME"),
        tool_version: env!("CARGO_PKG_VERSION"),
        command,
        status: Status::Error,
        exit_code: 2,
        error: Some(message),
        sections: Vec::new(),
        notes: &[],
        next_steps: &[],
    };
    to_json(&doc)
}

fn to_json(doc: &JsonDocument<'_>) -> String {
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(doc).unwrap_or_default();
    text.push('\n');
    text
}

/// A checklist that pastes into a GitHub security advisory discussion: ticked
/// boxes for passing rows, open boxes for everything a human must look at.
/// Text from the repository cannot mention people, link, embed images or
/// hide comments, and local paths are shown relative to the work tree.
pub fn markdown(report: &Report) -> String {
    let md = |text: &str| markdown_literal(&printable(&local(text, &report.local_paths)));
    let mut out = String::new();
    let _ = writeln!(out, "## `cargo security-release {}`", report.command);
    for note in &report.notes {
        let _ = writeln!(out, "\n> {}", md(note));
    }
    for section in &report.sections {
        let _ = writeln!(out, "\n### {}\n", md(&section.name));
        for fact in &section.facts {
            let mut value = md_code(&printable(&local(
                &fact.value.to_string(),
                &report.local_paths,
            )));
            if let Some(note) = &fact.note {
                value.push_str(&format!(" ({})", md(note)));
            }
            let _ = writeln!(out, "- {}: {value}", fact.key.replace('-', " "));
        }
        if !section.facts.is_empty() {
            out.push('\n');
        }
        for check in &section.checks {
            markdown_row(&mut out, check, &md);
        }
    }
    let counts = report
        .counts()
        .iter()
        .map(|(s, n)| format!("{n} {}", s.label()))
        .collect::<Vec<_>>()
        .join(", ");
    let _ = writeln!(out, "\n**Result: {}** ({counts})", report.status().label());
    if !report.next_steps.is_empty() {
        let _ = writeln!(out, "\nNext steps:\n");
        for step in &report.next_steps {
            let step = printable(&local(step, &report.local_paths));
            let fence = "`".repeat(longest_backtick_run(&step).max(2) + 1);
            let _ = writeln!(out, "{fence}\n{step}\n{fence}");
        }
    }
    out
}

fn markdown_row(out: &mut String, check: &CheckResult, md: &dyn Fn(&str) -> String) {
    let tick = if check.status == Status::Pass {
        "x"
    } else {
        " "
    };
    let label = match check.status {
        Status::Pass => String::new(),
        s => format!(" ({})", s.label().to_uppercase()),
    };
    let _ = writeln!(
        out,
        "- [{tick}] **{}**{label}: {}",
        check.id,
        md(&check.summary)
    );
    for detail in &check.details {
        let prefix = if check.status == Status::Manual {
            "- [ ] "
        } else {
            "- "
        };
        let mut lines = detail.message.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "  {prefix}{}", md(first));
        }
        for line in lines {
            let _ = writeln!(out, "    {}", md(line));
        }
    }
    if let Some(hint) = &check.hint {
        let _ = writeln!(out, "  - _Fix:_ {}", md(&hint.replace('\n', " ")));
    }
}

/// Replaces the absolute local paths the report names with what may be
/// shown instead (`target/…` relative to the work tree, `~/…`). Only whole
/// path components match: `/work/repo` does not touch `/work/repo2`.
fn local(text: &str, paths: &[(String, String)]) -> String {
    let mut out = text.to_string();
    for (path, shown) in paths {
        let path = path.trim_end_matches('/');
        if path.is_empty() {
            continue;
        }
        let mut result = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(i) = rest.find(path) {
            let after = &rest[i + path.len()..];
            result.push_str(&rest[..i]);
            match after.chars().next() {
                Some('/') if shown.is_empty() => rest = &after[1..],
                Some('/') => {
                    result.push_str(shown);
                    rest = after;
                }
                // A sibling (`repo2`, `repo-old`, `repo.git`), not a
                // sentence's full stop.
                Some(c)
                    if c.is_alphanumeric()
                        || "_-".contains(c)
                        || (c == '.' && after[1..].starts_with(char::is_alphanumeric)) =>
                {
                    result.push_str(path);
                    rest = after;
                }
                _ => {
                    result.push_str(if shown.is_empty() { "." } else { shown });
                    rest = after;
                }
            }
        }
        result.push_str(rest);
        out = result;
    }
    out
}

/// Text as literal Markdown: code spans are kept exactly as CommonMark
/// pairs them (nothing inside one is markup), a backtick run without its
/// partner is escaped, and outside code spans the characters that would make
/// emphasis, tables, links, images, HTML (comments included) or entities are
/// escaped, and `@name` is put in a code span so that nobody is mentioned.
pub fn markdown_literal(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len() + 8);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '`' {
            let run = run_length(&chars, i);
            match closing_run(&chars, i + run, run) {
                Some(end) => {
                    out.extend(&chars[i..end + run]);
                    i = end + run;
                }
                None => {
                    for _ in 0..run {
                        out.push_str("\\`");
                    }
                    i += run;
                }
            }
            continue;
        }
        if c == '@'
            && (i == 0 || !chars[i - 1].is_alphanumeric())
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_alphanumeric())
        {
            let end = (i + 1..chars.len())
                .find(|&j| {
                    !(chars[j].is_ascii_alphanumeric() || matches!(chars[j], '-' | '_' | '/'))
                })
                .unwrap_or(chars.len());
            out.push('`');
            out.extend(&chars[i..end]);
            out.push('`');
            i = end;
            continue;
        }
        if matches!(
            c,
            '\\' | '*' | '_' | '<' | '>' | '|' | '[' | ']' | '&' | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
        i += 1;
    }
    out
}

fn run_length(chars: &[char], start: usize) -> usize {
    chars[start..].iter().take_while(|&&c| c == '`').count()
}

/// Where the backtick run of exactly `len` that closes a code span starts.
fn closing_run(chars: &[char], from: usize, len: usize) -> Option<usize> {
    let mut j = from;
    while j < chars.len() {
        if chars[j] == '`' {
            let run = run_length(chars, j);
            if run == len {
                return Some(j);
            }
            j += run;
        } else {
            j += 1;
        }
    }
    None
}

fn longest_backtick_run(text: &str) -> usize {
    let chars: Vec<char> = text.chars().collect();
    let mut longest = 0;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '`' {
            let run = run_length(&chars, i);
            longest = longest.max(run);
            i += run;
        } else {
            i += 1;
        }
    }
    longest
}

/// A code span that holds `text` whatever backticks it contains.
fn md_code(text: &str) -> String {
    let fence = "`".repeat(longest_backtick_run(text) + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{}{pad}{fence}", text.replace('\n', " "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_from_commits_is_literal() {
        assert_eq!(markdown_literal("thanks @alice"), "thanks `@alice`");
        assert_eq!(markdown_literal("mail a@b.org"), "mail a@b.org");
        assert_eq!(
            markdown_literal("![x](http://t/p.png)"),
            "!\\[x\\](http://t/p.png)"
        );
        assert_eq!(markdown_literal("<!-- hidden -->"), "\\<!-- hidden --\\>");
        assert_eq!(markdown_literal("a `b` c"), "a `b` c");
        assert_eq!(markdown_literal("open `b *c*"), "open \\`b \\*c\\*");
        assert_eq!(markdown_literal("`@x` kept"), "`@x` kept");
        assert_eq!(md_code("a `b`"), "`` a `b` ``");
    }

    #[test]
    fn local_paths_become_relative() {
        let paths = vec![("/tmp/x/repo".to_string(), String::new())];
        assert_eq!(
            local("log: /tmp/x/repo/target/a.log in /tmp/x/repo", &paths),
            "log: target/a.log in ."
        );
        assert_eq!(local("/tmp/x/repo2/a", &paths), "/tmp/x/repo2/a");
        assert_eq!(local("/tmp/x/repo.git", &paths), "/tmp/x/repo.git");
        assert_eq!(local("in /tmp/x/repo.", &paths), "in ..");
        let home = vec![("/home/me".to_string(), "~".to_string())];
        assert_eq!(local("`/home/me/.cargo/bin`", &home), "`~/.cargo/bin`");
    }
}
