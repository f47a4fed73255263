//! Running core calls without the GIL, with progress and Ctrl-C, and turning their failures into
//! Python exceptions.
//!
//! Serial solves (the mass path, the simplex, the assignment solver: no parallel loops) run on
//! the calling thread without the GIL ([`run_serial`]); their [`Monitor`] calls a hook every
//! [`POLL`] of work that takes the GIL, checks for signals (`KeyboardInterrupt`) and passes
//! the progress to an optional Python callback. Handing them to a pool thread instead cost
//! about 80 µs a call once the pool's thread had gone to sleep (the wake-up and the wake-up
//! back, on this VM), three times a `pairwise` pair.
//!
//! Parallel work asked to run on one thread runs so too, its loops in a one-thread pool whose
//! worker is the calling thread. Otherwise it runs on another thread ([`spawn_while`]): with a
//! thread count, on a thread of its leased rayon pool, spawned there from a scope the calling
//! thread waits in (no thread is started for the call, which cost about 70 µs); without a
//! count, on a thread started for it.
//! The calling (Python) thread waits for it without the GIL, waking every [`POLL`] to do what
//! the serial hook does. On a signal, or an exception raised by the callback, the solve is
//! cancelled through its [`Monitor`]; the core checks that flag every few milliseconds of
//! work, so Ctrl-C reaches Python within a fraction of a second.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parsm_core::threads::{spawn_while, with_threads};
use parsm_core::{Monitor, ParsmError, Watcher};
use pyo3::exceptions::PyRuntimeError;
use pyo3::prelude::*;

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
    if n_threads == Some(1) {
        // One thread: the calling one, as for serial solves, its parallel loops run in place.
        return run_serial(py, progress, |m| with_threads(Some(1), || f(m))?);
    }
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

/// Runs the serial solve `f` on the calling thread without the GIL, with progress and Ctrl-C
/// as [`run_detached`] (see the module docs). Errors and panics become exceptions.
pub fn run_serial<T: Send>(
    py: Python<'_>,
    progress: Option<&Bound<'_, PyAny>>,
    f: impl FnOnce(&Monitor) -> Result<T, ParsmError> + Send,
) -> PyResult<T> {
    let callback: Option<Py<PyAny>> = progress.map(|cb| cb.clone().unbind());
    let raised: Arc<Mutex<Option<PyErr>>> = Arc::default();
    let hook: Watcher = {
        let (callback, raised) = (callback.as_ref().map(|cb| cb.clone_ref(py)), raised.clone());
        Arc::new(move |monitor: &Monitor| {
            Python::with_gil(|py| {
                let polled = py.check_signals().and_then(|()| match &callback {
                    Some(cb) => cb.call1(py, monitor.progress()).map(|_| ()),
                    None => Ok(()),
                });
                if let Err(err) = polled {
                    monitor.cancel();
                    let mut slot = raised.lock().unwrap_or_else(|p| p.into_inner());
                    slot.get_or_insert(err);
                }
            });
        })
    };
    let monitor = Monitor::watched(POLL, hook);
    let outcome = py.allow_threads(|| catch_unwind(AssertUnwindSafe(|| f(&monitor))));
    if let Some(err) = raised.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(err);
    }
    if let Some(cb) = callback {
        let (done, total) = monitor.progress();
        cb.call1(py, (total.max(done), total))?;
    }
    convert(outcome)
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
