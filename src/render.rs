//! Renderers: the same `Report` as cargo-like status lines, as a JSON document
//! with a stable schema, or as a Markdown checklist for an advisory thread.
//! Renderers never compute anything; they only lay out what the report holds.

use std::fmt::Write as _;

use anstyle::{AnsiColor, Style};

use crate::report::{CheckResult, Report, SCHEMA_VERSION, Section, Status};

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
        let _ = writeln!(out, "{header}{:>12}{header:#} {note}", "Note");
    }
    for section in &report.sections {
        let _ = writeln!(
            out,
            "{header}{:>12}{header:#} {}",
            section_verb(&report.command),
            section.name
        );
        for fact in &section.facts {
            let _ = writeln!(out, "{INDENT}{dim}{}: {}{dim:#}", fact.key, fact.value);
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
        let _ = writeln!(out, "{header}{:>12}{header:#} {step}", "Next");
    }
    out
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
        check.summary
    );
    for detail in &check.details {
        let marker = match detail.status {
            Some(s) if s != check.status => format!("[{}] ", s.label()),
            _ => String::new(),
        };
        let mut lines = detail.message.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "{INDENT}- {marker}{first}");
        }
        for line in lines {
            let _ = writeln!(out, "{INDENT}  {line}");
        }
    }
    if let Some(hint) = &check.hint {
        let help = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
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
    sections: &'a [Section],
    notes: &'a [String],
    next_steps: &'a [String],
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
        sections: &report.sections,
        notes: &report.notes,
        next_steps: &report.next_steps,
    };
    // Serializing plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// A checklist that pastes into a GitHub security advisory discussion: ticked
/// boxes for passing rows, open boxes for everything a human must look at.
pub fn markdown(report: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "## `cargo security-release {}`", report.command);
    for note in &report.notes {
        let _ = writeln!(out, "\n> {note}");
    }
    for section in &report.sections {
        let _ = writeln!(out, "\n### {}\n", section.name);
        for fact in &section.facts {
            let _ = writeln!(out, "- {}: `{}`", fact.key, fact.value);
        }
        if !section.facts.is_empty() {
            out.push('\n');
        }
        for check in &section.checks {
            markdown_row(&mut out, check);
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
            let _ = writeln!(out, "```\n{step}\n```");
        }
    }
    out
}

fn markdown_row(out: &mut String, check: &CheckResult) {
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
        md_escape(&check.summary)
    );
    for detail in &check.details {
        let prefix = if check.status == Status::Manual {
            "- [ ] "
        } else {
            "- "
        };
        let mut lines = detail.message.lines();
        if let Some(first) = lines.next() {
            let _ = writeln!(out, "  {prefix}{}", md_escape(first));
        }
        for line in lines {
            let _ = writeln!(out, "    {}", md_escape(line));
        }
    }
    if let Some(hint) = &check.hint {
        let _ = writeln!(out, "  - _Fix:_ {}", md_escape(&hint.replace('\n', " ")));
    }
}

/// Keeps characters that GitHub would turn into markup literal (outside code spans).
fn md_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    for c in text.chars() {
        if c == '`' {
            in_code = !in_code;
        }
        if !in_code && matches!(c, '*' | '_' | '<' | '>' | '|') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}
