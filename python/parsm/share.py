"""The matched share ``s0``: how much of the mass has a counterpart beyond chance.

The in-sample L-curve cannot answer this on its own. The optimiser takes chance matches in order
of their sample correlation, so after the true pairs its slope keeps rising by a few
``1/sqrt(stimuli)`` instead of levelling off, and with no correspondence at all there is no
corner for any rule to find. parsm's default estimate, ``elbow="heldout"``, asks the held-out
stimuli instead.

The held-out gain curve
-----------------------
Stimuli are split into folds (the paper's ``KFold(5, shuffle=True, random_state=42)``). On each
fold the whole mass path ``T_f(s)``, ``s`` in [0, 1], is fit on the training stimuli, and its
**held-out gain** is measured on the held-out stimuli::

    e_f(s) = <T_f(s), R_f> = tr(Zx_f T_f(s) Zy_fᵀ)

where ``R_f`` holds the Pearson correlations of every pair on the held-out stimuli and ``Zx_f``,
``Zy_f`` are those responses, centred and scaled to unit norm (a unit constant there is a zero
column: no evidence). ``E(s)`` is the mean over folds. Held-out correlation is the evidence
whatever ``metric`` fit the plans: a counterpart is a unit whose responses co-vary with the
other's on stimuli the plan did not see. Two facts make ``E`` a clean signal:

* A chance match has held-out correlation 0 in expectation, *whatever* its training
  correlation was: the held-out stimuli are independent of the selection. So ``E`` rises while
  mass with a real counterpart is added, and is flat, up to noise, after.
* The noise is known exactly. Under the null that Y's held-out stimuli are exchangeable
  relative to X's (a stimulus permutation), a change ``ΔT`` of a fold's plan moves ``e_f`` by
  a variable of mean 0 and variance ``‖Zx ΔT Zyᵀ‖²_F / (n_f - 1)`` (``n_f`` held-out stimuli):
  the permutation covariance of two sample correlations is ``r(x_i, x_k) r(y_j, y_l) / (n - 1)``,
  which sums to that norm. It accounts for units that are correlated within a population (low-
  rank noise, smooth tuning) and for any response distribution. The folds' plans share training
  stimuli, so their errors are correlated; the standard deviation of ``E`` is bounded by the
  mean of the folds' standard deviations (Minkowski), and parsm uses that bound, ``SD(s, t)``
  for ``E(t) - E(s)``. On null data it is 1.3-1.8x the measured spread.

The estimate
------------
``s0`` is the smallest mass after which the gain does not rise significantly::

    s0 = min { s : E(t) - E(s) <= z · SD(s, t) for every t > s },   z = 2.5

on a grid of 201 masses in [0, 1], rounded to whole units of the larger population
(``k / max(Nx, Ny)``, within half a grid step). It is 0 when the gain never rises beyond chance ("no
shared mass"), and 1 when it still rises on the last step. Mass that the in-sample plan
carries at cost exactly 0 (units with an identical counterpart: the same responses, up to
scale for correlation, on every stimulus, which chance does not produce with continuous data)
counts as matched whatever the held-out test says, so a copy of X, permuted or not, gives
exactly 1 even with too few stimuli or units for the test. On null data of every family in
``benches/share_estimation.py`` the largest normalised rise over all ``(s, t)`` stayed below
2.1, so ``z = 2.5`` keeps false shares rare; a real rise of slope ``r`` is found to within
about ``(z · SD / r)²`` of its end. When the gain tapers off gradually (weak or graded
counterparts), the last, weakest pairs cannot be told from chance, and ``s0`` stops early.

Uncertainty
-----------
``interval`` is the 5th-95th percentile of ``s0`` over 200 gain curves perturbed by Gaussian
noise with the covariance implied by ``SD``, scaled by 1/2 (the measured noise of ``E`` is 30-60
% of the bound's variance). ``identifiable`` is False when that interval is wider than 0.1: the
curve has no clear corner, and the interval is the honest answer.

Cost
----
One path solve per fold used (to ``s = 1``, in parallel, GIL released) on top of the in-sample
one, plus ``O(path length · n_f²)`` for the gain and its variance. Above
``LARGE_PROBLEM`` (``Nx · Ny``) fewer folds are used (:func:`folds_used`).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from . import _core
from .results import ShareEstimate

__all__ = [
    "ShareEstimate",
    "ShareWarning",
    "SHARE_FOLDS",
    "Z",
    "folds_used",
    "share_folds",
    "held_out_factors",
    "identical_mass",
    "estimate_share",
    "floored",
]

#: Folds over stimuli when the caller did not ask for cross-validation.
SHARE_FOLDS = 5
#: Significance of a rise of the held-out gain, in bound standard deviations.
Z = 2.5
#: Masses at which the held-out gain is evaluated.
GRID = np.linspace(0.0, 1.0, 201)
GRID.setflags(write=False)
#: Above this many unit pairs (``Nx · Ny``) fewer folds are solved; see :func:`folds_used`.
LARGE_PROBLEM = 40_000_000
#: Held-out stimuli above which the variance uses a random sketch of this size.
SKETCH = 128
#: Perturbed curves behind the interval, the variance scale of their noise, and its seed.
_N_BOOT, _BOOT_SCALE, _SEED = 200, 0.5, 20260
#: Interval width above which the corner counts as unidentifiable.
CLEAR_WIDTH = 0.1


class ShareWarning(UserWarning):
    """The held-out gain curve has no clear corner: report ``s0`` with its interval."""


#: The fewest stimuli the held-out estimate works with: two folds of two held-out stimuli.
MIN_STIMULI = 4


def share_folds(n_stimuli: int) -> int:
    """Folds for the estimate when the caller did not choose: :data:`SHARE_FOLDS`, fewer
    with fewer than 10 stimuli (every fold keeps at least 2 held-out stimuli)."""
    if n_stimuli < MIN_STIMULI:
        raise ValueError(
            f"the held-out share estimate (s='auto') needs at least {MIN_STIMULI} stimuli; "
            f"there are {n_stimuli}. Give s a mass instead (for example s=0.5, or --s 0.5 on "
            "the command line), or use lcurve(X, Y, elbow='plateau') for the in-sample corner."
        )
    return min(SHARE_FOLDS, n_stimuli // 2)


def folds_used(nx: int, ny: int, n_folds: int) -> int:
    """How many of ``n_folds`` folds the estimate solves: all of them up to
    ``LARGE_PROBLEM`` unit pairs (about 6,300 a side), then 3, and 2 from 2.5 times that
    (10,000 a side), so that voxel-scale problems pay two extra path solves, not five."""
    pairs = nx * ny
    if pairs <= LARGE_PROBLEM:
        return n_folds
    return min(n_folds, 3 if pairs <= 2.5 * LARGE_PROBLEM else 2)


def held_out_factors(z: np.ndarray) -> np.ndarray:
    """Held-out responses (stimuli x units) prepared for the gain exactly as the correlation
    cost prepares units (the core's ``unit_factors``): each unit centred and scaled to unit
    norm, a constant unit a zero row. Units x stimuli, C-contiguous."""
    return _core.unit_factors(np.ascontiguousarray(z, dtype=np.float64), "correlation")


def _linear_weights(knots: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """``W`` (``len(grid) x len(knots)``) with ``f(grid) = W f(knots)`` for every ``f``
    linear between consecutive ``knots`` (increasing, spanning ``grid``)."""
    k = np.clip(np.searchsorted(knots, grid, side="right") - 1, 0, len(knots) - 2)
    t = (grid - knots[k]) / (knots[k + 1] - knots[k])
    w = np.zeros((len(grid), len(knots)))
    rows = np.arange(len(grid))
    w[rows, k] = 1.0 - t
    w[rows, k + 1] = t
    return w


#: Knots (augmentation ends) up to which a fold's Gram matrix is taken at the knots, not at
#: the grid's 201 masses: see :func:`_grid_gram`.
KNOT_GRAM = 160


def _grid_gram(path: _core.MassPath, zx: np.ndarray, zy: np.ndarray) -> np.ndarray:
    """``Q Qᵀ`` for ``Q[j] = vec(zxᵀ T(s_j) zy)`` over :data:`GRID`. ``Q`` is linear in ``s``
    between the ends of the path's augmentations, so where the path has fewer of them than
    :data:`KNOT_GRAM` the product is taken at those ends and carried to the grid
    (``W (Qk Qkᵀ) Wᵀ``): on small populations (30 units, 60 held-out stimuli) the grid's
    product was half of a pair's ``s="auto"`` time."""
    knots = np.concatenate([[0.0], path.augmentation_ends()])
    if len(knots) - 1 < KNOT_GRAM and knots[-1] >= GRID[-1]:
        qk = path.project(zx, zy, knots).reshape(len(knots), -1)
        w = _linear_weights(knots, GRID)
        return w @ (qk @ qk.T) @ w.T
    q = path.project(zx, zy, GRID).reshape(len(GRID), -1)
    return q @ q.T


def _fold_gain_and_variance(
    path: _core.MassPath, zx: np.ndarray, zy: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """One fold's gain ``e_f`` on :data:`GRID` and its permutation variance matrix
    ``V[i, j] = Var(e_f(s_j) - e_f(s_i))``."""
    n = zx.shape[1]
    gain = path.inner(zx, zy, GRID)
    if n > SKETCH:
        # E‖Sx A Syᵀ‖² = ‖A‖² for independent Gaussian sketches with variance 1/SKETCH.
        rng = np.random.default_rng(seed)
        sx = rng.standard_normal((n, SKETCH)) / np.sqrt(SKETCH)
        sy = rng.standard_normal((n, SKETCH)) / np.sqrt(SKETCH)
        zx, zy = np.ascontiguousarray(zx @ sx), np.ascontiguousarray(zy @ sy)
    gram = _grid_gram(path, zx, zy)
    d = np.diag(gram)
    var = np.maximum(d[:, None] + d[None, :] - 2.0 * gram, 0.0) / max(n - 1, 1)
    return gain, var


def _corners(gains: np.ndarray, sd: np.ndarray, z: float) -> np.ndarray:
    """For each gain curve (rows of ``gains``), the grid index of the smallest mass after
    which no rise exceeds ``z · sd`` (in the core: each curve stops at its first rise, without
    the GIL; in numpy, ``argmin(any((e[j] - e[i] > z sd[i, j] + 1e-12) & (j > i), axis=1))``,
    which took a third of a small pair's share estimate)."""
    c = np.ascontiguousarray
    return _core.held_out_corners(c(gains, dtype=np.float64), c(sd, dtype=np.float64), z)


def _whole_units(s: np.ndarray | float, units: int) -> Any:
    """Masses on the grid rounded to whole units of the larger population (``k / units``):
    within half a grid step, and how a share of units is counted."""
    return np.round(np.asarray(s) * units) / units


def identical_mass(path: _core.MassPath) -> float:
    """The mass the in-sample path carries at zero cost: units with an identical counterpart
    (cost exactly 0, up to rounding, on every stimulus)."""
    ks, kv = path.breakpoints()
    zero = kv <= 1e-9 * np.maximum(ks, 1e-300)
    return float(ks[zero].max()) if zero.any() else 0.0


def estimate_share(
    paths: list[_core.MassPath],
    held_out: list[tuple[np.ndarray, np.ndarray]],
    n_folds: int,
    z: float = Z,
    identical: float = 0.0,
) -> ShareEstimate:
    """The share estimate from fold paths solved to ``s = 1`` on the training stimuli and the
    matching held-out factors ``(Zxᵀ, Zyᵀ)`` from :func:`held_out_factors`. ``identical`` is
    the mass with an identical counterpart (:func:`identical_mass`), a floor for ``s0`` and
    its interval (:func:`floored`: the estimate can be made before it is known)."""
    stats = [
        _fold_gain_and_variance(p, zx, zy, _SEED + f)
        for f, (p, (zx, zy)) in enumerate(zip(paths, held_out))
    ]
    # The folds' means, summed in fold order (np.mean's bits, without stacking the folds'
    # 201 x 201 matrices into one array first: a millisecond a pair).
    gain = sum((s[0] for s in stats[1:]), stats[0][0]) / len(stats)
    sd = sum((np.sqrt(s[1]) for s in stats[1:]), np.sqrt(stats[0][1])) / len(stats)
    units = max(held_out[0][0].shape[0], held_out[0][1].shape[0])
    s0 = float(_whole_units(GRID[_corners(gain[None, :], sd, z)[0]], units))
    # Perturbed curves: Cov(E(s), E(t)) = (V(0, s) + V(0, t) - V(s, t)) / 2, scaled.
    v0 = sd[0] ** 2
    cov = _BOOT_SCALE * (v0[:, None] + v0[None, :] - sd**2) / 2.0
    w, u = np.linalg.eigh(cov)
    factor = u * np.sqrt(np.clip(w, 0.0, None))
    noise = np.random.default_rng(_SEED).standard_normal((_N_BOOT, len(GRID))) @ factor.T
    boot = _whole_units(GRID[_corners(gain[None, :] + noise, sd, z)], units)
    lo = float(np.percentile(boot, 5.0, method="lower"))
    hi = float(np.percentile(boot, 95.0, method="higher"))
    lo, hi = min(lo, s0), max(hi, s0)
    gain_sd = sd[0].copy()
    for a in (gain, gain_sd):
        a.setflags(write=False)
    share = ShareEstimate(
        s0=s0,
        interval=(lo, hi),
        identifiable=hi - lo <= CLEAR_WIDTH,
        grid=GRID,
        gain=gain,
        gain_sd=gain_sd,
        folds=len(paths),
        n_folds=n_folds,
        z=z,
    )
    return floored(share, identical)


def floored(share: ShareEstimate, identical: float) -> ShareEstimate:
    """``share`` with the mass ``identical`` (:func:`identical_mass`) as a floor for ``s0``
    and its interval. Flooring ``s0`` and every perturbed curve's corner before taking the
    interval's percentiles (order statistics) and widening it to ``s0`` gives the same
    numbers, since ``max(., c)`` commutes with order statistics, ``min`` and ``max``."""
    if identical <= 0.0:
        return share
    lo, hi = (max(v, identical) for v in share.interval)
    return dataclasses.replace(
        share,
        s0=max(share.s0, identical),
        interval=(lo, hi),
        identifiable=hi - lo <= CLEAR_WIDTH,
    )
