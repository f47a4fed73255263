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
    return (
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
