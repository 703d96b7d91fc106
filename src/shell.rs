//! Progress output on stderr, cargo style (`   Resolving workspace`): on a
//! terminal, or wherever `-v` asks for it (a CI log); never with `-q`.
//! stdout carries only the report, so `--format json` output stays clean.

use anstyle::{AnsiColor, Style};

#[derive(Clone, Copy, Debug)]
pub struct Shell {
    /// Print progress lines at all.
    pub progress: bool,
    /// `-v` count.
    pub verbose: u8,
    /// Print warnings (everywhere but with `-q`).
    pub warnings: bool,
}

impl Shell {
    pub fn new(progress: bool, verbose: u8) -> Self {
        Shell {
            progress,
            verbose,
            warnings: progress,
        }
    }

    pub fn warnings(mut self, on: bool) -> Self {
        self.warnings = on;
        self
    }

    /// A silent shell (used by tests and nested runs).
    pub fn quiet() -> Self {
        Shell {
            progress: false,
            verbose: 0,
            warnings: false,
        }
    }

    /// `{verb:>12} {message}`, the verb in bold green.
    pub fn status(&self, verb: &str, message: impl std::fmt::Display) {
        if self.progress {
            let s = Style::new().fg_color(Some(AnsiColor::Green.into())).bold();
            anstream::eprintln!("{s}{verb:>12}{s:#} {message}");
        }
    }

    /// Like `status`, only with `-v`.
    pub fn verbose(&self, verb: &str, message: impl std::fmt::Display) {
        if self.verbose > 0 {
            self.status(verb, message);
        }
    }

    /// A warning that is not part of the report (e.g. a fallback taken).
    pub fn warn(&self, message: impl std::fmt::Display) {
        if self.warnings {
            let s = Style::new().fg_color(Some(AnsiColor::Yellow.into())).bold();
            anstream::eprintln!("{s}warning{s:#}: {message}");
        }
    }
}
