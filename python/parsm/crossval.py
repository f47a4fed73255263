"""Cross-validated matching scores over stimuli, as the paper reports them.

For each of ``cv`` folds (``KFold(cv, shuffle=True, random_state=42)``, without scikit-learn)
the plan is fit on the training stimuli and its cost is recomputed on the held-out stimuli,
which the correlation cost re-centres with their own means. Scores are averaged over folds.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import numpy as np
import numpy.typing as npt

from . import _core
from ._folds import kfold
from ._validation import as_fraction, as_n_threads, as_populations
from .matching import _check_metric, cost_matrix

__all__ = ["cv_score", "fold_costs", "keep_fold_costs"]

#: Fold matrices kept for the rest of a :func:`keep_fold_costs` block.
_kept: ContextVar[dict | None] = ContextVar("parsm_fold_costs", default=None)


@contextmanager
def keep_fold_costs() -> Iterator[None]:
    """Inside, :func:`fold_costs` on the same arrays, folds, metric and storage type computes
    each fold's matrices once: ``compare(cv=k)`` needs them for its cross-validated L-curve
    and again for its cross-validated soft-matching score. They are released at the end."""
    token = _kept.set({})
    try:
        yield
    finally:
        _kept.reset(token)


#: The rule for units constant within a fold (see :func:`fold_costs`).
_FOLD = "uncorrelated"


def train_cost(
    X: np.ndarray,
    Y: np.ndarray,
    train: np.ndarray,
    metric: str,
    *,
    n_threads: int | None,
    dtype: str = "float64",
) -> np.ndarray:
    """The cost matrix on the training stimuli ``train`` of a fold (constant units there get
    cost 1, as in :func:`fold_costs`)."""
    return cost_matrix(
        X[train], Y[train], metric, n_threads=n_threads, dtype=dtype, constant_units=_FOLD
    )


def fold_costs(
    X: np.ndarray,
    Y: np.ndarray,
    cv: int,
    metric: str,
    *,
    n_threads: int | None,
    dtype: str = "float64",
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(C_train, C_test)`` for each fold over stimuli, stored as ``dtype``.

    A unit constant on a fold's training or held-out stimuli (a sparse unit silent by chance)
    has no measurable correlation there: it gets cost 1 (correlation 0) to every unit in that
    fold's matrix, so it can only be matched as a chance match and adds no held-out score.
    Units constant over *all* stimuli are still an error (drop them first)."""
    kept = _kept.get()
    key = (id(X), id(Y), X.shape, Y.shape, cv, metric, dtype)
    if kept is not None and key in kept:
        yield from kept[key]
        return
    made = []
    folds = kfold(X.shape[0], cv)
    # Every fold checked before any is computed (the smallest held-out set may be the last).
    fewest = min(len(test) for _, test in folds)
    if fewest < 2:
        raise ValueError(
            f"cv = {cv} leaves {fewest} held-out stimulus in a fold of {X.shape[0]} stimuli; at "
            "least 2 are needed to compute correlations. Use fewer folds."
        )
    for train, test in folds:
        pair = (
            train_cost(X, Y, train, metric, n_threads=n_threads, dtype=dtype),
            cost_matrix(
                X[test], Y[test], metric, n_threads=n_threads, dtype=dtype, constant_units=_FOLD
            ),
        )
        if kept is not None:
            made.append(pair)
        yield pair
    if kept is not None:
        kept[key] = made


def cv_score(
    X: npt.ArrayLike,
    Y: npt.ArrayLike,
    s: float = 1.0,
    metric: str = "correlation",
    *,
    cv: int = 5,
    n_threads: int | None = None,
) -> float:
    """Cross-validated score ``1 - <T, C_test>`` of the (partial) soft matching of mass ``s``.

    Parameters
    ----------
    X, Y : array_like of shape (M, Nx) and (M, Ny)
        Responses (stimuli x units).
    s : float in [0, 1], default 1.0
        Mass to match; ``1.0`` is balanced soft matching (the paper's SM score).
    metric : str, default "correlation"
        The unit-to-unit cost (see :func:`parsm.cost_matrix`).
    cv : int, default 5
        Number of folds over stimuli.
    n_threads : int, optional
        Threads for the cost matrices.

    Returns
    -------
    float
        The mean over folds of ``1 - <T_train, C_test>``.
    """
    metric = _check_metric(metric)
    s = as_fraction(s, "s")
    x, y = as_populations(X, Y)
    n_threads = as_n_threads(n_threads)
    if x.shape[0] != y.shape[0]:
        raise ValueError(
            f"X has {x.shape[0]} stimuli (rows) but Y has {y.shape[0]}; both populations must "
            "be recorded on the same stimuli, in the same order."
        )
    scores = []
    for c_train, c_test in fold_costs(x, y, cv, metric, n_threads=n_threads):
        nx, ny = c_train.shape
        a, b = np.full(nx, 1.0 / nx), np.full(ny, 1.0 / ny)
        if s == 1.0:
            plan = _core.emd(c_train, a, b).plan
        else:
            plan = _core.partial(c_train, a, b, s).plan
        scores.append(1.0 - float(np.sum(plan * c_test)))
    return float(np.mean(scores))
