"""The most recent in-sample mass path, so that ``lcurve`` then ``rank_units`` on the same
populations solve it once.

At voxel scale the path is the expensive part (minutes at 20,000 units a side), and users call
``parsm.lcurve(X, Y)`` and then ``parsm.rank_units(X, Y)``. The path depends only on the cost
matrix, which depends only on the data, the metric and the storage type, so it is kept under a
digest of exactly those (BLAKE2 over the arrays' bytes and shapes). Only the path's history is
kept (no cost matrix), one entry at a time, and a hit returns the identical object, so results
are the same as without the cache.
"""

from __future__ import annotations

import hashlib
from typing import Any

import numpy as np

_last: tuple[bytes, Any] | None = None


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
    """Keeps ``path`` (solved to s = 1) as the last one, replacing the previous."""
    global _last
    _last = (k, path)


def clear() -> None:
    """Forgets the stored path."""
    global _last
    _last = None
