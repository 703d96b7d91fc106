//! The `cargo-security-release` binary: parse, run, render, exit.
//! Exit codes: 0 every check passed (warnings allowed), 1 a check failed
//! (for `advisory`: the draft needs attention), 2 the tool could not run.
//! With `--format json`, a run that could not start still prints a JSON
//! document (status `error`) on stdout.

use std::ffi::OsString;
use std::io::Write as _;
use std::process::ExitCode;

use anstyle::{AnsiColor, Style};
use cargo_security_release::cli::{self, ColorChoice, OutputFormat};
use cargo_security_release::commands::Output;
use cargo_security_release::commands::advisory::{Document, Message};
use cargo_security_release::render;

fn main() -> ExitCode {
    let args: Vec<OsString> = std::env::args_os().collect();
    let cli = match cli::parse_from(args.clone()) {
        Ok(cli) => cli,
        Err(e) => {
            use clap::error::ErrorKind;
            let informational = matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            );
            if !informational && wants_json(&args) {
                let message = clean_clap_message(&e.to_string());
                print(&render::json_error(&command_word(&args), &message));
            }
            e.exit();
        }
    };
    let choice = match cli.global.color {
        ColorChoice::Auto => anstream::ColorChoice::Auto,
        ColorChoice::Always => anstream::ColorChoice::Always,
        ColorChoice::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
    cargo_security_release::process::set_trace(cli.global.verbose >= 2 && !cli.global.quiet);
    let result = cargo_security_release::run(&cli);
    cargo_security_release::interrupt::unless_ending();
    match result {
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
            if cli.global.format == OutputFormat::Json {
                print(&render::json_error(&command_word(&args), &format!("{e:#}")));
            }
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

/// `--format json` or `--format=json` among the arguments, read without
/// clap (which just refused them).
fn wants_json(args: &[OsString]) -> bool {
    let args: Vec<String> = args
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    args.iter().any(|a| a == "--format=json")
        || args
            .windows(2)
            .any(|w| w[0] == "--format" && w[1] == "json")
}

/// The subcommand's name, for the error document (`""` when none was given).
fn command_word(args: &[OsString]) -> String {
    args.iter()
        .skip(1)
        .map(|a| a.to_string_lossy().into_owned())
        .find(|a| ["check", "backport", "verify-published", "advisory"].contains(&a.as_str()))
        .unwrap_or_default()
}

/// clap's message without its `error: ` prefix and usage footer.
fn clean_clap_message(text: &str) -> String {
    let text = anstream::adapter::strip_str(text).to_string();
    let body = text
        .split("\n\nUsage:")
        .next()
        .and_then(|b| b.split("\n\nFor more information").next())
        .unwrap_or(&text);
    body.trim().trim_start_matches("error: ").trim().to_string()
}
