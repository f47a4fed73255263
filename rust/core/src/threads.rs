//! The rayon thread pool that parallel work runs in.
//!
//! `n_threads = None` uses rayon's default size, which is all cores unless `RAYON_NUM_THREADS`
//! says otherwise. Results never depend on the pool size: parallel loops only split independent
//! work (rows of a cost matrix, separate solves) and write each result to its own slot.

use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, OnceLock, TryLockError};

use rayon::ThreadPool;

use crate::error::ParsmError;

/// Idle pools of each explicit size, and the process they were built in. Building a pool costs
/// about 0.2 ms (thread start-up), which many small calls (`pairwise` makes several per pair,
/// each with `n_threads = 1`) would otherwise pay every time. A call takes a pool out for
/// itself and puts it back when done, so that calls running at once never share one (a shared
/// one-thread pool would run them one after the other).
struct IdlePools {
    pid: u32,
    by_size: HashMap<usize, Vec<ThreadPool>>,
}

/// The lock around [`IdlePools`].
fn pools_lock() -> &'static Mutex<IdlePools> {
    static POOLS: OnceLock<Mutex<IdlePools>> = OnceLock::new();
    POOLS.get_or_init(|| {
        Mutex::new(IdlePools {
            pid: std::process::id(),
            by_size: HashMap::new(),
        })
    })
}

/// [`IdlePools`], locked, or `None` while another thread holds them: the caller then builds
/// (or drops) a pool rather than wait, so that no call ever waits on this lock. In a process
/// forked while another thread held it (Python's `multiprocessing` on Linux forks its workers),
/// that thread is gone and would never release it. In a process forked from the one that built
/// the pools, they are there without their threads, and work handed to one would wait for
/// ever: they are set aside on the first use there (leaked, not dropped: dropping signals
/// threads that do not exist).
fn idle_pools() -> Option<MutexGuard<'static, IdlePools>> {
    let mut pools = match pools_lock().try_lock() {
        Ok(pools) => pools,
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
        Err(TryLockError::WouldBlock) => return None,
    };
    let pid = std::process::id();
    if pools.pid != pid {
        pools.by_size.drain().for_each(std::mem::forget);
        pools.pid = pid;
    }
    Some(pools)
}

/// Whether this process was forked from the one that first ran parallel work here: rayon's
/// global pool (and any pool built before the fork) then has no threads in it, so work of
/// `n_threads = None` runs in a pool of that size built here instead.
fn forked() -> bool {
    std::process::id() != first_pid()
}

/// The process that first built or asked for a pool here: every path to a pool reads it first,
/// so that a fork of this process knows itself as one.
fn first_pid() -> u32 {
    static FIRST: OnceLock<u32> = OnceLock::new();
    *FIRST.get_or_init(std::process::id)
}

/// `n_threads`, with `None` made the global pool's size in a forked process (see [`forked`]).
fn usable(n_threads: Option<usize>) -> Option<usize> {
    match n_threads {
        None if forked() => Some(global_pool_size()),
        n => n,
    }
}

/// A pool of `n` threads taken out of [`idle_pools`] (or built), returned to it on drop.
struct Lease {
    n: usize,
    pool: Option<ThreadPool>,
}

impl Lease {
    fn take(n: usize) -> Result<Lease, ParsmError> {
        first_pid();
        let idle = idle_pools().and_then(|mut pools| pools.by_size.get_mut(&n).and_then(Vec::pop));
        let pool = match idle {
            Some(pool) => pool,
            None => rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| ParsmError::ThreadPool(e.to_string()))?,
        };
        Ok(Lease {
            n,
            pool: Some(pool),
        })
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let Some(pool) = self.pool.take() {
            // Dropped instead where another thread holds the idle pools (see `idle_pools`).
            if let Some(mut pools) = idle_pools() {
                pools.by_size.entry(self.n).or_default().push(pool);
            }
        }
    }
}

/// Runs `task` as [`with_threads`] runs its closure, while the calling thread runs `wait`
/// (which waits for the task's result, typically on a channel), and returns `wait`'s result
/// once the task has ended too. The task may borrow the caller's data.
///
/// With an explicit `n_threads` the task is spawned into the leased pool from a scope that runs
/// `wait` in place, so no thread is started for the call (starting one, and installing the work
/// into the pool from it, cost about 70 µs a call). With `None` the task runs on a thread
/// started for it, as with `with_threads`, whose parallel loops use rayon's global pool: handing
/// serial work to the global pool instead woke its idle threads, which then spun beside the
/// other calls' work (three times the involuntary context switches, and 5-15 % fewer pairs a
/// second, with two `pairwise` jobs on two cores).
pub fn spawn_while<'a, R>(
    n_threads: Option<usize>,
    task: impl FnOnce() + Send + 'a,
    wait: impl FnOnce() -> R,
) -> Result<R, ParsmError> {
    match usable(n_threads) {
        Some(0) => Err(ParsmError::ZeroThreads),
        None => std::thread::scope(|scope| {
            // Without a thread to run the task (the system's limit reached), an error, not a
            // panic.
            std::thread::Builder::new()
                .spawn_scoped(scope, task)
                .map_err(|e| ParsmError::ThreadPool(format!("cannot start a thread: {e}")))?;
            Ok(wait())
        }),
        Some(n) => {
            let lease = Lease::take(n)?;
            let pool = lease.pool.as_ref().expect("a leased pool");
            Ok(pool.in_place_scope(|scope| {
                scope.spawn(move |_| task());
                wait()
            }))
        }
    }
}

