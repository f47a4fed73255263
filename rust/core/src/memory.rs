//! Memory estimates checked before large allocations.
//!
//! A dense `Nx x Ny` matrix of 20,000 units a side takes 3.2 GB in f64. Rather than let the
//! operating system kill the process half-way through, every allocation that grows with
//! `Nx·Ny` first asks [`check_allocation`], which compares it with the memory the machine (or
//! its cgroup) has available and fails with [`ParsmError::OutOfMemory`], the numbers and a
//! remedy, when it cannot fit.

use crate::error::ParsmError;

const GIB: f64 = (1u64 << 30) as f64;

/// Bytes of memory available to this process, when the platform says: the smaller of
/// `MemAvailable` in `/proc/meminfo` and the cgroup limit left over (Linux). `None` elsewhere.
pub fn available_bytes() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let kib = meminfo.lines().find_map(|l| {
        let rest = l.strip_prefix("MemAvailable:")?;
        rest.trim()
            .trim_end_matches("kB")
            .trim()
            .parse::<u64>()
            .ok()
    })?;
    let mut avail = kib.saturating_mul(1024);
    let read = |p: &str| std::fs::read_to_string(p).ok();
    if let (Some(max), Some(cur)) = (
        read("/sys/fs/cgroup/memory.max"),
        read("/sys/fs/cgroup/memory.current"),
    ) {
        if let (Ok(max), Ok(cur)) = (max.trim().parse::<u64>(), cur.trim().parse::<u64>()) {
            avail = avail.min(max.saturating_sub(cur));
        }
    }
    Some(avail)
}

/// Allocations below this are not checked: they always fit, and the many small solves of a
/// sweep should not each read `/proc/meminfo`.
const CHECK_FROM: u64 = 64 << 20;

/// Fails when `bytes` (described by `what`) exceed 90 % of the available memory.
pub fn check_allocation(what: &str, bytes: u64, remedy: &'static str) -> Result<(), ParsmError> {
    if bytes < CHECK_FROM {
        return Ok(());
    }
    let Some(avail) = available_bytes() else {
        return Ok(());
    };
    if (bytes as f64) > 0.9 * avail as f64 {
        return Err(ParsmError::OutOfMemory {
            what: what.to_string(),
            needed_gib: bytes as f64 / GIB,
            available_gib: avail as f64 / GIB,
            remedy,
        });
    }
    Ok(())
}

/// [`check_allocation`] for a dense `rows x cols` matrix of `elem` bytes per entry.
pub fn check_matrix(
    what: &str,
    rows: usize,
    cols: usize,
    elem: usize,
    remedy: &'static str,
) -> Result<(), ParsmError> {
    let bytes = (rows as u64)
        .saturating_mul(cols as u64)
        .saturating_mul(elem as u64);
    check_allocation(
        &format!("{what}, {rows} x {cols} at {elem} bytes per entry"),
        bytes,
        remedy,
    )
}

/// The remedy named when a cost matrix does not fit.
pub const COST_REMEDY: &str =
    "compare fewer units at once (for example a random subset of each population)";
/// The remedy named when a dense plan does not fit.
pub const PLAN_REMEDY: &str =
    "ask for the matches or the unit masses instead of the dense plan, or compare fewer units";

/// An `nx x ny` matrix of zeros whose pages are written now, for plans built by accumulating
/// into their entries.
///
/// `Array2::zeros` gets memory the kernel maps lazily to its shared zero page. A plan filled
/// by `+=` first reads a page (mapping the zero page) and then writes it, so every page is
/// copied on write, and while another thread of the process runs on the other core each copy
/// flushes that core's TLB by interrupt: with two pairs solved at once (`pairwise`), a quarter
/// of a 500 x 520 soft matching went there, and building its plan took longer on two threads
/// than on one. Writing the zeros up front takes each page with one plain write fault.
pub fn zeroed_matrix(nx: usize, ny: usize) -> ndarray::Array2<f64> {
    let mut v: Vec<f64> = Vec::with_capacity(nx * ny);
    // Keeps the allocation and the fill apart, so that they are not folded into one `calloc`
    // (which would bring back the lazily mapped pages).
    std::hint::black_box(&mut v);
    v.resize(nx * ny, 0.0);
    ndarray::Array2::from_shape_vec((nx, ny), v).expect("the shape matches the length")
}

/// Bytes held by [`Reservation`]s in this process.
static RESERVED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Memory set aside for an optional copy (an allocation the caller can do without, such as
/// the mass path's transposed costs), released on drop. Reservations of concurrent solves
/// count against each other, so that several of them checking the available memory at once
/// cannot all take the same room.
#[derive(Debug)]
pub struct Reservation(u64);

impl Reservation {
    /// Reserves `bytes` when they and every reservation already held fit in `share` of the
    /// memory available now (always, where the platform does not say); `None` otherwise.
    pub fn take(bytes: u64, share: f64) -> Option<Reservation> {
        use std::sync::atomic::Ordering;
        let held = RESERVED.fetch_add(bytes, Ordering::SeqCst) + bytes;
        if available_bytes().is_some_and(|avail| held as f64 > share * avail as f64) {
            RESERVED.fetch_sub(bytes, Ordering::SeqCst);
            return None;
        }
        Some(Reservation(bytes))
    }
}

impl Drop for Reservation {
    fn drop(&mut self) {
        RESERVED.fetch_sub(self.0, std::sync::atomic::Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Reservations count against each other and give their room back when dropped.
    #[test]
    fn reservations_share_the_available_memory() {
        let Some(avail) = available_bytes() else {
            return; // nothing to share where the platform does not say
        };
        let part = (0.3 * avail as f64) as u64;
        let first = Reservation::take(part, 0.5).expect("30 % fits in half");
        assert!(
            Reservation::take(part, 0.5).is_none(),
            "60 % does not fit in half"
        );
        drop(first);
        assert!(Reservation::take(part, 0.5).is_some());
        assert!(Reservation::take(avail, 0.5).is_none());
    }
}
