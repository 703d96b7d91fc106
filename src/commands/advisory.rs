//! `advisory`: drafts the security advisory of the fix from the repository.
//! This file gathers the inputs (flags over the `advisory` table, the
//! crates, what each line ships, where the flaw came in), lets
//! `crate::advisory` assemble and render the drafts, and writes the result.
//! It reads git and the workspace only: no network, nothing posted.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::Session;
use crate::advisory::{
    self, Draft, Fields, functions, ghsa, introduced, markdown, osv, rustsec, severity, source,
};
use crate::cli::{AdvisoryArgs, ConfigArgs, GlobalArgs, OutputFormat};
use crate::config::AdvisoryConfig;
use crate::context::{ChangedCrate, Context, ContextOptions};
use crate::presence::Fix;
use crate::verify;

/// The advisory, rendered, with what to tell the user beside it.
pub struct Document {
    /// What goes to stdout (empty when `--out` took it).
    pub stdout: String,
    pub messages: Vec<Message>,
    /// 0: the draft is complete; 1: something needs attention.
    pub exit_code: u8,
}

pub enum Message {
    /// Something that keeps the draft from being publishable as it is.
    Warning(String),
    /// How something was decided.
    Note(String),
    /// A cargo-style status line: verb, message.
    Status(&'static str, String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Markdown,
    Rustsec,
    Osv,
    Ghsa,
}

pub fn run(global: &GlobalArgs, flags: &ConfigArgs, args: &AdvisoryArgs) -> Result<Document> {
    let kind = match global.format {
        OutputFormat::Human | OutputFormat::Markdown => Kind::Markdown,
        OutputFormat::Rustsec => Kind::Rustsec,
        OutputFormat::Osv => Kind::Osv,
        OutputFormat::Ghsa => Kind::Ghsa,
        OutputFormat::Json => bail!(
            "`advisory` writes markdown, rustsec, osv or ghsa: for JSON, pass --format osv \
             (an OSV record) or --format ghsa (GitHub's request body)"
        ),
    };
    let session = Session::open(global, flags)?;
    let opts = ContextOptions {
        base: args.base.clone(),
        ..ContextOptions::default()
    };
    let cx = Context::build(session.checkout, session.config, &opts, session.shell)?;
    let config = cx.config.advisory.clone();
    let fields = fields(&cx, args, &config)?;
    let crates = select_crates(&cx, args, &config)?;
    let names: Vec<String> = crates.iter().map(|c| c.name.clone()).collect();
    advisory::validate(&fields, &names)?;
    if crates.len() > 1 {
        let list = names.join(", ");
        if matches!(kind, Kind::Rustsec | Kind::Osv) {
            bail!(
                "the fix modified {} publishable crates ({list}), and a {} file is about one crate: \
                 pass --crate NAME (one run per crate)",
                crates.len(),
                if kind == Kind::Rustsec {
                    "RustSec"
                } else {
                    "OSV"
                }
            );
        }
        if let Some(id) = fields
            .id
            .as_ref()
            .filter(|id| *id != advisory::PLACEHOLDER_ID)
        {
            bail!(
                "--id {id} names one RustSec advisory, but the fix modified {} publishable crates \
                 ({list}): pass --crate NAME",
                crates.len()
            );
        }
    }

    let (required, _) = verify::required_commits(&cx)?;
    let fix = Fix {
        base: cx.base.commit,
        head: cx.head.commit,
        commits: &required,
    };
    let introduced_rev = match (&args.introduced, &config.introduced) {
        (Some(rev), _) => Some((rev.clone(), format!("--introduced {rev}"))),
        (None, Some(rev)) => Some((rev.clone(), format!("`advisory.introduced = \"{rev}\"`"))),
        (None, None) => None,
    };
    let mut drafts = Vec::new();
    for krate in &crates {
        drafts.push(draft_for(
            &cx,
            krate,
            &fields,
            &fix,
            introduced_rev.as_ref(),
        )?);
    }

    let mut rustsec_texts = Vec::new();
    let mut osv_texts = Vec::new();
    for d in &mut drafts {
        let text = rustsec::render(d)?;
        let lint = rustsec::lint(&text, d);
        d.problems.extend(lint);
        rustsec_texts.push(text);
        osv_texts.push(osv::render(d)?);
    }
    let ghsa_body = ghsa::render(&drafts)?;
    let (slug, slug_note) = github_repo(&cx, &crates);
    let ghsa_input = match (&args.out, kind) {
        (Some(out), Kind::Ghsa) => out.display().to_string(),
        _ => "ghsa.json".to_string(),
    };
    let ghsa_command = ghsa::command(&slug, &ghsa_input);

    let text = match kind {
        Kind::Rustsec => rustsec_texts.concat(),
        Kind::Osv => osv_texts.concat(),
        Kind::Ghsa => ghsa_body.clone(),
        Kind::Markdown => {
            let mut text = markdown::render(
                &drafts,
                &markdown::Attachments {
                    rustsec: &rustsec_texts,
                    osv: &osv_texts,
                    ghsa_body: &ghsa_body,
                    ghsa_command: &ghsa_command,
                },
            );
            text.push('\n');
            text
        }
    };

    let mut messages = Vec::new();
    let mut exit_code = 0;
    for d in &drafts {
        let who = if drafts.len() > 1 {
            format!("{}: ", d.package)
        } else {
            String::new()
        };
        for p in &d.problems {
            messages.push(Message::Warning(format!("{who}{p}")));
            exit_code = 1;
        }
        // Markdown carries its notes; the other formats have no room for them.
        if kind != Kind::Markdown || args.out.is_some() {
            messages.push(Message::Note(format!("{who}{}", d.stage())));
            for n in &d.notes {
                messages.push(Message::Note(format!("{who}{n}")));
            }
        }
    }
    if let Some(note) = slug_note {
        messages.push(Message::Note(note));
    }
    if kind == Kind::Ghsa {
        if drafts
            .iter()
            .any(|d| d.cvss.as_ref().is_some_and(|s| s.is_v4()))
        {
            messages.push(Message::Note(
                "GitHub documents `cvss_vector_string` with CVSS 3.1 vectors; if it refuses this 4.0 \
                 vector, replace it with `\"severity\"`"
                    .to_string(),
            ));
        }
        let save = if args.out.is_some() {
            String::new()
        } else {
            "save the body (--out ghsa.json) and ".to_string()
        };
        messages.push(Message::Note(format!(
            "{save}create the draft advisory with:\n  {ghsa_command}"
        )));
    }
    let stdout = match &args.out {
        Some(path) => {
            write_out(path, &text)?;
            messages.push(Message::Status("Wrote", path.display().to_string()));
            String::new()
        }
        None => text,
    };
    Ok(Document {
        stdout,
        messages,
        exit_code,
    })
}

fn draft_for(
    cx: &Context,
    krate: &ChangedCrate,
    fields: &Fields,
    fix: &Fix<'_>,
    introduced_rev: Option<&(String, String)>,
) -> Result<Draft> {
    let tags = source::release_tags(cx, krate)?;
    let (lines, mut notes) = source::lines(cx, krate, &tags, fix)?;
    let (base, head) = (cx.base.commit, cx.head.commit);
    let introduced = match introduced_rev {
        Some((rev, how)) => Some(introduced::given(&cx.repo, rev, how, &tags)?),
        None => {
            let found = introduced::infer(&cx.repo, base, head, krate, &tags)?;
            if found.is_none() {
                notes.push(format!(
                    "the fix changed no line of `{}`'s sources that existed at BASE, so nothing \
                     could be blamed: pass --introduced REV to give `unaffected`",
                    krate.name
                ));
            }
            found
        }
    };
    let hints = functions::hints(&cx.repo, base, head, krate)?;
    let untargeted = source::untargeted(cx, &lines, &tags, fix)?;
    let mut draft = advisory::build(&krate.name, fields, lines, introduced, hints)?;
    notes.append(&mut draft.notes);
    draft.notes = notes;
    for line in &untargeted {
        draft.add_untargeted(line);
    }
    Ok(draft)
}

/// Flags over the configured table; the description file is read here.
fn fields(cx: &Context, args: &AdvisoryArgs, config: &AdvisoryConfig) -> Result<Fields> {
    let pick =
        |flag: &Option<String>, configured: &Option<String>| flag.clone().or(configured.clone());
    let list = |flag: &Vec<String>, configured: &Vec<String>| {
        if flag.is_empty() {
            configured.clone()
        } else {
            flag.clone()
        }
    };
    let description = match (&args.description, &config.description) {
        (Some(path), _) => Some(read_description(path, "--description")?),
        (None, Some(path)) => Some(read_description(
            &cx.workspace_root.join(path),
            "`advisory.description` in the configuration",
        )?),
        (None, None) => None,
    };
    let cvss = match pick(&args.cvss, &config.cvss) {
        Some(v) => Some(severity::parse(&v)?),
        None => None,
    };
    let title = pick(&args.title, &config.title);
    if let Some(t) = &title
        && t.trim().is_empty()
    {
        bail!("--title is empty");
    }
    Ok(Fields {
        id: pick(&args.id, &config.id),
        ghsa: pick(&args.ghsa, &config.ghsa),
        cve: pick(&args.cve, &config.cve),
        title,
        description,
        keywords: list(&args.keywords, &config.keywords),
        categories: list(&args.categories, &config.categories),
        url: pick(&args.url, &config.url),
        references: list(&args.references, &config.references),
        cvss,
        os: list(&args.os, &config.os),
        arch: list(&args.arch, &config.arch),
        functions: list(&args.functions, &config.functions),
        date: args.date.clone().unwrap_or_else(advisory::today_utc),
    })
}

fn read_description(path: &Path, what: &str) -> Result<String> {
    let text = std::fs::read_to_string(path).with_context(|| {
        format!(
            "failed to read the description `{}` ({what})",
            path.display()
        )
    })?;
    if text.trim().is_empty() {
        bail!("the description `{}` ({what}) is empty", path.display());
    }
    Ok(text)
}

/// The publishable crates the fix modified, or those `--crate` names.
fn select_crates<'c>(
    cx: &'c Context,
    args: &AdvisoryArgs,
    config: &AdvisoryConfig,
) -> Result<Vec<&'c ChangedCrate>> {
    let modified: Vec<&ChangedCrate> = cx
        .changed
        .iter()
        .filter(|c| c.publish && !c.only_tests())
        .collect();
    let listed = modified
        .iter()
        .map(|c| format!("`{}`", c.name))
        .collect::<Vec<_>>()
        .join(", ");
    let (wanted, from) = if args.crates.is_empty() {
        (&config.crates, "`advisory.crate` in the configuration")
    } else {
        (&args.crates, "--crate")
    };
    if wanted.is_empty() {
        if modified.is_empty() {
            bail!(
                "the fix ({} over BASE {}) modifies no publishable crate's shipped code: \
                 there is nothing to draft an advisory for (pass --base REV if BASE is wrong)",
                crate::text::count(cx.fix.len(), "commit"),
                cx.base.how
            );
        }
        return Ok(modified);
    }
    let mut out = Vec::new();
    for name in wanted {
        match modified.iter().find(|c| c.name == *name) {
            Some(c) => out.push(*c),
            None => {
                let why = match cx.head_ws.member(name) {
                    None => "is not a member of the workspace".to_string(),
                    Some(m) if !m.publish => "is not published (`publish = false`)".to_string(),
                    Some(_) => "was not modified by the fix".to_string(),
                };
                bail!(
                    "{from} `{name}` {why}\npublishable crates the fix modified: {}",
                    if listed.is_empty() {
                        "none".to_string()
                    } else {
                        listed
                    }
                );
            }
        }
    }
    Ok(out)
}

