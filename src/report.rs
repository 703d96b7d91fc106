//! The report every command produces: sections of check rows, each with a
//! status, a summary, details and a hint. Commands build a `Report`; the
//! renderers in `render` turn it into text; `Report::exit_code` maps it to 0/1/2.

use serde::Serialize;

/// Version of the JSON document written by `--format json`. Bumped only when a
/// field is removed or changes meaning; new fields may appear without a bump.
/// 2: facts are typed (numbers, lists, full commit ids, a `note`) with
/// kebab-case keys, and every section has a `status`.
pub const SCHEMA_VERSION: u32 = 2;

/// The outcome of one row. Ordered from best to worst so that `max` gives the
/// overall status.
#[derive(Serialize, Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Pass,
    Skip,
    Manual,
    Warn,
    /// The check could not run (a tool failed, the network was down): neither
    /// pass nor fail, and the command exits 2 unless something else failed.
    Error,
    Fail,
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Pass => "pass",
            Status::Skip => "skip",
            Status::Manual => "manual",
            Status::Warn => "warn",
            Status::Error => "error",
            Status::Fail => "fail",
        }
    }
}

/// One finding inside a row, naming what it is about so that JSON consumers
/// (and tests) can match on the crate, file, ref or commit.
#[derive(Serialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Detail {
    pub message: String,
    /// Set when this finding alone has a status different from its row's
    /// (e.g. a `warn` finding inside a `fail` row).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<Status>,
    #[serde(rename = "crate", skip_serializing_if = "Option::is_none")]
    pub krate: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(rename = "ref", skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
}

impl Detail {
    pub fn new(message: impl Into<String>) -> Self {
        Detail {
            message: message.into(),
            ..Detail::default()
        }
    }
    pub fn status(mut self, status: Status) -> Self {
        self.status = Some(status);
        self
    }
    pub fn krate(mut self, name: impl Into<String>) -> Self {
        self.krate = Some(name.into());
        self
    }
    pub fn file(mut self, path: impl Into<String>) -> Self {
        self.file = Some(path.into());
        self
    }
    pub fn reference(mut self, name: impl Into<String>) -> Self {
        self.reference = Some(name.into());
        self
    }
    pub fn commit(mut self, id: impl Into<String>) -> Self {
        self.commit = Some(id.into());
        self
    }
}

/// One row of the report.
#[derive(Serialize, Clone, Debug)]
pub struct CheckResult {
    pub id: String,
    pub status: Status,
    pub summary: String,
    pub details: Vec<Detail>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

impl CheckResult {
    pub fn new(id: impl Into<String>, status: Status, summary: impl Into<String>) -> Self {
        CheckResult {
            id: id.into(),
            status,
            summary: summary.into(),
            details: Vec::new(),
            hint: None,
        }
    }
    pub fn pass(id: &str, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Pass, summary)
    }
    pub fn warn(id: &str, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Warn, summary)
    }
    pub fn fail(id: &str, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Fail, summary)
    }
    pub fn skip(id: &str, reason: impl Into<String>) -> Self {
        Self::new(id, Status::Skip, reason)
    }
    pub fn manual(id: &str, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Manual, summary)
    }
    pub fn error(id: &str, summary: impl Into<String>) -> Self {
        Self::new(id, Status::Error, summary)
    }
    pub fn detail(mut self, detail: Detail) -> Self {
        self.details.push(detail);
        self
    }
    pub fn details(mut self, details: impl IntoIterator<Item = Detail>) -> Self {
        self.details.extend(details);
        self
    }
    /// The hint, only when the row failed: a passing row needs no advice.
    pub fn hint_on_fail(self, hint: impl Into<String>) -> Self {
        if self.status == Status::Fail {
            self.hint(hint)
        } else {
            self
        }
    }
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
    /// Builds a row from findings that carry their own status: the row takes
    /// the worst of them, or `pass` with `ok_summary` when there are none.
    pub fn from_findings(
        id: &str,
        findings: Vec<Detail>,
        ok_summary: impl Into<String>,
        summarize: impl FnOnce(&[Detail]) -> String,
    ) -> Self {
        let worst = findings.iter().filter_map(|d| d.status).max();
        match worst {
            None => CheckResult::pass(id, ok_summary),
            Some(status) => {
                let summary = summarize(&findings);
                CheckResult::new(id, status, summary).details(findings)
            }
        }
    }
}

