//! Cleanup that must also happen when the user hits Ctrl-C: temporary
//! worktrees and files saved while a tool rewrites them. Drop handlers do the
//! work on every normal path; a SIGINT ends the process without unwinding, so
//! the same work is registered here and run by the signal handler.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

type Cleanup = Box<dyn FnOnce() + Send>;

static CLEANUPS: Mutex<Vec<(u64, Cleanup)>> = Mutex::new(Vec::new());
static NEXT_ID: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

/// Exit status of a process ended by SIGINT, as shells report it.
const INTERRUPTED: i32 = 130;

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

fn install() {
    INSTALL.call_once(|| {
        // Without a handler (another library installed one first), Drop still
        // cleans up on every path but SIGINT; that is the best available.
        let _ = ctrlc::set_handler(|| {
            let pending = match CLEANUPS.lock() {
                Ok(mut list) => std::mem::take(&mut *list),
                Err(_) => Vec::new(),
            };
            // Newest first, like drops: a file restore inside a worktree runs
            // before the worktree goes away.
            for (_, cleanup) in pending.into_iter().rev() {
                cleanup();
            }
            std::process::exit(INTERRUPTED);
        });
    });
}
