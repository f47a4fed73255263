//! Candidate arcs for the one-sided search of [`crate::path_search`] (rectangular problems).
//!
//! ## Why
//! A labeled full row costs the search a pass over its whole row of `C` (relaxing every
//! column), and on rectangular problems the searches label many: at 769 x 692 correlation
//! costs and s = 0.5, 28,000 row passes over 546 augmentations, half of the path's time with
//! the block minima they invalidate. Yet a row's next column is nearly always among its
//! cheapest few in reduced cost.
//!
//! ## The lists and their bound
//! The first time a row is labeled it is relaxed in full, and its [`LIST`] columns of smallest
//! `w_j = C_ij - pc_j` are kept, with `tau_i`, the smallest `w_j` left out, and `P_i`, the free
//! columns' potential `p_free` at that time. Column potentials never decrease, and no column
//! moves by more than a search's length `D` while `p_free` moves by exactly `D`. So at any later
//! time every unlisted column still has `C_ij - pc_j >= tau_i - (p_free - P_i)`, and a row
//! labeled at distance `d_i` offers them no key below
//!
//! `L_i = d_i + pr_i - shift + tau_i - (p_free - P_i)`.
//!
//! A labeled row relaxes only its listed columns and enters `L_i` in the search as a pending
//! **row bound**. Should a bound become the search's minimum before the search ends, the row is
//! relaxed in full after all, and its list rebuilt with the current potentials.
//!
//! ## Exact
//! The search ends when both its smallest column key and its smallest pending bound reach the
//! sink's distance `D`. Every unlisted arc it did not relax would then give a column a key of
//! at least `D`. So each column's key is its exact distance wherever that is below `D`, which is
//! all the path and the potential update read: the augmentations are those of the dense search
//! up to ties.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::scalar::Cost;
use crate::select::k_smallest;

/// Columns listed per row.
pub(crate) const LIST: usize = 32;

/// Lists are kept only for rows at least this much longer than a list.
pub(crate) const MIN_ROW: usize = 4 * LIST;

/// The candidate columns of every row and their bounds.
pub(crate) struct RowLists {
    /// `LIST` columns per row, row-major; valid where `built[i]`.
    cols: Vec<u32>,
    built: Vec<bool>,
    /// `tau_i`: the smallest `C_ij - pc_j` of the unlisted columns when the list was built.
    tau: Vec<f64>,
    /// `P_i`: the free columns' potential when the list was built.
    p_ref: Vec<f64>,
    /// `(w_j, j)` of the columns being listed.
    scratch: Vec<(f64, u32)>,
    /// `w_j = C_ij - pc_j` of the row being listed.
    reduced: Vec<f64>,
}

impl RowLists {
    pub(crate) fn new(nx: usize) -> Self {
        RowLists {
            cols: vec![0; nx * LIST],
            built: vec![false; nx],
            tau: vec![f64::INFINITY; nx],
            p_ref: vec![0.0; nx],
            scratch: Vec::with_capacity(LIST + 1),
            reduced: Vec::new(),
        }
    }

    /// Whether row `i` has a list.
    #[inline]
    pub(crate) fn has(&self, i: usize) -> bool {
        self.built[i]
    }

    /// Rebuilds row `i`'s list from its costs `row` and the column potentials `pc`, with the
    /// free columns' potential `p_free`.
    pub(crate) fn rebuild<T: Cost>(&mut self, i: usize, row: &[T], pc: &[f64], p_free: f64) {
        self.reduced.clear();
        self.reduced
            .extend(row.iter().zip(pc).map(|(c, p)| c.get() - p));
        self.tau[i] = k_smallest(&self.reduced, LIST, &mut self.scratch);
        for (slot, &(_, j)) in self.cols[i * LIST..(i + 1) * LIST]
            .iter_mut()
            .zip(&self.scratch)
        {
            *slot = j;
        }
        self.p_ref[i] = p_free;
        self.built[i] = true;
    }

    /// Row `i`'s listed columns.
    #[inline]
    pub(crate) fn cols(&self, i: usize) -> &[u32] {
        &self.cols[i * LIST..(i + 1) * LIST]
    }

    /// The least key an unlisted column can get from row `i` relaxed with `base = d_i + pr_i -
    /// shift`, now that the free columns' potential is `p_free`.
    #[inline]
    pub(crate) fn bound(&self, i: usize, base: f64, p_free: f64) -> f64 {
        base + self.tau[i] - (p_free - self.p_ref[i])
    }
}

/// A pending row bound of the search: a min-heap entry (smallest bound first, then row).
#[derive(Clone, Copy, PartialEq)]
pub(crate) struct Pending {
    pub bound: f64,
    pub row: u32,
}

impl Eq for Pending {}

impl Ord for Pending {
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then(other.row.cmp(&self.row))
    }
}

impl PartialOrd for Pending {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The pending bounds of one search.
pub(crate) type PendingRows = BinaryHeap<Pending>;
