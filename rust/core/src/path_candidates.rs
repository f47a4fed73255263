//! Candidate arcs for the search of [`crate::path_search`].
//!
//! ## Why
//! A labeled full row costs the search a pass over its whole row of `C` (relaxing every
//! column), and on rectangular problems the searches label many: at 769 x 692 correlation
//! costs and s = 0.5, 28,000 row passes over 546 augmentations, half of the path's time with
//! the block minima they invalidate. Yet a row's next column is nearly always among its
//! cheapest few in reduced cost.
//!
//! ## The lists and their bound
//! The first time a row is labeled it is relaxed in full, and its [`START_LIST`] columns of
//! smallest `w_j = C_ij - pc_j` are kept, with `tau_i`, the smallest `w_j` left out, and `P_i`, the free
//! columns' potential `p_free` at that time. Column potentials never decrease, and no column
//! moves by more than a search's length `D` while `p_free` moves by exactly `D`. So at any later
//! time every unlisted column still has `C_ij - pc_j >= tau_i - (p_free - P_i)`, and a row
//! labeled at distance `d_i` offers them no key below
//!
//! `L_i = d_i + pr_i - shift + tau_i - (p_free - P_i)`.
//!
//! A labeled row relaxes only its listed columns and enters `L_i` in the search as a pending
//! **row bound**. Should a bound become the search's minimum before the search ends, the row is
//! relaxed in full after all, and its list rebuilt with the current potentials, twice as long
//! (up to [`MAX_LIST`]): a row whose bound comes up is one whose next columns lie beyond its
//! list.
//!
//! ## How long
//! Short lists make each relaxation cheap; long ones make bounds come up rarely. Starting at 8
//! and doubling per row where a bound comes up beat every fixed length tried (8, 12, 16, 24,
//! 32, 48): against the earlier fixed 32, paths to s = 1 were 8-29 % faster (eight cost
//! families at 1,500 units, bench pairs, 2,000 x 2,100 and 4,000 a side) and paths to s = 0.5
//! as fast or faster (up to 1.5x at 2,000 x 2,100), with the same augmentations.
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

/// Columns a row lists at first.
const START_LIST: usize = 8;
/// The longest list: a row whose bound comes up doubles its list, up to this.
const MAX_LIST: usize = 64;

/// Lists are kept only for rows at least this long.
pub(crate) const MIN_ROW: usize = 128;

/// The candidate columns of every row and their bounds.
pub(crate) struct RowLists {
    /// [`MAX_LIST`] slots per row, row-major, the first `len[i]` in use; valid where
    /// `built[i]`.
    cols: Vec<u32>,
    /// `C_ij` of each listed column, beside it, so that relaxing a list reads no row of `C`.
    costs: Vec<f64>,
    len: Vec<u8>,
    built: Vec<bool>,
    /// `tau_i`: the smallest `C_ij - pc_j` of the unlisted columns when the list was built.
    tau: Vec<f64>,
    /// `P_i`: the free columns' potential when the list was built.
    p_ref: Vec<f64>,
    /// `(w_j, j)` of the columns being listed.
    scratch: Vec<(f64, u32)>,
    /// `w_j = C_ij - pc_j` of the row being listed.
    reduced: Vec<f64>,
    /// For each column, the slot (`row * MAX_LIST + k`) of every list holding it: what a
    /// search that keeps its labels from the last one reads to recompute a column's key (see
    /// [`crate::path_search`], "Searches that go on").
    listers: Vec<Vec<u32>>,
    /// Where each slot sits in its column's `listers`.
    lister_pos: Vec<u32>,
}

impl RowLists {
    pub(crate) fn new(nx: usize, ny: usize) -> Self {
        RowLists {
            cols: vec![0; nx * MAX_LIST],
            costs: vec![0.0; nx * MAX_LIST],
            len: vec![START_LIST as u8; nx],
            built: vec![false; nx],
            tau: vec![f64::INFINITY; nx],
            p_ref: vec![0.0; nx],
            scratch: Vec::with_capacity(MAX_LIST + 1),
            reduced: Vec::new(),
            listers: vec![Vec::new(); ny],
            lister_pos: vec![0; nx * MAX_LIST],
        }
    }

    /// Whether row `i` has a list.
    #[inline(always)]
    pub(crate) fn has(&self, i: usize) -> bool {
        self.built[i]
    }

    /// Rebuilds row `i`'s list from its costs `row` and the column potentials `pc`, with the
    /// free columns' potential `p_free`; twice as long (up to [`MAX_LIST`]) with `grow`.
    #[inline(always)]
    pub(crate) fn rebuild<T: Cost>(
        &mut self,
        i: usize,
        row: &[T],
        pc: &[f64],
        p_free: f64,
        grow: bool,
    ) {
        if self.built[i] {
            for k in 0..self.len[i] as usize {
                self.unlist(i, k);
            }
        }
        if grow && self.built[i] {
            self.len[i] = (2 * self.len[i] as usize).min(MAX_LIST) as u8;
        }
        let len = self.len[i] as usize;
        self.reduced.clear();
        self.reduced
            .extend(row.iter().zip(pc).map(|(c, p)| c.get() - p));
        self.tau[i] = k_smallest(&self.reduced, len, &mut self.scratch);
        let slots = i * MAX_LIST..i * MAX_LIST + len;
        for ((col, cost), &(_, j)) in self.cols[slots.clone()]
            .iter_mut()
            .zip(&mut self.costs[slots])
            .zip(&self.scratch)
        {
            *col = j;
            *cost = row[j as usize].get();
        }
        for k in 0..len {
            let col = self.cols[i * MAX_LIST + k] as usize;
            self.lister_pos[i * MAX_LIST + k] = self.listers[col].len() as u32;
            self.listers[col].push((i * MAX_LIST + k) as u32);
        }
        self.p_ref[i] = p_free;
        self.built[i] = true;
    }

