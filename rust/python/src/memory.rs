//! What the core knows about the machine's memory, for the Python layer's scheduling.

use pyo3::prelude::*;

/// Bytes of memory available to this process (the smaller of the kernel's `MemAvailable` and
/// what the cgroup limit leaves), or None where the platform does not say. The same figure the
/// solvers check their large allocations against.
#[pyfunction]
pub fn available_memory() -> Option<u64> {
    parsm_core::memory::available_bytes()
}
