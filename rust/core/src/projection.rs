//! Linear images of the path's plans, `Lᵀ T(s) R`, on a grid of masses, without dense plans.
//!
//! The share estimate of parsm (see the Python module `parsm.share`) needs two numbers of every
//! cross-validation fold's plan `T(s)` at every `s`: the **held-out gain**
//! `⟨T(s), Zxᵀ Zy⟩ = tr(Zx T(s) Zyᵀ)`, where `Zx` (stimuli x Nx) and `Zy` hold the held-out
//! responses prepared for the metric, and its **permutation variance**
//! `‖Zx ΔT Zyᵀ‖²_F / (n − 1)` for a change `ΔT` of the plan. Both are linear in `T`, and the
//! path's plan changes linearly within each augmentation, so each augmentation `k` has one
//! rate matrix
//!
//! ```text
//! R_k = Σ_t (L[r_t] − L[r_{t+1}]) ⊗ R[c_t]      (path r0 c0 r1 c1 … rk ck, L[r_{k+1}] = 0)
//! ```
//!
//! (the forward arcs `(r_t, c_t)` gain flow, the backward arcs `(r_{t+1}, c_t)` lose it), and
//! `Lᵀ T(s) R` is the flow-weighted sum of the rate matrices of the augmentations pushed up to
//! `s`, the last one partly. The cost is `O(path length · p · q + grid · p · q)`: a few
//! milliseconds for thousands of units and tens of held-out stimuli, where a dense plan per grid
//! point would cost `O(Nx · Ny)` memory and time each.
//!
//! The rate matrices' terms are not added to the running sum one by one (a pass over its
//! `p x q` entries per path column, bound by loads and stores): the terms up to the next grid
//! point are gathered and added as one matrix product. On the bench's training paths (about
//! 500 x 520 units, held-out factors of 60 stimuli, 201 grid points) that halved the
//! projection, 5.4 to 2.8 ms a fold.

use ndarray::linalg::general_mat_mul;
use ndarray::{Array3, ArrayView2, ArrayViewMut2, CowArray, Ix2};

use crate::error::ParsmError;
use crate::path::MassPath;
use crate::sum::Neumaier;

impl MassPath {
    /// `Lᵀ T(s) R` for each `s` in `grid`: `left` is `Nx x p`, `right` is `Ny x q`, and the
    /// result is `grid.len() x p x q`.
    pub fn project(
        &self,
        left: ArrayView2<f64>,
        right: ArrayView2<f64>,
        grid: &[f64],
    ) -> Result<Array3<f64>, ParsmError> {
        let (left, right) = self.check_factors(left, right)?;
        let (p, q) = (left.ncols(), right.ncols());
        let l = left.as_slice().expect("standard layout");
        let r = right.as_slice().expect("standard layout");
        let mut out = Array3::<f64>::zeros((grid.len(), p, q));
        // The rate matrices' rank-one terms are gathered, a path column each, and added to
        // their target as one product (`Uᵀ V`, `U` holding the left differences and `V` the
        // right rows) once per grid point: one pass over the `p x q` target per grid point, not
        // one per path column (it was most of the projection's time, bound by loads and stores).
        let batch = std::cell::RefCell::new(RankOneTerms::new(p, q));
        self.accumulate(
            grid,
            p * q,
            |k, weight, target| {
                let mut batch = batch.borrow_mut();
                let path = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
                for t in (0..path.len()).step_by(2) {
                    let row = path[t] as usize;
                    let next = path.get(t + 2).map(|&n| n as usize);
                    let col = path[t + 1] as usize;
                    batch.push(
                        (0..p).map(|a| {
                            weight * (l[row * p + a] - next.map_or(0.0, |n| l[n * p + a]))
                        }),
                        &r[col * q..(col + 1) * q],
                    );
                }
                // Bounded memory on long stretches between grid points.
                if batch.terms() >= MAX_TERMS {
                    batch.add_into(target);
                }
            },
            |target| batch.borrow_mut().add_into(target),
            &mut out,
        )?;
        Ok(out)
    }

    /// `⟨T(s), L Rᵀ⟩ = tr(Lᵀ T(s) R)` for each `s` in `grid`, with `left` `Nx x p` and `right`
    /// `Ny x p`: [`project`](Self::project)'s trace at `O(path length · p)`.
    pub fn inner(
        &self,
        left: ArrayView2<f64>,
        right: ArrayView2<f64>,
        grid: &[f64],
    ) -> Result<Vec<f64>, ParsmError> {
        let (left, right) = self.check_factors(left, right)?;
        if left.ncols() != right.ncols() {
            return Err(ParsmError::ShapeMismatch {
                what: "the right factor",
                got: right.dim(),
                expected: (self.ny, left.ncols()),
            });
        }
        let p = left.ncols();
        let l = left.as_slice().expect("standard layout");
        let r = right.as_slice().expect("standard layout");
        let dot = |i: usize, j: usize| -> f64 {
            l[i * p..(i + 1) * p]
                .iter()
                .zip(&r[j * p..(j + 1) * p])
                .map(|(a, b)| a * b)
                .sum()
        };
        let rates: Vec<f64> = (0..self.amounts.len())
            .map(|k| {
                let path = &self.nodes[self.offsets[k]..self.offsets[k + 1]];
                let mut acc = Neumaier::default();
                for t in (0..path.len()).step_by(2) {
                    let col = path[t + 1] as usize;
                    acc.add(dot(path[t] as usize, col));
                    if t + 2 < path.len() {
                        acc.add(-dot(path[t + 2] as usize, col));
                    }
                }
                acc.sum()
            })
            .collect();
        let mut out = Array3::<f64>::zeros((grid.len(), 1, 1));
        self.accumulate(
            grid,
            1,
            |k, w, target| target[0] += w * rates[k],
            |_| {},
            &mut out,
        )?;
        Ok(out.into_raw_vec_and_offset().0)
    }

