"""pairwise's memory gate: pairs whose peaks do not fit together wait, the estimate bounds the
measured peak, and results do not depend on it."""

from __future__ import annotations

import contextlib
import math
import subprocess
import sys
import textwrap
import threading
import time

import numpy as np
import pytest

import parsm
from parsm import _memory_gate, pairs
from parsm._memory_gate import admitted, pair_bytes
from parsm._progress import cancel_all, reset_cancel


def available(monkeypatch, nbytes):
    """The gate reads ``nbytes`` as available, from its next idle entry on."""
    monkeypatch.setattr(_memory_gate, "_available", lambda: nbytes)
    monkeypatch.setattr(_memory_gate, "_read_at", -math.inf)


@pytest.fixture
def budget(monkeypatch):
    """A budget of 900 bytes (90 % of 1000 'available')."""
    available(monkeypatch, 1000)
    yield 900
    reset_cancel()


class Holder:
    """A thread that holds ``nbytes`` of the gate until released; what it raised, if any."""

    def __init__(self, nbytes):
        self.entered, self._go, self.errors = threading.Event(), threading.Event(), []
        self._thread = threading.Thread(target=self._run, args=(nbytes,))
        self._thread.start()

    def _run(self, nbytes):
        try:
            with admitted(nbytes):
                self.entered.set()
                self._go.wait(10)
        except BaseException as e:  # noqa: BLE001 - the test inspects what was raised
            self.errors.append(e)

    def finish(self):
        self._go.set()
        self._thread.join(5)
        assert not self._thread.is_alive()


def test_a_pair_waits_until_the_running_ones_leave_room(budget):
    a = Holder(600)
    assert a.entered.wait(5)
    b = Holder(600)
    assert not b.entered.wait(0.4)  # 600 + 600 > 900: B waits
    a.finish()
    assert b.entered.wait(5)  # A left: B runs
    b.finish()
    assert a.errors == b.errors == []
    assert _memory_gate._held == 0


def test_pairs_that_fit_together_run_together(budget):
    a, b = Holder(400), Holder(400)
    assert a.entered.wait(5) and b.entered.wait(5)
    assert _memory_gate._held == 800
    a.finish(), b.finish()
    assert a.errors == b.errors == []


def test_a_pair_larger_than_the_budget_runs_alone(budget):
    with admitted(10 * budget):
        assert _memory_gate._held == 10 * budget
    assert _memory_gate._held == 0


def test_waiting_stops_when_cancelled(budget):
    a = Holder(600)
    assert a.entered.wait(5)
    b = Holder(600)
    time.sleep(0.2)
    cancel_all()
    b.finish()  # returns at once: B stopped waiting
    assert not b.entered.is_set()
    assert len(b.errors) == 1 and isinstance(b.errors[0], KeyboardInterrupt)
    a.finish()
    assert a.errors == []
    assert _memory_gate._held == 0


def test_the_available_memory_is_read_when_idle_at_most_every_reread_after(monkeypatch):
    reads = []

    def read():
        reads.append(time.monotonic())
        return 1000 * len(reads)

    monkeypatch.setattr(_memory_gate, "_available", read)
    monkeypatch.setattr(_memory_gate, "_read_at", -math.inf)
    monkeypatch.setattr(_memory_gate, "REREAD_AFTER", 0.3)
    for _ in range(3):
        with admitted(1):
            pass
    assert len(reads) == 1 and _memory_gate._budget == 900  # read once, then reused
    time.sleep(0.35)
    with admitted(1):
        assert _memory_gate._budget == 1800  # read again: the reading is older than 0.3 s
    assert len(reads) == 2


