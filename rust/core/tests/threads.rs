//! Pools of an explicit size are reused, never shared between calls running at once; work
//! spawned into them runs beside the caller.

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

/// `spawn_while` runs its task in a pool of the size asked for, on another thread than the
/// caller's, while the caller's `wait` runs; the task may borrow the caller's data, and
/// concurrent calls of one thread each get their own pool, as with `with_threads`.
#[test]
fn spawn_while_runs_the_task_in_its_pool_while_the_caller_waits() {
    use parsm_core::threads::spawn_while;
    use std::sync::mpsc::channel;

    let data: Vec<u64> = (1..=1000).collect();
    for n in [None, Some(1), Some(2)] {
        let (tx, rx) = channel();
        let caller = std::thread::current().id();
        let task = || {
            let on_caller = std::thread::current().id() == caller;
            tx.send((
                data.iter().sum::<u64>(),
                rayon::current_num_threads(),
                on_caller,
            ))
            .unwrap();
        };
        let (sum, threads, on_caller) = spawn_while(n, task, || rx.recv().unwrap()).unwrap();
        assert_eq!(sum, 500_500);
        assert!(!on_caller, "the task ran on the calling thread");
        if let Some(n) = n {
            assert_eq!(threads, n);
        }
    }
    assert!(spawn_while(Some(0), || (), || ()).is_err());
    // Two callers at once, one thread each: both tasks run at the same time.
    let started = AtomicUsize::new(0);
    let both_ran = std::thread::scope(|scope| {
        let waits: Vec<_> = (0..2)
            .map(|_| {
                scope.spawn(|| {
                    let (tx, rx) = channel();
                    let task = || {
                        started.fetch_add(1, Ordering::SeqCst);
                        let t = Instant::now();
                        let mut ok = true;
                        while started.load(Ordering::SeqCst) < 2 {
                            if t.elapsed() > Duration::from_secs(5) {
                                ok = false;
                                break;
                            }
                            std::thread::yield_now();
                        }
                        tx.send(ok).unwrap();
                    };
                    spawn_while(Some(1), task, || rx.recv().unwrap()).unwrap()
                })
            })
            .collect();
        waits.into_iter().all(|w| w.join().unwrap())
    });
    assert!(both_ran, "two one-thread calls ran one after the other");
}

/// One thread is the calling thread: `with_threads(Some(1), f)` runs `f` there, and the
/// parallel loops inside run there too, on one thread, however many cores rayon's global pool
/// has; calls from several threads at once each run on their own thread.
#[test]
fn one_thread_is_the_calling_thread() {
    use rayon::prelude::*;

    let on_callers = std::thread::scope(|scope| {
        let calls: Vec<_> = (0..3)
            .map(|_| {
                scope.spawn(|| {
                    let caller = std::thread::current().id();
                    // Twice: the second call finds the thread hosting its pool already.
                    with_threads(Some(1), || ()).unwrap();
                    with_threads(Some(1), || {
                        let ids: Vec<_> = (0..64)
                            .into_par_iter()
                            .map(|_| std::thread::current().id())
                            .collect();
                        (rayon::current_num_threads(), ids)
                    })
                    .map(|(n, ids)| n == 1 && ids.iter().all(|&id| id == caller))
                    .unwrap()
                })
            })
            .collect();
        calls.into_iter().all(|c| c.join().unwrap())
    });
    assert!(on_callers);
}

#[test]
fn small_work_is_not_worth_other_threads() {
    use parsm_core::cost::worth_threads;
    use parsm_core::sweep::paths_worth_threads;
    // One row block (256 rows) is one parallel task, however long its rows.
    assert!(!worth_threads(256, 100_000, 1_000));
    assert!(worth_threads(257, 1_000, 100));
    // Little work: 20 x 25 units over 100 stimuli, or 300 x 300 over 100.
    assert!(!worth_threads(20, 25, 100));
    assert!(!worth_threads(300, 300, 100));
    assert!(worth_threads(500, 500, 300));
    // Sizes that overflow a product are large.
    assert!(worth_threads(usize::MAX, usize::MAX, 2));
    // One path is one task; small matrices are not worth waking threads for.
    assert!(!paths_worth_threads([(4_000, 4_000)]));
    assert!(!paths_worth_threads(vec![(20, 25); 5]));
    assert!(paths_worth_threads(vec![(100, 100); 5]));
    assert!(!paths_worth_threads(Vec::<(usize, usize)>::new()));
}

#[test]
fn small_calls_run_on_the_calling_thread_only() {
    use parsm_core::threads::threads_for;
    // Work worth sharing keeps the threads asked for (None: the pool's default).
    assert_eq!(threads_for(None, true), None);
    assert_eq!(threads_for(Some(3), true), Some(3));
    // Small work runs on one thread whatever was asked.
    assert_eq!(threads_for(None, false), Some(1));
    assert_eq!(threads_for(Some(8), false), Some(1));
    // Zero threads is passed on, to be refused with its message where the pool is built.
    assert_eq!(threads_for(Some(0), false), Some(0));
    assert_eq!(threads_for(Some(0), true), Some(0));
}

/// `pool_size(None)` is the global pool's size on every thread, also on one that has hosted its
/// own one-thread pool (a one-thread call there makes it that pool's worker, where
/// `rayon::current_num_threads` answers 1): `pairwise` asked it on Python's main thread after a
/// small call and ran its pairs on one thread.
#[test]
fn pool_size_of_none_is_the_global_pools_after_a_one_thread_call() {
    use parsm_core::threads::{pool_size, with_threads};

    let global = std::thread::spawn(rayon::current_num_threads)
        .join()
        .unwrap();
    let asked = std::thread::spawn(move || {
        // This thread hosts its own one-thread pool from here on.
        assert_eq!(
            with_threads(Some(1), rayon::current_num_threads).unwrap(),
            1
        );
        (
            rayon::current_num_threads(),
            pool_size(None),
            pool_size(Some(3)),
        )
    })
    .join()
    .unwrap();
    assert_eq!(asked.1, global);
    assert_eq!(asked.2, 3);
    // The case it guards against: rayon's own answer on that thread is its pool's.
    if global > 1 {
        assert_eq!(asked.0, 1);
    }
}
