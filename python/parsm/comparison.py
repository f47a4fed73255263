"""One-call comparison of two populations, as ``parsm compare`` runs it.

:func:`compare` computes the L-curve, balanced and partial soft matching and the unit ranking;
:mod:`parsm.report` writes and prints them.
"""

from __future__ import annotations

import platform
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from . import __version__, share
from ._progress import one_call
from ._validation import as_mass_or_auto, as_n_threads, as_populations, columns_of
from .crossval import cv_score, keep_fold_costs
from .curve import DEFAULT_ELBOW, lcurve_on, mass_grid
from .matching import _check_metric, cost_matrix, match_on, soft_match_of
from .ranking import labels_of, rank_on
from .results import MATCH_TOL, Comparison, LCurve, Pair

__all__ = ["Comparison", "compare", "scored_matchings", "matching_summaries", "summary_of"]


def summary_of(
    s: float,
    metric: str,
    cost: float,
    matched: tuple[int, int],
    shape: tuple[int, int],
    cv: float | None,
) -> dict[str, Any]:
    """The reported numbers of an optimal matching of mass ``s`` with cost ``cost`` in which
    ``matched`` units of X and of Y (of ``shape``) carry mass, as :class:`PartialMatch`
    defines them. The matched mass is ``s``, so the mean correlation over it is
    ``(s - cost) / s`` (for correlation and cosine costs, ``1 - r``)."""
    nx, ny = shape
    mean_corr = None
    if metric in ("correlation", "cosine") and s > 0:
        mean_corr = (s - cost) / s
    out = {
        "s": s,
        "score": 1.0 - cost,
        "cost": cost,
        "mean_correlation": mean_corr,
        "matched_x": matched[0],
        "matched_y": matched[1],
        "n_x": nx,
        "n_y": ny,
    }
    if cv is not None:
        out["cv_score"] = cv
    return out


def _path_summary(problem: Any, s: float, cv: float | None) -> dict[str, Any]:
    """The numbers of the optimal matching of mass ``s``, from the problem's path (solved at
    least to ``s``) without a dense plan: a unit is matched when its mass exceeds
    ``MATCH_TOL`` of its own."""
    matched = problem.matched_at(s, MATCH_TOL)
    return summary_of(s, problem.metric, problem.cost_at(s), matched, problem.shape, cv)


def _soft_summary(problem: Any, cv: float | None) -> dict[str, Any]:
    """The numbers of balanced soft matching: from the path when it reaches ``s = 1``, else
    from the balanced solver's cost (every unit then sends or receives its whole mass)."""
    if problem.s_max >= 1.0:
        return _path_summary(problem, 1.0, cv)
    with one_call("parsm soft_match") as progress:
        cost = problem.soft_cost(progress)
    return summary_of(1.0, problem.metric, cost, problem.shape, problem.shape, cv)


