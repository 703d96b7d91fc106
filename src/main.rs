//! The `cargo-security-release` binary: parse, run, render, exit.
//! Exit codes: 0 every check passed (warnings allowed), 1 a check failed
//! (for `advisory`: the draft needs attention), 2 the tool could not run.

use std::io::Write as _;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use cargo_security_release::cli::{self, ColorChoice};
use cargo_security_release::commands::Output;
use cargo_security_release::commands::advisory::{Document, Message};
use cargo_security_release::render;

fn main() -> ExitCode {
    let cli = cli::parse_args();
    let choice = match cli.global.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    match cargo_security_release::run(&cli) {
        Ok(Output::Report { report, format }) => {
            print(&render::render(&report, format));
            ExitCode::from(report.exit_code() as u8)
        }
        Ok(Output::Document(doc)) => {
            print_messages(&doc, cli.global.quiet);
            print(&doc.stdout);
            ExitCode::from(doc.exit_code)
        }
        Err(e) => {
            let s = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
            anstream::eprintln!("{s}error{s:#}: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn print(text: &str) {
    let mut out = anstream::stdout();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// Warnings always go to stderr; notes and status lines unless `-q`.
fn print_messages(doc: &Document, quiet: bool) {
    let warn = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
    let note = Style::new().fg_color(Some(AnsiColor::Cyan.into())).bold();
    let good = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
    for m in &doc.messages {
        match m {
            Message::Warning(text) => anstream::eprintln!("{warn}warning{warn:#}: {text}"),
            Message::Note(text) if !quiet => anstream::eprintln!("{note}note{note:#}: {text}"),
            Message::Status(verb, text) if !quiet => {
                anstream::eprintln!("{good}{verb:>12}{good:#} {text}")
            }
            _ => {}
        }
    }
}
