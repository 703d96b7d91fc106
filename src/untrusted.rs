//! The environment of cargo invocations that must not run code from the
//! repository being checked (`cargo metadata`, `cargo package --no-verify`,
//! `cargo --version`). A security fix often comes from a reporter's branch:
//! a committed `.cargo/config.toml` can name a `build.rustc-wrapper` or a
//! `build.rustc`, and a `rust-toolchain.toml` can point rustup at a
//! toolchain `path` inside the checkout. Rows that build or test the code
//! (`ci`, `semver`, `--verify-contents`' packaging aside) run it by design.

use std::process::Command;
use std::sync::OnceLock;

/// Sets the environment under which cargo runs no repository code:
/// wrappers cleared (an empty `RUSTC_WRAPPER` overrides the config's
/// `build.rustc-wrapper`), `RUSTC` set (it overrides `build.rustc`), and the
/// toolchain pinned so that rustup does not honour the repository's
/// toolchain file.
pub fn no_repository_code(cmd: &mut Command) -> &mut Command {
    cmd.env("RUSTC_WRAPPER", "")
        .env("RUSTC_WORKSPACE_WRAPPER", "");
    if std::env::var_os("RUSTC").is_none_or(|r| r.is_empty()) {
        cmd.env("RUSTC", "rustc");
    }
    if let Some(toolchain) = own_toolchain() {
        cmd.env("RUSTUP_TOOLCHAIN", toolchain);
    }
    cmd
}

/// The toolchain the tool itself runs with: `RUSTUP_TOOLCHAIN` as rustup
/// set it for `cargo security-release` (or the user did), unless it is a
/// toolchain path a repository's toolchain file chose; else rustup's default
/// toolchain. `None` without rustup, which honours no toolchain file.
pub fn own_toolchain() -> Option<&'static str> {
    static TOOLCHAIN: OnceLock<Option<String>> = OnceLock::new();
    TOOLCHAIN
        .get_or_init(|| {
            let value = std::env::var("RUSTUP_TOOLCHAIN").ok();
            let source = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").ok();
            match trusted(value.as_deref(), source.as_deref()) {
                Some(t) => Some(t.to_string()),
                None => rustup_default(),
            }
        })
        .as_deref()
}

/// A warning for the user when rustup started this tool with a toolchain
/// `path` from the checkout's toolchain file: that toolchain's `cargo` has
/// run already, before the tool could prevent it.
pub fn started_by_repository_toolchain() -> Option<String> {
    let value = std::env::var("RUSTUP_TOOLCHAIN").ok()?;
    let source = std::env::var("RUSTUP_TOOLCHAIN_SOURCE").ok();
    if trusted(Some(&value), source.as_deref()).is_some() {
        return None;
    }
    Some(format!(
        "cargo started this tool with the toolchain at `{value}`, which the checkout's \
         rust-toolchain file chose: its `cargo` has already run. Rows that build nothing \
         use rustup's default toolchain instead. In a checkout you do not trust, run \
         `cargo +stable security-release` or `cargo-security-release` itself"
    ))
}

/// `RUSTUP_TOOLCHAIN` when it may be used: any toolchain name, and a path
/// only when a toolchain file did not choose it.
fn trusted<'a>(value: Option<&'a str>, source: Option<&str>) -> Option<&'a str> {
    let value = value.filter(|v| !v.is_empty())?;
    let is_path = value.contains('/') || value.contains(std::path::MAIN_SEPARATOR);
    (!(is_path && source == Some("toolchain-file"))).then_some(value)
}

/// `rustup default` prints `stable-x86_64-unknown-linux-gnu (default)`.
fn rustup_default() -> Option<String> {
    let mut cmd = Command::new("rustup");
    // Outside any checkout, so that no directory override applies.
    cmd.arg("default").current_dir(std::env::temp_dir());
    crate::process::trace(&cmd);
    let out = cmd.output().ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let name = text.split_whitespace().next()?;
    // "no default toolchain configured" and the like are not toolchains.
    (name.contains('-') || ["stable", "beta", "nightly"].contains(&name)).then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::trusted;

    #[test]
    fn a_toolchain_path_from_a_toolchain_file_is_not_the_tools_own() {
        let stable = Some("stable-x86_64-unknown-linux-gnu");
        assert_eq!(trusted(stable, Some("default")), stable);
        assert_eq!(trusted(stable, Some("toolchain-file")), stable);
        assert_eq!(trusted(Some("/repo/tc"), Some("toolchain-file")), None);
        assert_eq!(trusted(Some("/opt/tc"), Some("env")), Some("/opt/tc"));
        assert_eq!(trusted(Some(""), None), None);
    }
}
