//! `verify-published`: after the release, checks the registry, the tags,
//! the versions each line ships, the fix on every line, lines left
//! unpatched, embargoed dependencies and a superproject's submodule. The
//! rows live in `verify`; this file works out what to verify and runs them.

use anyhow::Result;

use super::Session;
use crate::cli::{ConfigArgs, GlobalArgs, VerifyPublishedArgs};
use crate::context::{Context, ContextOptions};
use crate::report::{CheckResult, FactValue, Report, Section};
use crate::verify::{self, Options, Plan, Superproject, TagRules, Verification};

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &VerifyPublishedArgs) -> Result<Report> {
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        ..ContextOptions::default()
    };
    let mut cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    super::attach_registry(&mut cx)?;
    let location = super::index_location(&cx)?;
    let superproject = match (&args.superproject, &args.submodule) {
        (Some(path), Some(submodule)) => Some(Superproject::open(
            absolute(path)?,
            submodule,
            &args.superproject_branches,
        )?),
        _ => None,
    };
    let plan = Plan::build(&cx, &args.crates, &args.backports)?;
    let v = Verification {
        tags: TagRules::new(&cx),
        cx: &cx,
        plan,
        options: Options {
            wait: args.wait,
            verify_contents: args.verify_contents,
            superproject,
        },
    };

    let mut report = Report::new("verify-published");
    let mut section = Section::new("release")
        .fact("commits", cx.fix.len())
        .fact("head", FactValue::commit(cx.head.commit))
        .fact_noted(
            "base",
            FactValue::commit(cx.base.commit),
            cx.base.how.clone(),
        )
        .fact("index", location.label.clone())
        .fact(
            "expected",
            v.plan.expected.iter().map(|e| e.id()).collect::<Vec<_>>(),
        );
    if !v.plan.from_crate_args {
        section = section.fact(
            "branches",
            v.plan
                .lines
                .iter()
                .map(|l| format!("{} = {}", l.role, l.name))
                .collect::<Vec<_>>(),
        );
    }
    for row in verify::ALL {
        cx.shell.verbose("Verifying", row.id);
        let result = (row.run)(&v)
            .unwrap_or_else(|e| CheckResult::error(row.id, format!("could not verify: {e:#}")));
        section.checks.push(result);
    }
    report.sections.push(section);
    let lines: Vec<&str> = v
        .plan
        .lines
        .iter()
        .filter(|l| !l.is_main)
        .map(|l| l.name.as_str())
        .collect();
    report.sections.push(super::lines_section(&cx, &lines));
    if cx.config.offline {
        report.notes.push(
            "--offline: the registry was not asked; tags and branches were checked".to_string(),
        );
    }
    Ok(report)
}

fn absolute(p: &std::path::Path) -> Result<std::path::PathBuf> {
    if p.is_absolute() {
        return Ok(p.to_path_buf());
    }
    Ok(std::env::current_dir()?.join(p))
}
