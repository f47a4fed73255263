"""Shared helpers: random populations and exact oracles built on POT and scipy."""

from __future__ import annotations

import numpy as np
import ot
import pytest


def population(rng: np.random.Generator, m: int, n: int) -> np.ndarray:
    """Random tuning curves (stimuli x units) with shared structure, like real populations."""
    k = max(1, min(m, n) // 2)
    basis = rng.standard_normal((m, k))
    return basis @ rng.standard_normal((k, n)) + 0.5 * rng.standard_normal((m, n))


def pot_partial_cost(C: np.ndarray, s: float) -> float:
    """Optimal partial cost from ``ot.emd`` on the hand-built augmented problem.

    Dummy-to-dummy cost ``A = 2 max(C) + 1`` with ``C >= 0`` guarantees exactly ``s`` goes
    through the real arcs; ``numItermax`` is raised so that POT reaches the optimum.
    """
    nx, ny = C.shape
    if s == 0:
        return 0.0
    a = np.full(nx, 1.0 / nx)
    b = np.full(ny, 1.0 / ny)
    shift = C.min()
    Cs = C - shift  # a constant shift changes <T, C> by shift * s only
    A = 2.0 * Cs.max() + 1.0
    a_ext = np.append(a, max(b.sum() - s, 0.0))
    b_ext = np.append(b, max(a.sum() - s, 0.0))
    M_ext = np.zeros((nx + 1, ny + 1))
    M_ext[:nx, :ny] = Cs
    M_ext[nx, ny] = A
    G, log = ot.emd(a_ext, b_ext, M_ext, numItermax=10**8, log=True)
    assert log["result_code"] == 1, log["warning"]
    return float(np.sum(G[:nx, :ny] * Cs)) + shift * s


def assert_feasible(plan: np.ndarray, s: float, tol: float = 1e-12) -> None:
    nx, ny = plan.shape
    assert plan.min() >= 0.0
    assert np.all(plan.sum(axis=1) <= 1.0 / nx + tol)
    assert np.all(plan.sum(axis=0) <= 1.0 / ny + tol)
    assert abs(plan.sum() - s) <= tol


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
