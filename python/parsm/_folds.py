"""Cross-validation folds over stimuli, identical to scikit-learn's
``KFold(n_splits, shuffle=True, random_state=seed)`` without depending on it."""

from __future__ import annotations

import numpy as np

__all__ = ["kfold"]


def kfold(n_samples: int, n_splits: int, seed: int = 42) -> list[tuple[np.ndarray, np.ndarray]]:
    """``[(train, test), ...]`` index arrays, as ``KFold(n_splits, shuffle=True,
    random_state=seed).split`` yields them (the authors' folds use ``seed=42``)."""
    if isinstance(n_splits, bool) or not isinstance(n_splits, (int, np.integer)) or n_splits < 2:
        raise ValueError(f"cv must be an integer >= 2 (number of folds); got {n_splits!r}.")
    if n_splits > n_samples:
        raise ValueError(
            f"cv = {n_splits} folds need at least {n_splits} stimuli; there are {n_samples}."
        )
    indices = np.arange(n_samples)
    np.random.RandomState(seed).shuffle(indices)
    sizes = np.full(n_splits, n_samples // n_splits, dtype=int)
    sizes[: n_samples % n_splits] += 1
    folds = []
    start = 0
    for size in sizes:
        test = indices[start : start + size]
        mask = np.ones(n_samples, dtype=bool)
        mask[test] = False
        folds.append((np.flatnonzero(mask), np.flatnonzero(~mask)))
        start += size
    return folds
