//! The `cargo-security-release` binary: parse, run, render, exit.
//! Exit codes: 0 every check passed (warnings allowed), 1 a check failed,
//! 2 the tool could not run.

use std::io::Write as _;
use std::process::ExitCode;

use cargo_security_release::cli::{self, ColorChoice};
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
        Ok(report) => {
            let text = render::render(&report, cli.global.format);
            let mut out = anstream::stdout();
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
            ExitCode::from(report.exit_code() as u8)
        }
        Err(e) => {
            let s = anstyle::Style::new()
                .fg_color(Some(anstyle::AnsiColor::Red.into()))
                .bold();
            anstream::eprintln!("{s}error{s:#}: {e:#}");
            ExitCode::from(2)
        }
    }
}
