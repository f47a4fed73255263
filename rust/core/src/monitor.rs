//! Progress and cancellation shared between a running solve and whoever watches it.
//!
//! A [`Monitor`] is two atomics: a progress counter (`done` of `total`, in units the solver
//! chooses: augmentations, pivots, tasks) and a cancellation flag. Solvers call
//! [`Monitor::check`] often (at least every few milliseconds of work) and return
//! [`ParsmError::Interrupted`] once the flag is set, so a watcher on another thread (the Python
//! bindings' Ctrl-C handler) can stop any solve within a fraction of a second. Nothing here
//! blocks, allocates or affects results.
//!
//! A solve can also be watched from its own thread: a [`Monitor::watched`] monitor calls its
//! hook from [`Monitor::check`] once a period has passed since the last call (the bindings
//! run serial solves so, on the calling thread, and the hook takes the GIL to look for Ctrl-C
//! and report progress). Short solves never call it.
//!
//! ## Parts of a whole
//! A job of several solves (a chunk of `pairwise` pairs, each a cost matrix, a path and soft
//! matching) reports one progress: each step runs on a [`Monitor::part`] of the job's monitor
//! with a weight, its share of the job's total. A part counts in its own units, as any
//! monitor, and passes the job the same fraction of its weight as it goes (never taking any
//! back); [`Monitor::progress`] of a part is the job's, and a part is cancelled and watched
//! with the job. Parts of parts pass theirs on up.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::ParsmError;

/// A hook that watches a solve from the solve's own thread (see [`Monitor::watched`]).
pub type Watcher = Arc<dyn Fn(&Monitor) + Send + Sync>;

/// Progress counter and cancellation flag of one solve.
#[derive(Debug, Default)]
pub struct Monitor {
    cancelled: Arc<AtomicBool>,
    counts: Arc<Counts>,
    watch: Option<Arc<Watch>>,
}

/// `done` of `total`, and where a part passes its progress on.
#[derive(Debug, Default)]
struct Counts {
    done: AtomicU64,
    total: AtomicU64,
    share: Option<Share>,
}

/// A part's share of its whole: `weight` of the whole's units, of which `given` are passed on.
#[derive(Debug)]
struct Share {
    whole: Arc<Counts>,
    weight: u64,
    given: AtomicU64,
}

impl Counts {
    /// Passes the whole (and its whole) this part's progress so far as a share of its weight.
    fn pass_on(&self) {
        if let Some(share) = &self.share {
            let (done, total) = (
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            );
            let reached = if total == 0 {
                0
            } else {
                (u128::from(share.weight) * u128::from(done.min(total)) / u128::from(total)) as u64
            };
            share.pass(reached);
        }
    }

    /// The outermost whole's `(done, total)`.
    fn outermost(&self) -> (u64, u64) {
        match &self.share {
            Some(share) => share.whole.outermost(),
            None => (
                self.done.load(Ordering::Relaxed),
                self.total.load(Ordering::Relaxed),
            ),
        }
    }
}

impl Share {
    /// Raises what was passed on to `reached` (at most the weight); never lowers it. Atomic,
    /// so parts moved by several threads pass on each unit once.
    fn pass(&self, reached: u64) {
        let reached = reached.min(self.weight);
        let before = self.given.fetch_max(reached, Ordering::Relaxed);
        if reached > before {
            self.whole
                .done
                .fetch_add(reached - before, Ordering::Relaxed);
            self.whole.pass_on();
        }
    }
}

/// The hook of a watched monitor and when it is next due, in nanoseconds since `start`.
struct Watch {
    hook: Watcher,
    every: u64,
    start: Instant,
    due: AtomicU64,
}

impl std::fmt::Debug for Watch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Watch")
            .field("every_ns", &self.every)
            .finish()
    }
}

impl Watch {
    /// Calls the hook if it is due (and sets the next time).
    #[inline]
    fn poll(&self, monitor: &Monitor) {
        let now = u64::try_from(self.start.elapsed().as_nanos()).unwrap_or(u64::MAX);
        if now >= self.due.load(Ordering::Relaxed) {
            self.due
                .store(now.saturating_add(self.every), Ordering::Relaxed);
            (self.hook)(monitor);
        }
    }
}

impl Monitor {
    /// A monitor that nobody cancels.
    pub fn new() -> Self {
        Self::default()
    }

