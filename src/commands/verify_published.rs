//! `verify-published`: after the release, checks the registry, the tags, the
//! fix on every branch, and a superproject's submodule. The rows live in
//! `verify`; this file picks what to verify and where to ask.

use anyhow::Result;

use super::Session;
use crate::cli::{ConfigArgs, GlobalArgs, VerifyPublishedArgs};
use crate::context::{Context, ContextOptions};
use crate::registry::{RetryPolicy, SparseRegistry};
use crate::report::{CheckResult, FactValue, Report, Section};
use crate::verify::{self, RegistryOptions, Superproject, TagRules};

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &VerifyPublishedArgs) -> Result<Report> {
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        ..ContextOptions::default()
    };
    let cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    let location = super::index_location(&cx)?;
    let branches = verify::target_branches(&cx)?;
    let expected = if args.crates.is_empty() {
        verify::expected_from_branches(&cx, &branches)?
    } else {
        verify::parse_crate_args(&cx, &args.crates)?
    };
    let rules = TagRules::new(&cx)?;

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
            expected.iter().map(|e| e.id()).collect::<Vec<_>>(),
        );
    if args.crates.is_empty() {
        section = section.fact(
            "branches",
            branches
                .iter()
                .map(|b| format!("{} = {}", b.role, b.name))
                .collect::<Vec<_>>(),
        );
    }

    let registry_row = if cx.config.offline {
        CheckResult::skip("registry", "--offline: the registry index was not queried")
    } else {
        let policy = RetryPolicy {
            timeout: cx.config.index_timeout,
            ..RetryPolicy::default()
        };
        let registry = SparseRegistry::new(location, &verify::scratch_dir(&cx), policy)?;
        let ropts = RegistryOptions {
            wait: args.wait,
            verify_contents: args.verify_contents,
            tags: &rules,
        };
        verify::registry_row(&cx, &registry, &expected, &ropts)
            .unwrap_or_else(|e| CheckResult::error("registry", format!("could not verify: {e:#}")))
    };
    section.checks.push(registry_row);
    section.checks.push(
        verify::tag_row(&cx, &expected, &rules, &branches)
            .unwrap_or_else(|e| CheckResult::error("tag", format!("could not run: {e:#}"))),
    );
    section.checks.push(
        verify::branches_row(&cx, &branches)
            .unwrap_or_else(|e| CheckResult::error("branches", format!("could not run: {e:#}"))),
    );
    let superproject = match (&args.superproject, &args.submodule) {
        (Some(path), Some(submodule)) => {
            let sp = Superproject {
                path: absolute(path)?,
                submodule: submodule.clone(),
                branches: args.superproject_branches.clone(),
            };
            verify::superproject_row(&cx, &sp)?
        }
        _ => CheckResult::skip(
            "superproject",
            "no --superproject PATH --submodule PATH given",
        ),
    };
    section.checks.push(superproject);
    report.sections.push(section);
    let lines: Vec<&str> = cx
        .releases
        .lines(&cx.repo)?
        .iter()
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
