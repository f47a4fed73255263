"""Voxel scale: solvers that never fail on feasible input, certified optima at n = 4,000-5,000,
the assignment solver, float32 storage, memory checks, progress and Ctrl-C.

The large problems here are a sample of ``benches/soak.py`` (which runs 50+ of them up to
n = 12,000); each is checked against an independent optimum.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time

import numpy as np
import pytest
import scipy.optimize

import parsm
from parsm import _core, _path_cache


def planted(n_x: int, n_y: int, m: int = 200, seed: int = 2, share: float = 0.6):
    """The voxel-scale issue's recipe: a share of Y's units are noisy copies of X's units."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((m, n_x))
    Y = rng.standard_normal((m, n_y))
    k = int(share * min(n_x, n_y))
    Y[:, :k] = X[:, rng.permutation(n_x)[:k]] + 0.7 * rng.standard_normal((m, k))
    return X, Y


def assert_feasible(plan: np.ndarray, s: float) -> None:
    nx, ny = plan.shape
    assert plan.min() >= 0.0
    assert plan.sum(axis=1).max() <= 1.0 / nx * (1 + 1e-9)
    assert plan.sum(axis=0).max() <= 1.0 / ny * (1 + 1e-9)
    assert abs(plan.sum() - s) <= 1e-9


@pytest.mark.parametrize("s", [0.3, 0.9])
def test_the_issue_reproduction_is_solved_exactly(s: float) -> None:
    # RuntimeError: parsm's solver ended with status 'infeasible' before the fix.
    X, Y = planted(4000, 4000)
    m = parsm.partial_soft_match(X, Y, s)
    assert_feasible(m.plan, s)
    c = parsm.cost_matrix(X, Y)
    path_cost = _core.MassPath(c, s).evaluate(c, np.array([s]))[0]
    assert m.cost == pytest.approx(path_cost, abs=1e-10)


SOAK_SAMPLE = [
    # (nx, ny, s, metric, seed)
    (4500, 4000, 0.55, "cosine", 11),
    (4000, 4700, 0.8, "sqeuclidean", 12),
    (4200, 4200, 1.0, "euclidean", 13),
]


@pytest.mark.parametrize(("nx", "ny", "s", "metric", "seed"), SOAK_SAMPLE)
def test_soak_sample_matches_an_independent_optimum(nx, ny, s, metric, seed) -> None:
    X, Y = planted(nx, ny, seed=seed, share=0.5)
    c = parsm.cost_matrix(X, Y, metric)
    a, b = np.full(nx, 1.0 / nx), np.full(ny, 1.0 / ny)
    sol = _core.partial(c, a, b, s)
    plan, cost, status = sol.plan, sol.cost, sol.status
    assert status == "optimal"
    assert_feasible(plan, s)
    path = _core.MassPath(c, s)
    assert cost == pytest.approx(path.evaluate(c, np.array([s]))[0], rel=1e-10, abs=1e-12)
    if nx == ny and s == 1.0:
        r, col = scipy.optimize.linear_sum_assignment(c)
        assert cost == pytest.approx(c[r, col].sum() / nx, rel=1e-12)


@pytest.mark.parametrize("kind", ["uniform", "ties", "negative", "planted"])
def test_assignment_solver_matches_scipy(kind: str) -> None:
    rng = np.random.default_rng(5)
    n = 300
    if kind == "uniform":
        c = rng.uniform(size=(n, n))
    elif kind == "ties":
        c = rng.integers(0, 3, size=(n, n)).astype(float)
    elif kind == "negative":
        c = -rng.uniform(1, 6, size=(n, n))
    else:
        X, Y = planted(n, n, seed=3)
        c = parsm.cost_matrix(X, Y)
    col, total, u, v = _core.assignment(c)
    assert sorted(col) == list(range(n))
    r, cc = scipy.optimize.linear_sum_assignment(c)
    assert total == pytest.approx(c[r, cc].sum(), rel=1e-12, abs=1e-12)
    # The certified duals: feasible everywhere, tight on the assignment.
    assert (c - u[:, None] - v[None, :]).min() >= -1e-9
    assert np.abs(c[np.arange(n), col] - u - v[col]).max() <= 1e-9


def test_square_emd_and_soft_match_use_the_assignment_optimum() -> None:
    X, Y = planted(400, 400, seed=4)
    c = parsm.cost_matrix(X, Y)
    r, cc = scipy.optimize.linear_sum_assignment(c)
    best = c[r, cc].sum() / 400
    w = np.full(400, 1 / 400)
    G = parsm.ot.emd(w, w, c)
    assert float((G * c).sum()) == pytest.approx(best, rel=1e-12)
    assert parsm.soft_match(X, Y).cost == pytest.approx(best, rel=1e-12)
    assert_feasible(G, 1.0)


