"""parsm.ot against the same calls in POT 0.9.7: values, return types, log keys, and where
parsm is deliberately stricter."""

from __future__ import annotations

import inspect

import numpy as np
import ot
import pytest
from scipy.optimize import linprog

import parsm.ot as pot_like


@pytest.fixture
def problem(rng):
    n1, n2 = 40, 55
    a = rng.uniform(0.1, 1.0, n1)
    a /= a.sum()
    b = rng.uniform(0.1, 1.0, n2)
    b /= b.sum()
    M = ot.dist(rng.standard_normal((n1, 3)), rng.standard_normal((n2, 3)))
    return a, b, M


@pytest.mark.parametrize(
    "name",
    ["emd", "emd2", "dist", "partial.partial_wasserstein", "partial.partial_wasserstein2"],
)
def test_signatures_match_pot(name):
    def get(mod, dotted):
        for part in dotted.split("."):
            mod = getattr(mod, part)
        return mod

    ours = inspect.signature(get(pot_like, name))
    theirs = inspect.signature(get(ot, name))
    assert list(ours.parameters) == list(theirs.parameters)
    for p in theirs.parameters.values():
        assert ours.parameters[p.name].default == p.default, p.name


def test_emd_matches_pot(problem):
    a, b, M = problem
    G, log = pot_like.emd(a, b, M, log=True)
    G_ref, log_ref = ot.emd(a, b, M, log=True, numItermax=10**7)
    assert set(log) == set(log_ref)
    assert log["cost"] == pytest.approx(log_ref["cost"], rel=1e-12)
    assert log["result_code"] == 1 and log["warning"] is None
    assert_marginals(G, a, b)
    # Duals: feasible, centred like POT's, and certify the optimum (strong duality).
    u, v = log["u"], log["v"]
    assert np.all(u[:, None] + v[None, :] <= M + 1e-12)
    assert u @ a + v @ b == pytest.approx(log["cost"], rel=1e-12)
    assert u @ a == pytest.approx(v @ b, abs=1e-12)


def assert_marginals(G, a, b):
    assert G.min() >= 0
    np.testing.assert_allclose(G.sum(1), a, atol=1e-12)
    np.testing.assert_allclose(G.sum(0), b, atol=1e-12)


def test_emd_uniform_when_empty_and_dtype_follows_input(problem):
    _, _, M = problem
    G = pot_like.emd([], [], M)
    G_ref = ot.emd([], [], M, numItermax=10**7)
    assert np.sum(G * M) == pytest.approx(np.sum(G_ref * M), rel=1e-12)
    a32 = np.full(M.shape[0], 1.0 / M.shape[0], dtype=np.float32)
    b32 = np.full(M.shape[1], 1.0 / M.shape[1], dtype=np.float32)
    assert pot_like.emd(a32, b32, M).dtype == np.float32
    assert pot_like.emd(a32, b32, M).dtype == ot.emd(a32, b32, M).dtype


def test_emd_zero_weights_are_kept_feasible(problem):
    a, b, M = problem
    a = a.copy()
    a[[0, 5]] = 0.0
    a /= a.sum()
    G, log = pot_like.emd(a, b, M, log=True)
    assert log["cost"] == pytest.approx(ot.emd2(a, b, M, numItermax=10**7), rel=1e-12)
    assert not G[[0, 5]].any()
    assert np.all(log["u"][:, None] + log["v"][None, :] <= M + 1e-12)


def test_emd2_returns_like_pot(problem):
    a, b, M = problem
    ref = ot.emd2(a, b, M, numItermax=10**7)
    assert pot_like.emd2(a, b, M) == pytest.approx(ref, rel=1e-12)
    cost, log = pot_like.emd2(a, b, M, return_matrix=True)
    assert cost == pytest.approx(ref, rel=1e-12)
    assert {"cost", "u", "v", "warning", "result_code", "G"} <= set(log)
    assert np.sum(log["G"] * M) == pytest.approx(ref, rel=1e-12)
    B = np.stack([b, np.roll(b, 3)], axis=1)
    ours = pot_like.emd2(a, B, M)
    theirs = ot.emd2(a, B, M, numItermax=10**7)
    assert isinstance(ours, list) and len(ours) == 2
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def test_emd_is_optimal_where_pots_default_cap_is_not(rng):
    # 100000 pivots are not enough for POT at this size; parsm has no cap.
    n = 1500
    M = ot.dist(rng.standard_normal((n, 5)), rng.standard_normal((n, 5)))
    w = np.full(n, 1.0 / n)
    capped = ot.emd2(w, w, M)  # POT's default numItermax
    optimal = ot.emd2(w, w, M, numItermax=10**8)
    ours = pot_like.emd2(w, w, M)
    assert ours == pytest.approx(optimal, rel=1e-10)
    assert ours <= capped + 1e-12


