"""Pairs admitted by memory: how :func:`parsm.pairwise` keeps the pairs in flight within the
machine's memory.

Each native allocation that grows with ``Na · Nb`` checks the memory available *then*. Pairs
running at once in one process check at about the same time, before either has touched its
pages, so each can pass while together they do not fit, and the operating system kills the
process. So a pair first waits here until the pairs already running in this process leave room
for its peak (:func:`pair_bytes`). The budget is 90 % of the memory available when no pair is
running, read again when the process goes idle (at most every :data:`REREAD_AFTER` seconds:
the reading costs about 80 microseconds, about 1 % of a pair of 500 units over 300 stimuli
run one at a time, where the process goes idle between every two). A pair larger than the
budget runs alone, where the core's own checks raise ``MemoryError`` (with a remedy) if it
cannot fit at all.

The gate is per process: threads share it; under Dask each worker process has its own.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from . import _core
from ._progress import is_cancelled
from .share import SHARE_FOLDS, folds_used

__all__ = ["admitted", "pair_bytes"]

#: Share of the available memory the pairs in flight may reserve together.
BUDGET_SHARE = 0.9

#: Seconds a reading of the available memory serves before it is read again.
REREAD_AFTER = 0.5

_gate = threading.Condition()
_held = 0
_budget: float = 0.0
_read_at: float = -math.inf


def _after_fork_in_child() -> None:
    """A process forked while pairs held the gate (another thread inside :func:`admitted`)
    has neither those pairs nor the thread that would release it: a fresh gate, nothing held."""
    global _gate, _held, _read_at
    _gate, _held, _read_at = threading.Condition(), 0, -math.inf


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


#: Per unit and stimulus, per unit, and per pair: an allowance for what does not grow with
#: ``Na · Nb`` (prepared populations, fold responses, candidate lists, search arrays), at least
#: twice what was measured at 1,000-3,500 units and 100-300 stimuli; per unit and stimulus also
#: the product kernel's packed copies of both sides' prepared units.
_PER_UNIT_STIMULUS, _PER_UNIT, _PER_PAIR = 24, 2048, 8 << 20


def pair_bytes(na: int, nb: int, m: int, *, s: float | str, cv: int | None, itemsize: int) -> int:
    """The peak memory of one pair's solve in :func:`parsm.pairwise`, in bytes (``na``, ``nb``
    units over ``m`` stimuli, its cost matrices ``na x nb``).

    In units of one cost matrix (``Na · Nb · itemsize`` bytes), measured by peak RSS: the
    matrix itself, its transposed copy while a path is solved on one
    (:func:`parsm._core.path_solves_transposed`), and with ``s="auto"`` one training
    matrix per fold of the share estimate (5, fewer above
    ``share.LARGE_PROBLEM`` unit pairs). With ``cv = k`` the cross-validated scores keep each
    fold's training and held-out matrices (``2k``) and make two dense float64 plans; the peak
    is the larger of the two stages. Plus an allowance for the arrays that grow only with the
    units.
    """
    folds = folds_used(na, nb, SHARE_FOLDS) if s == "auto" else 0
    wide = _core.path_solves_transposed(na, nb)
    per_pair = (1 + int(wide) + folds) * itemsize
    if cv is not None:
        per_pair = max(per_pair, (1 + 2 * int(cv)) * itemsize + 16)
    units = int(na) + int(nb)
    small = units * (_PER_UNIT_STIMULUS * int(m) + _PER_UNIT) + _PER_PAIR
    return int(per_pair) * int(na) * int(nb) + small


def _available() -> int | None:
    return _core.available_memory()


def fits_now(nbytes: int) -> bool:
    """Whether ``nbytes`` fit in this process's pair budget with nothing else held: the
    share of the memory available now that :func:`admitted` admits (True where the platform
    does not say)."""
    avail = _available()
    with _gate:
        return avail is None or nbytes + _held <= BUDGET_SHARE * avail


@contextmanager
def admitted(nbytes: int) -> Iterator[None]:
    """Holds ``nbytes`` of this process's pair budget for the duration of the block, first
    waiting while the pairs already holding some leave too little (never while none does).
    Raises ``KeyboardInterrupt`` if :func:`parsm._progress.cancel_all` is called while it
    waits."""
    global _held, _budget, _read_at
    with _gate:
        while True:
            if _held == 0:
                now = time.monotonic()
                if now - _read_at >= REREAD_AFTER:
                    avail = _available()
                    _budget = float("inf") if avail is None else BUDGET_SHARE * avail
                    _read_at = now
                break
            if _held + nbytes <= _budget:
                break
            if is_cancelled():
                raise KeyboardInterrupt("cancelled")
            _gate.wait(0.1)
        _held += nbytes
    try:
        yield
    finally:
        with _gate:
            _held -= nbytes
            _gate.notify_all()