def test_assignment_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="square"):
        _core.assignment(np.zeros((3, 4)))
    c = np.zeros((3, 3))
    c[1, 1] = np.nan
    with pytest.raises(ValueError, match="NaN or infinite"):
        _core.assignment(c)


def test_float32_is_exact_for_the_stored_costs() -> None:
    X, Y = planted(500, 450, seed=6)
    c32 = parsm.cost_matrix(X, Y, dtype="float32")
    assert c32.dtype == np.float32
    c64 = parsm.cost_matrix(X, Y)
    assert np.abs(c32 - c64).max() <= 1e-6  # one rounding of values in [0, 2]
    wide = c32.astype(np.float64)  # exactly the stored values
    grid = np.array([0.1, 0.4, 0.7, 1.0])
    on32 = _core.MassPath(c32, 1.0).evaluate(c32, grid)
    a, b = np.full(500, 1 / 500), np.full(450, 1 / 450)
    for s, z in zip(grid, on32):
        assert z == pytest.approx(_core.partial(wide, a, b, s).cost, rel=1e-12, abs=1e-14)
    lc32 = parsm.lcurve(X, Y, dtype="float32")
    lc64 = parsm.lcurve(X, Y)
    assert np.abs(lc32.cost - lc64.cost).max() <= 1e-6
    r32 = parsm.rank_units(X, Y, s=0.4, dtype="float32")
    r64 = parsm.rank_units(X, Y, s=0.4)
    assert set(r32.order_y[:150]) <= set(range(270))  # the planted units of Y come first
    assert (r32.matched_y == r64.matched_y).mean() >= 0.99
    with pytest.raises(ValueError, match="dtype must be 'float64' or 'float32'"):
        parsm.cost_matrix(X, Y, dtype="float16")


def test_structured_rectangular_paths_equal_the_simplex_in_both_dtypes() -> None:
    # Units driven by shared signals with Nx != Ny: the path has several times more
    # augmentations than units (row remainders), and its searches carry their labels from one
    # augmentation to the next. Each breakpoint region is checked against the simplex.
    rng = np.random.default_rng(12)
    latent = rng.standard_normal((50, 8))
    X = latent @ rng.standard_normal((8, 600)) + 0.7 * rng.standard_normal((50, 600))
    Y = latent @ rng.standard_normal((8, 637)) + 0.7 * rng.standard_normal((50, 637))
    a, b = np.full(600, 1 / 600), np.full(637, 1 / 637)
    grid = np.array([0.3, 0.6, 0.9, 0.97, 0.995, 1.0])
    for dtype in ("float64", "float32"):
        c = parsm.cost_matrix(X, Y, dtype=dtype)
        wide = c.astype(np.float64)
        path = _core.MassPath(c, 1.0)
        assert path.n_augmentations > 3 * 600
        for s, z in zip(grid, path.evaluate(c, grid)):
            assert z == pytest.approx(_core.partial(wide, a, b, s).cost, rel=1e-12, abs=1e-14)


def test_a_matrix_that_cannot_fit_raises_memory_error_before_allocating() -> None:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2, 400_000))  # 400,000^2 float64 costs: 1.2 TiB
    with pytest.raises(MemoryError, match=r"GiB of memory .* compare fewer units"):
        parsm.cost_matrix(X, X)


def test_masses_at_equals_the_plan_sums() -> None:
    X, Y = planted(120, 90, seed=8)
    c = parsm.cost_matrix(X, Y)
    path = _core.MassPath(c, 1.0)
    for s in (0.2, 0.55, 1.0):
        rows, cols = path.masses_at(s)
        plan = path.plan_at(s)
        np.testing.assert_allclose(rows, plan.sum(axis=1), atol=1e-15)
        np.testing.assert_allclose(cols, plan.sum(axis=0), atol=1e-15)


def test_rank_units_reuses_the_path_lcurve_solved() -> None:
    X, Y = planted(300, 260, seed=9)
    _path_cache.clear()
    parsm.lcurve(X, Y)
    key = _path_cache.key(
        np.ascontiguousarray(X, dtype=float),
        np.ascontiguousarray(Y, dtype=float),
        "correlation",
        "float64",
    )
    cached = _path_cache.get(key)
    assert cached is not None
    warm = parsm.rank_units(X, Y, s=0.5)
    assert _path_cache.get(key) is cached
    _path_cache.clear()
    cold = parsm.rank_units(X, Y, s=0.5)
    np.testing.assert_array_equal(warm.order_x, cold.order_x)
    np.testing.assert_array_equal(warm.order_y, cold.order_y)
    # Other data or another metric is another path.
    parsm.rank_units(X, Y, s=0.5, metric="cosine")
    assert _path_cache.get(key) is None


