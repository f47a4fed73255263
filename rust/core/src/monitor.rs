//! Progress and cancellation shared between a running solve and whoever watches it.
//!
//! A [`Monitor`] is two atomics: a progress counter (`done` of `total`, in units the solver
//! chooses: augmentations, pivots, tasks) and a cancellation flag. Solvers call
//! [`Monitor::check`] often (at least every few milliseconds of work) and return
//! [`ParsmError::Interrupted`] once the flag is set, so a watcher on another thread (the Python
//! bindings' Ctrl-C handler) can stop any solve within a fraction of a second. Nothing here
//! blocks, allocates or affects results.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::error::ParsmError;

/// Progress counter and cancellation flag of one solve.
#[derive(Debug, Default)]
pub struct Monitor {
    cancelled: Arc<AtomicBool>,
    done: AtomicU64,
    total: AtomicU64,
}

impl Monitor {
    /// A monitor that nobody cancels.
    pub fn new() -> Self {
        Self::default()
    }

    /// A monitor with its own progress counter that is cancelled with this one: the inner
    /// solves of a sweep report nothing while the sweep counts its tasks.
    pub fn child(&self) -> Self {
        Monitor {
            cancelled: Arc::clone(&self.cancelled),
            ..Self::default()
        }
    }

    /// Asks the solve to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Monitor::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Interrupted)` once cancelled.
    #[inline]
    pub fn check(&self) -> Result<(), ParsmError> {
        if self.is_cancelled() {
            Err(ParsmError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Sets the amount of work the progress counts towards.
    pub fn set_total(&self, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }

    /// Adds to the amount of work.
    pub fn add_total(&self, more: u64) {
        self.total.fetch_add(more, Ordering::Relaxed);
    }

    /// Sets the work done.
    pub fn set_done(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
    }

    /// Adds to the work done.
    pub fn advance(&self, by: u64) {
        self.done.fetch_add(by, Ordering::Relaxed);
    }

    /// `(done, total)`.
    pub fn progress(&self) -> (u64, u64) {
        (
            self.done.load(Ordering::Relaxed),
            self.total.load(Ordering::Relaxed),
        )
    }
}
