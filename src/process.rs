//! Child processes that may run for long (cargo, cargo-semver-checks, CI
//! commands): each runs in its own process group, with an optional time
//! limit, and is ended together with the tool. On SIGINT/SIGTERM/SIGHUP the
//! signal handler ends every live group and waits for it before files are
//! restored, so that no child can rewrite `Cargo.lock` after the restore.

use std::collections::BTreeSet;
use std::io::{self, Read};
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Process groups of live children (their leaders' pids). Spawning happens
/// with this lock held, so the signal handler never misses a child.
static GROUPS: Mutex<BTreeSet<i32>> = Mutex::new(BTreeSet::new());
/// Set once the tool is being ended: no new child may start.
static ENDING: AtomicBool = AtomicBool::new(false);
/// `-vv`: print every command before it runs.
static TRACE: AtomicBool = AtomicBool::new(false);

/// How long a child gets between SIGTERM and SIGKILL.
const GRACE: Duration = Duration::from_secs(2);

/// Prints each command the tool runs on stderr (`-vv`).
pub fn set_trace(on: bool) {
    TRACE.store(on, Ordering::Relaxed);
}

/// Prints `cmd` as a shell-quoted command line when `-vv` asked for it.
pub fn trace(cmd: &Command) {
    if !TRACE.load(Ordering::Relaxed) {
        return;
    }
    let mut words = vec![cmd.get_program().to_string_lossy().into_owned()];
    words.extend(cmd.get_args().map(|a| a.to_string_lossy().into_owned()));
    let dir = cmd
        .get_current_dir()
        .map(|d| format!(" (in {})", d.display()))
        .unwrap_or_default();
    let s = anstyle::Style::new()
        .fg_color(Some(anstyle::AnsiColor::Green.into()))
        .bold();
    anstream::eprintln!(
        "{s}{:>12}{s:#} `{}`{dir}",
        "Running",
        crate::text::command_line(&words)
    );
}

/// How a child ended.
#[derive(Clone, Copy, Debug)]
pub enum Ended {
    Exited(ExitStatus),
    /// The time limit passed; the child's group was ended.
    TimedOut(Duration),
}

impl Ended {
    pub fn success(&self) -> bool {
        matches!(self, Ended::Exited(s) if s.success())
    }

    pub fn code(&self) -> Option<i32> {
        match self {
            Ended::Exited(s) => s.code(),
            Ended::TimedOut(_) => None,
        }
    }

    /// "exit 101", "killed by a signal", "timed out after 30s".
    pub fn describe(&self) -> String {
        match self {
            Ended::Exited(s) => match s.code() {
                Some(code) => format!("exit {code}"),
                None => "killed by a signal".to_string(),
            },
            Ended::TimedOut(limit) => {
                format!("timed out after {}", crate::ci::format_duration(*limit))
            }
        }
    }
}

/// What a child printed, and how it ended.
pub struct Output {
    pub ended: Ended,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Runs `cmd` with stdout and stderr captured.
pub fn output(cmd: &mut Command, limit: Option<Duration>) -> io::Result<Output> {
    cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    let mut child = spawn(cmd)?;
    let stdout = child.stdout.take().map(reader);
    let stderr = child.stderr.take().map(reader);
    let ended = wait(child, limit)?;
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.and_then(|h| h.join().ok()).unwrap_or_default()
    };
    Ok(Output {
        ended,
        stdout: collect(stdout),
        stderr: collect(stderr),
    })
}

/// Runs `cmd` with the stdout and stderr the caller set up (a log file).
pub fn status(cmd: &mut Command, limit: Option<Duration>) -> io::Result<Ended> {
    let child = spawn(cmd)?;
    wait(child, limit)
}

fn reader(mut pipe: impl Read + Send + 'static) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = pipe.read_to_end(&mut buf);
        buf
    })
}