    /// A monitor whose [`Monitor::check`] calls `hook` (with the monitor, so that it can read
    /// the progress and cancel) once `every` has passed since the solve started or since the
    /// hook's last call: for a solve that runs on the thread that watches it. The hook runs
    /// on whichever thread checks, so only serial solves should be given one.
    pub fn watched(every: Duration, hook: Watcher) -> Self {
        let every = u64::try_from(every.as_nanos()).unwrap_or(u64::MAX);
        Monitor {
            watch: Some(Arc::new(Watch {
                hook,
                every,
                start: Instant::now(),
                due: AtomicU64::new(every),
            })),
            ..Self::default()
        }
    }

    /// A step of this monitor's job worth `weight` of its total (see "Parts of a whole" in the
    /// module docs): cancelled and watched with it, counting in its own units, and passing on
    /// its fraction done of `weight` as it goes. Set the job's total to its parts' weights.
    pub fn part(&self, weight: u64) -> Self {
        Monitor {
            cancelled: Arc::clone(&self.cancelled),
            counts: Arc::new(Counts {
                share: Some(Share {
                    whole: Arc::clone(&self.counts),
                    weight,
                    given: AtomicU64::new(0),
                }),
                ..Counts::default()
            }),
            watch: self.watch.clone(),
        }
    }

    /// Counts this monitor's work as done: a part passes on its whole weight (for a step that
    /// does not count its work, or ended early).
    pub fn finish(&self) {
        let total = self.counts.total.load(Ordering::Relaxed);
        self.counts.done.fetch_max(total, Ordering::Relaxed);
        if let Some(share) = &self.counts.share {
            share.pass(share.weight);
        }
    }

    /// A part of weight 0 (see [`Monitor::part`]): cancelled and watched with this one, it
    /// passes on no progress, for an inner solve whose caller counts its work (a sweep its
    /// tasks). Its checks still call the hook of a watched monitor, so that a serial sweep
    /// still reports, and hears Ctrl-C, while its solves run.
    pub fn child(&self) -> Self {
        self.part(0)
    }

