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
/// set it for `cargo security-release` (or the user did), else rustup's
/// default toolchain. `None` without rustup, which honours no toolchain file.
pub fn own_toolchain() -> Option<&'static str> {
    static TOOLCHAIN: OnceLock<Option<String>> = OnceLock::new();
    TOOLCHAIN
        .get_or_init(|| {
            if let Some(t) = std::env::var_os("RUSTUP_TOOLCHAIN").filter(|t| !t.is_empty()) {
                return Some(t.to_string_lossy().into_owned());
            }
            rustup_default()
        })
        .as_deref()
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