/// A labelled fact shown above a section's rows (branch, BASE, HEAD, …).
/// `key` is stable and kebab-case (`changed-crates`); JSON consumers match
/// on it, people read it with spaces.
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
pub struct Fact {
    pub key: String,
    pub value: FactValue,
    /// How the value came about ("merge-base with master"), when it matters.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

/// A fact's value, typed for JSON: a string, a number, a list of strings,
/// or a full commit id (a string in JSON; shown abbreviated to people).
#[derive(Serialize, Clone, Debug, PartialEq, Eq)]
#[serde(untagged)]
pub enum FactValue {
    Text(String),
    Number(u64),
    List(Vec<String>),
    Commit(String),
}

impl FactValue {
    pub fn commit(id: impl std::fmt::Display) -> Self {
        FactValue::Commit(id.to_string())
    }
}

impl From<String> for FactValue {
    fn from(s: String) -> Self {
        FactValue::Text(s)
    }
}

impl From<&str> for FactValue {
    fn from(s: &str) -> Self {
        FactValue::Text(s.to_string())
    }
}

impl From<&String> for FactValue {
    fn from(s: &String) -> Self {
        FactValue::Text(s.clone())
    }
}

impl From<u64> for FactValue {
    fn from(n: u64) -> Self {
        FactValue::Number(n)
    }
}

impl From<usize> for FactValue {
    fn from(n: usize) -> Self {
        FactValue::Number(n as u64)
    }
}

impl From<Vec<String>> for FactValue {
    fn from(v: Vec<String>) -> Self {
        FactValue::List(v)
    }
}

impl From<Vec<&str>> for FactValue {
    fn from(v: Vec<&str>) -> Self {
        FactValue::List(v.into_iter().map(str::to_string).collect())
    }
}

impl std::fmt::Display for FactValue {
    /// How people read it: lists comma-separated ("none" when empty),
    /// commit ids abbreviated as git shows them.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FactValue::Text(s) => f.write_str(s),
            FactValue::Number(n) => write!(f, "{n}"),
            FactValue::List(v) if v.is_empty() => f.write_str("none"),
            FactValue::List(v) => f.write_str(&v.join(", ")),
            FactValue::Commit(id) => f.write_str(&id.chars().take(7).collect::<String>()),
        }
    }
}

impl std::fmt::Display for Fact {
    /// `base: 52df313 (merge-base with master)`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.key.replace('-', " "), self.value)?;
        match &self.note {
            Some(note) => write!(f, " ({note})"),
            None => Ok(()),
        }
    }
}

/// A group of rows about one subject: the fix branch, a release branch, a
/// backport target.
#[derive(Serialize, Clone, Debug)]
pub struct Section {
    pub name: String,
    pub facts: Vec<Fact>,
    pub checks: Vec<CheckResult>,
}

impl Section {
    pub fn new(name: impl Into<String>) -> Self {
        Section {
            name: name.into(),
            facts: Vec::new(),
            checks: Vec::new(),
        }
    }
    pub fn fact(mut self, key: &str, value: impl Into<FactValue>) -> Self {
        self.facts.push(Fact {
            key: key.to_string(),
            value: value.into(),
            note: None,
        });
        self
    }
    /// A fact with a note on how the value came about.
    pub fn fact_noted(
        mut self,
        key: &str,
        value: impl Into<FactValue>,
        note: impl Into<String>,
    ) -> Self {
        self.facts.push(Fact {
            key: key.to_string(),
            value: value.into(),
            note: Some(note.into()),
        });
        self
    }
    /// The worst row that is a verdict (`skip` and `manual` are not).
    pub fn status(&self) -> Status {
        self.checks
            .iter()
            .map(|c| c.status)
            .filter(|s| !matches!(s, Status::Skip | Status::Manual))
            .max()
            .unwrap_or(Status::Pass)
    }
}

/// Everything a command found, ready to be rendered.
#[derive(Serialize, Clone, Debug)]
pub struct Report {
    pub command: String,
    pub sections: Vec<Section>,
    /// Free-form notes about how the command decided things (defaults it chose).
    pub notes: Vec<String>,
    /// Commands the user runs next; the tool itself never pushes.
    pub next_steps: Vec<String>,
    /// Absolute local paths (the work tree, the target directory, the home
    /// directory) and what Markdown, which is pasted into advisory threads,
    /// prints instead of them.
    #[serde(skip)]
    pub local_paths: Vec<(String, String)>,
}

impl Report {
    pub fn new(command: &str) -> Self {
        Report {
            command: command.to_string(),
            sections: Vec::new(),
            notes: Vec::new(),
            next_steps: Vec::new(),
            local_paths: Vec::new(),
        }
    }

    /// The worst row; `skip` and `manual` rows leave a report `pass`
    /// (they are listed, and counted, but are no verdict).
    pub fn status(&self) -> Status {
        self.sections
            .iter()
            .map(Section::status)
            .max()
            .unwrap_or(Status::Pass)
    }

    /// 0 when nothing failed (warnings allowed), 1 when a check failed, 2 when
    /// a check could not run and nothing failed.
    pub fn exit_code(&self) -> i32 {
        match self.status() {
            Status::Fail => 1,
            Status::Error => 2,
            _ => 0,
        }
    }

    pub fn counts(&self) -> Vec<(Status, usize)> {
        let all = [
            Status::Pass,
            Status::Warn,
            Status::Fail,
            Status::Error,
            Status::Skip,
            Status::Manual,
        ];
        all.iter()
            .map(|s| {
                let n = self
                    .sections
                    .iter()
                    .flat_map(|sec| &sec.checks)
                    .filter(|c| c.status == *s)
                    .count();
                (*s, n)
            })
            .filter(|(_, n)| *n > 0)
            .collect()
    }
}
