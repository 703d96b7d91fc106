//! The affected-function hint: the functions whose bodies the fix changed,
//! read from the lines around each changed line (the enclosing `fn`, and the
//! `impl`, `trait` and inline `mod` blocks around it) and from the file's
//! module path. A hint only: `--function` sets what the advisory says.

use anyhow::Result;

use crate::context::ChangedCrate;
use crate::git::{Oid, Repo};

/// A function the fix changed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FunctionHint {
    /// `mycrate::net::ServerOptions::pipe_mode`
    pub path: String,
    /// Repo-relative file and the first changed line seen in it.
    pub file: String,
    pub line: u32,
}

/// The shipped Rust sources of a crate among the fix's changed paths: `.rs`
/// files under its directory, except `tests/`, `benches/` and `examples/`.
pub fn source_files(krate: &ChangedCrate) -> Vec<String> {
    krate
        .paths
        .iter()
        .filter(|p| p.ends_with(".rs"))
        .filter(|p| {
            let rel = relative(p, &krate.dir);
            !["tests/", "benches/", "examples/"]
                .iter()
                .any(|d| rel.starts_with(d))
        })
        .cloned()
        .collect()
}

fn relative<'a>(path: &'a str, dir: &str) -> &'a str {
    if dir.is_empty() {
        return path;
    }
    path.strip_prefix(dir)
        .map(|r| r.trim_start_matches('/'))
        .unwrap_or(path)
}

/// The functions of `krate` whose bodies changed between `base` and `head`.
pub fn hints(repo: &Repo, base: Oid, head: Oid, krate: &ChangedCrate) -> Result<Vec<FunctionHint>> {
    let files = source_files(krate);
    let changes = repo.diff_hunks(base, head, &files)?;
    let old_tree = repo.tree_at(base)?;
    let new_tree = repo.tree_at(head)?;
    let read = |tree: &crate::git::CommitTree<'_>, path: &Option<String>| -> Result<String> {
        Ok(match path {
            Some(p) => tree
                .read(p)?
                .map(|b| String::from_utf8_lossy(&b).into_owned())
                .unwrap_or_default(),
            None => String::new(),
        })
    };
    let crate_ident = krate.name.replace('-', "_");
    let mut out: Vec<FunctionHint> = Vec::new();
    for change in changes {
        let old_text = read(&old_tree, &change.old_path)?;
        let new_text = read(&new_tree, &change.new_path)?;
        let old_lines: Vec<&str> = old_text.lines().collect();
        let new_lines: Vec<&str> = new_text.lines().collect();
        let mut seen = Vec::new();
        for hunk in &change.hunks {
            for &n in &hunk.removed {
                if let Some(p) = &change.old_path {
                    seen.push((p.clone(), n, enclosing(&old_lines, n as usize - 1)));
                }
            }
            for &n in &hunk.added {
                if let Some(p) = &change.new_path {
                    seen.push((p.clone(), n, enclosing(&new_lines, n as usize - 1)));
                }
            }
        }
        for (file, line, inner) in seen {
            let (Some(inner), Some(module)) = (inner, module_path(relative(&file, &krate.dir)))
            else {
                continue;
            };
            let mut segments = vec![crate_ident.clone()];
            segments.extend(module);
            segments.extend(inner);
            let path = segments.join("::");
            if !out.iter().any(|h| h.path == path) {
                out.push(FunctionHint { path, file, line });
            }
        }
    }
    Ok(out)
}

/// The module a source file is, relative to the crate directory:
/// `src/lib.rs` → [], `src/net.rs` and `src/net/mod.rs` → [net],
/// `src/net/pipe.rs` → [net, pipe]; `None` outside `src/` and for binaries.
pub fn module_path(rel: &str) -> Option<Vec<String>> {
    let inner = rel.strip_prefix("src/")?;
    if inner == "main.rs" || inner.starts_with("bin/") {
        return None;
    }
    let inner = inner.strip_suffix(".rs")?;
    let mut parts: Vec<String> = inner.split('/').map(str::to_string).collect();
    if matches!(parts.last().map(String::as_str), Some("lib" | "mod")) {
        parts.pop();
    }
    Some(parts)
}

