//! The rayon thread pool that parallel work runs in.
//!
//! `n_threads = None` uses rayon's default size, which is all cores unless `RAYON_NUM_THREADS`
//! says otherwise. Results never depend on the pool size: parallel loops only split independent
//! work (rows of a cost matrix, separate solves) and write each result to its own slot.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use rayon::ThreadPool;

use crate::error::ParsmError;

/// Pools of an explicit size, built on first use and kept: building one costs about 0.2 ms
/// (thread start-up), which many small calls (`pairwise` runs several per pair, each with
/// `n_threads = 1`) would otherwise pay every time.
fn pool_of(n: usize) -> Result<Arc<ThreadPool>, ParsmError> {
    static POOLS: OnceLock<Mutex<HashMap<usize, Arc<ThreadPool>>>> = OnceLock::new();
    let pools = POOLS.get_or_init(|| Mutex::new(HashMap::new()));
    let mut pools = pools
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(pool) = pools.get(&n) {
        return Ok(Arc::clone(pool));
    }
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| ParsmError::ThreadPool(e.to_string()))?;
    let pool = Arc::new(pool);
    pools.insert(n, Arc::clone(&pool));
    Ok(pool)
}

/// Runs `f` inside a pool of `n_threads` threads. `None` runs it in rayon's global pool (all
/// cores, or `RAYON_NUM_THREADS`), which is built once and reused; so is a pool of each
/// explicit size.
pub fn with_threads<T: Send>(
    n_threads: Option<usize>,
    f: impl FnOnce() -> T + Send,
) -> Result<T, ParsmError> {
    if n_threads == Some(0) {
        return Err(ParsmError::ZeroThreads);
    }
    let Some(n) = n_threads else {
        return Ok(f());
    };
    Ok(pool_of(n)?.install(f))
}
