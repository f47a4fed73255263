"""Preparing populations before they are compared."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ._validation import as_population

__all__ = ["drop_constant_units", "constant_units"]


def constant_units(X: npt.ArrayLike) -> np.ndarray:
    """Indices of the units (columns) of ``X`` that are constant over stimuli (all-zero ones
    included): the correlation distance is undefined for them."""
    x = as_population(X, "X")
    return np.flatnonzero(np.all(x == x[:1], axis=0))


def drop_constant_units(X: npt.ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    """Removes the constant (zero-variance or all-zero) units of ``X``.

    parsm never drops units silently: call this explicitly and keep the returned indices to map
    results back to the original units.

    Parameters
    ----------
    X : array_like of shape (M, N)
        Responses (stimuli x units).

    Returns
    -------
    X_kept : ndarray of shape (M, N_kept)
        The non-constant units, in their original order.
    kept : ndarray of int, shape (N_kept,)
        Their column indices in ``X``.

    Examples
    --------
    >>> import numpy as np, parsm
    >>> X = np.array([[1.0, 0.0, 2.0], [3.0, 0.0, 2.0], [5.0, 0.0, 1.0]])
    >>> X_kept, kept = parsm.drop_constant_units(X)
    >>> kept
    array([0, 2])
    """
    x = as_population(X, "X")
    bad = constant_units(x)
    kept = np.setdiff1d(np.arange(x.shape[1]), bad)
    return x[:, kept], kept