thread_local! {
    /// This thread's own one-thread pool, whose worker is this thread (see [`with_own_pool`]).
    static OWN_POOL: std::cell::OnceCell<Option<ThreadPool>> = const { std::cell::OnceCell::new() };
}

/// Whether the calling thread can host [`with_own_pool`]'s pool: it is no pool's worker, or the
/// worker of its own pool already. (Once it hosts one, its parallel loops outside any other
/// pool run there, on one thread: the bindings run those of `n_threads = None` on a thread
/// started for them.)
fn hosts_own_pool() -> bool {
    rayon::current_thread_index().is_none()
        || OWN_POOL.with(|own| {
            own.get()
                .and_then(Option::as_ref)
                .is_some_and(|pool| pool.current_thread_index().is_some())
        })
}

/// Calls `use_pool` with this thread's own one-thread pool, whose one worker is this thread,
/// built on first use (`None` where it cannot be built): work installed in it runs here, its
/// parallel loops one item after another, with no hand-off to another thread (waking a
/// sleeping pool thread and being woken back cost about 80 µs a call).
fn with_own_pool<R>(use_pool: impl FnOnce(Option<&ThreadPool>) -> R) -> R {
    OWN_POOL.with(|own| {
        let pool = own.get_or_init(|| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .use_current_thread()
                .build()
                .ok()
        });
        use_pool(pool.as_ref())
    })
}

/// The threads a parallel call runs on: `n_threads`, or only the calling thread where its work
/// is too small to share (`worth_threads` false, as [`crate::cost::worth_threads`] and
/// [`crate::sweep::paths_worth_threads`] judge it). Handing a small call to other threads cost
/// more than it saved: on 20 x 25 units over 100 stimuli, `compare` took 20 ms with all cores
/// and 14 ms on one, the cost matrices about 1 ms a call on all cores (a thread started,
/// rayon's sleeping pool woken, its threads then spinning beside numpy's work) against 21 µs.
/// Results do not depend on it. `Some(0)` is kept, to be refused where the threads are taken.
pub fn threads_for(n_threads: Option<usize>, worth_threads: bool) -> Option<usize> {
    match n_threads {
        Some(0) => n_threads,
        _ if !worth_threads => Some(1),
        _ => n_threads,
    }
}

/// The threads [`with_threads`] runs on for `n_threads`: rayon's default (all cores, or
/// `RAYON_NUM_THREADS`) for `None`.
pub fn pool_size(n_threads: Option<usize>) -> usize {
    n_threads.unwrap_or_else(global_pool_size)
}

/// The size of rayon's global pool, which calls with `n_threads = None` run in. It is read once,
/// on a thread started for it: on a pool's worker `rayon::current_num_threads` answers for that
/// pool, and a thread that has hosted its own one-thread pool ([`with_own_pool`]: Python's main
/// thread after any small call) is that pool's worker from then on, so that `pairwise` asked
/// there took 1 for all cores and ran its pairs on one thread. The global pool's size does not
/// change once it is built.
fn global_pool_size() -> usize {
    static SIZE: OnceLock<usize> = OnceLock::new();
    first_pid();
    *SIZE.get_or_init(|| {
        std::thread::Builder::new()
            .spawn(rayon::current_num_threads)
            .ok()
            .and_then(|t| t.join().ok())
            // Without a thread to ask from (the system's limit reached): rayon's own rule.
            .unwrap_or_else(|| {
                std::env::var("RAYON_NUM_THREADS")
                    .ok()
                    .and_then(|v| v.parse::<usize>().ok())
                    .filter(|&n| n > 0)
                    .or_else(|| std::thread::available_parallelism().ok().map(|n| n.get()))
                    .unwrap_or(1)
            })
    })
}

/// Runs `f` inside a pool of `n_threads` threads. `None` runs it in rayon's global pool (all
/// cores, or `RAYON_NUM_THREADS`), which is built once and reused; pools of an explicit size
/// are reused too, one per call running at once. One thread is the calling thread itself
/// where it can be (it then runs `f` in place: a caller that watches for cancellation must do
/// so from `f`'s checks, see [`crate::Monitor::watched`]).
pub fn with_threads<T: Send>(
    n_threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, ParsmError> {
    if n_threads == Some(0) {
        return Err(ParsmError::ZeroThreads);
    }
    let Some(n) = usable(n_threads) else {
        return Ok(f());
    };
    if n == 1 && hosts_own_pool() {
        return with_own_pool(|own| match own {
            Some(pool) => Ok(pool.install(f)),
            // Not reached in practice (a thread that is no pool's worker can host one).
            None => {
                Lease::take(1).map(|lease| lease.pool.as_ref().expect("a leased pool").install(f))
            }
        });
    }
    let lease = Lease::take(n)?;
    let pool = lease.pool.as_ref().expect("a leased pool");
    Ok(pool.install(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc::channel;
    use std::time::Duration;

    /// A call that needs a pool while the idle pools' lock is held, as by a thread that a fork
    /// left behind, builds its own instead of waiting for the lock.
    #[test]
    fn a_call_never_waits_for_the_idle_pools_lock() {
        let held = pools_lock().lock().unwrap_or_else(|p| p.into_inner());
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let threads = with_threads(Some(3), rayon::current_num_threads);
            let _ = tx.send(threads.ok());
        });
        let got = rx.recv_timeout(Duration::from_secs(20));
        drop(held);
        assert_eq!(got, Ok(Some(3)));
    }
}
