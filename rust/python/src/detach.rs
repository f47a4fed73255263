//! Running core calls without the GIL, with progress and Ctrl-C, and turning their failures into
//! Python exceptions.
//!
//! The solve runs on another thread ([`spawn_while`]): with a thread count, on a thread of its
//! leased rayon pool, spawned there from a scope the calling thread waits in (no thread is
//! started for the call, which cost about 70 µs); serial solves ask for [`SERIAL`], one
//! thread, for the same reason; without a count, on a thread started for it. The calling
//! (Python) thread waits for it without the GIL, waking every [`POLL`] to take the GIL, check
//! for signals (`KeyboardInterrupt`) and pass the solve's progress to an optional Python
//! callback. On a signal, or an exception raised by the callback, it cancels the solve through
//! its [`Monitor`]; the core checks that flag every few milliseconds of work, so Ctrl-C reaches
//! Python within a fraction of a second.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::time::Duration;

use parsm_core::threads::spawn_while;
use parsm_core::{Monitor, ParsmError};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

/// The thread count of a serial solve (the mass path, the simplex, the assignment solver: none
/// of them runs parallel loops): a leased one-thread pool, not a thread started for each call
/// (a `Problem` and its soft matching on 20 x 30 costs took 200 µs with a thread each).
pub const SERIAL: Option<usize> = Some(1);

/// How often the waiting thread checks for Ctrl-C and reports progress.
const POLL: Duration = Duration::from_millis(100);

/// A core error as a Python exception (see [`crate::errors`]).
pub fn value_error(e: ParsmError) -> PyErr {
    crate::errors::to_py(e)
}

type Outcome<T> = std::thread::Result<Result<T, ParsmError>>;

/// Runs `f` without the GIL in a pool of `n_threads` threads (`None`: the global pool), calling
/// `progress(done, total)` about ten times a second while it runs, and stopping it on Ctrl-C
/// (the `KeyboardInterrupt` is raised once the solve has returned, within a few
/// milliseconds). Errors and panics become exceptions.
pub fn run_detached<T: Send>(
    py: Python<'_>,
    n_threads: Option<usize>,
    progress: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Monitor) -> Result<T, ParsmError> + Send,
) -> PyResult<T> {
    let monitor = Monitor::new();
    let (tx, rx) = channel::<Outcome<T>>();
    let mon = &monitor;
    let task = move || {
        let out = catch_unwind(AssertUnwindSafe(|| f(mon)));
        let _ = tx.send(out);
    };
    let wait = || -> PyResult<T> {
        let mut raised: Option<PyErr> = None;
        let mut rx: Receiver<Outcome<T>> = rx;
        loop {
            let (back, got) = py.allow_threads(move || {
                let got = rx.recv_timeout(POLL);
                (rx, got)
            });
            rx = back;
            match got {
                Ok(outcome) => {
                    if raised.is_none() {
                        if let Some(cb) = progress {
                            let (done, total) = monitor.progress();
                            cb.call1((total.max(done), total))?;
                        }
                    }
                    return match raised {
                        Some(err) => Err(err),
                        None => convert(outcome),
                    };
                }
                Err(RecvTimeoutError::Timeout) => {
                    if raised.is_some() {
                        continue;
                    }
                    let polled = py.check_signals().and_then(|()| match progress {
                        Some(cb) => cb.call1(monitor.progress()).map(|_| ()),
                        None => Ok(()),
                    });
                    if let Err(err) = polled {
                        monitor.cancel();
                        raised = Some(err);
                    }
                }
                Err(RecvTimeoutError::Disconnected) => {
                    return Err(PyRuntimeError::new_err(
                        "internal error in parsm's Rust core: the worker thread ended without a result; please report it",
                    ));
                }
            }
        }
    };
    // The scope ends only when the task has: `wait` returns once it has its outcome.
    spawn_while(n_threads, task, wait).map_err(value_error)?
}

fn convert<T>(outcome: Outcome<T>) -> PyResult<T> {
    match outcome {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(value_error(e)),
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(PyRuntimeError::new_err(format!(
                "internal error in parsm's Rust core ({msg}); please report it with the inputs that caused it"
            )))
        }
    }
}
