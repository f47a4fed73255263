"""partial_soft_match and soft_match: optimal (POT as the oracle), feasible, well behaved in s."""

from __future__ import annotations

import numpy as np
import ot
import pytest
from conftest import assert_feasible, population, pot_partial_cost
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import parsm

METRICS = list(parsm.METRICS)


@st.composite
def problems(draw):
    seed = draw(st.integers(0, 2**32 - 1))
    m = draw(st.integers(2, 30))
    nx = draw(st.integers(1, 60))
    ny = draw(st.integers(1, 60))
    metric = draw(st.sampled_from(METRICS))
    rng = np.random.default_rng(seed)
    X = population(rng, m, nx)
    Y = population(rng, m, ny)
    if draw(st.booleans()):  # ties: duplicate units within and across populations
        X[:, nx // 2] = X[:, 0]
        Y[:, 0] = X[:, 0]
        if ny > 1:
            Y[:, ny - 1] = X[:, 0]
    if draw(st.booleans()):  # integer-valued responses give many exactly tied costs
        X = np.round(X)
        Y = np.round(Y)
        X[0, :] = np.arange(nx) % 3 + 5  # keep every unit non-constant
        Y[0, :] = np.arange(ny) % 3 + 5
        X[1, :] = -1
        Y[1, :] = -1
    s = draw(st.one_of(st.sampled_from([0.0, 1.0]), st.floats(0.0, 1.0)))
    return X, Y, s, metric


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_optimal_cost_equals_pot_and_plan_is_feasible(problem):
    X, Y, s, metric = problem
    res = parsm.partial_soft_match(X, Y, s, metric)
    C = parsm.cost_matrix(X, Y, metric)
    expected = pot_partial_cost(C, s)
    assert res.cost == pytest.approx(expected, rel=1e-9, abs=1e-12)
    assert_feasible(res.plan, s)
    assert res.cost == pytest.approx(float(np.sum(res.plan * C)), rel=1e-12, abs=1e-15)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(0, 2**32 - 1),
    st.integers(2, 20),
    st.integers(1, 40),
    st.integers(1, 40),
    st.sampled_from(METRICS),
)
def test_integer_valued_costs_match_pot(seed, m, nx, ny, metric):
    rng = np.random.default_rng(seed)
    C = rng.integers(-3, 4, size=(nx, ny)).astype(float)  # zeros, negatives and ties
    a = np.full(nx, 1.0 / nx)
    b = np.full(ny, 1.0 / ny)
    for s in (0.3, 0.75, 1.0):
        plan = parsm.ot.partial.partial_wasserstein(a, b, C, m=s)
        assert float(np.sum(plan * C)) == pytest.approx(pot_partial_cost(C, s), rel=1e-9, abs=1e-12)
        assert_feasible(plan, s)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(1, 40), st.integers(1, 40), st.sampled_from(METRICS))
def test_cost_is_nondecreasing_and_convex_in_s(seed, nx, ny, metric):
    rng = np.random.default_rng(seed)
    X = population(rng, 12, nx)
    Y = population(rng, 12, ny)
    grid = np.linspace(0.0, 1.0, 21)
    costs = np.array([parsm.partial_soft_match(X, Y, s, metric).cost for s in grid])
    scale = max(1.0, float(np.abs(costs).max()))
    assert np.all(np.diff(costs) >= -1e-12 * scale)
    assert np.all(np.diff(costs, 2) >= -1e-10 * scale)


def test_s1_works_for_every_n_where_pot_rounds(rng):
    # sum(ones(120) / 120) < 1: POT's partial_wasserstein rejects m = 1 here.
    n = 120
    assert np.ones(n).dot(np.full(n, 1.0 / n)) < 1.0
    X = population(rng, 20, n)
    Y = population(rng, 20, n)
    res = parsm.partial_soft_match(X, Y, 1.0)
    bal = parsm.soft_match(X, Y)
    assert res.cost == pytest.approx(bal.cost, rel=1e-12)
    assert_feasible(res.plan, 1.0)
    C = parsm.cost_matrix(X, Y)
    w = np.full(n, 1.0 / n)
    assert bal.cost == pytest.approx(ot.emd2(w, w, C, numItermax=10**7), rel=1e-12)


def test_s0_returns_all_zero_plan(rng):
    X, Y = population(rng, 10, 7), population(rng, 10, 9)
    res = parsm.partial_soft_match(X, Y, 0.0)
    assert res.plan.shape == (7, 9)
    assert not res.plan.any()
    assert res.cost == 0.0 and res.score == 1.0
    assert np.isnan(res.mean_correlation)
    assert not res.matched_x.any() and not res.matched_y.any()


