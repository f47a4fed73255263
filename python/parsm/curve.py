"""The L-curve of partial soft matching: the cost against the matched mass, and its elbow."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core, _path_cache
from ._folds import kfold
from ._progress import Callback, Progress
from ._validation import as_n_threads, as_populations
from .crossval import fold_costs, train_cost
from .matching import _check_metric, as_float64, cost_matrix
from .results import LCurve, ShareEstimate
from .share import (
    ShareWarning,
    estimate_share,
    floored,
    folds_used,
    held_out_factors,
    identical_mass,
    share_folds,
)

__all__ = [
    "LCurve",
    "lcurve",
    "ELBOW_RULES",
    "DEFAULT_ELBOW",
    "mass_grid",
    "find_elbow",
    "elbow_knots",
    "check_elbow",
]

#: The elbow rules :func:`lcurve` offers.
ELBOW_RULES = ("heldout", "plateau", "paper", "notebook")
#: The rule used when none is given.
DEFAULT_ELBOW = "heldout"
_METHODS = ("path", "simplex")


def check_elbow(elbow: str) -> str:
    """``elbow`` if it names a rule of :data:`ELBOW_RULES`, else a ``ValueError``."""
    if elbow not in ELBOW_RULES:
        raise ValueError(f"elbow must be one of {ELBOW_RULES}; got {elbow!r}.")
    return elbow


def mass_grid(s: int | npt.ArrayLike = 200) -> np.ndarray:
    """The mass grid: ``linspace(0, 0.999, s)`` for an int (as the authors use), or ``s``
    itself, which must be increasing and within [0, 1]."""
    if isinstance(s, (int, np.integer)) and not isinstance(s, bool):
        if s < 3:
            raise ValueError(f"the grid needs at least 3 points to find an elbow; got s = {s}.")
        return np.linspace(0.0, 0.999, int(s))
    grid = np.asarray(s, dtype=np.float64)
    if grid.ndim != 1 or grid.size < 3:
        raise ValueError("s must be an int (number of grid points) or a 1-D array of >= 3 masses.")
    if not np.all(np.isfinite(grid)) or grid.min() < 0 or grid.max() > 1:
        raise ValueError("every mass in s must be within [0, 1].")
    if np.any(np.diff(grid) <= 0):
        raise ValueError("the masses in s must be strictly increasing.")
    return np.ascontiguousarray(grid)


def find_elbow(
    grid: np.ndarray,
    curve: np.ndarray,
    knots: tuple[np.ndarray, np.ndarray],
    elbow: str = DEFAULT_ELBOW,
) -> tuple[float, int | None]:
    """The elbow ``s0`` of a cost curve by rule ``elbow``, and its grid index.

    ``"plateau"`` works on ``knots`` (the breakpoints of the in-sample ζ, or the grid and the
    in-sample curve) and returns ``(s0, None)``; when the curve has too few pieces for its fit,
    and for the other rules, the elbow is a grid point of ``curve`` and its index is returned.
    """
    c = np.ascontiguousarray
    s0, idx = _core.elbow(elbow, c(grid), c(curve), c(knots[0]), c(knots[1]))
    return float(s0), idx


def elbow_knots(problem: Any, s_max: float) -> tuple[np.ndarray, np.ndarray]:
    """The breakpoints of ζ up to ``s_max`` (the grid's end) for the plateau rule: those of a
    path solved only up to ``s_max``, taken from a path solved further (to 1). The core does
    the rounding of the end to a whole flow unit (``MassPath.breakpoints_to``)."""
    return problem.breakpoints_to(float(s_max))


def _simplex_curve(
    c_fit: np.ndarray,
    c_eval: np.ndarray,
    grid: np.ndarray,
    *,
    n_threads: int | None,
    progress: Progress,
) -> np.ndarray:
    """The cost on ``c_eval`` of the network-simplex plans fit on ``c_fit`` at every mass of
    ``grid`` (``method="simplex"``, the cross-check of the path), in parallel."""
    out = np.empty(len(grid))
    other = None if c_eval is c_fit else c_eval
    for chunk in np.array_split(np.arange(len(grid)), _SIMPLEX_CHUNKS):
        if len(chunk):
            costs, others = _core.partial_sweep(
                as_float64(c_fit),
                grid[chunk],
                None if other is None else as_float64(other),
                n_threads,
                progress.within(),
            )
            out[chunk] = costs if other is None else others
    progress.advance()
    return out


def solved(x: np.ndarray, y: np.ndarray, c: np.ndarray, metric: str, bar: Progress) -> Any:
    """The :class:`parsm._core.Problem` of ``c`` (the cost matrix of ``x`` and ``y``) with its
    in-sample mass path to s = 1; the path is reused when the last one solved was for the same
    data (see :mod:`parsm._path_cache`, which keeps paths, never cost matrices)."""
    key = _path_cache.key(x, y, metric, c.dtype.name)
    path = _path_cache.get(key)
    if path is None:
        problem = _core.Problem(c, metric, 1.0, bar.step())
        _path_cache.put(key, problem.path)
        return problem
    bar.advance()
    return _core.Problem.with_path(c, metric, path)


def lcurve(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    s: int | npt.ArrayLike = 200,
    metric: str = "correlation",
    *,
    method: str = "path",
    cv: int | None = None,
    elbow: str = DEFAULT_ELBOW,
    n_threads: int | None = None,
    progress: bool | None = None,
    dtype: str = "float64",
) -> LCurve:
    """The L-curve of partial soft matching and its elbow ``s0``.

    The authors re-solve partial transport at every grid point, one after another. parsm
    computes the exact optimal cost ζ(s) for all ``s`` at once from one path solve
    (``method="path"``), or runs the network simplex at every grid point in parallel
    (``method="simplex"``, a cross-check).

    In plain words: every unit carries an equal share of its population's **mass**
    (``1/Nx`` or ``1/Ny``); the **plan** says how much of each unit's mass goes to each unit of
    the other population; and ``s`` is the share of the mass, equally weighted, that gets a
    partner (``s = 0.6``: 60 % of the units' weight is matched, the rest left out).

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        Responses (stimuli x units).
    s : int or array_like, default 200
        Number of grid points on ``linspace(0, 0.999, s)`` (the authors' grid), or the masses.
    metric : str, default "correlation"
        The unit-to-unit cost (see :func:`parsm.cost_matrix`).
    method : {"path", "simplex"}, default "path"
        How the curve is computed. Both are exact.
    cv : int, optional
        Cross-validate over stimuli with this many folds, as the paper does: plans are fit on
        the training stimuli and costed on the held-out ones; curves are averaged over folds.
    elbow : {"heldout", "plateau", "paper", "notebook"}, default "heldout"
        How ``s0``, the share of mass with a counterpart, is chosen. ``"heldout"`` (parsm's
        default, see :mod:`parsm.share`): plans are fit on training folds of stimuli, and
        ``s0`` is the smallest mass after which their correlation on the held-out stimuli
        stops rising significantly beyond chance (calibrated by the exact stimulus-permutation
        variance). It can answer 0 (no shared mass beyond chance) and 1 (a copy of X gives
        exactly 1), comes with a 90 % interval (``s0_interval``) and warns
        (:class:`parsm.ShareWarning`) when the curve has no clear corner. It costs one path
        solve per fold (5 folds, or ``cv``; 2-3 above about 6,300 units a side) on top of the
        in-sample one, in parallel. The in-sample rules read the curve itself and find a
        corner even where there is none (0.97 on pure noise): ``"paper"``, argmax of the
        absolute second difference, as the paper states; ``"notebook"``, what the authors'
        notebooks run (``np.gradient`` twice, argmax, plus one), the only one that
        reproduces the paper's model-selection numbers, and fragile; ``"plateau"``, the
        exact breakpoint where a ramp-then-plateau fit of the slopes of ζ breaks (parsm's
        earlier default). ``benches/share_estimation.py`` compares them.
    n_threads : int, optional
        Threads for the cost matrices and the simplex sweep; results do not depend on it.
    progress : bool, optional
        Show a progress bar on stderr for long runs; default: only on a terminal (never with
        ``PARSM_PROGRESS=0``). Ctrl-C stops the computation within a second either way.
    dtype : {"float64", "float32"}, default "float64"
        Storage of the cost matrices (see :func:`parsm.cost_matrix`). ``"float32"`` halves
        the memory and speeds up the path; the curve is exact for the float32 costs.

    Returns
    -------
    LCurve
    """
    metric = _check_metric(metric)
    if method not in _METHODS:
        raise ValueError(f"method must be 'path' or 'simplex'; got {method!r}.")
    check_elbow(elbow)
    grid = mass_grid(s)
    x, y = as_populations(X, Y)
    n_threads = as_n_threads(n_threads)
    c = cost_matrix(x, y, metric, n_threads=n_threads, dtype=dtype)
    return lcurve_on(
        x,
        y,
        c,
        grid,
        metric=metric,
        method=method,
        cv=cv,
        elbow=elbow,
        n_threads=n_threads,
        progress=progress,
    )[0]


#: How many parallel simplex sweeps ``method="simplex"`` splits the grid into.
_SIMPLEX_CHUNKS = 20


def lcurve_on(
    x: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    grid: np.ndarray,
    *,
    metric: str,
    method: str = "path",
    cv: int | None = None,
    elbow: str = DEFAULT_ELBOW,
    n_threads: int | None = None,
    progress: bool | None = None,
    warn: bool = True,
    into: Callback | None = None,
) -> tuple[LCurve, Any]:
    """:func:`lcurve` on validated inputs and their cost matrix ``c``; also returns the
    solved :class:`parsm._core.Problem` (None for ``method="simplex"``), so that callers can
    take exact plans and rankings from the same solve. ``warn=False`` leaves the
    :class:`ShareWarning` to the caller (``lcurve_.s0_identifiable`` says it). ``into`` takes
    the progress instead of a bar of its own (see :class:`parsm._progress.Progress`)."""
    heldout = elbow == "heldout"
    n_folds = cv if cv is not None else (share_folds(x.shape[0]) if heldout else None)
    splits = kfold(x.shape[0], n_folds) if n_folds is not None else []
    # Steps: the in-sample curve; with cv the folds' cost matrices and their curves; for the
    # held-out share (without a path cv to reuse) the folds' training costs and paths.
    reuse = cv is not None and method == "path"
    n_steps = 1 + (0 if cv is None else (1 if method == "path" else cv) + 1)
    n_steps += 2 if heldout and not reuse else 0
    fold_s_max = 1.0 if heldout else float(grid.max())
    with Progress("parsm lcurve", n_steps, progress, into=into) as bar:
        # The in-sample path goes to s = 1, so callers can also take soft matching from it.
        if method == "path":
            problem = solved(x, y, c, metric, bar)
            full = problem.curve(grid)
        else:
            full = _simplex_curve(c, c, grid, n_threads=n_threads, progress=bar)
            problem = None
        folds: list[tuple[np.ndarray, Any, np.ndarray, np.ndarray]] = []
        if cv is not None:
            pairs = list(fold_costs(x, y, cv, metric, n_threads=n_threads, dtype=c.dtype.name))
            bar.advance()
            if method == "path":
                # The folds' paths are independent: solve them in parallel, then cost each
                # plan on its held-out stimuli.
                fold_paths = _core.mass_paths(
                    [p[0] for p in pairs], fold_s_max, n_threads, bar.step()
                )
                for (c_train, c_test), fold_path in zip(pairs, fold_paths):
                    folds.append((fold_path.evaluate(c_test, grid), fold_path, c_train, c_test))
            else:
                for c_train, c_test in pairs:
                    curve = _simplex_curve(c_train, c_test, grid, n_threads=n_threads, progress=bar)
                    folds.append((curve, None, c_train, c_test))
            cost = np.mean([f[0] for f in folds], axis=0)
        else:
            cost = full
        share = None
        if heldout:
            share = _share(
                x,
                y,
                c,
                metric=metric,
                path=None if problem is None else problem.path,
                splits=splits,
                cv_folds=folds if reuse else None,
                n_threads=n_threads,
                bar=bar,
            )

    breakpoints = elbow_knots(problem, float(grid.max())) if problem is not None else None
    if share is not None:
        s0, idx = share.s0, None
    elif problem is not None:  # the in-sample rules, on the (cross-validated) curve
        s0, idx = problem.elbow(elbow, grid, np.ascontiguousarray(cost))
    else:
        s0, idx = find_elbow(grid, cost, (grid, full), elbow)
    if idx is None:  # s0 lies between grid points (an exact knot, or the held-out share)
        idx = int(np.argmin(np.abs(grid - s0)))
        cost_s0 = _cost_at(s0, c, problem, folds, n_threads)
    else:
        cost_s0 = float(cost[idx])
    curvature = np.full(len(grid), np.nan)
    curvature[1:-1] = cost[2:] - 2 * cost[1:-1] + cost[:-2]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_corr = np.where(grid > 0, (grid - cost) / grid, np.nan)
    if metric not in ("correlation", "cosine"):
        mean_corr = np.full(len(grid), np.nan)
    arrays = [grid, cost, 1.0 - cost, mean_corr, curvature]
    for a in arrays:
        a.setflags(write=False)
    lc = LCurve(
        s=grid,
        cost=cost,
        score=arrays[2],
        mean_correlation=mean_corr,
        curvature=curvature,
        elbow=elbow,
        elbow_index=idx,
        s0=s0,
        cost_s0=cost_s0,
        score_s0=1.0 - cost_s0,
        unmatched_mass=1.0 - s0,
        breakpoints=breakpoints,
        metric=metric,
        method=method,
        cv=cv,
        s0_interval=None if share is None else share.interval,
        s0_identifiable=None if share is None else share.identifiable,
        share=share,
    )
    if warn and share is not None and not share.identifiable:
        lo, hi = share.interval
        warnings.warn(
            f"the held-out gain curve has no clear corner: s0 = {s0:.3f}, 90% interval "
            f"[{lo:.3f}, {hi:.3f}]. Report the interval; more stimuli narrow it.",
            ShareWarning,
            stacklevel=3,
        )
    return lc, problem


def _share(
    x: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    *,
    metric: str,
    path: Any,
    splits: list[tuple[np.ndarray, np.ndarray]],
    cv_folds: list | None,
    n_threads: int | None,
    bar: Progress,
) -> ShareEstimate:
    """The held-out share estimate on ``splits``: from the cross-validation folds' paths when
    ``cv_folds`` has them, else from training paths solved here (fewer folds at voxel scale),
    and kept beside the in-sample path so that ``rank_units`` after ``lcurve`` reuses it."""
    if cv_folds is not None:
        paths, used = [f[1] for f in cv_folds], splits
        key = None
    else:
        used = splits[: folds_used(c.shape[0], c.shape[1], len(splits))]
        # Estimates are kept beside a kept in-sample path only. Without one (``share_on``, for
        # ``pairwise``, which solves each pair once) hashing the data to look for one cost
        # about 1 % of a pair and found nothing.
        key = None if path is None else _path_cache.key(x, y, metric, c.dtype.name)
        cached = None if key is None else _path_cache.get_share(key, len(splits))
        if cached is not None:
            bar.advance(2)
            return cached
        train = [
            train_cost(x, y, tr, metric, n_threads=n_threads, dtype=c.dtype.name) for tr, _ in used
        ]
        bar.advance()
        paths = _core.mass_paths(train, 1.0, n_threads, bar.step())
        del train
    factors = [(held_out_factors(x[te]), held_out_factors(y[te])) for _, te in used]
    exact = identical_mass(path) if path is not None else 0.0
    share = estimate_share(paths, factors, len(splits), identical=exact)
    if key is not None:
        _path_cache.put_share(key, len(splits), share)
    return share


def share_on(
    x: np.ndarray,
    y: np.ndarray,
    c: np.ndarray,
    *,
    metric: str,
    n_threads: int | None,
    into: Callback | None = None,
) -> tuple[ShareEstimate, Any]:
    """The held-out share estimate of ``x`` and ``y`` (cost matrix ``c``), the same as
    :func:`lcurve_on` gives, and the :class:`parsm._core.Problem` of ``c`` with its in-sample
    path solved only as far as the estimate needs: to ``s0``, or to 1 where the mass matched at
    zero cost (:func:`identical_mass`, a floor for ``s0``) reaches that far. What
    :func:`parsm.pairwise` needs with ``s="auto"``: the path's tail to s = 1, most of a path's
    time on rectangular problems, is left out, and soft matching comes from the balanced
    solver instead (the same optimum, to rounding). ``into`` takes its progress (see
    :class:`parsm._progress.Progress`)."""
    splits = kfold(x.shape[0], share_folds(x.shape[0]))
    with Progress("parsm share", 3, False, into=into) as bar:
        raw = _share(
            x,
            y,
            c,
            metric=metric,
            path=None,
            splits=splits,
            cv_folds=None,
            n_threads=n_threads,
            bar=bar,
        )
        # One unit's mass beyond s0: enough to see whether the mass matched at zero cost ends
        # by s0 (and, at s0 = 0, whether there is any).
        reach = min(raw.s0 + 1.0 / max(c.shape), 1.0)
        problem = _core.Problem(c, metric, reach, bar.step())
        exact = identical_mass(problem.path)
        if exact >= problem.s_max and problem.s_max < 1.0:
            # Everything solved so far was free: the identical mass may reach further.
            problem = _core.Problem(c, metric, 1.0, bar.step())
            exact = identical_mass(problem.path)
    return floored(raw, exact), problem


def _cost_at(s0: float, c: np.ndarray, problem: Any, folds: list, n_threads: int | None) -> float:
    """The (cross-validated) cost at exactly ``s0``: from the solved problem (or the folds'
    paths), else by the simplex at ``s0``."""
    at = np.array([s0])
    if not folds:
        if problem is not None:
            return float(problem.cost_at(s0))
        return float(_core.partial_sweep(as_float64(c), at, None, n_threads)[0][0])
    vals = []
    for _curve_vals, fold_path, c_train, c_test in folds:
        if fold_path is not None and s0 <= fold_path.s_max:
            vals.append(float(fold_path.evaluate(c_test, at)[0]))
        else:
            sweep = _core.partial_sweep(as_float64(c_train), at, as_float64(c_test), n_threads)
            vals.append(float(sweep[1][0]))
    return float(np.mean(vals))
