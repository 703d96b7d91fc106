//! `doc-versions`: tracked files that show a bumped crate's version for
//! users to copy (`mycrate = { version = "1.18.3", features = [...] }` in a
//! README or a doc example) name the new version, not the vulnerable one.

use anyhow::Result;

use super::CheckDef;
use crate::context::Context;
use crate::release::policy;
use crate::report::{CheckResult, Detail, Status};
use crate::text::{count, count_with_verb};
use crate::workspace::{FileSource, WorkTree};

pub const CHECK: CheckDef = CheckDef {
    id: "doc-versions",
    run,
};

fn run(cx: &Context) -> Result<CheckResult> {
    let bumped: Vec<_> = cx
        .changed
        .iter()
        .filter(|c| c.publish && c.bumped())
        .collect();
    if bumped.is_empty() {
        return Ok(CheckResult::skip(
            CHECK.id,
            "no crate was bumped, so no version string can be stale",
        ));
    }
    let work = WorkTree {
        root: cx.repo.workdir().to_path_buf(),
    };
    let files = policy::version_files(&cx.head_ws, cx.config.version_files.as_deref(), &work);
    let mut findings = Vec::new();
    let mut current = 0;
    for file in &files {
        let Some(bytes) = work.read(file)? else {
            if cx.config.version_files.is_some() {
                findings.push(
                    Detail::new(format!(
                        "{file} (configured in `version-files`) does not exist"
                    ))
                    .status(Status::Error)
                    .file(file),
                );
            }
            continue;
        };
        let text = String::from_utf8_lossy(&bytes);
        for krate in &bumped {
            let Some(old) = &krate.base_version else {
                continue;
            };
            current +=
                policy::find_version_mentions(file, &text, &krate.name, &krate.head_version).len();
            for m in policy::find_version_mentions(file, &text, &krate.name, old) {
                findings.push(
                    Detail::new(format!(
                        "{}:{} still shows {} {} (this release is {})",
                        m.file, m.line, krate.name, old, krate.head_version
                    ))
                    .status(Status::Warn)
                    .krate(&krate.name)
                    .file(&m.file),
                );
            }
        }
    }
    let looked = files.len();
    let result = CheckResult::from_findings(
        CHECK.id,
        findings,
        format!(
            "{} looked at: {} the new versions, none the old",
            count(looked, "file"),
            count_with_verb(current, "version string", "names", "name")
        ),
        |f| {
            let stale = f.iter().filter(|d| d.status == Some(Status::Warn)).count();
            format!(
                "{} the vulnerable version",
                count_with_verb(stale, "version string", "still names", "still name")
            )
        },
    );
    Ok(match result.status {
        Status::Warn => result.hint(
            "update the listed lines to the new version (`backport` does this on the release lines); \
             `version-files` in the config sets which files are looked at",
        ),
        _ => result,
    })
}
