"""The most recent in-sample mass path (and the held-out share estimates made with it), so
that ``lcurve`` then ``rank_units`` on the same populations solve them once.

At voxel scale the path is the expensive part (minutes at 20,000 units a side), and users call
``parsm.lcurve(X, Y)`` and then ``parsm.rank_units(X, Y)``. The path depends only on the cost
matrix, which depends only on the data, the metric and the storage type, so it is kept under a
digest of exactly those (BLAKE2 over the arrays' bytes and shapes). Only the path's history is
kept (no cost matrix), one entry at a time, and a hit returns the identical object, so results
are the same as without the cache. The share estimate (:mod:`parsm.share`), which costs one
path solve per fold, is kept beside its path under the number of folds it used.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

_last: tuple[bytes, Any] | None = None
_shares: dict[tuple[bytes, int], Any] = {}


def key(x: np.ndarray, y: np.ndarray, metric: str, dtype: str) -> bytes:
    """The digest that identifies a cost matrix."""
    h = hashlib.blake2b(digest_size=20)
    for a in (x, y):
        a = np.ascontiguousarray(a, dtype=np.float64)
        h.update(repr(a.shape).encode())
        h.update(a.data)
    h.update(metric.encode())
    h.update(dtype.encode())
    return h.digest()


def get(k: bytes) -> Any | None:
    """The full path (to s = 1) stored under ``k``, if it is the last one stored."""
    return _last[1] if _last is not None and _last[0] == k else None


def put(k: bytes, path: Any) -> None:
    """Keeps ``path`` (solved to s = 1) as the last one, replacing the previous (and its
    share estimates)."""
    global _last
    _last = (k, path)
    _shares.clear()


def get_share(k: bytes, n_folds: int) -> Any | None:
    """The share estimate made with ``n_folds`` folds for the data under ``k``, if kept."""
    return _shares.get((k, n_folds))


def put_share(k: bytes, n_folds: int, share: Any) -> None:
    """Keeps a share estimate beside the path stored under ``k`` (only while it is the last)."""
    if _last is not None and _last[0] == k:
        _shares[(k, n_folds)] = share


def clear() -> None:
    """Forgets the stored path and its share estimates."""
    global _last
    _last = None
    _shares.clear()