def test_progress_reaches_the_total() -> None:
    X, Y = planted(400, 300, seed=10)
    c = parsm.cost_matrix(X, Y)
    calls: list[tuple[int, int]] = []
    _core.MassPath(c, 1.0, lambda done, total: calls.append((done, total)))
    assert calls, "the last progress report is always made"
    done, total = calls[-1]
    assert done == total > 0
    assert all(d <= t for d, t in calls)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def noise(n: int, m: int = 200) -> np.ndarray:
    return parsm.cost_matrix(*np.random.default_rng(1).standard_normal((2, m, n)))


def interrupt_after(seconds: float) -> threading.Timer:
    """Sends this process SIGINT after ``seconds``; cancel the timer once the call has returned,
    so that a call faster than that never lets the signal hit pytest itself."""
    timer = threading.Timer(seconds, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.parametrize(
    "solve",
    [
        lambda c: _core.MassPath(c, 1.0),
        lambda c: _core.partial(c, np.full(len(c), 1 / len(c)), np.full(len(c), 1 / len(c)), 0.97),
        # Sweeps on one thread run on the calling thread; their inner solves hear Ctrl-C too
        # (they used to run to the sweep's end).
        lambda c: _core.mass_paths([c, c], 1.0, 1),
        lambda c: _core.partial_sweep(c, np.array([0.9, 0.97]), None, 1),
    ],
    ids=["mass path", "network simplex", "serial paths", "serial simplex sweep"],
)
def test_ctrl_c_stops_a_long_solve_within_a_second(solve) -> None:
    c = noise(6000)  # each solve would take many seconds here
    timer = interrupt_after(0.3)
    t = time.perf_counter()
    try:
        with pytest.raises(KeyboardInterrupt):
            solve(c)
    finally:
        timer.cancel()
    assert time.perf_counter() - t < 0.3 + 1.0


def test_progress_callback_runs_during_a_serial_solve_and_its_error_stops_it() -> None:
    # Serial solves run on the calling thread; their progress is reported from inside the
    # solve every 0.1 s, and an exception raised by the callback cancels it and propagates.
    c = noise(4000)  # the path to s = 1 takes seconds here
    calls: list[tuple[int, int]] = []

    def stop(done: int, total: int) -> None:
        calls.append((done, total))
        raise ValueError("stop here")

    t = time.perf_counter()
    with pytest.raises(ValueError, match="stop here"):
        _core.MassPath(c, 1.0, stop)
    assert time.perf_counter() - t < 1.0
    assert len(calls) == 1 and 0 < calls[0][1]


def test_cli_prints_one_line_and_exits_130_on_ctrl_c(tmp_path) -> None:
    rng = np.random.default_rng(3)
    # Large enough that the solve outlasts the wait below (about 7 s here; 3,000 units, once
    # enough, now finish in 2.4 s).
    for name in ("X", "Y"):
        np.save(tmp_path / f"{name}.npy", rng.standard_normal((100, 5000)))
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "parsm.cli",
            "rank",
            str(tmp_path / "X.npy"),
            str(tmp_path / "Y.npy"),
        ],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    time.sleep(2.5)  # past the start-up, inside the solve
    proc.send_signal(signal.SIGINT)
    try:
        _out, err = proc.communicate(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        raise
    assert proc.returncode == 130, err
    assert err.strip().splitlines()[-1] == "parsm rank: interrupted"
    assert "Traceback" not in err


_PATH_DIGEST = """
import hashlib, sys, numpy as np, parsm
from parsm import _core
rng = np.random.default_rng(4)
X = rng.standard_normal((60, 3200)); Y = rng.standard_normal((60, 3200))
Y[:, :2000] = X[:, :2000] + 0.5 * rng.standard_normal((60, 2000))
c = parsm.cost_matrix(X, Y)
p = _core.MassPath(c, 1.0)  # square and long rows: the search with candidate lists
h = hashlib.sha256()
for a in (*p.breakpoints(), *p.unit_masses(), p.plan_at(0.7)):
    h.update(np.ascontiguousarray(a).tobytes())
print(h.hexdigest())
"""


def test_the_path_is_identical_for_one_and_two_threads() -> None:
    digests = []
    for threads in ("1", "2"):
        env = dict(os.environ, RAYON_NUM_THREADS=threads)
        out = subprocess.run(
            [sys.executable, "-c", _PATH_DIGEST], env=env, capture_output=True, text=True
        )
        assert out.returncode == 0, out.stderr
        digests.append(out.stdout.strip())
    assert digests[0] == digests[1]