    /// Drops slot `k` of row `i` from its column's listers.
    #[inline(always)]
    fn unlist(&mut self, i: usize, k: usize) {
        let col = self.cols[i * MAX_LIST + k] as usize;
        let pos = self.lister_pos[i * MAX_LIST + k] as usize;
        let holders = &mut self.listers[col];
        holders.swap_remove(pos);
        if let Some(&moved) = holders.get(pos) {
            self.lister_pos[moved as usize] = pos as u32;
        }
    }

    /// The rows whose lists hold column `j`, each with `C_ij`.
    #[inline(always)]
    pub(crate) fn listers(&self, j: usize) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.listers[j]
            .iter()
            .map(|&e| (e as usize / MAX_LIST, self.costs[e as usize]))
    }

    /// Row `i`'s listed columns and their costs `C_ij` (kept beside them: a list's columns are
    /// scattered over its row of `C`, and on low-rank costs, where rows keep long lists, reading
    /// them from `C` made whole paths 1.2-1.35x slower at 2,000 units a side, 1.7x at 4,000).
    #[inline(always)]
    pub(crate) fn arcs(&self, i: usize) -> (&[u32], &[f64]) {
        let slots = i * MAX_LIST..i * MAX_LIST + self.len[i] as usize;
        (&self.cols[slots.clone()], &self.costs[slots])
    }

    /// The least key an unlisted column can get from row `i` relaxed with `base = d_i + pr_i -
    /// shift`, now that the free columns' potential is `p_free`.
    #[inline(always)]
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
    #[inline(always)]
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .bound
            .total_cmp(&self.bound)
            .then(other.row.cmp(&self.row))
    }
}

impl PartialOrd for Pending {
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The pending bounds of one search.
pub(crate) type PendingRows = BinaryHeap<Pending>;

#[cfg(test)]
mod tests {
    use super::*;

    /// A list starts at `START_LIST` columns, the cheapest in reduced cost with `tau` the
    /// cheapest left out, and doubles up to `MAX_LIST` each time its bound comes up (a rebuild
    /// with `grow`), not when it is first built.
    #[test]
    fn lists_hold_the_cheapest_columns_and_double_when_their_bound_comes_up() {
        let ny = 300;
        let row: Vec<f64> = (0..ny).map(|j| ((j * 37) % ny) as f64).collect();
        let pc = vec![0.0; ny];
        let mut lists = RowLists::new(2, ny);
        assert!(!lists.has(1));
        lists.rebuild(1, &row, &pc, 0.0, true);
        let mut lens = vec![lists.arcs(1).0.len()];
        for _ in 0..5 {
            lists.rebuild(1, &row, &pc, 0.0, true);
            lens.push(lists.arcs(1).0.len());
        }
        assert_eq!(
            lens,
            [
                START_LIST,
                2 * START_LIST,
                4 * START_LIST,
                MAX_LIST,
                MAX_LIST,
                MAX_LIST
            ]
        );
        let (cols, costs) = lists.arcs(1);
        // Each listed column's cost is kept beside it.
        assert!(cols.iter().zip(costs).all(|(&j, &c)| c == row[j as usize]));
        let mut got: Vec<f64> = cols.iter().map(|&j| row[j as usize]).collect();
        got.sort_by(f64::total_cmp);
        assert_eq!(got, (0..MAX_LIST).map(|k| k as f64).collect::<Vec<_>>());
        assert_eq!(lists.tau[1], MAX_LIST as f64);
        assert_eq!(lists.bound(1, 0.0, 0.0), MAX_LIST as f64);
        assert!(!lists.has(0) && lists.arcs(0).0.len() == START_LIST);
    }

    /// Each column's listers are exactly the rows whose lists hold it, with its cost, as lists
    /// are built, rebuilt with other potentials and grown.
    #[test]
    fn listers_follow_the_lists_through_rebuilds() {
        let (nx, ny) = (5, 200);
        let row =
            |i: usize| -> Vec<f64> { (0..ny).map(|j| ((j * 31 + i * 17) % ny) as f64).collect() };
        let mut lists = RowLists::new(nx, ny);
        let mut pc = vec![0.0; ny];
        for round in 0..4 {
            for i in 0..nx {
                if (i + round) % 3 != 0 {
                    lists.rebuild(i, &row(i), &pc, 0.0, round % 2 == 1);
                }
            }
            for (j, p) in pc.iter_mut().enumerate() {
                *p += ((j * 7 + round) % 11) as f64;
            }
            for j in 0..ny {
                let mut got: Vec<(usize, f64)> = lists.listers(j).collect();
                got.sort_by_key(|&(i, _)| i);
                let want: Vec<(usize, f64)> = (0..nx)
                    .filter(|&i| lists.has(i) && lists.arcs(i).0.contains(&(j as u32)))
                    .map(|i| (i, row(i)[j]))
                    .collect();
                assert_eq!(got, want, "round {round}, column {j}");
            }
        }
    }
}