    /// Asks the solve to stop at its next check.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::Relaxed);
    }

    /// Whether [`Monitor::cancel`] was called.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// `Err(Interrupted)` once cancelled; first calls the hook of a watched monitor where it
    /// is due.
    #[inline]
    pub fn check(&self) -> Result<(), ParsmError> {
        if let Some(watch) = &self.watch {
            watch.poll(self);
        }
        if self.is_cancelled() {
            Err(ParsmError::Interrupted)
        } else {
            Ok(())
        }
    }

    /// Sets the amount of work the progress counts towards.
    pub fn set_total(&self, total: u64) {
        self.counts.total.store(total, Ordering::Relaxed);
        self.counts.pass_on();
    }

    /// Adds to the amount of work.
    pub fn add_total(&self, more: u64) {
        self.counts.total.fetch_add(more, Ordering::Relaxed);
        self.counts.pass_on();
    }

    /// Sets the work done.
    pub fn set_done(&self, done: u64) {
        self.counts.done.store(done, Ordering::Relaxed);
        self.counts.pass_on();
    }

    /// Adds to the work done.
    pub fn advance(&self, by: u64) {
        self.counts.done.fetch_add(by, Ordering::Relaxed);
        self.counts.pass_on();
    }

    /// `(done, total)`; of a part, its outermost whole's (what a watcher reports).
    pub fn progress(&self) -> (u64, u64) {
        self.counts.outermost()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use ndarray::Array2;

    use super::*;
    use crate::MassPath;

    fn costs(n: usize) -> Array2<f64> {
        Array2::from_shape_fn((n, n + 7), |(i, j)| {
            ((i * 7919 + j * 104_729) % 1009) as f64 / 1009.0
        })
    }

    /// A watched solve calls its hook from its own checks once the period has passed, and a
    /// hook that cancels stops it; with a period longer than the solve it is never called.
    #[test]
    fn watched_solves_call_their_hook_when_due() {
        let c = costs(300);
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let cancel: Watcher = Arc::new(move |m: &Monitor| {
            counted.fetch_add(1, Ordering::Relaxed);
            m.cancel();
        });
        let stopped =
            MassPath::solve_monitored(c.view(), 1.0, &Monitor::watched(Duration::ZERO, cancel));
        assert!(matches!(stopped, Err(ParsmError::Interrupted)));
        assert_eq!(calls.load(Ordering::Relaxed), 1);

        let never: Watcher = Arc::new(|m: &Monitor| m.cancel());
        let monitor = Monitor::watched(Duration::from_secs(3600), never);
        let full = MassPath::solve_monitored(c.view(), 1.0, &monitor).expect("not cancelled");
        let plain = MassPath::solve(c.view(), 1.0).expect("solves");
        assert_eq!(full.slopes(), plain.slopes());
        assert!(!monitor.is_cancelled());
    }

    /// The simplex's pass over the whole matrix before its pivots (the cost range) checks the
    /// monitor every `CHECK_ROWS` rows, not only every so many pivots: at 40,000 units a side
    /// it takes seconds (the dense scans' checks: `simplex`'s tests). The checks change
    /// nothing else.
    #[test]
    fn simplex_passes_over_the_matrix_check_the_monitor() {
        use crate::select::CHECK_ROWS;
        use crate::simplex::{solve, SimplexOptions, TransportProblem};
        // Narrow (8 columns): dense pricing, no candidate lists.
        let (nx, ny) = (4 * CHECK_ROWS, 8);
        let c: Vec<f64> = costs(nx)
            .slice(ndarray::s![.., ..ny])
            .iter()
            .copied()
            .collect();
        let (supply, demand) = crate::transport::uniform_marginals((nx, ny));
        let p = TransportProblem {
            cost: &c,
            nx,
            ny,
            supply,
            demand,
        };
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let count: Watcher = Arc::new(move |_: &Monitor| {
            counted.fetch_add(1, Ordering::Relaxed);
        });
        let monitor = Monitor::watched(Duration::ZERO, count);
        let options = |max_iter, monitor| SimplexOptions {
            max_iter,
            monitor,
            ..Default::default()
        };
        // No pivot: the cost range's pass checks once a band of rows, the pivots once.
        solve(&p, options(Some(0), Some(&monitor))).expect("not cancelled");
        assert!(calls.load(Ordering::Relaxed) > nx / CHECK_ROWS, "{calls:?}");

        let watched = solve(&p, options(None, Some(&monitor))).expect("not cancelled");
        let plain = solve(&p, options(None, None)).expect("solves");
        assert_eq!(watched.plan, plain.plan);
        assert_eq!(watched.iterations, plain.iterations);
    }

    /// Parts pass on their fraction of their weight, parts of parts through their whole; what
    /// they passed on is never taken back, and finishing passes on the whole weight.
    #[test]
    fn parts_pass_their_share_on_to_the_whole() {
        let job = Monitor::new();
        job.set_total(1_000);
        let a = job.part(600);
        a.set_total(3);
        a.advance(1);
        assert_eq!(job.progress(), (200, 1_000));
        assert_eq!(a.progress(), (200, 1_000), "a part reports its whole's");
        a.set_done(0);
        assert_eq!(job.progress(), (200, 1_000), "never taken back");
        let b = job.part(400);
        let (b1, b2) = (b.part(100), b.part(300));
        b1.set_total(10);
        b1.set_done(5);
        b2.finish();
        // b holds 50 + 300 units done, but passes nothing on before it has a total.
        assert_eq!(job.progress(), (200, 1_000));
        b.set_total(400);
        assert_eq!(job.progress(), (550, 1_000));
        a.finish();
        b1.finish();
        assert_eq!(job.progress(), (1_000, 1_000));
        b.finish();
        assert_eq!(job.progress(), (1_000, 1_000), "no more than the weight");
        // A part is cancelled with its job, and its check polls the job's hook.
        let calls = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&calls);
        let hook: Watcher = Arc::new(move |m: &Monitor| {
            counted.fetch_add(1, Ordering::Relaxed);
            assert_eq!(m.progress(), (0, 7));
        });
        let watched = Monitor::watched(Duration::ZERO, hook);
        watched.set_total(7);
        let part = watched.part(7).part(3);
        part.check().unwrap();
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        watched.cancel();
        assert!(matches!(part.check(), Err(ParsmError::Interrupted)));
    }

    /// Parts moved by many threads at once pass on each unit once.
    #[test]
    fn parts_moved_from_threads_pass_each_unit_once() {
        let job = Monitor::new();
        job.set_total(8 * 1_000);
        std::thread::scope(|scope| {
            for _ in 0..8 {
                let part = job.part(1_000);
                scope.spawn(move || {
                    part.set_total(250);
                    for _ in 0..250 {
                        part.advance(1);
                    }
                });
            }
        });
        assert_eq!(job.progress(), (8_000, 8_000));
    }
}
