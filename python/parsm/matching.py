"""Partial and balanced soft matching between two populations: parsm's main entry points."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _core
from ._progress import one_call
from ._validation import as_fraction, as_n_threads, as_populations
from .results import PartialMatch

__all__ = [
    "cost_matrix",
    "partial_soft_match",
    "soft_match",
    "match_on",
    "soft_match_of",
    "METRICS",
]

#: The unit-to-unit costs parsm computes (names as in ``scipy.spatial.distance.cdist``).
#: The metrics the Rust core computes (its ``Metric`` enum), the default first.
METRICS: tuple[str, ...] = tuple(_core.METRICS)


def _check_metric(metric: str) -> str:
    if not isinstance(metric, str) or metric not in METRICS:
        raise ValueError(f"unknown metric {metric!r}; use one of {', '.join(map(repr, METRICS))}.")
    return metric


def cost_matrix(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    metric: str = "correlation",
    *,
    n_threads: int | None = None,
    dtype: str = "float64",
    constant_units: str = "reject",
) -> np.ndarray:
    """Cost between every unit of ``X`` and every unit of ``Y``.

    Parameters
    ----------
    X : array_like of shape (M, Nx)
        Responses of the first population: M stimuli (rows) by Nx units (columns).
    Y : array_like of shape (M, Ny)
        Responses of the second population to the same M stimuli.
    metric : {"correlation", "cosine", "sqeuclidean", "euclidean"}, default "correlation"
        ``correlation`` is ``1 - Pearson r`` over stimuli, the paper's cost (the authors centre
        each unit and take ``1 - cosine``). ``cosine`` is ``1 - cosine`` of the raw curves.
    n_threads : int, optional
        Threads to use; default all cores (or ``RAYON_NUM_THREADS``). The result does not
        depend on it.
    dtype : {"float64", "float32"}, default "float64"
        How the matrix is stored. ``"float32"`` halves its memory (1.6 GB instead of 3.2 GB at
        20,000 units a side) and the path solver's memory traffic; each entry is computed in
        float64 and rounded once (relative error below 6e-8). Solvers given a float32 matrix
        compute in float64 on the stored values, so they are exact for those values.
    constant_units : {"reject", "uncorrelated"}, default "reject"
        What to do with units whose correlation (constant units) or cosine (all-zero units) is
        undefined: raise, or give them cost 1 (correlation 0) to every unit. Cross-validation
        uses ``"uncorrelated"`` within folds, where a sparse unit can be silent by chance.

    Returns
    -------
    C : ndarray of shape (Nx, Ny)
        ``C[i, j]`` compares unit ``i`` of X with unit ``j`` of Y. Equal to
        ``scipy.spatial.distance.cdist(X.T, Y.T, metric)`` to about 1e-12, clamped at 0.

    Raises
    ------
    ValueError
        For NaN/inf, non-2-D inputs, fewer than 2 stimuli, different stimulus counts, and
        (correlation, cosine, with ``constant_units="reject"``) constant or all-zero units,
        whose indices the message lists.
    TypeError
        For non-numeric inputs.
    """
    metric = _check_metric(metric)
    x, y = as_populations(X, Y)
    dtype = as_dtype(dtype)
    with one_call("parsm cost matrix") as progress:
        return _core.cost_matrix(
            x, y, metric, as_n_threads(n_threads), progress, dtype, constant_units
        )


def as_dtype(dtype: Any) -> str:
    """The storage type name of a cost matrix: "float64" or "float32"."""
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in ("float64", "float32"):
        raise ValueError(f"dtype must be 'float64' or 'float32'; got {dtype!r}.")
    return name


def as_float64(c: np.ndarray) -> np.ndarray:
    """``c`` as float64 for the solvers that only take float64 (the network simplex): exact,
    since every float32 value is a float64 value."""
    return c if c.dtype == np.float64 else c.astype(np.float64)


def partial_soft_match(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    s: float,
    metric: str = "correlation",
    *,
    n_threads: int | None = None,
) -> PartialMatch:
    """Exact partial soft matching of mass ``s`` between the units of ``X`` and ``Y``.

    Solves ``min <C, T>`` over plans ``T >= 0`` with row sums ``<= 1/Nx``, column sums
    ``<= 1/Ny`` and total mass ``s`` (Kapoor, Williams & Khosla, ICLR 2026), exactly, by
    successive shortest paths up to ``s`` (the mass path :func:`parsm.lcurve` solves), so that
    it returns the same plan, ties included, as :func:`parsm.compare` and
    :func:`parsm.rank_units`; at ``s = 1``, as :func:`soft_match`. Unlike POT it needs no
    iteration cap, works at ``s = 1`` for every ``Nx, Ny``, and is exact for any cost values
    (``parsm.ot.partial`` keeps the network simplex, POT's algorithm).

    In plain words: every unit carries an equal share of its population's **mass**
    (``1/Nx`` or ``1/Ny``); the **plan** says how much of each unit's mass goes to each unit of
    the other population; and ``s`` is the share of the mass, equally weighted, that gets a
    partner (``s = 0.6``: 60 % of the units' weight is matched, the rest left out).

    Parameters
    ----------
    X : array_like of shape (M, Nx)
        Responses of the first population (stimuli x units).
    Y : array_like of shape (M, Ny)
        Responses of the second population to the same stimuli.
    s : float in [0, 1]
        Fraction of the mass to transport. ``s = 1`` is the balanced soft-matching distance,
        ``s = 0`` gives an all-zero plan.
    metric : {"correlation", "cosine", "sqeuclidean", "euclidean"}, default "correlation"
        The unit-to-unit cost, see :func:`cost_matrix`.
    n_threads : int, optional
        Threads for the cost matrix; default all cores. Results do not depend on it.

    Returns
    -------
    PartialMatch
        The plan with its ``cost``, the paper's ``score = 1 - cost``, the
        ``mean_correlation`` of the matched mass (comparable across ``s``), per-unit masses
        and matched masks.

    Examples
    --------
    >>> import numpy as np, parsm
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((100, 30))
    >>> Y = np.hstack([X[:, :20], rng.standard_normal((100, 10))])
    >>> m = parsm.partial_soft_match(X, Y, s=2 / 3)
    >>> bool(m.matched_y[:20].all()), int(m.matched_y[20:].sum())
    (True, 0)
    """
    metric = _check_metric(metric)
    s = as_fraction(s, "s")
    c = cost_matrix(X, Y, metric, n_threads=n_threads)
    if s == 1.0:
        return soft_match_on(c, metric)
    # The mass path up to s: the same plan, ties included, as compare, rank_units and the
    # estimators take from their path (one tie rule everywhere).
    with one_call("parsm partial_soft_match") as progress:
        problem = _core.Problem(c, metric, s, progress)
    return match_on(problem, s)


def soft_match(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    metric: str = "correlation",
    *,
    n_threads: int | None = None,
) -> PartialMatch:
    """The balanced soft-matching distance (Khosla & Williams, 2024): every unit matched.

    Same as ``partial_soft_match(X, Y, s=1.0, metric)``, solved as a balanced transport
    problem with uniform marginals ``1/Nx`` and ``1/Ny``. See :func:`partial_soft_match` for
    the parameters and :class:`PartialMatch` for the result.
    """
    metric = _check_metric(metric)
    return soft_match_on(cost_matrix(X, Y, metric, n_threads=n_threads), metric)


def soft_match_on(c: np.ndarray, metric: str) -> PartialMatch:
    """Balanced soft matching on the cost matrix ``c`` (Jonker-Volgenant when square, else the
    network simplex), as :func:`soft_match_of` gives it for a problem."""
    return soft_match_of(_core.Problem(c, metric, 0.0))


def soft_match_of(problem: Any) -> PartialMatch:
    """Balanced soft matching of a solved :class:`parsm._core.Problem`: from its path when it
    reaches s = 1, else solved on its costs. :func:`soft_match`, :func:`parsm.compare` and
    :func:`parsm.pairwise` all report this."""
    with one_call("parsm soft_match") as progress:
        plan, cost = problem.soft_match(progress)
    return PartialMatch.from_plan(1.0, problem.metric, plan, cost)


def match_on(problem: Any, s: float) -> PartialMatch:
    """The exact optimal matching of mass ``s`` of a solved :class:`parsm._core.Problem`
    (no new solve)."""
    plan, cost = problem.match_at(s)
    return PartialMatch.from_plan(s, problem.metric, plan, cost)
