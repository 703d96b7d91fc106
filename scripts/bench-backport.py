#!/usr/bin/env python3
"""Benchmark for `backport` (issues #4 and #10): 2 targets, 3 fix commits, a
40-crate workspace, against the shell equivalent (per target: `git worktree
add`, `git cherry-pick -x` the commits, edit versions, `cargo update
--workspace --offline`, commit), in one run:

- without the build step: `backport --no-build` vs the shell script
  (target <= 0.2);
- with it: `backport` (which runs `cargo check --workspace --all-targets
  --locked` on each written branch) vs the shell script plus the same
  `cargo check` in each of its worktrees (target <= 1.0: both are dominated
  by cargo, sharing one warm target directory).

Usage: scripts/bench-backport.py [path/to/cargo-security-release] [runs]
"""

import os
import shutil
import subprocess
import sys
import tempfile
import time

N = 40
BIN = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(__file__), "..", "target", "debug", "cargo-security-release")
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
ENV = dict(os.environ, GIT_CONFIG_NOSYSTEM="1", GIT_AUTHOR_NAME="Bench",
           GIT_AUTHOR_EMAIL="bench@example.com", GIT_COMMITTER_NAME="Bench",
           GIT_COMMITTER_EMAIL="bench@example.com")


def sh(args, cwd, check=True):
    return subprocess.run(args, cwd=cwd, env=ENV, check=check,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def write(root, path, text):
    p = os.path.join(root, path)
    os.makedirs(os.path.dirname(p), exist_ok=True)
    with open(p, "w") as f:
        f.write(text)


def workspace(root, version):
    write(root, ".gitignore", "/target\n")
    deps = "\n".join(f'c{i:02} = {{ version = "{version}", path = "crates/c{i:02}" }}'
                     for i in range(N))
    write(root, "Cargo.toml", f"""[workspace]
resolver = "2"
members = ["crates/*"]

[workspace.dependencies]
{deps}

[workspace.metadata.security-release]
branches = {{ stable = "stable", beta = "beta" }}
""")
    for i in range(N):
        dep = f"\n[dependencies]\nc{i - 1:02}.workspace = true\n" if i else ""
        write(root, f"crates/c{i:02}/Cargo.toml", f"""[package]
name = "c{i:02}"
version = "{version}"
edition = "2021"
license = "MIT"
description = "bench crate"
{dep}""")
        write(root, f"crates/c{i:02}/src/lib.rs", f"//! c{i:02}\n\npub fn f() -> u32 {{\n    {i}\n}}\n")


def build(root):
    sh(["git", "init", "-q", "-b", "master"], root)
    workspace(root, "1.0.0")
    sh(["cargo", "generate-lockfile", "--offline"], root)
    sh(["git", "add", "-A"], root)
    sh(["git", "commit", "-qm", "Import"], root)
    sh(["git", "tag", "1.0.0"], root)
    sh(["git", "branch", "stable"], root)
    write(root, "crates/c00/src/lib.rs", "//! c00 (beta)\n\npub fn f() -> u32 {\n    0\n}\n")
    sh(["git", "commit", "-qam", "Beta work"], root)
    sh(["git", "branch", "beta"], root)
    write(root, "README.md", "master\n")
    sh(["git", "add", "-A"], root)
    sh(["git", "commit", "-qm", "Master work"], root)
    sh(["git", "switch", "-q", "-c", "fix"], root)
    for k in range(3):
        path = f"crates/c{5 + k:02}/src/lib.rs"
        with open(os.path.join(root, path), "a") as f:
            f.write(f"\npub fn fix{k}() {{}}\n")
        sh(["git", "commit", "-qam", f"Fix part {k}\n\nWhy: bench."], root)


def shell_equivalent(root, scratch, build=False):
    fix = sh(["git", "rev-list", "--reverse", "master..fix"], root).stdout.split()
    for target in ["stable", "beta"]:
        wt = os.path.join(scratch, target)
        sh(["git", "worktree", "add", "-q", "-b", f"manual/{target}", wt, target], root)
        sh(["git", "cherry-pick", "-x"] + fix, wt)
        for i in (5, 6, 7):
            p = os.path.join(wt, f"crates/c{i:02}/Cargo.toml")
            with open(p) as f:
                text = f.read()
            with open(p, "w") as f:
                f.write(text.replace('version = "1.0.0"', 'version = "1.0.1"', 1))
        sh(["cargo", "update", "--workspace", "--offline"], wt)
        sh(["git", "commit", "-qam", "Bump versions"], wt)
        if build:
            # The same build the tool runs, in the same target directory.
            subprocess.run(["cargo", "check", "--workspace", "--all-targets", "--locked",
                            "--offline", "--quiet"], cwd=wt, check=True,
                           env=dict(ENV, CARGO_TARGET_DIR=os.path.join(root, "target")))
    for target in ["stable", "beta"]:
        sh(["git", "worktree", "remove", "--force", os.path.join(scratch, target)], root)
        sh(["git", "branch", "-D", f"manual/{target}"], root)


def tool(root, build=False):
    args = [BIN, "backport", "--offline", "--force", "--format", "json"]
    if not build:
        args.append("--no-build")
    out = sh(args, root, check=False)
    if out.returncode != 0:
        sys.exit(f"backport failed:\n{out.stdout}\n{out.stderr}")


def main():
    tmp = tempfile.mkdtemp(prefix="bench-backport-")
    try:
        root = os.path.join(tmp, "repo")
        os.makedirs(root)
        build(root)
        scratch = os.path.join(tmp, "wt")
        best = {}
        for name, run in [("backport --no-build", lambda: tool(root)),
                          ("shell", lambda: shell_equivalent(root, scratch)),
                          ("backport", lambda: tool(root, build=True)),
                          ("shell + cargo check", lambda: shell_equivalent(root, scratch, True))]:
            times = []
            for _ in range(RUNS):
                t = time.perf_counter()
                run()
                times.append(time.perf_counter() - t)
            best[name] = min(times)
            print(f"{name:>20}: best of {RUNS}: {best[name]:.3f} s")
        print(f"{'ratio without build':>20}: "
              f"{best['backport --no-build'] / best['shell']:.3f} (target <= 0.2)")
        print(f"{'ratio with build':>20}: "
              f"{best['backport'] / best['shell + cargo check']:.3f} (target <= 1.0)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
