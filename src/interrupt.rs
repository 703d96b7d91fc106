//! Cleanup that must also happen when the tool is interrupted (Ctrl-C,
//! SIGTERM from a CI runner, SIGHUP from a closed terminal): temporary
//! worktrees and files saved while a tool rewrites them. Drop handlers do the
//! work on every normal path; a signal ends the process without unwinding,
//! so the same work is registered here and run by the signal handler, after
//! every child process group is ended (`process::end_all`).

use std::sync::atomic::{AtomicI32, AtomicU64, Ordering};
use std::sync::{Mutex, Once};

type Cleanup = Box<dyn FnOnce() + Send>;

static CLEANUPS: Mutex<Vec<(u64, Cleanup)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();
/// Write end of the pipe the signal handler reports signals on.
static SIGNAL_PIPE: AtomicI32 = AtomicI32::new(-1);

/// The signals handled like Ctrl-C.
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// Keeps a cleanup registered while it lives. Dropping it unregisters the
/// cleanup without running it: the owner cleans up itself on normal paths.
#[must_use = "the cleanup is unregistered when the guard is dropped"]
pub struct CleanupGuard {
    id: u64,
}

impl Drop for CleanupGuard {
    fn drop(&mut self) {
        if let Ok(mut list) = CLEANUPS.lock() {
            list.retain(|(id, _)| *id != self.id);
        }
    }
}

/// Runs `cleanup` if the process is interrupted before the guard is dropped.
pub fn on_interrupt(cleanup: impl FnOnce() + Send + 'static) -> CleanupGuard {
    install();
    let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
    if let Ok(mut list) = CLEANUPS.lock() {
        list.push((id, Box::new(cleanup)));
    }
    CleanupGuard { id }
}

/// Installs the handler for SIGINT, SIGTERM and SIGHUP (once). The handler
/// itself only writes the signal number to a pipe; a thread reads it and
/// does the work, which is not async-signal-safe.
pub fn install() {
    INSTALL.call_once(|| {
        let mut fds = [0 as libc::c_int; 2];
        // SAFETY: pipe writes two descriptors into `fds`; fcntl and
        // sigaction are given valid descriptors and a zeroed sigaction.
        unsafe {
            if libc::pipe(fds.as_mut_ptr()) != 0 {
                // Without a handler Drop still cleans up on every normal path.
                return;
            }
            for fd in fds {
                libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC);
            }
        }
        SIGNAL_PIPE.store(fds[1], Ordering::SeqCst);
        let read_end = fds[0];
        let spawned = std::thread::Builder::new()
            .name("signals".to_string())
            .spawn(move || {
                loop {
                    let mut signal = 0u8;
                    // SAFETY: reads one byte into a live local.
                    let n = unsafe {
                        libc::read(read_end, (&raw mut signal).cast::<libc::c_void>(), 1)
                    };
                    if n == 1 {
                        end(libc::c_int::from(signal));
                    }
                    let interrupted = n < 0
                        && std::io::Error::last_os_error().kind()
                            == std::io::ErrorKind::Interrupted;
                    if !interrupted {
                        // The pipe is gone: let the signals end the process
                        // as they would without a handler.
                        for signal in SIGNALS {
                            // SAFETY: resets a disposition to the default.
                            unsafe {
                                libc::signal(signal, libc::SIG_DFL);
                            }
                        }
                        return;
                    }
                }
            });
        if spawned.is_err() {
            return;
        }
        for signal in SIGNALS {
            // SAFETY: installs a handler that only calls write(2).
            unsafe {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = on_signal as *const () as libc::sighandler_t;
                action.sa_flags = libc::SA_RESTART;
                libc::sigemptyset(&mut action.sa_mask);
                libc::sigaction(signal, &action, std::ptr::null_mut());
            }
        }
    });
}

/// Blocks the calling thread for good when a signal is ending the tool: the
/// signal thread runs the cleanups and exits the process, and no other
/// thread may finish first (with another exit code, or before a restore).
pub fn wait_for_the_end() -> ! {
    loop {
        std::thread::park();
    }
}

/// Returns normally unless a signal is ending the tool (then it never does).
pub fn unless_ending() {
    if crate::process::ending() {
        wait_for_the_end();
    }
}

extern "C" fn on_signal(signal: libc::c_int) {
    let fd = SIGNAL_PIPE.load(Ordering::Relaxed);
    let byte = signal as u8;
    // SAFETY: write(2) is async-signal-safe; the byte lives on this stack.
    unsafe {
        libc::write(fd, (&raw const byte).cast::<libc::c_void>(), 1);
    }
}

/// Ends children, runs the cleanups and exits with 128 + the signal number,
/// as shells report a process ended by that signal. A second signal while
/// this runs waits in the pipe: the cleanup is not cut short.
fn end(signal: libc::c_int) -> ! {
    crate::process::end_all();
    let pending = match CLEANUPS.lock() {
        Ok(mut list) => std::mem::take(&mut *list),
        Err(_) => Vec::new(),
    };
    // Newest first, like drops: a file restore inside a worktree runs
    // before the worktree goes away.
    for (_, cleanup) in pending.into_iter().rev() {
        cleanup();
    }
    std::process::exit(128 + signal);
}