@pytest.mark.parametrize("m", [0.0, 0.2, 0.5, 0.99])
def test_partial_wasserstein_matches_pot(problem, m):
    a, b, M = problem
    G, log = pot_like.partial.partial_wasserstein(a, b, M, m=m, log=True)
    G_ref, log_ref = ot.partial.partial_wasserstein(a, b, M, m=m, log=True, numItermax=10**7)
    assert set(log) == set(log_ref)
    assert log["partial_w_dist"] == pytest.approx(log_ref["partial_w_dist"], rel=1e-10, abs=1e-14)
    assert G.shape == G_ref.shape
    assert G.sum() == pytest.approx(m, abs=1e-12)
    assert np.all(G.sum(1) <= a + 1e-12) and np.all(G.sum(0) <= b + 1e-12)
    assert log["u"].shape == a.shape and log["v"].shape == b.shape
    w2 = pot_like.partial.partial_wasserstein2(a, b, M, m=m)
    assert w2 == pytest.approx(ot.partial.partial_wasserstein2(a, b, M, m=m), rel=1e-10, abs=1e-14)
    _, log2 = pot_like.partial.partial_wasserstein2(a, b, M, m=m, log=True)
    assert np.array_equal(log2["T"], G)


def test_partial_none_moves_all_mass(problem):
    a, b, M = problem
    G = pot_like.partial.partial_wasserstein(a, b, M)
    assert G.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.sum(G * M) == pytest.approx(ot.emd2(a, b, M, numItermax=10**7), rel=1e-10)


def test_partial_exact_where_pots_dummy_cost_fails():
    # All-zero costs: POT's 2*max(M) = 0 dummy cost lets it move all the mass for m = 0.5.
    n = 6
    w = np.full(n, 1.0 / n)
    M = np.zeros((n, n))
    assert ot.partial.partial_wasserstein(w, w, M, m=0.5).sum() == pytest.approx(1.0)
    G = pot_like.partial.partial_wasserstein(w, w, M, m=0.5)
    assert G.sum() == pytest.approx(0.5, abs=1e-12)


def test_partial_negative_costs_match_an_independent_lp(rng):
    n1, n2, m = 7, 5, 0.4
    M = rng.uniform(-2.0, 1.0, (n1, n2))
    a = np.full(n1, 1.0 / n1)
    b = np.full(n2, 1.0 / n2)
    G = pot_like.partial.partial_wasserstein(a, b, M, m=m)
    A_ub = np.vstack([np.kron(np.eye(n1), np.ones(n2)), np.kron(np.ones(n1), np.eye(n2))])
    lp = linprog(
        M.ravel(),
        A_ub=A_ub,
        b_ub=np.concatenate([a, b]),
        A_eq=np.ones((1, n1 * n2)),
        b_eq=[m],
        bounds=(0, None),
        method="highs",
    )
    assert lp.status == 0
    assert np.sum(G * M) == pytest.approx(lp.fun, rel=1e-9)
    assert G.sum() == pytest.approx(m, abs=1e-12)


def test_partial_m1_with_rounded_uniform_weights():
    n = 120
    w = np.ones(n) / n
    M = np.abs(np.subtract.outer(np.arange(n), np.arange(n)[::-1])).astype(float)
    with pytest.raises(ValueError, match="m should lower or equal"):
        ot.partial.partial_wasserstein(w, w, M, m=1.0)
    G = pot_like.partial.partial_wasserstein(w, w, M, m=1.0)
    assert G.sum() == pytest.approx(1.0, abs=1e-12)
    assert np.sum(G * M) == pytest.approx(ot.emd2(w, w, M, numItermax=10**7), rel=1e-12)


def test_output_dtypes_and_dist_weights_follow_pot():
    rng = np.random.default_rng(4)
    x = rng.random((6, 3)).astype(np.float32)
    for metric in ("sqeuclidean", "euclidean", "cityblock"):
        assert pot_like.dist(x, x, metric).dtype == ot.dist(x, x, metric).dtype == np.float32
    assert pot_like.dist(x.astype(np.float64)).dtype == np.float64
    w = np.array([1.0, 2.0, 3.0])
    for metric, kw in (("cityblock", {}), ("minkowski", {"p": 3})):
        np.testing.assert_allclose(
            pot_like.dist(x, x, metric, w=w, **kw), ot.dist(x, x, metric, w=w, **kw), rtol=1e-6
        )
    M = rng.random((4, 5)).astype(np.float32)
    assert pot_like.emd([], [], M).dtype == ot.emd([], [], M).dtype == np.float32
    a = np.full(4, 0.25)
    assert pot_like.emd(a, [], M.astype(np.float64)).dtype == np.float64


