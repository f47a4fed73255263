"""Progress bars (tqdm) for long solves, fed by the Rust core's progress counter.

A public function that may run for more than a second opens one :class:`Progress` over its
steps (``with Progress("parsm lcurve", steps, progress) as bar``). Each native call inside it
takes ``progress=bar.step()``: the core reports ``(done, total)`` about ten times a second,
which moves the bar through that step. The bar appears only after a second, only on a
terminal unless asked for (``progress=True``), and never when ``PARSM_PROGRESS=0``.

A task on a worker thread (``pairwise``'s chunks of pairs, or one pair with ``s="auto"``)
moves the bar of the thread that waits for it through :func:`portion_of`: the bar is shared
under a key (:meth:`Progress.share`), and the task's native calls report its share of the
bar's steps as they go (a bar given ``into`` passes a nested bar's progress on), so that a
single large pair moves the bar too. A task in another process (Dask) finds no bar under the
key; the bar moves as such tasks end.

Ctrl-C does not depend on the bar: every native call checks for it while it runs.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from typing import Callable

from tqdm import tqdm

#: The callback type the native module calls: ``progress(done, total)``.
Callback = Callable[[int, int], None]

_active: ContextVar[Progress | None] = ContextVar("parsm_progress", default=None)

#: Set to stop every cancellable native call in this process (see :func:`cancellable`).
_CANCEL = threading.Event()
#: The cancellable calls running in this process, and the condition signalled as each ends.
_running = threading.Condition()
_n_running = 0
#: Whether native calls in this context are cancellable through :data:`_CANCEL`.
_cancellable: ContextVar[bool] = ContextVar("parsm_cancellable", default=False)
#: Bars that native calls on worker threads may move (see :meth:`Progress.share`).
_shared: dict[str, Progress] = {}


def _after_fork_in_child() -> None:
    """A process forked while native calls ran in other threads has none of them (nor their
    bars), and the lock they held may stay taken: fresh state, nothing running or cancelled."""
    global _CANCEL, _running, _n_running
    _CANCEL, _running, _n_running = threading.Event(), threading.Condition(), 0
    _shared.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


@contextmanager
def cancellable() -> Iterator[None]:
    """Native calls made inside (in this thread) stop with ``KeyboardInterrupt`` once
    :func:`cancel_all` is called, from any thread: how ``pairwise`` stops the pairs running in
    worker threads on Ctrl-C, where the native calls cannot see the signal themselves."""
    with _running:
        if _CANCEL.is_set():
            # Started after the stop (a task already queued): never enter native code.
            raise KeyboardInterrupt
        global _n_running
        _n_running += 1
    token = _cancellable.set(True)
    try:
        yield
    finally:
        _cancellable.reset(token)
        with _running:
            _n_running -= 1
            _running.notify_all()


def wait_stopped(timeout: float = 10.0) -> bool:
    """After :func:`cancel_all`, waits until no cancellable call is running (each stops within
    a tenth of a second), at most ``timeout`` seconds; whether none is. A worker thread still
    inside a native call when the interpreter exits aborts the process, so ``pairwise`` waits
    for this before re-raising ``KeyboardInterrupt``."""
    with _running:
        return _running.wait_for(lambda: _n_running == 0, timeout)


def cancel_all() -> None:
    """Stops the cancellable native calls of this process within a tenth of a second."""
    _CANCEL.set()


def is_cancelled() -> bool:
    """Whether :func:`cancel_all` was called (and not reset since)."""
    return _CANCEL.is_set()


def reset_cancel() -> None:
    """Lets cancellable native calls run again."""
    _CANCEL.clear()


def _enabled(progress: bool | None) -> bool:
    if progress is not None:
        return bool(progress)
    return os.environ.get("PARSM_PROGRESS", "") != "0" and sys.stderr.isatty()


class Progress:
    """One progress bar over ``steps`` native calls.

    Parameters
    ----------
    label : str
        Shown before the bar.
    steps : int
        How many native calls (or other units of work) the bar counts.
    enabled : bool, optional
        Force the bar on or off; default: on a terminal only (and not with
        ``PARSM_PROGRESS=0``).
    into : callable, optional
        Draw nothing, and pass the progress on instead, as ``into(done, total)``: a bar inside
        a step of another (``Progress.within``) or inside a worker's portion of a shared bar
        (:func:`portion_of`). Such a bar is on whenever ``into`` is given.
    """

    #: Units of the ``(done, total)`` a bar with ``into`` passes on per step.
    _SCALE = 1_000_000

    def __init__(
        self,
        label: str,
        steps: int,
        enabled: bool | None = None,
        *,
        into: Callback | None = None,
    ) -> None:
        self._into = into
        self._steps = max(int(steps), 1)
        self._on = into is not None or _enabled(enabled)
        # No tqdm object when off: building one takes tqdm's process-wide lock and ~0.3 ms,
        # which pairwise's worker threads (three bars a pair, all off) would pay in turn.
        self._bar = (
            tqdm(
                total=max(int(steps), 1),
                desc=label,
                delay=1.0,
                leave=False,
                file=sys.stderr,
                bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining}",
            )
            if self._on and into is None
            else None
        )
        self._done = 0.0
        self._token: Token[Progress | None] | None = None
        # What native calls on worker threads have done of their portions (see `portion_of`).
        self._lock = threading.Lock()
        self._portions: dict[object, float] = {}

    def __enter__(self) -> Progress:
        self._token = _active.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _active.reset(self._token)
        self.close()

    def _show(self, value: float) -> None:
        if self._into is not None:
            # Into may raise KeyboardInterrupt (cancel_all): the native call then stops.
            scale = self._SCALE
            self._into(round(min(value, self._steps) * scale), self._steps * scale)
            return
        if self._bar is None:
            return
        with self._lock:
            value += sum(self._portions.values())
            # Never back: a portion dropped at its task's end is counted again as the waiting
            # thread advances past the task a moment later. tqdm's update (not a refresh)
            # keeps the bar hidden for its first second and redraws it ten times a second.
            gain = min(value, self._bar.total) - self._bar.n
            if gain > 0:
                self._bar.update(gain)

    def _reporter(self, base: float, steps: float = 1.0) -> Callback:
        """A callback that shows a native call's ``(done, total)`` as progress through
        ``steps`` steps from ``base``."""

        def report(done: int, total: int) -> None:
            if _CANCEL.is_set():
                raise KeyboardInterrupt("cancelled")
            if self._on:
                self._show(base + steps * (min(done / total, 1.0) if total else 0.0))

        return report

    def step(self) -> Callback | None:
        """The ``progress`` callback for the next native call, which moves the bar through one
        step; None when the bar is off (the call then reports nothing)."""
        base = self._done
        self._done += 1
        return self._reporter(base) if self._on or _cancellable.get() else None

    def advance(self, n: int = 1) -> None:
        """Counts ``n`` steps done outside native calls."""
        self._done += n
        if self._on:
            self._show(self._done)

    def close(self) -> None:
        """Removes the bar."""
        _shared.pop(self._key, None)
        if self._bar is not None:
            self._bar.close()

    @property
    def _key(self) -> str:
        # The process too: a task sent to another process never finds a bar of that one.
        return f"{os.getpid()}:{id(self)}"

    def share(self) -> str:
        """Lets native calls on other threads of this process move this bar through
        :func:`portion_of` with the key returned, until the bar closes."""
        _shared[self._key] = self
        return self._key

    def _portion(self, token: object, steps: float) -> Callback:
        """The callback of a native call on another thread that does ``steps`` of the steps
        still to come (see :func:`portion_of`)."""

        def report(done: int, total: int) -> None:
            if _CANCEL.is_set():
                raise KeyboardInterrupt("cancelled")
            with self._lock:
                self._portions[token] = steps * (min(done / total, 1.0) if total else 0.0)
            self._show(self._done)

        return report

    def within(self, steps: float = 1.0) -> Callback | None:
        """A callback that shows the progress of a native call (or of a bar given it as
        ``into``) through the next ``steps`` steps without counting them (for helpers, such as
        the cost matrix, that callers do not count; callers then ``advance``)."""
        return self._reporter(self._done, steps) if self._on or _cancellable.get() else None


def active() -> Progress | None:
    """The innermost open bar, if any."""
    return _active.get()


def _stop_if_cancelled(done: int, total: int) -> None:
    """The callback of a native call that reports to no bar: it stops on :func:`cancel_all`."""
    if _CANCEL.is_set():
        raise KeyboardInterrupt("cancelled")


@contextmanager
def portion_of(key: str | None, steps: float) -> Iterator[Callback | None]:
    """The ``progress`` callback of a native call, on a worker thread, that does ``steps`` of
    the steps of the bar shared under ``key`` (:meth:`Progress.share`), moving it as the call
    reports; its portion is dropped on leaving, when the waiting thread counts the steps
    itself. Without that bar in this process (``key`` None, another process, a bar that is
    off) the callback only stops the call on :func:`cancel_all` where it is cancellable."""
    bar = _shared.get(key) if key is not None else None
    if bar is None or not bar._on:
        yield _stop_if_cancelled if _cancellable.get() else None
        return
    token = object()
    try:
        yield bar._portion(token, steps)
    finally:
        with bar._lock:
            bar._portions.pop(token, None)


@contextmanager
def one_call(label: str) -> Iterator[Callback | None]:
    """The ``progress`` callback for one native call: inside an open bar, progress within its
    current step; otherwise a bar of its own (shown after a second, on a terminal)."""
    bar = active()
    if bar is not None:
        yield bar.within()
        return
    with Progress(label, 1) as own:
        yield own.step()