fn spawn(cmd: &mut Command) -> io::Result<Child> {
    crate::interrupt::install();
    trace(cmd);
    cmd.stdin(Stdio::null()).process_group(0);
    let mut groups = GROUPS.lock().unwrap_or_else(|e| e.into_inner());
    if ENDING.load(Ordering::SeqCst) {
        drop(groups);
        crate::interrupt::wait_for_the_end();
    }
    let child = cmd.spawn()?;
    groups.insert(child.id() as i32);
    Ok(child)
}

/// Waits for the group leader to exit, ends what is left of its group (a
/// child's background processes must not outlive it), then reaps it. The
/// leader is reaped last so that its pid, which names the group, cannot be
/// reused while the group is signalled.
fn wait(mut child: Child, limit: Option<Duration>) -> io::Result<Ended> {
    let pid = child.id() as i32;
    let start = Instant::now();
    let mut nap = Duration::from_millis(1);
    let mut timed_out = None;
    loop {
        // An error here (the child reaped elsewhere) ends the wait too:
        // the group is still ended and the child reaped below.
        if exited(pid).unwrap_or(true) {
            break;
        }
        if let Some(limit) = limit
            && timed_out.is_none()
            && start.elapsed() >= limit
        {
            timed_out = Some(limit);
            end_group(pid);
            continue;
        }
        std::thread::sleep(nap);
        nap = (nap * 2).min(Duration::from_millis(50));
    }
    signal_group(pid, libc::SIGKILL);
    GROUPS
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .remove(&pid);
    let status = child.wait()?;
    if ENDING.load(Ordering::SeqCst) {
        // Ended by the signal handler: what this child did no longer
        // matters, and the caller must not go on to report or exit.
        crate::interrupt::wait_for_the_end();
    }
    Ok(match timed_out {
        Some(limit) => Ended::TimedOut(limit),
        None => Ended::Exited(status),
    })
}

/// True once `pid` has exited; it stays a zombie (not reaped) until `wait`.
fn exited(pid: i32) -> io::Result<bool> {
    // SAFETY: waitid only writes into `info`, which outlives the call.
    let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::waitid(
            libc::P_PID,
            pid as libc::id_t,
            &mut info,
            libc::WEXITED | libc::WNOHANG | libc::WNOWAIT,
        )
    };
    if rc != 0 {
        let err = io::Error::last_os_error();
        if err.kind() == io::ErrorKind::Interrupted {
            return Ok(false);
        }
        return Err(err);
    }
    // SAFETY: `si_pid` is valid to read for a waitid result.
    Ok(unsafe { info.si_pid() } != 0)
}

fn signal_group(pgid: i32, signal: i32) -> bool {
    // SAFETY: kill has no memory effects; a negative pid names a group.
    unsafe { libc::kill(-pgid, signal) == 0 }
}

fn group_alive(pgid: i32) -> bool {
    signal_group(pgid, 0)
}

/// SIGTERM, then SIGKILL after the grace period.
fn end_group(pgid: i32) {
    signal_group(pgid, libc::SIGTERM);
    let deadline = Instant::now() + GRACE;
    while Instant::now() < deadline {
        if exited(pgid).unwrap_or(true) {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    signal_group(pgid, libc::SIGKILL);
}

/// True once a signal is ending the tool.
pub fn ending() -> bool {
    ENDING.load(Ordering::SeqCst)
}

/// Called by the signal handler: no child starts from now on, and every
/// live group is ended (SIGTERM, then SIGKILL) and gone before this returns,
/// or a few seconds have passed.
pub fn end_all() {
    let groups: Vec<i32> = {
        let groups = GROUPS.lock().unwrap_or_else(|e| e.into_inner());
        ENDING.store(true, Ordering::SeqCst);
        groups.iter().copied().collect()
    };
    if groups.is_empty() {
        return;
    }
    for &g in &groups {
        signal_group(g, libc::SIGTERM);
    }
    let gone = |deadline: Instant| {
        while Instant::now() < deadline {
            if !groups.iter().any(|&g| group_alive(g)) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        false
    };
    if !gone(Instant::now() + GRACE) {
        for &g in &groups {
            signal_group(g, libc::SIGKILL);
        }
        gone(Instant::now() + GRACE);
    }
}
