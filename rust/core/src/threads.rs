//! The rayon thread pool that parallel work runs in.
//!
//! `n_threads = None` uses rayon's default size, which is all cores unless `RAYON_NUM_THREADS`
//! says otherwise. Results never depend on the pool size: parallel loops only split independent
//! work (rows of a cost matrix, separate solves) and write each result to its own slot.

use crate::error::ParsmError;

/// Runs `f` inside a pool of `n_threads` threads. `None` runs it in rayon's global pool (all
/// cores, or `RAYON_NUM_THREADS`), which is built once and reused.
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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| ParsmError::ThreadPool(e.to_string()))?;
    Ok(pool.install(f))
}