def test_pairwise_under_a_tight_budget_runs_one_pair_at_a_time(monkeypatch):
    rng = np.random.default_rng(3)
    base = rng.standard_normal((60, 40))
    pops = [base + rng.standard_normal((60, 40)) for _ in range(4)]
    free = parsm.pairwise(pops, s=0.5, n_jobs=2)

    inside, most = [0], [0]
    lock = threading.Lock()
    real = pairs.cancellable  # entered by every pair, inside its memory admission

    @contextlib.contextmanager
    def counted():
        with lock:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
        try:
            with real():
                time.sleep(0.05)  # long enough for the other worker to try to enter
                yield
        finally:
            with lock:
                inside[0] -= 1

    monkeypatch.setattr(pairs, "cancellable", counted)
    one = pair_bytes(40, 40, 60, s=0.5, cv=None, itemsize=8)
    available(monkeypatch, int(1.5 * one / 0.9))
    tight = parsm.pairwise(pops, s=0.5, n_jobs=2)
    assert most[0] == 1
    np.testing.assert_array_equal(tight.score, free.score)
    np.testing.assert_array_equal(tight.score_sm, free.score_sm)

    # Room for two: one native call whose two threads share the pairs, two at once.
    threads = []
    real_numbers = parsm._core.pairs_numbers

    def recorded(sides, todo, *args):
        threads.append(args[-2])
        return real_numbers(sides, todo, *args)

    monkeypatch.setattr(parsm._core, "pairs_numbers", recorded)
    available(monkeypatch, int(3 * one / 0.9))
    parsm.pairwise(pops, s=0.5, n_jobs=2)
    assert threads == [2]


def test_pair_bytes_follows_shape_mode_and_storage():
    m = 100
    unit = pair_bytes(300, 400, m, s=0.5, cv=None, itemsize=8)
    small = pair_bytes(0, 0, m, s=0.5, cv=None, itemsize=8)  # the allowance alone
    assert pair_bytes(300, 400, m, s=0.5, cv=None, itemsize=4) - small < unit - small
    # A square pair holds one matrix too; one whose Y has twice X's units or more also holds
    # the transposed copy its path is solved on.
    square = pair_bytes(400, 400, m, s=0.5, cv=None, itemsize=8)
    assert square - pair_bytes(399, 400, m, s=0.5, cv=None, itemsize=8) < 2 * 400 * 8 + 2 * 2048
    wide = pair_bytes(200, 400, m, s=0.5, cv=None, itemsize=8)
    tall = pair_bytes(400, 200, m, s=0.5, cv=None, itemsize=8)
    assert wide - tall == 200 * 400 * 8
    auto = pair_bytes(300, 400, m, s="auto", cv=None, itemsize=8)
    assert auto - unit == 5 * 300 * 400 * 8
    cv = pair_bytes(300, 400, m, s=0.5, cv=3, itemsize=8)
    assert cv - unit == (7 * 8 + 16 - 8) * 300 * 400


PEAK = textwrap.dedent(
    """
    import sys
    import numpy as np
    from parsm._memory_gate import pair_bytes
    from parsm.pairs import compare_pair
    nx, ny, m, s, cv = int(sys.argv[3]), int(sys.argv[4]), 60, sys.argv[1], sys.argv[2]
    s = s if s == "auto" else float(s)
    cv = None if cv == "none" else int(cv)
    rng = np.random.default_rng(0)
    base = rng.standard_normal((m, ny))
    x = base[:, :nx] + rng.standard_normal((m, nx))
    y = base + rng.standard_normal((m, ny))
    def status(key):
        line = next(l for l in open("/proc/self/status") if l.startswith(key))
        return int(line.split()[1]) * 1024
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # resets the peak (VmHWM) to the current resident size
    before = status("VmRSS:")
    compare_pair(x, y, s=s, metric="correlation", cv=cv, n_threads=1, dtype="float64")
    print(status("VmHWM:") - before, pair_bytes(nx, ny, m, s=s, cv=cv, itemsize=8))
    """
)


@pytest.mark.skipif(sys.platform != "linux", reason="peak RSS in bytes as Linux reports it")
@pytest.mark.parametrize(
    ("s", "cv", "nx", "ny"),
    [
        ("0.5", "none", 1800, 2400),
        ("auto", "none", 1800, 2400),
        ("0.5", "3", 1800, 2400),
        ("0.5", "none", 2000, 2000),
        ("auto", "none", 2000, 2000),
        ("0.5", "none", 1000, 3000),
        ("auto", "none", 1000, 3000),
    ],
)
def test_pair_bytes_bounds_the_measured_peak(s, cv, nx, ny):
    done = subprocess.run(
        [sys.executable, "-c", PEAK, s, cv, str(nx), str(ny)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    measured, estimate = map(int, done.stdout.split())
    matrix = nx * ny * 8
    allowance = (nx + ny) * (16 * 60 + 2048) + (8 << 20)
    assert measured <= estimate
    # Tight too: no whole matrix counted that the pair never holds.
    assert measured >= estimate - allowance - matrix // 2