def scored_matchings(
    pair: Pair,
    s: float,
    cv: int | None,
    cv_at_s: float | None,
    n_threads: int | None,
    with_soft: bool = True,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The summaries of partial soft matching at ``s`` (from the pair's path, solved at least to
    ``s``) and of soft matching (from the path when it reaches ``s = 1``, as in
    :func:`compare`; else as :func:`parsm.soft_match` solves it, the same optimum), without
    dense plans; with ``cv`` the cross-validated scores (``cv_at_s`` when already known, the
    L-curve's at its own ``s0``), computed with ``n_threads``. ``compare`` and ``pairwise``
    both report these, so their numbers are the same. ``with_soft=False`` skips soft matching
    (its summary is then ``None``) and its cross-validated score."""
    cv_soft = None
    if cv is not None:
        if cv_at_s is None:
            cv_at_s = cv_score(pair.x, pair.y, s, pair.metric, cv=cv, n_threads=n_threads)
        if with_soft:
            cv_soft = cv_score(pair.x, pair.y, 1.0, pair.metric, cv=cv, n_threads=n_threads)
    return matching_summaries(pair.problem, s, cv_at_s, cv_soft, with_soft)


def matching_summaries(
    problem: Any,
    s: float,
    cv_at_s: float | None = None,
    cv_soft: float | None = None,
    with_soft: bool = True,
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """:func:`scored_matchings` of a solved problem whose cross-validated scores, if any, are
    known: what a pair prepared for ``pairwise`` (no responses) reports."""
    partial = _path_summary(problem, s, cv_at_s)
    return partial, _soft_summary(problem, cv_soft) if with_soft else None


def compare(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    *,
    s: float | str = "auto",
    metric: str = "correlation",
    cv: int | None = None,
    grid: int = 200,
    labels_x: Sequence[Any] | None = None,
    labels_y: Sequence[Any] | None = None,
    n_threads: int | None = None,
    progress: bool | None = None,
    sources: tuple[str, str] | None = None,
    dtype: str = "float64",
) -> Comparison:
    """L-curve, soft matching, partial soft matching at ``s`` and the ranking, in one call.

    In plain words: every unit carries an equal share of its population's **mass**
    (``1/Nx`` or ``1/Ny``); the **plan** says how much of each unit's mass goes to each unit of
    the other population; and ``s`` is the share of the mass, equally weighted, that gets a
    partner (``s = 0.6``: 60 % of the units' weight is matched, the rest left out).

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        Responses (stimuli x units).
    s : float in [0, 1] or "auto", default "auto"
        The matched mass; ``"auto"`` takes the held-out share estimate ``s0`` with its
        interval (see :func:`parsm.lcurve`, ``elbow="heldout"``; at least 4 stimuli). With a
        given ``s`` and fewer stimuli, the L-curve's ``s0`` is its in-sample corner
        (``elbow="plateau"``), with a :class:`parsm.ShareWarning`.
    metric : str, default "correlation"
    cv : int, optional
        Also report scores cross-validated over this many folds of stimuli.
    grid : int, default 200
        L-curve grid points.
    labels_x, labels_y : sequence, optional
        Unit names, carried into the ranking and the unit tables.
    n_threads : int, optional
    progress : bool, optional
        Progress bar on stderr for long runs (default: on a terminal only). Ctrl-C stops the
        computation within a second either way.
    sources : (str, str), optional
        Where X and Y came from, recorded in the summary.
    dtype : {"float64", "float32"}, default "float64"
        Storage of the cost matrix (see :func:`parsm.cost_matrix`).

    Returns
    -------
    Comparison
    """
    s = as_mass_or_auto(s)
    metric = _check_metric(metric)
    x, y = as_populations(X, Y)
    n_threads = as_n_threads(n_threads)
    lab_x = labels_of(columns_of(X) if labels_x is None else labels_x, x.shape[1], "labels_x")
    lab_y = labels_of(columns_of(Y) if labels_y is None else labels_y, y.shape[1], "labels_y")
    # One cost matrix and one path solve give the curve, both matchings and the ranking.
    c = cost_matrix(x, y, metric, n_threads=n_threads, dtype=dtype)
    # With a given s and too few stimuli for the held-out estimate, the curve's s0 is its
    # in-sample corner (said in a warning); with s="auto" that is an error (in lcurve_on).
    elbow = DEFAULT_ELBOW
    if s != "auto" and cv is None and x.shape[0] < share.MIN_STIMULI:
        elbow = "plateau"
        warnings.warn(
            f"{x.shape[0]} stimuli are too few for the held-out share estimate (it needs "
            f"{share.MIN_STIMULI}); the L-curve's s0 is its in-sample corner (elbow='plateau').",
            share.ShareWarning,
            stacklevel=2,
        )
    with keep_fold_costs():  # the cv curve and the cv scores share their fold matrices
        lc, problem = lcurve_on(
            x,
            y,
            c,
            mass_grid(grid),
            metric=metric,
            cv=cv,
            elbow=elbow,
            n_threads=n_threads,
            progress=progress,
        )
        s_value = lc.s0 if s == "auto" else float(s)
        at_s0 = lc.score_s0 if s == "auto" and cv is not None else None
        partial = match_on(problem, s_value)
        soft = soft_match_of(problem)  # from the path, which reaches s = 1: no second solve
        partial_summary, soft_summary = scored_matchings(
            Pair(x, y, problem), s_value, cv, at_s0, n_threads
        )
    ranking = rank_on(Pair(x, y, problem), s_value, labels=(lab_x, lab_y), n_threads=n_threads)
    summary = {
        "parsm": __version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
        "inputs": {"X": sources[0], "Y": sources[1]} if sources else None,
        "shape": {
            "stimuli": x.shape[0],
            "n_x": partial.plan.shape[0],
            "n_y": partial.plan.shape[1],
        },
        "metric": metric,
        "s": partial.s,
        "s_source": _s_source(lc) if s == "auto" else "given",
        "unmatched_mass": 1.0 - partial.s,
        "lcurve": {
            "s0": lc.s0,
            "s0_interval": None if lc.s0_interval is None else list(lc.s0_interval),
            "s0_identifiable": lc.s0_identifiable,
            "elbow": lc.elbow,
            "grid": len(lc.s),
            "cv": cv,
            "share_folds": None if lc.share is None else lc.share.folds,
        },
        "partial": partial_summary,
        "soft_matching": soft_summary,
        "match_tol": MATCH_TOL,
    }
    return Comparison(lcurve=lc, soft=soft, partial=partial, ranking=ranking, summary=summary)


def _s_source(lc: LCurve) -> str:
    if lc.s0_interval is None:
        return f"L-curve elbow ({lc.elbow})"
    lo, hi = lc.s0_interval
    clear = "" if lc.s0_identifiable else "; no clear corner, report the interval"
    return f"held-out share, 90% interval [{lo:.3f}, {hi:.3f}]{clear}"