def _sparse_graph(rng, n1, n2, per_row):
    """Random allowed arcs, at least ``per_row`` per row and per column (so feasible for any
    marginals with equal sums only if connected enough; the tests check with linprog)."""
    mask = np.zeros((n1, n2), dtype=bool)
    for i in range(n1):
        mask[i, rng.choice(n2, per_row, replace=False)] = True
    for j in range(n2):
        mask[rng.choice(n1, per_row, replace=False), j] = True
    return mask


def _linprog_on_arcs(a, b, rows, cols, costs):
    """The optimum of balanced transport restricted to the given arcs, by scipy's LP solver."""
    n1, n2, k = len(a), len(b), len(costs)
    A = np.zeros((n1 + n2, k))
    A[rows, np.arange(k)] = 1.0
    A[n1 + cols, np.arange(k)] = 1.0
    res = linprog(costs, A_eq=A, b_eq=np.concatenate([a, b]), bounds=(0, None), method="highs")
    return res


@pytest.mark.parametrize("fmt", ["coo", "csr", "csc"])
@pytest.mark.parametrize("shape", [(30, 30), (25, 40), (1, 6)])
def test_a_sparse_cost_matrix_is_a_graph_of_allowed_arcs(rng, fmt, shape):
    sparse = pytest.importorskip("scipy.sparse")
    n1, n2 = shape
    mask = _sparse_graph(rng, n1, n2, per_row=min(3, n1, n2))
    C = rng.standard_normal((n1, n2))  # negative costs too
    C[0, 0] = 0.0  # a stored zero is an arc of cost 0
    mask[0, 0] = True
    rows, cols = np.nonzero(mask)
    M = sparse.coo_array((C[rows, cols], (rows, cols)), shape=shape).asformat(fmt)
    a = rng.uniform(0.1, 1.0, n1)
    a /= a.sum()
    b = rng.uniform(0.1, 1.0, n2)
    b /= b.sum()
    lp = _linprog_on_arcs(a, b, rows, cols, C[rows, cols])
    if lp.status != 0:
        with pytest.raises(ValueError, match="allowed arcs"):
            pot_like.emd(a, b, M)
        return
    G, log = pot_like.emd(a, b, M, log=True)
    assert sparse.issparse(G) and G.format == "coo"
    dense = G.toarray()
    assert np.all(dense[~mask] == 0.0), "flow on a forbidden arc"
    np.testing.assert_allclose(dense.sum(1), a, atol=1e-12)
    np.testing.assert_allclose(dense.sum(0), b, atol=1e-12)
    assert log["cost"] == pytest.approx(lp.fun, abs=1e-9)
    assert pot_like.emd2(a, b, M) == pytest.approx(lp.fun, abs=1e-9)
    # Dual feasibility on the allowed arcs only.
    u, v = log["u"], log["v"]
    assert np.all(C[rows, cols] - u[rows] - v[cols] >= -1e-9)


def test_a_sparse_cost_matrix_with_too_few_arcs_is_infeasible_with_a_clear_message():
    sparse = pytest.importorskip("scipy.sparse")
    # Both rows can only reach column 0, so column 1's demand has no arc.
    M = sparse.coo_array(([1.0, 2.0], ([0, 1], [0, 0])), shape=(2, 2))
    with pytest.raises(ValueError, match="cannot carry the marginals"):
        pot_like.emd([], [], M)


def test_parallel_sparse_arcs_keep_the_cheapest():
    sparse = pytest.importorskip("scipy.sparse")
    # (0, 0) is listed twice, at 5 and at 1; coo keeps both entries (no summing).
    M = sparse.coo_array(([5.0, 1.0, 2.0], ([0, 0, 0], [0, 0, 1])), shape=(1, 2))
    cost = pot_like.emd2([1.0], [0.5, 0.5], M)
    assert cost == pytest.approx(0.5 * 1.0 + 0.5 * 2.0)


def test_a_sparse_cost_matrix_elsewhere_is_refused_with_a_clear_message():
    sparse = pytest.importorskip("scipy.sparse")
    with pytest.raises(TypeError, match=r"scipy sparse matrix.*M.toarray\(\)"):
        pot_like.partial.partial_wasserstein([], [], sparse.csr_matrix(np.ones((3, 3))), m=0.5)