/// The path inside its file of the function enclosing line `idx` (0-based):
/// inline modules, then the `impl` type or trait, then the function;
/// `None` outside any function, and inside `mod tests`.
pub fn enclosing(lines: &[&str], idx: usize) -> Option<Vec<String>> {
    let target = lines.get(idx)?;
    let mut function = None;
    let mut outer: Vec<String> = Vec::new();
    // The changed line may be the signature itself.
    if let Some(name) = item_name(target, "fn") {
        function = Some(name);
    }
    let mut threshold = if target.trim().is_empty() {
        usize::MAX
    } else {
        indent(target)
    };
    for line in lines[..idx].iter().rev() {
        if threshold == 0 {
            break;
        }
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with("//") || trimmed.starts_with('#') {
            continue;
        }
        let ind = indent(line);
        if ind >= threshold {
            continue;
        }
        if trimmed.starts_with('}') {
            // The end of a sibling block: what encloses the target starts
            // at this depth or above.
            threshold = ind;
            continue;
        }
        if let Some(name) = item_name(line, "fn") {
            if function.is_none() {
                function = Some(name);
            }
            threshold = ind;
        } else if let Some(ty) = impl_type(line) {
            outer.push(ty);
            threshold = ind;
        } else if let Some(name) = item_name(line, "trait") {
            outer.push(name);
            threshold = ind;
        } else if let Some(name) = item_name(line, "mod").filter(|_| trimmed.ends_with('{')) {
            if name == "tests" || name == "test" {
                return None;
            }
            outer.push(name);
            threshold = ind;
        }
    }
    let function = function?;
    outer.reverse();
    outer.push(function);
    Some(outer)
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

/// The name after `keyword` when the line declares that item, allowing
/// `pub`, `pub(crate)`, `const`, `async`, `unsafe`, `extern "C"` before it.
fn item_name(line: &str, keyword: &str) -> Option<String> {
    let mut words = line.split_whitespace();
    loop {
        let word = words.next()?;
        if word == keyword {
            let name: String = words
                .next()?
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            return (!name.is_empty()).then_some(name);
        }
        let qualifier = word.starts_with("pub")
            || matches!(word, "const" | "async" | "unsafe" | "extern" | "default")
            || (word.starts_with('"') && word.ends_with('"'));
        if !qualifier {
            return None;
        }
    }
}

/// The type an `impl` block is for: `impl Foo {`, `impl<T> Trait for Foo<T>`.
fn impl_type(line: &str) -> Option<String> {
    let t = line.trim_start();
    let t = t.strip_prefix("unsafe ").unwrap_or(t);
    let rest = t.strip_prefix("impl")?;
    if !(rest.starts_with('<') || rest.starts_with(' ')) {
        return None;
    }
    // Skip the generic parameters `<…>` right after `impl`.
    let mut rest = rest.trim_start();
    if rest.starts_with('<') {
        let mut depth = 0;
        let mut end = None;
        for (i, c) in rest.char_indices() {
            match c {
                '<' => depth += 1,
                '>' => {
                    depth -= 1;
                    if depth == 0 {
                        end = Some(i);
                        break;
                    }
                }
                _ => {}
            }
        }
        rest = rest[end? + 1..].trim_start();
    }
    let ty = match rest.find(" for ") {
        Some(i) => &rest[i + 5..],
        None => rest,
    };
    let path: String = ty
        .trim_start_matches(['&', '\'', ' '])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let name = path.rsplit("::").next()?.to_string();
    (!name.is_empty()).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = r#"//! Named pipes.
use std::io;

pub fn top_level(x: u8) -> u8 {
    let y = x + 1;
    y
}

pub struct ServerOptions {
    mode: u8,
}

impl ServerOptions {
    pub fn new() -> Self {
        ServerOptions { mode: 0 }
    }

    pub fn pipe_mode(
        &mut self,
        mode: u8,
    ) -> &mut Self {
        if mode > 2 {
            self.mode = 0;
        }
        self
    }
}

impl<T: Into<u8>> From<T> for ServerOptions {
    fn from(t: T) -> Self {
        ServerOptions { mode: t.into() }
    }
}

pub mod unix {
    pub(crate) unsafe fn raw(fd: i32) -> i32 {
        fd
    }
}

const LIMIT: u8 = 3;

#[cfg(test)]
mod tests {
    #[test]
    fn works() {
        assert!(true);
    }
}
"#;

    fn at(needle: &str) -> Option<String> {
        let lines: Vec<&str> = SOURCE.lines().collect();
        let idx = lines.iter().position(|l| l.contains(needle)).unwrap();
        enclosing(&lines, idx).map(|p| p.join("::"))
    }

    #[test]
    fn finds_the_enclosing_function() {
        assert_eq!(at("let y = x + 1").as_deref(), Some("top_level"));
        assert_eq!(
            at("self.mode = 0").as_deref(),
            Some("ServerOptions::pipe_mode")
        );
        assert_eq!(
            at("        mode: u8,").as_deref(),
            Some("ServerOptions::pipe_mode")
        );
        assert_eq!(
            at("ServerOptions { mode: 0 }").as_deref(),
            Some("ServerOptions::new")
        );
        assert_eq!(at("mode: t.into()").as_deref(), Some("ServerOptions::from"));
        assert_eq!(at("        fd").as_deref(), Some("unix::raw"));
        assert_eq!(at("pub fn new()").as_deref(), Some("ServerOptions::new"));
        assert_eq!(at("const LIMIT").as_deref(), None);
        assert_eq!(at("    mode: u8,").as_deref(), None);
        assert_eq!(at("assert!(true)").as_deref(), None);
    }

    #[test]
    fn module_paths() {
        assert_eq!(module_path("src/lib.rs"), Some(vec![]));
        assert_eq!(module_path("src/net.rs"), Some(vec!["net".to_string()]));
        assert_eq!(module_path("src/net/mod.rs"), Some(vec!["net".to_string()]));
        assert_eq!(
            module_path("src/net/pipe.rs"),
            Some(vec!["net".to_string(), "pipe".to_string()])
        );
        assert_eq!(module_path("src/main.rs"), None);
        assert_eq!(module_path("build.rs"), None);
    }
}
