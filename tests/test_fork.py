"""A process forked after parsm has run (Python's ``multiprocessing`` forks its workers on
Linux) inherits parsm's thread pools without their threads: its calls must still run, on pools
of its own, and give the same numbers."""

from __future__ import annotations

import multiprocessing

import numpy as np
import pytest

import parsm

pytestmark = pytest.mark.skipif(
    "fork" not in multiprocessing.get_all_start_methods(), reason="no fork on this platform"
)


def _numbers(seed: int) -> tuple[float, ...]:
    """Calls on every kind of pool: all cores (rayon's global pool), one thread (the calling
    thread's own pool), explicit counts (leased pools), and pairs in threads."""
    rng = np.random.default_rng(seed)
    x, y = rng.standard_normal((50, 120)), rng.standard_normal((50, 130))
    pops = [x, y, x[:, :60] + rng.standard_normal((50, 60))]
    big = rng.standard_normal((200, 600))  # a cost matrix worth all cores
    return (
        float(parsm.cost_matrix(big, big).sum()),
        float(parsm.cost_matrix(x, y).sum()),
        float(parsm.cost_matrix(x, y, n_threads=1).sum()),
        float(parsm.cost_matrix(x, y, n_threads=2).sum()),
        parsm.partial_soft_match(x, y, s=0.5).cost,
        parsm.compare(x, y, s=0.5, progress=False).summary["partial"]["score"],
        float(parsm.pairwise(pops, s=0.5).score[0, 1]),
        float(parsm.pairwise(pops, s=0.5, n_jobs=2).score_sm[0, 2]),
        float(parsm.pairwise(pops, s=0.5, n_jobs=1, n_threads=1).score[1, 2]),
    )


def test_a_process_forked_after_parsm_ran_runs_it_on_pools_of_its_own():
    # This process runs everything first, so that every kind of pool exists when it forks.
    expected = [_numbers(seed) for seed in range(3)]
    with multiprocessing.get_context("fork").Pool(2) as pool:
        # Before the fix the workers waited for ever on threads they did not have.
        got = pool.map_async(_numbers, range(3)).get(timeout=120)
    assert got == expected


_ONLY_ASKED = """
import multiprocessing, numpy as np, parsm
parsm._core.pool_size(None)  # builds rayon's global pool, runs no work
x = np.random.default_rng(0).standard_normal((200, 600))  # worth all cores
def work(_):
    return float(parsm.cost_matrix(x, x).sum())
if __name__ == "__main__":
    with multiprocessing.get_context("fork").Pool(2) as pool:
        print(pool.map_async(work, range(2)).get(timeout=60) == [work(0)] * 2)
"""


def test_a_fork_after_only_asking_the_pool_size_runs_too(tmp_path):
    """Asking the pool size builds rayon's global pool without running anything: a process
    forked then still knows itself as a fork."""
    import subprocess
    import sys

    script = tmp_path / "only_asked.py"
    script.write_text(_ONLY_ASKED)
    out = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


def _pairwise_score(seed: int) -> float:
    rng = np.random.default_rng(seed)
    pops = [rng.standard_normal((40, 30 + 5 * k)) for k in range(3)]
    return float(parsm.pairwise(pops, s=0.5, n_jobs=2).score[0, 2])


def test_a_fork_while_pairs_held_parsms_locks_runs_pairwise():
    """A process forked while another thread held the memory gate's and the running calls'
    locks (a pairwise call in flight) gets them fresh, with nothing held or running."""
    import threading

    from parsm import _memory_gate, _progress

    expected = [_pairwise_score(seed) for seed in range(2)]
    held, done = threading.Event(), threading.Event()

    def hold():
        with _memory_gate._gate, _progress._running:
            held.set()
            done.wait(120)

    holder = threading.Thread(target=hold)
    holder.start()
    held.wait(10)
    try:
        with multiprocessing.get_context("fork").Pool(2) as pool:
            got = pool.map_async(_pairwise_score, range(2)).get(timeout=120)
    finally:
        done.set()
        holder.join()
    assert got == expected
