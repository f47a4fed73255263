//! Pools of an explicit size are reused, never shared between calls running at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use parsm_core::threads::with_threads;

/// Two one-thread calls made at once both run at once: each sees the other start.
#[test]
fn concurrent_calls_get_their_own_pools() {
    for _ in 0..3 {
        let started = AtomicUsize::new(0);
        let both_ran = std::thread::scope(|scope| {
            let waits: Vec<_> = (0..2)
                .map(|_| {
                    scope.spawn(|| {
                        with_threads(Some(1), || {
                            started.fetch_add(1, Ordering::SeqCst);
                            let t = Instant::now();
                            while started.load(Ordering::SeqCst) < 2 {
                                if t.elapsed() > Duration::from_secs(5) {
                                    return false; // the other call never started alongside
                                }
                                std::thread::yield_now();
                            }
                            true
                        })
                        .unwrap()
                    })
                })
                .collect();
            waits.into_iter().all(|w| w.join().unwrap())
        });
        assert!(
            both_ran,
            "two calls with n_threads = 1 ran one after the other"
        );
    }
    // The pool size is respected: a one-thread pool runs a parallel loop on one thread.
    let threads = with_threads(Some(1), rayon::current_num_threads).unwrap();
    assert_eq!(threads, 1);
    assert!(with_threads(Some(0), || ()).is_err());
}