/// `owner/name` for the `gh api` command: the crate's `repository`, else
/// the `origin` remote, when either is on GitHub.
fn github_repo(cx: &Context, crates: &[&ChangedCrate]) -> (String, Option<String>) {
    let from_manifest = crates.iter().find_map(|c| {
        let doc = cx
            .head_ws
            .manifests
            .iter()
            .find(|(path, _)| *path == c.manifest)
            .map(|(_, doc)| doc)?;
        let repo = doc.get("package")?.get("repository")?;
        let url = match repo.as_str() {
            Some(url) => url.to_string(),
            None => {
                let root = cx
                    .head_ws
                    .manifests
                    .iter()
                    .find(|(path, _)| *path == cx.root_manifest)
                    .map(|(_, doc)| doc)?;
                root.get("workspace")?
                    .get("package")?
                    .get("repository")?
                    .as_str()?
                    .to_string()
            }
        };
        ghsa::github_slug(&url)
    });
    if let Some(slug) = from_manifest {
        return (slug, None);
    }
    let from_remote = cx.repo.remotes().ok().and_then(|remotes| {
        remotes
            .iter()
            .find(|r| r.name == "origin")
            .and_then(|r| ghsa::github_slug(&r.url))
    });
    match from_remote {
        Some(slug) => (slug, None),
        None => (
            "OWNER/REPO".to_string(),
            Some(
                "no GitHub repository in the crate's `repository` or the `origin` remote: \
                 replace OWNER/REPO in the `gh api` command"
                    .to_string(),
            ),
        ),
    }
}

fn write_out(path: &PathBuf, text: &str) -> Result<()> {
    std::fs::write(path, text)
        .with_context(|| format!("failed to write `{}` (--out)", path.display()))
}