def test_result_fields_are_consistent(rng):
    X, Y = population(rng, 40, 25), population(rng, 40, 31)
    res = parsm.partial_soft_match(X, Y, 0.6)
    C = parsm.cost_matrix(X, Y)
    r = 1.0 - C
    assert res.s == 0.6 and res.metric == "correlation"
    assert res.score == pytest.approx(1.0 - res.cost)
    assert res.mean_correlation == pytest.approx(np.sum(res.plan * r) / 0.6, rel=1e-10)
    np.testing.assert_allclose(res.row_mass, res.plan.sum(1))
    np.testing.assert_allclose(res.col_mass, res.plan.sum(0))
    assert res.matched_x.dtype == bool and res.matched_x.shape == (25,)
    assert np.array_equal(res.matched_y, res.col_mass > parsm.MATCH_TOL / 31)
    with pytest.raises(ValueError):
        res.plan[0, 0] = 1.0  # results are read-only
    assert "PartialMatch(s=0.6" in repr(res)


def test_signal_units_are_matched_and_noise_units_are_not(rng):
    signal = population(rng, 200, 20)
    X = np.hstack(
        [signal + 0.05 * rng.standard_normal(signal.shape), rng.standard_normal((200, 5))]
    )
    Y = np.hstack(
        [signal + 0.05 * rng.standard_normal(signal.shape), rng.standard_normal((200, 10))]
    )
    res = parsm.partial_soft_match(X, Y, s=20 / 30)
    assert res.matched_y[:20].all() and not res.matched_y[20:].any()
    assert res.mean_correlation > 0.9


def test_unequal_sizes_and_euclidean_metrics(rng):
    X, Y = population(rng, 15, 3), population(rng, 15, 50)
    for metric in ("sqeuclidean", "euclidean"):
        res = parsm.partial_soft_match(X, Y, 0.5, metric)
        assert_feasible(res.plan, 0.5)
        assert np.isnan(res.mean_correlation)
        assert res.cost == pytest.approx(pot_partial_cost(parsm.cost_matrix(X, Y, metric), 0.5))


def test_input_layouts_and_dtypes_give_the_same_answer(rng):
    X = rng.integers(-5, 6, size=(30, 12))
    Y = rng.integers(-5, 6, size=(30, 15))
    ref = parsm.partial_soft_match(X.astype(np.float64), Y.astype(np.float64), 0.7)
    variants = [
        (X, Y),  # int
        (np.asfortranarray(X.astype(float)), np.asfortranarray(Y.astype(float))),
        (np.repeat(X.astype(float), 2, axis=1)[:, ::2], np.repeat(Y.astype(float), 2, axis=0)[::2]),
        (X.astype(np.float32), Y.astype(np.float32)),  # exactly representable: same answer
        (X.tolist(), Y.tolist()),
    ]
    for x, y in variants:
        res = parsm.partial_soft_match(x, y, 0.7)
        assert res.cost == pytest.approx(ref.cost, rel=1e-12)
        np.testing.assert_allclose(res.plan, ref.plan, atol=1e-15)


def test_thread_count_does_not_change_results(rng):
    X, Y = population(rng, 50, 200), population(rng, 50, 150)
    one = parsm.partial_soft_match(X, Y, 0.4, n_threads=1)
    two = parsm.partial_soft_match(X, Y, 0.4, n_threads=2)
    assert one.cost == two.cost
    assert np.array_equal(one.plan, two.plan)


def test_docstring_example_runs():
    import doctest

    import parsm.matching

    failures, tried = doctest.testmod(parsm.matching, raise_on_error=False)
    assert tried > 0 and failures == 0


def test_one_tie_rule_for_every_entry_point():
    """Duplicated units make many optimal plans; partial_soft_match, compare, the estimator
    and the ranking's masks all take the same one."""
    rng = np.random.default_rng(8)
    base = rng.standard_normal((40, 4))
    X = base[:, [0, 0, 1, 1, 2, 3, 3]]
    Y = base[:, [0, 1, 1, 2, 2, 3]] + 0.0
    for s in (0.3, 0.5, 2 / 3, 0.9):
        direct = parsm.partial_soft_match(X, Y, s).plan
        via_compare = parsm.compare(X, Y, s=s).partial.plan
        fitted = parsm.PartialSoftMatching(s=s).fit(X, Y).plan_
        np.testing.assert_array_equal(direct, via_compare)
        np.testing.assert_array_equal(direct, fitted)
