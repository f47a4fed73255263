"""``dist``: pairwise costs between samples (rows), with POT 0.9.7's signature."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _core
from .._validation import as_matrix

__all__ = ["dist"]

_NATIVE = tuple(_core.METRICS)


def _check_rows(z: np.ndarray, name: str, metric: str) -> None:
    """Raises for rows where the cosine/correlation distance is undefined (POT gives NaN)."""
    if metric == "cosine":
        bad = np.flatnonzero(~np.any(z != 0, axis=1))
        kind = "all-zero"
    else:
        bad = np.flatnonzero(np.all(z == z[:, :1], axis=1))
        kind = "constant"
    if bad.size:
        raise ValueError(
            f"{name} has {kind} row(s) at indices {bad[:20].tolist()}, for which the {metric} "
            "distance is undefined (POT returns NaN there); drop those samples."
        )


def dist(
    x1: Any,
    x2: Any | None = None,
    metric: str = "sqeuclidean",
    p: float = 2,
    w: Any | None = None,
    backend: str = "auto",
    nx: Any = None,
    use_tensor: bool = False,
) -> np.ndarray:
    """Cost matrix between the rows (samples) of ``x1`` and ``x2``, like ``ot.dist``.

    Parameters
    ----------
    x1 : (n1, d) array_like
        Samples in rows. To compare tuning curves of units (stimuli x units), pass ``X.T``.
    x2 : (n2, d) array_like, optional
        Second set of samples; ``x1`` when None.
    metric : str, optional
        ``"sqeuclidean"`` (default), ``"euclidean"``, ``"cosine"`` and ``"correlation"`` are
        computed by parsm's parallel Rust kernel. Any other ``scipy.spatial.distance.cdist``
        metric is passed to scipy when it is installed.
    p : float, optional
        Minkowski exponent (scipy metrics only).
    w : array_like, optional
        Weights, used for ``"minkowski"`` only, as POT 0.9.7 does (it ignores them for every
        other metric).
    backend, nx, use_tensor
        Ignored: parsm works on numpy arrays only.

    Returns
    -------
    M : (n1, n2) ndarray
        The cost matrix, in the dtype of ``x1`` when it is a float type (float32 in, float32
        out, as POT), else float64. It is computed in float64 and rounded once.

    Raises
    ------
    ValueError
        For NaN/inf and, with ``"cosine"``/``"correlation"``, for all-zero or constant rows,
        where POT returns NaN entries. The message lists the offending rows.
    """
    del backend, nx, use_tensor
    raw = np.asarray(x1)
    out = raw.dtype if np.issubdtype(raw.dtype, np.floating) else np.dtype(np.float64)
    return _dist(x1, x2, metric, p, w).astype(out, copy=False)


def _dist(x1: Any, x2: Any, metric: str, p: float, w: Any) -> np.ndarray:
    if metric != "minkowski":
        w = None  # POT 0.9.7 passes w to scipy for minkowski only
    a = as_matrix(x1, "x1")
    b = a if x2 is None else as_matrix(x2, "x2")
    if a.shape[1] != b.shape[1]:
        raise ValueError(
            f"x1 and x2 must have the same number of features (columns); got {a.shape[1]} "
            f"and {b.shape[1]}."
        )
    if metric in _NATIVE and w is None:
        if metric in ("cosine", "correlation"):
            for name, z in (("x1", a), ("x2", b)):
                _check_rows(z, name, metric)
        return _core.cost_matrix(a.T, b.T, metric)
    try:
        from scipy.spatial.distance import cdist
    except ImportError as exc:  # pragma: no cover - scipy is a test dependency
        raise ValueError(
            f"metric {metric!r} needs scipy (pip install scipy); parsm computes "
            f"{', '.join(_NATIVE)} itself."
        ) from exc
    if metric == "minkowski":
        return cdist(a, b, metric=metric, p=p, w=w)
    return cdist(a, b, metric=metric, w=w) if w is not None else cdist(a, b, metric=metric)