    /// Checks that `left` has one row per unit of X and `right` one per unit of Y, all finite,
    /// and returns them in standard layout (views, when they are already).
    fn check_factors<'l, 'r>(
        &self,
        left: ArrayView2<'l, f64>,
        right: ArrayView2<'r, f64>,
    ) -> Result<(Factor<'l>, Factor<'r>), ParsmError> {
        if left.nrows() != self.nx {
            return Err(ParsmError::ShapeMismatch {
                what: "the left factor",
                got: left.dim(),
                expected: (self.nx, left.ncols()),
            });
        }
        if right.nrows() != self.ny {
            return Err(ParsmError::ShapeMismatch {
                what: "the right factor",
                got: right.dim(),
                expected: (self.ny, right.ncols()),
            });
        }
        let count = left
            .iter()
            .chain(right.iter())
            .filter(|v| !v.is_finite())
            .count();
        if count > 0 {
            return Err(ParsmError::NonFinite {
                what: "the projection factors",
                count,
            });
        }
        // Views when already in standard layout (the usual case): no copy.
        Ok((standard(left), standard(right)))
    }

    /// Walks the augmentations in order of mass and, for each grid point (in any order), sums
    /// `add(k, weight, slot)` over the augmentations pushed up to that mass (the last one with
    /// the flow it pushes there) into the grid point's `dim` slots of `out`. `settle(slot)` is
    /// called after the additions into a slot, before it is read (for `add`s that defer
    /// their work).
    fn accumulate(
        &self,
        grid: &[f64],
        dim: usize,
        mut add: impl FnMut(usize, f64, &mut [f64]),
        mut settle: impl FnMut(&mut [f64]),
        out: &mut Array3<f64>,
    ) -> Result<(), ParsmError> {
        for &s in grid {
            self.check_mass(s)?;
        }
        let mut order: Vec<usize> = (0..grid.len()).collect();
        order.sort_by(|&a, &b| grid[a].total_cmp(&grid[b]));
        let units = self.units as f64;
        let mut acc = vec![0.0; dim];
        let (mut k, mut flow) = (0usize, 0.0f64);
        let flat = out.as_slice_mut().expect("fresh array");
        for idx in order {
            let target = grid[idx] * units;
            while k < self.amounts.len() && flow + self.amounts[k] as f64 <= target {
                add(k, self.amounts[k] as f64 / units, &mut acc);
                flow += self.amounts[k] as f64;
                k += 1;
            }
            settle(&mut acc);
            let slot = &mut flat[idx * dim..(idx + 1) * dim];
            slot.copy_from_slice(&acc);
            if k < self.amounts.len() && target > flow {
                add(k, (target - flow) / units, slot);
                settle(slot);
            }
        }
        Ok(())
    }
}

/// Terms gathered at most before they are added (a product of this inner size runs at the
/// kernel's speed; the gathered terms stay within a few MB).
const MAX_TERMS: usize = 4096;

/// Rank-one terms `u ⊗ v` (`u` of length `p`, `v` of length `q`) gathered to be added to a
/// `p x q` matrix as one product.
struct RankOneTerms {
    p: usize,
    q: usize,
    /// The `u`s, one row each (`terms x p`).
    us: Vec<f64>,
    /// The `v`s, one row each (`terms x q`).
    vs: Vec<f64>,
    terms: usize,
}

impl RankOneTerms {
    fn new(p: usize, q: usize) -> Self {
        RankOneTerms {
            p,
            q,
            us: Vec::new(),
            vs: Vec::new(),
            terms: 0,
        }
    }

    fn terms(&self) -> usize {
        self.terms
    }

    fn push(&mut self, u: impl Iterator<Item = f64>, v: &[f64]) {
        self.us.extend(u);
        self.vs.extend_from_slice(v);
        self.terms += 1;
    }

    /// Adds the gathered terms' sum to `target` (`p x q`, row-major) and forgets them.
    fn add_into(&mut self, target: &mut [f64]) {
        let terms = self.terms();
        if terms > 0 && self.p > 0 && self.q > 0 {
            let u = ArrayView2::from_shape((terms, self.p), &self.us).expect("terms x p");
            let v = ArrayView2::from_shape((terms, self.q), &self.vs).expect("terms x q");
            let mut t = ArrayViewMut2::from_shape((self.p, self.q), target).expect("p x q");
            general_mat_mul(1.0, &u.t(), &v, 1.0, &mut t);
        }
        self.us.clear();
        self.vs.clear();
        self.terms = 0;
    }
}

/// A projection factor in standard layout, borrowed when possible.
type Factor<'a> = CowArray<'a, f64, Ix2>;

/// `a` as a standard-layout array: the view itself when it already is one, else a copy.
fn standard(a: ArrayView2<'_, f64>) -> Factor<'_> {
    if a.is_standard_layout() {
        CowArray::from(a)
    } else {
        CowArray::from(a.as_standard_layout().into_owned())
    }
}
