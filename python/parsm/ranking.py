"""Ranking the units of two populations by how well they align, and checking a ranking by
keeping its top units."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._progress import Progress, active
from ._validation import as_mass_or_auto, as_n_threads, as_populations, columns_of
from .curve import lcurve_on, mass_grid, solved
from .matching import _check_metric, cost_matrix
from .results import (
    MATCH_TOL,
    KeepCurve,
    Pair,
    UnitRanking,
    UnitSelection,
)

__all__ = [
    "RANK_METHODS",
    "UnitRanking",
    "UnitSelection",
    "KeepCurve",
    "rank_units",
    "keep_score_curve",
    "labels_of",
]

#: The ranking methods :func:`rank_units` offers.
RANK_METHODS = ("path", "plan", "bruteforce", "correlation")


def labels_of(labels: Sequence[Any] | None, n: int, name: str) -> np.ndarray:
    """The unit labels as a read-only array, or the positional indices when none are given."""
    if labels is None:
        out = np.arange(n)
    else:
        out = np.asarray(labels)
        if out.ndim != 1 or len(out) != n:
            raise ValueError(
                f"{name} must hold one label per unit ({n}); got shape {np.shape(labels)}."
            )
    out.setflags(write=False)
    return out


def _order(primary: np.ndarray, secondary: np.ndarray | None = None) -> np.ndarray:
    """Indices sorted by ``primary`` then ``secondary`` then index, ascending."""
    keys: list[np.ndarray] = [np.arange(len(primary))]
    if secondary is not None:
        keys.append(secondary)
    keys.append(primary)
    return np.lexsort(keys)


def _pearson_columns(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson r between matching columns of ``a`` and ``b`` (0 where one is constant)."""
    a = a - a.mean(axis=0)
    b = b - b.mean(axis=0)
    num = (a * b).sum(axis=0)
    den = np.sqrt((a * a).sum(axis=0) * (b * b).sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(den > 0, num / den, 0.0)


def rank_units(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    s: float | str = "auto",
    metric: str = "correlation",
    *,
    method: str = "path",
    labels_x: Sequence[Any] | None = None,
    labels_y: Sequence[Any] | None = None,
    n_threads: int | None = None,
    progress: bool | None = None,
    dtype: str = "float64",
) -> UnitRanking:
    """Rank the units of ``X`` and ``Y`` from best to worst aligned.

    Mass, plan and ``s`` in plain words: see :func:`parsm.partial_soft_match`.

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        Responses (stimuli x units).
    s : float in [0, 1] or "auto", default "auto"
        The mass at which units are called matched (``matched_x``, ``matched_y``) and at which
        the ``"plan"`` method takes its plan. ``"auto"`` is the elbow ``s0`` of the exact
        L-curve with the default rule (as :func:`parsm.lcurve` finds it).
    metric : str, default "correlation"
        The unit-to-unit cost (see :func:`parsm.cost_matrix`).
    method : {"path", "plan", "bruteforce", "correlation"}, default "path"
        - ``"path"``: a complete ranking from one exact mass-path solve. Units that enter the
          optimal partial matching at a lower mass come first. The order is nested: the top-k
          units of a side are exactly the units matched at some mass.
        - ``"plan"``: the paper's single-plan partition at ``s``: units sorted by the fraction
          of their capacity the optimal plan at ``s`` uses (matched above ``MATCH_TOL``); ties
          (fully matched or unmatched units) are broken by the mean cost of the unit's matched
          mass, then by its cheapest cost to the other side.
        - ``"bruteforce"``: the paper's gold standard. Remove each unit, re-solve balanced soft
          matching, and rank by the score change (the most harmful removal first). Exact and
          parallel over the removed units. When ``Nx == Ny`` every removal is solved by one
          shortest-path computation from the full optimum (an O(n^2) warm re-solve); otherwise
          it costs ``Nx + Ny`` network-simplex solves.
        - ``"correlation"``: the paper's failing baseline, kept so it can be compared: map X
          through the balanced plan (``X @ T``), and rank each unit of Y by its Pearson r with
          its mapped counterpart (and each unit of X likewise through ``Y @ T.T``).
    labels_x, labels_y : sequence, optional
        One label per unit (voxel ids, channel names), carried into the result.
    n_threads : int, optional
        Threads for the cost matrix and the brute force; results do not depend on it.
    progress : bool, optional
        Show a progress bar on stderr for long runs; default: only on a terminal (never with
        ``PARSM_PROGRESS=0``). Ctrl-C stops the computation within a second either way.
    dtype : {"float64", "float32"}, default "float64"
        Storage of the cost matrix (see :func:`parsm.cost_matrix`): ``"float32"`` halves the
        memory of voxel-scale problems; the ranking is exact for the float32 costs.

    Returns
    -------
    UnitRanking
        Orders, per-unit values, entry masses and matched masks for both sides.

    Examples
    --------
    >>> import numpy as np, parsm
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = np.hstack([X[:, :20] + 0.5 * rng.standard_normal((100, 20)),
    ...                rng.standard_normal((100, 10))])
    >>> r = parsm.rank_units(X, Y, s=2 / 3)
    >>> bool(set(r.top(20).y) == set(range(20)))
    True
    """
    metric = _check_metric(metric)
    if method not in RANK_METHODS:
        raise ValueError(f"method must be one of {RANK_METHODS}; got {method!r}.")
    s = as_mass_or_auto(s)
    x, y = as_populations(X, Y)
    nx, ny = x.shape[1], y.shape[1]
    lab_x = labels_of(columns_of(X) if labels_x is None else labels_x, nx, "labels_x")
    lab_y = labels_of(columns_of(Y) if labels_y is None else labels_y, ny, "labels_y")
    n_threads = as_n_threads(n_threads)
    with Progress("parsm rank_units", 2 + (method == "bruteforce"), progress) as bar:
        c = cost_matrix(x, y, metric, n_threads=n_threads, dtype=dtype)
        bar.advance()
        if s == "auto":  # the elbow of the exact L-curve, whose path to s = 1 is reused below
            lc, problem = lcurve_on(
                x, y, c, mass_grid(200), metric=metric, n_threads=n_threads, progress=progress
            )
            bar.advance()
            s = lc.s0
        else:
            problem = solved(x, y, c, metric, bar)
        return rank_on(
            Pair(x, y, problem),
            float(s),
            method=method,
            labels=(lab_x, lab_y),
            n_threads=n_threads,
        )


def rank_on(
    pair: Pair,
    s: float,
    *,
    method: str = "path",
    labels: tuple[np.ndarray, np.ndarray],
    n_threads: int | None = None,
) -> UnitRanking:
    """:func:`rank_units` on a solved pair (validated ``x``, ``y`` and the
    :class:`parsm._core.Problem` of their cost matrix, its path solved to s = 1), at ``s``."""
    x, y, problem = pair.x, pair.y, pair.problem
    lab_x, lab_y = labels
    nx, ny = problem.shape
    mass_x, mass_y = problem.masses_at(s)  # no dense plan: Nx x Ny floats do not fit at voxel scale
    frac_x = mass_x * nx
    frac_y = mass_y * ny
    entry_x, full_x, entry_y, full_y = problem.unit_masses()

    if method in ("path", "plan"):  # the core orders them (parsm_core::ranking)
        order_x, order_y, values_x, values_y = problem.ranking(method, s)
    elif method == "bruteforce":
        bar = active()
        values_x, values_y = problem.ablation_deltas(n_threads, bar and bar.step())
        order_x, order_y = _order(values_x), _order(values_y)
    else:
        t = problem.plan_at(1.0)  # the balanced soft-matching plan, from the same solve
        values_y = _pearson_columns(x @ t, y)
        values_x = _pearson_columns(y @ t.T, x)
        order_x, order_y = _order(-values_x), _order(-values_y)

    rank_x = np.empty(nx, dtype=np.intp)
    rank_x[order_x] = np.arange(nx)
    rank_y = np.empty(ny, dtype=np.intp)
    rank_y[order_y] = np.arange(ny)
    arrays = dict(
        order_x=order_x.astype(np.intp),
        order_y=order_y.astype(np.intp),
        rank_x=rank_x,
        rank_y=rank_y,
        values_x=np.asarray(values_x, dtype=np.float64),
        values_y=np.asarray(values_y, dtype=np.float64),
        entry_mass_x=entry_x,
        entry_mass_y=entry_y,
        full_mass_x=full_x,
        full_mass_y=full_y,
        matched_x=frac_x > MATCH_TOL,
        matched_y=frac_y > MATCH_TOL,
    )
    for a in arrays.values():
        a.setflags(write=False)
    return UnitRanking(
        method=method, metric=pair.metric, s=s, labels_x=lab_x, labels_y=lab_y, **arrays
    )


def keep_score_curve(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    ranking: UnitRanking,
    fractions: npt.ArrayLike | None = None,
    *,
    n_threads: int | None = None,
) -> KeepCurve:
    """Keep the top fraction of each side's ranking, refit soft matching, and report the score.

    This is the paper's Fig. 5/6 comparison of rankings: a good ranking keeps the score high
    as units are dropped. Balanced soft matching is refit on the kept units with uniform
    marginals, one exact solve per fraction, in parallel.

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        The responses the ranking was computed on.
    ranking : UnitRanking
        From :func:`rank_units`.
    fractions : array_like of float in (0, 1], optional
        Fractions of each side to keep; default ``0.1, 0.2, ..., 1.0``. Each keeps
        ``round(f * N)`` units (at least one) of a side.
    n_threads : int, optional
        Threads for the cost matrix and the solves.

    Returns
    -------
    KeepCurve
    """
    if not isinstance(ranking, UnitRanking):
        raise TypeError(f"ranking must be a UnitRanking from parsm.rank_units; got {ranking!r}.")
    if fractions is None:
        fr = np.round(np.linspace(0.1, 1.0, 10), 10)
    else:
        fr = np.array(fractions, dtype=np.float64, ndmin=1)
        if fr.ndim != 1 or fr.size == 0:
            raise ValueError("fractions must be a non-empty 1-D sequence of floats in (0, 1].")
        if not np.all(np.isfinite(fr)) or fr.min() <= 0 or fr.max() > 1:
            raise ValueError("every fraction must be within (0, 1]; 0.1 keeps the top 10 %.")
    x, y = as_populations(X, Y)
    if (x.shape[1], y.shape[1]) != ranking.shape:
        raise ValueError(
            f"the ranking is for {ranking.shape[0]} x {ranking.shape[1]} units but X and Y "
            f"have {x.shape[1]} and {y.shape[1]}; pass the arrays the ranking was computed on."
        )
    n_threads = as_n_threads(n_threads)
    c = cost_matrix(x, y, ranking.metric, n_threads=n_threads)
    counts = [ranking.counts(float(f)) for f in fr]
    subsets = [(ranking.order_x[:kx].tolist(), ranking.order_y[:ky].tolist()) for kx, ky in counts]
    costs = _core.subset_costs(c, subsets, n_threads)
    n_x = np.array([k[0] for k in counts])
    n_y = np.array([k[1] for k in counts])
    for a in (fr, n_x, n_y, costs):
        a.setflags(write=False)
    score = 1.0 - costs
    score.setflags(write=False)
    return KeepCurve(
        fractions=fr, score=score, n_x=n_x, n_y=n_y, method=ranking.method, metric=ranking.metric
    )
